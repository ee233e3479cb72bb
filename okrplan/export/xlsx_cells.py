"""The cell-level writing of the OKR workbook (:mod:`okrplan.export.xlsx`) into a sheet's
:class:`~okrplan.export.xlsx_grid.Grid`: fonts, fills and borders built once per distinct
style (a shared style array), text cells that are never read as formulas, numbers, formulas
and merges (with openpyxl's rule for the top-left cell's borders).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .sheetmodel import SheetBook, columns, drop_bidi_controls
from .xlsx_grid import FORMULA, MAX_TEXT, NUMBER, TEXT, Grid
from .xlsx_grid import letter as column_letter

INPUT_FILL, COMPUTED_FILL, HEADER_FILL = "FFF2CC", "F2F2F2", "DDEBF7"


class CellWriter:
    """Writes cells of one workbook with shared styles (see the module docstring)."""

    def __init__(self, book: SheetBook, wb: Any) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.book, self.wb, self.locale = book, wb, book.locale
        self.keys = columns(book)
        self.col = {k: i + 1 for i, k in enumerate(self.keys)}
        face = "Calibri" if self.locale.startswith("en") else "Microsoft YaHei"
        self.fonts = {
            "body": Font(name=face, size=10),
            "bold": Font(name=face, size=10, bold=True),
            "title": Font(name=face, size=14, bold=True),
            "link": Font(name=face, size=10, color="0563C1", underline="single"),
            "note": Font(name=face, size=9, italic=True, color="595959"),
        }
        thin = Side(style="thin", color="808080")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.aligns = {
            "wrap": Alignment(wrap_text=True, vertical="center"),
            "center": Alignment(wrap_text=True, vertical="center", horizontal="center"),
            "right": Alignment(vertical="center", horizontal="right"),
        }
        self.fills = {
            name: PatternFill("solid", start_color=color, end_color=color)
            for name, color in (
                ("input", INPUT_FILL),
                ("computed", COMPUTED_FILL),
                ("header", HEADER_FILL),
            )
        }
        self.styles: dict[tuple[Any, ...], Any] = {}
        self.scratch: Any = None

    def letter(self, key: str) -> str:
        return column_letter(self.col[key])

    # -- cells ----------------------------------------------------------------------------------

    def array(
        self,
        font: str = "body",
        align: str = "wrap",
        fill: str | None = None,
        border: bool = True,
        fmt: str = "General",
        quote: bool = False,
    ) -> Any:
        """The style array of a style, built once per distinct style (openpyxl's per-attribute
        styling is slow) and shared by every cell that has it (never changed once made)."""
        key = (font, align, fill, border, fmt, quote)
        array = self.styles.get(key)
        if array is None:
            from copy import copy

            from openpyxl.styles import Border, PatternFill
            from openpyxl.styles.cell_style import StyleArray

            if quote:
                array = copy(self.array(font, align, fill, border, fmt))
                array.quotePrefix = 1
            else:
                scratch = self.scratch_cell()
                scratch._style = StyleArray()
                scratch.font, scratch.alignment = self.fonts[font], self.aligns[align]
                scratch.number_format = fmt
                scratch.fill = self.fills[fill] if fill is not None else PatternFill()
                scratch.border = self.border if border else Border()
                array = copy(scratch._style)
            self.styles[key] = array
        return array

    def scratch_cell(self) -> Any:
        """A cell of the workbook, outside every sheet, that styles are built on."""
        if self.scratch is None:
            from openpyxl.cell.cell import Cell

            self.scratch = Cell(self.wb.active, row=1, column=1)
        return self.scratch

    def style(self, grid: Grid, row: int, column: int, **style: Any) -> None:
        """Give the cell at (row, column) a style (keyword arguments of :meth:`array`); its
        value stays."""
        old = grid.cells.get((row, column))
        kind, value = (NUMBER, None) if old is None else old[:2]
        grid.cells[(row, column)] = (kind, value, self.array(**style))

    def text(
        self, grid: Grid, row: int, column: int, value: str, *, exact: bool = False, **style: Any
    ) -> str:
        """A text cell that is never read as a formula, whatever the text starts with; returns
        the cell's reference.

        Shown text loses bidirectional overrides (an unclosed one in a name would reverse the
        numbers after it in the cell); ``exact`` text (ids read back) keeps them."""
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # only a hand-edited plan.json has any
        shown = (value if exact else drop_bidi_controls(value))[:MAX_TEXT]
        quote = value[:1] in ("=", "+", "-", "@")
        grid.cells[(row, column)] = (TEXT, shown, self.array(**style, quote=quote))
        return f"{column_letter(column)}{row}"

    def number(
        self,
        grid: Grid,
        row: int,
        column: int,
        value: Decimal | int | None,
        fmt: str,
        **style: Any,
    ) -> None:
        number = None if value is None else cell_number(value)
        grid.cells[(row, column)] = (
            NUMBER,
            number,
            self.array(**{"align": "right", **style}, fmt=fmt),
        )

    def formula(
        self, grid: Grid, row: int, column: int, formula: str, fmt: str, **style: Any
    ) -> None:
        array = self.array(**{"align": "right", **style}, fmt=fmt)
        grid.cells[(row, column)] = (FORMULA, formula[:MAX_TEXT], array)

    def merge(
        self, grid: Grid, first_row: int, first_column: int, last_row: int, last_column: int
    ) -> None:
        """Merge a range as openpyxl's worksheet would (the top-left cell takes the right and
        bottom borders of the bottom-right one), the covered cells keeping their style
        (borders) and losing their values."""
        grid.merges.append((first_row, first_column, last_row, last_column))
        start = grid.cells.get((first_row, first_column), (NUMBER, None, None))
        end = grid.cells.get((last_row, last_column))
        if end is not None:
            start = (start[0], start[1], self.merged_border(start[2], end[2]))
        grid.cells[(first_row, first_column)] = start
        for row in range(first_row, last_row + 1):
            for column in range(first_column, last_column + 1):
                if (row, column) != (first_row, first_column):
                    old = grid.cells.get((row, column))
                    grid.cells[(row, column)] = (NUMBER, None, None if old is None else old[2])

    def merged_border(self, start: Any, end: Any) -> Any:
        """The style of a merged range's top-left cell (style ``start``) once it has the right
        and bottom borders of its bottom-right cell (style ``end``)."""
        key = (
            "merged",
            None if start is None else tuple(start),
            None if end is None else tuple(end),
        )
        array = self.styles.get(key)
        if array is None:
            from copy import copy

            from openpyxl.styles import Border
            from openpyxl.styles.cell_style import StyleArray

            scratch = self.scratch_cell()
            scratch._style = StyleArray(end) if end is not None else StyleArray()
            right, bottom = scratch.border.right, scratch.border.bottom
            scratch._style = StyleArray(start) if start is not None else StyleArray()
            scratch.border += Border(right=right, bottom=bottom)
            array = self.styles[key] = copy(scratch._style)
        return array


def cell_number(value: Decimal | int) -> int | float:
    """A cell's number: whole numbers as int, others as float."""
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)
