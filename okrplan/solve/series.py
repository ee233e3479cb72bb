"""Exact amounts per month, and how a KR shows them per plan, quarter, month and week.

A :class:`Series` is a metric's plan for one owner: whole numbers over one denominator, so that
adding up a large organisation is integer arithmetic. :class:`Calendar` is what the plan's
period says about months, quarters and ISO weeks, worked out once.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from okrplan.model import Per
from okrplan.periods import PlanPeriod
from okrplan.solve.counts import CountCaps, WeekWeights, active_average, phase_ints
from okrplan.solve.phasing import ceil_fraction, iso_weeks, month_days
from okrplan.workdays import WorkingDays


def number(value: Fraction | Decimal | int) -> int | float:
    """A plain JSON number: an int when whole, else the shortest exact-looking float.

    >>> number(Fraction(6, 2)), number(Fraction(1, 3))
    (3, 0.333333)
    """
    fraction = Fraction(value)
    if fraction.denominator == 1:
        return int(fraction)
    return float(round(float(fraction), 6))


def exact(value: int | float) -> int | Fraction:
    """A JSON number as an exact value: an int as it is, a float as its exact fraction."""
    return value if isinstance(value, int) else Fraction(value)


@dataclass(frozen=True, slots=True, eq=False)
class Series:
    """A metric's plan for one owner: exact amounts per month (``num[i] / den``), and whether
    it is money (shown as :func:`number`) or a count (rounded up). Compared by identity: equal
    series of many groups are one object, and values derived from it are memoised by it."""

    num: tuple[int, ...]
    den: int
    money: bool

    @property
    def months(self) -> list[Fraction]:
        return [Fraction(n, self.den) for n in self.num]

    @classmethod
    def of(cls, months: Iterable[Fraction | int], money: bool) -> Series:
        """The series of exact monthly amounts."""
        values = [v if isinstance(v, Fraction) else Fraction(v) for v in months]
        den = math.lcm(*(v.denominator for v in values)) if values else 1
        return cls(tuple(v.numerator * (den // v.denominator) for v in values), den, money)

    def times(self, factor: Fraction, money: bool) -> Series:
        """This series × ``factor`` (exact)."""
        scale = factor.numerator  # a property of Fraction: read once, not per month
        num = self.num if scale == 1 else tuple([n * scale for n in self.num])
        return Series(num, self.den * factor.denominator, money)


def shown(num: int, den: int, money: bool) -> int | float:
    """``num / den`` as a KR shows it: money as :func:`number` does, counts rounded up.

    >>> shown(7, 2, False), shown(7, 2, True), shown(6, 2, True)
    (4, 3.5, 3)
    """
    if money:
        if num % den == 0:
            return num // den
        return float(round(num / den, 6))
    return -((-num) // den)


class SeriesSum:
    """Series of one metric added up over many groups, kept per denominator (integers only).

    An accumulator local to the function that adds up (never part of a result)."""

    __slots__ = ("money", "parts")

    def __init__(self, money: bool) -> None:
        self.money = money
        self.parts: dict[int, list[int]] = {}

    def add(self, num: Sequence[int], den: int, times: int) -> None:
        """Add ``num × times`` over ``den``. Sums are new lists, never changed in place, so
        sums alike can be one list."""
        acc = self.parts.get(den)
        if acc is None:
            if times != 1:
                made = [n * times for n in num]
            else:  # a list is another sum's, never changed: shared as it is
                made = num if type(num) is list else list(num)
        elif times == 1:
            made = [a + n for a, n in zip(acc, num, strict=True)]
        else:
            made = [a + n * times for a, n in zip(acc, num, strict=True)]
        self.parts[den] = made

    def series(self, count: int) -> Series:
        if not self.parts:
            return Series((0,) * count, 1, self.money)
        if len(self.parts) == 1:  # one denominator (the usual case): the sums as they are
            for d, acc in self.parts.items():
                return Series(tuple(acc), d, self.money)
        return joined(self.parts, count, self.money)


def joined(by_den: Mapping[int, Sequence[int]], count: int, money: bool) -> Series:
    """One metric's sums kept per denominator (``count`` periods each) as one series, over
    their lcm."""
    den = math.lcm(*by_den)
    total = [0] * count
    for d, acc in by_den.items():
        k = den // d
        total = [t + a * k for t, a in zip(total, acc, strict=True)]
    return Series(tuple(total), den, money)


NO_WEEKS = WeekWeights((), 1)


@dataclass(frozen=True, slots=True)
class Calendar:
    """The plan period's months, quarters and ISO weeks, as KR periods need them."""

    labels: tuple[str, ...]  # each month, "2015-03"
    quarter_of: tuple[str, ...]  # each month's quarter, "2015-Q1"
    quarter_count: int
    # each week as whole multiples of its months' amounts: (label, ((month, c), ...), L)
    week_parts: tuple[tuple[str, tuple[tuple[int, int], ...], int], ...]
    days: int
    quarters: tuple[tuple[int, ...], ...] = ()  # each quarter's month indices
    month_days: tuple[int, ...] = ()
    week_weights: WeekWeights = NO_WEEKS  # the weeks' shares of months, in integers
    week_days: int = 7  # days of a full week: 5 working days under plan.calendar

    @classmethod
    def of(cls, period: PlanPeriod, working: WorkingDays | None = None) -> Calendar:
        """The calendar of ``period``; with ``working`` (``plan.calendar``), weeks hold their
        working days' share of each month, and a full week is five working days."""
        flags = working.days if working is not None and working.days else None
        weeks = iso_weeks(period, flags)
        days = (
            [sum(f) or month_days(m) for f, m in zip(flags, period.months, strict=True)]
            if flags
            else [month_days(m) for m in period.months]
        )
        parts = []
        for week, shares in weeks.items():
            common = math.lcm(*(f.denominator for f in shares.values()))
            parts.append((week, tuple((i, int(f * common)) for i, f in shares.items()), common))
        return cls(
            tuple(str(m) for m in period.months),
            tuple(period.quarter_of(m) for m in period.months),
            len(period.quarters),
            tuple(parts),
            sum(days),
            tuple(
                tuple(i for i, m in enumerate(period.months) if period.quarter_of(m) == q)
                for q in period.quarters
            ),
            tuple(days),
            WeekWeights.of(list(weeks.values())),
            5 if flags else 7,
        )


def periods(series: Series, per: Per, calendar: Calendar) -> dict[str, int | float]:
    """A series' targets per week, month or quarter (per plan: quarters, or months if the plan
    has fewer than two quarters), each rounded as the KR shows it."""
    num, den, money = series.num, series.den, series.money
    if per is Per.WEEK:
        return {
            week: shown(sum(num[i] * c for i, c in parts), den * common, money)
            for week, parts, common in calendar.week_parts
        }
    if per is Per.MONTH or (per is Per.PLAN and calendar.quarter_count < 2):
        return {label: shown(n, den, money) for label, n in zip(calendar.labels, num, strict=True)}
    quarters: dict[str, int] = {}
    for quarter, n in zip(calendar.quarter_of, num, strict=True):
        quarters[quarter] = quarters.get(quarter, 0) + n
    return {q: shown(n, den, money) for q, n in quarters.items()}


@dataclass(frozen=True, slots=True)
class Limits:
    """What bounds one person's counts per period: the capacity of each metric per run of
    months (``{metric: {months: capacity}}``, ramp included) and the months they work."""

    windows: Mapping[str, Mapping[tuple[int, ...], Fraction]]
    active: tuple[bool, ...]


def count_targets(
    series: Series,
    per: Per,
    calendar: Calendar,
    limits: Limits | None,
    metric: str,
    caps: CountCaps | None = None,
) -> tuple[int, dict[str, int | float], int]:
    """A count KR's headline, periods and plan total, whole numbers that add up.

    The total is the plan's amount rounded up once; months, quarters and weeks are
    apportioned from it within the person's capacity (:func:`okrplan.solve.counts.phase_count`);
    the headline is the total over the periods the person works (a hire from April: over nine
    months), rounded up.

    >>> from okrplan.periods import parse_period
    >>> cal = Calendar.of(parse_period("2015-Q1"))
    >>> count_targets(Series((46, 46, 46), 3, False), Per.MONTH, cal, None, "visits")
    (16, {'2015-01': 16, '2015-02': 15, '2015-03': 15}, 46)
    """
    caps = count_caps(calendar, limits, metric) if caps is None else caps
    phased = phase_ints(series.num, series.den, calendar.quarters, caps, calendar.week_weights)
    active = limits.active if limits is not None else (True,) * len(calendar.labels)
    total = phased.total
    if per is Per.WEEK:
        days = sum(d for d, a in zip(calendar.month_days, active, strict=True) if a)
        weekly = dict(zip((w for w, _, _ in calendar.week_parts), phased.weeks, strict=True))
        return ceil_fraction(Fraction(total * calendar.week_days, days or 1)), dict(weekly), total
    if per is Per.MONTH or (per is Per.PLAN and calendar.quarter_count < 2):
        by_month: dict[str, int | float] = dict(zip(calendar.labels, phased.months, strict=True))
        if per is Per.PLAN:
            return total, by_month, total
        return active_average(total, phased.months, active, 1), by_month, total
    quarters = [q for q, _ in itertools.groupby(calendar.quarter_of)]
    by_quarter: dict[str, int | float] = dict(zip(quarters, phased.quarters, strict=True))
    if per is Per.PLAN:
        return total, by_quarter, total
    working = sum(1 for block in calendar.quarters if any(active[i] for i in block)) or 1
    return ceil_fraction(Fraction(total, working)), by_quarter, total


def count_caps(calendar: Calendar, limits: Limits | None, metric: str) -> CountCaps:
    """A person's capacity for ``metric`` in whole units per month, quarter and ISO week."""
    windows = limits.windows.get(metric, {}) if limits is not None else {}
    fractions = [
        {i: Fraction(c, common) for i, c in parts} for _, parts, common in calendar.week_parts
    ]
    return CountCaps.of(len(calendar.labels), calendar.quarters, windows, fractions)


def headline(series: Series, per: Per, calendar: Calendar) -> int | float:
    """A KR's headline target: the plan's total per ``per`` (per week: total ÷ (days / 7), or
    ÷ (working days / 5) under ``plan.calendar``).

    >>> cal = Calendar(("2015-01", "2015-02"), ("2015-Q1",) * 2, 1, (), 59)
    >>> headline(Series((300, 290), 1, False), Per.WEEK, cal)  # 590 × 7 / 59 = 70
    70
    >>> headline(Series((300, 290), 1, False), Per.MONTH, cal)  # 590 / 2 = 295
    295
    """
    total = sum(series.num)
    if per is Per.WEEK:
        return shown(total * calendar.week_days, series.den * calendar.days, series.money)
    count = {Per.PLAN: 1, Per.QUARTER: calendar.quarter_count, Per.MONTH: len(calendar.labels)}
    return shown(total, series.den * count[per], series.money)
