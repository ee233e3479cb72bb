"""The target file's schema: pydantic models whose field descriptions are the hints errors show
and the docs editors show (it is also the JSON Schema that `okrplan schema` prints)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
)

from okrplan.progress.config import ActualsSource, Tracking
from okrplan.spec.fields import (
    MAX_PLANNED,
    ONE,
    Amount,
    AnyTarget,
    Capacity,
    Count,
    Level,
    MetricKey,
    MonthField,
    Name,
    PeriodField,
    PerName,
    Points,
    Portion,
    Rate,
    Ratio,
    Spread,
    Yield,
)


class _Model(BaseModel):
    model_config = ConfigDict(
        defer_build=True,
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
        description="Share of the plan per quarter (4 values; fiscal quarters in a fiscal "
        "year) or per month (12 values), summing to 100%, e.g. [20%, 25%, 25%, 30%]; default even",
    )
    fiscal_year_start: Annotated[int, Strict(), Field(ge=1, le=12)] | None = Field(
        None,
        description="The month a fiscal year starts, e.g. 2: quarters are then fiscal quarters "
        "(FY2027-Q1 = 2026-02..04); a 12-month period {from: 2026-02, to: 2027-01} implies it",
    )
    calendar: Annotated[str, Field(min_length=2, max_length=3)] | None = Field(
        None,
        description="A country code (CN, US, DE, …) whose working days scale capacity: a week "
        "is five working days and a month an average month of working days, so 春节 and 国庆 "
        "months hold less; default: calendar days",
    )
    buffer: Portion = Field(
        Decimal(0),
        description="Over-assignment per level below the top, e.g. 10%: each level's "
        "children together carry their parent's target plus 10%",
    )
    hiring_budget: Amount | None = Field(
        None,
        description="The most all hires together may cost (the sum of their hire.cost, e.g. "
        "300万; without costs, the number of people): hires then minimise the total cost within "
        "it, and a budget too small makes the plan infeasible",
    )


class ShareTarget(_Model):
    """A market-share KPI: where it starts and where it should end."""

    start: Portion = Field(alias="from", description="The share today, e.g. 35%")
    change: Points | None = Field(None, description="The change in points, e.g. +5pp")
    to: Portion | None = Field(None, description="The share to reach, e.g. 40% (instead of change)")


TargetBasis = Literal["quotas", "capacity", "history", "headcount", "even", "potential"]


def _target_kind(value: Any) -> str:
    return "share" if isinstance(value, dict | ShareTarget) else "amount"


class Kpi(_Model):
    """A top-level target the plan decomposes: the KPI (the first, the primary), or a further
    target split over the same organisation (a second, third … item of ``kpi:``)."""

    metric: MetricKey = Field(description="The metric key of the KPI, e.g. revenue")
    target: Annotated[
        Annotated[Amount, Tag("amount")] | Annotated[ShareTarget, Tag("share")],
        Discriminator(_target_kind),
    ] = Field(
        description="The KPI's target: an amount (8000万), or for a share metric "
        "{from: 35%, change: +5pp}"
    )
    basis: TargetBasis | None = Field(
        None,
        description="A further target only: what it is split in proportion to, quotas (the "
        "primary target's quotas, the default), capacity, history, headcount, even or potential",
    )


def _kpi_kind(value: Any) -> str:
    return "kpi-list" if isinstance(value, list | tuple) else "kpi-one"


KpiField = Annotated[
    Annotated[Kpi, Tag("kpi-one")]
    | Annotated[tuple[Kpi, ...], Field(min_length=1), Tag("kpi-list")],
    Discriminator(_kpi_kind),
]
"""``kpi:`` as one mapping, or a list whose first item is the primary target."""


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
    left: MonthField | None = Field(
        None,
        description="The last month they work, if inside the plan; from the next month "
        "they carry no quota",
    )


class Hire(_Model):
    """May the optimizer add people to this role, and within what limits."""

    max: Count | None = Field(None, description="At most this many new people")
    by: MonthField | None = Field(None, description="New people are on board by this month")
    cost: Amount | None = Field(
        None,
        description="What one new person costs, e.g. 30万: hires then minimise the total cost "
        "(plan.hiring_budget caps it). Once one role that sells has a cost, every one that "
        "may hire needs one; without any, each hire counts 1 (the number of people)",
    )


class Attainment(_Model):
    """How much of its planned activity a person in the role really does (okrplan forecast)."""

    mean: Ratio = Field(description="The average share of the planned activity done, e.g. 95%")
    spread: Spread = Field(
        Decimal("0.1"), description="One standard deviation between people, e.g. 10pp"
    )


_SELLS = (
    "The metric through which the role produces the KPI: deals for direct sales, channels for "
    "channel managers"
)
_RAMP = (
    "Productivity of a new person in their 1st, 2nd, … quarter (or month, see ramp_per), e.g. "
    "[25%, 50%, 75%, 100%]; 0% is a training period without quota"
)
_RAMP_PER = "Whether ramp values are per quarter or per month of tenure"
_HIRE = (
    "true lets the optimizer add people to this role when capacity falls short; "
    "{max: 5, by: 2015-03, cost: 30万} limits and prices it"
)


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
        description=_SELLS,
    )
    capacity: dict[MetricKey, Capacity] = Field(
        default_factory=dict,
        description="What one person can do per period: {calls: 100/周, visits: 25/月}",
    )
    ramp: tuple[Portion, ...] | None = Field(
        None,
        description=_RAMP,
    )
    ramp_per: Literal["quarter", "month"] = Field("quarter", description=_RAMP_PER)
    hire: Annotated[bool, Strict()] | Hire = Field(
        False,
        description=_HIRE,
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
    attainment: Attainment | None = Field(
        None,
        description="For okrplan forecast: the share of the planned activity people really "
        "do, {mean: 95%, spread: 10pp}; default {mean: 100%, spread: 10pp}",
    )


class RoleTemplate(_Model):
    """A role defined once under roles: and used by name in units and roster rows."""

    sells: MetricKey | None = Field(None, description=_SELLS)
    capacity: dict[MetricKey, Capacity] = Field(
        default_factory=dict,
        description="What one person can do per period: {calls: 100/周, visits: 25/月}; a "
        "role entry's own capacity overrides it metric by metric",
    )
    ramp: tuple[Portion, ...] | None = Field(None, description=_RAMP)
    ramp_per: Literal["quarter", "month"] = Field("quarter", description=_RAMP_PER)
    hire: Annotated[bool, Strict()] | Hire = Field(False, description=_HIRE)


TEMPLATE_FIELDS = ("sells", "capacity", "ramp", "ramp_per", "hire")
"""The fields a role entry takes from the role catalogue when it does not set them itself."""


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
    roster: Name | None = Field(
        None,
        description="On org only: a roster table (people.xlsx or people.csv, beside the "
        "target file) with one row per person: name, unit path, role, and optionally joined, "
        "left, history, potential, quota and capacity.<metric>",
    )


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
    kpi: KpiField = Field(
        description="The KPI {metric: revenue, target: 8000万}, or a list of targets: the "
        "first is the primary (it drives capacity, the funnel and hires), each further one "
        "(collections 1.1亿, new customers 540) is split over the same organisation"
    )
    metrics: dict[MetricKey, Metric] = Field(min_length=1)
    roles: dict[Name, RoleTemplate] = Field(
        default_factory=dict,
        description="The role catalogue: each role's sells, capacity, ramp and hire rules, "
        "defined once and used by name in every unit (a unit's entry may override any field)",
    )
    org: Unit
    split: Split = Field(default_factory=Split)
    objectives: tuple[Objective, ...] = ()
    weights: Weights = Field(default_factory=Weights)
    actuals: tuple[ActualsSource, ...] = Field((), description="Raw CRM exports to check in")
    tracking: Tracking = Field(default_factory=Tracking, description="Pace thresholds")

    @property
    def targets(self) -> tuple[Kpi, ...]:
        """Every target as written: the primary first."""
        return self.kpi if isinstance(self.kpi, tuple) else (self.kpi,)

    @property
    def primary(self) -> Kpi:
        """The primary target (the KPI): the first of ``kpi:``."""
        return self.targets[0]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the target file, for editors and `okrplan schema`."""
    schema = TargetFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://okrplan.dev/schema/target-v1.json"
    return schema
