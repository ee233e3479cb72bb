"""The review pack as a workbook: one sheet per section, numbers as numbers.

Every cell that holds a number is written as that number (money in yuan, counts, percents as
fractions with a percent format), so a planner can sort, sum and chart it; text cells are never
read as formulas, whatever a name starts with.
"""

from __future__ import annotations

import io
from typing import Any

from okrplan.export.names import safe_sheet_title
from okrplan.export.xlsx import deterministic_archive
from okrplan.review.markdown import section_title
from okrplan.review.pack import LOW_CONFIDENCE, Pack
from okrplan.review.tables import (
    Cell,
    Table,
    activity_table,
    diagnosis_lines,
    funnel_table,
    funnel_title,
    hires_table,
    next_table,
    note_text,
    progress_tables,
    short_lines,
)
from okrplan.review.words import words

_FORMATS = {"money": "#,##0", "count": "#,##0.0", "percent": "0%"}


class _Sheet:
    """Writes titles, lines and tables down one worksheet."""

    def __init__(self, ws: Any) -> None:
        from openpyxl.styles import Font

        self.ws, self.row = ws, 1
        self.bold, self.big = Font(bold=True), Font(bold=True, size=14)
        self.widths: dict[int, int] = {}

    def text(self, column: int, text: str, font: Any = None, *, fit: bool = True) -> None:
        cell = self.ws.cell(self.row, column)
        cell.value = text
        cell.data_type = "s"  # "=…" stays text
        if font is not None:
            cell.font = font
        if fit:
            self.fit(column, _width(text))

    def fit(self, column: int, width: int) -> None:
        self.widths[column] = max(self.widths.get(column, 8), min(50, width + 2))

    def line(self, text: str, font: Any = None) -> None:
        """A title or sentence: it may run over the columns to its right."""
        self.text(1, text, font, fit=False)
        self.row += 1

    def value(self, column: int, cell: Cell) -> None:
        if cell.value is None:
            if cell.text:
                self.text(column, cell.text)
            return
        target = self.ws.cell(self.row, column)
        number = cell.value
        target.value = int(number) if number.denominator == 1 else float(number)
        target.number_format = _FORMATS.get(cell.kind, "General")
        if cell.kind == "count" and number.denominator == 1:
            target.number_format = "#,##0"
        self.fit(column, len(f"{round(float(number)):,}") + 2)

    def table(self, table: Table) -> None:
        if table.title:
            self.line(table.title, self.bold)
        for column, head in enumerate(table.header, 1):
            self.text(column, head, self.bold)
        self.row += 1
        for row in table.rows:
            for column, cell in enumerate(row, 1):
                self.value(column, cell)
            self.row += 1
        self.row += 1

    def finish(self) -> None:
        from openpyxl.utils import get_column_letter

        for column, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(column)].width = width
        # Printed, a section is one page wide, in landscape.
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0


def _width(text: str) -> int:
    from okrplan.text import text_width

    return text_width(text)


def to_xlsx(pack: Pack) -> bytes:
    """The pack as an .xlsx workbook (deterministic bytes).

    Parameters
    ----------
    pack : Pack
        From :func:`okrplan.review.build_pack`.
    """
    from openpyxl import Workbook

    w = words(pack.locale)
    wb = Workbook()
    sheets = [wb.active, *(wb.create_sheet() for _ in range(3))]
    writers = []
    for number, ws in enumerate(sheets, 1):
        ws.title = safe_sheet_title(section_title(pack, number))
        writer = _Sheet(ws)
        writer.line(w["title"].format(unit=pack.unit_name, period=pack.period), writer.big)
        writer.line(section_title(pack, number), writer.bold)
        writer.row += 1
        writers.append(writer)
    first, second, third, fourth = writers
    if not pack.objectives:
        first.line(w["no_okr"])
        first.row += 1
    for table in progress_tables(pack):
        first.table(table)
    _activities(second, pack)
    for item in pack.next:
        third.table(next_table(item, pack.numbers))
    if not pack.next:
        third.line(w["no_next"])
    _funnels(fourth, pack)
    for writer in writers:
        writer.finish()
    out = io.BytesIO()
    wb.save(out)
    return deterministic_archive(out.getvalue())


def _activities(sheet: _Sheet, pack: Pack) -> None:
    """The second section: the activities, the comments and the hires."""
    w = words(pack.locale)
    if pack.activities:
        sheet.table(activity_table(pack))
    sheet.line(w["comments"], sheet.bold)
    for note in pack.notes or ():
        sheet.line(note_text(note, pack.locale))
    if not pack.notes:
        sheet.line(w["no_comments"])
    sheet.row += 1
    if pack.hires:
        sheet.table(hires_table(pack))


def _funnels(sheet: _Sheet, pack: Pack) -> None:
    """The fourth section: each funnel's diagnosis, what is short, and the blockers."""
    w = words(pack.locale)
    for funnel in pack.funnels:
        sheet.line(funnel_title(pack, funnel), sheet.bold)
        sheet.table(funnel_table(funnel.diagnosis, pack.numbers))
        sheet.row -= 1
        for text in diagnosis_lines(funnel.diagnosis, pack.numbers):
            sheet.line(text)
        sheet.row += 1
    sheet.line(w["short_title"], sheet.bold)
    for text in short_lines(pack) or [w["no_short"]]:
        sheet.line(text)
    sheet.row += 1
    sheet.line(w["blockers"].format(low=LOW_CONFIDENCE), sheet.bold)
    for text in [note_text(n, pack.locale) for n in pack.blockers] or [w["no_blockers"]]:
        sheet.line(text)
