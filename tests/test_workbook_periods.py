"""The workbook's actual cells per period (export/xlsx_actuals.py), read by `score` and `checkin`.

The plan, worked by hand from the target below: two reps sell 1,000万 with no buffer, so each
carries 500万 (the role's KR is per person), phased 20/20/20/40% by quarter:
Q1 is 100万, split over its months as 34万 + 33万 + 33万 (the rounding's 1万 on January).

The reps' actuals typed into the role's sheet, per person, in 万: January 30, February 25,
March 35 (April on is left empty).

- actual to date = 30 + 25 + 35 = 90 (万);
- target to date = the targets of the months with an actual = 34 + 33 + 33 = 100 (万), not the
  year's 500 (which would give 0.18);
- KR score = 90 ÷ 100 = 0.9; O分值 = weight 100% × 0.9 × 100 = 90.0;
- checked in, the role group's months are the per-person values × 2 people: 60万, 50万, 70万.
"""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import dump, minimal_target, open_xlsx

from okrplan import api
from okrplan.actuals import typed_actuals, workbook_actuals
from okrplan.cli import cli
from okrplan.export.planjson import to_json
from okrplan.export.sheets import build_book
from okrplan.export.xlsx import HEADER_ROW, KR_ID_HEADER, workbook_bytes
from okrplan.progress import latest
from okrplan.score import Actual, score_plan

REVENUE = "k:公司/销售部/销售#1.1"
TYPED = {"2015-01": 30, "2015-02": 25, "2015-03": 35}  # 万, per person


def _target(locale: str) -> dict[str, Any]:
    target = minimal_target(plan={"seasonality": ["20%", "20%", "20%", "40%"], "locale": locale})
    target["org"]["units"][0]["roles"][0] = {
        "role": "销售",
        "headcount": 2,
        "sells": "deals",
    }
    target["objectives"] = [
        {
            "title": "完成销售",
            "at": ["role"],
            "roles": ["销售"],
            "key_results": [{"metric": "revenue", "per": "month", "weight": "100%"}],
        }
    ]
    return target


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[api.Plan, Path, Path]:
    """The plan folder and its workbook with the three months typed in."""
    folder = tmp_path_factory.mktemp("periods")
    (folder / "target.yaml").write_text(dump(_target("zh-CN")), encoding="utf-8")
    plan = api.decompose(folder / "target.yaml")
    (folder / "plan").mkdir()  # plan.json alone: all score and checkin read
    (folder / "plan" / "plan.json").write_text(to_json(plan), "utf-8")
    blank = folder / "blank.xlsx"
    blank.write_bytes(workbook_bytes(build_book(plan)))
    wb = open_xlsx(blank)
    ws = wb[_role_tab(wb)]
    row, cols = _place(ws)
    for month, value in TYPED.items():
        ws.cell(row=row, column=cols[month]).value = value
    filled = folder / "filled.xlsx"
    wb.save(filled)
    return plan, folder / "plan", filled


def _role_tab(wb: Any) -> str:
    return next(t for t in wb.sheetnames if t.endswith("销售"))


def _place(ws: Any) -> tuple[int, dict[str, int]]:
    """The revenue KR's row and the columns of the month actuals (by their headers)."""
    header = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    kr_col = header[KR_ID_HEADER]
    row = next(r for r in range(HEADER_ROW + 1, 20) if ws.cell(r, kr_col).value == REVENUE)
    months = {str(k).split("\n")[0]: c for k, c in header.items() if "\n" in str(k)}
    return row, months


def test_the_sheet_adds_the_months_up(made: tuple[api.Plan, Path, Path]) -> None:
    _, _, filled = made
    ws = open_xlsx(filled)[_role_tab(open_xlsx(filled))]
    row, months = _place(ws)
    assert list(months)[:3] == ["2015-01", "2015-02", "2015-03"] and len(months) == 12
    header = {c.value: c.column_letter for c in ws[HEADER_ROW] if c.value}
    first, last = (ws.cell(row, months[m]).column_letter for m in ("2015-01", "2015-12"))
    span = f"{first}{row}:{last}{row}"
    actual, to_date = header["实际完成"], header["累计考核目标"]
    assert ws[f"{actual}{row}"].value == f'=IF(COUNT({span})=0,"",SUM({span}))'
    targets = [ws[f"{header['okrplan:target:' + m]}{row}"].value for m in TYPED]
    assert targets == [34, 33, 33]  # 万: Q1's 100万 by month
    assert ws[f"{to_date}{row}"].value.endswith(
        f'SUMPRODUCT(({span}<>"")*{_targets(header, row)}))'
    )
    assert ws[f"{header['okrplan:periods']}{row}"].value.startswith("2015-01:2015-01 2015-02:")


def _targets(header: dict[str, str], row: int) -> str:
    return f"{header['okrplan:target:2015-01']}{row}:{header['okrplan:target:2015-12']}{row}"


def test_score_reads_the_months(made: tuple[api.Plan, Path, Path]) -> None:
    plan, folder, filled = made
    assert [(t.period, t.value) for t in typed_actuals(filled)] == [
        ("2015-01", 300_000),
        ("2015-02", 250_000),
        ("2015-03", 350_000),
    ]
    actuals = workbook_actuals([filled], plan)
    assert actuals == [
        Actual(REVENUE, f"2015-0{m}", F(v)) for m, v in ((1, 3e5), (2, 2.5e5), (3, 3.5e5))
    ]
    (sheet,) = score_plan(plan, actuals)
    kr = sheet.objectives[0].krs[0]
    assert (kr.actual, kr.target, kr.score) == (900_000, 1_000_000, F(9, 10))  # 90万 ÷ 100万
    assert sheet.total == 90
    result = CliRunner().invoke(cli, ["score", str(folder), str(filled)])
    assert result.exit_code == 0, result.output
    # scored against the months to date: target 100万, actual 90万, 0.9, total 90
    assert "合计 90" in result.output
    assert all(cell in result.output for cell in ("100万", "90万", "0.9"))


def test_checkin_stores_each_month(made: tuple[api.Plan, Path, Path], tmp_path: Path) -> None:
    _, folder, filled = made
    import shutil

    shutil.copytree(folder, tmp_path / "plan")
    result = CliRunner().invoke(
        cli, ["checkin", str(tmp_path / "plan"), str(filled), "--as-of", "2015-03-31"]
    )
    assert result.exit_code == 0, result.output
    stored = sorted((c.period, c.value) for c in latest(tmp_path / "plan") if c.kr == REVENUE)
    assert stored == [("2015-01", 600_000), ("2015-02", 500_000), ("2015-03", 700_000)]  # × 2


def test_english_headers(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(dump(_target("en")), encoding="utf-8")
    plan = api.decompose(tmp_path / "t.yaml")
    ws = open_xlsx(workbook_bytes(build_book(plan)))
    ws = ws[_role_tab(ws)]
    headers = [c.value for c in ws[HEADER_ROW]]
    assert "2015-01\nactual" in headers and "Target to date" in headers
