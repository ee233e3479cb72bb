"""Per-role OKR sheets (issue 6): the workbook read back with openpyxl, CSV, Markdown, names,
the actuals typed into a workbook read back for scoring, and the CLI.

The recalculation of the workbook's formulas by a real spreadsheet engine is in
test_xlsx_libreoffice.py.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from book_cache import same_books_same_bytes  # noqa: F401  (a fixture)
from click.testing import CliRunner
from conftest import minimal_target, open_xlsx
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from xlsx_typing import column_letters, rows_of, sheet_parts, type_cells

from okrplan import api
from okrplan.actuals import combine, edited_cells, typed_actuals, workbook_actuals
from okrplan.cli import cli
from okrplan.errors import InputError, OutputError
from okrplan.export.manifest import MANIFEST_FILE
from okrplan.export.names import (
    SheetTitles,
    quote_sheet,
    safe_file_stem,
    safe_sheet_title,
    unique_file_names,
)
from okrplan.export.sheetfiles import outline_index, sheet_files, to_csv, to_sheet_markdown
from okrplan.export.sheetmodel import Listed, columns
from okrplan.export.sheetoutline import build_outline
from okrplan.export.sheets import build_book
from okrplan.export.xlsx import FIRST_ROW, HEADER_ROW, KR_ID_HEADER, workbook_bytes
from okrplan.present import money_text
from okrplan.queries import key_result, role
from okrplan.score import Actual, score_plan

ROOT = Path(__file__).resolve().parent.parent
A_COMPANY = ROOT / "scenarios" / "a-company-2015.yaml"
# equal books (the same scenario written again) are written to .xlsx bytes once per module
pytestmark = pytest.mark.usefixtures("same_books_same_bytes")
REP = "r:A公司/销售部/销售岗"
KR = "k:A公司/销售部/销售岗"
SEED_HEADER = ["序号", "目标 (O)", "目标详细描述", "关键成果 (KRs)", "KR权重", "O分值"]


@pytest.fixture(scope="module")
def plan() -> api.Plan:
    return api.decompose(A_COMPANY)


@pytest.fixture(scope="module")
def workbook_path(plan: api.Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "okr.xlsx"
    path.write_bytes(workbook_bytes(build_book(plan)))
    return path


def col(plan: api.Plan, key: str) -> int:
    """1-based column of a sheet column key."""
    return columns(build_book(plan)).index(key) + 1


def kr_rows(ws: Any) -> dict[str, int]:
    """KR id → row, from the hidden KR-id column."""
    header = [c.value for c in ws[HEADER_ROW]]
    kr_col = header.index(KR_ID_HEADER) + 1
    return {
        str(ws.cell(r, kr_col).value): r
        for r in range(FIRST_ROW, ws.max_row + 1)
        if str(ws.cell(r, kr_col).value or "").startswith("k:")
    }


def target_file(tmp_path: Path, target: dict[str, Any], name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(target, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# The 销售岗 sheet is the seed's 销售岗位OKR计划表


# 销售岗位OKR计划表 of seed 004, KR by KR. The seed writes derived KRs with its own numbers
# ("每周100个有效电话"); the sheet names the metric and puts the plan's number in 目标值.
SEED_REP_TABLE = [
    # 序号, 目标 (O), 目标详细描述, 关键成果 (KRs), KR权重, the seed's KR text
    (1, "完成个人销售目标", "完成销售总额 万元", "有效电话", 0.10, "每周100个有效电话"),
    (None, None, None, "拜访新客户", 0.15, "每月回访老客户100%，拜访新客户20家（以打卡为准）"),
    (None, None, None, "新增项目机会", 0.15, "每月新增项目机会20个（以有效信息为准）"),
    (None, None, None, "销售额", 0.20, "销售指标完成率100%"),
    (
        2,
        "提升回款率",
        "回款率达100%",
        "制定每周回款周报表：每周五提交本周回款情况及下一周的回款计划",
        0.05,
        "制定每周回款周报表：每周五提交本周回款情况及下一周的回款计划",
    ),
    (None, None, None, "回款额", 0.25, "每周回款计划的完成率100%"),
    (
        3,
        "提升个人销售能力",
        "个人人均产值提升",
        "销售日报和周报完成率100%及领导交办的其他工作",
        0.05,
        "销售日报和周报完成率100%及领导交办的其他工作",
    ),
    (None, None, None, "参加销售团队培训与分享会议", 0.05, "参加销售团队培训与分享会议每月2次"),
    (
        4,
        "加强跨部门协作",
        "提升团队任务完成率",
        "有效投诉案例（减分项）",
        None,
        "有效投诉案例（减分项）",
    ),
]


def test_rep_sheet_matches_the_seed_table(workbook_path: Path) -> None:
    wb = open_xlsx(workbook_path)
    ws = wb["销售部-销售岗"]
    assert ws["A1"].value == "销售岗OKR计划表"
    assert [c.value for c in ws[HEADER_ROW]][:6] == SEED_HEADER
    got = [
        tuple(ws.cell(r, c).value for c in range(1, 6))
        for r in range(FIRST_ROW, FIRST_ROW + len(SEED_REP_TABLE))
    ]
    assert got == [row[:5] for row in SEED_REP_TABLE]
    for ours, seed in ((row[3], row[5]) for row in SEED_REP_TABLE):
        assert ours in seed or ours in ("销售额", "回款额"), (ours, seed)
    # the rows end there: the next is the total, its weights 100%
    total = FIRST_ROW + len(SEED_REP_TABLE)
    assert ws.cell(total, 4).value == "合计"
    assert ws.cell(total, 5).value == f"=SUM(E{FIRST_ROW}:E{total - 1})"
    # objective cells merged over their KRs, as in the seed table
    merged = {str(r) for r in ws.merged_cells.ranges}
    for first, last in ((4, 7), (8, 9), (10, 11)):
        for letter in "ABCF":
            assert f"{letter}{first}:{letter}{last}" in merged
    assert not any(m.startswith(("A12:", "B12:")) for m in merged)  # one KR: nothing to merge


def test_rep_sheet_targets_units_periods(plan: api.Plan, workbook_path: Path) -> None:
    ws = open_xlsx(workbook_path)["销售部-销售岗"]
    rows = kr_rows(ws)
    calls, revenue = rows[f"{KR}#1.1"], rows[f"{KR}#1.4"]
    c = {
        k: col(plan, k)
        for k in (
            "target",
            "unit",
            "per",
            "scored",
            "period:2015-Q1",
            "period:2015-Q4",
            "actual",
            "score",
        )
    }
    kr = key_result(plan.graph, f"{KR}#1.1")
    assert ws.cell(calls, c["target"]).value == kr.target == 71
    assert (ws.cell(calls, c["unit"]).value, ws.cell(calls, c["per"]).value) == ("个", "周")
    assert ws.cell(calls, c["scored"]).value == kr.total  # an actual counts the whole year
    # money in 万元: 550万 for the year, 82万 in Q1 and 192万 in Q4 (seasonality 15/25/25/35)
    assert ws.cell(revenue, c["target"]).value == 550
    assert ws.cell(revenue, c["unit"]).value == "万元"
    quarters = key_result(plan.graph, f"{KR}#1.4").periods
    assert ws.cell(revenue, c["period:2015-Q1"]).value == quarters["2015-Q1"] / 10_000
    assert ws.cell(revenue, c["period:2015-Q4"]).value == quarters["2015-Q4"] / 10_000
    # the actual (to date) sums the quarters' cells, each to fill in (2015-01..03 merged: Q1)
    months = f"R{revenue}:AC{revenue}"
    assert ws.cell(revenue, c["actual"]).value == f'=IF(COUNT({months})=0,"",SUM({months}))'
    assert ws[f"R{revenue}"].value is None and f"R{revenue}:T{revenue}" in ws.merged_cells
    assert ws.cell(2, c["score"]).value == 1  # the KR score cap, 100%


def test_score_formulas(plan: api.Plan, workbook_path: Path) -> None:
    wb = open_xlsx(workbook_path)
    ws = wb["销售部-销售岗"]
    rows = kr_rows(ws)
    a, s, t = (get_column_letter(col(plan, k)) for k in ("actual", "score", "scored"))
    r = rows[f"{KR}#1.4"]
    # 销售额 has a cell per quarter: scored against the target to date (column Q), the
    # targets of the quarters with an actual (hidden in AG..AR under each quarter's month)
    assert ws[f"{s}{r}"].value == (f'=IF({a}{r}="","",MAX(0,MIN(${s}$2,IF(Q{r}=0,1,{a}{r}/Q{r}))))')
    assert ws[f"Q{r}"].value == (
        f'=IF(COUNT(R{r}:AC{r})=0,{t}{r},SUMPRODUCT((R{r}:AC{r}<>"")*AG{r}:AR{r}))'
    )
    d = rows[f"{KR}#4.1"]  # 有效投诉案例: cases × 5 points off
    assert ws[f"{t}{d}"].value == 5
    assert ws[f"{s}{d}"].value == f'=IF({a}{d}="","",-{a}{d}*{t}{d})'
    assert ws[f"F{d}"].value == f'=IF(COUNT({s}{d}:{s}{d})=0,"",N({s}{d}))'
    assert ws["F4"].value == (
        '=IF(COUNT(P4:P7)=0,"",(N(E4)*N(P4)+N(E5)*N(P5)+N(E6)*N(P6)+N(E7)*N(P7))*100)'
    )
    total = FIRST_ROW + 9
    assert ws[f"F{total}"].value == f'=IF(COUNT(F4:F{total - 1})=0,"",SUM(F4:F{total - 1}))'
    # where less is better (总体预算执行误差率不超过 on the GM's sheet): target ÷ actual
    gm = wb["A公司"]
    r = kr_rows(gm)["k:A公司#2.3"]
    assert gm[f"{s}{r}"].value == (
        f'=IF({a}{r}="","",MAX(0,MIN(${s}$2,IF({a}{r}<=0,1,{t}{r}/{a}{r}))))'
    )
    # a cut's size (总体成本费用降低 5%): more is better
    r = kr_rows(gm)["k:A公司#2.1"]
    assert gm[f"{s}{r}"].value == (
        f'=IF({a}{r}="","",MAX(0,MIN(${s}$2,IF({t}{r}=0,1,{a}{r}/{t}{r}))))'
    )
    # 参加销售团队培训与分享会议 2/月: scored against 2 × 12 months
    assert ws[f"{t}{rows[f'{KR}#3.2']}"].value == 24


def test_unit_actuals_default_to_the_roll_up(plan: api.Plan, workbook_path: Path) -> None:
    wb = open_xlsx(workbook_path)
    ws = wb["销售部"]
    a = get_column_letter(col(plan, "actual"))
    r = kr_rows(ws)["k:A公司/销售部#1.3"]  # 销售额: 10 + 2 + 3 reps' per-person actuals
    rep = kr_rows(wb["销售部-销售岗"])[f"{KR}#1.4"]
    expected_refs = [
        ("'销售部-销售岗'", rep, "*10"),
        ("'销售部-销售岗 (2)'", rep, "*2"),
        ("'销售部-销售岗 (招聘)'", rep, "*3"),
        ("'销售部-渠道经理'", 5, "*3"),
    ]
    # per quarter: the Q1 cell (column R, merged over 2015-01..03) sums the reps' Q1 cells,
    # and the actual to date sums the unit's own quarter cells
    formula = ws[f"R{r}"].value
    for tab, row, factor in expected_refs:
        assert f"N({tab}!$R${row}){factor}" in formula
    assert formula.startswith("=IF(COUNT(")
    # ... else (actuals to date typed on the reps' sheets) the sum of theirs, as before
    ytd = ws[f"{a}{r}"].value
    assert ytd.startswith(f"=IF(COUNT(R{r}:AC{r})=0,IF(COUNT(") and ytd.endswith(
        f"SUM(R{r}:AC{r}))"
    )
    assert f"N('销售部-销售岗'!${a}${rep})*10" in ytd
    # the company's 销售额 rolls up the department's
    company = wb["A公司"]
    assert company[f"U{kr_rows(company)['k:A公司#1.1']}"].value == (
        f"=IF(COUNT('销售部'!$U${r})=0,\"\",N('销售部'!$U${r}))"
    )


def test_summary_lists_every_sheet_with_quotas_and_weights(workbook_path: Path) -> None:
    wb = open_xlsx(workbook_path)
    assert wb.sheetnames[0] == "汇总" and wb.sheetnames[-1] == "_okrplan"
    assert wb["_okrplan"].sheet_state == "hidden"
    ws = wb["汇总"]
    rows = {ws.cell(r, 1).value: [c.value for c in ws[r]] for r in range(FIRST_ROW, ws.max_row + 1)}
    assert list(rows) == [
        "A公司",
        "销售部",
        "销售部-销售岗",
        "销售部-销售岗 (2)",
        "销售部-销售岗 (招聘)",
        "销售部-渠道经理",
    ]
    rep = rows["销售部-销售岗"]
    assert rep[2] == "销售岗" and rep[4] == 10 and rep[5] == 5500 and rep[6] == 550
    assert rep[7] == (
        "完成个人销售目标 60% · 提升回款率 30% · 提升个人销售能力 10% · 加强跨部门协作 0%"
    )
    assert rep[8] == "='销售部-销售岗'!E13" and rep[9] == "='销售部-销售岗'!F13"
    assert ws.cell(FIRST_ROW + 2, 1).hyperlink.location == "'销售部-销售岗'!A1"


def test_print_setup_and_layout(workbook_path: Path) -> None:
    ws = open_xlsx(workbook_path)["销售部-销售岗"]
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$3"
    assert ws.freeze_panes == "E4"
    assert ws["D8"].alignment.wrap_text and ws["B4"].alignment.wrap_text
    assert ws.column_dimensions["D"].width > ws.column_dimensions["A"].width
    hidden = [ws.column_dimensions[c].hidden for c in ("AD", "AE", "AF", "AG", "AR")]
    assert all(hidden)  # ids, scale, the periods of each row, their targets
    assert not ws.column_dimensions["Q"].hidden  # the target to date
    assert ws.row_dimensions[8].height > ws.row_dimensions[5].height  # the long KR wraps


def test_english_headers(tmp_path: Path) -> None:
    plan = api.decompose(target_file(tmp_path, minimal_target(plan={"locale": "en"})))
    ws = load_workbook(io.BytesIO(workbook_bytes(build_book(plan))))
    assert ws.sheetnames[0] == "Summary"
    sheet = ws[ws.sheetnames[2]]
    assert [c.value for c in sheet[HEADER_ROW]][:6] == [
        "#",
        "Objective (O)",
        "Detail",
        "Key results (KRs)",
        "KR weight",
        "O score",
    ]
    assert sheet.cell(HEADER_ROW, columns(build_book(plan)).index("actual") + 1).value == "Actual"


def test_workbook_bytes_are_deterministic(plan: api.Plan) -> None:
    assert workbook_bytes(build_book(plan)) == workbook_bytes(build_book(plan))
    assert sheet_files(build_book(plan)) == sheet_files(build_book(plan))


# ---------------------------------------------------------------------------------------------
# Per person: named people, new hires, --per-person


@pytest.fixture(scope="module")
def named_plan(tmp_path_factory: pytest.TempPathFactory) -> api.Plan:
    """The a-company scenario with its 10 experienced reps named."""
    text = A_COMPANY.read_text(encoding="utf-8").replace(
        "        - role: 销售岗\n          headcount: 10\n",
        "        - role: 销售岗\n          people: ["
        + ", ".join(f"代表{i}" for i in range(1, 11))
        + "]\n",
        1,
    )
    path = tmp_path_factory.mktemp("named") / "named.yaml"
    path.write_text(text, encoding="utf-8")
    return api.decompose(path)


def test_named_people_get_a_sheet_each_and_new_hires_placeholders(named_plan: api.Plan) -> None:
    book = build_book(named_plan)
    tabs = [s.tab for s in book.sheets]
    assert [t for t in tabs if t.startswith("销售部-代表")] == [
        f"销售部-代表{i}" for i in range(1, 11)
    ]
    assert "销售部-销售岗 (2)" in tabs  # the unnamed cohort stays one sheet
    hires = [s for s in book.sheets if s.owner == f"{REP} (2)+hires"]
    assert [s.person for s in hires] == ["新人1", "新人2", "新人3"]
    selling = role(named_plan.graph, f"{REP} (2)+hires").selling
    assert selling is not None
    for sheet in hires:
        assert sheet.title == "新人1（销售岗 (招聘)）OKR计划表" or sheet.person != "新人1"
        assert sheet.per_person == selling.per_person and any("爬坡" in f for f in sheet.facts)
        revenue = next(r for r in sheet.rows if r.kr.endswith("#1.4"))
        periods = key_result(named_plan.graph, revenue.kr).periods
        assert [p * 10_000 for p in revenue.periods] == list(periods.values())  # ramped: Q1 0
    # the department's actual sums every person once and the cohort × 2
    unit = next(s for s in book.sheets if s.key == "u:A公司/销售部")
    revenue = next(r for r in unit.rows if r.text == "销售额")
    factors = sorted((key, factor) for key, _, factor in revenue.rollup)
    assert [f for k, f in factors if k.startswith(f"{REP}@")] == [1] * 10
    assert (f"{REP} (2)", 2) in factors and (f"{REP} (2)+hires@3", 1) in factors


def test_per_person_numbers_unnamed_people(plan: api.Plan) -> None:
    book = build_book(plan, per_person=True, role="渠道经理")
    assert [s.person for s in book.sheets] == ["渠道经理1", "渠道经理2", "渠道经理3"]
    assert [s.tab for s in book.sheets] == [
        "销售部-渠道经理1",
        "销售部-渠道经理2",
        "销售部-渠道经理3",
    ]


def test_filters(plan: api.Plan) -> None:
    assert [s.tab for s in build_book(plan, unit="销售部", role="销售岗").sheets] == [
        "销售部-销售岗",
        "销售部-销售岗 (2)",
        "销售部-销售岗 (招聘)",
    ]
    assert [s.tab for s in build_book(plan, role="销售岗 (2)").sheets] == ["销售部-销售岗 (2)"]
    assert len(build_book(plan, unit="A公司").sheets) == 6
    with pytest.raises(InputError, match="no unit named '市场部'") as info:
        build_book(plan, unit="市场部")
    assert "units: A公司, 销售部" in str(info.value)
    with pytest.raises(InputError, match="no role named '经理'"):
        build_book(plan, role="经理")


# ---------------------------------------------------------------------------------------------
# CSV and Markdown


def test_csv_has_a_bom_and_the_seed_columns(plan: api.Plan) -> None:
    book = build_book(plan)
    sheet = next(s for s in book.sheets if s.key == REP)
    text = to_csv(sheet, book)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:6] == SEED_HEADER and rows[0][-3:] == ["实际完成", "得分", "KR编号"]
    assert rows[1][:7] == [
        "1",
        "完成个人销售目标",
        "完成销售总额 万元",
        "有效电话",
        "10%",
        "",
        "71",
    ]
    assert rows[2][:4] == ["", "", "", "拜访新客户"]
    assert rows[-1][3] == "有效投诉案例（减分项）" and rows[-1][-1] == f"{KR}#4.1"


def test_sheet_markdown_reads_like_the_seed_table(plan: api.Plan) -> None:
    book = build_book(plan)
    text = to_sheet_markdown(next(s for s in book.sheets if s.key == REP), book)
    assert text.startswith("# 销售岗OKR计划表\n\nA公司 / 销售部 · 销售岗 × 10（每人）")
    assert (
        "| 序号 | 目标 (O) | 目标详细描述 | 关键成果 (KRs) | KR权重 | O分值 | 目标值 "
        "| 考核目标 | 2015-Q1 | 2015-Q2 | 2015-Q3 | 2015-Q4 |"
    ) in text
    assert "| 1 | 完成个人销售目标 | 完成销售总额 万元 | 有效电话 | 10% |  | 71 个/周 |" in text
    quarters = key_result(plan.graph, f"{KR}#1.4").periods.values()
    assert (
        "| 销售额 | 20% |  | 550万 | 550万 | "
        + " | ".join(money_text(q, "zh-CN") for q in quarters)
        + " |"
    ) in text
    assert "| 有效投诉案例（减分项） |  |  | 每例扣5分 | 每例扣5分 |" in text


# ---------------------------------------------------------------------------------------------
# Hostile names


HOSTILE_LONG = "华东区域大客户销售与渠道合作发展事业部" * 2 + "一二"  # 40 characters
HOSTILE_LONG2 = HOSTILE_LONG[:-2] + "三四"  # the same first 38
HOSTILE_PEOPLE = ["@SUM(A1)", "-2+3", "张三"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[api.Plan, Path]:
    tmp = tmp_path_factory.mktemp("hostile")
    target = minimal_target(
        plan={"name": "../../etc/passwd"},
        org={
            "name": "=1+1公司",
            "units": [
                {
                    "name": "../../x",
                    "roles": [
                        {"role": "=cmd|' /C calc'!A0", "sells": "deals", "people": HOSTILE_PEOPLE}
                    ],
                },
                {
                    "name": HOSTILE_LONG,
                    "units": [
                        {
                            "name": "直销组",
                            "roles": [{"role": "销售", "headcount": 2, "sells": "deals"}],
                        }
                    ],
                },
                {
                    "name": HOSTILE_LONG2,
                    "units": [
                        {
                            "name": "直销组",
                            "roles": [{"role": "销售", "headcount": 2, "sells": "deals"}],
                        }
                    ],
                },
                {
                    "name": "Sales|<b>x</b>",
                    "roles": [{"role": "销售", "headcount": 1, "sells": "deals"}],
                },
                {
                    "name": "SALES|<B>X</B>",
                    "roles": [{"role": "销售", "headcount": 1, "sells": "deals"}],
                },
            ],
        },
    )
    plan = api.decompose(target_file(tmp, target))
    out = tmp / "deep" / "sheets"
    out.parent.mkdir()
    api.export_sheets(plan, out)
    return plan, out


def test_hostile_names_stay_inside_the_folder(hostile: tuple[api.Plan, Path]) -> None:
    _, out = hostile
    assert sorted(p.name for p in out.parent.iterdir()) == ["sheets"]  # nothing escaped
    assert not list(out.parent.parent.glob("x*")) and not (out.parent.parent / "etc").exists()
    names = [p.name for p in out.iterdir() if p.name != MANIFEST_FILE]
    assert all(p.is_file() and p.parent == out for p in out.iterdir())
    assert "_.._etc_passwd.xlsx" in names
    assert len({n.casefold() for n in names}) == len(names)
    assert not any(n.startswith((".", "-")) or "/" in n or "\\" in n for n in names)
    assert all(len(n.encode()) <= 130 for n in names)
    # 40-character names are cut in the middle, so the two units stay apart
    assert any("一二-直销组-销售" in n for n in names) and any(
        "三四-直销组-销售" in n for n in names
    )


def test_hostile_sheet_titles_follow_excels_rules(hostile: tuple[api.Plan, Path]) -> None:
    _, out = hostile
    wb = open_xlsx(out / "_.._etc_passwd.xlsx")
    titles = wb.sheetnames
    assert len({t.casefold() for t in titles}) == len(titles)
    for title in titles:
        assert 1 <= len(title.encode("utf-16-le")) // 2 <= 31, title
        assert not re.search(r"[\[\]:*?/\\]", title) and title[0] != "'" and title[-1] != "'"
    assert ".._.._x" in titles and ".._.._x-@SUM(A1)" in titles
    assert "Sales|<b>x<_b>" in titles and "SALES|<B>X<_B> (2)" in titles
    assert any(t.endswith("一二-直销组") for t in titles)
    assert any(t.endswith("三四-直销组") for t in titles)


def test_hostile_text_is_never_a_formula(hostile: tuple[api.Plan, Path]) -> None:
    _, out = hostile
    wb = open_xlsx(out / "_.._etc_passwd.xlsx")
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (
                    "=cmd" in cell.value
                    or cell.value in HOSTILE_PEOPLE
                    or cell.value.startswith("=1+1")
                ):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    seen.append(cell.value)
    assert "=1+1公司" in seen and "@SUM(A1)" in seen and "-2+3" in seen
    assert any(v.startswith("=cmd") for v in seen)
    # every formula okrplan wrote is one of its own (score, O分值, totals, roll-ups)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # hostile names only as quoted sheet names
                    own = re.sub(r"'(?:[^']|'')*'!", "", cell.value)
                    assert "cmd" not in own and "SUM(A1)" not in own and "+3" not in own
    for path in out.glob("*.csv"):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            for value in row:
                assert not value.startswith(("=", "+", "-", "@")), (path.name, value)
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "<b>" not in index and "Sales\\|\\<b\\>x\\</b\\>" in index


def test_hostile_sheets_read_back(hostile: tuple[api.Plan, Path], tmp_path: Path) -> None:
    plan, out = hostile
    path = tmp_path / "filled.xlsx"
    wb = open_xlsx(out / "_.._etc_passwd.xlsx")
    actual = columns(build_book(plan)).index("actual") + 1
    for tab in (".._.._x-@SUM(A1)", ".._.._x--2+3"):
        ws = wb[tab]
        ws.cell(kr_rows(ws)[next(iter(kr_rows(ws)))], actual).value = 3
    wb.save(path)
    assert [(t.tab, t.value) for t in typed_actuals(path)] == [  # 3万
        (".._.._x-@SUM(A1)", 30_000),
        (".._.._x--2+3", 30_000),
    ]


@pytest.mark.parametrize(
    ("name", "stem", "title"),
    [
        ("../../x", "_.._x", ".._.._x"),
        ("=cmd|' /C calc'!A0", "=cmd_' _C calc'!A0", "=cmd|' _C calc'!A0"),
        ("CON", "_CON", "CON"),
        ("History", "History", "History_"),
        ("'quoted'", "'quoted'", "quoted"),
        ("a\u202eb\x00c\td", "abc d", "abc d"),
        (".hidden", "hidden", ".hidden"),
        ("", "sheet", "Sheet"),
    ],
    ids=["traversal", "dde", "device", "history", "quotes", "controls", "dot", "empty"],
)
def test_names(name: str, stem: str, title: str) -> None:
    assert safe_file_stem(name) == stem
    assert safe_sheet_title(name) == title


def test_unique_names_after_truncation() -> None:
    long = "很" * 40
    titles = SheetTitles(reserved=["汇总", "_okrplan"])
    got = [titles.take(n) for n in (long, long + "x", long, "汇总", "A", "a")]
    assert len({g.casefold() for g in got}) == len(got)
    assert all(len(g) <= 31 for g in got)
    assert got[3] == "汇总 (2)" and got[5] == "a (2)"
    files = unique_file_names(["很" * 60, "很" * 61, "很" * 60], ".csv")
    assert len({f.casefold() for f in files}) == 3 and all(len(f.encode()) <= 130 for f in files)
    assert quote_sheet("O'Brien's") == "'O''Brien''s'!"


# ---------------------------------------------------------------------------------------------
# Actuals typed into a workbook, read back for scoring


def fill(path: Path, out: Path, plan: api.Plan, values: dict[tuple[str, str], Any]) -> None:
    """Type ``values[(tab, KR id)]`` into the actual cells of a workbook: into its sheets' XML
    (xlsx_typing; the rest of the file stays okrplan's bytes)."""
    data = path.read_bytes()
    actual = column_letters(columns(build_book(plan)).index("actual") + 1)
    typed: dict[tuple[str, str], Any] = {}
    for (tab, kr), value in values.items():
        row = next(r for r, cells in rows_of(data, tab).items() if kr in cells.values())
        typed[tab, f"{actual}{row}"] = value
    out.write_bytes(type_cells(data, typed))


def fill_in_openpyxl(
    path: Path, out: Path, plan: api.Plan, values: dict[tuple[str, str], Any]
) -> None:
    """:func:`fill` as a program that rewrites the whole file does it (openpyxl: text as
    shared strings, its own styles and parts), as Excel saves a workbook someone typed into."""
    wb = open_xlsx(path)
    actual = columns(build_book(plan)).index("actual") + 1
    for (tab, kr), value in values.items():
        wb[tab].cell(kr_rows(wb[tab])[kr], actual).value = value
    wb.save(out)


def test_typed_actuals_read_back_in_base_units(
    plan: api.Plan, workbook_path: Path, tmp_path: Path
) -> None:
    filled = tmp_path / "filled.xlsx"
    fill_in_openpyxl(
        workbook_path,
        filled,
        plan,
        {
            ("销售部-销售岗", f"{KR}#1.4"): 440,  # 万元
            ("销售部-销售岗", f"{KR}#1.1"): 3000,
            ("销售部-销售岗", f"{KR}#2.1"): 0.9,  # 90%
            ("销售部-销售岗", f"{KR}#4.1"): 1,  # one complaint
            ("销售部-渠道经理", "k:A公司/销售部/渠道经理#1.2"): "600万",  # text with a unit
            ("A公司", "k:A公司#2.1"): 0.04,
        },
    )
    actuals = workbook_actuals([filled], plan)
    assert {(a.kr, a.value) for a in actuals} == {
        (f"{KR}#1.4", 4_400_000),
        (f"{KR}#1.1", 3000),
        (f"{KR}#2.1", Fraction(9, 10)),
        (f"{KR}#4.1", 1),
        ("k:A公司/销售部/渠道经理#1.2", 6_000_000),
        ("k:A公司#2.1", Fraction(1, 25)),
    }
    sheets = {s.owner: s for s in score_plan(plan, actuals)}
    rep = sheets[REP]
    assert rep.objectives[0].points == 20 * Fraction(4_400_000, 5_500_000) + 10 * Fraction(
        3000, key_result(plan.graph, f"{KR}#1.1").total
    )
    assert rep.deductions == 5
    assert typed_actuals(workbook_path) == []  # formulas (the roll-ups) are not typed


def test_person_sheets_average_into_the_group(named_plan: api.Plan, tmp_path: Path) -> None:
    source = tmp_path / "book.xlsx"
    # the 销售岗 sheets alone (its people's and the group's): the company's and units' sheets
    # play no part in the average, and each sheet costs openpyxl time to load and save
    source.write_bytes(workbook_bytes(build_book(named_plan, unit="销售部", role="销售岗")))
    filled = tmp_path / "filled.xlsx"
    kr = f"{KR}#1.4"
    fill(source, filled, named_plan, {(f"销售部-代表{i}", kr): 100 * i for i in range(1, 5)})
    actuals = workbook_actuals([filled], named_plan)
    assert actuals == [Actual(kr, "plan", Fraction(1000 * 10_000, 10))]  # Σ ÷ headcount


def test_copies_must_agree(plan: api.Plan, workbook_path: Path, tmp_path: Path) -> None:
    one, two, three = tmp_path / "1.xlsx", tmp_path / "2.xlsx", tmp_path / "3.xlsx"
    fill(workbook_path, one, plan, {("销售部-销售岗", f"{KR}#1.4"): 400})
    fill(
        workbook_path,
        two,
        plan,
        {
            ("销售部-销售岗", f"{KR}#1.4"): 400,
            ("销售部-渠道经理", "k:A公司/销售部/渠道经理#1.2"): 800,
        },
    )
    fill(workbook_path, three, plan, {("销售部-销售岗", f"{KR}#1.4"): 410})
    assert len(workbook_actuals([one, two], plan)) == 2
    with pytest.raises(InputError, match=r"销售部-销售岗!O7 is 4100000 here but 4000000 in "):
        workbook_actuals([one, three], plan)


def test_bad_typed_values_are_reported_with_their_cells(
    plan: api.Plan, workbook_path: Path, tmp_path: Path
) -> None:
    filled = tmp_path / "bad.xlsx"
    fill(
        workbook_path,
        filled,
        plan,
        {("销售部-销售岗", f"{KR}#1.4"): "很多", ("销售部-销售岗", f"{KR}#1.1"): "n/a"},
    )
    with pytest.raises(InputError) as info:
        typed_actuals(filled)
    text = str(info.value)
    assert "销售部-销售岗!O4: 'n/a' is not a number" in text
    assert "销售部-销售岗!O7: '很多' is not a number" in text
    assert edited_cells(filled) == ["销售部-销售岗!O4", "销售部-销售岗!O7"]


def test_typed_actuals_ignore_the_dimension_tag_and_covered_cells(
    plan: api.Plan, workbook_path: Path, tmp_path: Path
) -> None:
    """A sheet whose dimension tag claims only A1 is still read whole, and a value in a cell
    that a merged range covers is not an actual (the spreadsheet shows only the top-left
    cell's): the same as a full openpyxl load of the workbook reads."""
    filled = tmp_path / "filled.xlsx"
    tab = "销售部-销售岗"
    fill(workbook_path, filled, plan, {(tab, f"{KR}#1.1"): 3000, (tab, f"{KR}#1.4"): 440})
    assert [(t.cell, t.value) for t in typed_actuals(filled)] == [
        ("O4", 3000),
        ("O7", 4_400_000),  # 440 万元
    ]
    part = sheet_parts(filled.read_bytes())[tab]
    edited = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(filled) as src, zipfile.ZipFile(edited, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                text = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1"', data.decode())
                assert "<mergeCells" in text  # the objectives' cells
                text = re.sub(r"(<mergeCells[^>]*>)", r'\1<mergeCell ref="O3:O4"/>', text)
                data = text.encode()
            dst.writestr(info, data)
    assert [(t.cell, t.value) for t in typed_actuals(edited)] == [("O7", 4_400_000)]


def test_typed_values_beyond_the_limit_are_refused(
    plan: api.Plan, workbook_path: Path, tmp_path: Path
) -> None:
    # found by fuzz: this number typed in 万元 made `okrplan score` overflow a float; and a
    # number with a huge exponent was made exact digit by digit (a billion of them)
    filled = tmp_path / "huge.xlsx"
    fill(
        workbook_path,
        filled,
        plan,
        {
            ("销售部-销售岗", f"{KR}#1.4"): 1.7976931348623155e304,
            ("销售部-销售岗", f"{KR}#1.1"): "1e999999999",
            ("销售部-销售岗", f"{KR}#1.2"): "-1e19",
        },
    )
    with pytest.raises(InputError) as info:  # refused as it is read, not made exact first
        typed_actuals(filled)
    text = str(info.value)
    assert (
        "销售部-销售岗!O7: 1.797693134862316e+304 is too large: actuals stay within ±10^18" in text
    )  # as the workbook holds it (the shortest repr of the float)
    assert "销售部-销售岗!O4: '1e999999999' is too large: actuals stay within ±10^18" in text
    assert "销售部-销售岗!O5: '-1e19' is too large: actuals stay within ±10^18" in text
    tiny = tmp_path / "tiny.xlsx"
    fill(workbook_path, tiny, plan, {("销售部-销售岗", f"{KR}#1.1"): "1e-999999999"})
    assert [a.value for a in typed_actuals(tiny)] == [0]


def test_a_workbook_from_another_plan_is_refused(
    plan: api.Plan, workbook_path: Path, tmp_path: Path, write_target: Callable[..., Path]
) -> None:
    other = api.decompose(write_target(minimal_target()))
    filled = tmp_path / "one.xlsx"
    fill(workbook_path, filled, plan, {("销售部-销售岗", f"{KR}#1.4"): 1})
    with pytest.raises(InputError, match="is not in this plan") as info:
        combine(typed_actuals(filled), other)
    assert "one.xlsx: error: 销售部-销售岗!O7: the KR k:A公司/销售部/销售岗#1.4" in str(info.value)
    not_ours = tmp_path / "plain.xlsx"
    from openpyxl import Workbook

    Workbook().save(not_ours)
    with pytest.raises(InputError, match="no okrplan sheet list"):
        typed_actuals(not_ours)
    assert edited_cells(not_ours) == ["not an okrplan workbook"]


# ---------------------------------------------------------------------------------------------
# Writing, and the command line


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def two_groups(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan.json with two units called 一组 (under 北京 and under 上海)."""
    folder = tmp_path_factory.mktemp("two-groups")
    group = {"name": "一组", "roles": [{"role": "销售", "headcount": 3, "sells": "deals"}]}
    org = {
        "name": "公司",
        "units": [{"name": "北京", "units": [group]}, {"name": "上海", "units": [group]}],
    }
    target = target_file(folder, minimal_target(org=org))
    assert _run("decompose", str(target), "-o", str(folder / "plan"), "-q").exit_code == 0
    return folder / "plan" / "plan.json"


@pytest.mark.parametrize(
    "command", [["explain"], ["export", "-f", "md"]], ids=["explain", "export"]
)
def test_an_ambiguous_unit_is_refused_with_both_paths(
    two_groups: Path, tmp_path: Path, command: list[str]
) -> None:
    out = ["-o", str(tmp_path / "sheets")] if command[0] == "export" else []
    result = _run(command[0], str(two_groups), *command[1:], *out, "--unit", "一组")
    assert result.exit_code == 2, result.output  # a usage error, as for every --unit
    assert (
        "error: --unit: more than one unit is called '一组': 公司/北京/一组, 公司/上海/一组\n"
        "    hint: pass more of its path\n"
    ) in result.stderr
    assert not (tmp_path / "sheets").exists()
    exact = _run(command[0], str(two_groups), *command[1:], *out, "--unit", "上海/一组")
    assert exact.exit_code == 0, exact.output


def test_explain_and_export_take_a_unit_by_its_path(two_groups: Path, tmp_path: Path) -> None:
    plan = api.load_plan(two_groups)
    assert [row["id"] for row in api.explain(plan, "北京/一组")] == ["r:公司/北京/一组/销售"]
    assert [row["id"] for row in api.explain(plan, "北京")] == ["r:公司/北京/一组/销售"]
    book = build_book(plan, unit="公司/上海/一组")
    assert [s.key for s in book.sheets] == ["u:公司/上海/一组", "r:公司/上海/一组/销售"]


def test_explain_reads_in_the_plans_language(plan: api.Plan) -> None:
    text = api.explain_text(plan, "销售部")
    assert text.splitlines()[0] == "A公司2015年度OKR：可行，最大拉伸 1.0"
    assert "销售部 销售岗 × 10：任务额 5,500万（每人 550万）；基准 5,510万，拉伸 0.9981" in text
    assert "None" not in text


def test_decompose_writes_sheets(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = _run("decompose", str(A_COMPANY), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (out / "sheets").iterdir())
    assert "A公司2015年度OKR.xlsx" in names and "index.md" in names
    assert {"销售部-销售岗.csv", "销售部-销售岗.md", "A公司.csv", "销售部.md"} <= set(names)


def test_export_refuses_to_overwrite_typed_actuals(plan: api.Plan, tmp_path: Path) -> None:
    out = tmp_path / "sheets"
    plan_json = tmp_path / "plan.json"
    from okrplan.export.planjson import to_json

    plan_json.write_text(to_json(plan), encoding="utf-8")
    result = _run("export", str(plan_json), "-o", str(out), "--format", "xlsx,csv")
    assert result.exit_code == 0, result.output
    assert f"已写入 7 个文件到 {out}/：" in result.stderr  # the plan is zh-CN
    book = out / "A公司2015年度OKR.xlsx"
    again = _run("export", str(plan_json), "-o", str(out))  # nothing typed in yet: replaced
    assert again.exit_code == 0, again.output
    fill(book, book, plan, {("销售部-销售岗", f"{KR}#1.4"): 400})
    before = book.read_bytes()
    refused = _run("export", str(plan_json), "-o", str(out))
    assert refused.exit_code == 1
    assert f"{book} (销售部-销售岗!O7)" in refused.stderr
    assert "pass --force to replace them" in refused.stderr
    assert book.read_bytes() == before
    csv_path = out / "销售部-销售岗.csv"
    csv_path.write_text(
        csv_path.read_text(encoding="utf-8-sig").replace(f",,,{KR}#1.4", f",400,,{KR}#1.4"),
        encoding="utf-8-sig",
    )
    assert edited_cells(csv_path) == ["row 5"]
    forced = _run("export", str(plan_json), "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert typed_actuals(book) == [] and edited_cells(csv_path) == []
    assert [p.name for p in out.glob(".*")] == [MANIFEST_FILE]  # no temporary files left


def test_export_options(plan: api.Plan, tmp_path: Path) -> None:
    plan_json = tmp_path / "plan.json"
    from okrplan.export.planjson import to_json

    plan_json.write_text(to_json(plan), encoding="utf-8")
    out = tmp_path / "x"
    result = _run(
        "export",
        str(plan_json),
        "-o",
        str(out),
        "-u",
        "销售部",
        "-r",
        "渠道经理",
        "--per-person",
        "-f",
        "md",
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST_FILE,
        "index.md",
        "销售部-渠道经理-渠道经理1.md",
        "销售部-渠道经理-渠道经理2.md",
        "销售部-渠道经理-渠道经理3.md",
    ]
    bad = _run("export", str(plan_json), "-o", str(out), "-f", "docx")
    assert bad.exit_code == 2 and "unknown format docx" in bad.stderr
    # a PDF is a page per person: without --per-person it is a usage error that says so
    pdf = _run("export", str(plan_json), "-o", str(out), "-f", "pdf")
    assert pdf.exit_code == 2 and "--per-person" in pdf.stderr
    missing = _run("export", str(plan_json), "-o", str(out), "--unit", "财务部")
    assert missing.exit_code == 2 and "no unit named '财务部'" in missing.stderr  # usage error
    with pytest.raises(OutputError, match="not a folder"):
        api.export_sheets(plan, plan_json)


def test_import_actuals_then_score_round_trip(
    plan: api.Plan, workbook_path: Path, tmp_path: Path
) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(
        workbook_path,
        filled,
        plan,
        {
            ("销售部-销售岗", f"{KR}#1.4"): 440,
            ("销售部-销售岗", f"{KR}#4.1"): 2,
            ("销售部-渠道经理", "k:A公司/销售部/渠道经理#1.2"): 720,
        },
    )
    plan_json = tmp_path / "plan.json"
    from okrplan.export.planjson import to_json

    plan_json.write_text(to_json(plan), encoding="utf-8")
    result = _run("import-actuals", str(filled), "--plan", str(plan_json))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "kr,period,actual,source",
        f"{KR}#1.4,plan,4400000,filled.xlsx: 销售部-销售岗!O7",
        f"{KR}#4.1,plan,2,filled.xlsx: 销售部-销售岗!O12",
        "k:A公司/销售部/渠道经理#1.2,plan,7200000,filled.xlsx: 销售部-渠道经理!O5",
    ]
    assert "从 1 个工作簿读到 3 个实际值" in result.stderr
    actuals_csv = tmp_path / "actuals.csv"
    actuals_csv.write_text(result.stdout, encoding="utf-8")
    via_csv = _run("score", str(plan_json), str(actuals_csv), "-o", str(tmp_path / "a.csv"))
    via_xlsx = _run("score", str(plan_json), str(filled), "-o", str(tmp_path / "b.csv"))
    assert via_csv.exit_code == 0 and via_xlsx.exit_code == 0, via_xlsx.output
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == (tmp_path / "b.csv").read_text(
        encoding="utf-8"
    )
    assert "销售岗 (销售部)" in (tmp_path / "b.csv").read_text(encoding="utf-8")


def test_decompose_leaves_huge_workbooks_to_export(plan: api.Plan) -> None:
    files = api.sheet_files(plan, max_workbook=3)
    assert not any(name.endswith(".xlsx") for name in files)
    assert "未生成工作簿：共 6 张表，超过 3 张" in str(files["index.md"])
    assert "A公司2015年度OKR.xlsx" in api.sheet_files(plan, max_workbook=6)


def test_import_actuals_merges_copies_on_the_command_line(
    plan: api.Plan, workbook_path: Path, tmp_path: Path
) -> None:
    one, two = tmp_path / "张三.xlsx", tmp_path / "李四.xlsx"
    fill(workbook_path, one, plan, {("销售部-销售岗", f"{KR}#1.4"): 440})
    fill(workbook_path, two, plan, {("销售部-渠道经理", "k:A公司/销售部/渠道经理#1.2"): 720})
    out = tmp_path / "actuals.csv"
    result = _run("import-actuals", str(one), str(two), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "从 2 个工作簿读到 2 个实际值" in result.stderr
    assert out.read_text(encoding="utf-8").count("\n") == 3
    again = _run("import-actuals", str(one), "-o", str(out))
    assert again.exit_code == 1 and "already exists; pass --force" in again.stderr
    bad = _run("import-actuals", str(tmp_path / "missing.xlsx"))
    assert bad.exit_code == 1 and "cannot read the workbook" in bad.stderr


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"per_person": True},
        {"unit": "销售部"},
        {"role": "销售岗"},
        {"per_person": True, "role": "渠道经理"},
    ],
)
def test_outline_lists_the_sheets_the_book_makes(
    plan: api.Plan, named_plan: api.Plan, options: dict[str, Any]
) -> None:
    """An outline (the index of a book too large for a workbook) lists the same sheets with
    the same values as the book's sheets, and its index is the book's index alone."""
    for each in (plan, named_plan):
        book = build_book(each, rows=False, **options)
        outline = build_outline(each, **options)
        fields = ("key", "kind", "path", "role", "person", "people", "quota", "objectives")
        # every row a whole Listed (the listing makes its rows without the named tuple's
        # checks: a field added to Listed must be added there too)
        assert all(s == Listed(*s) for s in outline.sheets)
        assert {len(s) for s in outline.sheets} <= {len(Listed._fields)}
        assert [[getattr(s, f) for f in fields] for s in outline.sheets] == [
            [getattr(s, f) for f in fields] for s in book.sheets
        ]
        assert outline.tabs == [s.tab for s in book.sheets]
        assert (
            outline_index(outline, "note")
            == sheet_files(book, ["md"], note="note", index_only=True)["index.md"]
        )


def test_a_book_without_the_workbooks_cells_has_the_same_rows(plan: api.Plan) -> None:
    # the report's cards (workbook=False) read the rows' numbers and texts, never the actual
    # cells or roll-ups only the workbook writes: those are left out, the rest is the same
    from dataclasses import replace

    from okrplan.export.xlsx_periods import NO_PERIODS

    full, lean = build_book(plan), build_book(plan, workbook=False)
    assert [s.key for s in lean.sheets] == [s.key for s in full.sheets]
    rows = [r for s in lean.sheets for r in s.rows]
    assert rows and all(r.actuals is NO_PERIODS and r.rollup == () for r in rows)
    assert any(r.actuals is not NO_PERIODS for s in full.sheets for r in s.rows)
    assert any(r.rollup for s in full.sheets for r in s.rows)
    assert rows == [replace(r, actuals=NO_PERIODS, rollup=()) for s in full.sheets for r in s.rows]
