"""Count KRs' numbers: a 销售岗's weekly calls, a role's monthly visits, within capacity.

Between the series (:mod:`okrplan.solve.funnel`, phasing) and the sheets
(:mod:`okrplan.solve.objectives`): each count metric of an owner's series is turned into whole
numbers per period, at each ``per`` an objective template asks for, within the owner's
capacity, by :func:`okrplan.solve.series.count_targets`. People of one profile have equal
series and share their limits, so at 100,000 people the ~100,000 count KRs need a few thousand
of these: :meth:`CountNumbers.get` works each out the first time a sheet asks for it.
"""

from __future__ import annotations

import itertools
from typing import Any

from okrplan.model import Per
from okrplan.solve.counts import CountCaps
from okrplan.solve.funnel import PersonSeries, sourced_key
from okrplan.solve.phasing import apportion_ints
from okrplan.solve.series import (
    Calendar,
    Limits,
    Series,
    count_caps,
    count_targets,
    headline,
    periods,
    shown,
)
from okrplan.spec import Spec

Numbers = tuple[Any, dict[str, int | float], Any]
"""A derived KR's headline, targets by period label, and plan total."""


class CountNumbers:
    """Count KRs' numbers by series value, ``per``, limits and metric (limits by identity:
    the groups of one profile share one :class:`~okrplan.solve.series.Limits`)."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.numbers: dict[tuple[Any, ...], Numbers] = {}
        self.caps: dict[tuple[int, str], CountCaps] = {}
        self.uncapped: dict[tuple[int, str], tuple[Limits, Limits]] = {}
        self.kept: list[Any] = []  # what ids in keys name, kept alive while this value is

    def get(self, series: Series, per: Per, limits: Limits | None, metric: str) -> Numbers:
        """The numbers of a count KR of ``metric`` measured on ``series`` within ``limits``
        (see :func:`measured`), worked out once per distinct key."""
        key = (series.num, series.den, per, id(limits), metric)
        found = self.numbers.get(key)
        if found is None:
            found = uncapped(series, per, self.calendar) if limits is None else None
            if found is None:
                caps = self.caps_of(limits, metric)
                found = count_targets(series, per, self.calendar, limits, metric, caps)
            self.numbers[key] = found
        return found

    def caps_of(self, limits: Limits | None, metric: str) -> CountCaps:
        """A person's whole-unit capacity for ``metric``, once per limits."""
        key = (id(limits), metric)
        found = self.caps.get(key)
        if found is None:
            found = self.caps[key] = count_caps(self.calendar, limits, metric)
            self.kept.append(limits)  # keeps the id in the key valid while this value lives
        return found

    def measured(
        self, own: PersonSeries, metric: str, limits: Limits | None
    ) -> tuple[Limits | None, Any]:
        """The limits a KR of ``metric`` is measured within, and what the owner sources of it
        where that differs from its whole series (shown on the KR, else None).

        Capacity bounds only what the owner sources: of an AE's meetings, those an SDR group
        books for them are received, not capped, so their KR is measured without that
        capacity (one limits object per limits and metric, so KRs that share them still share
        their numbers)."""
        series = own[metric]
        sourced = own.get(sourced_key(metric))
        if sourced is None or sum(sourced.num) * series.den == sum(series.num) * sourced.den:
            return limits, None
        shown_sourced = shown(sum(sourced.num), sourced.den, sourced.money)
        if limits is None or metric not in limits.windows:
            return limits, shown_sourced
        key = (id(limits), metric)
        found = self.uncapped.get(key)
        if found is None:
            windows = {m: w for m, w in limits.windows.items() if m != metric}
            found = self.uncapped[key] = (limits, Limits(windows, limits.active))
        return found[1], shown_sourced


class MoneyNumbers:
    """Money KRs' numbers (headline, periods, total) by series value and ``per``: what
    :func:`~okrplan.solve.series.headline`, :func:`~okrplan.solve.series.periods` and
    :func:`~okrplan.solve.series.shown` give, worked out in one pass over the months (a
    roster of 100,000 named people: ~12,000 distinct money series, each shown once)."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.numbers: dict[tuple[Any, ...], Numbers] = {}
        # each quarter's label and run of months, in the order periods() meets them; None
        # where a quarter's months are not one run (then periods() itself)
        runs: dict[str, list[int]] = {}
        for i, quarter in enumerate(calendar.quarter_of):
            runs.setdefault(quarter, []).append(i)
        self.quarters: list[tuple[str, int, int]] | None = [
            (q, ix[0], ix[-1] + 1) for q, ix in runs.items()
        ]
        if any(len(ix) != ix[-1] + 1 - ix[0] for ix in runs.values()):
            self.quarters = None
        self.by_quarter = calendar.quarter_count >= 2
        self.months = len(calendar.labels)

    def get(self, series: Series, per: Per) -> Numbers:
        """The numbers of a money KR on ``series`` per ``per``, once per distinct key."""
        key = (series.num, series.den, per)
        found = self.numbers.get(key)
        if found is None:
            found = self.numbers[key] = self._numbers(series, per)
        return found

    def _numbers(self, series: Series, per: Per) -> Numbers:
        num, den, calendar = series.num, series.den, self.calendar
        quarters = self.quarters
        if per is Per.WEEK or quarters is None:
            return (
                headline(series, per, calendar),
                periods(series, per, calendar),
                shown(sum(num), den, True),
            )
        total = sum(num)
        if per is Per.MONTH or (per is Per.PLAN and not self.by_quarter):
            by_period = {
                label: shown(n, den, True) for label, n in zip(calendar.labels, num, strict=True)
            }
        else:
            by_period = {q: shown(sum(num[a:b]), den, True) for q, a, b in quarters}
        whole = shown(total, den, True)
        if per is Per.PLAN:
            return whole, by_period, whole
        count = calendar.quarter_count if per is Per.QUARTER else self.months
        return shown(total, den * count, True), by_period, whole


def uncapped(series: Series, per: Per, calendar: Calendar) -> Numbers | None:
    """:func:`~okrplan.solve.series.count_targets` of an owner without capacity or idle
    months (a unit: 2,000 to 6,000 of a large plan's count KRs), in integers: the same
    numbers, or None where it does not apply (a week's KR, a negative month, an empty quarter).

    Without capacity, phasing is a largest-remainder split of the rounded-up total over the
    quarters, then of each quarter over its months
    (:func:`~okrplan.solve.phasing.apportion_ints`), and the headline is the total over all
    the periods, rounded up.

    Examples
    --------
    Visits of 46/3 a month for a quarter (46 exactly): months 46 ÷ 3 = 15⅓ each, floors
    15 + 15 + 15 = 45, the one left to the first of equal remainders; 46 ÷ 3 months → 16.

    >>> from okrplan.periods import parse_period
    >>> cal = Calendar.of(parse_period("2015-Q1"))
    >>> uncapped(Series((46, 46, 46), 3, False), Per.MONTH, cal)
    (16, {'2015-01': 16, '2015-02': 15, '2015-03': 15}, 46)
    """
    num, blocks = series.num, calendar.quarters
    if per is Per.WEEK or not blocks or not all(blocks) or min(num, default=0) < 0:
        return None
    total = -(-sum(num) // series.den)
    sums = [sum([num[i] for i in block]) for block in blocks]
    by_quarter = apportion_ints(total, sums, None)
    months = [0] * len(num)
    for block, amount, weight_sum in zip(blocks, by_quarter, sums, strict=True):
        if weight_sum <= 0:  # no amount in the quarter's months: equal shares
            for i, part in zip(block, apportion_ints(amount, [0] * len(block), None), strict=True):
                months[i] = part
            continue
        # the quarter over its months, as apportion_ints does it, inline (a unit's count
        # KRs: four quarters of three months each): floors, then the units left to the
        # largest remainders, ties to the earlier month (the months of a quarter ascend)
        left, shortfalls = amount, []
        for i in block:
            part, rest = divmod(amount * num[i], weight_sum)
            months[i] = part
            left -= part
            shortfalls.append((-rest, i))  # the shortfall below the exact share, × Σw
        if left > 0:
            shortfalls.sort()
            for _, i in shortfalls[:left]:
                months[i] += 1
    if per is Per.MONTH or (per is Per.PLAN and calendar.quarter_count < 2):
        by_month: dict[str, int | float] = dict(zip(calendar.labels, months, strict=True))
        if per is Per.PLAN:
            return total, by_month, total
        return -(-total // (len(months) or 1)), by_month, total
    labels = [q for q, _ in itertools.groupby(calendar.quarter_of)]
    quarters: dict[str, int | float] = dict(zip(labels, by_quarter, strict=True))
    if per is Per.PLAN:
        return total, quarters, total
    return -(-total // len(blocks)), quarters, total


def count_plan(spec: Spec) -> CountNumbers:
    """The count KRs' numbers, for the sheets to ask for.

    Parameters
    ----------
    spec
        The validated target file.

    Returns
    -------
    CountNumbers
        The numbers by series, ``per``, limits and metric, each worked out when the sheets
        first ask for it (:meth:`CountNumbers.get`): once per kind of sheet, not once per
        role group (the roster of 100,000 named people has 20,000 groups, each with series
        of its own, and a few thousand distinct numbers).

    Examples
    --------
    A 销售岗's weekly calls: the plan's calls rounded up once, apportioned over the ISO
    weeks within capacity; the headline is the total × 7 ÷ the days the person works
    (:func:`okrplan.solve.series.count_targets`).
    """
    return CountNumbers(Calendar.of(spec.period, spec.working_days))
