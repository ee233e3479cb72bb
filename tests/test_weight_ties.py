"""KR weights decided without a solver (okrplan.solve.ties), ties included: by hand, against
every weighting of small sheets, and against CP-SAT's optimum on random sheets."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from fractions import Fraction
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan.solve import weights as weights_module
from okrplan.solve.ties import SCALE, nearest_weights
from okrplan.solve.weights import WeightItem, ideal_weights, weights_status

EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "6")) * 5


def cost(items: Sequence[WeightItem], ideals: Sequence[Fraction], weights: Sequence[int]) -> int:
    """The weights model's objective: Σ deviation × (n + 1) + max deviation, in thousandths."""
    deviations = [
        abs(w * SCALE - round(t * SCALE))
        for i, t, w in zip(items, ideals, weights, strict=True)
        if i.fixed is None
    ]
    return sum(deviations) * (len(items) + 1) + max(deviations)


def test_the_exact_method_compares_ideals_as_the_model_does() -> None:
    assert SCALE == weights_module.SCALE  # thousandths of a percent in both


def test_five_equal_ideals_and_a_fixed_weight() -> None:
    # The tied sheet of the 10k benchmark: five KRs of ideal 19% and one fixed at 5%, 5% steps.
    # Each 19 rounds to 15 (4 off) or 20 (1 off); 95 = 19 steps, so four round up whichever
    # four: total deviation 4 × 1 + 4 = 8, largest 4. The first four listed get the 20s.
    items = [WeightItem(f"kr{n}") for n in range(5)] + [WeightItem("fixed", fixed=5)]
    ideals = [Fraction(19)] * 5 + [Fraction(5)]
    assert nearest_weights(items, ideals, step=5, minimum=5) == [20, 20, 20, 20, 15, 5]


def test_two_equal_ideals_beside_a_small_one() -> None:
    # 100% over leverages 8 : 1 : 8 → ideals 47.06, 5.88, 47.06 (800/17, 100/17, 800/17).
    # 5.88 → 5 (0.88 off; 10 would be 4.12 off); the two 47.06 make 95: 50 + 45 either way,
    # deviations 2.94 + 2.06. The first listed gets 50.
    items = [WeightItem("a", leverage=Fraction(8)), WeightItem("b", leverage=Fraction(1))]
    items.append(WeightItem("c", leverage=Fraction(8)))
    ideals = ideal_weights(items, "leverage", 100, 5)
    assert ideals == [Fraction(800, 17), Fraction(100, 17), Fraction(800, 17)]
    assert nearest_weights(items, ideals, step=5, minimum=5) == [50, 5, 45]


def test_a_unique_optimum_is_the_seed_example() -> None:
    # weights.py's worked example: revenue 35, collections 30, opportunities 10, visits 5,
    # calls 5 and three manual KRs at 5 (its optimum is the only one).
    leverages = [1, Fraction(95, 100), Fraction(1, 4), Fraction(1, 8), Fraction(1, 16), 0, 0, 0]
    items = [WeightItem(f"kr{n}", leverage=Fraction(v)) for n, v in enumerate(leverages)]
    ideals = ideal_weights(items, "leverage", 100, 5)
    assert nearest_weights(items, ideals, step=5, minimum=5) == [35, 30, 10, 5, 5, 5, 5, 5]


def compositions(total: int, parts: int, low: int, high: int) -> Iterator[tuple[int, ...]]:
    """Every tuple of ``parts`` integers in [low, high] that adds up to ``total``."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    for first in range(low, min(high, total - low * (parts - 1)) + 1):
        for rest in compositions(total - first, parts - 1, low, high):
            yield (first, *rest)


@st.composite
def tied_sheets(draw: st.DrawFn) -> tuple[list[WeightItem], int, int]:
    """Sheets of few KRs whose leverages repeat (so that equal optima are common)."""
    step = draw(st.sampled_from([1, 2, 5, 10]))
    minimum = step * draw(st.integers(0, 2))
    pool = [Fraction(0), Fraction(1), Fraction(1, 3), Fraction(2), Fraction(5, 7)]
    items = []
    fixed_total = 0
    for n in range(draw(st.integers(1, 6))):
        fixed = None
        if draw(st.integers(0, 4)) == 0 and fixed_total < 40:
            fixed = step * draw(st.integers(max(1, -(-minimum // step)), 20 // step))
            fixed_total += fixed
        items.append(WeightItem(f"kr{n}", fixed, draw(st.sampled_from(pool))))
    return items, step, minimum


@settings(max_examples=EXAMPLES, deadline=None)
@given(tied_sheets(), st.sampled_from(["leverage", "equal"]))
def test_random_sheets_match_every_weighting_and_cp_sat(
    sheet: tuple[list[WeightItem], int, int], rule: str
) -> None:
    items, step, minimum = sheet
    fixed_sum = sum(i.fixed or 0 for i in items)
    free = [n for n, i in enumerate(items) if i.fixed is None]
    budget = 100 - fixed_sum
    if not free or budget % step or len(free) * minimum > budget:
        return  # refused by weights_status before any weighting (tested in test_weights_scores)
    ideals = ideal_weights(items, rule, budget, minimum)
    found = nearest_weights(items, ideals, step, minimum)
    if found is None:
        return  # left to CP-SAT
    assert sum(found) == 100
    assert all(w % step == 0 and w >= minimum for w in found)
    assert all(w == i.fixed for w, i in zip(found, items, strict=True) if i.fixed is not None)
    # CP-SAT on the same sheet (the exact method turned off): the same least cost
    with mock.patch.object(weights_module, "nearest_steps", return_value=None):
        solved, _ = weights_status(items, rule=rule, step=step, minimum=minimum, sheet="S")
    assert cost(items, ideals, found) == cost(items, ideals, solved)
    if step < 5 or len(free) > 5:
        return
    # every weighting of the free KRs: the optima, and the one the rule picks
    options = []
    for ks in compositions(budget // step, len(free), -(-minimum // step), 100 // step):
        weights = [i.fixed or 0 for i in items]
        for n, k in zip(free, ks, strict=True):
            weights[n] = k * step
        options.append((cost(items, ideals, weights), [-w for w in weights]))
    least = min(c for c, _ in options)
    assert cost(items, ideals, found) == least
    assert found == [-w for w in min(neg for c, neg in options if c == least)]


@settings(max_examples=EXAMPLES, deadline=None)
@given(tied_sheets(), st.integers(1, 10**6), st.integers(1, 10**6))
def test_the_integer_key_is_the_ideals_rounded(
    sheet: tuple[list[WeightItem], int, int], numerator: int, denominator: int
) -> None:
    # the key's targets are round(ideal × 1000) of ideal_weights' fractions, and any positive
    # common factor of the leverages (a quota that cancels out) leaves the key as it is
    items, step, minimum = sheet
    fixed = [i.fixed for i in items]
    budget = 100 - sum(w for w in fixed if w is not None)
    ideals = ideal_weights(items, "leverage", budget, minimum)
    scale = Fraction(numerator, denominator)
    raws = [i.leverage * scale for i in items if i.fixed is None]
    common = denominator * 5 * 7 * 3  # every leverage's denominator divides it
    ints = [int(r * common) for r in raws]
    key = weights_module.sheet_key(fixed, ints, step, minimum)
    assert key[:2] == (step, minimum)
    assert list(key[2]) == [
        w if w is not None else (round(t * SCALE),) for w, t in zip(fixed, ideals, strict=True)
    ]
