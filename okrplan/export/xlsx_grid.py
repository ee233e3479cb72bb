"""A worksheet's cells as plain values, and the sheet's XML part written from them.

openpyxl makes an object per cell and spends ~100 µs to create, style and serialise each; the
workbook of a thousand people has ~70,000 cells, which took most of its six seconds. A
:class:`Grid` keeps a sheet's cells as ``(kind, value, style)`` tuples, and what the sheet
says of itself (column widths, frozen panes, merged ranges, the actuals' validation, links,
print setup); :func:`worksheet_xml` writes the part as openpyxl writes one: the same elements
and attributes in the same order, numbers formatted alike, inline strings, styles numbered in
the workbook's own table in the order openpyxl's save numbers them. openpyxl still writes the
rest of the workbook (its sheet list, print areas and titles, styles, theme, properties), in
which each sheet's part is then replaced by this one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TEXT, NUMBER, FORMULA = "s", "n", "f"
MAX_TEXT = 32767  # Excel's limit on a cell's text; openpyxl truncates longer text to it

Cell = tuple[str, Any, Any]
"""A cell: its kind (TEXT, NUMBER, FORMULA), its value (None: empty), its StyleArray or None."""


class Grid:
    """One worksheet (``ws``, openpyxl's, for everything but the cells) and its cells."""

    __slots__ = (
        "cells",
        "freeze",
        "heights",
        "hidden",
        "links",
        "merges",
        "printed",
        "validation",
        "widths",
        "ws",
    )

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.cells: dict[tuple[int, int], Cell] = {}
        self.heights: dict[int, float] = {}  # row → height in points
        self.widths: dict[int, float] = {}  # column → width in characters
        self.hidden: set[int] = set()  # hidden columns
        self.freeze: tuple[int, int] | None = None  # the scrolling pane's top-left (row, col)
        self.merges: list[tuple[int, int, int, int]] = []  # (first row, col, last row, col)
        self.validation: tuple[str, str, str] | None = None  # (ranges, error title, error)
        self.links: list[tuple[str, str, str]] = []  # (cell, location, display) in row order
        self.printed = False  # landscape A4, a page wide, centred, page numbers below

    def plain(self, row: int, column: int, value: str | int | float | None) -> None:
        """An unstyled value, typed as openpyxl types an assigned value (text starting with
        ``=`` is a formula); the cell keeps any style it has."""
        old = self.cells.get((row, column))
        style = None if old is None else old[2]
        if isinstance(value, str):
            value = value[:MAX_TEXT]
            kind = FORMULA if len(value) > 1 and value.startswith("=") else TEXT
            self.cells[(row, column)] = (kind, value, style)
        else:
            self.cells[(row, column)] = (NUMBER, value, style)

    def touch(self, row: int, column: int) -> None:
        """The cell exists (empty unless written): it counts in the sheet's dimension, as a
        cell openpyxl's ``ws.cell`` made does."""
        self.cells.setdefault((row, column), (NUMBER, None, None))

    def dimension(self) -> str:
        """The range the cells span (``A1:Q12``), as openpyxl computes it."""
        if not self.cells:
            return "A1:A1"
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return f"{letter(min(cols))}{min(rows)}:{letter(max(cols))}{max(rows)}"


class StyleIds:
    """The workbook's cell-format numbers (``s=``) of style arrays, registered in the
    workbook's table in first-use order, as openpyxl's save registers a cell's style."""

    def __init__(self, wb: Any) -> None:
        self.table = wb._cell_styles  # openpyxl's IndexedList of StyleArray
        # by the array object (cells share their style's), which is kept alive here
        self.ids: dict[int, tuple[Any, str]] = {}

    def __call__(self, style: Any) -> str:
        """`` s="n"`` for a style, "" for none (an unstyled cell)."""
        if style is None:
            return ""
        found = self.ids.get(id(style))
        if found is None:
            number = f' s="{self.table.add(style)}"' if any(style) else ""
            found = self.ids[id(style)] = (style, number)
        return found[1]


_LETTERS: list[str] = []


def letter(column: int) -> str:
    """A column's letters (1 → A, 28 → AB)."""
    while len(_LETTERS) < column:
        n, out = len(_LETTERS) + 1, ""
        while n:
            n, rest = divmod(n - 1, 26)
            out = chr(65 + rest) + out
        _LETTERS.append(out)
    return _LETTERS[column - 1]


def _text(value: str) -> str:
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def _attribute(value: str) -> str:
    value = _text(value)
    for char, entity in (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;")):
        if char in value:
            value = value.replace(char, entity)
    return value


def _cell(ref: str, cell: Cell, style: str) -> str:
    kind, value, _ = cell
    if kind == FORMULA:
        return f'<c r="{ref}"{style}><f>{_text(value[1:])}</f><v /></c>'
    if value is None or value == "":
        return f'<c r="{ref}"{style} t="{"inlineStr" if kind == TEXT else "n"}" />'
    if kind == TEXT:
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>'
    return f'<c r="{ref}"{style} t="n"><v>{value:.16g}</v></c>'


def sheet_data(grid: Grid, style_id: Callable[[Any], str]) -> str:
    """The sheet's ``<sheetData>`` element (rows in order, each row's cells in column order;
    an empty cell without a style is left out)."""
    rows: dict[int, list[tuple[int, Cell]]] = {r: [] for r in grid.heights}
    for (r, c), cell in grid.cells.items():
        rows.setdefault(r, []).append((c, cell))
    letters = [letter(c) for c in range(1, max((c for _, c in grid.cells), default=0) + 1)]
    out = ["<sheetData>"]
    for r in sorted(rows):
        height = grid.heights.get(r)
        size = "" if height is None else f' ht="{float(height):.16g}" customHeight="1"'
        out.append(f'<row r="{r}"{size}>')
        for c, cell in sorted(rows[r], key=_first):
            style = style_id(cell[2])
            if cell[1] is None and not style:
                continue
            out.append(_cell(f"{letters[c - 1]}{r}", cell, style))
        out.append("</row>")
    out.append("</sheetData>")
    return "".join(out)


def _first(item: tuple[int, Cell]) -> int:
    return item[0]


def hyperlinks(grid: Grid) -> str:
    """The sheet's ``<hyperlinks>`` element (links within the workbook), or ""."""
    if not grid.links:
        return ""
    links = "".join(
        f'<hyperlink ref="{ref}" location="{_attribute(location)}" '
        f'display="{_attribute(display)}" />'
        for ref, location, display in grid.links
    )
    return f"<hyperlinks>{links}</hyperlinks>"


_NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PRINTED = (
    '<printOptions horizontalCentered="1" />'
    '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.5" footer="0.5" />'
    '<pageSetup orientation="landscape" paperSize="9" fitToHeight="0" fitToWidth="1" />'
    "<headerFooter><oddHeader /><oddFooter>&amp;C&amp;P / &amp;N</oddFooter><evenHeader />"
    "<evenFooter /><firstHeader /><firstFooter /></headerFooter>"
)
_UNPRINTED = '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5" />'


def ref(first_row: int, first_column: int, last_row: int, last_column: int) -> str:
    """A range's reference (``A1:Q1``; one cell: ``A1``)."""
    first = f"{letter(first_column)}{first_row}"
    if (first_row, first_column) == (last_row, last_column):
        return first
    return f"{first}:{letter(last_column)}{last_row}"


def worksheet_xml(grid: Grid, style_id: Callable[[Any], str]) -> bytes:
    """The sheet's XML part (the elements in the order the schema and openpyxl give them)."""
    fit = ' fitToPage="1"' if grid.printed else ""
    out = [
        f'<worksheet xmlns="{_NAMESPACE}"><sheetPr><outlinePr summaryBelow="1" '
        f'summaryRight="1" /><pageSetUpPr{fit} /></sheetPr>',
        f'<dimension ref="{grid.dimension()}" />',
        _views(grid.freeze),
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15" />',
    ]
    if grid.widths:
        out.append("<cols>")
        for column in sorted(grid.widths):
            hidden = ' hidden="1"' if column in grid.hidden else ""
            width = f"{float(grid.widths[column]):.16g}"
            out.append(
                f'<col{hidden} width="{width}" customWidth="1" min="{column}" max="{column}" />'
            )
        out.append("</cols>")
    out.append(sheet_data(grid, style_id))
    if grid.merges:
        out.append(f'<mergeCells count="{len(grid.merges)}">')
        out += [f'<mergeCell ref="{ref(*area)}" />' for area in sorted(grid.merges)]
        out.append("</mergeCells>")
    if grid.validation is not None:
        ranges, title, error = grid.validation
        out.append(
            f'<dataValidations count="1"><dataValidation sqref="{ranges}" showDropDown="0" '
            'showInputMessage="0" showErrorMessage="1" allowBlank="1" '
            f'errorTitle="{_attribute(title)}" error="{_attribute(error)}" type="decimal" '
            'operator="greaterThanOrEqual"><formula1>0</formula1></dataValidation>'
            "</dataValidations>"
        )
    out.append(hyperlinks(grid))
    out.append(_PRINTED if grid.printed else _UNPRINTED)
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")


def _views(freeze: tuple[int, int] | None) -> str:
    """The sheet view: the rows above and the columns left of ``freeze`` stay in place."""
    if freeze is None:
        return (
            '<sheetViews><sheetView workbookViewId="0"><selection activeCell="A1" sqref="A1" />'
            "</sheetView></sheetViews>"
        )
    row, column = freeze
    if row < 2 or column < 2:
        raise ValueError("a frozen pane here has rows above it and columns left of it")
    return (
        f'<sheetViews><sheetView workbookViewId="0"><pane xSplit="{column - 1}" '
        f'ySplit="{row - 1}" topLeftCell="{letter(column)}{row}" activePane="bottomRight" '
        'state="frozen" /><selection pane="topRight" /><selection pane="bottomLeft" />'
        '<selection pane="bottomRight" activeCell="A1" sqref="A1" /></sheetView></sheetViews>'
    )
