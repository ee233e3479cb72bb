"""The workbook's formulas recalculated by a real spreadsheet engine (LibreOffice, headless).

Actuals are typed into exported workbooks with openpyxl; LibreOffice opens each one, recalculates
and saves it; the KR scores, O分值, sheet totals, the units' rolled-up actuals and the summary
read back from its results must equal :func:`okrplan.score.score_plan` on the same actuals (read
from the workbook by :mod:`okrplan.actuals`). scripts/test.sh installs libreoffice-calc-nogui.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook
from xlsx_typing import column_letters, type_cells

from okrplan import api
from okrplan.actuals import typed_actuals, workbook_actuals
from okrplan.export.sheetmodel import SheetBook, columns
from okrplan.export.sheets import build_book
from okrplan.export.xlsx import FACTS_ROW, FIRST_ROW, workbook_bytes
from okrplan.score import Actual, ScoreOptions, SheetScore, score_plan

ROOT = Path(__file__).resolve().parent.parent
A_COMPANY = ROOT / "scenarios" / "a-company-2015.yaml"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice's soffice is not installed (apt install "
    "libreoffice-calc-nogui; scripts/test.sh installs it), so no engine can recalculate",
)

# achievement per KR, in turn: under, on, over (capped), nothing, far under, a little over
RATIOS = (
    Fraction(3, 5),
    Fraction(1),
    Fraction(13, 10),
    Fraction(0),
    Fraction(1, 4),
    Fraction(11, 10),
)


TRAINING = "参加销售团队培训与分享会议"  # 2/月: 考核目标 24 for 2015
HAND_ACTUALS = {
    # 误差率不超过 5%, where less is better: 8% scores 5 ÷ 8. 成本降低 5% is a cut's size:
    # cutting 8% scores 8 ÷ 5, capped at 1.
    "u:A公司": {"总体预算执行误差率不超过": 0.08, "总体成本费用降低": 0.08},
    "r:A公司/销售部/销售岗": {TRAINING: 12},  # 12 of 2 × 12 months: 0.5
    "r:A公司/销售部/销售岗 (2)": {TRAINING: 24},  # 24 of 24: 1.0
}


def fill(book: SheetBook, *, cap: float | None = None) -> dict[tuple[str, str], Any]:
    """Actuals to type into every KR of every role and person sheet (a deduction: 1 case),
    and two on the GM's and the department's sheets, and the score cap of every sheet:
    (tab, cell) → value (typed into the workbook's XML by the fixture)."""
    keys = columns(book)
    actual = column_letters(keys.index("actual") + 1)
    score = column_letters(keys.index("score") + 1)
    typed: dict[tuple[str, str], Any] = {}
    turn = 0
    for sheet in book.sheets:
        if cap is not None:
            typed[sheet.tab, f"{score}{FACTS_ROW}"] = cap
        for index, row in enumerate(sheet.rows):
            r = FIRST_ROW + index
            if row.number == "points":
                typed[sheet.tab, f"{actual}{r}"] = 1 + turn % 2
            elif sheet.kind == "unit":
                continue
            elif row.scored is not None:
                ratio = RATIOS[turn % len(RATIOS)]
                typed[sheet.tab, f"{actual}{r}"] = float(Fraction(str(row.scored)) * ratio)
            turn += 1
        for text, value in HAND_ACTUALS.get(sheet.key, {}).items():
            r = FIRST_ROW + next(i for i, r in enumerate(sheet.rows) if r.text == text)
            typed[sheet.tab, f"{actual}{r}"] = value
        if sheet.key == "u:A公司/销售部":  # typing over the roll-up of 新增渠道代理商
            typed[sheet.tab, f"{actual}{FIRST_ROW}"] = 40
    return typed


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two filled workbooks (the scenario; its reps named, with a 120% score cap), each
    recalculated by LibreOffice."""
    tmp = tmp_path_factory.mktemp("lo")
    plain = api.decompose(A_COMPANY)
    text = A_COMPANY.read_text(encoding="utf-8").replace(
        "        - role: 销售岗\n          headcount: 10\n",
        "        - role: 销售岗\n          people: ["
        + ", ".join(f"代表{i}" for i in range(1, 11))
        + "]\n",
        1,
    )
    (tmp / "named.yaml").write_text(text, encoding="utf-8")
    named = api.decompose(tmp / "named.yaml")
    cases = {}
    for name, plan, cap in (("plain", plain, None), ("named", named, 1.2)):
        book = build_book(plan)
        typed = fill(book, cap=cap)
        filled = tmp / f"{name}.xlsx"
        filled.write_bytes(type_cells(workbook_bytes(book), typed))
        cases[name] = {
            "plan": plan,
            "book": book,
            "filled": filled,
            "typed": typed,
            "stretch": Fraction(6, 5) if cap else Fraction(1),
        }
    out = tmp / "recalculated"
    profile = (tmp / "lo-profile").as_uri()
    assert SOFFICE is not None
    result = subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *(str(case["filled"]) for case in cases.values()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name, case in cases.items():
        path = out / f"{name}.xlsx"
        assert path.exists(), f"LibreOffice wrote no {path.name}: {result.stdout}{result.stderr}"
        case["values"] = computed_values(path)
        case["saved"] = path
    yield cases


class Values:
    """A recalculated worksheet's values, read as ``ws.cell(row, column).value``."""

    def __init__(self, cells: dict[tuple[int, int], Any]) -> None:
        self.cells = cells

    def cell(self, row: int, column: int) -> Any:
        return SimpleNamespace(value=self.cells.get((row, column)))


def computed_values(path: Path) -> dict[str, Values]:
    """Each sheet's values as LibreOffice computed and saved them (openpyxl's read-only mode
    reads them without binding the merged cells' borders, which a full load spends its time
    on)."""
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            ws.title: Values(
                {
                    (cell.row, cell.column): cell.value
                    for row in ws.iter_rows()
                    for cell in row
                    if getattr(cell, "value", None) is not None
                }
            )
            for ws in wb.worksheets
        }
    finally:
        wb.close()


def python_scores(case: dict[str, Any]) -> dict[str, SheetScore]:
    """Sheet key → the Python score of that sheet: units and groups from all actuals, each
    person's sheet from that person's actuals alone (worked out once per case)."""
    if "python" not in case:
        case["python"] = _python_scores(case)
    scores: dict[str, SheetScore] = case["python"]
    return scores


def _python_scores(case: dict[str, Any]) -> dict[str, SheetScore]:
    plan, book = case["plan"], case["book"]
    options = ScoreOptions(stretch=case["stretch"])
    actuals = workbook_actuals([case["filled"]], plan)
    scores = {s.owner: s for s in score_plan(plan, actuals, options)}
    out = {sheet.key: scores[sheet.owner] for sheet in book.sheets if sheet.kind != "person"}
    typed = case["typed"]  # what was typed into case["filled"]: (tab, cell) → value
    actual = column_letters(columns(book).index("actual") + 1)
    for sheet in book.sheets:
        if sheet.kind != "person":
            continue
        own = []
        for index, row in enumerate(sheet.rows):
            value = typed.get((sheet.tab, f"{actual}{FIRST_ROW + index}"))
            if value is not None:
                own.append(Actual(row.kr, "plan", Fraction(str(value)) * Fraction(row.scale)))
        person = {s.owner: s for s in score_plan(plan, own, options)}
        out[sheet.key] = person[sheet.owner]
    return out


def near(a: Any, b: Fraction | float | None) -> bool:
    a = 0.0 if a in (None, "") else float(a)
    return abs(a - float(b or 0)) < 1e-6


@pytest.mark.parametrize("name", ["plain", "named"])
def test_libreoffice_scores_match_python(recalculated: dict[str, Any], name: str) -> None:
    case = recalculated[name]
    book: SheetBook = case["book"]
    wb = case["values"]
    keys = columns(book)
    o_col, score_col, actual_col = (keys.index(k) + 1 for k in ("o_score", "score", "actual"))
    expected = python_scores(case)
    summary = wb[book.summary_tab]
    checked = 0
    for position, sheet in enumerate(book.sheets):
        ws, py = wb[sheet.tab], expected[sheet.key]
        r = FIRST_ROW
        for objective in py.objectives:
            deductions = sum((k.deduction for k in objective.krs), Fraction(0))
            assert near(ws.cell(r, o_col).value, objective.points - deductions), (
                sheet.tab,
                objective.name,
                ws.cell(r, o_col).value,
                objective.points,
            )
            for offset, kr in enumerate(objective.krs):
                cell = ws.cell(r + offset, score_col).value
                want = -kr.deduction if kr.deduction else kr.score
                assert near(cell, want), (sheet.tab, kr.name, cell, want)
                row = sheet.rows[r + offset - FIRST_ROW]
                if kr.actual is not None:  # typed, or rolled up by the unit's formula
                    got = ws.cell(r + offset, actual_col).value
                    assert near(got, kr.actual / Fraction(row.scale)), (sheet.tab, kr.name)
                    checked += 1
            r += len(objective.krs)
        total = ws.cell(FIRST_ROW + len(sheet.rows), o_col).value
        assert near(total, py.total), (sheet.tab, total, py.total)
        assert near(summary.cell(FIRST_ROW + position, 10).value, py.total)
        assert near(summary.cell(FIRST_ROW + position, 9).value, 1)  # weights: 100%
    assert checked > 30


def test_the_scenario_exercises_every_kind_of_score(recalculated: dict[str, Any]) -> None:
    """Over- and under-achievement, the cap, a deduction, target ÷ actual, roll-ups."""
    case = recalculated["plain"]
    expected = python_scores(case)
    company = expected["u:A公司"]
    company_krs = {k.name: k for o in company.objectives for k in o.krs}
    assert company_krs["总体预算执行误差率不超过"].score == Fraction(5, 8)
    assert company_krs["总体成本费用降低"].score == 1
    rep = expected["r:A公司/销售部/销售岗"]
    scores = [k.score for o in rep.objectives for k in o.krs if k.score is not None]
    assert Fraction(1) in scores and any(0 < s < 1 for s in scores) and Fraction(0) in scores
    assert rep.deductions > 0
    department = expected["u:A公司/销售部"]
    revenue = next(k for o in department.objectives for k in o.krs if k.name == "销售额")
    assert revenue.actual is not None and revenue.actual > 0  # rolled up from the reps
    channels = next(k for o in department.objectives for k in o.krs if k.name == "新增渠道代理商")
    assert channels.actual == 40  # typed over the roll-up
    named = python_scores(recalculated["named"])
    assert any(
        k.score is not None and k.score > 1
        for s in named.values()
        for o in s.objectives
        for k in o.krs
    )  # the 120% cap lets 130% score 1.2


def test_a_manual_count_per_month_is_scored_over_the_year(recalculated: dict[str, Any]) -> None:
    """参加培训 2/月 over 2015: 考核目标 24 in the sheet; LibreOffice's score of 12 is 0.5, of
    24 is 1.0, the same as Python's."""
    case = recalculated["plain"]
    book: SheetBook = case["book"]
    keys = columns(book)
    scored, score = keys.index("scored") + 1, keys.index("score") + 1
    expected = python_scores(case)
    for key, want in (("r:A公司/销售部/销售岗", 0.5), ("r:A公司/销售部/销售岗 (2)", 1.0)):
        sheet = next(s for s in book.sheets if s.key == key)
        r = FIRST_ROW + next(i for i, row in enumerate(sheet.rows) if row.text == TRAINING)
        ws = case["values"][sheet.tab]
        assert ws.cell(r, scored).value == 24
        assert near(ws.cell(r, score).value, want)
        kr = next(k for o in expected[key].objectives for k in o.krs if k.name == TRAINING)
        assert (kr.target, kr.score) == (24, Fraction(want))


@pytest.mark.parametrize("name", ["plain", "named"])
def test_actuals_read_back_from_a_workbook_libreoffice_saved(
    recalculated: dict[str, Any], name: str
) -> None:
    """Someone types actuals, saves in LibreOffice, and sends the file back."""
    case = recalculated[name]
    before = [(t.tab, t.cell, t.kr, t.value) for t in typed_actuals(case["filled"])]
    after = [(t.tab, t.cell, t.kr, t.value) for t in typed_actuals(case["saved"])]
    assert after == before and len(before) > 30
