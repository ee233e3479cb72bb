"""Manual KRs written per period ("参加培训 2/月", "100%/周") are scored over the plan.

A count adds up: its target over the plan (the sheet's 考核目标) is target × the periods of the
plan; a level (a percent) is scored as a level. The working is in the comments.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from okrplan import api, queries
from okrplan.cadence import ScoredTargets
from okrplan.errors import InputError
from okrplan.export.sheets import build_book
from okrplan.model import KeyResult
from okrplan.score import Actual, KrScore, ScoreOptions, read_actuals, score_plan

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "a-company-2015.yaml"
REP = "r:A公司/销售部/销售岗"
HIRES = "r:A公司/销售部/销售岗 (2)+hires"
TRAINING = "参加销售团队培训与分享会议"  # 2/月
REPORT = "制定每周回款周报表：每周五提交本周回款情况及下一周的回款计划"  # 100%/周
GM_EXTRA = (
    "      - {text: 客户总量增长, target: 20%}\n",
    "      - {text: 客户总量增长, target: 20%}\n"
    "      - {text: 走访重点客户, target: 5/周}\n"
    "      - {text: 经营复盘会, target: 2/季度}\n",
)


@pytest.fixture(scope="module")
def plan() -> api.Plan:
    return api.decompose(SCENARIO)


def _variant(tmp: Path, name: str, *edits: tuple[str, str]) -> api.Plan:
    text = SCENARIO.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return api.decompose(path)


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> api.Plan:
    """The scenario with two more manual counts on the GM's sheet: 5/周 and 2/季度."""
    return _variant(tmp_path_factory.mktemp("extra"), "extra", GM_EXTRA)


@pytest.fixture(scope="module")
def partial(tmp_path_factory: pytest.TempPathFactory) -> api.Plan:
    """The same over six months, 2015-02 to 2015-07 (no seasonality: even phasing)."""
    return _variant(
        tmp_path_factory.mktemp("partial"),
        "partial",
        GM_EXTRA,
        ("  period: 2015\n", "  period: {from: 2015-02, to: 2015-07}\n"),
        ("  seasonality: [15%, 25%, 25%, 35%]\n", ""),
    )


def kr_named(plan: api.Plan, owner: str, name: str) -> KeyResult:
    return next(kr for _, krs in queries.sheet(plan.graph, owner) for kr in krs if kr.name == name)


def score_of(
    plan: api.Plan, kr: KeyResult, actuals: dict[str, Fraction | int], **options: Fraction
) -> KrScore:
    given = [Actual(kr.id, period, Fraction(v)) for period, v in actuals.items()]
    [sheet] = [s for s in score_plan(plan, given, ScoreOptions(**options)) if s.owner == kr.owner]
    return next(k for o in sheet.objectives for k in o.krs if k.id == kr.id)


def test_a_count_per_month_is_scored_over_the_year(plan: api.Plan) -> None:
    # 2/月 over the 12 months of 2015: 24. An actual of 12 is half of it; 24 all of it;
    # 30 is 1.25, capped at 1.0 by default and at 1.2 with --stretch 120%.
    kr = kr_named(plan, REP, TRAINING)
    assert ScoredTargets(plan).plan(kr) == 24
    assert (s := score_of(plan, kr, {"plan": 12})).target == 24 and s.score == Fraction(1, 2)
    assert score_of(plan, kr, {"plan": 24}).score == 1
    assert score_of(plan, kr, {"plan": 30}).score == 1
    assert score_of(plan, kr, {"plan": 30}, stretch=Fraction(6, 5)).score == Fraction(6, 5)


def test_the_sheet_shows_what_the_scorer_scores_against(plan: api.Plan) -> None:
    """考核目标 in the sheets (xlsx, CSV, Markdown, report) comes from the same rule."""
    book = build_book(plan)
    for owner, want in ((REP, 24), (HIRES, 18), ("u:A公司/销售部", 24)):
        sheet = next(s for s in book.sheets if s.key == owner)
        name = TRAINING if owner != "u:A公司/销售部" else "销售团队培训"
        row = next(r for r in sheet.rows if r.text == name)
        assert row.scored == want
        assert score_of(plan, kr_named(plan, owner, name), {"plan": want}).score == 1


def test_a_hire_cohort_counts_the_months_it_works(plan: api.Plan) -> None:
    # the hires arrive by the end of March (ramp 0 in Jan–Mar): 2 × 9 months = 18
    kr = kr_named(plan, HIRES, TRAINING)
    assert score_of(plan, kr, {"plan": 9}).score == Fraction(1, 2)
    # by period: Q1 asks nothing of them, so 0 trainings in Q1 and 6 in Q2 is the plan to date
    assert score_of(plan, kr, {"2015-Q1": 0, "2015-Q2": 6}).target == 6


def test_per_period_counts_add_up(plan: api.Plan) -> None:
    # months: 2 + 1 + 3 = 6 against 3 × 2 = 6; a quarter: 3 against 6; months and a quarter
    # together: 2 + 2 + 2 (Q1's months) + 3 (Q2) = 9 against 6 + 6 = 12
    kr = kr_named(plan, REP, TRAINING)
    by_month = score_of(plan, kr, {"2015-01": 2, "2015-02": 1, "2015-03": 3})
    assert (by_month.actual, by_month.target, by_month.score) == (6, 6, 1)
    assert score_of(plan, kr, {"2015-Q1": 3}).score == Fraction(1, 2)
    mixed = score_of(plan, kr, {"2015-01": 2, "2015-02": 2, "2015-03": 2, "2015-Q2": 3})
    assert (mixed.actual, mixed.target, mixed.score) == (9, 12, Fraction(3, 4))


def test_a_rate_per_week_is_scored_as_a_rate(plan: api.Plan) -> None:
    # 100%/周: 90% for the plan scores 0.9 (not 0.9 ÷ 52 weeks); weeks of 90% and 100%
    # average to 95%, scored 0.95 against 100%
    kr = kr_named(plan, REP, REPORT)
    assert ScoredTargets(plan).plan(kr) == 1
    assert score_of(plan, kr, {"plan": Fraction(9, 10)}).score == Fraction(9, 10)
    weeks = score_of(plan, kr, {"2015-W10": Fraction(9, 10), "2015-W11": 1})
    assert (weeks.actual, weeks.target, weeks.score) == (Fraction(19, 20), 1, Fraction(19, 20))
    assert score_of(plan, kr, {"2015-03": Fraction(4, 5)}).score == Fraction(4, 5)


def test_weeks_are_days_over_seven_and_quarters_are_counted(extra: api.Plan) -> None:
    # 5/周 over 2015: 365 days ÷ 7 = 52 1/7 weeks, × 5 = 260.7 → 261 (counts round up, as a
    # derived KR's total does; its weekly headline is total × 7 ÷ days the same way).
    # 2/季度 over four quarters: 8. A week's own target: 5; March's: 5 × 31 ÷ 7.
    targets = ScoredTargets(extra)
    visits = kr_named(extra, "u:A公司", "走访重点客户")
    review = kr_named(extra, "u:A公司", "经营复盘会")
    assert targets.plan(visits) == 261
    assert targets.period(visits, "2015-W10") == 5
    assert targets.period(visits, "2015-03") == Fraction(155, 7)
    assert targets.plan(review) == 8
    assert targets.period(review, "2015-Q2") == 2
    assert targets.period(review, "2015-05") is None  # shorter than its period
    assert score_of(extra, review, {"plan": 6}).score == Fraction(3, 4)


def test_a_partial_year_counts_only_its_periods(partial: api.Plan) -> None:
    # 2015-02..2015-07: 2/月 → 2 × 6 = 12; 2/季度 → 2 × 6 ÷ 3 = 4;
    # 5/周 → 181 days ÷ 7 × 5 = 129.3 → 130; Q1 holds two of the plan's months: 2 × 2 = 4
    targets = ScoredTargets(partial)
    assert targets.plan(kr_named(partial, REP, TRAINING)) == 12
    assert targets.period(kr_named(partial, REP, TRAINING), "2015-Q1") == 4
    assert targets.plan(kr_named(partial, "u:A公司", "经营复盘会")) == 4
    assert targets.plan(kr_named(partial, "u:A公司", "走访重点客户")) == 130


def test_actuals_by_period_are_read_for_manual_krs(plan: api.Plan, tmp_path: Path) -> None:
    rows = (
        "unit,role,kr,period,actual\n"
        f"销售部,销售岗,{TRAINING},2015-03,2\n"
        f"销售部,销售岗,{TRAINING},2015-Q2,5\n"
        f"销售部,销售岗,{REPORT},2015-W10,90%\n"
    )
    good = tmp_path / "good.csv"
    good.write_text(rows, encoding="utf-8")
    actuals, _ = read_actuals(good, plan)
    assert [(a.period, a.value) for a in actuals] == [
        ("2015-03", 2),
        ("2015-Q2", 5),
        ("2015-W10", Fraction(9, 10)),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"unit,role,kr,period,actual\n销售部,销售岗,{TRAINING},2015-W10,1\n")
    with pytest.raises(InputError) as caught:
        read_actuals(bad, plan)
    [issue] = caught.value.issues
    assert issue.message == f"{TRAINING} has no period '2015-W10'"
    assert issue.hint is not None and "2015-01" in issue.hint
