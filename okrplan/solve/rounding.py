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
from fractions import Fraction


def achievable(total: Fraction, grains: Sequence[int]) -> int:
    """The multiple of the grains' gcd nearest to ``total`` (ties upward).

    >>> achievable(Fraction(9681), [10, 4])
    9682
    >>> achievable(Fraction(969, 1), [1, 10])
    969
    """
    step = math.gcd(*grains) if grains else 1
    return math.floor(total / step + Fraction(1, 2)) * step


def split_grains(total: int, ideals: Sequence[Fraction], grains: Sequence[int],
                 caps: Sequence[int | None], fixed: Sequence[int | None]) -> list[int]:
    """Integers ``k`` with ``Σ k·grain = total``, ``k·grain`` near each ideal, within caps.

    ``caps`` and ``fixed`` count grains. Greedy by largest shortfall in grains first; when the
    grains cannot meet the total that way, a small CP-SAT model finds the exact combination.

    >>> split_grains(968, [Fraction(551), Fraction(77), Fraction(174), Fraction(166)],
    ...              [10, 2, 3, 3], [55, 38, 82, 200], [None] * 4)
    [55, 38, 58, 56]
    """
    counts = [f if f is not None else min(int(x // g), c if c is not None else 10**18)
              for x, g, c, f in zip(ideals, grains, caps, fixed, strict=True)]
    left = total - sum(k * g for k, g in zip(counts, grains, strict=True))
    if left >= 0:
        heap = [(-(x / g - k), i) for i, (x, g, k) in enumerate(zip(ideals, grains, counts,
                                                                     strict=True))
                if fixed[i] is None]
        heapq.heapify(heap)
        skipped = []
        while left > 0 and heap:
            key, i = heapq.heappop(heap)
            cap = caps[i]
            if grains[i] > left or (cap is not None and counts[i] >= cap):
                skipped.append((key, i))
                continue
            counts[i] += 1
            left -= grains[i]
            heapq.heappush(heap, (-(ideals[i] / grains[i] - counts[i]), i))
    if left == 0:
        return counts
    return _exact(total, ideals, grains, caps, fixed)


def _exact(total: int, ideals: Sequence[Fraction], grains: Sequence[int],
           caps: Sequence[int | None], fixed: Sequence[int | None]) -> list[int]:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    counts, deviations = [], []
    for i, (ideal, grain, cap, fix) in enumerate(zip(ideals, grains, caps, fixed, strict=True)):
        upper = fix if fix is not None else (cap if cap is not None else total // grain + 1)
        lower = fix if fix is not None else 0
        k = model.new_int_var(lower, max(lower, upper), f"k{i}")
        d = model.new_int_var(0, total + 10 * grain, f"d{i}")
        target = round(ideal)
        model.add(k * grain - target <= d)
        model.add(target - k * grain <= d)
        counts.append(k)
        deviations.append(d)
    model.add(sum(k * g for k, g in zip(counts, grains, strict=True)) == total)
    model.minimize(sum(deviations))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if any(c is not None for c in caps):
            return _exact(total, ideals, grains, [None] * len(caps), fixed)
        raise ValueError(f"no way to split {total} into grains {list(grains)}")
    return [int(solver.value(k)) for k in counts]
