"""Priced hires (``hire: {cost: …}``, ``plan.hiring_budget``): the cheapest hires by CP-SAT,
checked against plans worked out by hand in the comments.

The funnel: one visit brings 20% × 10万 = 2万. Every role sits in 销售部 under 公司 (one
region, no buffer), on board from January, no ramp, even seasonality, so a person's year is
12 × visits a month × 2万:
- 老员工: 2 people, 10 visits a month: 240万 each, 480万 together (they cannot hire);
- 资深 (hires only): 20 visits a month: 480万 a hire;
- 新人 (hires only): 10 visits a month: 240万 a hire.
The target 1680万 leaves 1680万 − 480万 = 1200万 for hires: 480万·a + 240万·b ≥ 1200万.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.export.planjson import to_json
from okrplan.solve.hire_costs import Cover, Option, solve_covers
from okrplan.solve.options import DEFAULT_OPTIONS

FUNNEL = {
    "revenue": {"name": "销售额", "kind": "money"},
    "deals": {"name": "成交项目", "unit": "个", "yields": {"revenue": "10万"}},
    "visits": {"name": "客户拜访", "unit": "家次", "yields": {"deals": "20%"}},
}
SENIOR, JUNIOR = "r:公司/销售部/资深+hires", "r:公司/销售部/新人+hires"


def target(senior: Any, junior: Any, kpi: str = "1680万", **plan: Any) -> dict[str, Any]:
    def role(name: str, visits: int, hire: Any) -> dict[str, Any]:
        entry = {"role": name, "headcount": 0, "sells": "deals", "hire": hire}
        return {**entry, "capacity": {"visits": f"{visits}/月"}}

    roles = [
        {"role": "老员工", "headcount": 2, "sells": "deals", "capacity": {"visits": "10/月"}},
        role("资深", 20, senior),
        role("新人", 10, junior),
    ]
    return minimal_target(
        plan=plan,
        kpi={"metric": "revenue", "target": kpi},
        metrics=FUNNEL,
        org={"name": "公司", "units": [{"name": "销售部", "roles": roles}]},
    )


def test_without_costs_the_fewest_people(write_target: Callable[..., Path]) -> None:
    # 3 资深 reach 1440万 ≥ 1200万; no 2 hires reach 1200万 (2 × 480万 = 960万)
    plan = api.decompose(write_target(target(True, True)))
    assert plan.solver.hires == {SENIOR: 3}


def test_costs_choose_the_cheaper_reach(write_target: Callable[..., Path]) -> None:
    # 资深 50万 for 480万 (10.4万 per 100万 of reach), 新人 20万 for 240万 (8.3万): 新人 is
    # cheaper per reach. The covers of 1200万 that waste nothing, and their cost 50a + 20b:
    #   a=3: 150万;  a=2, b=1: 120万;  a=1, b=3: 110万;  a=0, b=5: 100万 ← the cheapest
    plan = api.decompose(write_target(target({"cost": "50万"}, {"cost": "20万"})))
    assert plan.solver.status == "optimal"
    assert plan.solver.hires == {JUNIOR: 5}


def test_a_binding_budget_with_a_hiring_limit(write_target: Callable[..., Path]) -> None:
    # 新人 at most 3: the covers are a=1, b=3: 110万; a=2, b=1: 120万; a=3: 150万. The budget
    # of exactly 110万 binds: the cheapest plan costs all of it.
    plan = api.decompose(
        write_target(target({"cost": "50万"}, {"cost": "20万", "max": 3}, hiring_budget="110万"))
    )
    assert plan.solver.status == "optimal"
    assert plan.solver.hires == {SENIOR: 1, JUNIOR: 3}


def test_the_buffer_and_the_kpi_hires_are_priced_too(write_target: Callable[..., Path]) -> None:
    # 1440万 with a 10% buffer per level: the roles (two levels down) carry 1440 × 1.21 =
    # 1742.4万, less the 480万 of 老员工: 1262.4万 for hires (新人 at most 3). The covers:
    #   a=2, b=2: 1440万 for 140万 ← the cheapest;  a=3: 150万;  a=2, b=3: 160万
    #   (a=1, b=3 reach 1200万 and a=2, b=1 1200万: short)
    # Without the buffer, 1440 − 480 = 960万 among those hires: a=1, b=2 (960万) for 90万
    # (a=2 costs 100万; b ≤ 3 alone reach 720万): the KPI needs 3, the buffer adds 1.
    priced = target({"cost": "50万"}, {"cost": "20万", "max": 3}, kpi="1440万", buffer="10%")
    plan = api.decompose(write_target(priced))
    assert plan.solver.hires == {SENIOR: 2, JUNIOR: 2}
    assert plan.solver.hires_without_buffer == {SENIOR: 1, JUNIOR: 2}
    assert to_json(plan) == to_json(api.decompose(write_target(priced)))  # deterministic


def test_a_budget_too_small_exits_3_with_its_fix(
    write_target: Callable[..., Path], tmp_path: Path
) -> None:
    # 100万 < the 110万 the cheapest hires above cost: infeasible, raise the budget to 110万
    priced = target({"cost": "50万"}, {"cost": "20万", "max": 3}, hiring_budget="100万")
    plan = api.decompose(write_target(priced))
    assert plan.solver.status == "infeasible"
    [fix] = plan.solver.relaxations
    assert (fix.kind, fix.current, fix.needed) == ("budget", "100万", "110万")
    assert fix.message == (
        "招聘预算（plan.hiring_budget）：提高到 110万（现为 100万），即达成各级目标的最省招聘的花费"
    )
    assert plan.solver.hires == {SENIOR: 1, JUNIOR: 3}  # the hires the budget would buy
    english = write_target({**priced, "plan": {**priced["plan"], "locale": "en"}})
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["decompose", str(english), "-o", str(out)])
    assert result.exit_code == 3, result.output
    assert "raise the budget to 1.1M (now 1M)" in result.output


def test_a_budget_without_costs_counts_people(write_target: Callable[..., Path]) -> None:
    # no costs: each hire costs 1, the fewest people are 3 资深; a budget of 2 is too small
    plan = api.decompose(write_target(target(True, True, hiring_budget=2)))
    assert plan.solver.status == "infeasible"
    assert [(r.kind, r.current, r.needed) for r in plan.solver.relaxations] == [
        ("budget", "2", "3")
    ]
    plan = api.decompose(write_target(target(True, True, hiring_budget=3)))
    assert plan.solver.hires == {SENIOR: 3}


def test_every_role_that_may_hire_needs_a_cost_once_one_has(
    write_target: Callable[..., Path],
) -> None:
    result = CliRunner().invoke(
        cli, ["validate", str(write_target(target({"cost": "50万"}, True)))]
    )
    assert result.exit_code == 1, result.output
    assert "新人 may hire but has no cost, while 资深 has one" in result.output


def _brute(covers: list[Cover], budget: Fraction | None) -> tuple[Fraction, int] | None:
    """(least cost, then fewest people) over every hire combination, or None."""
    options = [o for c in covers for o in c.options]
    best: tuple[Fraction, int] | None = None
    tops = [o.bound if o.limit is None else min(o.bound, o.limit) for o in options]
    for counts in itertools.product(*(range(top + 1) for top in tops)):
        hired = dict(zip((o.id for o in options), counts, strict=True))
        if any(sum(o.reach * hired[o.id] for o in c.options) < c.short for c in covers):
            continue
        cost = sum((o.cost * hired[o.id] for o in options), Fraction(0))
        if budget is not None and cost > budget:
            continue
        found = (cost, sum(counts))
        best = found if best is None else min(best, found)
    return best


def test_cp_sat_finds_the_cheapest_hires_of_every_combination() -> None:
    # random covers of 1–2 regions with 1–3 hiring options each, against enumeration
    rng = random.Random(7)
    for case in range(40):
        covers = []
        for r in range(rng.randint(1, 2)):
            short = rng.randint(-5, 40)
            options = []
            for i in range(rng.randint(1, 3)):
                reach = rng.randint(1, 15)
                bound = -(-max(short, 0) // reach)
                limit = rng.choice([None, 0, 1, 2, 4])
                cost = Fraction(rng.randint(0, 9), rng.choice([1, 2]))
                options.append(Option(f"g{r}.{i}", reach, cost, limit, bound))
            covers.append(Cover(f"R{r}", short, tuple(options)))
        budget = rng.choice([None, Fraction(rng.randint(0, 30))])
        found = solve_covers(covers, budget, DEFAULT_OPTIONS)
        best = _brute(covers, budget)
        if best is None:
            assert found.counts is None, (case, covers, budget)
            assert found.conflict, case
            continue
        assert found.counts is not None, (case, covers, budget)
        people = sum(found.counts.values())
        assert (found.cost, people) == best, (case, covers, budget, found)


def test_a_support_roles_hires_are_not_priced(write_target: Callable[..., Path]) -> None:
    # a support unit's hires follow from the supply it must make: a cost there is refused
    priced = target({"cost": "50万"}, {"cost": "20万"})
    support = {
        "name": "市场部",
        "supports": {"metric": "visits", "share": "40%"},
        "roles": [
            {
                "role": "市场",
                "headcount": 1,
                "capacity": {"visits": "50/月"},
                "hire": {"cost": "10万"},
            }
        ],
    }
    priced["org"]["units"].append(support)
    result = CliRunner().invoke(cli, ["validate", str(write_target(priced))])
    assert result.exit_code == 1, result.output
    assert "市场 supports other units; its hires follow from the supply" in result.output
