"""The plan model: typed records for the goal graph's nodes, and the values around them.

Every node of the goal graph carries one frozen record under the attribute ``"node"``
(:func:`okrplan.graph.node`): a :class:`Unit`, a :class:`RoleGroup`, an :class:`Objective` or a
:class:`KeyResult`. Code reads typed fields (``kr.target``), never ``data["target"]``.

plan.json is the records' serialisation: :func:`node_to_json` writes a record as the node dict
the plan.json format has always had, and :func:`node_from_json` validates such a dict back into a
record (pydantic, every problem with its key path). Numbers are plain JSON numbers in base units
(yuan for money, a count for counts, a fraction for shares), as in plan.json.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
)

from okrplan.spec import MAX_PEOPLE

MAX_NUMBER = 10**18
"""The largest magnitude of a number in a plan, as of a quantity in a target file (sheets and
reports compute with decimals of 28 digits: a KR's number times a headcount must fit)."""

Number = (
    Annotated[StrictInt, Field(ge=-MAX_NUMBER, le=MAX_NUMBER)]
    | Annotated[StrictFloat, Field(ge=-MAX_NUMBER, le=MAX_NUMBER)]
)
"""A plan.json number: an int when whole (never a bool), at most :data:`MAX_NUMBER` in size."""

Count = Annotated[StrictInt, Field(ge=0, le=MAX_PEOPLE)]
"""A number of people."""

MONTH_LABEL = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"(FY)?[0-9]{4}-Q[1-4]")  # FY2027-Q1: a fiscal quarter
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")


@functools.lru_cache(maxsize=4096)  # a plan has a few dozen labels, each in many KRs
def _period_label(label: str) -> str:
    """``label`` if it is a month (2015-03), quarter (2015-Q1) or ISO week (2015-W09)."""
    if MONTH_LABEL.fullmatch(label) or _QUARTER.fullmatch(label):
        return label
    week = _WEEK.fullmatch(label)
    try:
        if week is not None:
            date.fromisocalendar(int(week[1]), int(week[2]), 4)
            return label
    except ValueError:
        pass
    raise ValueError("a period (2015-03, 2015-Q1 or 2015-W09)")


PeriodLabel = Annotated[StrictStr, AfterValidator(_period_label)]
"""The label of a calendar period, as a KR's periods are keyed."""


class NodeKind(StrEnum):
    UNIT = "unit"
    ROLE = "role"
    OBJECTIVE = "objective"
    KR = "kr"


class EdgeKind(StrEnum):
    CONTAINS = "contains"  # unit → unit/role
    ALIGNS = "aligns"  # child KR → parent KR of the same metric
    DRIVES = "drives"  # process KR → the outcome KR it feeds (same owner)
    SUPPORTS = "supports"  # support unit's KR → the KR it feeds
    MEASURES = "measures"  # KR → objective
    OWNS = "owns"  # unit/role → objective/KR


class Level(StrEnum):
    """Where a unit sits: the company (the root) or any unit below it."""

    COMPANY = "company"
    UNIT = "unit"


class KRKind(StrEnum):
    DERIVED = "derived"  # references a metric; the plan fills in its numbers
    MANUAL = "manual"  # a fixed target the planner wrote
    STAFFING = "staffing"  # "招聘 N 名销售": hires the plan needs
    DEDUCTION = "deduction"  # 减分项: each case subtracts points


class Per(StrEnum):
    """The period one target value of a KR covers."""

    PLAN = "plan"
    QUARTER = "quarter"
    MONTH = "month"
    WEEK = "week"


class TargetPer(StrEnum):
    """The period a manual KR's written target covers ("2次/月")."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class TargetKind(StrEnum):
    NUMBER = "number"
    PERCENT = "percent"
    POINTS = "points"


class Status(StrEnum):
    """What the solver says of a plan."""

    OPTIMAL = "optimal"  # every rule holds and the split is proven best
    FEASIBLE = "feasible"  # every rule holds; a time limit stopped the proof of the best
    INFEASIBLE = "infeasible"  # the target cannot be met: see the relaxations

    @property
    def is_ok(self) -> bool:
        return self is not Status.INFEASIBLE


_RECORD = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class Supports:
    """A support unit supplies ``share`` of ``metric`` to the sales units beside it."""

    __pydantic_config__ = _RECORD

    metric: StrictStr
    share: Number


@dataclass(frozen=True, slots=True)
class Unit:
    """An organisation unit; ``target`` and ``assigned`` (base metric, for the whole unit) are
    there when the unit sells: its own target and what it passes down (buffer included)."""

    __pydantic_config__ = _RECORD

    id: StrictStr
    name: StrictStr
    path: tuple[StrictStr, ...]
    lead: StrictStr
    level: Level
    target: Number | None = None
    assigned: Number | None = None
    supports: Supports | None = None
    kind: Literal[NodeKind.UNIT] = NodeKind.UNIT


@dataclass(frozen=True, slots=True)
class Marginal:
    """What one more unit of a capacity per person adds to a group's reachable quota."""

    __pydantic_config__ = _RECORD

    metric: StrictStr
    per: StrictStr
    adds: Number


@dataclass(frozen=True, slots=True)
class Selling:
    """A selling role group's quota: for the group and per person, its basis and stretch
    (quota ÷ basis), ramp per month, what binds it, and marginal capacity gains."""

    __pydantic_config__ = _RECORD

    quota: Number
    per_person: Number
    basis: Number
    stretch: Number | None
    ramp: tuple[Number, ...]
    binding: tuple[StrictStr, ...]
    marginal: tuple[Marginal, ...]


@dataclass(frozen=True, slots=True)
class RoleGroup:
    """People of one role in one unit (a cohort of hires is a group of its own). Its
    objectives and KRs are per person."""

    __pydantic_config__ = _RECORD

    id: StrictStr
    name: StrictStr
    label: StrictStr
    path: tuple[StrictStr, ...]
    headcount: Count
    people: tuple[StrictStr, ...]
    new_hires: StrictBool
    sells: StrictStr | None
    capacity: Mapping[StrictStr, StrictStr]
    selling: Selling | None = None
    kind: Literal[NodeKind.ROLE] = NodeKind.ROLE


@dataclass(frozen=True, slots=True)
class Objective:
    __pydantic_config__ = _RECORD

    id: StrictStr
    name: StrictStr
    owner: StrictStr
    detail: StrictStr
    weight: Number | None = None
    kind: Literal[NodeKind.OBJECTIVE] = NodeKind.OBJECTIVE


@dataclass(frozen=True, slots=True)
class Periods:
    """A KR's target per calendar period at one granularity (``per``), and its plan total.

    ``values`` maps period labels (``2015-03``, ``2015-Q1``, ``2015-W09``) to targets.
    """

    per: Per
    values: Mapping[str, Number] = field(default_factory=dict)
    total: Number | None = None

    def sum(self) -> Number:
        return sum(self.values.values())


@dataclass(frozen=True, slots=True)
class KeyResult:
    """A key result. ``target`` is the headline value (per ``per``), ``periods`` the target of
    each calendar period, ``total`` the plan total of a derived KR that is phased, ``sourced``
    the part of that total the owner sources itself where support units supply the rest."""

    __pydantic_config__ = _RECORD

    id: StrictStr
    name: StrictStr
    owner: StrictStr
    objective: StrictStr
    kr_kind: KRKind
    metric: StrictStr | None
    text: StrictStr | None
    per: Per
    target: Number | None
    target_kind: TargetKind | None
    periods: Mapping[PeriodLabel, Number]
    weight: Number | None
    fixed_weight: StrictBool
    direction: Direction
    deduction: Number | None
    due: StrictStr | None
    target_per: TargetPer | None = None
    total: Number | None = None
    unit: StrictStr | None = None
    money: StrictBool | None = None
    hires: StrictStr | None = None
    sourced: Number | None = None
    kind: Literal[NodeKind.KR] = NodeKind.KR

    @property
    def phased(self) -> Periods:
        """The KR's targets per period as one value."""
        return Periods(self.per, self.periods, self.total)


Node = Unit | RoleGroup | Objective | KeyResult
"""Any record the goal graph carries."""

_NODE_ADAPTER: TypeAdapter[Node] = TypeAdapter(
    Annotated[Node, Field(discriminator="kind")],
    config=ConfigDict(defer_build=True),  # built when a plan.json is read, not at import
)


def node_to_json(node: Node) -> dict[str, Any]:
    """A record as its plan.json node dict (lists for tuples, keys only where the kind has
    them)."""
    if isinstance(node, KeyResult):
        return _kr_json(node)
    if isinstance(node, Objective):
        return {
            "id": node.id,
            "kind": "objective",
            "name": node.name,
            "owner": node.owner,
            "detail": node.detail,
            "weight": node.weight,
        }
    if isinstance(node, RoleGroup):
        return _role_json(node)
    return _unit_json(node)


def _kr_json(node: KeyResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": node.id,
        "kind": "kr",
        "name": node.name,
        "owner": node.owner,
        "objective": node.objective,
        "metric": node.metric,
        "per": str(node.per),
        "weight": node.weight,
        "fixed_weight": node.fixed_weight,
        "direction": str(node.direction),
        "deduction": node.deduction,
        "due": node.due,
        "kr_kind": str(node.kr_kind),
        "text": node.text,
        "target": node.target,
        "target_kind": None if node.target_kind is None else str(node.target_kind),
        "periods": dict(node.periods),
    }
    if node.kr_kind is KRKind.DERIVED:
        out["unit"] = node.unit
        out["money"] = node.money
    else:
        out["target_per"] = None if node.target_per is None else str(node.target_per)
    if node.total is not None:
        out["total"] = node.total
    if node.hires is not None:
        out["hires"] = node.hires
    if node.sourced is not None:
        out["sourced"] = node.sourced
    return out


def _role_json(node: RoleGroup) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": node.id,
        "kind": "role",
        "name": node.name,
        "label": node.label,
        "path": list(node.path),
        "headcount": node.headcount,
        "people": list(node.people),
        "new_hires": node.new_hires,
        "sells": node.sells,
        "capacity": dict(node.capacity),
    }
    if node.selling is not None:
        s = node.selling
        out.update(
            quota=s.quota,
            per_person=s.per_person,
            basis=s.basis,
            stretch=s.stretch,
            ramp=list(s.ramp),
            binding=list(s.binding),
            marginal=[{"metric": m.metric, "per": m.per, "adds": m.adds} for m in s.marginal],
        )
    return out


def _unit_json(node: Unit) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": node.id,
        "kind": "unit",
        "name": node.name,
        "path": list(node.path),
        "lead": node.lead,
        "level": str(node.level),
    }
    if node.target is not None:
        out["target"] = node.target
    if node.assigned is not None:
        out["assigned"] = node.assigned
    if node.supports is not None:
        out["supports"] = {"metric": node.supports.metric, "share": node.supports.share}
    return out


_SELLING_KEYS = ("quota", "per_person", "basis", "stretch", "ramp", "binding", "marginal")


def node_from_json(data: Mapping[str, Any]) -> Node:
    """Validate a plan.json node dict into its record.

    Raises :class:`pydantic.ValidationError` with the key path of every problem.
    """
    if data.get("kind") == "role" and any(k in data for k in _SELLING_KEYS):
        data = dict(data)
        data["selling"] = {k: data.pop(k) for k in _SELLING_KEYS if k in data}
    return _NODE_ADAPTER.validate_python(data)
