"""The solve steps one by one, on small organisations with the numbers worked out by hand."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_target

from okrplan.model import Per, Status
from okrplan.planmeta import SOLVER_REPORT, Binding, Conflict, Relaxation, SolverReport
from okrplan.solve.allocate import allocate
from okrplan.solve.funnel import person_series
from okrplan.solve.groups import build_groups
from okrplan.solve.options import SolverOptions, new_solver, worst
from okrplan.solve.quotas import round_quotas
from okrplan.solve.rollup import unit_series
from okrplan.solve.series import Calendar, headline, periods
from okrplan.spec import Spec, load_spec

WAN = 10_000


@pytest.fixture
def spec_of(write_target: Callable[..., Path]) -> Callable[..., Spec]:
    def make(**sections: Any) -> Spec:
        return load_spec(write_target(minimal_target(**sections)))

    return make


def two_roles(a: int, b: int) -> dict[str, Any]:
    roles = [
        {"role": "甲", "headcount": a, "sells": "deals"},
        {"role": "乙", "headcount": b, "sells": "deals"},
    ]
    return {"name": "公司", "units": [{"name": "销售部", "roles": roles}]}


def test_the_split_is_proportional_to_headcount_and_returns_new_groups(
    spec_of: Callable[..., Spec],
) -> None:
    spec = spec_of(org=two_roles(3, 4), split={"basis": "headcount"})
    groups = build_groups(spec)
    allocation = allocate(spec, groups)
    # 1000万 by headcount 3 : 4 → 428.57万 and 571.43万; one region, level 1 (stretch 1).
    assert allocation.status is Status.OPTIMAL
    quotas = [allocation.quotas[g.id] for g in allocation.groups]
    assert quotas == [Fraction(3000 * WAN, 7), Fraction(4000 * WAN, 7)]
    assert allocation.stretch == 1
    assert [g.basis for g in groups] == [0, 0]  # the groups given are not changed


def test_quotas_round_to_whole_steps_in_grains_of_headcount(spec_of: Callable[..., Spec]) -> None:
    spec = spec_of(org=two_roles(3, 4), split={"basis": "headcount"})
    quotas = round_quotas(spec, allocate(spec, build_groups(spec)))
    # 100 steps of 10万 in grains of 3 and 4 people, ideals 42.86 and 57.14 steps (43, 57):
    # 14 × 3 + 14 × 4 = 98 leaves 2, which no grain makes; of the exact splits
    # 3k + 4m = 100, k = 16, m = 13 deviates least: |48 − 43| + |52 − 57| = 10
    # (k = 12, m = 16: 7 + 7 = 14). So 160万 and 130万 a person, 480万 + 520万 = 1000万.
    assert sorted(quotas.per_person.values()) == [13, 16]
    assert quotas.units == {"u:公司": (0, 100), "u:公司/销售部": (100, 100)}
    assert quotas.relaxations == ()


def test_the_reverse_funnel_per_person_and_the_weekly_headline(
    spec_of: Callable[..., Spec],
) -> None:
    spec = spec_of(kpi={"metric": "revenue", "target": "600万"})
    allocation = allocate(spec, build_groups(spec))
    (group,) = allocation.groups
    series = person_series(spec, [group], {group.id: Fraction(120 * WAN)})[group.id]
    # 5 people share 600万: 120万 each, 10万 a month. A deal is 10万: 1 a month; a visit
    # turns into a deal 20% of the time: 5 visits a month, 60 a year.
    assert series["revenue"].months == [10 * WAN] * 12
    assert series["deals"].months == [1] * 12
    assert series["visits"].months == [5] * 12
    calendar = Calendar.of(spec.period)
    # A week's headline is the plan's weekly average: 60 × 7 / 365 = 1.15, rounded up to 2.
    assert headline(series["visits"], Per.WEEK, calendar) == 2
    assert periods(series["visits"], Per.QUARTER, calendar) == {
        "2015-Q1": 15,
        "2015-Q2": 15,
        "2015-Q3": 15,
        "2015-Q4": 15,
    }
    # ISO week 1 of 2015 holds 4 days of January: 5 × 4 / 31 = 0.65 visits, shown as 1.
    assert periods(series["visits"], Per.WEEK, calendar)["2015-W01"] == 1


def test_unit_series_add_up_the_tree(spec_of: Callable[..., Spec]) -> None:
    spec = spec_of(kpi={"metric": "revenue", "target": "600万"})
    allocation = allocate(spec, build_groups(spec))
    (group,) = allocation.groups
    series = person_series(spec, [group], {group.id: Fraction(120 * WAN)})
    units = unit_series(spec, [group], series, {})
    # 5 people × 5 visits a month = 25 a month for 销售部 and, above it, for 公司.
    assert units["u:公司/销售部"]["visits"].months == [25] * 12
    assert units["u:公司"]["visits"].months == [25] * 12


def test_solver_options_and_status() -> None:
    solver = new_solver(SolverOptions(time_limit=3.0, seed=7, workers=1))
    assert solver.parameters.max_deterministic_time == 3.0
    assert solver.parameters.random_seed == 7
    assert worst(Status.OPTIMAL, Status.FEASIBLE) is Status.FEASIBLE
    assert worst(Status.FEASIBLE, Status.INFEASIBLE) is Status.INFEASIBLE
    assert worst() is Status.OPTIMAL


def test_a_relaxation_is_a_record_and_keeps_its_plan_json_keys() -> None:
    relaxation = Relaxation("hire", "r:公司/销售部/销售", "3 more", "0", "3", quantity="headcount")
    assert relaxation.to_json() == {
        "kind": "hire",
        "subject": "r:公司/销售部/销售",
        "message": "3 more",
        "current": "0",
        "needed": "3",
    }


def test_a_solver_report_reads_back_from_its_plan_json_section() -> None:
    relaxation = Relaxation("hire", "r:公司/销售部/销售", "3 more", "0", "3", quantity="headcount")
    binding, conflict = Binding("r:x", "capacity"), Conflict("capacity", "r:x")
    report = SolverReport(Status.INFEASIBLE, 1.25, (binding,), (relaxation,), (conflict,), {}, {})
    written = report.to_json()
    assert "hires_without_buffer" not in written  # a plan.json from before the split
    again = SOLVER_REPORT.validate_python(written)
    # plan.json has no quantity: the record reads back with ""
    assert written["binding"] == ["r:x: capacity"] and written["conflict"] == ["capacity:r:x"]
    assert again == SolverReport(
        Status.INFEASIBLE,
        1.25,
        (binding,),
        (Relaxation("hire", "r:公司/销售部/销售", "3 more", "0", "3"),),
        (conflict,),
        {},
        {},
    )
    assert again.to_json() == written
