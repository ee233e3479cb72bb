"""Support units, worked out by hand: each supplies a share of what the receivers still need
after the supports downstream of it, the receivers' capacity covers only what they source
themselves, and supplied + self-sourced = needed for every metric at every level."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_target

from okrplan import api
from okrplan.model import KeyResult
from okrplan.present import kr_cadence_text, kr_target_text
from okrplan.queries import json_nodes, records
from okrplan.solve.allocate import allocate
from okrplan.solve.funnel import person_series, sourced_key
from okrplan.solve.groups import build_groups
from okrplan.solve.quotas import round_quotas
from okrplan.solve.rollup import unit_series
from okrplan.solve.support import plan_support
from okrplan.spec import Spec, load_spec

WAN = 10_000

# a call → 10% an opportunity → 50% a deal → 10万: one call is worth 5,000 yuan of revenue
FUNNEL = {
    "revenue": {"name": "销售额", "kind": "money"},
    "deals": {"name": "成交", "unit": "个", "yields": {"revenue": "10万"}},
    "opportunities": {"name": "商机", "unit": "个", "yields": {"deals": "50%"}},
    "calls": {"name": "电话", "unit": "个", "yields": {"opportunities": "10%"}},
}
KRS = [
    {"metric": "revenue"},
    {"metric": "opportunities"},
    {"metric": "calls"},
]


def target(*supports: dict[str, Any], hire: bool = False) -> dict[str, Any]:
    """1200万, 10 reps who sell deals and can make 80 calls in the year; ``supports`` as
    units beside the sales department (so they reach it)."""
    rep: dict[str, Any] = {"role": "销售岗", "headcount": 10, "sells": "deals"}
    rep["capacity"] = {"calls": 80}
    if hire:
        rep["hire"] = True
    return minimal_target(
        kpi={"metric": "revenue", "target": "1200万"},
        metrics=FUNNEL,
        org={"name": "公司", "units": [{"name": "销售部", "roles": [rep]}, *supports]},
        objectives=[
            {"title": "完成销售任务", "at": ["company", "unit", "role"], "key_results": KRS},
            *(
                [{"title": "支持销售", "at": ["unit"], "units": names, "key_results": KRS[1:]}]
                if (names := [s["name"] for s in supports])
                else []
            ),
        ],
    )


MARKETING = {"name": "市场部", "supports": {"metric": "opportunities", "share": "40%"}}
CALL_CENTRE = {
    "name": "呼叫中心",
    "supports": {"metric": "calls", "share": "50%"},
    "roles": [{"role": "坐席", "headcount": 4, "capacity": {"calls": 200}}],
}


@pytest.fixture
def spec_of(write_target: Callable[..., Path]) -> Callable[[dict[str, Any]], Spec]:
    def make(data: dict[str, Any]) -> Spec:
        return load_spec(write_target(data))

    return make


def solved_series(spec: Spec) -> dict[str, dict[str, Fraction]]:
    """Every owner's plan total of each series (the steps of okrplan.plan.solve_plan)."""
    allocation = allocate(spec, build_groups(spec))
    quotas = round_quotas(spec, allocation)
    step = Fraction(spec.target.split.rounding.money)
    groups = allocation.groups
    per_person = {g.id: Fraction(quotas.per_person.get(g.id, 0)) * step for g in groups}
    series = person_series(spec, groups, per_person)
    support = plan_support(spec, groups, series)
    series = {**series, **support.series}
    series.update(unit_series(spec, groups, series, quotas.units))
    return {
        owner: {key: sum(s.months, Fraction(0)) for key, s in by_key.items()}
        for owner, by_key in series.items()
    }


def krs_of(plan: Any) -> dict[tuple[str, str], KeyResult]:
    """(owner, metric) → the first KR of that metric on the owner's sheet."""
    out: dict[tuple[str, str], KeyResult] = {}
    for record in records(plan.graph):
        if isinstance(record, KeyResult) and record.metric:
            out.setdefault((record.owner, record.metric), record)
    return out


def test_two_supports_on_one_funnel(spec_of: Callable[[dict[str, Any]], Spec]) -> None:
    spec = spec_of(target(MARKETING, CALL_CENTRE))
    # Each rep carries 1200万 / 10 = 120万, i.e. 12 deals and 24 opportunities gross.
    # 市场部 supplies 40% of the opportunities: the reps still need 24 and source 24 × 60% = 14.4.
    # Calls gross would be 120万 / 5,000 = 240; after 市场部 the reps need 240 × 60% = 144 calls.
    # The call centre supplies 50% of those 144 (72), not 50% of 240 (120): the reps source 72.
    totals = solved_series(spec)
    rep, sales, company = "r:公司/销售部/销售岗", "u:公司/销售部", "u:公司"
    assert totals[rep]["revenue"] == 120 * WAN
    assert totals[rep]["opportunities"] == 24
    assert totals[rep][sourced_key("opportunities")] == Fraction(72, 5)  # 14.4
    assert totals[rep]["calls"] == 144
    assert totals[rep][sourced_key("calls")] == 72
    # The department and the company (10 reps): opportunities 240, of which 144 self-sourced;
    # 市场部 supplies 40% × 240 = 96, and 96 + 144 = 240. Calls 1,440, 720 self-sourced; the call
    # centre supplies 50% × 1,440 = 720 (the old rule asked 50% × 2,400 = 1,200), 720 + 720 =
    # 1,440.
    for unit in (sales, company):
        assert totals[unit]["opportunities"] == 240
        assert totals[unit][sourced_key("opportunities")] == 144
        assert totals[unit]["calls"] == 1440
        assert totals[unit][sourced_key("calls")] == 720
    assert totals["u:公司/市场部"]["opportunities"] == 96
    assert totals["u:公司/呼叫中心"]["calls"] == 720
    assert totals["r:公司/呼叫中心/坐席"]["calls"] == 180  # 720 over 4 agents


def test_capacity_covers_only_what_the_reps_source(
    spec_of: Callable[[dict[str, Any]], Spec],
) -> None:
    # A rep can make 80 calls and self-sources 72 (above): the plan fits with no hire, though
    # a rep works 144 calls. Counting every call worked (or those before the call centre),
    # 80 calls would carry only 80 × 5,000 / 60% = 66.7万 per rep, 667万 for ten: infeasible.
    groups = build_groups(spec_of(target(MARKETING, CALL_CENTRE)))
    (rep,) = groups
    # the largest quota: 80 calls ÷ (30% of a call per 5,000 yuan) = 1,333,333.33 yuan
    assert rep.per_person_cap == Fraction(80 * 5000 * 10, 3)
    plan = api.decompose(spec_of(target(MARKETING, CALL_CENTRE)))
    assert plan.solver.status == "optimal"
    assert plan.solver.hires == {}


def test_the_sheets_show_received_and_self_sourced(
    spec_of: Callable[[dict[str, Any]], Spec],
) -> None:
    plan = api.decompose(spec_of(target(MARKETING, CALL_CENTRE)))
    krs = krs_of(plan)
    rep, sales, company = "r:公司/销售部/销售岗", "u:公司/销售部", "u:公司"
    # a rep: opportunities 24, 14.4 self-sourced shown rounded up: 15; calls 144, 72 self-sourced
    assert (krs[rep, "opportunities"].total, krs[rep, "opportunities"].sourced) == (24, 15)
    assert (krs[rep, "calls"].total, krs[rep, "calls"].sourced) == (144, 72)
    assert kr_target_text(krs[rep, "opportunities"], "zh-CN") == "24个 (自拓 15)"
    assert kr_cadence_text(krs[rep, "calls"], "en") == "144 个 (self-sourced 72)"
    for unit in (sales, company):  # a unit's KR: its need, and the part its reps source
        assert (krs[unit, "opportunities"].total, krs[unit, "opportunities"].sourced) == (240, 144)
        assert (krs[unit, "calls"].total, krs[unit, "calls"].sourced) == (1440, 720)
    # a support unit's KR is what it supplies; revenue is never supplied
    assert krs["u:公司/市场部", "opportunities"].total == 96
    assert krs["u:公司/市场部", "opportunities"].sourced is None
    assert krs["u:公司/呼叫中心", "calls"].total == 720
    assert krs[rep, "revenue"].sourced is None
    node = json_nodes(plan.graph)[krs[rep, "calls"].id]
    assert node["sourced"] == 72  # plan.json carries it
    assert "sourced" not in json_nodes(plan.graph)[krs[rep, "revenue"].id]


def test_a_share_of_the_first_metric_relieves_capacity(
    spec_of: Callable[[dict[str, Any]], Spec],
) -> None:
    # Without support a rep's 80 calls carry 80 × 5,000 = 40万: 1200万 needs 30 reps, 20 hires.
    # With the call centre supplying 50% of the calls a rep sources half of them, so 80 calls
    # carry 80万: 15 reps, 5 hires.
    alone = api.decompose(spec_of(target(hire=True)))
    helped = api.decompose(spec_of(target(CALL_CENTRE, hire=True)))
    assert alone.solver.hires == {"r:公司/销售部/销售岗+hires": 20}
    assert helped.solver.hires == {"r:公司/销售部/销售岗+hires": 5}
    (rep,) = [g for g in build_groups(spec_of(target(CALL_CENTRE))) if not g.is_hire]
    assert rep.per_person_cap == 80 * WAN  # 80 calls ÷ (50% of a call per 5,000 yuan)
