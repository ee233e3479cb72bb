"""下一步准备如何去做: what each KR now needs per remaining period to finish on target.

What is left of a KR's target (its total less what was reported to date) is spread over the
remaining periods in proportion to the plan's own targets for them — the plan's seasonality,
ramp and calendar, not a straight line. A role group's need is also given per person and checked
against one person's capacity in that period (ramp included); where it exceeds it, the period is
flagged, and the group's shortfall in people is the most the remaining periods need beyond its
headcount.
"""

from __future__ import annotations

import calendar as cal
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol

from okrplan import queries
from okrplan.graph import node
from okrplan.model import KeyResult, KRKind, Per, RoleGroup, Unit
from okrplan.quantity import Per as RatePer
from okrplan.quantity import QuantityError, parse_quantity
from okrplan.review.periods import PlanCalendar, Span, exact, months_of, planned, span

if TYPE_CHECKING:
    from okrplan.plan import Plan


class Reported(Protocol):
    def within(self, kr: str, part: Span) -> Fraction | None: ...


@dataclass(frozen=True, slots=True)
class Need:
    """One remaining period (or the rest of the current one) of a KR."""

    label: str
    partial: bool  # only the days after the review period
    planned: Fraction  # the plan's original target for it (whole owner)
    need: Fraction  # what it must now deliver (whole owner)
    per_person: Fraction | None  # for role groups
    capacity: Fraction | None  # one person's capacity in it, ramp included
    over: bool


@dataclass(frozen=True, slots=True)
class NextKr:
    """A KR of the unit (or of a role group in it) and its remaining periods."""

    owner_id: str
    owner: str
    kr: str
    name: str
    metric: str
    unit: str
    money: bool
    headcount: int  # 0 for a unit's KR
    total: Fraction
    done: Fraction
    needs: tuple[Need, ...]
    people_short: int

    @property
    def remaining(self) -> Fraction:
        return self.total - self.done


def next_steps(
    plan: Plan,
    unit_id: str,
    groups: Sequence[RoleGroup],
    actuals: Reported,
    calendar: PlanCalendar,
    days: Span,
) -> tuple[NextKr, ...]:
    """The remaining periods of the unit's derived KRs and of every role group in ``groups``
    (per person for those).

    A unit's KR with no check-ins of its own takes its actuals from the KRs aligned to it.
    """
    graph = plan.graph
    base = queries.unit(graph, unit_id).path
    out = []
    for owner, headcount in [(unit_id, 0), *((g.id, g.headcount) for g in groups)]:
        for _, krs in queries.sheet(graph, owner):
            for kr in krs:
                if kr.kr_kind is KRKind.DERIVED and kr.metric and kr.periods:
                    out.append(_next_kr(plan, kr, headcount, actuals, calendar, days, base))
    return tuple(out)


def owner_label(plan: Plan, owner: str, base: Sequence[str]) -> str:
    """An owner's name as seen from the reviewed unit (path ``base``): its path below it, and
    a role group's label (``直销组/销售代表``); the unit itself by its name."""
    record = node(plan.graph, owner)
    if not isinstance(record, RoleGroup | Unit):
        return owner
    path = list(record.path)
    rest = path[len(base) :] if path[: len(base)] == list(base) else path
    if isinstance(record, RoleGroup):
        rest.append(record.label)
    return "/".join(rest) or record.name


def done_to_date(plan: Plan, kr: KeyResult, actuals: Reported, to_date: Span) -> Fraction | None:
    """What was reported for a KR to date: its own check-ins, else those of the KRs aligned to
    it, added up (a role group's people already added up)."""
    own = actuals.within(kr.id, to_date)
    if own is not None:
        return own
    parts = [
        done_to_date(plan, queries.key_result(plan.graph, k), actuals, to_date)
        for k in queries.aligned_children(plan.graph, kr.id)
    ]
    found = [p for p in parts if p is not None]
    return sum(found, Fraction(0)) if found else None


def _next_kr(
    plan: Plan,
    kr: KeyResult,
    headcount: int,
    actuals: Reported,
    calendar: PlanCalendar,
    days: Span,
    base: Sequence[str],
) -> NextKr:
    scale = headcount or 1
    total = sum((exact(v) for v in kr.periods.values()), Fraction(0)) * scale
    done = done_to_date(plan, kr, actuals, Span(calendar.span.first, days.last)) or Fraction(0)
    rest: list[tuple[str, bool, Span, Fraction]] = []
    after = days.last + timedelta(days=1)
    # Weekly KRs are shown by month: half a year of weeks is too long a list to act on.
    labels = calendar.months if kr.per is Per.WEEK else tuple(kr.periods)
    for label in labels:
        whole = calendar.kr_span(label).overlap(calendar.span)
        if whole.last < after:
            continue
        part = Span(max(whole.first, after), whole.last)
        rest.append((label, part != whole, part, planned(kr, part, calendar) * scale))
    weights = sum((p for *_, p in rest), Fraction(0))
    remaining = max(total - done, Fraction(0))
    group = node(plan.graph, kr.owner) if headcount else None
    needs = []
    short = 0
    for label, partial, part, plan_part in rest:
        share = plan_part / weights if weights else Fraction(1, len(rest))
        need = remaining * share
        per_person = need / headcount if headcount else None
        capacity = (
            capacity_in(group, str(kr.metric), part, calendar)
            if isinstance(group, RoleGroup)
            else None
        )
        over = per_person is not None and capacity is not None and per_person > capacity
        if over and capacity:
            short = max(short, math.ceil(need / capacity) - headcount)
        needs.append(Need(label, partial, plan_part, need, per_person, capacity, over))
    return NextKr(
        kr.owner,
        owner_label(plan, kr.owner, base),
        kr.id,
        kr.name,
        str(kr.metric),
        kr.unit or "",
        bool(kr.money),
        headcount,
        total,
        done,
        tuple(needs),
        short,
    )


def capacity_in(
    group: RoleGroup, metric: str, part: Span, calendar: PlanCalendar
) -> Fraction | None:
    """One person's capacity for ``metric`` on the days of ``part``, ramp included (None if the
    role has no such capacity).

    >>> from datetime import date
    >>> g = RoleGroup("r", "x", "x", ("u",), 2, (), False, "deals", {"calls": "60/周"})
    >>> c = PlanCalendar(("2015-06",), {"2015-06": Fraction(1)})
    >>> capacity_in(g, "calls", Span(date(2015, 6, 1), date(2015, 6, 30)), c)  # 60 × 30/7
    Fraction(1800, 7)
    """
    text = group.capacity.get(metric)
    if text is None:
        return None
    try:
        rate = parse_quantity(text)
    except QuantityError:
        return None
    amount = Fraction(rate.value)
    ramp = group.selling.ramp if group.selling is not None else ()
    out = Fraction(0)
    for month in months_of(part):
        whole = span(month)
        days = whole.overlap(part).days
        out += amount * Fraction(days, _per_days(rate.per, whole))
        index = calendar.months.index(month) if month in calendar.months else -1
        if 0 <= index < len(ramp):
            out -= amount * Fraction(days, _per_days(rate.per, whole)) * (1 - exact(ramp[index]))
    return out


def _per_days(per: RatePer | None, month: Span) -> int:
    """The days of the period a rate is given per, around ``month``."""
    if per is RatePer.WEEK:
        return 7
    if per is RatePer.QUARTER:
        first = (month.first.month - 1) // 3 * 3 + 1
        return sum(cal.monthrange(month.first.year, m)[1] for m in range(first, first + 3))
    if per is RatePer.YEAR:
        return 366 if cal.isleap(month.first.year) else 365
    return month.days  # per month, or a plain number read as per month
