"""The cell-level writing of the OKR workbook (:mod:`okrplan.export.xlsx`): fonts, fills and
borders built once per distinct style, text cells that are never read as formulas, numbers,
formulas and cheap merges.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .sheetmodel import SheetBook, columns, drop_bidi_controls

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
        from openpyxl.utils import get_column_letter

        return str(get_column_letter(self.col[key]))

    # -- cells ----------------------------------------------------------------------------------

    def style(
        self,
        cell: Any,
        font: str = "body",
        align: str = "wrap",
        fill: str | None = None,
        border: bool = True,
        fmt: str = "General",
    ) -> None:
        """Give a cell a style; each distinct style is built once (openpyxl's per-attribute
        styling is slow), then its style array is copied."""
        from copy import copy

        key = (font, align, fill, border, fmt)
        array = self.styles.get(key)
        if array is None:
            from openpyxl.cell.cell import Cell

            if self.scratch is None:
                self.scratch = Cell(self.wb.active, row=1, column=1)
            scratch = self.scratch
            scratch.font, scratch.alignment = self.fonts[font], self.aligns[align]
            scratch.number_format = fmt
            if fill is not None:
                scratch.fill = self.fills[fill]
            else:
                from openpyxl.styles import PatternFill

                scratch.fill = PatternFill()
            if border:
                scratch.border = self.border
            else:
                from openpyxl.styles import Border

                scratch.border = Border()
            array = self.styles[key] = copy(scratch._style)
        cell._style = copy(array)

    def text(
        self, ws: Any, row: int, column: int, value: str, *, exact: bool = False, **style: Any
    ) -> Any:
        """A text cell that is never read as a formula, whatever the text starts with.

        Shown text loses bidirectional overrides (an unclosed one in a name would reverse the
        numbers after it in the cell); ``exact`` text (ids read back) keeps them."""
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        cell = ws.cell(row=row, column=column)
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # only a hand-edited plan.json has any
        cell.value = value if exact else drop_bidi_controls(value)
        cell.data_type = "s"
        self.style(cell, **style)
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True
        return cell

    def number(
        self, ws: Any, row: int, column: int, value: Decimal | int | None, fmt: str, **style: Any
    ) -> Any:
        cell = ws.cell(row=row, column=column)
        cell.value = None if value is None else cell_number(value)
        self.style(cell, **{"align": "right", **style, "fmt": fmt})
        return cell

    def formula(self, ws: Any, row: int, column: int, formula: str, fmt: str, **style: Any) -> Any:
        cell = ws.cell(row=row, column=column)
        cell.value = formula
        self.style(cell, **{"align": "right", **style, "fmt": fmt})
        return cell

    def merge(
        self, ws: Any, first_row: int, first_column: int, last_row: int, last_column: int
    ) -> None:
        """Merge a range; the covered cells keep their style (borders), as openpyxl's
        merge_cells would after re-drawing them, at a fraction of its cost."""
        from copy import copy

        from openpyxl.cell.cell import MergedCell
        from openpyxl.worksheet.cell_range import CellRange
        from openpyxl.worksheet.merge import MergedCellRange

        area = CellRange(
            min_row=first_row, min_col=first_column, max_row=last_row, max_col=last_column
        )
        ws.merged_cells.add(MergedCellRange(ws, area.coord))
        for row in range(first_row, last_row + 1):
            for column in range(first_column, last_column + 1):
                if (row, column) == (first_row, first_column):
                    continue
                covered = MergedCell(ws, row=row, column=column)
                old = ws._cells.get((row, column))
                if old is not None:
                    covered._style = copy(old._style)
                ws._cells[(row, column)] = covered


def cell_number(value: Decimal | int) -> int | float:
    """A cell's number: whole numbers as int, others as float."""
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)
