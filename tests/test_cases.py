"""Hand-made plans checked against numbers computed by hand (the arithmetic is in the comments).

Every case is a small target file built with :func:`conftest.minimal_target`. Money is in yuan
(1万 = 10,000); the money step is the default 10万, the phasing step 1万.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.export import planjson
from okrplan.graph import node as graph_node
from okrplan.model import KeyResult, node_to_json
from okrplan.plan import Plan
from okrplan.queries import records

WAN = 10_000
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "a-company-2015.yaml"

# visits → deals 20% → revenue 10万 a deal: one visit brings 20% × 10万 = 2万.
VISIT_FUNNEL = {
    "revenue": {"name": "销售额", "kind": "money"},
    "deals": {"name": "成交项目", "unit": "个", "yields": {"revenue": "10万"}},
    "visits": {"name": "客户拜访", "unit": "家次", "yields": {"deals": "20%"}},
}


def team(*roles: dict[str, Any]) -> dict[str, Any]:
    """公司 → 销售部 holding ``roles``."""
    return {"name": "公司", "units": [{"name": "销售部", "roles": list(roles)}]}


def sales(headcount: int | None = None, **extra: Any) -> dict[str, Any]:
    role: dict[str, Any] = {"role": "销售", "sells": "deals", **extra}
    if headcount is not None:
        role["headcount"] = headcount
    return role


def kr(plan: Plan, owner: str, metric: str) -> dict[str, Any]:
    """The owner's key result on ``metric``."""
    found = [
        node_to_json(r)
        for r in records(plan.graph)
        if isinstance(r, KeyResult) and r.owner == owner and r.metric == metric
    ]
    assert len(found) == 1, (owner, metric, found)
    return found[0]


def node(plan: Plan, node_id: str) -> dict[str, Any]:
    """A node as plan.json writes it (from its record)."""
    return node_to_json(graph_node(plan.graph, node_id))


Solve = Callable[..., Plan]


@pytest.fixture
def solve(write_target: Callable[..., Path]) -> Solve:
    def run(**sections: Any) -> Plan:
        return api.decompose(write_target(minimal_target(**sections)))

    return run


# --- a. capacity binds in the peak quarter only --------------------------------------------------


def test_capacity_binds_in_the_peak_quarter_only(solve: Solve) -> None:
    plan = solve(
        plan={"seasonality": ["10%", "20%", "30%", "40%"]},
        kpi={"metric": "revenue", "target": "4000万"},
        metrics=VISIT_FUNNEL,
        org=team(
            {"role": "外勤", "headcount": 5, "sells": "deals", "capacity": {"visits": "60/季度"}},
            {"role": "内勤", "headcount": 5, "sells": "deals"},
        ),
        split={"basis": "headcount"},
        objectives=[
            {
                "title": "业绩",
                "key_results": [{"metric": "revenue"}, {"metric": "visits", "per": "quarter"}],
            }
        ],
    )
    assert plan.solver.status == "optimal"
    field, office = node(plan, "r:公司/销售部/外勤"), node(plan, "r:公司/销售部/内勤")
    # By headcount, each group of 5 would carry 4000万 / 2 = 2000万, 400万 a person.
    # On average that fits: 60 visits × 2万 = 120万 a quarter, × 4 = 480万 a year ≥ 400万.
    # The peak does not: Q4 holds 40% of the year, 400万 × 40% = 160万 > 120万.
    # The peak caps a person at 120万 / 40% = 300万, the group at 5 × 300万 = 1500万;
    # the uncapped 内勤 carry the rest: 4000万 − 1500万 = 2500万 (500万 each).
    assert (field["per_person"], field["quota"]) == (300 * WAN, 1500 * WAN)
    assert (office["per_person"], office["quota"]) == (500 * WAN, 2500 * WAN)
    assert field["binding"] == ["capacity visits 60/季度 in 2015-10..2015-12"]
    assert office["binding"] == []
    # Visits per person per quarter: 300万 × (10, 20, 30, 40)% / 2万 = 15, 30, 45, 60 —
    # the peak quarter exactly full, the others below capacity.
    visits = kr(plan, "r:公司/销售部/外勤", "visits")
    assert visits["periods"] == {"2015-Q1": 15, "2015-Q2": 30, "2015-Q3": 45, "2015-Q4": 60}


# --- b. hires ------------------------------------------------------------------------------------


def test_hires_the_fewest_people_that_close_the_gap(solve: Solve) -> None:
    plan = solve(
        kpi={"metric": "revenue", "target": "3000万"},
        metrics=VISIT_FUNNEL,
        org=team(
            sales(
                people=["甲", "乙", "丙", "丁"],
                capacity={"visits": "20/月"},
                ramp=["50%", "100%"],
                hire={"by": "2015-03"},
            )
        ),
    )
    assert plan.solver.status == "optimal"
    # A rep in the role (named, no joined: fully ramped) can do 20 visits × 2万 = 40万 a
    # month; even seasonality, so 12 × 40万 = 480万 a year, and the 4 reps 1920万.
    # A hire is on board by the end of March, so works from April: 50% in Apr–Jun, 100% after.
    # Their phasing is seasonality × ramp: Apr–Jun 0.5/7.5 = 1/15 a month, Jul–Dec 2/15,
    # and their capacity 10 visits (20万) then 20 (40万) a month: 20万 / (1/15) = 40万 / (2/15)
    # = 300万 a hire (= 3 × 20万 + 6 × 40万).
    # (3000万 − 1920万) / 300万 = 3.6 ⇒ 4 hires.
    hires_id = "r:公司/销售部/销售+hires"
    assert plan.solver.hires == {hires_id: 4}
    hires, reps = node(plan, hires_id), node(plan, "r:公司/销售部/销售")
    assert hires["headcount"] == 4
    assert hires["ramp"] == [0, 0, 0, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1]
    # Split by capacity: bases 1920万 and 4 × 300万 = 1200万, level 3000 / 3120:
    # reps 1846.15万, hires 1153.85万, i.e. 184.6 and 115.4 steps of 10万 in grains of 4:
    # 46 × 4 = 184 and 28 × 4 = 112, the 4 steps left go to the larger remainder (hires,
    # 28.85 − 28): 29 × 4 = 116. Reps 460万 each, hires 290万 each (≤ 480万, ≤ 300万).
    assert (reps["per_person"], reps["quota"]) == (460 * WAN, 1840 * WAN)
    assert (hires["per_person"], hires["quota"]) == (290 * WAN, 1160 * WAN)
    staffing = [
        node_to_json(r)
        for r in records(plan.graph)
        if isinstance(r, KeyResult) and r.kr_kind == "staffing"
    ]
    assert [(d["text"], d["target"], d["owner"]) for d in staffing] == [
        ("招聘 4 名销售，3月底前到岗", 4, "u:公司/销售部")
    ]


# --- c. infeasible without hires -----------------------------------------------------------------


def infeasible_target() -> dict[str, Any]:
    return minimal_target(
        plan={"buffer": "10%"},
        kpi={"metric": "revenue", "target": "2400万"},
        metrics=VISIT_FUNNEL,
        org=team(sales(4, capacity={"visits": "20/月"})),
    )


def test_infeasible_names_the_smallest_changes(write_target: Callable[..., Path]) -> None:
    plan = api.decompose(write_target(infeasible_target()))
    assert plan.solver.status == "infeasible"
    # Each rep: 20 visits × 2万 × 12 = 480万, the 4 reps 1920万. Two levels of 10% buffer
    # below the company: the reps must carry 2400万 × 1.1 × 1.1 = 2904万.
    relaxations = {r.kind: r for r in plan.solver.relaxations}
    assert set(relaxations) == {"hire", "target"}
    # Capacity: 2904万 / 4 = 726万 a rep, whole 10万 steps ⇒ 730万, 730万 / 12 = 60.83万 a month
    # = 30.42 visits ⇒ 31 a month: +55%, more than the 50% a fix may ask; not offered.
    # Buffer: even none needs 2400万 > 1920万; not offered.
    # People: 2904万 / 480万 = 6.05 ⇒ 7 reps, 3 more (6 × 480万 = 2880万 < 2904万).
    assert relaxations["hire"].owner == "r:公司/销售部/销售"
    assert relaxations["hire"].needed == "3"
    assert relaxations["hire"].message == "销售部 的 销售：增加 3 名销售（允许招聘：hire: true）"
    # Target: the reps' 1920万 carries 1920万 / 1.21 = 1586.8万 at the top ⇒ at most 1580万;
    # the message states both, each on its basis.
    assert relaxations["target"].owner == "公司"
    assert relaxations["target"].needed == "1,580万"
    assert relaxations["target"].message == (
        "公司：各岗位最多能承担 1,920万，按每级超额分配 10% 折算，本级目标最多 1,580万；"
        "把目标从 2,400万 降到不超过 1,580万"
    )
    # Ranked: 3 more of 4 people is 75%; 820万 less of 2400万 is 34%.
    assert [r.kind for r in plan.solver.relaxations] == ["target", "hire"]


def test_the_cli_exits_3_and_still_writes_the_plan(
    write_target: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "plan"
    result = CliRunner().invoke(
        cli, ["decompose", str(write_target(infeasible_target())), "-o", str(out)]
    )
    assert result.exit_code == 3, result.output
    assert "增加 3 名销售" in result.output
    written = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert written["solver"]["status"] == "infeasible"
    assert written["solver"]["relaxations"]


def test_the_suggested_changes_do_make_it_feasible(write_target: Callable[..., Path]) -> None:
    more_people = infeasible_target()
    more_people["org"] = team(sales(7, capacity={"visits": "20/月"}))
    more_capacity = infeasible_target()
    more_capacity["org"] = team(sales(4, capacity={"visits": "31/月"}))
    lower_target = infeasible_target()
    lower_target["kpi"]["target"] = "1580万"
    for target in (more_people, more_capacity, lower_target):
        plan = api.decompose(write_target(target))
        assert plan.solver.status == "optimal", target


# --- d. a support unit ---------------------------------------------------------------------------


SUPPORT_FUNNEL = {
    "revenue": {"name": "销售额", "kind": "money"},
    "deals": {"name": "成交项目", "unit": "个", "yields": {"revenue": "10万"}},
    "opportunities": {"name": "新增项目机会", "unit": "个", "yields": {"deals": "25%"}},
    "visits": {"name": "客户拜访", "unit": "家次", "yields": {"opportunities": "50%"}},
}


def support_plan(solve: Solve, *, with_support: bool) -> Plan:
    org = team(sales(5))
    objectives: list[dict[str, Any]] = [
        {
            "title": "业绩",
            "key_results": [
                {"metric": "revenue"},
                {"metric": "opportunities"},
                {"metric": "visits"},
            ],
        }
    ]
    if with_support:
        org["units"].append(
            {"name": "市场部", "supports": {"metric": "opportunities", "share": "40%"}}
        )
        # a support unit gets only the objectives that name it
        objectives.append(
            {"title": "商机", "units": ["市场部"], "key_results": [{"metric": "opportunities"}]}
        )
    return solve(metrics=SUPPORT_FUNNEL, org=org, objectives=objectives)


def test_a_support_unit_supplies_its_share_of_opportunities(solve: Solve) -> None:
    alone, supported = (support_plan(solve, with_support=w) for w in (False, True))
    rep = "r:公司/销售部/销售"
    # 1000万 over 5 reps: 200万 each. A deal is 10万, an opportunity 25% × 10万 = 2.5万,
    # a visit 50% × 2.5万 = 1.25万: 80 opportunities and 160 visits a rep.
    assert node(supported, rep)["per_person"] == 200 * WAN
    assert kr(alone, rep, "opportunities")["target"] == 80
    assert kr(alone, rep, "visits")["target"] == 160
    # 市场部 brings 40% of the opportunities, so reps visit for the other 60%:
    # 160 × 60% = 96 visits (40% fewer). Their opportunities KR stays the whole 80.
    assert kr(supported, rep, "visits")["target"] == 96
    assert kr(supported, rep, "opportunities")["target"] == 80
    # 市场部's KR: 40% of the reps' 5 × 80 = 400 opportunities = 160.
    market = kr(supported, "u:公司/市场部", "opportunities")
    assert market["target"] == 160
    fed = [
        t
        for _, t, d in supported.graph.out_edges(market["id"], data=True)
        if d["kind"] == "supports"
    ]
    # It feeds the opportunities KR of the scope it serves: everything under its parent, 公司.
    assert fed == [kr(supported, "u:公司", "opportunities")["id"]]
    assert kr(supported, "u:公司", "opportunities")["target"] == 400


# --- e. a market-share KPI -----------------------------------------------------------------------


def test_a_share_kpi_becomes_revenue_over_the_market(solve: Solve) -> None:
    plan = solve(
        plan={"buffer": "10%"},
        kpi={"metric": "market_share", "target": {"from": "35%", "change": "+5pp"}},
        metrics={
            "market_share": {"name": "市场份额", "kind": "share", "share_of": {"revenue": "40亿"}},
            "revenue": {"name": "销售额", "kind": "money"},
            "deals": {"name": "成交项目", "yields": {"revenue": "100万"}},
        },
        org={
            "name": "公司",
            "units": [
                {"name": "华北", "roles": [sales(10)]},
                {"name": "华南", "roles": [sales(6)]},
            ],
        },
        split={"basis": "headcount"},
        objectives=[
            {
                "title": "提升市场份额",
                "at": ["company"],
                "key_results": [{"metric": "market_share"}],
            },
            {"title": "业绩", "at": ["unit", "role"], "key_results": [{"metric": "revenue"}]},
        ],
    )
    assert plan.solver.status == "optimal"
    # 35% + 5pp = 40% of a 40亿 market: revenue of 16亿.
    assert kr(plan, "u:公司", "market_share")["target"] == 0.4
    company = node(plan, "u:公司")
    assert company["target"] == 16 * 10**8
    # The first level carries 16亿 × 1.1 = 17.6亿, split 10 : 6 by headcount (the reps carry
    # another 10%: 19.36亿 × 10/16 = 12.1亿 and × 6/16 = 7.26亿, so the units 11亿 and 6.6亿).
    north, south = node(plan, "u:公司/华北"), node(plan, "u:公司/华南")
    assert company["assigned"] == north["target"] + south["target"] == 176 * 10**7
    assert (north["target"], south["target"]) == (11 * 10**8, 66 * 10**7)
    assert node(plan, "r:公司/华北/销售")["per_person"] == 121 * 10**6  # 12.1亿 / 10
    assert node(plan, "r:公司/华南/销售")["per_person"] == 121 * 10**6  # 7.26亿 / 6
    assert kr(plan, "u:公司/华北", "revenue")["target"] == 11 * 10**8


# --- f. named people who join mid-year -----------------------------------------------------------


def test_people_who_join_mid_year_get_a_smaller_back_loaded_quota(solve: Solve) -> None:
    plan = solve(
        plan={"seasonality": ["20%", "30%", "20%", "30%"]},
        kpi={"metric": "revenue", "target": "1200万"},
        org=team(
            sales(
                people=["张三", "李四", {"name": "王五", "joined": "2015-07"}], ramp=["50%", "100%"]
            )
        ),
        split={"basis": "headcount"},
        objectives=[{"title": "业绩", "key_results": [{"metric": "revenue", "per": "month"}]}],
    )
    assert plan.solver.status == "optimal"
    staff, joiner = node(plan, "r:公司/销售部/销售"), node(plan, "r:公司/销售部/销售@2015-07")
    assert (staff["people"], joiner["people"]) == (["张三", "李四"], ["王五"])
    assert joiner["label"] == "销售 (2015-07)"
    # 王五 works from July: 50% in his first quarter (Q3), 100% in Q4.
    assert joiner["ramp"] == [0] * 6 + [0.5] * 3 + [1] * 3
    assert staff["ramp"] == [1] * 12
    # Phasing = seasonality × ramp: Q3 months 20%/3 × 0.5 = 3.33%, Q4 months 30%/3 × 1 = 10%;
    # they sum to 10% + 30% = 40%, so his months weigh 1/12 each in Q3 and 1/4 each in Q4:
    # 25% of his quota in Q3, 75% in Q4. Over the year he is 0.4 of a person.
    # By headcount (people × their share of the year): 2 + 0.4 = 2.4 FTE;
    # 1200万 × 2/2.4 = 1000万 (500万 each), 1200万 × 0.4/2.4 = 200万 for 王五.
    assert (staff["per_person"], joiner["per_person"]) == (500 * WAN, 200 * WAN)
    # His months: 200万 × 25% = 50万 for Q3, in whole 1万 as 17 + 17 + 16 (16.67 each, the
    # remainders to the earlier months); 200万 × 75% = 150万 for Q4, 50万 a month.
    months = kr(plan, "r:公司/销售部/销售@2015-07", "revenue")["periods"]
    assert list(months.values()) == [0] * 6 + [w * WAN for w in (17, 17, 16, 50, 50, 50)]
    # The others follow plain seasonality: 500万 × 20/30/20/30% = 100/150/100/150万 a quarter.
    months = kr(plan, "r:公司/销售部/销售", "revenue")["periods"]
    quarters = [sum(list(months.values())[q * 3 : q * 3 + 3]) for q in range(4)]
    assert quarters == [100 * WAN, 150 * WAN, 100 * WAN, 150 * WAN]


# --- g. totals -----------------------------------------------------------------------------------


def test_totals_add_up_exactly_at_every_level(solve: Solve) -> None:
    plan = solve(
        plan={"buffer": "10%"},
        org={
            "name": "公司",
            "units": [
                {
                    "name": "销售部",
                    "units": [
                        {"name": "一组", "roles": [sales(3)]},
                        {"name": "二组", "roles": [sales(4)]},
                    ],
                }
            ],
        },
        split={"basis": "headcount"},
    )
    assert plan.solver.status == "optimal"
    company, dept = node(plan, "u:公司"), node(plan, "u:公司/销售部")
    one, two = node(plan, "u:公司/销售部/一组"), node(plan, "u:公司/销售部/二组")
    # The company's target is the KPI; each level passes down its target × 1.1.
    assert company["target"] == 1000 * WAN
    assert company["assigned"] == dept["target"] == 1100 * WAN  # 1000万 × 1.1
    assert dept["assigned"] == 1210 * WAN  # 1100万 × 1.1
    # The reps carry 1000万 × 1.1³ = 1331万, 3 : 4 by headcount: 570.43万 and 760.57万, so
    # the teams ideally 518.57万 and 691.43万 (÷ 1.1). 1210万 is 121 steps of 10万:
    # 51 + 69 = 120, the last step to the larger remainder (0.857 > 0.143): 520万 and 690万.
    assert (one["target"], two["target"]) == (520 * WAN, 690 * WAN)
    assert one["target"] + two["target"] == dept["assigned"]
    # 一组: 520万 × 1.1 = 572万, but 3 reps hit only multiples of 30万: 570万 (190万 each).
    # 二组: 690万 × 1.1 = 759万, multiples of 40万: 760万 (190万 each).
    assert (one["assigned"], two["assigned"]) == (570 * WAN, 760 * WAN)
    for unit, role in ((one, "r:公司/销售部/一组/销售"), (two, "r:公司/销售部/二组/销售")):
        rep = node(plan, role)
        assert rep["per_person"] == 190 * WAN
        assert rep["quota"] == rep["per_person"] * rep["headcount"] == unit["assigned"]


# --- h. the A公司 scenario -----------------------------------------------------------------------


def test_a_company_2015() -> None:
    plan = api.decompose(SCENARIO)
    assert plan.solver.status == "optimal"
    assert kr(plan, "u:A公司", "revenue")["target"] == 8000 * WAN
    dept = node(plan, "u:A公司/销售部")
    assert dept["target"] == 8800 * WAN  # 8000万 × 1.1
    assert dept["assigned"] == 9680 * WAN  # 8800万 × 1.1
    rep_id = "r:A公司/销售部/销售岗"
    rep = node(plan, rep_id)
    # Funnel: a call is 5% × 50% × 30% × 20万 = 1500元; a visit 50% × 30% × 20万 = 3万.
    # Seasonality 15/25/25/35%: a Q4 month is 35%/3 = 11.667% of the year.
    # Visits: 25 × 3万 = 75万 a month ⇒ 75万 / 11.667% = 642.86万 a year.
    # Calls: 100 a week; November has 30 days: 100 × 30/7 = 428.57 calls × 1500元 = 64.29万
    # ⇒ 64.29万 / 11.667% = 551.02万 (October and December, 31 days: 569.39万).
    # So November's calls bind: 551.02万, in whole 10万 steps 550万.
    assert rep["per_person"] == 550 * WAN
    assert rep["binding"] == ["capacity calls 100/周 in 2015-11"]
    # The four groups fill 9680万 exactly at their caps (all in whole 10万 per person):
    # 10 reps × 550万 = 5500万; 2 ramping reps (25/50/75/100% by quarter: Q4 is 35/70 = 50%
    # of their year, 16.67% a month ⇒ 64.29万 / 16.67% = 385.7万) × 380万 = 760万;
    # 3 channel managers × 15 agents × 60万 = 2700万; together 8960万, 720万 short.
    # Hires from April at 25/50/75% (Q2–Q4: 6.25 + 12.5 + 26.25 = 45 ⇒ a Q4 month 19.44%):
    # 64.29万 × 75% / 19.44% = 247.96万 ⇒ 240万; 720万 / 240万 = 3 hires.
    assert plan.solver.hires == {"r:A公司/销售部/销售岗 (2)+hires": 3}
    # Calls a week, averaged over the year: 550万 / 1500元 = 3666.7 calls over 365/7 = 52.14
    # weeks = 70.3 ⇒ 71 (rounded up).
    calls = kr(plan, rep_id, "calls")
    assert (calls["per"], calls["target"]) == ("week", 71)
    # Visits a month, averaged: 550万 / 3万 = 183.3 a year / 12 = 15.3 ⇒ 16.
    visits = kr(plan, rep_id, "visits")
    assert (visits["per"], visits["target"]) == ("month", 16)
    # Periods add up to the total: 183.3 visits are rounded up once, to 184, and apportioned
    # by quarter (largest remainder): 15/25/25/35% of 184 = 27.6, 46, 46, 64.4 ⇒ floors
    # 27 + 46 + 46 + 64 = 183, the one left to Q1 (.6 > .4) ⇒ 28, 46, 46, 64. Q4's months
    # hold equal sales (64.17万 each ⇒ 21.3 visits): 64 = 22 + 21 + 21, the tie to October.
    assert visits["total"] == 184
    quarters = [sum(list(visits["periods"].values())[q : q + 3]) for q in (0, 3, 6, 9)]
    assert quarters == [28, 46, 46, 64]
    assert [visits["periods"][m] for m in ("2015-10", "2015-11", "2015-12")] == [22, 21, 21]
    assert max(visits["periods"].values()) <= 25  # capacity 25 a month
    # Calls: 3666.7 ⇒ 3667 a year; the ISO weeks add up to exactly that.
    assert calls["total"] == 3667 == sum(calls["periods"].values())
    # 渠道经理: 15 agents a year each (capacity 15 a year), 15/25/25/35%: 2.25 + 3.75 + 3.75
    # + 5.25 ⇒ floors 2 + 3 + 3 + 5 = 13, +1 to Q2 and Q3 (.75) ⇒ 2, 4, 4, 5 = 15 (rounding
    # each quarter up gave 3 + 4 + 4 + 6 = 17, more than a year's capacity).
    agents = kr(plan, "r:A公司/销售部/渠道经理", "channels")
    assert list(agents["periods"].values()) == [2, 4, 4, 5] and agents["total"] == 15


# --- the command line ----------------------------------------------------------------------------


def test_decompose_twice_gives_identical_plan_json() -> None:
    # twice in one process (no state left behind by the first); two processes with two hash
    # seeds, through the command line and its files: tests/test_determinism.py
    first = planjson.to_json(api.decompose(SCENARIO))
    assert planjson.to_json(api.decompose(SCENARIO)) == first


def test_an_existing_output_is_replaced_only_with_force(
    write_target: Callable[..., Path], tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "plan"
    first = write_target(minimal_target(kpi={"metric": "revenue", "target": "1000万"}))
    assert runner.invoke(cli, ["decompose", str(first), "-o", str(out)]).exit_code == 0
    second = write_target(
        minimal_target(kpi={"metric": "revenue", "target": "2000万"}), "second.yaml"
    )
    refused = runner.invoke(cli, ["decompose", str(second), "-o", str(out)])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert json.loads((out / "plan.json").read_text("utf-8"))["plan"]["kpi"]["target"] == (
        1000 * WAN
    )
    forced = runner.invoke(cli, ["decompose", str(second), "-o", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert json.loads((out / "plan.json").read_text("utf-8"))["plan"]["kpi"]["target"] == (
        2000 * WAN
    )


def test_explain_prints_what_binds_and_what_more_capacity_adds(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    out.mkdir()  # explain reads plan.json alone: the rest of a plan directory is not written
    (out / "plan.json").write_text(planjson.to_json(api.decompose(SCENARIO)), encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", str(out)])
    assert result.exit_code == 0, result.output
    assert "销售部 销售岗 × 10：任务额 5,500万（每人 550万）" in result.output
    assert "  约束：产能 有效电话 100/周（2015-11）\n" in result.output
    # One more call a week: November's cap becomes 101 × 30/7 × 1500元 / 11.667% = 556.53万,
    # 5.51万 more a rep, 55.1万 for the 10 ⇒ "adds 55万".
    assert "  每人每周多 1 个有效电话，可多完成 55万" in result.output
    # One more agent a year per channel manager: 3 × 60万 = 180万.
    assert "  每人全期多 1 家新增渠道代理商，可多完成 180万" in result.output
