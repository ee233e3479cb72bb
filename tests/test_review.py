"""``okrplan review``: the 复盘 pack of a unit (issue 20), on a plan whose numbers can be
checked by hand and on the three-level sales-center scenario.

The small plan (tests/data/review/target.yaml, written to plan.json by ``okrplan decompose``):
one team, 直销组, of 10 销售岗 for June 2015; 1200万 of revenue at 40万 a deal is 30 deals, at
25 % 120 opportunities, at 30 % 400 visits (per person 120万, 12, 40). So the plan's rates are
visits → opportunities 120/400 = 30 % and 1200万/120 = 10万 of revenue per opportunity.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from fractions import Fraction as F
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrplan.api import load_plan
from okrplan.cli import cli
from okrplan.plan import Plan
from okrplan.progress import CheckIn, record
from okrplan.queries import org_children, tree_order
from okrplan.review.funnel import Cause
from okrplan.review.markdown import to_markdown
from okrplan.review.pack import Pack
from okrplan.review.run import review_pack

DATA = Path(__file__).parent / "data" / "review"
SALES_CENTER = Path(__file__).parent / "golden" / "scenarios" / "sales-center-2021" / "plan.json"
WAN = 10_000
ROLE = "k:A公司/直销组/销售岗#1."  # .1 revenue, .2 opportunities, .3 visits
TEAM = "u:A公司/直销组"


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plan"
    folder.mkdir()
    shutil.copy(DATA / "plan.json", folder / "plan.json")
    return folder


def team_reported(folder: Path, visits: int, opportunities: int, revenue: int) -> Pack:
    """The team's June pack after its people reported these totals (the group as a whole)."""
    rows = [
        CheckIn(ROLE + "3", "2015-06", F(visits)),
        CheckIn(ROLE + "2", "2015-06", F(opportunities), confidence=3, comment="转化偏低"),
        CheckIn(ROLE + "1", "2015-06", F(revenue)),
    ]
    record(folder, rows, source="june.csv")
    return review_pack(load_plan(folder), folder, TEAM, "2015-06")


def test_visits_on_plan_but_conversion_fell_is_a_conversion_problem(plan_dir: Path) -> None:
    # 400 visits as planned; 30 % → 20 % became opportunities (80); 10万 each as planned:
    # 800万 of 1200万, a gap of −400万.
    # volume:               (400 − 400) × 30 % × 10万 = 0
    # visits → opportunity:  400 × (20 % − 30 %) × 10万 = −400万
    # opportunity → revenue: 400 × 20 % × (10万 − 10万) = 0
    pack = team_reported(plan_dir, 400, 80, 800 * WAN)
    (funnel,) = pack.funnels
    d = funnel.diagnosis
    assert [(s.metric, s.planned, s.actual) for s in d.stages] == [
        ("visits", 400, 400),
        ("opportunities", 120, 80),
        ("revenue", 1200 * WAN, 800 * WAN),
    ]
    assert [f.explains for f in d.factors] == [0, -400 * WAN, 0]
    assert d.gap == -400 * WAN and d.cause is Cause.CONVERSION
    text = to_markdown(pack)
    assert "销售额缺口 −400万 = 活动量 0 + 转化率 −400万。" in text
    assert "主要原因：转化率下降（客户拜访→新增项目机会 20%，计划 30%）。" in text
    assert "转化偏低 (信心 3/10)" in text  # the comment, also among the difficulties


def test_too_few_visits_at_planned_rates_is_a_volume_problem(plan_dir: Path) -> None:
    # 300 visits of 400; 30 % of them → 90 opportunities; 10万 each → 900万. Gap −300万 =
    # volume (300 − 400) × 30 % × 10万; both rates as planned explain nothing.
    pack = team_reported(plan_dir, 300, 90, 900 * WAN)
    d = pack.funnels[0].diagnosis
    assert [f.explains for f in d.factors] == [-300 * WAN, 0, 0]
    assert (d.volume, d.conversion, d.cause) == (-300 * WAN, 0, Cause.VOLUME)
    assert "主要原因：活动量不足（客户拜访 300，计划 400）。" in to_markdown(pack)


def test_activity_of_the_period_and_progress(plan_dir: Path) -> None:
    pack = team_reported(plan_dir, 300, 90, 900 * WAN)
    assert [(a.metric, a.planned, a.actual) for a in pack.activities] == [
        ("visits", 400, 300),
        ("opportunities", 120, 90),
        ("revenue", 1200 * WAN, 900 * WAN),
    ]
    # The team's own KRs roll up from the role's check-ins: 900万 of 1200万 = 75 %.
    revenue = pack.objectives[0].krs[0]
    assert (revenue.target, revenue.actual, revenue.progress) == (1200 * WAN, 900 * WAN, F(3, 4))
    (child,) = pack.children
    assert (child.name, child.headcount, child.headline and child.headline.actual) == (
        "销售岗",
        10,
        900 * WAN,
    )


def english(plan: Plan) -> Plan:
    return replace(plan, meta={**plan.meta, "locale": "en"})


def test_the_pack_speaks_the_plans_language(plan_dir: Path) -> None:
    team_reported(plan_dir, 400, 80, 800 * WAN)
    from okrplan.progress import latest, progress
    from okrplan.review.pack import build_pack
    from okrplan.review.periods import span

    plan = english(load_plan(plan_dir))
    rows = latest(plan_dir)
    pack = build_pack(plan, TEAM, "2015-06", rows, progress(plan, rows, span("2015-06").last))
    text = to_markdown(pack)
    assert "## 1 Progress of the current OKRs" in text
    assert "## 4 Resources needed and current difficulties" in text
    # English amounts carry the plan's currency symbol (a-company's is CNY → ¥)
    assert "销售额 gap −¥4M = activity volume ¥0 + conversion −¥4M." in text
    assert "当前" not in text and "主要原因" not in text


# -- levels -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sales_center() -> Plan:
    return load_plan(SALES_CENTER)


LEVELS = ["u:销售中心", "u:销售中心/北京销售团队", "u:销售中心/北京销售团队/渠道团队"]


@pytest.mark.parametrize("unit_id", LEVELS, ids=["一级", "二级", "三级"])
def test_a_level_reviews_its_own_okr_and_its_direct_children_only(
    sales_center: Plan, unit_id: str
) -> None:
    # Seed 000: 如果在一级部门的复盘会议中汇报渠道部门的OKR,那显然是不合适的.
    graph = sales_center.graph
    pack = review_pack(sales_center, None, unit_id, "2021-06")
    allowed = {unit_id, *org_children(graph, unit_id)}
    shown = [k.kr for o in pack.objectives for k in o.krs]
    shown += [c.headline.kr for c in pack.children if c.headline is not None and c.headline.kr]
    shown += [n.kr for n in pack.next]
    owners = {graph.nodes[k]["node"].owner for k in shown}
    assert owners <= allowed
    assert {c.id for c in pack.children} == set(org_children(graph, unit_id))
    below = set(tree_order(graph, unit_id)) - allowed
    deeper = [k for k in shown if graph.nodes[k]["node"].owner in below]
    assert deeper == []
    text = to_markdown(pack)
    if unit_id == "u:销售中心":  # the channel team's O is two levels down
        assert "实现渠道团队的业务突破" not in text and "打造行业领先的业务团队" not in text
    if unit_id == "u:销售中心/北京销售团队":
        assert "拓展有效渠道" not in text  # the O of the 渠道经理 in 渠道团队


# -- the command --------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["review", *args])
    return result.exit_code, result.stdout, result.stderr


def test_command_prints_markdown_and_writes_all_three(plan_dir: Path, tmp_path: Path) -> None:
    team_reported(plan_dir, 400, 80, 800 * WAN)
    code, out, _ = run(str(plan_dir), "--unit", "直销组", "--period", "2015-06")
    assert code == 0 and out.startswith("# 直销组 复盘 · 2015-06\n")
    target = tmp_path / "reviews"
    code, _, err = run(
        str(plan_dir), "-u", "A公司/直销组", "--period", "2015-06", "-o", str(target)
    )
    assert code == 0, err
    names = sorted(p.name for p in target.iterdir())
    assert names == [f"复盘-直销组-2015-06.{s}" for s in ("html", "md", "xlsx")]
    first = {p.name: p.read_bytes() for p in target.iterdir()}
    # A planner's file is never replaced without --force; with it, the bytes are the same.
    code, _, err = run(str(plan_dir), "-u", "直销组", "--period", "2015-06", "-o", str(target))
    assert code == 1 and "already exists" in err and "--force" in err
    code, _, _ = run(
        str(plan_dir), "-u", "直销组", "--period", "2015-06", "-o", str(target), "--force"
    )
    assert code == 0 and {p.name: p.read_bytes() for p in target.iterdir()} == first
    from openpyxl import load_workbook

    wb = load_workbook(target / "复盘-直销组-2015-06.xlsx")
    assert wb.sheetnames[0] == "1 当前OKR的进度"
    values = [c.value for row in wb.worksheets[1].iter_rows() for c in row]
    assert 400 in values and 12_000_000 in values  # numbers as numbers


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--unit", "没有这个"], 2, "no unit named"),
        (["--period", "2016-01"], 2, "outside the plan"),
        (["--period", "2015-W23"], 2, "not a month or a quarter"),
        (["--format", "xlsx"], 2, "needs a folder"),
        (["--format", "pdf", "-o", "x"], 2, "unknown format"),
        (["--all"], 2, "-o DIR"),
    ],
    ids=["unit", "period-outside", "period-week", "xlsx-stdout", "format", "all-stdout"],
)
def test_command_errors(plan_dir: Path, args: list[str], code: int, words: str) -> None:
    got, _, err = run(str(plan_dir), "--period", "2015-06", *args)
    assert got == code and words in err and "Traceback" not in err


def test_all_units_with_an_index(plan_dir: Path, tmp_path: Path) -> None:
    code, _, err = run(
        str(plan_dir), "--all", "--period", "2015-06", "-o", str(tmp_path / "all"), "--format", "md"
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [
        "index.md",
        "复盘-A公司-2015-06.md",
        "复盘-直销组-2015-06.md",
    ]


def test_the_command_says_what_it_wrote_in_the_plans_language(
    plan_dir: Path, tmp_path: Path
) -> None:
    # the plan has two units (A公司, 直销组): --all writes their packs and index.md = 3 files
    code, _, err = run(
        str(plan_dir), "--all", "--period", "2015-06", "-o", str(tmp_path / "zh"), "--format", "md"
    )
    assert code == 0 and err == f"已写入 3 个文件到 {tmp_path / 'zh'}\n"
    code, _, err = run(
        str(plan_dir),
        "-u",
        "直销组",
        "--period",
        "2015-06",
        "-o",
        str(tmp_path / "z1"),
        "--format",
        "md",
    )
    assert code == 0 and err == f"已写入 {tmp_path / 'z1' / '复盘-直销组-2015-06.md'}\n"
    plan_json = plan_dir / "plan.json"
    plan_json.write_text(
        plan_json.read_text(encoding="utf-8").replace('"locale": "zh-CN"', '"locale": "en"'),
        encoding="utf-8",
    )
    assert load_plan(plan_dir).locale == "en"
    code, _, err = run(
        str(plan_dir), "--all", "--period", "2015-06", "-o", str(tmp_path / "en"), "--format", "md"
    )
    assert code == 0 and err == f"wrote 3 files to {tmp_path / 'en'}\n"


def test_the_default_period_is_the_last_complete_month(plan_dir: Path) -> None:
    from datetime import date

    from okrplan.errors import OptionError
    from okrplan.review.run import choose_period

    plan = load_plan(plan_dir)  # June 2015 only
    assert choose_period(plan, None, date(2015, 7, 1)) == "2015-06"
    assert choose_period(plan, None, date(2016, 3, 9)) == "2015-06"  # the plan is over
    assert choose_period(plan, "2015-q2", date(2016, 3, 9)) == "2015-Q2"
    with pytest.raises(OptionError, match="no month of it is over yet"):
        choose_period(plan, None, date(2015, 6, 20))


def test_a_week_across_the_months_end_counts_for_its_days_in_the_month() -> None:
    # 2015-W27 runs Monday 29 June to Sunday 5 July: 2 of its 7 days are in June, so 70 visits
    # reported for it count 70 × 2/7 = 20 in June; W26 (22–28 June) counts whole. A value with
    # a person's name is ignored while the owner's own value for the KR exists.
    from okrplan.review.periods import span
    from okrplan.review.records import Actuals

    rows = [
        CheckIn("k", "2015-W26", F(100)),
        CheckIn("k", "2015-W27", F(70)),
        CheckIn("k", "2015-W27", F(5), person="张三"),
    ]
    assert Actuals(rows).within("k", span("2015-06")) == 120
    assert Actuals(rows).within("k", span("2015-07")) == 50
    assert Actuals(rows[2:]).within("k", span("2015-07")) == F(25, 7)
    assert Actuals(rows).within("other", span("2015-06")) is None


def test_only_the_groups_that_reported_are_compared(sales_center: Plan) -> None:
    # 直销组 has 10 reps and a cohort of 3 new ones; only the 10 report June 2021: 130 visits,
    # 35 opportunities, 250万. Their plan for June: visits 10 × 13 = 130, opportunities
    # 10 × 7 = 70, revenue Q2 10 × 130万 × June's seasonality share 10/(8 + 8 + 10) = 500万.
    # Rates: planned 70/130 = 7/13 and 500万/70; actual 35/130 = 7/26 and 250万/35 = 500万/70.
    # visits → opportunities: 130 × (7/26 − 7/13) × 500万/70 = −250万, the whole gap; the
    # cohort's plan is left out rather than counted as a shortfall of 100 %.
    from okrplan.progress import progress
    from okrplan.review.pack import build_pack
    from okrplan.review.periods import span

    rep = "k:销售中心/北京销售团队/直销组/销售代表#1."
    rows = [
        CheckIn(rep + "2", "2021-06", F(130)),
        CheckIn(rep + "3", "2021-06", F(35)),
        CheckIn(rep + "4", "2021-06", F(250 * WAN)),
    ]
    unit = "u:销售中心/北京销售团队/直销组"
    state = progress(sales_center, rows, span("2021-06").last)
    pack = build_pack(sales_center, unit, "2021-06", rows, state)
    (funnel,) = pack.funnels
    assert (funnel.people, funnel.reported) == (13, 10)
    d = funnel.diagnosis
    assert [(s.planned, s.actual) for s in d.stages[1:]] == [
        (130, 130),
        (70, 35),
        (500 * WAN, 250 * WAN),
    ]
    assert [f.explains for f in d.factors] == [0, -250 * WAN, 0]
    visits = next(a for a in pack.activities if a.metric == "visits")
    assert (visits.planned, visits.actual, visits.reported, visits.people) == (130, 130, 10, 13)
    assert "13人，其中10人有数据" in to_markdown(pack)


def test_pack_amounts_follow_the_plans_step_and_currency() -> None:
    from decimal import Decimal
    from fractions import Fraction

    from okrplan.numbers import Numbers
    from okrplan.review.words import amount, signed

    value = Fraction(5_225_000)  # 522.5万 = $5.225M
    # a 1,000 step is 0.1万: one decimal in 万; the default 10万 step shows whole 万
    assert amount(value, Numbers("zh-CN", "CNY", Decimal(1_000)), money=True) == "522.5万"
    assert amount(value, Numbers("zh-CN", "CNY"), money=True) == "523万"
    # en: the currency symbol, in M to a 10k step (5.225M → 5.23M)
    assert amount(value, Numbers("en", "USD", Decimal(10_000)), money=True) == "$5.23M"
    assert signed(-value, Numbers("en", "USD", Decimal(10_000)), money=True) == "−$5.23M"
    # counts are not money: no symbol, the count's own decimals
    assert amount(Fraction(61, 2), Numbers("en", "USD"), money=False) == "30.5"


def test_score_without_matching_actuals_says_so_in_the_plans_language(
    plan_dir: Path, tmp_path: Path
) -> None:
    # a table with the header only: no actual, so no sheet is scored (the tiny review plan)
    empty = tmp_path / "empty.csv"
    empty.write_text("unit,role,kr,period,actual\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(plan_dir), str(empty)])
    assert result.exit_code == 0 and result.stderr == "没有实际值对应到有目标的关键成果\n"
    plan_json = plan_dir / "plan.json"
    plan_json.write_text(
        plan_json.read_text(encoding="utf-8").replace('"locale": "zh-CN"', '"locale": "en"'),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["score", str(plan_dir), str(empty)])
    assert result.exit_code == 0 and result.stderr == "no actual matched a KR with a target\n"
