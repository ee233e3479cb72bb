"""An output folder is okrplan's file by file (okrplan/export/manifest.py).

`decompose --force` and `export` replace only the files okrplan wrote and nobody changed since;
a planner's own files stay; actuals typed into the workbook survive a re-solve.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from book_cache import same_books_same_bytes  # noqa: F401  (a fixture)
from click.testing import CliRunner
from conftest import open_xlsx
from xlsx_typing import column_letters, rows_of, type_cells

from okrplan.actuals import TypedActual, typed_actuals
from okrplan.carry import carry_actuals
from okrplan.cli import cli
from okrplan.export.manifest import MANIFEST_FILE, read_manifest, workbook_cells

ROOT = Path(__file__).resolve().parents[1]
A_COMPANY = ROOT / "scenarios" / "a-company-2015.yaml"
CHIP = ROOT / "scenarios" / "chip-market-share.yaml"
BOOK = "sheets/A公司2015年度OKR.xlsx"
WEEKLY_KR = "k:A公司/销售部/销售岗#1.1"  # 有效电话 71/周: no cells per month, its actual typed
ROLE_TAB, ROLE_KR = "销售部-销售岗", "k:A公司/销售部/销售岗#1.4"
UNIT_TAB, UNIT_KR = "销售部", "k:A公司/销售部#1.1"
ROLE_CSV = "sheets/销售部-销售岗.csv"

# every `decompose --force` here writes the same scenario's workbook: its bytes are made once
pytestmark = pytest.mark.usefixtures("same_books_same_bytes")


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def first_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("first") / "plan"
    result = run("decompose", str(A_COMPANY), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def plan_dir(first_plan: Path, tmp_path: Path) -> Path:
    out = tmp_path / "plan"
    shutil.copytree(first_plan, out)
    return out


def type_actuals(book: Path, values: dict[tuple[str, str], Any], *, resave: bool = False) -> None:
    """Type ``values[(tab, KR id)]`` into the actual column of a workbook, as a person would:
    into its sheets' XML (xlsx_typing), or with ``resave`` through openpyxl, which writes the
    whole file anew (text as shared strings, its own styles), as Excel saves it."""
    if not resave:
        data = book.read_bytes()
        typed = {}
        for (tab, kr), value in values.items():
            rows = rows_of(data, tab)
            header = next(
                cells for _, cells in sorted(rows.items()) if "okrplan:kr" in cells.values()
            )
            actual = next(c for c, text in header.items() if text == "实际完成")
            row = next(r for r, cells in rows.items() if kr in cells.values())
            typed[tab, f"{column_letters(actual)}{row}"] = value
        book.write_bytes(type_cells(data, typed))
        return
    wb = open_xlsx(book)
    for (tab, kr), value in values.items():
        ws = wb[tab]
        header = next(
            r for r in ws.iter_rows(max_row=12) if any(c.value == "okrplan:kr" for c in r)
        )
        kr_col = next(c.column for c in header if c.value == "okrplan:kr")
        actual_col = next(c.column for c in header if c.value == "实际完成")
        row = next(r[0].row for r in ws.iter_rows() if r[kr_col - 1].value == kr)
        ws.cell(row=row, column=actual_col).value = value
    wb.save(book)


def actuals_of(book: Path) -> dict[tuple[str, str], Fraction]:
    return {(t.tab, t.kr): t.value for t in typed_actuals(book)}


def test_the_manifest_lists_every_file_okrplan_wrote(first_plan: Path) -> None:
    manifest = read_manifest(first_plan)
    assert manifest is not None
    files = sorted(
        p.relative_to(first_plan).as_posix()
        for p in first_plan.rglob("*")
        if p.is_file() and p.name != MANIFEST_FILE
    )
    assert sorted(manifest) == files
    text = (first_plan / MANIFEST_FILE).read_text("utf-8")
    assert json.loads(text)["okrplan_manifest"] == 1 and list(json.loads(text)["files"]) == files
    assert manifest[BOOK].cells and manifest[BOOK].rollups  # a unit's roll-up formulas


def test_the_round_trip_keeps_actuals_and_added_files(plan_dir: Path) -> None:
    book, csv_path = plan_dir / BOOK, plan_dir / ROLE_CSV
    type_actuals(book, {(ROLE_TAB, ROLE_KR): 420, (UNIT_TAB, UNIT_KR): 9999}, resave=True)
    csv_path.write_text(
        csv_path.read_text("utf-8-sig").replace("完成", "做完", 1), encoding="utf-8-sig"
    )
    (plan_dir / "notes.txt").write_text("我的笔记", encoding="utf-8")
    before = {p: p.read_bytes() for p in (book, csv_path)}

    refused = run("decompose", str(A_COMPANY), "-o", str(plan_dir), "--force", "-q")
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"okrplan would overwrite work in {plan_dir}:\n"
        f"  {csv_path}: edited since okrplan wrote it\n"
        "keep your changes elsewhere (score actuals typed into a CSV first: okrplan score), "
        "or pass --discard-edits to overwrite okrplan's own files that were edited\n"
    )
    assert {p: p.read_bytes() for p in before} == before

    forced = run(
        "decompose", str(A_COMPANY), "-o", str(plan_dir), "--force", "--discard-edits", "-q"
    )
    assert forced.exit_code == 0, forced.output
    assert forced.stderr == ""
    assert actuals_of(book) == {
        (ROLE_TAB, ROLE_KR): 420 * 10_000,  # typed in 万元
        (UNIT_TAB, UNIT_KR): 9999,  # a number typed over a unit's roll-up
    }
    assert "做完" not in csv_path.read_text("utf-8-sig")
    assert (plan_dir / "notes.txt").read_text("utf-8") == "我的笔记"
    carried = book.read_bytes()

    again = run("decompose", str(A_COMPANY), "-o", str(plan_dir), "--force", "-q")
    assert again.exit_code == 0, again.output
    assert book.read_bytes() == carried  # carried again, to the same bytes
    assert not list(plan_dir.parent.glob(".plan.*"))


def test_a_workbook_with_only_actuals_typed_is_not_an_edit(plan_dir: Path) -> None:
    type_actuals(plan_dir / BOOK, {(ROLE_TAB, ROLE_KR): "380"}, resave=True)
    result = run("decompose", str(A_COMPANY), "-o", str(plan_dir), "--force", "-q")
    assert result.exit_code == 0, result.output
    assert actuals_of(plan_dir / BOOK) == {(ROLE_TAB, ROLE_KR): 380 * 10_000}


def test_a_formula_typed_as_an_actual_is_an_edit(plan_dir: Path) -> None:
    type_actuals(plan_dir / BOOK, {(ROLE_TAB, WEEKLY_KR): "=100+200"})
    result = run("decompose", str(A_COMPANY), "-o", str(plan_dir), "--force", "-q")
    assert result.exit_code == 1
    assert f"  {plan_dir / BOOK}: edited since okrplan wrote it\n" in result.stderr


def test_the_target_file_inside_the_output_survives(plan_dir: Path) -> None:
    target = plan_dir / "target.yaml"
    shutil.copy(A_COMPANY, target)
    (plan_dir / "notes").mkdir()
    (plan_dir / "notes" / "notes.txt").write_text("keep", encoding="utf-8")
    result = run("decompose", str(target), "-o", str(plan_dir), "--force", "-q")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == A_COMPANY.read_bytes()
    assert (plan_dir / "notes" / "notes.txt").read_text("utf-8") == "keep"
    manifest = read_manifest(plan_dir)
    assert manifest is not None and "target.yaml" not in manifest


def test_actuals_whose_kr_is_gone_are_listed(plan_dir: Path) -> None:
    type_actuals(plan_dir / BOOK, {(ROLE_TAB, ROLE_KR): 420})
    result = run("decompose", str(CHIP), "-o", str(plan_dir), "--force", "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "警告：these actuals have no KR in the new plan's workbook, and were not carried:\n"
        f"  {plan_dir / BOOK}: {ROLE_TAB}!O7: {ROLE_KR} = 4200000\n"
    )
    assert not (plan_dir / BOOK).exists()  # the previous plan's own, unchanged files go


def test_a_file_okrplan_did_not_write_is_never_overwritten(plan_dir: Path) -> None:
    manifest = json.loads((plan_dir / MANIFEST_FILE).read_text("utf-8"))
    del manifest["files"]["plan.md"]  # as if plan.md were the planner's own
    (plan_dir / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    result = run(
        "decompose", str(A_COMPANY), "-o", str(plan_dir), "--force", "--discard-edits", "-q"
    )
    assert result.exit_code == 1
    assert f"  {plan_dir / 'plan.md'}: not written by okrplan\n" in result.stderr
    assert "never replaces or deletes a file it did not write: move or rename it" in result.stderr


def test_an_older_plan_without_a_manifest(plan_dir: Path) -> None:
    (plan_dir / MANIFEST_FILE).unlink()
    (plan_dir / "notes.txt").write_text("mine", encoding="utf-8")
    type_actuals(plan_dir / BOOK, {(ROLE_TAB, ROLE_KR): 420})
    refused = run("decompose", str(A_COMPANY), "-o", str(plan_dir), "-q")
    assert refused.exit_code == 1 and "pass --force" in refused.stderr
    result = run("decompose", str(A_COMPANY), "-o", str(plan_dir), "--force", "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"警告：{plan_dir} has no {MANIFEST_FILE} (an older okrplan wrote it): "
        "replaced the files okrplan writes, kept 1 other file\n"
    )
    assert (plan_dir / "notes.txt").read_text("utf-8") == "mine"
    assert actuals_of(plan_dir / BOOK) == {(ROLE_TAB, ROLE_KR): 420 * 10_000}
    assert read_manifest(plan_dir) is not None


def test_a_damaged_manifest_stops_the_run(plan_dir: Path) -> None:
    (plan_dir / MANIFEST_FILE).write_text("{", encoding="utf-8")
    result = run("decompose", str(A_COMPANY), "-o", str(plan_dir), "--force", "-q")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot read {plan_dir / MANIFEST_FILE}: ")
    assert "delete it, and okrplan treats" in result.stderr


def test_carrying_places_by_sheet_and_kr(first_plan: Path) -> None:
    new = (first_plan / BOOK).read_bytes()
    where = dict(file="old.xlsx", tab=ROLE_TAB, cell="O7", people=10, person=False)
    kept = TypedActual(
        sheet="r:A公司/销售部/销售岗", kr=ROLE_KR, value=Fraction(4_200_000), **where
    )
    gone = TypedActual(sheet="r:A公司/销售部/销售岗", kr="k:gone#1", value=Fraction(1), **where)
    # a quarter's actual goes to its merged cell (2015-04..06: columns U:W)
    q2 = replace(kept, cell="U7", value=Fraction(1_000_000), period="2015-Q2")
    data, unplaced = carry_actuals([kept, gone, q2], new)
    assert unplaced == [gone]
    before, after = workbook_cells(new), workbook_cells(data)
    assert before is not None and after is not None
    # the actual to date typed over its formula (a sum of the months) is carried as typed
    typed_over = tuple(r for r in before.rollups if r != f"{ROLE_TAB}!O7")
    assert after.cells == before.cells and after.rollups == typed_over
    assert after.typed == (f"{ROLE_TAB}!O7", f"{ROLE_TAB}!U7")
    assert carry_actuals([kept, q2], new)[0] == data  # deterministic


# ---------------------------------------------------------------------------------------------
# export


@pytest.fixture(scope="module")
def first_export(first_plan: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("first-export") / "sheets"
    result = run("export", str(first_plan), "-o", str(out), "--format", "xlsx,csv")
    assert result.exit_code == 0, result.output
    assert (out / MANIFEST_FILE).is_file()
    return out


@pytest.fixture
def exported(first_export: Path, tmp_path: Path) -> Path:
    """A copy of the sheets `export` wrote, for a test to change (exported once per module)."""
    out = tmp_path / "sheets"
    shutil.copytree(first_export, out)
    return out


def export_again(first_plan: Path, out: Path, *flags: str) -> Any:
    return run("export", str(first_plan), "-o", str(out), "--format", "xlsx,csv", *flags)


EXPORT_WAY_OUT = (
    "read actuals typed into them first (okrplan import-actuals, okrplan score), "
    "or pass --force to replace them (the same as --discard-edits)\n"
)


def test_export_refuses_a_changed_kr_text(first_plan: Path, exported: Path) -> None:
    csv_path = exported / "销售部-销售岗.csv"
    csv_path.write_text(
        csv_path.read_text("utf-8-sig").replace("完成", "做完", 1), encoding="utf-8-sig"
    )
    result = export_again(first_plan, exported)
    assert result.exit_code == 1
    assert result.stderr == (
        f"okrplan would overwrite work in {exported}:\n"
        f"  {csv_path}: edited since okrplan wrote it\n" + EXPORT_WAY_OUT
    )
    assert export_again(first_plan, exported, "--discard-edits").exit_code == 0
    assert "做完" not in csv_path.read_text("utf-8-sig")


def test_export_refuses_an_added_row(first_plan: Path, exported: Path) -> None:
    csv_path = exported / "销售部.csv"
    with csv_path.open("a", encoding="utf-8") as out:
        out.write("9,新目标,,,,,,,,,,,,,,,\r\n")
    result = export_again(first_plan, exported)
    assert result.exit_code == 1
    assert f"  {csv_path}: edited since okrplan wrote it\n" in result.stderr


def test_export_refuses_a_formula_typed_as_an_actual(first_plan: Path, exported: Path) -> None:
    book = exported / Path(BOOK).name
    type_actuals(book, {(ROLE_TAB, WEEKLY_KR): "=SUM(1,2)"})
    result = export_again(first_plan, exported)
    assert result.exit_code == 1
    assert result.stderr == (
        f"okrplan would overwrite work in {exported}:\n"
        f"  {book}: edited since okrplan wrote it\n" + EXPORT_WAY_OUT
    )


def test_export_names_typed_actuals(first_plan: Path, exported: Path) -> None:
    book = exported / Path(BOOK).name
    type_actuals(book, {(ROLE_TAB, ROLE_KR): 400})
    result = export_again(first_plan, exported)
    assert result.exit_code == 1
    assert f"  {book} ({ROLE_TAB}!O7): actuals typed in\n" in result.stderr


def test_export_never_replaces_a_file_it_did_not_write(first_plan: Path, exported: Path) -> None:
    manifest = json.loads((exported / MANIFEST_FILE).read_text("utf-8"))
    del manifest["files"]["销售部.csv"]
    (exported / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    result = export_again(first_plan, exported, "--force")
    assert result.exit_code == 1
    assert f"  {exported / '销售部.csv'}: not written by okrplan\n" in result.stderr


def test_export_into_an_older_folder_needs_force(first_plan: Path, exported: Path) -> None:
    (exported / MANIFEST_FILE).unlink()
    (exported / "notes.txt").write_text("mine", encoding="utf-8")
    result = export_again(first_plan, exported)
    assert result.exit_code == 1
    assert (
        f"  {exported / '销售部.csv'}: okrplan cannot tell whether it was changed (no manifest)\n"
        in result.stderr
    )
    assert export_again(first_plan, exported, "--force").exit_code == 0
    assert (exported / "notes.txt").read_text("utf-8") == "mine"
    assert read_manifest(exported) is not None
