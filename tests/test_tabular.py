"""The one reader of tabular inputs (issue 15): every everyday CSV or .xlsx of actuals is read,
every bad one is a message naming file:line and column, never a traceback or a hang."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from okrplan import api, tabular
from okrplan.cli import cli
from okrplan.errors import InputError
from okrplan.export.planjson import to_json
from okrplan.tabular import read_table

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "a-company-2015.yaml"
TOP = "k:A公司#1.1"  # 销售额, target 8,000万
HEADER = "kr,period,actual"


@pytest.fixture(scope="module")
def plan_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(to_json(api.decompose(SCENARIO)), encoding="utf-8")
    return path


def score(plan_json: Path, actuals: Path | str, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["score", str(plan_json), str(actuals), *args], input=stdin, terminal_width=160
    )


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def top_actual(result: Result) -> str:
    """The 销售额 row of the A公司 sheet as the score table prints it, from the KR on."""
    line = next(line for line in result.stdout.splitlines() if "销售额" in line)
    return " ".join(line[line.index("销售额") :].replace("│", " ").split())


# ---------------------------------------------------------------------------------------------
# CSVs as Excel and editors save them.


def test_trailing_comma_is_ignored(plan_json: Path, tmp_path: Path) -> None:
    actuals = write(tmp_path / "a.csv", f"{HEADER},\n{TOP},plan,7200万,\n")
    result = score(plan_json, actuals)
    assert result.exit_code == 0, result.output
    assert top_actual(result) == "销售额 50% 8,000万 7,200万 0.9 45"
    assert result.stderr == ""


def test_value_beyond_the_header_names_row_and_column(plan_json: Path, tmp_path: Path) -> None:
    actuals = write(tmp_path / "a.csv", f"{HEADER}\n{TOP},plan,7200万,\n{TOP},2015-Q1,1,x\n")
    result = score(plan_json, actuals)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{actuals}:3: error: column 4: 'x' is in a column the header does not name\n"
        "    hint: name the column on line 1, or delete the value\n"
        "1 problem found\n"
    )


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["cr-only", "crlf"])
def test_any_line_ending(plan_json: Path, tmp_path: Path, newline: str) -> None:
    actuals = write(tmp_path / "a.csv", f"{HEADER}\n{TOP},plan,7200万\n", newline=newline)
    result = score(plan_json, actuals)
    assert result.exit_code == 0, result.output
    assert top_actual(result) == "销售额 50% 8,000万 7,200万 0.9 45"
    bad = write(tmp_path / "b.csv", f"{HEADER}\n\n{TOP},plan,lots\n", newline=newline)
    result = score(plan_json, bad)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{bad}:3: error: actual: the actual 'lots' is not a number: "
    ), result.stderr


def test_lines_count_quoted_line_breaks(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "a.csv", 'kr,Note\r\n"a\nb",x\r\n\r\nc,"y"\r\n'))
    assert table.columns == ("kr", "note")
    assert [(r.line, r.values) for r in table.rows] == [
        (2, {"kr": "a\nb", "note": "x"}),
        (5, {"kr": "c", "note": "y"}),
    ]


@pytest.mark.parametrize(
    ("size", "where"), [(200_000, ""), (20_000, "actual: ")], ids=["csv-limit", "own-limit"]
)
def test_long_field_is_refused_with_its_line(
    plan_json: Path, tmp_path: Path, size: int, where: str
) -> None:
    actuals = write(tmp_path / "a.csv", f"{HEADER}\n{TOP},plan,7200万\n{TOP},plan,{'9' * size}\n")
    result = score(plan_json, actuals)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{actuals}:3: error: {where}a value is longer than 10,000 characters, "
        "the most okrplan reads\n"
        "    hint: is a closing quote missing? otherwise shorten the value\n"
        "1 problem found\n"
    )


def test_unclosed_quote_names_its_line(plan_json: Path, tmp_path: Path) -> None:
    actuals = write(tmp_path / "a.csv", f'{HEADER}\n{TOP},plan,"7200万\n')
    result = score(plan_json, actuals)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{actuals}:2: error: this line is not valid CSV (")


def test_gb18030_file_is_read_with_a_warning(plan_json: Path, tmp_path: Path) -> None:
    text = f"unit,role,kr,period,actual\n销售部,销售岗,销售额,plan,600万\n,,{TOP},plan,7200万\n"
    actuals = write(tmp_path / "a.csv", text, encoding="gb18030")
    result = score(plan_json, actuals)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"{actuals}: warning: the file is not UTF-8; read it as GB18030\n"
        "    hint: save it as CSV UTF-8 to silence this warning\n"
    )
    assert top_actual(result) == "销售额 50% 8,000万 7,200万 0.9 45"


def test_bom_file(plan_json: Path, tmp_path: Path) -> None:
    actuals = write(tmp_path / "a.csv", f"\ufeffKR,Period,Actual\n{TOP},plan,7200万\n")
    result = score(plan_json, actuals)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert top_actual(result) == "销售额 50% 8,000万 7,200万 0.9 45"


def test_neither_utf8_nor_gb18030(plan_json: Path, tmp_path: Path) -> None:
    actuals = tmp_path / "a.csv"
    actuals.write_bytes(f"{HEADER}\n{TOP},plan,".encode() + b"\xff\xfe\xff\n")
    result = score(plan_json, actuals)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{actuals}:2: error: the file is neither UTF-8 nor GB18030 text (byte 36 is not UTF-8)\n"
        "    hint: save the table as CSV (UTF-8) or .xlsx\n"
        "1 problem found\n"
    )


def test_standard_input_only_as_dash(plan_json: Path) -> None:
    result = score(plan_json, "-", stdin=f"{HEADER}\n{TOP},plan,7200万\n")
    assert result.exit_code == 0, result.output
    assert top_actual(result) == "销售额 50% 8,000万 7,200万 0.9 45"


def test_duplicate_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_table(write(tmp_path / "a.csv", "kr,actual,KR\nx,1,y\n"))
    assert str(info.value.issues[0]) == (
        f"{tmp_path / 'a.csv'}:1: error: the column 'kr' is in the header twice "
        "(columns 1 and 3)\n    hint: keep one of them"
    )


# ---------------------------------------------------------------------------------------------
# Units in actuals, and a money actual that lacks its unit.


def test_implausible_money_is_a_warning_naming_the_row(plan_json: Path, tmp_path: Path) -> None:
    actuals = write(
        tmp_path / "a.csv", f"{HEADER}\nk:A公司/销售部#1.3,plan,1.2亿\n{TOP},plan,380\n"
    )
    result = score(plan_json, actuals)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"{actuals}:3: warning: actual: 380 for 销售额 (target 8,000万) — did you mean 380万?\n"
    )
    assert top_actual(result) == "销售额 50% 80,000,000 380 0 0"


@pytest.mark.parametrize("value", ["0", "80000", "8万", '"7,200万"'])
def test_plausible_money_is_quiet(plan_json: Path, tmp_path: Path, value: str) -> None:
    actuals = write(tmp_path / "a.csv", f"{HEADER}\n{TOP},plan,{value}\n")
    result = score(plan_json, actuals)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_money_with_a_unit_still_too_small(plan_json: Path, tmp_path: Path) -> None:
    actuals = write(tmp_path / "a.csv", f"{HEADER}\n{TOP},plan,3.8万\n")
    result = score(plan_json, actuals)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"{actuals}:2: warning: actual: 3.8万 for 销售额 (target 8,000万) is below 1/1000 of "
        "the target — is the unit right?\n"
    )


# ---------------------------------------------------------------------------------------------
# .xlsx tables.


def _sheet(path: Path, rows: list[list[object]], title: str = "实际") -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_table(plan_json: Path, tmp_path: Path) -> None:
    actuals = _sheet(
        tmp_path / "a.xlsx",
        [[], ["KR", "Period", "Actual", None], [TOP, "plan", 72_000_000.0, None]],
    )
    result = score(plan_json, actuals)
    assert result.exit_code == 0, result.output
    assert top_actual(result) == "销售额 50% 8,000万 7,200万 0.9 45"
    bad = _sheet(tmp_path / "b.xlsx", [["kr", "actual"], [TOP, "lots"]])
    result = score(plan_json, bad)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{bad}[实际]:2: error: actual: the actual 'lots' is not a number"
    )
    extra = _sheet(tmp_path / "c.xlsx", [["kr", "actual"], [TOP, 1], [None, None, "x"]])
    result = score(plan_json, extra)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{extra}[实际]:3: error: column 3: 'x' is in a column the header does not name"
    )


def test_xlsx_formula_reads_its_cached_value(tmp_path: Path) -> None:
    # openpyxl writes no cached value: the cell is empty as Excel's own reader would see it.
    table = read_table(_sheet(tmp_path / "a.xlsx", [["kr", "actual"], ["x", "=1+1"]]))
    assert [r.values for r in table.rows] == [{"kr": "x", "actual": ""}]


def test_damaged_xlsx(plan_json: Path, tmp_path: Path) -> None:
    actuals = tmp_path / "a.xlsx"
    actuals.write_bytes(b"PK\x03\x04 not really a workbook")
    result = score(plan_json, actuals)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{actuals}: error: cannot read the workbook: ")


# ---------------------------------------------------------------------------------------------
# Bounded reads.

NOT_REGULAR = (
    "{path}: error: this is not a regular file (a device, pipe or socket)\n"
    "    hint: save the data to a file and pass that, or pass - to read standard input\n"
    "1 problem found\n"
)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_is_refused_without_opening_it(plan_json: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "actuals.csv"
    os.mkfifo(fifo)  # opening it would block until a writer comes
    result = score(plan_json, fifo)
    assert result.exit_code == 1
    assert result.stderr == NOT_REGULAR.format(path=fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/stdin"])
def test_device_is_refused(plan_json: Path, device: str) -> None:
    result = score(plan_json, device)
    assert result.exit_code == 1
    assert result.stderr == NOT_REGULAR.format(path=device)


def test_file_over_the_size_limit(
    plan_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "MAX_TABLE_BYTES", 2**20)
    actuals = write(tmp_path / "a.csv", HEADER + "\n" + "x,plan,1\n" * 200_000)
    result = score(plan_json, actuals)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{actuals}: error: the file is 1.7 MiB; okrplan reads at most 1 MiB\n"
    )


def test_too_many_cells(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_table(write(tmp_path / "a.csv", "kr,actual\n" + "," * 3_000_000 + "\n"))
    assert info.value.issues[0].message == (
        "the table has more than 2,000,000 cells, the most okrplan reads"
    )


def test_directory_and_missing_file(tmp_path: Path) -> None:
    for path, message in (
        (tmp_path, "this is a directory, not a file"),
        (tmp_path / "no.csv", "no such file"),
    ):
        with pytest.raises(InputError) as info:
            read_table(path)
        assert info.value.issues[0].message == message


# ---------------------------------------------------------------------------------------------
# Options.


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "'abc' is not a quantity"), ("50%", "'50%' is below 100%")],
)
def test_bad_stretch_is_a_usage_error(
    plan_json: Path, tmp_path: Path, value: str, message: str
) -> None:
    actuals = write(tmp_path / "a.csv", f"{HEADER}\n{TOP},plan,7200万\n")
    result = score(plan_json, actuals, "--stretch", value)
    assert result.exit_code == 2
    assert f"Error: Invalid value for '--stretch': {message}" in result.stderr


def test_sheet_reaching_column_xfd_is_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in range(1, 201):  # each row padded to 16,384 cells is 3.3 million cells
        sheet.cell(row=row, column=16_384, value="x")
    workbook.save(tmp_path / "wide.xlsx")
    with pytest.raises(InputError) as info:
        read_table(tmp_path / "wide.xlsx")
    assert str(info.value.issues[0]).startswith(
        f"{tmp_path / 'wide.xlsx'}[Sheet]: error: the table has more than 2,000,000 cells"
    )


def test_too_many_errors_stop_the_reading(plan_json: Path, tmp_path: Path) -> None:
    actuals = write(tmp_path / "a.csv", HEADER + "\n" + "k:nope,plan,1\n" * 1000)
    result = score(plan_json, actuals)
    assert result.exit_code == 1
    assert result.stderr.count(": error: kr: no KR 'k:nope' in the plan") == 100
    assert result.stderr.endswith("100 problems by line 101; stopped there\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_import_actuals_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "copy.xlsx"
    os.mkfifo(fifo)
    result = CliRunner().invoke(cli, ["import-actuals", str(fifo)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{fifo}: error: cannot read the workbook: this is not a regular file "
        "(a device, pipe or socket)\n"
    )


def test_stretch_still_credits_overachievement(plan_json: Path, tmp_path: Path) -> None:
    actuals = write(tmp_path / "a.csv", f"{HEADER}\n{TOP},plan,1亿\n")
    result = score(plan_json, actuals, "--stretch", "120%")
    assert result.exit_code == 0, result.output
    assert top_actual(result) == "销售额 50% 8,000万 10,000万 1.2 60"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_large_utf16_table_streams_whole(codec: str, tmp_path: Path) -> None:
    # Over the first megabyte the encoding is judged from: 上 is U+4E0A (a 0x0A byte, as a line
    # break), 𠀀 a surrogate pair, so a cut at the megabyte must fall between whole characters.
    from okrplan.tabular import stream_table

    row = "上海一组,𠀀,12\n"  # 13 code units: rows do not line up with the megabyte
    rows = 2**20 // (len(row.encode(codec))) + 50
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    path = tmp_path / "big.csv"
    path.write_bytes(bom + ("团队,名称,数量\n" + row * rows).encode(codec))
    stream = stream_table(path)
    assert stream.encoding == "utf-16" and stream.columns == ("团队", "名称", "数量")
    read = list(stream.rows)
    assert len(read) == rows and read[-1] == (rows + 1, ["上海一组", "𠀀", "12"])
