"""KR weights per sheet and scores (issue 4), checked against the seed tables and by hand."""

from __future__ import annotations

import os
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan import api, queries
from okrplan.errors import InputError
from okrplan.graph import krs_of, objectives_of
from okrplan.queries import as_json, json_nodes
from okrplan.score import Actual, ScoreOptions, kr_score, score_plan
from okrplan.solve.weights import WeightItem, solve_weights

# 60 random examples a run by default (150 before: the invariant is simple, and each run draws
# new ones); OKRPLAN_FUZZ_EXAMPLES=N tries 10 × N for a long run
EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "6")) * 10

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "a-company-2015.yaml"


@pytest.fixture(scope="module")
def plan() -> api.Plan:
    return api.decompose(SCENARIO)


def sheet(plan: api.Plan, owner: str) -> list[tuple[str, str, int | None]]:
    """(objective, KR name, weight) rows of one owner's sheet, in order."""
    graph = plan.graph
    return [
        (as_json(graph, o)["name"], as_json(graph, k)["name"], as_json(graph, k)["weight"])
        for o in objectives_of(graph, owner)
        for k in krs_of(graph, o)
    ]


def test_rep_sheet_weights_are_the_seed_table(plan: api.Plan) -> None:
    # 销售岗位OKR计划表: 10 / 15 / 15 / 20 | 5 / 25 | 5 / 5 | 减分项 (no weight)
    weights = [w for _, _, w in sheet(plan, "r:A公司/销售部/销售岗")]
    assert weights == [10, 15, 15, 20, 5, 25, 5, 5, None]
    rep = "r:A公司/销售部/销售岗"
    objectives = [as_json(plan.graph, o) for o in objectives_of(plan.graph, rep)]
    assert [(o["name"], o["weight"]) for o in objectives] == [
        ("完成个人销售目标", 60),
        ("提升回款率", 30),
        ("提升个人销售能力", 10),
        ("加强跨部门协作", 0),
    ]


def test_department_sheet_weights_are_the_seed_table(plan: api.Plan) -> None:
    # 销售部OKR计划表: 15 / 15 / 20 | 5 / 20 / 5 | 5 / 5 / 10; the added staffing KR stays out
    rows = sheet(plan, "u:A公司/销售部")
    assert [w for _, _, w in rows] == [15, 15, 20, 5, 20, 5, 5, 5, 10, None]
    assert rows[-1][1] == "招聘 3 名销售岗，3月底前到岗"


def test_every_sheet_sums_to_exactly_100(plan: api.Plan) -> None:
    for owner, data in json_nodes(plan.graph).items():
        if data["kind"] in ("unit", "role"):
            weights = [w for _, _, w in sheet(plan, owner) if w is not None]
            assert not weights or sum(weights) == 100, owner


def test_leverage_reproduces_the_seed_order_unfixed(tmp_path: Path) -> None:
    text = SCENARIO.read_text(encoding="utf-8")
    text = re.sub(r", weight: \d+%", "", text)
    target = tmp_path / "unfixed.yaml"
    target.write_text(text, encoding="utf-8")
    rows = dict((name, w) for _, name, w in sheet(api.decompose(target), "r:A公司/销售部/销售岗"))
    # leverage: revenue R, collections 0.95R, opportunities R/4, visits R/8, calls R/16;
    # 3 manual KRs take the 5% floor, 85% split 35.6 / 33.8 / 8.9 / 4.5 / 2.2 → steps of 5
    assert rows["销售额"] == 35 and rows["回款额"] == 30
    assert rows["新增项目机会"] == 10 and rows["拜访新客户"] == 5 and rows["有效电话"] == 5
    outcome = min(rows["销售额"], rows["回款额"])
    lightest = max(
        rows["制定每周回款周报表：每周五提交本周回款情况及下一周的回款计划"],
        rows["参加销售团队培训与分享会议"],
        rows["销售日报和周报完成率100%及领导交办的其他工作"],
    )
    assert outcome > rows["新增项目机会"] >= rows["拜访新客户"] >= rows["有效电话"] >= lightest == 5


@pytest.mark.parametrize(
    ("items", "rule", "message"),
    [
        (
            [WeightItem("A", 60), WeightItem("B", 50)],
            "leverage",
            "the sheet S: the fixed weights add up to 110%, more than 100% (A, B)",
        ),
        (
            [WeightItem(str(i)) for i in range(21)],
            "equal",
            "the sheet S: 21 KRs without a fixed weight need at least 5% each, "
            "but only 100% is left",
        ),
        (
            [WeightItem("A", 50), WeightItem("B")],
            "given",
            "the sheet S: weights.rule is given, but these KRs have no weight: B",
        ),
        (
            [WeightItem("A", 50), WeightItem("B", 45)],
            "given",
            "the sheet S: the weights add up to 95%, not 100% (A, B)",
        ),
    ],
    ids=["over-100", "too-many-krs", "given-missing", "given-not-100"],
)
def test_impossible_weight_specs_are_clear_errors(
    items: list[WeightItem], rule: str, message: str
) -> None:
    with pytest.raises(InputError) as info:
        solve_weights(items, rule=rule, step=5, minimum=5, sheet="S", file="t.yaml")
    assert info.value.issues[0].message == message
    assert info.value.issues[0].file == "t.yaml" and info.value.issues[0].hint


def test_given_rule_without_gm_weights_fails_at_decompose(tmp_path: Path) -> None:
    text = SCENARIO.read_text(encoding="utf-8").replace("rule: leverage", "rule: given")
    target = tmp_path / "given.yaml"
    target.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"the sheet A公司: weights\.rule is given"):
        api.decompose(target)


@st.composite
def sheets(draw: st.DrawFn) -> tuple[list[WeightItem], int, int]:
    step = draw(st.sampled_from([1, 2, 5, 10]))
    minimum = step * draw(st.integers(0, 3))
    count = draw(st.integers(1, 12))
    items, fixed_total = [], 0
    for n in range(count):
        fixed = None
        if draw(st.booleans()) and fixed_total < 60:
            fixed = step * draw(st.integers(max(1, -(-minimum // step)), 20 // step + 1))
            fixed_total += fixed
        leverage = Fraction(draw(st.integers(0, 1000)), draw(st.integers(1, 50)))
        items.append(WeightItem(f"kr{n}", fixed, leverage))
    return items, step, minimum


@settings(max_examples=EXAMPLES, deadline=None)
@given(sheets(), st.sampled_from(["leverage", "equal"]))
def test_random_sheets_sum_to_100_in_steps_respecting_min_and_fixed(
    sheet_: tuple[list[WeightItem], int, int], rule: str
) -> None:
    items, step, minimum = sheet_
    try:
        weights = solve_weights(items, rule=rule, step=step, minimum=minimum, sheet="S")
    except InputError as exc:  # only the documented conflicts may refuse
        free = [i for i in items if i.fixed is None]
        fixed = sum(i.fixed or 0 for i in items)
        assert fixed > 100 or len(free) * minimum > 100 - fixed or not free, exc
        return
    assert sum(weights) == 100
    assert all(w % step == 0 and w >= minimum for w in weights)
    assert all(w == i.fixed for w, i in zip(weights, items, strict=True) if i.fixed is not None)


def test_kr_score_rules() -> None:
    assert kr_score(Fraction(100), Fraction(130)) == 1  # capped by default
    assert kr_score(Fraction(100), Fraction(130), stretch=Fraction(12, 10)) == Fraction(12, 10)
    assert kr_score(Fraction(5), Fraction(10), decrease=True) == Fraction(1, 2)
    assert kr_score(Fraction(5), Fraction(0), decrease=True) == 1
    assert kr_score(Fraction(100), Fraction(-5)) == 0


def test_rep_sheet_score_by_hand(plan: api.Plan) -> None:
    rep = "r:A公司/销售部/销售岗"
    krs = {kr.name: kr.id for _, krs in queries.sheet(plan.graph, rep) for kr in krs}
    actual = {
        "有效电话": 3300,
        "拜访新客户": 150,
        "新增项目机会": 92,
        "销售额": 6_000_000,
        "制定每周回款周报表：每周五提交本周回款情况及下一周的回款计划": Fraction(9, 10),
        "回款额": 4_180_000,
        "销售日报和周报完成率100%及领导交办的其他工作": 1,
        "参加销售团队培训与分享会议": 18,
        "有效投诉案例": 2,
    }
    actuals = [Actual(krs[name], "plan", Fraction(value)) for name, value in actual.items()]
    [scored] = [s for s in score_plan(plan, actuals) if s.owner == rep]
    # Targets for one rep (550万 quota): calls 550万 ÷ 1500元/call = 3666.7 → 3667;
    # visits 550万 ÷ 3万 = 183.3 → 184; opportunities 550万 ÷ 6万 = 91.7 → 92.
    # O1 = 10×3300/3667 + 15×150/184 + 15×1 + 20×1 (600万 over 550万, capped)
    #    = 8.999 + 12.228 + 15 + 20 = 56.227
    # O2 = 5×0.9 + 25×(418万/522.5万 = 0.8) = 4.5 + 20 = 24.5
    # O3 = 5×1 + 5×(18/24: 2 trainings a month over 12 months) = 8.75;   deductions 2 × 5 = 10
    o1 = 10 * Fraction(3300, 3667) + 15 * Fraction(150, 184) + 15 + 20
    assert [o.points for o in scored.objectives] == [o1, Fraction(49, 2), Fraction(35, 4), 0]
    assert scored.deductions == 10
    assert scored.total == o1 + Fraction(49, 2) + Fraction(35, 4) - 10
    assert round(float(scored.total), 2) == 79.48


def _revenue_kr(plan: api.Plan, owner: str) -> str:
    return next(
        kr.id for _, krs in queries.sheet(plan.graph, owner) for kr in krs if kr.metric == "revenue"
    )


def test_unit_scores_roll_up_aligned_actuals(plan: api.Plan) -> None:
    revenue = _revenue_kr(plan, "r:A公司/销售部/销售岗")
    actuals = [Actual(revenue, "plan", Fraction(600_0000))]
    scores = {s.owner: s for s in score_plan(plan, actuals)}
    department = scores["u:A公司/销售部"]
    kr = next(k for o in department.objectives for k in o.krs if k.name == "销售额")
    assert kr.actual == 10 * 600_0000  # ten reps' per-person actual
    assert kr.score == Fraction(6000, 8800)


def test_percent_option_changes_display_only(plan: api.Plan) -> None:
    from okrplan.score import score_rows

    revenue = _revenue_kr(plan, "r:A公司/销售部/销售岗")
    sheets_ = score_plan(plan, [Actual(revenue, "plan", Fraction(275_0000))])
    fraction_rows = score_rows(sheets_, ScoreOptions())
    percent_rows = score_rows(sheets_, ScoreOptions(percent=True))
    assert ["0.5" in r[6] for r in fraction_rows] == ["50%" in r[6] for r in percent_rows]


REP_ACTUALS = """unit,role,kr,period,actual
销售部,销售岗,有效电话,plan,3300
销售部,销售岗,拜访新客户,plan,150
销售部,销售岗,新增项目机会,plan,92
销售部,销售岗,销售额,plan,600万
销售部,销售岗,制定每周回款周报表：每周五提交本周回款情况及下一周的回款计划,plan,90%
销售部,销售岗,回款额,plan,418万
销售部,销售岗,销售日报和周报完成率100%及领导交办的其他工作,plan,100%
销售部,销售岗,参加销售团队培训与分享会议,plan,18
销售部,销售岗,有效投诉案例,plan,2
"""


def test_score_command_matches_hand_score(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from okrplan.cli import cli

    actuals = tmp_path / "actuals.csv"
    actuals.write_text(REP_ACTUALS, encoding="utf-8")
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(
        cli, ["score", str(SCENARIO), str(actuals), "-o", str(out)], terminal_width=160
    )
    assert result.exit_code == 0, result.output
    assert "销售岗 (销售部)：合计 79.48" in result.output
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "sheet,objective,kr,weight,target,actual,score,o_points,sheet_total"
    assert "销售岗 (销售部),加强跨部门协作,有效投诉案例,,,2,-10,0,79.48" in rows
    assert not any(",'," in row for row in rows)


def test_score_reports_bad_rows_with_their_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from okrplan.cli import cli

    actuals = tmp_path / "bad.csv"
    actuals.write_text(
        "unit,role,kr,period,actual\n销售部,销售岗,销售额,plan,lots\n"
        "销售部,销售岗,有效电话,2015-13,3\n,,有效电话,plan,3\n"
        "销售部,销售岗,销售额,plan,5\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["score", str(SCENARIO), str(actuals)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if ": error: " in line]
    assert lines[0].startswith(f"{actuals}:2: error: actual: the actual 'lots' is not a number")
    assert lines[1] == f"{actuals}:3: error: period: 有效电话 has no period '2015-13'"
    assert lines[2] == (
        f"{actuals}:4: error: kr: '有效电话' is on 3 sheets; add unit and role columns to say whose"
    )
    assert len(lines) == 3  # line 5 is fine: 销售额 gets its actual once
