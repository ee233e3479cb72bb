"""The hire search (a greedy, okrplan.solve.hires.cover) against a CP-SAT model of the same
problem on random instances: the same fewest hires, and None exactly when CP-SAT finds no
solution. The README's Scale section says the solve stage finds hires this way."""

from __future__ import annotations

import random

import pytest

from okrplan.solve.hires import cover


def _cp_sat(short: int, reach: list[tuple[int, int]]) -> int | None:
    """min Σh subject to Σ c·h ≥ short, 0 ≤ h ≤ limit, by CP-SAT (None: infeasible)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    hires = [model.new_int_var(0, limit, f"h{i}") for i, (_, limit) in enumerate(reach)]
    model.add(sum(c * h for (c, _), h in zip(reach, hires, strict=True)) >= short)
    model.minimize(sum(hires))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return None
    assert status == cp_model.OPTIMAL
    return int(solver.objective_value)


@pytest.mark.parametrize("seed", range(4))
def test_the_greedy_finds_cp_sats_fewest_hires(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        groups = rng.randint(0, 6)
        reach = [(rng.randint(1, 50), rng.choice([0, 1, 2, 3, 5, 100_000])) for _ in range(groups)]
        short = rng.randint(-20, 400)
        found = cover(short, reach)
        best = _cp_sat(short, reach)
        if best is None:
            assert found is None, (short, reach)
            continue
        assert found is not None, (short, reach)
        assert sum(found) == best, (short, reach, found)
        assert all(0 <= n <= limit for n, (_, limit) in zip(found, reach, strict=True))
        assert sum(c * n for (c, _), n in zip(reach, found, strict=True)) >= short


def test_a_hand_worked_instance() -> None:
    # short 10: contributions 7 (at most 1) and 5 (at most 2): 7 + 5 = 12 ≥ 10 with 2 hires;
    # no single hire reaches 10
    assert cover(10, [(5, 2), (7, 1)]) == [1, 1]
    # 7 + 5 + 5 = 17 < 20: out of reach
    assert cover(20, [(5, 2), (7, 1)]) is None
