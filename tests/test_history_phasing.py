"""History as a basis (split.basis: history) and the company's phasing, checked by hand.

History is last year's result of the people in a role at the plan's start: it is never spread
over people who join during the plan, whose basis is the entry's rate per established person ×
their effective share of the year. The typed seasonality is each established person's profile;
a ramping person's is seasonality × ramp renormalised, and the company's split is their sum.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from conftest import minimal_target

from okrplan.api import decompose
from okrplan.queries import json_nodes
from okrplan.solve.allocate import allocate
from okrplan.solve.bases import bases_of
from okrplan.solve.groups import build_groups, evolve
from okrplan.spec import load_spec

WAN = 10_000
PEOPLE = ["张伟", "李娜", "王强", "陈静", "赵磊", {"name": "刘洋", "joined": "2015-07"}]
REVENUE = [{"title": "完成销售任务", "key_results": [{"metric": "revenue"}]}]


def _target(roles: list[tuple[str, dict[str, Any]]], **sections: Any) -> dict[str, Any]:
    units = [{"name": name, "roles": [role]} for name, role in roles]
    return minimal_target(
        org={"name": "公司", "units": units}, split={"basis": "history"}, **sections
    )


def test_a_joiner_gets_no_share_of_last_years_history(
    write_target: Callable[..., Path],
) -> None:
    # 6 named people, history 600万 (last year's sales of the 5 who were there), 刘洋 joins in
    # July; ramp 100% (no ramp). Seasonality 15/25/25/35%.
    #   rate per established person = 600万 ÷ 5 = 120万; the 5 established: 5 × 120万 = 600万.
    #   刘洋 works Jul–Dec = Q3 + Q4 = 25% + 35% = 60% of the year's sales:
    #   120万 × 0.60 = 72万 (not 600万 ÷ 6 = 100万, which left the 5 with 500万).
    # A hire on board by June (from July, no ramp) gets the same 72万 per head.
    role = {
        "role": "销售",
        "sells": "deals",
        "history": "600万",
        "people": PEOPLE,
        "hire": {"by": "2015-06"},
    }
    spec = load_spec(
        write_target(
            _target(
                [("华南", role)],
                plan={"seasonality": ["15%", "25%", "25%", "35%"]},
                kpi={"metric": "revenue", "target": "900万"},
            )
        )
    )
    groups = build_groups(spec)
    groups = [evolve(g, headcount=2) if g.is_hire else g for g in groups]
    bases = {g.id: b for g, b in zip(groups, bases_of(spec, groups), strict=True)}
    assert bases == {
        "r:公司/华南/销售": 600 * WAN,
        "r:公司/华南/销售@2015-07": 72 * WAN,
        "r:公司/华南/销售+hires": 2 * 72 * WAN,
    }


def test_history_split_with_bounds_and_one_group_at_capacity(
    write_target: Callable[..., Path],
) -> None:
    # Bases (even seasonality): 华南 5 established 600万, 刘洋 (July) 120万 × 6/12 = 60万;
    # 华北 2 people, history 400万; 华东 2 people, history 200万. Σ = 1260万.
    # 华北 capacity: 10 visits/月 × 20% × 10万 = 20万 a month = 240万 a year each, 480万.
    # KPI 1770万, buffer 0. Proportional level 1770/1260 = 59/42 would give 华北
    # 400 × 59/42 = 562万 > 480万, so 华北 sits at its capacity, 480万, and the rest water-fill
    # at one level: (1770 − 480) ÷ (600 + 60 + 200) = 1290/860 = 1.5 →
    # 华南 900万 (180万 each), 刘洋 90万, 华东 300万 (150万 each).
    # Bounds 70–130% of proportional: 1.3 × 59/42 = 1.83 > 1.5 above; 华北's floor
    # 0.7 × 59/42 × 400万 = 393万 ≤ 480万: neither binds.
    roles: list[tuple[str, dict[str, Any]]] = [
        ("华南", {"role": "销售", "sells": "deals", "history": "600万", "people": PEOPLE}),
        (
            "华北",
            {
                "role": "销售",
                "headcount": 2,
                "sells": "deals",
                "history": "400万",
                "capacity": {"visits": "10/月"},
            },
        ),
        ("华东", {"role": "销售", "headcount": 2, "sells": "deals", "history": "200万"}),
    ]
    target = _target(roles, kpi={"metric": "revenue", "target": "1770万"})
    target["split"]["bounds"] = {"min": "70%", "max": "130%"}
    spec = load_spec(write_target(target))
    allocation = allocate(spec, build_groups(spec))
    assert allocation.quotas == {
        "r:公司/华南/销售": 900 * WAN,
        "r:公司/华南/销售@2015-07": 90 * WAN,
        "r:公司/华北/销售": 480 * WAN,
        "r:公司/华东/销售": 300 * WAN,
    }
    assert allocation.stretch == Fraction(3, 2)
    by_id = {g.id: g for g in allocation.groups}
    assert by_id["r:公司/华南/销售@2015-07"].basis == 60 * WAN
    assert by_id["r:公司/华北/销售"].lower == Fraction(7, 10) * Fraction(59, 42) * 400 * WAN


def test_seasonality_is_each_established_persons_profile(
    write_target: Callable[..., Path],
) -> None:
    # Seasonality 15/25/25/35%. 老销售 (no ramp) has a fixed 400万: 60/100/100/140万.
    # 新销售 ramps 50% in Q1, then 100%: profile 7.5/25/25/35 ÷ 92.5; fixed 370万:
    # 370 × 7.5/92.5 = 30万, then 100/100/140万. The company's quarters are the sum,
    # 90/200/200/280万 of 770万 = 11.7/26.0/26.0/36.4%, not the typed 15/25/25/35%.
    base: dict[str, Any] = {"sells": "deals", "headcount": 1}
    roles: list[dict[str, Any]] = [
        {"role": "老销售", **base, "quota": "400万"},
        {"role": "新销售", **base, "quota": "370万", "ramp": ["50%", "100%"]},
    ]
    units = [{"name": "销售部", "roles": roles}]
    target = minimal_target(
        org={"name": "公司", "units": units},
        plan={"seasonality": ["15%", "25%", "25%", "35%"]},
        kpi={"metric": "revenue", "target": "770万"},
        objectives=REVENUE,
    )
    plan = decompose(write_target(target))
    nodes = json_nodes(plan.graph)
    quarters = {
        node["owner"]: [node["periods"][f"2015-Q{q}"] / WAN for q in range(1, 5)]
        for node in nodes.values()
        if node["kind"] == "kr" and node["metric"] == "revenue"
    }
    assert quarters["r:公司/销售部/老销售"] == [60, 100, 100, 140]
    assert quarters["r:公司/销售部/新销售"] == [30, 100, 100, 140]
    assert quarters["u:公司"] == quarters["u:公司/销售部"] == [90, 200, 200, 280]
