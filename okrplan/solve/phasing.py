"""Calendar arithmetic for plans: month shares by seasonality, ISO weeks, exact apportioning.

Shares are :class:`fractions.Fraction` so that 25% of a quarter spread over three months stays
exact; amounts are integers of a step (10万, one call) so that totals add up after rounding.
"""

from __future__ import annotations

import calendar
import datetime as dt
import heapq
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from okrplan.periods import Month, PlanPeriod


def month_days(month: Month) -> int:
    """Days in a month.

    >>> month_days(Month(2016, 2))
    29
    """
    return calendar.monthrange(month.year, month.month)[1]


def month_shares(
    period: PlanPeriod, seasonality: Sequence[Fraction | Decimal] | None
) -> tuple[Fraction, ...]:
    """Each month's share of the plan, summing to exactly 1.

    Quarterly values are spread evenly over the quarter's months inside the period.

    >>> from okrplan.periods import parse_period
    >>> shares = month_shares(parse_period(2015), [Fraction(15, 100), Fraction(25, 100),
    ...                                            Fraction(25, 100), Fraction(35, 100)])
    >>> shares[0], shares[11], sum(shares)
    (Fraction(1, 20), Fraction(7, 60), Fraction(1, 1))
    """
    months = period.months
    if not seasonality:
        return tuple(Fraction(1, len(months)) for _ in months)
    if len(seasonality) == len(months):
        return tuple(Fraction(s) for s in seasonality)
    by_quarter: dict[str, list[int]] = {}
    for i, month in enumerate(months):
        by_quarter.setdefault(period.quarter_of(month), []).append(i)
    shares = [Fraction(0)] * len(months)
    for value, indices in zip(seasonality, by_quarter.values(), strict=True):
        for i in indices:
            shares[i] = Fraction(value) / len(indices)
    return tuple(shares)


def iso_weeks(
    period: PlanPeriod, working: Sequence[Sequence[bool]] | None = None
) -> dict[str, dict[int, Fraction]]:
    """ISO weeks touching the period: for each, the fraction of each month (by index) it holds.

    A week's fraction of a month is its days in that month over the month's days, so spreading
    a month's amount over its weeks is exact and the weeks of a month sum to the month. With
    ``working`` (per month, whether each day is a working day: ``plan.calendar``), it is its
    working days over the month's working days, so a 国庆 week holds what its working days
    hold (a month without a working day falls back to its days).

    >>> from okrplan.periods import parse_period
    >>> weeks = iso_weeks(parse_period("2015-01"))
    >>> list(weeks)[:2], weeks["2015-W01"]
    (['2015-W01', '2015-W02'], {0: Fraction(4, 31)})
    """
    weeks: dict[str, dict[int, Fraction]] = {}
    for index, month in enumerate(period.months):
        days = month_days(month)
        flags = working[index] if working is not None else ()
        count = sum(flags)
        for day in range(1, days + 1):
            year, week, _ = dt.date(month.year, month.month, day).isocalendar()
            parts = weeks.setdefault(f"{year:04d}-W{week:02d}", {})
            share = (
                Fraction(1, days)
                if not count
                else (Fraction(1, count) if flags[day - 1] else Fraction(0))
            )
            parts[index] = parts.get(index, Fraction(0)) + share
    return weeks


def apportion(
    total: int, weights: Sequence[Fraction | int], caps: Sequence[int] | None = None
) -> list[int]:
    """Split an integer total in proportion to weights, summing exactly (largest remainder).

    Ties go to the earlier index, so the result is deterministic. With ``caps``, no part exceeds
    its cap (the total must fit).

    >>> apportion(10, [1, 1, 1])
    [4, 3, 3]
    >>> apportion(100, [Fraction(1, 3)] * 3)
    [34, 33, 33]
    >>> apportion(5, [1, 1], caps=[1, 10])
    [1, 4]
    """
    if all(type(w) is int for w in weights):
        return apportion_ints(total, list(weights), caps)  # type: ignore[arg-type]
    weight_sum = sum(Fraction(w) for w in weights)
    if weight_sum <= 0:
        weights, weight_sum = [1] * len(weights), Fraction(len(weights))
    exact = [Fraction(total) * Fraction(w) / weight_sum for w in weights]
    parts = [int(x) for x in exact]  # x >= 0, so int() floors
    if caps is not None:
        parts = [min(p, c) for p, c in zip(parts, caps, strict=True)]
    left = total - sum(parts)
    heap = [(-(x - p), i) for i, (x, p) in enumerate(zip(exact, parts, strict=True))]
    heapq.heapify(heap)
    while left > 0 and heap:
        _, i = heapq.heappop(heap)
        if caps is not None and parts[i] >= caps[i]:
            continue
        parts[i] += 1
        left -= 1
        heapq.heappush(heap, (-(exact[i] - parts[i]), i))
    if left:
        raise ValueError(f"cannot apportion {total} under caps {caps}")
    return parts


def apportion_ints(total: int, weights: list[int], caps: Sequence[int] | None) -> list[int]:
    """:func:`apportion` for whole-number weights, in integers: every exact share is
    ``total·w / Σw``, so shares and their remainders compare as numerators over ``Σw``.

    The units left after flooring go one each to the largest remainders, ties to the earlier
    index, skipping parts at their cap; a part that got one has a negative remainder after,
    below every other, so a second round starts only when the first runs out of parts. One
    stable sort decides the first round (this is called ~60,000 times at 100,000 people);
    the heap of :func:`_top_up` takes over only for the rare second round.

    >>> apportion_ints(7, [1, 1, 1], [3, 3, 1])
    [3, 3, 1]
    >>> apportion_ints(10, [1, 1, 1], [5, 5, 0])
    [5, 5, 0]
    """
    weight_sum = sum(weights)
    if weight_sum <= 0:
        weights, weight_sum = [1] * len(weights), len(weights)
    if caps is None:
        return _uncapped(total, weights, weight_sum)
    scaled = [total * w for w in weights]  # exact shares × Σw
    parts = [x // weight_sum for x in scaled]
    parts = [p if p < c else c for p, c in zip(parts, caps, strict=True)]
    left = total - sum(parts)
    if left <= 0:
        return parts
    shortfall = [p * weight_sum - x for x, p in zip(scaled, parts, strict=True)]  # −remainder
    for i in sorted(range(len(parts)), key=shortfall.__getitem__):
        if parts[i] >= caps[i]:
            continue
        parts[i] += 1
        left -= 1
        if not left:
            return parts
    return _top_up(total, left, scaled, parts, weight_sum, caps)


def _uncapped(total: int, weights: list[int], weight_sum: int) -> list[int]:
    """:func:`apportion_ints` without caps: each share's floor, and its remainder where any
    is left over; the ``left`` largest remainders (ties to the earlier index: a stable sort) get
    one more, and ``left`` is below the number of parts (it is Σ remainders ÷ Σw), so one
    round always ends it."""
    scaled = [total * w for w in weights]  # exact shares × Σw
    parts = [x // weight_sum for x in scaled]
    left = total - sum(parts)
    if left > 0:  # remainders only when some are needed (a stable sort, reversed: stable too)
        rest = [x % weight_sum for x in scaled]
        for i in sorted(range(len(parts)), key=rest.__getitem__, reverse=True)[:left]:
            parts[i] += 1
    return parts


def _top_up(
    total: int,
    left: int,
    scaled: list[int],
    parts: list[int],
    weight_sum: int,
    caps: Sequence[int],
) -> list[int]:
    """Further rounds of :func:`apportion_ints` (every open part got one unit already)."""
    heap = [(-(x - p * weight_sum), i) for i, (x, p) in enumerate(zip(scaled, parts, strict=True))]
    heapq.heapify(heap)
    while left > 0 and heap:
        _, i = heapq.heappop(heap)
        if parts[i] >= caps[i]:
            continue
        parts[i] += 1
        left -= 1
        heapq.heappush(heap, (-(scaled[i] - parts[i] * weight_sum), i))
    if left:
        raise ValueError(f"cannot apportion {total} under caps {caps}")
    return parts


def ceil_fraction(value: Fraction) -> int:
    """Round up to a whole number: activities are never rounded down.

    >>> ceil_fraction(Fraction(7, 2)), ceil_fraction(Fraction(3))
    (4, 3)
    """
    return -((-value.numerator) // value.denominator)
