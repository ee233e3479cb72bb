"""Whole-number targets per period that add up: a count KR's plan total, months, quarters, weeks.

A count (calls, visits, channels) is rounded once, at its plan total, and up (an activity target
is never below what the funnel needs). The months are then apportioned from that total exactly
(largest remainder), quarter by quarter, each within the person's capacity for the period; a
quarter is the sum of its months; weeks are apportioned from the total by their days of each
month and stay within a weekly capacity. So every granularity sums to the same total.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from okrplan.solve.phasing import apportion_ints, ceil_fraction


@dataclass(frozen=True, slots=True)
class CountPeriods:
    """One count KR's whole-number targets: the plan total and the same total by month,
    quarter and ISO week (each a tuple in calendar order).

    The weeks are apportioned when first read: most count KRs are shown per month or per
    quarter, and the split over 53 weeks was the larger part of phasing them."""

    total: int
    months: tuple[int, ...]
    quarters: tuple[int, ...]
    caps: CountCaps
    week_weights: WeekWeights

    @property
    def weeks(self) -> tuple[int, ...]:
        """The total by ISO week, from the months (each week holds its days' share of them)."""
        parts = self.week_weights.parts
        if not parts:
            return ()
        months, caps = self.months, self.caps
        exact = [0] * len(parts)
        for j, shares in enumerate(parts):  # a loop: a generator per week costs more
            for i, k in shares:
                exact[j] += months[i] * k
        return tuple(_split(self.total, exact, caps.weeks, caps.weeks_up or None))


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def _split(
    total: int,
    weights: Sequence[int],
    caps: Sequence[int | None],
    caps_up: Sequence[int | None] | None = None,
) -> list[int]:
    """``total`` over whole-number ``weights`` by largest remainder, within ``caps`` (capacity
    rounded down) where they leave room; where they cannot hold the total, within ``caps_up``
    (capacity rounded up: the rounded-up total overshoots a fractional capacity by less than
    one unit); only where neither holds it do the caps give way (the plan's total stays whole
    and rounded up)."""
    if total == 0:
        return [0] * len(weights)
    open_weights = list(weights) if any(w > 0 for w in weights) else [1] * len(weights)
    for tier in (caps, caps_up):
        if tier is None:
            continue
        finite = [c if c is not None else total for c in tier]
        if sum(finite) >= total:
            return apportion_ints(total, open_weights, finite)
    return apportion_ints(total, open_weights, None)


def phase_count(
    exact_months: Sequence[Fraction],
    quarters: Sequence[tuple[int, ...]],
    windows: Mapping[tuple[int, ...], Fraction] | None = None,
    week_parts: Sequence[Mapping[int, Fraction]] = (),
) -> CountPeriods:
    """Whole-number targets of a count from its exact amount per month.

    Parameters
    ----------
    exact_months
        The exact (fractional) amount of each month of the plan.
    quarters
        The month indices of each quarter, in order (a quarter may be partial).
    windows
        Capacity of one person per run of months (a month ``(i,)``, a quarter, or the whole
        plan), ramp included: no period's target exceeds the capacity that holds it in whole
        units, unless the rounded-up total itself does not fit.
    week_parts
        For each ISO week, the fraction of each month (by index) its days hold (see
        :func:`okrplan.solve.phasing.iso_weeks`).

    Returns
    -------
    CountPeriods
        ``total`` = ⌈Σ exact⌉, and months, quarters and weeks that each sum to it.

    Examples
    --------
    Visits of 15⅓ a month for 12 months (184 exactly), a capacity of 25 a month: the total is
    184 and the months sum to it (not 12 × 16 = 192).

    >>> months = [Fraction(46, 3)] * 12
    >>> q = [(0, 1, 2), (3, 4, 5), (6, 7, 8), (9, 10, 11)]
    >>> cp = phase_count(months, q, {(i,): Fraction(25) for i in range(12)})
    >>> cp.total, sum(cp.months), cp.quarters
    (184, 184, (46, 46, 46, 46))

    Channels of 15 a year (capacity 15 a year), phased 20/25/25/30%: 3 + 3.75 + 3.75 + 4.5
    make 15, never 3 + 4 + 4 + 5 = 16.

    >>> shares = [Fraction(1, 1), Fraction(5, 4), Fraction(5, 4), Fraction(3, 2)]
    >>> months = [s for s in shares for _ in range(3)]
    >>> cp = phase_count(months, q, {tuple(range(12)): Fraction(15)})
    >>> cp.total, cp.quarters
    (15, (3, 4, 4, 4))
    """
    den = math.lcm(*(m.denominator for m in exact_months)) if exact_months else 1
    num = [m.numerator * (den // m.denominator) for m in exact_months]
    caps = CountCaps.of(len(num), quarters, windows or {}, week_parts)
    return phase_ints(num, den, quarters, caps, WeekWeights.of(week_parts))


@dataclass(frozen=True, slots=True)
class CountCaps:
    """One person's capacity in whole units: per month, per quarter and per ISO week (None
    where no capacity holds the period), rounded down, and the same rounded up (``*_up``: the
    fallback when the rounded-up total does not fit the rounded-down capacity). Worked out
    once per capacity profile."""

    months: tuple[int | None, ...]
    quarters: tuple[int | None, ...]
    weeks: tuple[int | None, ...]
    months_up: tuple[int | None, ...] = ()
    quarters_up: tuple[int | None, ...] = ()
    weeks_up: tuple[int | None, ...] = ()

    @classmethod
    def of(
        cls,
        count: int,
        quarters: Sequence[tuple[int, ...]],
        windows: Mapping[tuple[int, ...], Fraction],
        week_parts: Sequence[Mapping[int, Fraction]],
    ) -> CountCaps:
        down = _whole_caps(count, quarters, windows, week_parts, _floor)
        up = _whole_caps(count, quarters, windows, week_parts, ceil_fraction)
        return cls(*down, *up)


def _whole_caps(
    count: int,
    quarters: Sequence[tuple[int, ...]],
    windows: Mapping[tuple[int, ...], Fraction],
    week_parts: Sequence[Mapping[int, Fraction]],
    whole: Callable[[Fraction], int],
) -> tuple[tuple[int | None, ...], tuple[int | None, ...], tuple[int | None, ...]]:
    """Capacity per month, quarter and ISO week in whole units (``whole`` rounds)."""
    months = tuple(whole(windows[(i,)]) if (i,) in windows else None for i in range(count))
    by_quarter: list[int | None] = []
    for block in quarters:
        limits = [whole(windows[block])] if block in windows else []
        inner = [months[i] for i in block]
        if None not in inner:
            limits.append(sum(c or 0 for c in inner))
        by_quarter.append(min(limits) if limits else None)
    weeks: list[int | None] = []
    for parts in week_parts:
        if all((i,) in windows for i in parts):
            weeks.append(whole(sum((windows[(i,)] * f for i, f in parts.items()), Fraction(0))))
        else:
            weeks.append(None)
    return months, tuple(by_quarter), tuple(weeks)


@dataclass(frozen=True, slots=True)
class WeekWeights:
    """Each ISO week's share of each month's amount as whole numbers over one denominator:
    ``parts[j]`` holds (month index, k) with the week's fraction of the month = k ÷ ``den``."""

    parts: tuple[tuple[tuple[int, int], ...], ...]
    den: int

    @classmethod
    def of(cls, week_parts: Sequence[Mapping[int, Fraction]]) -> WeekWeights:
        den = math.lcm(*(f.denominator for parts in week_parts for f in parts.values()), 1)
        return cls(
            tuple(
                tuple((i, f.numerator * (den // f.denominator)) for i, f in parts.items())
                for parts in week_parts
            ),
            den,
        )


def phase_ints(
    num: Sequence[int],
    den: int,
    quarters: Sequence[tuple[int, ...]],
    caps: CountCaps,
    weeks: WeekWeights,
) -> CountPeriods:
    """:func:`phase_count` in integers: the exact months are ``num[i] / den``."""
    total = -(-sum(num) // den)
    quarter_amounts = _split(
        total, [sum(num[i] for i in b) for b in quarters], caps.quarters, caps.quarters_up or None
    )
    months = [0] * len(num)
    for block, amount in zip(quarters, quarter_amounts, strict=True):
        parts = _split(
            amount,
            [num[i] for i in block],
            [caps.months[i] for i in block],
            [caps.months_up[i] for i in block] if caps.months_up else None,
        )
        for i, part in zip(block, parts, strict=True):
            months[i] = part
    return CountPeriods(total, tuple(months), tuple(quarter_amounts), caps, weeks)


def active_average(total: int, months: Sequence[int], active: Sequence[bool], per: int) -> int:
    """A headline "per period" figure: the total over the periods the person works, up.

    ``per`` is the number of months in one period (1 a month, 3 a quarter); a period counts
    when any of its months is active. A hire from April with 80 visits shows 80 ÷ 9 → 9 a
    month, not 80 ÷ 12 → 7.

    >>> active_average(80, [0, 0, 0] + [9] * 8 + [8], [False] * 3 + [True] * 9, 1)
    9
    """
    periods = [active[i : i + per] for i in range(0, len(months), per)]
    working = sum(1 for p in periods if any(p)) or len(periods) or 1
    return ceil_fraction(Fraction(total, working))
