"""The .xlsx reader that reads a sheet's XML itself (okrplan/xlsx_rows.py): the same rows as
openpyxl's read-only, data-only reader gives (its values turned into text as okrplan always
did), on the shipped roster and on hand-written, hostile sheets, by both of its paths."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from okrplan import tabular, xlsx_rows
from okrplan.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def openpyxl_rows(path: Path) -> tuple[str, list[tuple[int, list[str]]]]:
    """The rows as okrplan read them with openpyxl (before this reader): numbered as
    openpyxl yields them, rows of nothing but empty cells left out."""
    import warnings

    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as okrplan opened it: styles openpyxl lacks
        workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            if any(v is not None for v in values):
                rows.append((number, [_text(v) for v in values]))
        return str(sheet.title), rows
    finally:
        workbook.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat()).removesuffix("T00:00:00")
    return str(value)


def own_rows(path: Path, *, tree: bool = False) -> tuple[str, list[tuple[int, list[str]]]]:
    """The rows by :mod:`okrplan.xlsx_rows` (by ElementTree alone with ``tree``), rows of
    nothing but empty text left out as okrplan's scan leaves them out."""
    with pytest.MonkeyPatch.context() as patch:
        if tree:
            patch.setattr(xlsx_rows, "_plain_part", lambda raw, root: None)
        name, rows = xlsx_rows.first_sheet(io.BytesIO(path.read_bytes()))
        return name, [(n, r) for n, r in rows if any(r)]


def same_as_openpyxl(path: Path) -> list[tuple[int, list[str]]]:
    """Both paths' rows, checked equal to openpyxl's (blank texts aside: openpyxl's None and
    "" are both "" to okrplan)."""
    name, expected = openpyxl_rows(path)
    expected = [(n, r) for n, r in expected if any(r)]
    for tree in (False, True):
        assert own_rows(path, tree=tree) == (name, expected), f"tree={tree}"
    return expected


def workbook(
    path: Path,
    sheet_data: str,
    *,
    strings: list[str] | None = None,
    styles: str = "",
    sheet_root: str = f'<worksheet xmlns="{MAIN}">{{}}</worksheet>',
    book_pr: str = "",
) -> Path:
    """A workbook written part by part, as a hostile or unusual producer might."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + (
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                if strings is not None
                else ""
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}">{book_pr}<sheets>'
            '<sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC}/styles" Target="styles.xml"/>'
            + (
                f'<Relationship Id="rId3" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
                if strings is not None
                else ""
            )
            + "</Relationships>"
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{MAIN}">'
            + (
                styles
                or '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
                "</cellXfs>"
            )
            + "</styleSheet>"
        ),
        "xl/worksheets/sheet1.xml": sheet_root.format(sheet_data),
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{"".join(strings)}</sst>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


def test_shipped_roster_reads_as_openpyxl_reads_it() -> None:
    rows = same_as_openpyxl(ROOT / "scenarios" / "saas-fy2027-people.xlsx")
    assert len(rows) > 70  # the 79-person company


def test_roster_of_every_kind_of_value(tmp_path: Path) -> None:
    from datetime import date, datetime, time

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "部门", "岗位", "入职", "去年业绩", "潜力", "备注"])
    sheet.append(["张三", "华东/上海", "销售", datetime(2026, 3, 1), 1_200_000, 0.1, True])
    sheet.append(["李四 ", " 华东/杭州", "销售", date(2026, 4, 15), 7200.0, 1e20, "a&b<c>"])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["王五", "华东/杭州", "销售", "2026-05", -5, time(9, 30), "=1+1"])
    sheet["A6"] = "赵六"
    sheet["F6"] = 0.5
    sheet["F6"].number_format = "[h]:mm:ss"
    sheet["G6"] = 46082.75
    sheet["G6"].number_format = "yyyy-mm-dd hh:mm"
    sheet["C9"] = "after a gap"
    book.save(tmp_path / "people.xlsx")
    rows = same_as_openpyxl(tmp_path / "people.xlsx")
    # by hand: 2026-03-01 is serial 46082; 0.5 day is 12 hours; row 4 is empty
    assert rows[1] == (2, ["张三", "华东/上海", "销售", "2026-03-01", "1200000", "0.1", "True"])
    assert rows[2][1][4:6] == ["7200", "1" + "0" * 20]  # whole floats as whole numbers
    assert [n for n, _ in rows] == [1, 2, 3, 5, 6, 9]
    assert rows[4] == (6, ["赵六", "", "", "", "", "12:00:00", "2026-03-01T18:00:00"])


HOSTILE = (
    # shared strings: a run, a phonetic guide (left out), openpyxl's x005F_ escape, entities
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
    # inline strings: runs, an empty one, spaces kept, a line break written as CR LF
    '<row r="2"><c r="A2" t="inlineStr"><is><r><t>上</t></r><r><rPr><b/></rPr><t>海</t></r>'
    '</is></c><c r="B2" t="inlineStr"><is/></c><c r="C2" t="inlineStr">'
    '<is><t xml:space="preserve">  x  </t></is></c><c r="D2" t="inlineStr"><is><t>a\r\nb</t>'
    '</is></c><c r="E2" t="inlineStr"><is><t>&#13;&#x4E2D;&amp;&quot;</t></is></c></row>'
    # numbers as written, booleans, errors, a formula's text and one without a value
    '<row r="3"><c r="A3"><v>7200</v></c><c r="B3" t="n"><v>7200.0</v></c><c r="C3">'
    '<v>1E3</v></c><c r="D3"><v>0.1</v></c><c r="E3" t="b"><v>0</v></c><c r="F3" t="e">'
    '<v>#N/A</v></c><c r="G3" t="str"><f>A1&amp;""</f><v>公司</v></c><c r="H3"><f>1+1</f></c>'
    '<c r="I3"><v></v></c><c r="J3"><v>12345678901234567890</v></c></row>'
    # date styles: built-in 14, a custom month, a custom duration, a quoted non-date, time
    '<row r="4"><c r="A4" s="1"><v>46082</v></c><c r="B4" s="2"><v>46113</v></c>'
    '<c r="C4" s="3"><v>1.5</v></c><c r="D4" s="4"><v>46082</v></c><c r="E4" s="1">'
    '<v>0.25</v></c><c r="F4" s=\'1\'><v>59</v></c><c r="G4" s="1"><v>61</v></c></row>'
    # cells without r, out of order, twice; rows without r and going backwards
    '<row r="6"><c><v>1</v></c><c><v>2</v></c><c r="E6"><v>5</v></c><c><v>6</v></c></row>'
    '<row><c r="C7"><v>3</v></c><c r="A7"><v>1</v></c></row>'
    '<row r="8"><c r="B8"><v>1</v></c><c r="B8"><v>2</v></c><c r="D8" t="inlineStr"/></row>'
    '<row r="5"><c r="A5"><v>55</v></c></row>'
    '<row r="9" spans="1:3" ht="20" customHeight="1"><c r="A9" s="0" t="s"><v>0</v></c></row>'
    '<row r="10"/><row r="11"><c r="A11" t="inlineStr"><is><t>after an empty row</t></is></c>'
    "</row>"
    '<row r="12"><c r="b12"><v>2</v></c><c r="C0"><v>3</v></c></row>'  # as openpyxl reads them
)
STRINGS = [
    "<si><t>姓名</t></si>",
    "<si><r><t>华东</t></r><r><t>大区</t></r></si>",
    '<si><t>东京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>',
    "<si><t>a_x005F_x000D_b</t></si>",
    "<si><t>&lt;tag&gt; &amp; &#x4E2D;</t></si>",
]
STYLES = (
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/>'
    '<numFmt numFmtId="165" formatCode="[h]:mm"/><numFmt numFmtId="166" '
    'formatCode="0&quot; days&quot;"/></numFmts><cellXfs count="5">'
    '<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>'
    '<xf numFmtId="166"/></cellXfs>'
)


def test_hostile_cells_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    path = workbook(tmp_path / "h.xlsx", f"<sheetData>{HOSTILE}</sheetData>", strings=STRINGS,
                    styles=STYLES)  # fmt: skip
    rows = dict(same_as_openpyxl(path))
    # by hand: serial 46082 = 2026-03-01, 46113 = 2026-04-01; 1.5 days = 36 h; 0.25 = 06:00;
    # serial 59 = 1900-02-28 (Excel's day 60 is a 29 February that never was), 61 = 1 March
    assert rows[1] == ["姓名", "华东大区", "东京", "a_x000D_b", "<tag> & 中"]
    assert rows[2] == ["上海", "", "  x  ", "a\nb", '\r中&"']
    assert rows[3] == ["7200", "7200", "1000", "0.1", "False", "#N/A", "公司", "", "",
                       "12345678901234567890"]  # fmt: skip
    assert rows[4] == ["2026-03-01", "2026-04-01", "1 day, 12:00:00", "46082", "06:00:00",
                       "1900-02-28", "1900-03-01"]  # fmt: skip
    assert rows[6] == ["1", "2", "", "", "5", "6"]
    assert rows[7] == ["1"]  # as wide as its last cell (A): C7 before it is dropped
    assert 5 not in rows  # numbered below an earlier row: skipped, as openpyxl skips it
    assert rows[8] == ["", "2", "", ""]
    assert rows[11] == ["after an empty row"]
    assert rows[12] == ["", "2", "3"]


def test_a_1904_workbook_and_a_prefixed_sheet(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "mac.xlsx",
        '<x:sheetData><x:row r="1"><x:c r="A1" s="1"><x:v>1</x:v></x:c><x:c r="B1" s="1">'
        '<x:v>44000</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>'
        "</x:row></x:sheetData>",
        styles=STYLES,
        sheet_root=f'<x:worksheet xmlns:x="{MAIN}">{{}}</x:worksheet>',
        book_pr='<workbookPr date1904="1"/>',
    )
    # by hand: the 1904 system counts from 1904-01-01 (no leap-day bug): serial 1 is
    # 1904-01-02; 44000 days = 120 years (1904–2023: 30 leap years, 43,830 days) + 170 days,
    # and 2024-01-01 + 170 days is 19 June (a leap year: 31+29+31+30+31 = 152 to June 1)
    assert same_as_openpyxl(path) == [(1, ["1904-01-02", "2024-06-19", "x"])]


def test_comments_and_cdata_are_read_by_elementtree(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "c.xlsx",
        '<sheetData><!-- <c r="A1"><v>9</v></c> --><row r="1"><c r="A1" t="inlineStr"><is><t>'
        '<![CDATA[<b> & c]]></t></is></c><c r="B1"><v>2</v></c></row></sheetData>',
    )
    assert same_as_openpyxl(path) == [(1, ["<b> & c", "2"])]


@pytest.mark.parametrize(
    ("sheet", "row"),
    [
        # a shared string that is not in the table: the row it is on (after row 1)
        ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>7</v></c></row>',
         2),
        ('<row r="1"><c r="A1"><v>x1</v></c></row>', 1),  # not a number
        ('<row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="$A$3"><v>1</v></c></row>',
         2),  # a reference a sheet does not write
        ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2.5"/>', 2),  # not a row number
        ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></row>', 2),
    ],
)  # fmt: skip
def test_a_damaged_sheet_names_the_row_openpyxl_would(tmp_path: Path, sheet: str, row: int) -> None:
    path = workbook(tmp_path / "d.xlsx", f"<sheetData>{sheet}</sheetData>", strings=[])
    with pytest.raises(InputError) as info:
        tabular.read_table(path)
    issue = info.value.issues[0]
    assert (issue.file, issue.line) == (f"{path}[名单]", row)
    assert issue.message.startswith("cannot read the workbook: ")
    with pytest.raises(Exception):  # noqa: B017 - openpyxl raises what it raises
        openpyxl_rows(path)


def test_a_zip_without_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(InputError) as info:
        tabular.read_table(path)
    issue = info.value.issues[0]
    assert (issue.file, issue.line) == (str(path), None)
    assert issue.message.startswith("cannot read the workbook: ")


def test_the_first_sheet_is_the_one_openpyxl_reads(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "f.xlsx", '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
    )
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
        '<sheet name="丢失" sheetId="2" r:id="rId9"/>'
        '<sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId9" Type="{DOC}/worksheet" Target="worksheets/gone.xml"/>'
        "</Relationships>",
    ).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    # a sheet whose part is not in the archive is passed over, as openpyxl passes it over
    assert same_as_openpyxl(path) == [(1, ["1"])]
    assert own_rows(path)[0] == "名单"
