"""The target file: its schema, its loader, and every check a planner can act on.

The schema is pydantic models (shape, types and single values; it is also the JSON Schema that
`okrplan schema` prints). A second pass checks what spans the file: references between metrics,
units and roles, cycles in the funnel, seasonality sums. Both report every problem at once with
the file, line, column, key path and a hint. Downstream code gets a :class:`Spec` and never
re-checks it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
    Tag,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from okrplan.errors import InputError, Issue, Severity
from okrplan.periods import PERIOD_HINT, Month, PlanPeriod, parse_month, parse_period
from okrplan.progress.config import ActualsSource, Tracking
from okrplan.quantity import (
    Quantity,
    QuantityError,
    QuantityKind,
    format_percent,
    format_quantity,
    parse_quantity,
)
from okrplan.source import KeyPath, Source, format_path, load_yaml

SCHEMA_VERSION = 1
ONE = Decimal(1)

MAX_UNITS = 10_000
"""Most units in one target file (each gets objectives, a sheet and a place in the diagrams)."""
MAX_ROLE_GROUPS = 20_000
"""Most role entries (groups of one role in one unit) in one target file."""
MAX_PEOPLE = 1_000_000
"""Most people in one target file: every role's headcount (or named people) together."""
MAX_PLANNED = 10**18
"""The largest number a plan may hold: what plan.json stores (``okrplan.model.MAX_NUMBER``).
The validator refuses a file whose KPI, funnel or capacities would plan beyond it."""

# ---------------------------------------------------------------------------------------------
# Quantity field types: a planner writes text ("8000万", "25%", "100/周"); the model holds exact
# Decimals or Quantities. Each type names its own hint, which errors repeat.


def _quantity_error(message: str, hint: str) -> PydanticCustomError:
    return PydanticCustomError("quantity", message, {"hint": hint})


_ANY_QUANTITY_HINT = QuantityError("").hint


def _parse(value: Any, hint: str) -> Quantity:
    if isinstance(value, Quantity):
        return value
    if value is None:
        raise _quantity_error("the value is missing", hint)
    if isinstance(value, dict | list):
        raise _quantity_error(f"expected one value, got {_got(value)}", hint)
    try:
        return parse_quantity(value)
    except QuantityError as exc:
        # quantity's messages are sentences; issues read "path: what is wrong", lower case.
        message = str(exc).rstrip(".")
        if message[:1].isupper() and message[1:2].islower():
            message = message[0].lower() + message[1:]
        specific = exc.hint and exc.hint != _ANY_QUANTITY_HINT
        raise _quantity_error(message, exc.hint if specific else hint) from None


AMOUNT_HINT = "write an amount like 8000万, 1.2亿, 40万, 3000, 80M or 400k"
PERCENT_HINT = "write a percentage like 25%"
RATE_HINT = (
    "write a count per period like 100/周, 25/月, 2/季度, 100/week, or a plain count per plan"
)


def _amount(value: Any) -> Decimal:
    q = _parse(value, AMOUNT_HINT)
    if q.kind is not QuantityKind.NUMBER or q.per is not None:
        raise _quantity_error(f"expected an amount, got {value!r}", AMOUNT_HINT)
    if q.value < 0:
        raise _quantity_error(f"expected an amount of zero or more, got {value!r}", AMOUNT_HINT)
    return q.value


def _fraction(value: Any, *, low: Decimal, high: Decimal | None, low_open: bool) -> Decimal:
    q = _parse(value, PERCENT_HINT)
    if q.per is not None or q.kind is QuantityKind.POINTS:
        raise _quantity_error(f"expected a percentage, got {value!r}", PERCENT_HINT)
    if q.kind is QuantityKind.NUMBER and q.value > 1:
        raise _quantity_error(
            f"expected a percentage, got {value!r}", f"write {value}% if you mean percent"
        )
    too_low = q.value <= low if low_open else q.value < low
    if too_low or (high is not None and q.value > high):
        lowest = format_percent(low)
        highest = format_percent(high) if high is not None else ""
        if not too_low:
            message = f"{value!r} is more than {highest}"
        else:
            message = (
                f"{value!r} must be more than {lowest}"
                if low_open
                else (f"{value!r} is less than {lowest}")
            )
        allowed = (
            f"above {lowest} and up to {highest}"
            if low_open
            else f"from {lowest} to {highest}"
            if high is not None
            else f"of {lowest} or more"
        )
        raise _quantity_error(message, f"use a percentage {allowed}")
    return q.value


def _rate(value: Any) -> Decimal:
    """A conversion rate or share: more than 0%, at most 100%."""
    return _fraction(value, low=Decimal(0), high=ONE, low_open=True)


def _portion(value: Any) -> Decimal:
    """A portion that may be zero: 0% to 100%."""
    return _fraction(value, low=Decimal(0), high=ONE, low_open=False)


def _ratio(value: Any) -> Decimal:
    """A ratio that may exceed 100% (bounds such as max: 130%)."""
    return (
        _fraction(value, low=Decimal(0), high=None, low_open=False)
        if not (isinstance(value, str) and value.strip().endswith(("%", "％")))
        else _percent_any(value)
    )


def _percent_any(value: Any) -> Decimal:
    q = _parse(value, PERCENT_HINT)
    if q.kind is not QuantityKind.PERCENT or q.value < 0:
        raise _quantity_error(f"expected a percentage, got {value!r}", PERCENT_HINT)
    return q.value


def _points(value: Any) -> Decimal:
    q = _parse(value, "write a change in percentage points like +5pp or -3pp")
    if q.kind is not QuantityKind.POINTS:
        raise _quantity_error(
            f"expected a change in percentage points, got {value!r}",
            "write +5pp for five percentage points (5% would be ambiguous)",
        )
    return q.value


def _yield(value: Any) -> Decimal:
    """What one unit of a metric yields of the next: a rate (25%) or an amount (40万 each)."""
    q = _parse(value, "write a conversion rate like 25% or an amount per unit like 40万")
    if q.per is not None or q.kind is QuantityKind.POINTS:
        raise _quantity_error(
            f"expected a rate or an amount per unit, got {value!r}",
            "write a conversion rate like 25% or an amount per unit like 40万",
        )
    if q.kind is QuantityKind.PERCENT:
        return _rate(value)
    if q.value <= 0:
        raise _quantity_error(
            f"a yield must be more than zero, got {value!r}",
            "write a conversion rate like 25% or an amount per unit like 40万",
        )
    return q.value


def _capacity(value: Any) -> Quantity:
    q = _parse(value, RATE_HINT)
    if q.kind is not QuantityKind.NUMBER or q.value <= 0:
        raise _quantity_error(f"expected a positive count per period, got {value!r}", RATE_HINT)
    return q


def _any_target(value: Any) -> Quantity:
    return _parse(value, "write a number (10), a percentage (100%) or a count per period (2/月)")


def _month(value: Any) -> Month:
    try:
        return parse_month(value)
    except ValueError as exc:  # the text after "; " repeats the hint
        raise _quantity_error(
            str(exc).split("; ")[0], "write a month as YYYY-MM, e.g. 2015-03"
        ) from None


def _period(value: Any) -> PlanPeriod:
    try:
        return parse_period(value)
    except ValueError as exc:
        raise _quantity_error(str(exc).split("; ")[0], PERIOD_HINT) from None


def _text_of(value: Any) -> str:
    if isinstance(value, Quantity):
        return value.text or format_quantity(value)
    return str(value)


def _schema(description: str, *examples: Any, kind: str | list[str] = "string") -> WithJsonSchema:
    schema: dict[str, Any] = {"type": kind, "description": description}
    if examples:
        schema["examples"] = list(examples)
    return WithJsonSchema(schema)


_NUM_OR_STR = ["string", "number"]
_str = PlainSerializer(_text_of, return_type=str)
Amount = Annotated[
    Decimal,
    PlainValidator(_amount),
    _schema(AMOUNT_HINT, "8000万", "40万", "80M", kind=_NUM_OR_STR),
]
Rate = Annotated[
    Decimal,
    PlainValidator(_rate),
    _schema("A rate above 0% and at most 100%", "25%", "95%", kind=_NUM_OR_STR),
]
Portion = Annotated[
    Decimal,
    PlainValidator(_portion),
    _schema("A percentage from 0% to 100%", "10%", kind=_NUM_OR_STR),
]
Ratio = Annotated[
    Decimal,
    PlainValidator(_ratio),
    _schema("A percentage, may exceed 100%", "70%", "130%", kind=_NUM_OR_STR),
]
Points = Annotated[
    Decimal, PlainValidator(_points), _schema("A change in percentage points", "+5pp", "-3pp")
]
Yield = Annotated[
    Decimal,
    PlainValidator(_yield),
    _schema(
        "A conversion rate (25%) or an amount per unit (40万)", "25%", "40万", kind=_NUM_OR_STR
    ),
]
Capacity = Annotated[
    Quantity,
    PlainValidator(_capacity),
    _str,
    _schema(RATE_HINT, "100/周", "25/月", 60, kind=_NUM_OR_STR),
]
AnyTarget = Annotated[
    Quantity,
    PlainValidator(_any_target),
    _str,
    _schema(
        "A target: a number, a percentage or a count per period",
        "100%",
        2,
        "2/月",
        kind=_NUM_OR_STR,
    ),
]
MonthField = Annotated[Month, PlainValidator(_month), _str, _schema("A month, YYYY-MM", "2015-03")]
PeriodField = Annotated[
    PlanPeriod,
    PlainValidator(_period),
    PlainSerializer(lambda p: p.label, return_type=str),
    WithJsonSchema(
        {
            "description": PERIOD_HINT,
            "examples": [2015, "2015-Q3", "2015-03", {"from": "2015-01", "to": "2015-06"}],
            "anyOf": [
                {"type": "integer"},
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"from": {"type": "string"}, "to": {"type": "string"}},
                    "required": ["from", "to"],
                    "additionalProperties": False,
                },
            ],
        }
    ),
]
Count = Annotated[int, Strict(), Field(ge=0)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
MetricKey = Annotated[str, Field(min_length=1, max_length=100)]
Level = Literal["company", "unit", "role"]
PerName = Literal["plan", "quarter", "month", "week"]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
        populate_by_name=True,
    )


# ---------------------------------------------------------------------------------------------
# The schema. Field descriptions are the hints errors show and the docs editors show.


class Plan(_Model):
    """What the plan covers and how it is written."""

    name: Name = Field(description="The plan's title, e.g. A公司2015年度OKR")
    period: PeriodField
    locale: Literal["zh-CN", "en"] = Field(
        "zh-CN", description="Language of sheets and diagrams: zh-CN or en"
    )
    currency: str = Field("CNY", description="Currency code of money amounts, e.g. CNY")
    seasonality: tuple[Rate, ...] | None = Field(
        None,
        description="Share of the plan per quarter (4 values) or per month (12 values), "
        "summing to 100%, e.g. [20%, 25%, 25%, 30%]; default even",
    )
    buffer: Portion = Field(
        Decimal(0),
        description="Over-assignment per level below the top, e.g. 10%: each level's "
        "children together carry their parent's target plus 10%",
    )


class ShareTarget(_Model):
    """A market-share KPI: where it starts and where it should end."""

    start: Portion = Field(alias="from", description="The share today, e.g. 35%")
    change: Points | None = Field(None, description="The change in points, e.g. +5pp")
    to: Portion | None = Field(None, description="The share to reach, e.g. 40% (instead of change)")


def _target_kind(value: Any) -> str:
    return "share" if isinstance(value, dict | ShareTarget) else "amount"


class Kpi(_Model):
    """The one top-level KPI the plan decomposes."""

    metric: MetricKey = Field(description="The metric key of the KPI, e.g. revenue")
    target: Annotated[
        Annotated[Amount, Tag("amount")] | Annotated[ShareTarget, Tag("share")],
        Discriminator(_target_kind),
    ] = Field(
        description="The KPI's target: an amount (8000万), or for a share metric "
        "{from: 35%, change: +5pp}"
    )


class Metric(_Model):
    """A node of the driver tree: what is counted, and what it turns into."""

    name: Name = Field(description="What the metric is called on sheets, e.g. 客户拜访")
    kind: Literal["count", "money", "share"] = Field(
        "count", description="count (calls, deals), money (revenue) or share (market share)"
    )
    unit: str = Field("", description="The counting word shown after numbers, e.g. 家次 or 个")
    yields: dict[MetricKey, Yield] = Field(
        default_factory=dict,
        description="What one unit of this metric turns into: {visits: 20%} or {revenue: 40万}",
    )
    follows: dict[MetricKey, Rate] = Field(
        default_factory=dict, description="This metric is a fixed share of another: {revenue: 95%}"
    )
    share_of: dict[MetricKey, Amount] = Field(
        default_factory=dict,
        description="For a share metric, the metric over a market size: {revenue: 40亿}",
    )


class Person(_Model):
    """A named holder of a role."""

    name: Name = Field(description="The person's name")
    joined: MonthField | None = Field(
        None, description="The month they start, if inside the plan; their ramp counts from it"
    )


class Hire(_Model):
    """May the optimizer add people to this role, and within what limits."""

    max: Count | None = Field(None, description="At most this many new people")
    by: MonthField | None = Field(None, description="New people are on board by this month")


class Role(_Model):
    """A group of identical people in one unit."""

    role: Name = Field(description="The role's name, e.g. 销售岗")
    headcount: Count | None = Field(
        None,
        description="How many people hold the role (a whole number; defaults to the "
        "number of named people)",
    )
    sells: MetricKey | None = Field(
        None,
        description="The metric through which the role produces the KPI: deals for "
        "direct sales, channels for channel managers",
    )
    capacity: dict[MetricKey, Capacity] = Field(
        default_factory=dict,
        description="What one person can do per period: {calls: 100/周, visits: 25/月}",
    )
    ramp: tuple[Rate, ...] | None = Field(
        None,
        description="Productivity of a new person in their 1st, 2nd, … quarter (or month, "
        "see ramp_per), e.g. [25%, 50%, 75%, 100%]",
    )
    ramp_per: Literal["quarter", "month"] = Field(
        "quarter", description="Whether ramp values are per quarter or per month of tenure"
    )
    hire: Annotated[bool, Strict()] | Hire = Field(
        False,
        description="true lets the optimizer add people to this role when capacity falls "
        "short; {max: 5, by: 2015-03} limits it",
    )
    history: Amount | None = Field(
        None,
        description="Last period's result of the people in the role at the plan's start "
        "(basis: history); people who join during the plan get its average per person × "
        "their share of the year",
    )
    potential: Amount | None = Field(
        None, description="The group's territory potential (basis: potential)"
    )
    quota: Amount | None = Field(None, description="A fixed quota for the whole group")
    people: tuple[Name | Person, ...] = Field(
        (), description="Named people: [张三, {name: 李四, joined: 2015-04}]"
    )


class Support(_Model):
    """A unit that supplies part of a funnel metric the selling units need."""

    metric: MetricKey = Field(description="The metric supplied, e.g. opportunities")
    share: Rate = Field(description="The share of the sales units' need supplied, e.g. 40%")


class Unit(_Model):
    """A unit of the organisation: it contains units and roles."""

    name: Name = Field(description="The unit's name, e.g. 销售部")
    lead: str = Field("", description="The title or name of the unit's lead, e.g. 销售总监")
    units: tuple[Unit, ...] = Field((), description="Units inside this one")
    roles: tuple[Role, ...] = Field((), description="Roles in this unit")
    supports: Support | None = Field(
        None, description="Makes this a support unit: {metric: opportunities, share: 40%}"
    )
    quota: Amount | None = Field(None, description="A fixed quota for the whole unit")


class Bounds(_Model):
    """How far a leaf's quota may move from its proportional share of the basis."""

    min: Ratio = Field(Decimal(0), description="At least this share of proportional, e.g. 70%")
    max: Ratio | None = Field(None, description="At most this share of proportional, e.g. 130%")


class Rounding(_Model):
    """Steps that quotas are rounded to, totals preserved."""

    money: Amount = Field(Decimal(100_000), description="Money step, e.g. 10万")
    count: Amount = Field(ONE, description="Count step, e.g. 1")


class Split(_Model):
    """How the KPI is split over units and roles."""

    basis: Literal["capacity", "history", "headcount", "even", "potential"] = Field(
        "capacity",
        description="What quotas are proportional to: capacity, history, "
        "headcount, even or potential",
    )
    bounds: Bounds = Field(default_factory=Bounds)
    rounding: Rounding = Field(default_factory=Rounding)


class KeyResult(_Model):
    """A key result: derived from a metric, or manual text with a target, or a deduction."""

    metric: MetricKey | None = Field(
        None, description="A metric key; the plan fills in the target per unit and period"
    )
    text: str | None = Field(
        None, description="A manual key result's text, e.g. 每周五提交回款周报表"
    )
    target: AnyTarget | None = Field(
        None, description="A manual key result's target, e.g. 100% or 2/月"
    )
    per: PerName | None = Field(
        None, description="The period one headline target covers: plan, quarter, month or week"
    )
    weight: Portion | None = Field(None, description="A fixed weight on the sheet, e.g. 15%")
    deduction: Annotated[Decimal, Field(gt=0, le=MAX_PLANNED)] | None = Field(
        None, description="A 减分项: points subtracted per case, e.g. 5"
    )
    direction: Literal["increase", "decrease"] | None = Field(
        None, description="decrease for KRs where less is better (complaints, cost)"
    )
    due: MonthField | None = Field(None, description="Month by which a manual KR is done")


class Objective(_Model):
    """An objective template, instantiated at the levels it names."""

    title: Name = Field(description="The objective, e.g. 完成销售任务")
    detail: str = Field("", description="目标详细描述, e.g. 完成销售总额 万元")
    at: tuple[Level, ...] = Field(
        ("company", "unit", "role"),
        min_length=1,
        description="Levels that get this objective: company, unit, role",
    )
    units: tuple[Name, ...] = Field(
        (),
        min_length=1,  # as written; left out it is every unit
        description="Only these units and the roles directly in them (not sub-units)",
    )
    under: tuple[Name, ...] = Field(
        (), min_length=1, description="Only these units and everything below them (a whole subtree)"
    )
    roles: tuple[Name, ...] = Field((), min_length=1, description="Only these roles")
    key_results: tuple[KeyResult, ...] = Field(min_length=1, description="The key results")


class Weights(_Model):
    """How KR weights on each sheet are chosen."""

    rule: Literal["leverage", "equal", "given"] = Field(
        "leverage", description="leverage (by influence on the KPI), equal, or given (all fixed)"
    )
    step: Portion = Field(Decimal("0.05"), description="Weights are multiples of this, e.g. 5%")
    min: Portion = Field(Decimal("0.05"), description="No weight below this, e.g. 5%")


class TargetFile(_Model):
    """An okrplan target file."""

    model_config = ConfigDict(title="okrplan target file")

    okrplan: Literal[1] = Field(1, description="The target-file format version: 1")
    plan: Plan
    kpi: Kpi
    metrics: dict[MetricKey, Metric] = Field(min_length=1)
    org: Unit
    split: Split = Field(default_factory=Split)
    objectives: tuple[Objective, ...] = ()
    weights: Weights = Field(default_factory=Weights)
    actuals: tuple[ActualsSource, ...] = Field((), description="Raw CRM exports to check in")
    tracking: Tracking = Field(default_factory=Tracking, description="Pace thresholds")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the target file, for editors and `okrplan schema`."""
    schema = TargetFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://okrplan.dev/schema/target-v1.json"
    return schema


# ---------------------------------------------------------------------------------------------
# The validated spec and what later stages ask of it.


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A unit with its position in the tree and in the file."""

    unit: Unit
    names: tuple[str, ...]
    path: KeyPath


@dataclass(frozen=True, slots=True)
class RoleRef:
    """A role entry with its unit, its cohort number among same-named entries, and its place."""

    role: Role
    unit: UnitRef
    cohort: int
    path: KeyPath

    @property
    def headcount(self) -> int:
        return self.role.headcount if self.role.headcount is not None else len(self.role.people)

    @property
    def label(self) -> str:
        return self.role.role if self.cohort == 1 else f"{self.role.role} ({self.cohort})"


@dataclass(frozen=True)
class Spec:
    """A validated target file, and the facts about it that every later stage needs."""

    file: str
    target: TargetFile
    warnings: tuple[Issue, ...] = ()

    @property
    def period(self) -> PlanPeriod:
        return self.target.plan.period

    @cached_property
    def units(self) -> tuple[UnitRef, ...]:
        """Every unit, depth first, in file order."""
        return tuple(_walk_units(self.target.org, (self.target.org.name,), ("org",)))

    @cached_property
    def roles(self) -> tuple[RoleRef, ...]:
        refs: list[RoleRef] = []
        for unit in self.units:
            seen: dict[str, int] = {}
            for i, role in enumerate(unit.unit.roles):
                seen[role.role] = seen.get(role.role, 0) + 1
                refs.append(RoleRef(role, unit, seen[role.role], (*unit.path, "roles", i)))
        return tuple(refs)

    @property
    def base_metric(self) -> str:
        """The metric quotas are expressed in: the KPI, or what a share KPI is a share of."""
        kpi = self.target.kpi
        metric = self.target.metrics[kpi.metric]
        return next(iter(metric.share_of)) if metric.share_of else kpi.metric

    @cached_property
    def kpi_value(self) -> Decimal:
        """The KPI target in the base metric (a share target becomes revenue over the market)."""
        kpi = self.target.kpi
        if isinstance(kpi.target, Decimal):
            return kpi.target
        market = next(iter(self.target.metrics[kpi.metric].share_of.values()))
        return share_end(kpi.target) * market

    def chain(self, metric: str) -> tuple[str, ...]:
        """The funnel from ``metric`` along ``yields`` to where it ends.

        On a validated spec this ends at the base metric for every selling role.
        """
        steps = [metric]
        metrics = self.target.metrics
        while metrics[steps[-1]].yields and len(steps) <= len(metrics):
            steps.append(next(iter(metrics[steps[-1]].yields)))
        return tuple(steps)

    def funnel(self, sells: str) -> tuple[str, ...]:
        """Every metric whose chain passes through ``sells``, upstream first, then ``sells``'s
        chain to the base metric: calls → visits → opportunities → deals → revenue."""
        upstream: list[str] = []
        current = sells
        while True:
            feeders = sorted(k for k, m in self.target.metrics.items() if current in m.yields)
            if not feeders or feeders[0] in upstream or len(upstream) > len(self.target.metrics):
                break
            current = feeders[0]
            upstream.append(current)
        return (*reversed(upstream), *self.chain(sells))


def share_end(target: ShareTarget) -> Decimal:
    """The share a share KPI ends at."""
    if target.to is not None:
        return target.to
    return target.start + (target.change or Decimal(0))


def _walk_units(unit: Unit, names: tuple[str, ...], path: KeyPath) -> Iterator[UnitRef]:
    yield UnitRef(unit, names, path)
    for i, child in enumerate(unit.units):
        yield from _walk_units(child, (*names, child.name), (*path, "units", i))


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """Read, parse and check a target file.

    Raises
    ------
    InputError
        With every problem found, each with its file, line, column, key path and hint.
    """
    return spec_from_source(load_yaml(path))


def spec_from_source(source: Source) -> Spec:
    """Check parsed YAML against the schema and the cross-reference rules."""
    if not isinstance(source.data, dict):
        raise InputError(
            [
                source.issue(
                    (),
                    "the file must be a mapping of keys (plan:, kpi:, …)",
                    "start from `okrplan init target.yaml`",
                ),
                *source.warnings,
            ]
        )
    version = source.data.get("okrplan", SCHEMA_VERSION)
    if type(version) is not int or version != SCHEMA_VERSION:  # true and 1.0 equal 1 in Python
        raise InputError(
            [
                source.issue(
                    ("okrplan",),
                    f"this file is format {_written(version)}; this okrplan reads format "
                    f"{SCHEMA_VERSION}",
                    "set okrplan: 1, or upgrade okrplan",
                ),
                *source.warnings,
            ]
        )
    too_large = _size_issues(source)
    if too_large:
        raise InputError([*too_large, *source.warnings])
    try:
        target = TargetFile.model_validate(source.data)
    except ValidationError as exc:
        raise InputError([*_schema_issues(exc, source), *source.warnings]) from None
    spec = Spec(source.file, target, source.warnings)
    problems = check_spec(spec, source)
    if any(p.severity is Severity.ERROR for p in problems):
        raise InputError([*problems, *source.warnings])
    return Spec(source.file, target, (*source.warnings, *problems))


def _size_issues(source: Source) -> list[Issue]:
    """Refuse an organisation beyond :data:`MAX_UNITS`, :data:`MAX_ROLE_GROUPS` or
    :data:`MAX_PEOPLE` before anything is validated or built for it."""
    org = source.data.get("org")
    stack: list[Any] = [org] if isinstance(org, dict) else []
    units = groups = people = 0
    while stack:
        unit = stack.pop()
        units += 1
        below, roles = unit.get("units"), unit.get("roles")
        if isinstance(below, list):
            stack.extend(u for u in below if isinstance(u, dict))
        for role in roles if isinstance(roles, list) else ():
            if not isinstance(role, dict):
                continue
            groups += 1
            headcount, named = role.get("headcount"), role.get("people")
            people += max(
                headcount if type(headcount) is int else 0,
                len(named) if isinstance(named, list) else 0,
            )
    split = "split the organisation into several target files, e.g. one per division"
    return [
        source.issue(
            ("org",),
            f"the organisation has {count:,} {what}; okrplan plans at most {limit:,} in one file",
            f"check the headcounts, or {split}" if what == "people" else split,
        )
        for count, limit, what in (
            (units, MAX_UNITS, "units"),
            (groups, MAX_ROLE_GROUPS, "role groups"),
            (people, MAX_PEOPLE, "people"),
        )
        if count > limit
    ]


# ---------------------------------------------------------------------------------------------
# Schema errors, in a planner's words.

_TAGS = {
    "amount",
    "share",
    "str",
    "constrained-str",
    "Person",
    "bool",
    "Hire",
    "function-plain[_text_of()]",
}


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that holds the last key of ``loc``, following the schema."""
    import typing

    current: Any = TargetFile
    user_key = False  # the next part is a key the planner chose (metrics: {revenue: …})
    for part in loc:
        if isinstance(part, int) or user_key:
            user_key = False
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next((f for n, f in current.model_fields.items() if part in (n, f.alias)), None)
        if field is None:
            return None
        user_key = typing.get_origin(field.annotation) is dict
        current = _inner_model(field.annotation, typing)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any, typing: Any) -> Any:
    """The model inside tuple[Unit, ...], dict[str, Metric], Role | None and the like."""
    stack = [annotation]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
        stack.extend(a for a in typing.get_args(item) if a is not Ellipsis)
    return annotation


# How to write the fields whose schema description says what they are but not their shape.
_SHAPE_HINTS: dict[tuple[str, str], str] = {
    ("TargetFile", "plan"): "write plan: with at least name and period, e.g. "
    "plan: {name: A公司2015年度OKR, period: 2015}",
    ("TargetFile", "kpi"): "write kpi: {metric: revenue, target: 8000万}",
    ("TargetFile", "metrics"): "a mapping of metric keys, e.g. "
    "revenue: {name: 销售额, kind: money} and deals: {name: 成交项目, yields: {revenue: 40万}}",
    ("TargetFile", "org"): "write org: with a name and its units or roles, e.g. "
    "org: {name: A公司, units: [{name: 销售部, roles: [...]}]}",
    ("TargetFile", "objectives"): "a list: each objective starts with - title: …",
    ("TargetFile", "split"): "e.g. split: {basis: capacity, bounds: {min: 70%, max: 130%}}",
    ("TargetFile", "weights"): "e.g. weights: {rule: leverage, step: 5%, min: 5%}",
    ("Unit", "units"): "a list: each unit starts with - name: …",
    ("Unit", "roles"): "a list: each role starts with - role: …",
    ("Objective", "key_results"): "a list of key results: {metric: visits, per: month}, "
    "{text: 每周五提交回款周报表, target: 100%} or {text: 有效投诉案例, deduction: 5}",
}


# An empty list that would select nothing: what to write instead.
_EMPTY_HINTS: dict[str, str] = {
    "at": "name the levels, e.g. at: [unit, role], or leave at: out for all three",
    "units": "name the units, or leave units: out for every unit",
    "under": "name the units, or leave under: out for the whole organisation",
    "roles": "name the roles, e.g. roles: [销售岗], or leave roles: out for all",
}


def _field_hint(loc: tuple[str | int, ...]) -> str:
    parent = _model_at(loc[:-1]) if loc else None
    key = loc[-1] if loc else None
    if parent is not None and isinstance(key, str):
        if (parent.__name__, key) in _SHAPE_HINTS:
            return _SHAPE_HINTS[parent.__name__, key]
        for name, field in parent.model_fields.items():
            if key in (name, field.alias) and field.description:
                return field.description
    # an item of a list or a planner's key in a mapping: what the list or mapping holds
    return _field_hint(loc[:-1]) if len(loc) > 1 else ""


def _schema_issues(exc: ValidationError, source: Source) -> list[Issue]:
    errors = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p in _TAGS))
        errors.append((loc, len(loc) < len(error["loc"]), error))
    # A union branch that got further says what is wrong inside ({max: -1} for hire: true or
    # {max: 5}); the other branches' "expected true or false" at the same place is noise.
    inside = {loc[:n] for loc, _, _ in errors for n in range(len(loc))}
    issues: dict[str, tuple[KeyPath, str, str, bool]] = {}
    for loc, branch, error in errors:
        if branch and loc in inside:
            continue
        if error["type"] == "too_short" and loc in inside:
            continue  # pydantic counts only the valid items; the invalid one is reported
        message, hint, at_key = _describe(error, loc)
        path = format_path(loc)
        if path in issues:
            # the branches of a union (hire: true or {max: 5}) fail at one place: say it once
            first = issues[path][1]
            if first.startswith("expected ") and message.startswith("expected "):
                wanted, _, got = first.partition(", got ")
                other = message.partition(", got ")[0].removeprefix("expected ")
                issues[path] = (loc, f"{wanted}, or {other}, got {got}", hint, at_key)
            continue
        issues[path] = (loc, message, hint, at_key)
    return [
        source.issue(loc, message, hint, key=at_key)
        for loc, message, hint, at_key in issues.values()
    ]


def _describe(error: Any, loc: tuple[str | int, ...]) -> tuple[str, str, bool]:
    kind: str = error["type"]
    value = error.get("input")
    key = loc[-1] if loc else ""
    hint = _field_hint(loc)
    if kind == "quantity":
        return error["msg"], error.get("ctx", {}).get("hint", hint), False
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        names = sorted({f.alias or n for n, f in parent.model_fields.items()}) if parent else []
        close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
        suggestion = f"did you mean {close[0]!r}? " if close else ""
        return (f"unknown key {key!r}", f"{suggestion}allowed here: {', '.join(names)}", True)
    if kind == "missing":
        return f"the key {key!r} is missing", hint, True
    if kind in {"int_type", "int_from_float", "int_parsing"}:
        if isinstance(value, float | Decimal) or (isinstance(value, str) and "." in value):
            return f"expected a whole number, got {value!r}", hint, False
        return f"expected a whole number, got {_got(value)}", hint, False
    if kind == "greater_than_equal":
        return f"must be {error['ctx']['ge']} or more, got {value!r}", hint, False
    if kind == "less_than_equal":
        limit = error["ctx"]["le"]
        shown = "10^18" if limit == MAX_PLANNED else str(limit)
        return f"must be at most {shown}, got {value!r}", hint, False
    if kind == "greater_than":
        return f"must be more than {error['ctx']['gt']}, got {value!r}", hint, False
    if kind == "literal_error":
        return f"{value!r} is not one of {error['ctx']['expected']}", hint, False
    if kind in {"string_type", "string_too_short", "string_too_long"}:
        if kind == "string_too_short":
            return "must not be empty", hint, False
        if kind == "string_too_long":
            return f"is longer than {error['ctx']['max_length']} characters", hint, False
        return f"expected text, got {_got(value)}", hint, False
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"expected a mapping of keys, got {_got(value)}", hint, False
    if kind in {"tuple_type", "list_type"}:
        return f"expected a list, got {_got(value)}", hint, False
    if kind == "too_short":
        parent = _model_at(loc[:-1])
        if parent is Objective and key in _EMPTY_HINTS:
            hint = _EMPTY_HINTS[str(key)]
        return "must not be empty", hint, False
    if kind in {"bool_type", "bool_parsing"}:
        return f"expected true or false, got {_got(value)}", hint, False
    if kind == "union_tag_invalid":
        return f"unexpected value {_short(value)}", hint, False
    if kind in {"decimal_type", "decimal_parsing"}:
        return f"expected a number, got {value!r}", hint, False
    return error["msg"], hint, False


def _got(value: Any) -> str:
    """What a planner wrote, for "expected …, got …": text '10', a list ['a'], nothing."""
    return f"{_type_name(value)} {_short(value)}".strip()


def _written(value: Any) -> str:
    """A scalar as YAML writes it: ``true``, ``1.0``, ``'2'``.

    >>> _written(True), _written(1.0), _written("2")
    ('true', '1.0', "'2'")
    """
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value)


def _suggest(name: str, names: set[str], what: str) -> str:
    """A did-you-mean hint, or the names there are (the first few of a large organisation)."""
    close = difflib.get_close_matches(name, sorted(names), n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    shown = sorted(names)[:10]
    return f"{what} in the file: {', '.join(shown)}" + (", …" if len(names) > 10 else "")


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        int: "a number",
        float: "a number",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    """A value as a planner wrote it, briefly (the type name comes before it)."""
    if value is None or isinstance(value, bool):
        return ""
    text = f"with the keys {', '.join(map(str, value))}" if isinstance(value, dict) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------------------------------------
# Checks across the file.


def check_spec(spec: Spec, source: Source) -> list[Issue]:
    """Every cross-reference and consistency problem of a schema-valid target file."""
    checker = _Checker(spec, source)
    checker.run()
    return checker.issues


class _Checker:
    def __init__(self, spec: Spec, source: Source) -> None:
        self.spec = spec
        self.target = spec.target
        self.source = source
        self.issues: list[Issue] = []
        self.metric_keys = sorted(self.target.metrics)

    def error(self, path: KeyPath, message: str, hint: str = "", *, key: bool = False) -> None:
        self.issues.append(self.source.issue(path, message, hint, key=key))

    def warn(self, path: KeyPath, message: str, hint: str = "") -> None:
        self.issues.append(self.source.issue(path, message, hint, severity=Severity.WARNING))

    def known_metric(self, path: KeyPath, key: str, *, at_key: bool = False) -> bool:
        if key in self.target.metrics:
            return True
        close = difflib.get_close_matches(key, self.metric_keys, n=1, cutoff=0.6)
        hint = (f"did you mean {close[0]!r}? " if close else "") + (
            f"metrics defined: {', '.join(self.metric_keys)}"
        )
        self.error(path, f"no metric {key!r} is defined under metrics", hint, key=at_key)
        return False

    def run(self) -> None:
        self.check_plan()
        metrics_ok = self.check_metrics()
        self.check_kpi(metrics_ok)
        self.check_org(metrics_ok)
        if not self.issues:  # the funnel and the roles are sound: size what the plan will hold
            self.check_magnitudes()
        self.check_split()
        self.check_objectives()
        self.check_weights()

    def check_plan(self) -> None:
        plan = self.target.plan
        season = plan.seasonality
        if season is None:
            return
        period = plan.period
        quarters, months = len(period.quarters), period.count
        allowed = sorted(
            {quarters, months} if period.first.month % 3 == 1 or months == 1 else {months}
        )
        if len(season) not in allowed:
            shown = " or ".join(str(n) for n in allowed)
            self.error(
                ("plan", "seasonality"),
                f"{len(season)} values do not fit the plan period {period.label}",
                f"give {shown} values, one per quarter or month of the period",
            )
        elif sum(season) != 1:
            self.error(
                ("plan", "seasonality"),
                f"the values sum to {format_percent(Decimal(sum(season)))}, not 100%",
                "make the shares add up to exactly 100%",
            )

    def check_metrics(self) -> bool:
        ok = True
        for key, metric in self.target.metrics.items():
            for field in ("yields", "follows", "share_of"):
                refs: dict[str, Any] = getattr(metric, field)
                if field == "yields" and len(refs) > 1:
                    self.error(
                        ("metrics", key, field),
                        "a metric yields exactly one other metric",
                        "keep the main conversion; model a second path as its own metric",
                    )
                    ok = False
                for ref in refs:
                    if not self.known_metric(("metrics", key, field, ref), ref, at_key=True):
                        ok = False
                    elif ref == key:
                        self.error(
                            ("metrics", key, field, ref),
                            f"{key!r} refers to itself",
                            "a metric yields or follows another metric",
                            key=True,
                        )
                        ok = False
            if sum(bool(getattr(metric, f)) for f in ("yields", "follows", "share_of")) > 1:
                self.error(
                    ("metrics", key),
                    "a metric either yields, follows or is a share of "
                    "another, not several of these",
                    "keep one of yields, follows and "
                    "share_of; model the other relation as its own metric",
                )
                ok = False
            if metric.share_of and metric.kind != "share":
                self.error(
                    ("metrics", key, "kind"),
                    "a metric with share_of must have kind: share",
                    "set kind: share",
                    key=True,
                )
            for base, market in metric.share_of.items():
                if market <= 0:
                    self.error(
                        ("metrics", key, "share_of", base),
                        "the market size must be above 0 (a share of nothing plans nothing)",
                        "write the market's size, e.g. share_of: {revenue: 40亿}",
                    )
                    ok = False
            if metric.kind == "share" and not metric.share_of:
                self.error(
                    ("metrics", key),
                    f"the share metric {key!r} has no market size",
                    "add share_of: {revenue: 40亿} (revenue over the market size)",
                )
                ok = False
        return ok and self.check_cycles()

    def check_cycles(self) -> bool:
        import networkx as nx

        graph = nx.DiGraph()
        for key, metric in self.target.metrics.items():
            for ref in (*metric.yields, *metric.follows, *metric.share_of):
                if ref != key:  # reported as "refers to itself"
                    graph.add_edge(key, ref)
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            return True
        names = [str(edge[0]) for edge in cycle]
        # Point at the link out of the KPI's metric if it is in the cycle: results yield nothing.
        start = names.index(
            self.target.kpi.metric if self.target.kpi.metric in names else min(names)
        )
        names = names[start:] + names[:start]
        first, then = names[0], names[1 % len(names)]
        metric = self.target.metrics[first]
        field = next(f for f in ("yields", "follows", "share_of") if then in getattr(metric, f))
        self.error(
            ("metrics", first, field, then),
            "the metrics form a cycle: " + " → ".join([*names, first]),
            "a funnel runs one way: activities yield results, results never yield activities",
            key=True,
        )
        return False

    def check_kpi(self, metrics_ok: bool) -> None:
        kpi = self.target.kpi
        if not self.known_metric(("kpi", "metric"), kpi.metric):
            return
        metric = self.target.metrics[kpi.metric]
        base = self.target.metrics.get(self.spec.base_metric)
        if metrics_ok and base is not None and base.yields:  # a cycle is reported already
            after = next(iter(base.yields))
            self.error(
                ("kpi", "metric"),
                f"the funnel must end at the KPI's metric "
                f"{self.spec.base_metric!r}, but it yields {after!r}",
                f"remove yields from metrics.{self.spec.base_metric}, or make {after} the KPI",
            )
        if isinstance(kpi.target, ShareTarget):
            if metric.kind != "share":  # a share metric without share_of is reported once, above
                self.error(
                    ("kpi", "target"),
                    f"a share target needs a share metric, and "
                    f"{kpi.metric!r} is a {metric.kind} metric",
                    "write an amount like 8000万, or point kpi.metric at a metric with "
                    "kind: share and share_of: {revenue: 40亿}",
                )
            if (kpi.target.change is None) == (kpi.target.to is None):
                self.error(
                    ("kpi", "target"),
                    "give exactly one of change and to",
                    "e.g. {from: 35%, change: +5pp} or {from: 35%, to: 40%}",
                )
            elif not 0 < share_end(kpi.target) <= 1:
                self.error(
                    ("kpi", "target"),
                    "the target share falls outside (0%, 100%]",
                    "a share ends above 0% and at most 100%: check from, change and to",
                )
            elif share_end(kpi.target) <= kpi.target.start:
                self.warn(("kpi", "target"), "the target share is not above today's share")
        elif metric.kind == "share":
            self.error(
                ("kpi", "target"),
                f"{kpi.metric!r} is a share; its target needs a start and a change",
                "write target: {from: 35%, change: +5pp}",
            )
        elif kpi.target <= 0:
            self.error(
                ("kpi", "target"),
                "the KPI target must be more than zero",
                "write the amount to reach, e.g. 8000万",
            )

    def check_org(self, metrics_ok: bool) -> None:
        spec = self.spec
        for unit in spec.units:
            names: dict[str, int] = {}
            for i, child in enumerate(unit.unit.units):
                if child.name in names:
                    self.error(
                        (*unit.path, "units", i, "name"),
                        f"two units in {unit.unit.name} are named {child.name!r} "
                        f"(the other is units[{names[child.name]}])",
                        "give sibling units different names",
                    )
                names.setdefault(child.name, i)
            if unit.unit.supports:
                self.check_support(unit)
        kpi_ok = self.target.kpi.metric in self.target.metrics
        base = self.target.metrics.get(spec.base_metric) if kpi_ok else None
        chains_ok = metrics_ok and base is not None and not base.yields  # else reported at kpi
        sellers = 0
        for ref in spec.roles:
            sellers += self.check_role(ref, chains_ok)
        if sellers == 0 and kpi_ok:
            self.error(
                ("org",),
                "no role sells anything, so nobody carries the KPI",
                "add sells: deals (or the metric they produce) to the sales roles",
            )
        self.check_cohorts()

    def check_support(self, unit: UnitRef) -> None:
        support = unit.unit.supports
        assert support is not None
        self.known_metric((*unit.path, "supports", "metric"), support.metric)
        if (
            unit.unit.roles
            and not any(r.sells for r in unit.unit.roles)
            and not any(support.metric in r.capacity for r in unit.unit.roles)
        ):
            self.warn(
                (*unit.path, "supports"),
                f"no role in {unit.unit.name} has a capacity for {support.metric}",
                "add capacity so the plan can check the supply",
            )

    def check_role(self, ref: RoleRef, chains_ok: bool) -> int:
        role, path = ref.role, ref.path
        if role.headcount is None and not role.people:
            self.error(
                (*path, "headcount"),
                f"{role.role} in {ref.unit.unit.name} has no headcount",
                "add headcount: N, or list the people",
                key=True,
            )
        elif role.headcount is not None and role.people and role.headcount != len(role.people):
            named = "1 person is" if len(role.people) == 1 else f"{len(role.people)} people are"
            self.error(
                (*path, "headcount"),
                f"headcount is {role.headcount} but {named} named",
                "make them agree, or drop headcount",
            )
        elif ref.headcount == 0 and not role.hire:
            self.warn(
                (*path, "headcount"),
                f"{role.role} has nobody and may not hire",
                "set hire: true or remove the role",
            )
        seen_people: set[str] = set()
        for i, person in enumerate(role.people):
            name = person if isinstance(person, str) else person.name
            if name in seen_people:
                self.error(
                    (*path, "people", i),
                    f"{name!r} is named twice in this role",
                    "list each person once; tell namesakes apart, e.g. 张三(北京)",
                )
            seen_people.add(name)
            joined = person.joined if isinstance(person, Person) else None
            if joined is not None and joined > self.spec.period.last:
                self.error(
                    (*path, "people", i, "joined"),
                    f"{name} joins after the plan ends",
                    f"the plan ends in {self.spec.period.last}; leave this person out",
                )
        if (
            isinstance(role.hire, Hire)
            and role.hire.by
            and not (self.spec.period.first <= role.hire.by <= self.spec.period.last)
        ):
            self.error(
                (*path, "hire", "by"),
                f"{role.hire.by} is outside the plan period {self.spec.period.label}",
                f"use a month from {self.spec.period.first} to {self.spec.period.last}",
            )
        for key in role.capacity:
            self.known_metric((*path, "capacity", key), key, at_key=True)
        support = ref.unit.unit.supports
        if support is not None and role.sells is None:
            for key in role.capacity:
                if key != support.metric:
                    self.error(
                        (*path, "capacity", key),
                        f"{ref.unit.unit.name} supplies "
                        f"{support.metric}; a capacity for {key!r} is never checked",
                        f"give {role.role} a capacity for {support.metric}",
                        key=True,
                    )
            if role.quota is not None:
                self.error(
                    (*path, "quota"),
                    "a support role carries no revenue quota",
                    "remove quota; the plan sets what the support unit supplies",
                    key=True,
                )
            return 0
        if role.sells is None:
            if role.capacity or role.quota is not None:
                self.error(
                    (*path, "sells"),
                    f"{role.role} has a capacity or quota but sells nothing",
                    "add sells: deals (or the metric the role produces)",
                    key=True,
                )
            return 0
        if not self.known_metric((*path, "sells"), role.sells) or not chains_ok:
            return 1
        funnel = self.spec.funnel(role.sells)
        base = self.spec.base_metric
        if funnel[-1] != base:
            chain = self.spec.chain(role.sells)
            self.error(
                (*path, "sells"),
                f"{role.sells!r} never reaches the KPI metric {base!r}: "
                + (
                    f"the chain {' → '.join(chain)} stops there"
                    if len(chain) > 1
                    else f"{role.sells!r} yields nothing"
                ),
                f"add yields to metrics.{chain[-1]} so the chain ends in {base}",
            )
            return 1
        for key in role.capacity:
            if key in self.target.metrics and key not in funnel:
                self.error(
                    (*path, "capacity", key),
                    f"{key!r} is not in {role.role}'s funnel ({' → '.join(funnel)})",
                    "capacity limits an activity of the role's own funnel",
                    key=True,
                )
        return 1

    def check_magnitudes(self) -> None:
        """Refuse a file whose plan would hold numbers beyond :data:`MAX_PLANNED`: the KPI
        carried down every level with its buffer, each funnel activity it needs, and what the
        selling roles' capacity can carry. plan.json could not hold them, so every command
        after decompose would refuse the plan."""
        spec = self.spec
        levels = max(len(u.names) for u in spec.units)  # units below the top, then the roles
        top = spec.kpi_value * (1 + self.target.plan.buffer) ** levels
        limit = Decimal(MAX_PLANNED)
        if top > limit:
            self.error(
                ("kpi", "target"),
                f"the KPI with a buffer of {format_percent(self.target.plan.buffer)} on each of "
                f"{levels} levels reaches {top:.3g}, beyond what a plan holds (10^18)",
                "check the target's digits and unit (万, 亿), and plan.buffer",
            )
            return
        needed: set[str] = set()
        total = Decimal(0)
        for ref in spec.roles:
            if ref.role.sells is None or ref.unit.unit.supports is not None:
                continue
            for metric in spec.funnel(ref.role.sells):
                factor = self.factor(metric)
                if metric not in needed and top / factor > limit:
                    needed.add(metric)
                    self.error(
                        ("metrics", metric),
                        f"the KPI needs about {top / factor:.3g} of {metric}, beyond what a "
                        "plan holds (10^18)",
                        f"check the yields from {metric} to {spec.base_metric}: a rate or "
                        "amount with too many digits, or a missing 万 or %",
                    )
            basis = self.capacity_basis(ref)
            total += basis
            if basis > limit:
                self.error(
                    (*ref.path, "capacity"),
                    f"{ref.label}'s capacity would carry about {basis:.3g} of "
                    f"{spec.base_metric}, beyond what a plan holds (10^18)",
                    "check the capacity, the headcount and the yields of the funnel "
                    f"from {ref.role.sells} to {spec.base_metric}",
                    key=True,
                )
        if total > limit and not any(i.severity is Severity.ERROR for i in self.issues):
            self.error(
                ("org",),
                f"the selling roles' capacity together would carry about {total:.3g} of "
                f"{spec.base_metric}, beyond what a plan holds (10^18)",
                "check the capacities, headcounts and yields",
            )

    def factor(self, metric: str) -> Decimal:
        """Units of the base metric that one unit of ``metric`` turns into."""
        factor = ONE
        chain = self.spec.chain(metric)
        for here, there in pairwise(chain):
            factor *= self.target.metrics[here].yields[there]
        return factor

    def capacity_basis(self, ref: RoleRef) -> Decimal:
        """An upper bound of what ``ref``'s people can carry over the plan: the least of their
        capacities over the whole plan, each turned into the base metric (a capacity checked
        per week or month never lets a person carry more than over the plan at once)."""
        months = self.spec.period.count
        per_plan = {"week": Decimal(months * 31) / 7, "month": Decimal(months)}
        per_plan |= {"quarter": Decimal(months) / 3, "year": Decimal(months) / 12}
        funnel = self.spec.funnel(ref.role.sells or "")
        carried = [
            q.value * per_plan.get(str(q.per), ONE) * self.factor(metric)
            for metric, q in ref.role.capacity.items()
            if metric in funnel
        ]
        return min(carried, default=Decimal(0)) * max(ref.headcount, 1)

    def check_cohorts(self) -> None:
        firsts: dict[tuple[KeyPath, str], RoleRef] = {}  # the first entry of each role name
        for ref in self.spec.roles:
            firsts.setdefault((ref.unit.path, ref.role.role), ref)
        for ref in self.spec.roles:
            if ref.cohort == 1:
                continue
            first = firsts[ref.unit.path, ref.role.role]
            if first.role.sells != ref.role.sells:
                self.error(
                    (*ref.path, "role"),
                    f"two groups named {ref.role.role!r} in "
                    f"{ref.unit.unit.name} sell different metrics",
                    "give them different role names",
                )

    def check_split(self) -> None:
        split = self.target.split
        bounds = split.bounds
        if bounds.min > 1:
            self.error(
                ("split", "bounds", "min"),
                "min must be at most 100%",
                "e.g. min: 70% lets a quota drop to 70% of its proportional share",
            )
        if bounds.max is not None and bounds.max < 1:
            self.error(
                ("split", "bounds", "max"),
                "max must be at least 100%",
                "e.g. max: 130% lets a quota rise to 130% of its proportional share",
            )
        for key in ("money", "count"):
            if getattr(split.rounding, key) <= 0:
                self.error(
                    ("split", "rounding", key),
                    "the rounding step must be more than zero",
                    "e.g. rounding: {money: 10万, count: 1}",
                )
        basis = split.basis
        if basis in {"history", "potential"}:
            for ref in self.spec.roles:
                if ref.role.sells and getattr(ref.role, basis) is None:
                    self.error(
                        (*ref.path,),
                        f"split.basis is {basis}, but {ref.label} in "
                        f"{ref.unit.unit.name} has no {basis}",
                        f"add {basis}: <last period's amount> to every selling role",
                    )

    def check_objectives(self) -> None:
        unit_names = {u.unit.name for u in self.spec.units}
        role_names = {r.role.role for r in self.spec.roles}
        for i, objective in enumerate(self.target.objectives):
            path: KeyPath = ("objectives", i)
            counts: dict[str, int] = {}
            for unit in self.spec.units:
                counts[unit.unit.name] = counts.get(unit.unit.name, 0) + 1
            for key in ("units", "under"):
                for j, name in enumerate(getattr(objective, key)):
                    if counts.get(name, 0) > 1:
                        self.warn(
                            (*path, key, j),
                            f"{counts[name]} units are named {name!r}; "
                            "the objective applies to all of them",
                            "rename the units if you meant one of them",
                        )
                    if name not in unit_names:
                        self.error(
                            (*path, key, j),
                            f"no unit named {name!r} under org",
                            _suggest(name, unit_names, "units"),
                        )
            for j, name in enumerate(objective.roles):
                if name not in role_names:
                    self.error(
                        (*path, "roles", j),
                        f"no role named {name!r} under org",
                        _suggest(name, role_names, "roles"),
                    )
            for j, kr in enumerate(objective.key_results):
                self.check_key_result((*path, "key_results", j), kr)

    def check_key_result(self, path: KeyPath, kr: KeyResult) -> None:
        if (kr.metric is None) == (kr.text is None):
            self.error(
                path,
                "a key result has metric (derived) or text (manual), not both"
                if kr.metric
                else "a key result needs metric (derived) or text (manual)",
                "e.g. {metric: visits, per: month} or {text: 每周五提交回款周报表, target: 100%}",
            )
            return
        if kr.metric is not None:
            self.known_metric((*path, "metric"), kr.metric)
            if kr.target is not None:
                self.error(
                    (*path, "target"),
                    "a derived key result takes its target from the plan",
                    "remove target, or write a manual KR with text:",
                    key=True,
                )
            if kr.deduction is not None:
                self.error(
                    (*path, "deduction"),
                    "a deduction item is a manual KR with text",
                    "write {text: 有效投诉案例, deduction: 5}",
                    key=True,
                )
        if kr.deduction is not None and (kr.target is not None or kr.weight is not None):
            self.error(
                path,
                "a deduction item has no target or weight; it subtracts "
                f"{kr.deduction} points per case",
                "remove target and weight",
            )
        if (
            kr.per not in (None, "plan")
            and kr.target is not None
            and kr.target.per is not None
            and str(kr.target.per) != kr.per
        ):
            self.error(
                (*path, "per"),
                f"per: {kr.per} disagrees with the target's own period ({kr.target.per})",
                f"write the target per {kr.per}, or drop per",
            )
        period = self.spec.period
        if kr.due is not None and not period.first <= kr.due <= period.last:
            self.error(
                (*path, "due"),
                f"{kr.due} is outside the plan period {period.label}",
                f"use a month from {period.first} to {period.last}",
            )

    def check_weights(self) -> None:
        weights = self.target.weights
        step = format_percent(weights.step)
        percents = weights.step * 100  # weights are whole percents
        if percents <= 0 or percents % 1 or 100 % percents:
            self.error(
                ("weights", "step"),
                f"the step {step} is not a whole percent that divides 100% evenly",
                "use 1%, 2%, 5% or 10%",
            )
            return  # every weight would be off the step; the step is what to fix
        if weights.min % weights.step:
            self.error(
                ("weights", "min"),
                f"the minimum {format_percent(weights.min)} is not a multiple of the step {step}",
                f"use a multiple of {step}",
            )
        for i, objective in enumerate(self.target.objectives):
            for j, kr in enumerate(objective.key_results):
                if kr.weight is not None and kr.weight % weights.step:
                    self.error(
                        ("objectives", i, "key_results", j, "weight"),
                        f"{format_percent(kr.weight)} is not a multiple of the weight step {step}",
                        "change the weight or weights.step",
                    )
