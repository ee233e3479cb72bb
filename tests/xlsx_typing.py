"""Values typed into a workbook's cells by editing its sheets' XML, for tests.

A test that types actuals into an okrplan workbook through openpyxl loads the whole book
(binding every merged cell's borders: ~0.3 s for a scenario's book) and saves it again
(~0.15 s), to change a few cells. :func:`type_cells` changes only those cells, in the sheet
parts' XML, as a spreadsheet program stores a typed value: a number as ``<v>``, text as an
inline string, text starting with ``=`` as a formula, ``None`` as an empty cell; the cell keeps
its style, a missing cell or row is added in its place. Everything else stays byte for byte.

Where a test is about files that openpyxl (or Excel) saved, it keeps openpyxl: this module is
for tests that only need values in cells.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from okrplan import xlsx_rows
from okrplan.export import manifest
from okrplan.export.xlsx import deterministic_archive
from okrplan.export.xlsx_grid import letter

_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"([^>]*?)(?:/>|>.*?</c>)', re.DOTALL)
_ROW = re.compile(rb'<row r="([0-9]+)"[^>]*?(?:/>|>(.*?)</row>)', re.DOTALL)
_SHEET_DATA = re.compile(rb"(<sheetData>.*?</sheetData>|<sheetData\s*/>)", re.DOTALL)
_STYLE = re.compile(rb' s="[0-9]+"')
_REF = re.compile(r"([A-Z]+)([0-9]+)")


def sheet_parts(workbook: bytes) -> dict[str, str]:
    """Each sheet's tab name → the archive name of its XML part (``xl/worksheets/…``)."""
    return dict(manifest.sheet_parts(zipfile.ZipFile(io.BytesIO(workbook))))


def _unescape(text: str) -> str:
    """XML text as its characters (named and numeric entities: ``&apos;``, ``&#20013;``)."""
    return html.unescape(text)


column_number = xlsx_rows.column_number
column_letters = letter


def _cell_xml(ref: bytes, style: bytes, value: Any) -> bytes:
    if value is None:
        return b'<c r="%s"%s />' % (ref, style)
    if isinstance(value, bool):
        return b'<c r="%s"%s t="b"><v>%d</v></c>' % (ref, style, value)
    if isinstance(value, int | float):  # a float with 16 digits, as openpyxl and okrplan write it
        number = str(value) if isinstance(value, int) else f"{value:.16g}"
        return b'<c r="%s"%s t="n"><v>%s</v></c>' % (ref, style, number.encode("ascii"))
    text = str(value)
    if text.startswith("="):
        return b'<c r="%s"%s><f>%s</f><v /></c>' % (ref, style, escape(text[1:]).encode())
    space = b' xml:space="preserve"' if text != text.strip() else b""
    return b'<c r="%s"%s t="inlineStr"><is><t%s>%s</t></is></c>' % (
        ref,
        style,
        space,
        escape(text).encode("utf-8"),
    )


def _typed_part(xml: bytes, values: Mapping[str, Any]) -> bytes:
    """A worksheet part with ``values`` (cell reference → value) typed into it."""
    by_row: dict[int, dict[int, Any]] = {}
    for ref, value in values.items():
        match = _REF.fullmatch(ref)
        assert match, ref
        by_row.setdefault(int(match.group(2)), {})[column_number(match.group(1))] = value

    def row_cells(number: int, inner: bytes) -> bytes:
        wanted = by_row.pop(number)
        cells: dict[int, bytes] = {}
        for cell in _CELL.finditer(inner):
            column = column_number(cell.group(1).decode("ascii"))
            if column in wanted:
                style = _STYLE.search(cell.group(3))
                ref = cell.group(1) + cell.group(2)
                cells[column] = _cell_xml(ref, style.group(0) if style else b"", wanted[column])
            else:
                cells[column] = cell.group(0)
        for column, value in wanted.items():
            if column not in cells:
                ref = b"%s%d" % (column_letters(column).encode("ascii"), number)
                cells[column] = _cell_xml(ref, b"", value)
        return b"".join(cells[c] for c in sorted(cells))

    def row(match: re.Match[bytes]) -> bytes:
        number = int(match.group(1))
        if number not in by_row:
            return match.group(0)
        whole = match.group(0)
        opening = whole[: whole.index(b">") + 1].replace(b"/>", b">")
        return opening + row_cells(number, match.group(2) or b"") + b"</row>"

    head, data, tail = _SHEET_DATA.split(xml, maxsplit=1)
    rows = _ROW.sub(row, data)
    if by_row:  # rows the sheet does not have yet, in their places
        found = [(int(m.group(1)), m.group(0)) for m in _ROW.finditer(rows)]
        found += [(n, b'<row r="%d">%s</row>' % (n, row_cells(n, b""))) for n in list(by_row)]
        rows = b"<sheetData>" + b"".join(x for _, x in sorted(found, key=lambda f: f[0]))
        rows += b"</sheetData>"
    return head + rows + tail


def type_cells(workbook: bytes, values: Mapping[tuple[str, str], Any]) -> bytes:
    """``workbook`` with ``values[(tab, "C5")]`` typed into those cells (see the module)."""
    parts = sheet_parts(workbook)
    by_part: dict[str, dict[str, Any]] = {}
    for (tab, ref), value in values.items():
        by_part.setdefault(parts[tab], {})[ref] = value
    edits = {
        part: (lambda xml, cells=cells: _typed_part(xml, cells)) for part, cells in by_part.items()
    }
    return deterministic_archive(workbook, edits)


def rows_of(workbook: bytes, tab: str) -> dict[int, dict[int, str]]:
    """A sheet's cells as row → column → the text of its value (an inline string's text, a
    number's or formula's cached value as written), for finding where to type."""
    xml = zipfile.ZipFile(io.BytesIO(workbook)).read(sheet_parts(workbook)[tab])
    grid: dict[int, dict[int, str]] = {}
    for cell in _CELL.finditer(xml):
        body = cell.group(0)
        text = re.search(rb"<t[^>]*>(.*?)</t>|<v>(.*?)</v>", body, re.DOTALL)
        if text is not None:
            value = _unescape((text.group(1) or text.group(2) or b"").decode("utf-8"))
            row = int(cell.group(2))
            grid.setdefault(row, {})[column_number(cell.group(1).decode("ascii"))] = value
    return grid
