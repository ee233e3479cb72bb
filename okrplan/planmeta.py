"""plan.json's other sections as records: what the plan is, the solver's report, the metrics.

Readers keep each section's dict (:class:`okrplan.plan.Plan`); these records say what it must
hold. The goal graph's node records are in :mod:`okrplan.model`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictStr,
    TypeAdapter,
)

from okrplan.model import MONTH_LABEL, Count, Number, Status


class Locale(StrEnum):
    ZH_CN = "zh-CN"
    EN = "en"


class MetricKind(StrEnum):
    COUNT = "count"
    MONEY = "money"
    SHARE = "share"


class WeightRule(StrEnum):
    LEVERAGE = "leverage"
    EQUAL = "equal"
    GIVEN = "given"


def _consecutive(months: tuple[str, ...]) -> tuple[str, ...]:
    for month in months:
        if not MONTH_LABEL.fullmatch(month):
            raise ValueError("a list of consecutive months (YYYY-MM)")
    index = [int(m[:4]) * 12 + int(m[5:7]) for m in months]
    if any(b != a + 1 for a, b in itertools.pairwise(index)):
        raise ValueError("a list of consecutive months (YYYY-MM)")
    return months


Months = Annotated[tuple[StrictStr, ...], Field(min_length=1), AfterValidator(_consecutive)]
"""The plan's months in order, one or more (``2015-01``)."""

# extra: a key a later okrplan adds is no error; defer_build: the adapters below are built
# when a plan.json is read, not at import (decompose never reads one)
_SECTION = ConfigDict(extra="ignore", defer_build=True)


@dataclass(frozen=True, slots=True)
class Kpi:
    __pydantic_config__ = _SECTION

    metric: StrictStr
    base: StrictStr
    target: Number


@dataclass(frozen=True, slots=True)
class Rounding:
    __pydantic_config__ = _SECTION

    money: Number
    count: Number


@dataclass(frozen=True, slots=True)
class Weights:
    __pydantic_config__ = _SECTION

    rule: WeightRule
    step: Number
    min: Number


@dataclass(frozen=True, slots=True)
class Parent:
    """The plan a plan was made from (``okrplan replan``): its plan.json's path, relative to
    the newer plan's directory where it can be, and the SHA-256 of its bytes."""

    __pydantic_config__ = _SECTION

    path: StrictStr
    sha256: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]


@dataclass(frozen=True, slots=True)
class PlanMeta:
    """plan.json's ``plan``: the plan's name, period and locale, its KPI and its settings."""

    __pydantic_config__ = _SECTION

    name: StrictStr
    period: StrictStr
    locale: Locale
    currency: StrictStr
    kpi: Kpi
    buffer: Number
    months: Months
    seasonality: tuple[Number, ...]
    rounding: Rounding
    weights: Weights
    # a plan's history (okrplan/versions.py); absent from a plan decomposed as written
    parent: Parent | None = None
    target: Parent | None = None  # the target file a re-plan was made with, the same way
    as_of: Annotated[StrictStr, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    overrides: tuple[StrictStr, ...] = ()


@dataclass(frozen=True, slots=True)
class Relaxation:
    """A change that would make an infeasible plan feasible: ``quantity`` of ``owner`` (a
    group, role or unit id, or a unit path) from ``current`` to ``needed``, both as the plan
    shows them, and the sentence that says so in the plan's locale
    (:func:`okrplan.solve.relax.relaxation`).

    plan.json writes :data:`JSON_KEYS` (the owner as ``subject``); ``quantity`` is the
    solver's own (``headcount``, ``hire max``, ``target``, ``minimums``, ``buffer``,
    ``capacity:<metric>``) and reads back as ``""``.
    """

    __pydantic_config__ = _SECTION
    JSON_KEYS: ClassVar[tuple[str, ...]] = ("kind", "subject", "message", "current", "needed")

    kind: StrictStr  # hire | capacity | buffer | target
    owner: Annotated[StrictStr, Field(alias="subject")]
    message: StrictStr
    current: StrictStr
    needed: StrictStr
    quantity: StrictStr = ""

    def to_json(self) -> dict[str, str]:
        """The relaxation as plan.json writes it."""
        return {
            "kind": self.kind,
            "subject": self.owner,
            "message": self.message,
            "current": self.current,
            "needed": self.needed,
        }


@dataclass(frozen=True, slots=True)
class Binding:
    """What binds a group's quota: ``subject`` (a group or role id) and ``reason`` in the
    solver's words (``capacity calls 100/周 in 2015-11``, ``rounding +66667 from level``; made
    into a sentence by :func:`okrplan.present.binding_text`). plan.json writes ``subject: reason``.

    >>> Binding.parse("r:A/销售岗: bounds.max")
    Binding(subject='r:A/销售岗', reason='bounds.max')
    >>> str(Binding("r:A/销售岗", "bounds.max"))
    'r:A/销售岗: bounds.max'
    """

    subject: str
    reason: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.reason}"

    @classmethod
    def parse(cls, text: str) -> Binding:
        """The record of plan.json's ``subject: reason``."""
        subject, _, reason = text.partition(": ")
        return cls(subject, reason)


@dataclass(frozen=True, slots=True)
class Conflict:
    """One rule in an infeasible plan's conflict: ``kind`` (``capacity``, ``hire-max``,
    ``target``) of ``subject`` (a group id or a unit path). plan.json writes ``kind:subject``.

    >>> Conflict.parse("hire-max:r:A/销售岗"), str(Conflict("target", "A/销售部"))
    (Conflict(kind='hire-max', subject='r:A/销售岗'), 'target:A/销售部')
    """

    kind: str
    subject: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject}"

    @classmethod
    def parse(cls, text: str) -> Conflict:
        """The record of plan.json's ``kind:subject``."""
        kind, _, subject = text.partition(":")
        return cls(kind, subject)


def _from_text(record: type[Binding] | type[Conflict]) -> Any:
    """A plan.json string validated into ``record`` (a record passes as it is)."""

    def parse(value: object) -> Binding | Conflict:
        if isinstance(value, record):
            return value
        if not isinstance(value, str):
            raise ValueError(f"expected a string ({record.__name__})")
        return record.parse(value)

    return PlainValidator(parse)


@dataclass(frozen=True, slots=True)
class SolverReport:
    """What solving says of a plan (plan.json's ``solver``): its status, the largest stretch,
    the binding constraints (:class:`Binding`), the relaxations that would make an
    infeasible plan feasible, the conflict (:class:`Conflict`), hires by role id, the hires the
    KPI needs without the buffer (None in a plan.json written before they were recorded) and
    the fill levels by unit path.

    :meth:`to_json` writes it; :data:`SOLVER_REPORT` validates plan.json's section back into it.
    """

    __pydantic_config__ = _SECTION

    status: Status
    stretch: Number
    binding: tuple[Annotated[Binding, _from_text(Binding)], ...]
    relaxations: tuple[Relaxation, ...]
    conflict: tuple[Annotated[Conflict, _from_text(Conflict)], ...]
    hires: Mapping[StrictStr, Count]
    levels: Mapping[StrictStr, Number]
    hires_without_buffer: Mapping[StrictStr, Count] | None = None

    def to_json(self) -> dict[str, Any]:
        """The report as plan.json writes it (``hires_without_buffer`` only where known)."""
        out: dict[str, Any] = {
            "status": str(self.status),
            "stretch": self.stretch,
            "binding": [str(b) for b in self.binding],
            "relaxations": [r.to_json() for r in self.relaxations],
            "conflict": [str(c) for c in self.conflict],
            "hires": dict(self.hires),
            "levels": dict(self.levels),
        }
        if self.hires_without_buffer is not None:
            out["hires_without_buffer"] = dict(self.hires_without_buffer)
        return out


@dataclass(frozen=True, slots=True)
class MetricInfo:
    """One of plan.json's ``metrics``: its name, kind and unit, and the metrics it yields,
    follows or is a share of (by key)."""

    __pydantic_config__ = _SECTION

    name: StrictStr
    kind: MetricKind
    unit: StrictStr
    yields: Mapping[StrictStr, Number]
    follows: Mapping[StrictStr, Number]
    share_of: Mapping[StrictStr, Number]


PLAN_META: TypeAdapter[PlanMeta] = TypeAdapter(PlanMeta)
SOLVER_REPORT: TypeAdapter[SolverReport] = TypeAdapter(SolverReport)
METRICS: TypeAdapter[dict[str, MetricInfo]] = TypeAdapter(
    dict[StrictStr, MetricInfo], config=ConfigDict(defer_build=True)
)
