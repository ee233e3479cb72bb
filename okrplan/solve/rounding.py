"""Rounding quotas to the money step with totals preserved exactly.

Quotas are integers of the step (10万 by default). A group's quota is its headcount times a
per-person quota, so a group of 10 moves in grains of 10 steps; a unit moves in single steps.
Each unit's children are given integers that sum exactly to what the unit passes down, each as
close to its ideal as the grains allow, never above its capacity.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from okrplan.model import Status
from okrplan.solve.options import DEFAULT_OPTIONS, SolverOptions, new_solver, status_of


def achievable(
    total: Fraction,
    grains: Sequence[int],
    caps: Sequence[int | None] | None = None,
    fixed: Sequence[int | None] | None = None,
    at_least: Fraction | None = None,
) -> int:
    """The sum ``Σ k·grain`` nearest to ``total`` (ties upward) that the grains can really make:
    :func:`achievable_ints` of a fraction (the solver calls that with integers; this is its
    worked examples' front end).

    ``caps`` and ``fixed`` count grains, as in :func:`split_grains`. With ``at_least``, the
    result is not below it if some sum reaches it (a unit never passes down less than its own
    target); if none does, it is the largest sum the caps allow.

    >>> achievable(Fraction(9681), [10, 4])
    9682
    >>> achievable(Fraction(969, 1), [1, 10])
    969
    >>> achievable(Fraction(1), [2, 3])  # 1 is no sum of 2s and 3s; 0 and 2 tie, upward wins
    2
    >>> achievable(Fraction(969), [10, 2], caps=[55, 38])  # 550 + 76 is all they can carry
    626
    >>> achievable(Fraction(804), [10]), achievable(Fraction(804), [10], at_least=Fraction(804))
    (800, 810)
    """
    least = None if at_least is None else (at_least.numerator, at_least.denominator)
    return achievable_ints(total.numerator, total.denominator, grains, caps, fixed, least)


def achievable_ints(
    num: int,
    den: int,
    grains: Sequence[int],
    caps: Sequence[int | None] | None = None,
    fixed: Sequence[int | None] | None = None,
    at_least: tuple[int, int] | None = None,
) -> int:
    """:func:`achievable` of the total ``num / den`` (``den`` > 0) and ``at_least`` as a
    numerator and a positive denominator, neither reduced: every test on them is a
    comparison, alike for any positive multiple (a fraction made per unit, and its gcd, was
    a good part of a large organisation's rounding).

    >>> achievable_ints(8044, 10, [10], at_least=(804, 1))  # 804.4, at least 804
    810
    """
    count = len(grains)
    caps = list(caps) if caps is not None else [None] * count
    fixed = list(fixed) if fixed is not None else [None] * count
    base = sum(f * g for f, g in zip(fixed, grains, strict=True) if f is not None)
    free = [
        (g, c)
        for g, c, f in zip(grains, caps, fixed, strict=True)
        if f is None and g > 0 and (c is None or c > 0)
    ]
    # in integers: total = num / den, at least = least / per (a fraction per comparison
    # was most of the work of this function, which runs for every unit)
    least, per = at_least if at_least is not None else (0, 1)
    top = num * per >= least * den  # the total is the larger of the two
    if not free or (num < base * den if top else least < base * per):
        return base
    limit = (-(-num // den) if top else -(-least // per)) - base + max(g for g, _ in free)
    if all(c is not None for _, c in free):
        limit = min(limit, sum(g * (c or 0) for g, c in free))
    if limit > 4_000_000:  # too large to enumerate: the grains' gcd grid (caps unchecked)
        return _on_grid(
            Fraction(num, den), base, free, None if at_least is None else Fraction(least, per)
        )
    sums = _Grid.of(free, limit) if all(c is None for _, c in free) else _Sums.of(free, limit)
    low, high = sums.below(num // den - base), sums.above(-(-num // den) - base)
    # high - goal <= goal - low, with goal = total - base
    if low is None or (high is not None and (high + low) * den <= 2 * (num - base * den)):
        best = high if high is not None else sums.largest()
    else:
        best = low
    if at_least is not None and (base + best) * per < least:
        enough = sums.above(-(-least // per) - base)
        best = enough if enough is not None else sums.largest()
    return base + best


def _on_grid(
    total: Fraction, base: int, free: Sequence[tuple[int, int | None]], at_least: Fraction | None
) -> int:
    """:func:`achievable` for sums too large to enumerate: the multiple of the free grains'
    gcd nearest to ``total - base`` (not below ``at_least``), caps unchecked."""
    step = math.gcd(*(g for g, _ in free))
    value = math.floor((total - base) / step + Fraction(1, 2)) * step
    while at_least is not None and base + value < at_least:
        value += step
    return base + value


@dataclass(frozen=True, slots=True)
class _Sums:
    """The sums some grains can make: bit s of ``reach`` is set when they can sum to s
    (``dense``: every sum from 0 to ``top``, as grains of 1 make, and ``reach`` unused)."""

    reach: int
    top: int
    dense: bool

    @classmethod
    def of(cls, free: Sequence[tuple[int, int | None]], limit: int) -> _Sums:
        """The sums up to ``limit`` of the ``(grain, cap)`` pairs (cap None: no cap)."""
        if all(g == 1 for g, _ in free):
            top = (
                limit
                if any(c is None for _, c in free)
                else min(limit, sum(c or 0 for _, c in free))
            )
            return cls(0, top, True)  # every sum: no bits to make
        reach = 1
        mask = (1 << (limit + 1)) - 1
        for grain, cap in free:
            # more than limit // grain of a grain reaches past the limit: no use, and a huge
            # cap would make huge shifts
            left, chunk = min(limit // grain, cap if cap is not None else limit), 1
            while left > 0:  # binary splitting: chunks 1, 2, 4, … make every count up to cap
                take = min(chunk, left)
                reach |= (reach << (take * grain)) & mask
                left, chunk = left - take, chunk * 2
        return cls(reach, limit, False)

    def below(self, x: int) -> int | None:
        """The largest sum at most ``x``, or None."""
        if x < 0:
            return None
        if self.dense:
            return min(x, self.top)
        return (self.reach & ((1 << (x + 1)) - 1)).bit_length() - 1

    def above(self, x: int) -> int | None:
        """The smallest sum at least ``x``, or None."""
        if self.dense:
            return max(x, 0) if max(x, 0) <= self.top else None
        rest = self.reach >> max(x, 0)
        return max(x, 0) + (rest & -rest).bit_length() - 1 if rest else None

    def largest(self) -> int:
        """The largest sum."""
        return self.top if self.dense else self.reach.bit_length() - 1


@dataclass(frozen=True, slots=True)
class _Grid:
    """:class:`_Sums` of grains without caps, mostly without enumerating them: every multiple
    of the grains' gcd ``step`` from ``start`` up to ``top`` is a sum (with the grains ÷ step
    ``a`` the least and ``b`` the largest, each whole number from ``(a-1)(b-1)`` on is a sum
    of them: Schur's bound on the Frobenius number), and no other number is. Below ``start``
    the sums are enumerated, when asked."""

    free: tuple[tuple[int, int | None], ...]
    top: int
    step: int
    start: int

    @classmethod
    def of(cls, free: Sequence[tuple[int, int | None]], limit: int) -> _Grid:
        step = math.gcd(*(g for g, _ in free))
        least, most = min(g for g, _ in free) // step, max(g for g, _ in free) // step
        return cls(tuple(free), limit, step, step * (least - 1) * (most - 1))

    def below(self, x: int) -> int | None:
        """The largest sum at most ``x``, or None."""
        if x < 0:
            return None
        y = min(x, self.top)
        found = y - y % self.step
        return found if found >= self.start else _Sums.of(self.free, self.top).below(x)

    def above(self, x: int) -> int | None:
        """The smallest sum at least ``x``, or None."""
        y = max(x, 0)
        found = y + (-y) % self.step
        if found > self.top:
            return None
        return found if found >= self.start else _Sums.of(self.free, self.top).above(x)

    def largest(self) -> int:
        """The largest sum."""
        found = self.top - self.top % self.step
        return found if found >= self.start else _Sums.of(self.free, self.top).largest()


def split_grains(
    total: int,
    ideals: Sequence[Fraction],
    grains: Sequence[int],
    caps: Sequence[int | None],
    fixed: Sequence[int | None],
) -> list[int]:
    """Integers ``k`` with ``Σ k·grain = total``, ``k·grain`` near each ideal, within caps.

    ``caps`` and ``fixed`` count grains. Greedy by largest shortfall in grains first; when the
    grains cannot meet the total that way, a small CP-SAT model finds the exact combination.

    >>> split_grains(968, [Fraction(551), Fraction(77), Fraction(174), Fraction(166)],
    ...              [10, 2, 3, 3], [55, 38, 82, 200], [None] * 4)
    [55, 38, 58, 56]
    """
    return split_grains_status(total, ideals, grains, caps, fixed)[0]


def split_grains_status(
    total: int,
    ideals: Sequence[Fraction],
    grains: Sequence[int],
    caps: Sequence[int | None],
    fixed: Sequence[int | None],
    options: SolverOptions = DEFAULT_OPTIONS,
) -> tuple[list[int], Status]:
    """:func:`split_grains`, and whether the split is proven nearest (``FEASIBLE`` when a
    solver's limit stopped the proof)."""
    den = math.lcm(*(x.denominator for x in ideals)) if ideals else 1
    nums = [x.numerator * (den // x.denominator) for x in ideals]
    return split_ints(total, nums, den, grains, caps, fixed, options)


def split_ints(
    total: int,
    nums: Sequence[int],
    den: int,
    grains: Sequence[int],
    caps: Sequence[int | None],
    fixed: Sequence[int | None],
    options: SolverOptions = DEFAULT_OPTIONS,
) -> tuple[list[int], Status]:
    """:func:`split_grains_status` of the ideals ``nums[i] / den`` (``den`` > 0), in integers:
    this runs for every unit (~6,500 at 100,000 people), and fractions would be most of it.

    >>> split_ints(968, [5510, 770, 1740, 1660], 10, [10, 2, 3, 3], [55, 38, 82, 200], [None] * 4)
    ([55, 38, 58, 56], <Status.OPTIMAL: 'optimal'>)
    """
    # Every ideal ÷ grain over one common denominator ``common``: a shortfall
    # ``ideal ÷ grain - k`` is ``(scaled - k·common) ÷ common``, in the same order (fractions
    # in the heap would cost a call per compare). Any common multiple gives the same order.
    sizes = [den * g for g in grains]
    common = math.lcm(*sizes) if sizes else 1
    scaled = [n * (common // d) for n, d in zip(nums, sizes, strict=True)]
    counts = [
        f if f is not None else min(n // d, c if c is not None else 10**18)
        for n, d, c, f in zip(nums, sizes, caps, fixed, strict=True)
    ]
    left = total - sum(k * g for k, g in zip(counts, grains, strict=True))
    if left >= 0:
        heap = [(k * common - a, i) for i, (a, k) in enumerate(zip(scaled, counts, strict=True))]
        heap = [entry for entry in heap if fixed[entry[1]] is None]
        heapq.heapify(heap)
        while left > 0 and heap:
            _, i = heapq.heappop(heap)
            cap = caps[i]
            if grains[i] > left or (cap is not None and counts[i] >= cap):
                continue
            counts[i] += 1
            left -= grains[i]
            heapq.heappush(heap, (counts[i] * common - scaled[i], i))
    if left == 0:
        return counts, Status.OPTIMAL
    targets = [_round_half_even(n, den) for n in nums]
    return _exact(total, targets, grains, caps, fixed, options)


def _round_half_even(num: int, den: int) -> int:
    """``round(Fraction(num, den))``: the nearest integer, ties to even (``den`` > 0).

    >>> [_round_half_even(n, 2) for n in (1, 3, 5, -1, -3)], _round_half_even(7, 3)
    ([0, 2, 2, 0, -2], 2)
    """
    floor, rest = divmod(num, den)
    if rest * 2 < den:
        return floor
    if rest * 2 > den or floor % 2:
        return floor + 1
    return floor


def _exact(
    total: int,
    targets: Sequence[int],
    grains: Sequence[int],
    caps: Sequence[int | None],
    fixed: Sequence[int | None],
    options: SolverOptions,
) -> tuple[list[int], Status]:
    """The counts nearest the targets (each ideal rounded: least total deviation) that sum
    exactly to the total; among equally near splits, the one that gives earlier children more
    (the lexicographically greatest counts). Found by a bounded search; a split too large for
    it goes to CP-SAT."""
    try:
        found = _search(total, targets, grains, caps, fixed)
    except _TooLarge:
        found = None
    if found == "infeasible":
        if any(c is not None for c in caps):
            return _exact(total, targets, grains, [None] * len(caps), fixed, options)
        raise ValueError(f"no way to split {total} into grains {list(grains)}")
    if isinstance(found, list):
        return found, Status.OPTIMAL
    return _solver_exact(total, targets, grains, caps, fixed, options)


class _TooLarge(Exception):
    """The search would take longer than a solver."""


def _search(
    total: int,
    targets: Sequence[int],
    grains: Sequence[int],
    caps: Sequence[int | None],
    fixed: Sequence[int | None],
    budget: int = 200_000,
) -> list[int] | str:
    """Depth-first search for the split of least total deviation ``Σ |k·grain - round(ideal)|``
    (ties: the lexicographically greatest counts).

    Returns the split, or ``"infeasible"`` if no split exists within the caps. A branch is cut
    when its deviation so far plus ``|what is left - Σ the ideals left|`` (no split of the
    rest deviates less) exceeds the best found, and when what is left cannot be made of the
    rest's grains. Raises :class:`_TooLarge` past ``budget`` nodes.

    Items with one possible count (fixed, or a cap of 0) are set first and left out of the
    search: their grains would weaken the cut on what the rest can make (one group of
    nobody among five children made a search of 40,000 nodes instead of a few hundred), and
    with their counts the same in every split, the nearest split and the ties' order are
    the same without them.
    """
    if not grains or any(g <= 0 for g in grains):
        raise _TooLarge  # nothing to search: the solver decides
    pinned = [
        f if f is not None else 0 if c is not None and c <= 0 else None
        for f, c in zip(fixed, caps, strict=True)
    ]
    free = [i for i, p in enumerate(pinned) if p is None]
    left = total - sum(p * g for p, g in zip(pinned, grains, strict=True) if p is not None)
    if not free:
        return [p or 0 for p in pinned] if left == 0 else "infeasible"
    pick = [targets[i] for i in free], [grains[i] for i in free], [caps[i] for i in free]
    search = _Search(left, *pick, [None] * len(free), budget)
    search.visit(0, left, 0)
    if search.best < 0:
        return "infeasible"
    counts = iter(search.split)
    return [p if p is not None else next(counts) for p in pinned]


class _Search:
    """One run of :func:`_search`: each item's bounds, what the items from ``i`` on can sum
    to, and the best split found so far."""

    def __init__(
        self,
        total: int,
        targets: Sequence[int],
        grains: Sequence[int],
        caps: Sequence[int | None],
        fixed: Sequence[int | None],
        budget: int,
    ) -> None:
        count = len(grains)
        self.grains, self.budget, self.last = grains, budget, count - 1
        self.targets = list(targets)
        self.lows = [f if f is not None else 0 for f in fixed]
        self.highs = [
            max(lo, f if f is not None else (c if c is not None else total // g + 1))
            for lo, f, c, g in zip(self.lows, fixed, caps, grains, strict=True)
        ]
        # what items i.. can sum to at least / most, Σ their targets, the gcd of their grains
        self.least, self.most = [0] * (count + 1), [0] * (count + 1)
        self.rest, self.step = [0] * (count + 1), [0] * (count + 1)
        for i in range(count - 1, -1, -1):
            self.least[i] = self.least[i + 1] + self.lows[i] * grains[i]
            self.most[i] = self.most[i + 1] + self.highs[i] * grains[i]
            self.rest[i] = self.rest[i + 1] + self.targets[i]
            self.step[i] = math.gcd(self.step[i + 1], grains[i])
        self.best = -1  # the least deviation found
        self.split: list[int] = []
        self.chosen = [0] * count
        self.nodes = 0

    def visit(self, i: int, left: int, cost: int) -> None:
        """Try every count of item ``i`` that can still beat the best, ``left`` to split
        among items ``i``.. at deviation ``cost`` so far."""
        self.nodes += 1
        if self.nodes > self.budget:
            raise _TooLarge
        if i == self.last:
            self._leaf(i, left, cost)
            return
        if i == self.last - 1:
            self._pairs(i, left, cost)
            return
        grain, target, rest = self.grains[i], self.targets[i], self.rest[i + 1]
        # every count's bound is at least this (the triangle inequality): once it exceeds
        # the best, the counts left are all cut
        floor = cost + abs(left - target - rest)
        for run, inner in self._runs(i, left):
            for k in run:
                part = k * grain
                bound = cost + abs(part - target) + abs(left - part - rest)
                if self.best >= 0 and bound > self.best:
                    if floor > self.best:
                        return  # no count of this item can beat the best
                    if inner:
                        continue
                    break  # outside the flat part the bound only grows
                self.chosen[i] = k
                self.visit(i + 1, left - part, cost + abs(part - target))

    def _pairs(self, i: int, left: int, cost: int) -> None:
        """:meth:`visit` of the last but one item, its visits of the last item made in line
        (most visits are of the last item: a call each was most of the search's time). Each
        still counts as a node. (Items with one possible count are set aside before the
        search and count none: a split that once ran out of the budget and went to CP-SAT may
        now be settled here, at the same least deviation and by the documented rule for ties.)"""
        grain, target = self.grains[i], self.targets[i]
        g_last, t_last = self.grains[i + 1], self.targets[i + 1]
        low, high = self.lows[i + 1], self.highs[i + 1]
        chosen = self.chosen
        floor = cost + abs(left - target - t_last)  # as in visit
        for run, inner in self._runs(i, left):
            for k in run:
                part = k * grain
                here = cost + abs(part - target)
                bound = here + abs(left - part - t_last)
                if self.best >= 0 and bound > self.best:
                    if floor > self.best:
                        return  # no count of this item can beat the best
                    if inner:
                        continue
                    break  # outside the flat part the bound only grows
                self.nodes += 1
                if self.nodes > self.budget:
                    raise _TooLarge
                last = (left - part) // g_last  # a whole count: _runs kept only those
                if not low <= last <= high:
                    continue
                chosen[i], chosen[i + 1] = k, last
                if (
                    self.best < 0
                    or bound < self.best
                    or (bound == self.best and chosen > self.split)
                ):
                    self.best = bound
                    self.split[:] = chosen

    def _leaf(self, i: int, left: int, cost: int) -> None:
        """The last item takes what is left, if its grain and bounds allow."""
        grain = self.grains[i]
        if left % grain:
            return
        k = left // grain
        if not self.lows[i] <= k <= self.highs[i]:
            return
        total_cost = cost + abs(k * grain - self.targets[i])
        self.chosen[i] = k
        if (
            self.best < 0
            or total_cost < self.best
            or (total_cost == self.best and self.chosen > self.split)
        ):
            self.best = total_cost
            self.split[:] = self.chosen

    def _runs(self, i: int, left: int) -> list[tuple[range, bool]]:
        """Item ``i``'s counts in the order to try them, with whether each run is inside the
        flat part of the bound: within its bounds, leaving what the rest can make, and only
        the counts whose remainder the rest's grains can divide (the others were visits
        that did nothing: skipping them leaves every visit and the search's order as is)."""
        grain, target = self.grains[i], self.targets[i]
        low = max(self.lows[i], -((self.most[i + 1] - left) // grain))
        high = min(self.highs[i], (left - self.least[i + 1]) // grain)
        if low > high:
            return []
        # k·grain ≡ left (mod the rest's gcd): none, or one class of k modulo ``every``
        step = self.step[i + 1]
        shared = math.gcd(grain, step)
        if left % shared:
            return []
        every = step // shared
        first = (left // shared) * pow(grain // shared, -1, every) % every if every > 1 else 0
        # the bound |k·g - t| + |left - k·g - rest| is flat between these and grows outside
        a, b = sorted((target // grain, (left - self.rest[i + 1]) // grain))
        a, b = max(low, a), min(high, b + 1)
        inner = range(a + (first - a) % every, b + 1, every) if a <= b else range(0)
        down = min(a, high + 1) - 1
        up = max(b, low - 1) + 1
        return [
            (inner, True),
            (range(down - (down - first) % every, low - 1, -every), False),
            (range(up + (first - up) % every, high + 1, every), False),
        ]


def _solver_exact(
    total: int,
    targets: Sequence[int],
    grains: Sequence[int],
    caps: Sequence[int | None],
    fixed: Sequence[int | None],
    options: SolverOptions,
) -> tuple[list[int], Status]:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    counts, deviations = [], []
    for i, (target, grain, cap, fix) in enumerate(zip(targets, grains, caps, fixed, strict=True)):
        upper = fix if fix is not None else (cap if cap is not None else total // grain + 1)
        lower = fix if fix is not None else 0
        k = model.new_int_var(lower, max(lower, upper), f"k{i}")
        d = model.new_int_var(0, total + 10 * grain, f"d{i}")
        model.add(k * grain - target <= d)
        model.add(target - k * grain <= d)
        counts.append(k)
        deviations.append(d)
    model.add(sum(k * g for k, g in zip(counts, grains, strict=True)) == total)
    model.minimize(sum(deviations))
    solver = new_solver(options)
    status = status_of(solver.solve(model))
    if not status.is_ok:
        if any(c is not None for c in caps):
            return _solver_exact(total, targets, grains, [None] * len(caps), fixed, options)
        raise ValueError(f"no way to split {total} into grains {list(grains)}")
    return [int(solver.value(k)) for k in counts], status
