"""A sheet's nearest KR weights found exactly, without a solver, ties included.

The weights model of :mod:`okrplan.solve.weights` (weight = step × k, k ≥ the minimum's steps,
Σ = 100, fixed weights as written; least total deviation from the ideals, then least largest
deviation: ``cost = Σ deviation × (n + 1) + max deviation``) has, on the sheets okrplan makes,
a handful of free KRs whose ideals are shares of the budget. Then every optimum rounds each
ideal down or up to a step (see :func:`nearest_weights`), and trying every such rounding is
exact and takes microseconds, where building one CP-SAT model costs importing OR-Tools (and
pandas with it), about 0.4 s.

Several roundings can be equally near: three KRs of ideal 33⅓% each in 5% steps are 35/35/30
in some order. CP-SAT returns whichever optimum its search meets first, which no rule
predicts (measured: of two equal ideals, it raised the first on some sheets and the second on
others). Here the rule is written down: **a KR listed earlier gets the larger weight**, i.e.
among the optima the weights that are greatest read from the sheet's first KR on (sheets list
outcome KRs before the activities that feed them). The tests check the cost against CP-SAT's
optimum and the choice against every weighting of small sheets, on random sheets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import combinations
from math import comb
from typing import Protocol

SCALE = 1000
"""Ideals are compared in thousandths of a percent (as the CP-SAT model compares them)."""

MAX_ROUNDINGS = 2000
"""Try at most this many roundings of a sheet; a larger one is left to CP-SAT (none occurs:
a sheet has at most 100 / step KRs, and only those whose ideal is not a whole step count)."""


class Fixable(Protocol):
    """A KR of a sheet as far as its weight goes: a fixed weight, or None."""

    @property
    def fixed(self) -> int | None: ...


def nearest_weights(
    items: Sequence[Fixable], ideals: Sequence[Fraction], step: int, minimum: int
) -> list[int] | None:
    """The weights model's optimum, the earlier KR's weight the larger among equal optima;
    None when the sheet is outside what this method proves (then CP-SAT decides).

    Each free weight is ``k·step``; its ideal ``t`` (in thousandths) lies between
    ``⌊t/s⌋·s`` and ``⌈t/s⌉·s``. When the ideals add up to the budget within one step (they
    do: they are shares of it), moving a step from a weight above its ``⌈t/s⌉`` (or below its
    ``⌊t/s⌋``) to one on the other side of its ideal lowers the total deviation and never
    raises the largest, so every optimum rounds each ideal down or up (never below the
    minimum). Every choice of which ideals round up is tried, in the order of
    :func:`itertools.combinations` (earliest KRs first), and the first of least cost is kept:
    of two equal-cost choices that differ first at KR ``i``, the one raising ``i`` comes
    first, so the weights kept are the greatest read from the first KR on.

    >>> from okrplan.solve.weights import WeightItem
    >>> third = Fraction(100, 3)
    >>> nearest_weights([WeightItem("a"), WeightItem("b"), WeightItem("c")],
    ...                 [third, third, third], step=5, minimum=5)
    [35, 35, 30]

    Worked by hand: each ideal 33.333 rounds to 30 (3.333 off) or 35 (1.667 off); two must
    round up to make 100, total deviation 1.667 + 1.667 + 3.333 = 6.667 whichever two; the
    first two listed get the 35s.
    """
    free = [n for n, i in enumerate(items) if i.fixed is None]
    targets = {n: round(ideals[n] * SCALE) for n in free}
    return nearest_steps(items, targets, step, minimum)


def nearest_steps(
    items: Sequence[Fixable], targets: Mapping[int, int], step: int, minimum: int
) -> list[int] | None:
    """:func:`nearest_weights` of the ideals rounded to thousandths of a percent already:
    ``targets[n]`` is ``round(ideal × SCALE)`` of each free item ``n`` (by its index; the
    only thing about an ideal the model compares)."""
    unit = step * SCALE
    low, high = -(-minimum // step), 100 // step
    fixed_sum = sum(i.fixed for i in items if i.fixed is not None)
    budget = (100 - fixed_sum) // step
    free = [n for n, i in enumerate(items) if i.fixed is None]
    total = sum(targets.values())
    clamped = sum(max(t, low * unit) for t in targets.values())
    if not (total > (budget - 1) * unit and clamped < (budget + 1) * unit):
        return None
    base: dict[int, int] = {}
    two: list[int] = []  # items that may round either way
    for n in free:
        down, up = max(targets[n] // unit, low), max(-(-targets[n] // unit), low)
        if up > high:
            return None
        base[n] = down
        if up > down:
            two.append(n)
    ups = budget - sum(base.values())
    if not 0 <= ups <= len(two) or comb(len(two), ups) > MAX_ROUNDINGS:
        return None
    raised = _cheapest(two, ups, base, targets, unit, len(items) + 1)
    return [
        i.fixed if i.fixed is not None else (base[n] + (n in raised)) * step
        for n, i in enumerate(items)
    ]


def _cheapest(
    two: Sequence[int],
    ups: int,
    base: Mapping[int, int],
    targets: Mapping[int, int],
    unit: int,
    weight: int,
) -> set[int]:
    """Which ``ups`` of the items ``two`` round up (the others and the rest stay at ``base``
    steps): least ``Σ deviation × weight + max deviation``, the earliest choice of equals."""
    best: tuple[int, ...] = ()
    best_cost = -1
    for chosen in combinations(two, ups):
        raised = set(chosen)
        deviations = [abs((k + (n in raised)) * unit - targets[n]) for n, k in base.items()]
        cost = sum(deviations) * weight + max(deviations)
        if best_cost < 0 or cost < best_cost:  # strictly less: the earliest of equals stays
            best, best_cost = chosen, cost
    return set(best)
