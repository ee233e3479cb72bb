"""Property tests of an infeasible plan's fixes: over random organisations made infeasible by
construction (a KPI above everything the drawn capacities can carry, and no hiring), the plan
says infeasible, its suggested target solves, and each suggested change, applied on its own to
the target file, makes the plan solve.

Every example takes the infeasible path (tests/test_properties.py draws mostly feasible plans,
so at the default example count it rarely reached it).
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from okrplan.quantity import parse_quantity
from tests.test_properties import (
    PROPERTY,
    STEP,
    decompose,
    month_capacity,
    per_yuan,
    targets,
)


def _leaf_roles(unit: dict[str, Any], depth: int = 1) -> list[tuple[int, dict[str, Any]]]:
    """Every role entry with its group's depth: its unit's path length (C/U0 is 2)."""
    below = [x for u in unit.get("units", []) for x in _leaf_roles(u, depth + 1)]
    return below + [(depth, r) for r in unit.get("roles", [])]


def _roles(unit: dict[str, Any]) -> list[dict[str, Any]]:
    return [role for _, role in _leaf_roles(unit)]


def year_capacity(text: Any) -> Fraction:
    """A capacity as the target file writes it (``12/周``, ``30``), over the whole of 2015."""
    return sum((month_capacity(text, m) for m in range(1, 13)), Fraction(0))


def carry_bound(target: dict[str, Any]) -> Fraction:
    """Revenue (yuan) toward the KPI that no plan can exceed: each role's people at full
    productivity all year, limited by the capacity of the metric they sell, a group ``d``
    levels below the company counting ``(1 + buffer)^-d`` of its quota (ramps, seasonality
    and the money step only lower what is reachable)."""
    growth = 1 + Fraction(target["plan"]["buffer"].rstrip("%")) / 100
    return sum(
        (
            role["headcount"]
            * year_capacity(role["capacity"][role["sells"]])
            / per_yuan(target, role["sells"])
            / growth**depth
            for depth, role in _leaf_roles(target["org"])
        ),
        Fraction(0),
    )


@st.composite
def infeasible_targets(draw: st.DrawFn) -> dict[str, Any]:
    """A random target (tests/test_properties.py's ``targets``) made infeasible by construction.

    Every role has a headcount of at least one, no hires and a capacity for what it sells; every
    capacity is large enough that one person, at the lowest ramp, can carry two money steps in
    any month (so the suggested target is above zero); the KPI, in whole money steps, is above
    :func:`carry_bound` × (1 + 0–60%), so no plan reaches it and some fixes are small (a capacity
    fix is offered up to +50%) and some are not."""
    target = draw(targets())
    todo = [target["org"]]
    for unit in todo:  # at most two sub-units each: up to 24 roles, quick to solve
        if "units" in unit:
            unit["units"] = unit["units"][:2]
            todo += unit["units"]
    if draw(st.booleans()):  # no ramp, no seasonality: the bound is nearly reached
        target["plan"].pop("seasonality", None)
        for role in _roles(target["org"]):
            role.pop("ramp", None)
            role.pop("ramp_per", None)
    for role in _roles(target["org"]):
        people = role.pop("people", None)
        role["headcount"] = max(role.get("headcount", 0), len(people or ()), 1)
        role.pop("hire", None)
        capacity = role.setdefault("capacity", {})
        capacity.setdefault(role["sells"], f"{draw(st.integers(1, 60))}/月")
        lowest = min((Fraction(r.rstrip("%")) / 100 for r in role.get("ramp", ())), default=1)
        for metric, text in list(capacity.items()):
            value, _, per = str(text).partition("/")
            # a month's capacity is at least value (a year's: value / 12 per month)
            floor = 2 * STEP * per_yuan(target, metric) / lowest * (12 if per == "" else 1)
            value = max(int(value), math.ceil(floor))
            capacity[metric] = f"{value}/{per}" if per else value
    target["metrics"].pop("share", None)  # a revenue KPI, so the bound is in its terms
    over = 1 + Fraction(draw(st.integers(0, 60)), 100)
    steps = math.floor(carry_bound(target) * over / STEP) + 1
    target["kpi"] = {"metric": "revenue", "target": f"{steps * STEP // 10_000}万"}
    return target


def suggested_target(plan: Any) -> int:
    """The company's "lower the target to at most X" of an infeasible plan, in yuan."""
    (lowered,) = [
        r
        for r in plan.solver.relaxations
        if r.kind == "target" and r.owner == "C" and r.quantity in ("target", "rounding")
    ]
    return int(parse_quantity(lowered.needed).value)


@PROPERTY
@given(target=infeasible_targets())
def test_the_suggested_target_is_feasible(target: dict[str, Any], tmp_path: Path) -> None:
    """An infeasible plan's "lower the target to at most X" is a target that does solve."""
    plan = decompose(target, tmp_path)
    assert plan.solver.status == "infeasible", target["kpi"]
    needed = suggested_target(plan)
    kpi = int(target["kpi"]["target"].rstrip("万")) * 10_000
    assert 0 < needed < kpi and needed % STEP == 0, (needed, kpi)
    assert needed <= carry_bound(target)
    target["kpi"]["target"] = f"{needed // 10_000}万"
    again = decompose(target, tmp_path)
    assert again.solver.status == "optimal", again.solver.relaxations


def role_entry(target: dict[str, Any], group_id: str) -> dict[str, Any] | None:
    """The role entry of a group id like r:C/U0/U0.1/R2 (None for cohorts and hires)."""
    *names, label = group_id.removeprefix("r:").split("/")
    unit = target["org"]
    for name in names[1:]:
        unit = next(u for u in unit["units"] if u["name"] == name)
    return next((r for r in unit.get("roles", []) if r["role"] == label), None)


def apply(target: dict[str, Any], relaxation: Any) -> dict[str, Any]:
    """A copy of ``target`` with the one change ``relaxation`` suggests."""
    changed: dict[str, Any] = yaml.safe_load(yaml.safe_dump(target))
    if relaxation.kind == "target":
        assert relaxation.owner == "C", relaxation
        changed["kpi"]["target"] = f"{int(parse_quantity(relaxation.needed).value) // 10_000}万"
    elif relaxation.kind == "buffer":
        changed["plan"]["buffer"] = relaxation.needed
    elif relaxation.kind == "hire":  # no role may hire: N more people of one role
        assert relaxation.quantity == "headcount", relaxation
        entry = role_entry(changed, relaxation.owner)
        assert entry is not None, relaxation
        entry["headcount"] += int(relaxation.needed)
    else:  # capacity:<metric> for every role that has it, old and new as the file writes them
        assert relaxation.kind == "capacity", relaxation
        metric = relaxation.quantity.removeprefix("capacity:")
        new = dict(zip(relaxation.current.split("; "), relaxation.needed.split("; "), strict=True))
        roles = [r for r in _roles(changed["org"]) if metric in r["capacity"]]
        assert roles, relaxation
        for role in roles:
            text = new[str(role["capacity"][metric])]
            role["capacity"][metric] = text if "/" in text else int(text)
    return changed


@PROPERTY
@given(target=infeasible_targets())
def test_each_suggested_change_on_its_own_makes_it_feasible(
    target: dict[str, Any], tmp_path: Path
) -> None:
    """A lower target, a smaller buffer, N more people or capacity X instead of Y: each of the
    plan's fixes, on its own, makes the plan solve."""
    plan = decompose(target, tmp_path)
    assert plan.solver.status == "infeasible", target["kpi"]
    assert plan.solver.relaxations
    for relaxation in plan.solver.relaxations:
        again = decompose(apply(target, relaxation), tmp_path)
        assert again.solver.status == "optimal", (relaxation, again.solver.relaxations)


def test_a_hand_worked_infeasible_plan_and_its_fixes(tmp_path: Path) -> None:
    """One unit, two reps selling m0 (10 a month each, one m0 yields 5万 of revenue), no
    buffer, no ramp, no hires, KPI 1500万.

    Working: a rep carries at most 12 × 10 × 5万 = 600万 a year, both 1200万 < 1500万, so the
    plan is infeasible. Fixes: lower the KPI to 1200万; one more rep (deficit 300万, 600万
    each → ⌈0.5⌉ = 1); capacity × 1500/1200 = 1.25 → ⌈10 × 1.25⌉ = 13/月 (12/月 carries only
    2 × 12 × 12 × 5万 = 1440万)."""
    target = {
        "okrplan": 1,
        "plan": {"name": "p", "period": 2015, "buffer": "0%"},
        "kpi": {"metric": "revenue", "target": "1500万"},
        "metrics": {
            "revenue": {"name": "revenue", "kind": "money"},
            "m0": {"name": "m0", "yields": {"revenue": "5万"}},
        },
        "org": {
            "name": "C",
            "units": [
                {
                    "name": "U0",
                    "roles": [
                        {"role": "R0", "sells": "m0", "headcount": 2, "capacity": {"m0": "10/月"}}
                    ],
                }
            ],
        },
        "split": {"basis": "capacity"},
        "objectives": [{"title": "O", "key_results": [{"metric": "revenue", "per": "month"}]}],
    }
    assert carry_bound(target) == 12_000_000
    plan = decompose(target, tmp_path)
    assert plan.solver.status == "infeasible"
    assert suggested_target(plan) == 12_000_000
    fixes = {(r.kind, r.quantity): r for r in plan.solver.relaxations}
    assert fixes["hire", "headcount"].needed == "1"
    assert (fixes["capacity", "capacity:m0"].current, fixes["capacity", "capacity:m0"].needed) == (
        "10/月",
        "13/月",
    )
    for relaxation in plan.solver.relaxations:
        assert decompose(apply(target, relaxation), tmp_path).solver.status == "optimal"
