"""What an actual of a KR is scored against, over the plan or over one of its periods.

A derived KR carries its own plan total and period targets. A manual KR is written for one
period, its *cadence*: the target's own period ("参加培训 2/月") or else the KR's ``per``
("100%, per: week"). Its targets over the plan follow from that:

- a **count** (a plain number: trainings, visits to key accounts) adds up. Over a span its target
  is ``target × the cadence periods the span holds``; the plan total (the sheet's 考核目标) is
  that rounded up to a whole count, as a derived count's total is: 2/月 over 2015 → 24.
  Actuals of several periods add up too.
- a **level** (a percent such as 100%/周, or points) does not add up: over any span it is
  scored against the target itself, and actuals of several periods are averaged.

Cadence periods are counted over the months the owner works (a hire cohort's months before it
arrives, ramp 0, do not count; everyone else works every month of the plan): months for /月,
months ÷ 3 for /季度, months ÷ 12 for /年, and days ÷ 7 for /周, the count of weeks a derived
weekly KR's headline divides by (total × 7 ÷ days). A plan that covers part of a year counts
only its part: 2/季度 over 2015-02..2015-07 is 2 × 6 ÷ 3 = 4.

An actual may be given for a period no shorter than the cadence (a 2/月 KR: a month or a
quarter; a 100%/周 KR: a week, a month or a quarter); a KR written per year, or per plan, takes
an actual for the whole plan only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

from okrplan.graph import node
from okrplan.model import KeyResult, KRKind, Per, RoleGroup, TargetKind, TargetPer
from okrplan.periods import PlanPeriod, fiscal_start, parse_month, quarter_label
from okrplan.plan import Plan
from okrplan.solve.phasing import iso_weeks, month_days

_RANK = {TargetPer.WEEK: 0, TargetPer.MONTH: 1, TargetPer.QUARTER: 2, TargetPer.YEAR: 3}
_MONTHS_PER = {TargetPer.MONTH: 1, TargetPer.QUARTER: 3, TargetPer.YEAR: 12}


def cadence(kr: KeyResult) -> TargetPer | None:
    """The period a manual KR's target is written for, or None (a derived, staffing or
    deduction KR, or a manual one for the whole plan).

    >>> from types import SimpleNamespace as NS
    >>> cadence(NS(kr_kind=KRKind.MANUAL, target_per=TargetPer.MONTH, per=Per.MONTH))
    <TargetPer.MONTH: 'month'>
    >>> cadence(NS(kr_kind=KRKind.MANUAL, target_per=None, per=Per.WEEK))
    <TargetPer.WEEK: 'week'>
    """
    if kr.kr_kind is not KRKind.MANUAL:
        return None
    if kr.target_per is not None:
        return kr.target_per
    return None if kr.per is Per.PLAN else TargetPer(str(kr.per))


def is_level(kr: KeyResult) -> bool:
    """Whether a manual KR's target is a level (a percent or points) rather than a count."""
    return kr.target_kind in (TargetKind.PERCENT, TargetKind.POINTS)


class ScoredTargets:
    """The targets a plan's actuals are scored against (see the module's docstring).

    Parameters
    ----------
    plan
        The solved plan; its ``meta["months"]`` are the plan's months.
    """

    def __init__(self, plan: Plan) -> None:
        self._graph = plan.graph
        self._months = tuple(parse_month(m) for m in plan.meta.get("months") or ())
        self._fiscal = fiscal_start(plan.meta)
        self._days = tuple(month_days(m) for m in self._months)
        self._index = {str(m): i for i, m in enumerate(self._months)}
        self._weeks: dict[str, dict[int, Fraction]] | None = None
        self._active: dict[str, tuple[bool, ...]] = {}

    def plan(self, kr: KeyResult) -> Fraction | None:
        """What a whole-plan actual is scored against: a derived KR's plan total, a manual
        count's target × its periods (rounded up), else the target; None without a number."""
        if cadence(kr) is None or is_level(kr) or kr.target is None or not self._months:
            return own_target(kr, "plan")
        exact = self._over(kr, {i: Fraction(1) for i in range(len(self._months))})
        return Fraction(math.ceil(exact))

    def period(self, kr: KeyResult, period: str) -> Fraction | None:
        """What an actual for ``period`` (plan, 2015-Q1, 2015-03, 2015-W10) is scored against;
        None where the KR has no target for that period."""
        if period in ("", "plan"):
            return self.plan(kr)
        per = cadence(kr)
        if per is None or kr.target is None:
            return own_target(kr, period)
        span = self._span(period)
        if span is None or _RANK[_granularity(period)] < _RANK[per] or per is TargetPer.YEAR:
            return None
        return Fraction(str(kr.target)) if is_level(kr) else self._over(kr, span)

    def periods(self, kr: KeyResult) -> list[str]:
        """The period labels an actual of ``kr`` may be given for (besides plan)."""
        if cadence(kr) is None:
            return [str(p) for p in kr.periods]
        quarters = dict.fromkeys(quarter_label(m, self._fiscal) for m in self._months)
        labels = [*(str(m) for m in self._months), *quarters, *self._week_map()]
        return [p for p in labels if self.period(kr, p) is not None]

    def _over(self, kr: KeyResult, span: Mapping[int, Fraction]) -> Fraction:
        """A manual count's exact target over the months (fractions of months) in ``span``."""
        per = cadence(kr)
        assert per is not None and kr.target is not None
        active = self._active_months(kr.owner)
        if per is TargetPer.WEEK:
            count = sum((f * self._days[i] for i, f in span.items() if active[i]), Fraction(0)) / 7
        else:
            months = sum((f for i, f in span.items() if active[i]), Fraction(0))
            count = months / _MONTHS_PER[per]
        return Fraction(str(kr.target)) * count

    def _span(self, period: str) -> dict[int, Fraction] | None:
        """The plan's months a period label covers, each with the fraction of it covered."""
        if period in self._index:
            return {self._index[period]: Fraction(1)}
        if "-W" in period:
            return self._week_map().get(period)
        found = {
            i: Fraction(1)
            for i, m in enumerate(self._months)
            if quarter_label(m, self._fiscal) == period
        }
        return found or None

    def _week_map(self) -> dict[str, dict[int, Fraction]]:
        if self._weeks is None:  # computed once, only when a week is asked for
            self._weeks = {}
            if self._months:
                whole = PlanPeriod(self._months[0], len(self._months), "")
                for week, shares in iso_weeks(whole).items():
                    self._weeks[week] = dict(shares)
        return self._weeks

    def _active_months(self, owner: str) -> tuple[bool, ...]:
        """The months the owner works: a role group with a ramp, those where it is above 0."""
        found = self._active.get(owner)
        if found is None:
            record = node(self._graph, owner)
            ramp: tuple[int | float, ...] = ()
            if isinstance(record, RoleGroup) and record.selling is not None:
                ramp = tuple(record.selling.ramp)
            if len(ramp) == len(self._months) and any(r > 0 for r in ramp):
                found = tuple(r > 0 for r in ramp)
            else:
                found = (True,) * len(self._months)
            self._active[owner] = found
        return found


def _granularity(period: str) -> TargetPer:
    if "-W" in period:
        return TargetPer.WEEK
    if "-Q" in period:
        return TargetPer.QUARTER
    return TargetPer.MONTH


def own_target(kr: KeyResult, period: str) -> Fraction | None:
    """A KR's own target for ``period``: its plan total (or target) for the plan, else its
    target of that period; None where it has none. All a derived KR needs."""
    if period in ("", "plan"):
        if kr.total is not None:
            return Fraction(str(kr.total))
        return None if kr.target is None else Fraction(str(kr.target))
    value = kr.periods.get(period)
    return None if value is None else Fraction(str(value))
