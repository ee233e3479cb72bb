"""Whole-number targets per period that add up: a count KR's plan total, months, quarters, weeks.

A count (calls, visits, channels) is rounded once, at its plan total, and up (an activity target
is never below what the funnel needs). The months are then apportioned from that total exactly
(largest remainder), quarter by quarter, each within the person's capacity for the period; a
quarter is the sum of its months; weeks are apportioned from the total by their days of each
month and stay within a weekly capacity. So every granularity sums to the same total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from okrplan.solve.phasing import apportion, ceil_fraction


@dataclass(frozen=True, slots=True)
class CountPeriods:
    """One count KR's whole-number targets: the plan total and the same total by month,
    quarter and ISO week (each a tuple in calendar order)."""

    total: int
    months: tuple[int, ...]
    quarters: tuple[int, ...]
    weeks: tuple[int, ...]


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def _split(total: int, weights: Sequence[Fraction], caps: Sequence[int | None]) -> list[int]:
    """``total`` over ``weights`` by largest remainder, within ``caps`` where they leave room;
    where capacity in whole units cannot hold the total, the caps give way (the plan's total
    stays whole and rounded up)."""
    if total == 0:
        return [0] * len(weights)
    if any(w > 0 for w in weights):
        open_weights: Sequence[Fraction | int] = weights
    else:
        open_weights = [1] * len(weights)
    if None not in caps and sum(c or 0 for c in caps) >= total:
        return apportion(total, open_weights, [c or 0 for c in caps])
    if None in caps:
        finite = [c if c is not None else total for c in caps]
        return apportion(total, open_weights, finite)
    return apportion(total, open_weights)


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
    windows = windows or {}
    count = len(exact_months)
    total = ceil_fraction(sum(exact_months, Fraction(0)))
    month_caps: list[int | None] = [
        _floor(windows[(i,)]) if (i,) in windows else None for i in range(count)
    ]
    quarter_caps: list[int | None] = []
    for block in quarters:
        limits = [_floor(windows[block])] if block in windows else []
        inner = [month_caps[i] for i in block]
        if None not in inner:
            limits.append(sum(c or 0 for c in inner))
        quarter_caps.append(min(limits) if limits else None)
    quarter_amounts = _split(
        total, [sum((exact_months[i] for i in b), Fraction(0)) for b in quarters], quarter_caps
    )
    months = [0] * count
    for block, amount in zip(quarters, quarter_amounts, strict=True):
        parts = _split(amount, [exact_months[i] for i in block], [month_caps[i] for i in block])
        for i, part in zip(block, parts, strict=True):
            months[i] = part
    weeks = _weeks(total, months, week_parts, windows)
    return CountPeriods(total, tuple(months), tuple(quarter_amounts), weeks)


def _weeks(
    total: int,
    months: Sequence[int],
    week_parts: Sequence[Mapping[int, Fraction]],
    windows: Mapping[tuple[int, ...], Fraction],
) -> tuple[int, ...]:
    """The total over ISO weeks by the days each holds of each month's whole amount; a week's
    cap is the monthly capacity of the days it holds."""
    if not week_parts:
        return ()
    exact = [sum((months[i] * f for i, f in parts.items()), Fraction(0)) for parts in week_parts]
    caps: list[int | None] = []
    for parts in week_parts:
        if all((i,) in windows for i in parts):
            caps.append(_floor(sum((windows[(i,)] * f for i, f in parts.items()), Fraction(0))))
        else:
            caps.append(None)
    return tuple(_split(total, exact, caps))


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
