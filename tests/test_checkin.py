"""`okrplan checkin`, `status` and `score` over one small plan: three named reps, 20/20/20/40%.

The plan (worked by hand from the target below): the team's revenue is 1,000万 with no buffer,
so each of 张三, 李四, 王五 carries 340万 (the rounding puts 1,020万 on the role), phased
68万 / 68万 / 68万 / 136万 by quarter.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from fractions import Fraction as F
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import dump, minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.progress import KrProgress, Pace, latest, progress

REVENUE = "k:公司/销售部/销售#1.1"


def _target() -> dict[str, object]:
    target = minimal_target(plan={"seasonality": ["20%", "20%", "20%", "40%"]})
    target["org"]["units"][0]["roles"][0] = {  # type: ignore[index]
        "role": "销售",
        "people": ["张三", "李四", "王五"],
        "sells": "deals",
    }
    target["actuals"] = [
        {
            "file": "crm.csv",
            "person": "负责人",
            "date": "日期",
            "metric": {"column": "类型", "values": {"拜访": "visits", "成交": "deals"}},
            "amount": {"column": "金额", "metric": "revenue"},
        }
    ]
    return target


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("made")
    (folder / "target.yaml").write_text(dump(_target()), encoding="utf-8")
    api.write_plan(api.decompose(folder / "target.yaml"), folder / "plan", images=False)
    return folder


@pytest.fixture
def plan(made: Path, tmp_path: Path) -> Path:
    shutil.copytree(made, tmp_path, dirs_exist_ok=True)
    return tmp_path / "plan"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


LONG = """person,metric,period,value,confidence
张三,revenue,2015-Q1,60万,7
张三,revenue,2015-Q2,70万,
李四,revenue,2015-Q1,68万,
李四,revenue,2015-Q2,68万,
赵六,revenue,2015-Q1,10万,
"""


def _kr(status: Result, kr: str) -> dict[str, str]:
    assert status.exit_code == 0, status.output
    return next(line for line in json.loads(status.stdout)["lines"] if line["id"] == kr)


def _revenue(plan: Path, day: date) -> KrProgress:
    """The team's revenue KR as of ``day``, from the store."""
    return progress(api.load_plan(plan), latest(plan), day)[REVENUE]


def test_two_of_three_reporting_and_the_stranger_listed(plan: Path) -> None:
    done = run("checkin", str(plan), write(plan.parent / "a.csv", LONG))
    assert done.exit_code == 0, done.output
    assert "赵六 (1)" in done.stderr  # listed, not stored, not spread over the others
    rep = _revenue(plan, date(2015, 6, 30))
    # the group: 3 × 340万 = 1,020万; due by 30 June 3 × 136万 = 408万; reported 266万 by 2
    assert (rep.total, rep.expected, rep.actual) == (10_200_000, 4_080_000, 2_660_000)
    # paced on the two reporters against their share, 2 × 136万 = 272万: 266 ÷ 272 = 0.978,
    # on track (not 266 ÷ 408 = 0.652 "at risk" because 王五 did not report)
    assert rep.partial and rep.pace == F(266, 272) and rep.status is Pace.ON_TRACK
    assert (rep.reported, rep.people, rep.missing) == (2, 3, ("王五",))
    unit = run("status", str(plan), "--unit", "销售部", "--as-of", "2015-06-30", "--format", "json")
    rolled = _kr(unit, "k:公司/销售部#1.1")  # 智能进度: the unit's KR from its team's
    # the unit's pace is the reporters' too: 266万 of the 272万 they were due
    assert rolled["actual"] == "2660000" and rolled["pace"] == f"{266 / 272:.6f}"
    assert "部分数据 2/3" in rolled["note"]  # 2 of the team's 3 people, marked on the line
    assert "部分数据 2/3" in unit.stderr and "王五" in unit.stderr  # the warning names him
    again = run("checkin", str(plan), str(plan.parent / "a.csv"))
    assert again.exit_code == 0 and ("0 项有变化" in again.stdout)


def test_bad_rows_are_named_and_nothing_is_recorded(plan: Path) -> None:
    bad = (
        "kr,period,value\nk:nope,2015-03,1\n" + REVENUE + ",2015-13,1\n" + REVENUE + ",2015-03,x\n"
    )
    done = run("checkin", str(plan), write(plan.parent / "bad.csv", bad))
    assert done.exit_code == 1
    # the plan is zh-CN: its problems are written in Chinese (test_checkin_words: both)
    for where in ("bad.csv:2: 错误：kr：", "bad.csv:3: 错误：period：", "bad.csv:4: 错误：value："):
        assert where in done.stderr
    assert latest(plan) == []


def test_crm_export_counted_per_person_metric_and_month(plan: Path) -> None:
    crm = "负责人,日期,类型,金额\n" + "\n".join(
        [
            "张三,2015-03-02,拜访,",
            "张三,2015-03-09,拜访,",
            "张三,2015-03-20,成交,12万",
            "李四,2015-04-01,成交,300000",
            "李四,2015-04-03,邮件,",
            "钱七,2015-03-05,拜访,",
        ]
    )
    write(plan.parent / "crm.csv", crm + "\n")
    done = run("checkin", str(plan), "--target", str(plan.parent / "target.yaml"))
    assert done.exit_code == 0, done.output
    assert "钱七 (1)" in done.stderr and "邮件 (1)" in done.stderr
    stored = {(c.kr.rsplit("#")[1], c.person, c.period): c.value for c in latest(plan)}
    # visits #1.3, deals #1.2, revenue #1.1 (the rep's sheet order)
    assert stored == {
        ("1.1", "张三", "2015-03"): 120000,
        ("1.1", "李四", "2015-04"): 300000,
        ("1.2", "张三", "2015-03"): 1,
        ("1.2", "李四", "2015-04"): 1,
        ("1.3", "张三", "2015-03"): 2,
    }
    assert run("checkin", str(plan)).exit_code == 0  # the remembered target, unchanged: no-op
    person = run(
        "status", str(plan), "--person", "张三", "--as-of", "2015-03-31", "--format", "csv"
    )
    assert person.exit_code == 0 and "120000" in person.stdout


def test_decompose_force_keeps_every_check_in_and_scores_agree(plan: Path) -> None:
    run("checkin", str(plan), write(plan.parent / "a.csv", LONG))
    before = latest(plan)
    # decompose --force (without drawing the tree, to keep the test fast)
    api.write_plan(api.load_plan(plan), plan, force=True, images=False)
    assert latest(plan) == before and (plan / "plan.json").is_file()
    scores = run("score", str(plan))
    assert scores.exit_code == 0, scores.output
    # the team's score: (266万 ÷ 3 per person) ÷ 340万 = 266 ÷ 1,020 = 0.26, as status's progress
    assert _revenue(plan, date(2015, 12, 31)).progress == F(266, 1020)
    assert "0.26" in scores.stdout


def test_status_of_a_unit_and_options(plan: Path) -> None:
    assert run("status", str(plan), "--unit", "nope").exit_code == 2
    assert run("status", str(plan), "--as-of", "June").exit_code == 2
    assert run("status", str(plan), "--person", "nobody").exit_code == 2
    shown = run("status", str(plan), "--unit", "销售部", "--as-of", "2015-06-30", "--format", "md")
    assert shown.exit_code == 0 and "| 目标 |" in shown.stdout and "无数据" in shown.stdout


def test_a_target_file_with_actuals_and_tracking_validates(
    write_target: Callable[..., Path],
) -> None:
    target = _target()
    target["tracking"] = {"on_track": "90%", "behind": "60%"}
    plan = api.decompose(write_target(target))
    assert plan.meta["tracking"] == {"on_track": 0.9, "behind": 0.6}
    target["tracking"] = {"on_track": "50%", "behind": "60%"}
    assert run("validate", str(write_target(target))).exit_code == 1


def _type(book: Path, kr: str, value: int) -> str:
    """Type ``value`` into the actual cell of ``kr``'s row on the sheet that has it."""
    from openpyxl import load_workbook

    wb = load_workbook(book)
    for ws in wb.worksheets:
        header = next(
            (r for r in ws.iter_rows(max_row=12) if any(c.value == "okrplan:kr" for c in r)), None
        )
        if header is None:
            continue
        kr_col = next(c.column for c in header if c.value == "okrplan:kr")
        actual_col = next(c.column for c in header if c.value == "实际完成")
        rows = [r[0].row for r in ws.iter_rows() if r[kr_col - 1].value == kr]
        if rows:
            ws.cell(row=rows[0], column=actual_col).value = value
            break
    wb.save(book)
    return str(book)


def test_a_workbook_with_actuals_typed_in_is_year_to_date(plan: Path) -> None:
    from okrplan.actuals import typed_actuals

    book = next((plan / "sheets").glob("*.xlsx"))
    _type(book, REVENUE, 150)
    typed = next(t.value for t in typed_actuals(book) if t.kr == REVENUE)
    done = run("checkin", str(plan), str(book), "--as-of", "2015-03-31")
    assert done.exit_code == 0, done.output
    # the first sheet with the KR is 张三's own (the role lists its people): his, to date
    stored = [(c.kr, c.person, c.period, c.value) for c in latest(plan)]
    assert stored == [(REVENUE, "张三", "2015-03", typed)]
    _type(book, REVENUE, 250)  # a month later, the same workbook says 250 to date
    run("checkin", str(plan), str(book), "--as-of", "2015-04-30")
    assert sum(c.value for c in latest(plan)) == typed * 250 / 150


def test_edited_cells_reads_a_csv_as_excel_saves_it(tmp_path: Path) -> None:
    from okrplan.actuals import edited_cells

    sheet = "目标,关键结果,实际完成\nO1,销售额,\nO1,拜访,12\n"
    path = tmp_path / "销售部.csv"
    path.write_bytes(sheet.encode("gb18030"))  # Chinese Excel's "CSV"
    assert edited_cells(path) == ["row 3"]
    path.write_bytes(b"")
    assert edited_cells(path) == []
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert edited_cells(path) == ["not an okrplan CSV"]
