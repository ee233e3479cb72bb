"""The workbook's actual cells per period (:mod:`.xlsx_periods` says which): one column per
month of the plan right of the score and the target to date (so the columns of older
workbooks keep their letters),
a quarterly KR's three months merged into one cell; the actual (to date) sums them and the
target to date sums the targets of the periods that have an actual, so that a planner sees
the score add up:

- actual to date ``=IF(COUNT(months)=0,"",SUM(months))`` (``AVERAGE`` for a level, 100%/周);
- target to date ``=IF(COUNT(months)=0,scored,SUMPRODUCT((months<>"")*targets))``, the targets
  hidden beside the KR id, each under its period's first month — so an actual to date typed
  over the formula (as older workbooks had it) is still scored against the plan total;
- a unit's month cell sums the same month of the KRs aligned to it (as the actual to date
  did), when they have the same periods.
"""

from __future__ import annotations

from typing import Any

from okrplan.present import label

from .names import quote_sheet
from .sheetmodel import SheetBook, SheetRow, columns, header_text
from .xlsx_cells import CellWriter
from .xlsx_grid import Grid
from .xlsx_periods import PERIODS_HEADER, TARGET_PREFIX

SCALE_HEADER = "okrplan:scale"
MAX_ROLLUP_SOURCES = 200  # Excel: 255 arguments per function, 8,192 characters per formula


def workbook_columns(book: SheetBook) -> tuple[str, ...]:
    """The workbook's column keys: the sheet's (:func:`columns`) with, where some KR has
    actual cells per period, ``to_date`` after the score and ``actual:<month>`` for each
    month, and the hidden ``scale``, ``periods`` and ``target:<month>`` after the KR id."""
    keys = columns(book)
    months = period_months(book)
    if not months:
        return (*keys, "scale")
    at = keys.index("kr_id")  # after the score: the columns of older workbooks keep their place
    return (
        *keys[:at],
        "to_date",
        *(f"actual:{m}" for m in months),
        *keys[at:],
        "scale",
        "periods",
        *(f"target:{m}" for m in months),
    )


def period_months(book: SheetBook) -> tuple[str, ...]:
    """The months with an actual column: the plan's, if any KR has actual cells per period."""
    if any(row.actuals.cells for sheet in book.sheets for row in sheet.rows):
        return book.months
    return ()


def column_header(key: str, locale: str) -> str:
    """A workbook column's header (the hidden ones are read back by :mod:`okrplan.actuals`)."""
    kind, _, month = key.partition(":")
    if kind == "actual" and month:
        return label(locale, "actual_period").format(period=month)
    if kind == "target" and month:
        return TARGET_PREFIX + month
    if key == "to_date":
        return label(locale, "target_to_date")
    if key == "periods":
        return PERIODS_HEADER
    if key == "scale":
        return SCALE_HEADER
    return header_text(key, locale)


class PeriodWriter(CellWriter):
    """The cells of :mod:`.xlsx_actuals` (mixed into the workbook's writer)."""

    def __init__(self, book: SheetBook, wb: Any) -> None:
        super().__init__(book, wb)
        self.keys = workbook_columns(book)
        self.col = {k: i + 1 for i, k in enumerate(self.keys)}
        self.months = period_months(book)
        self.row_of = {(s.key, r.kr): r for s in book.sheets for r in s.rows}
        self.rows: dict[tuple[str, str], tuple[str, int]] = {}  # (sheet, KR) → (tab, row)
        self.headers = {k: column_header(k, self.locale) for k in self.keys}

    @property
    def print_key(self) -> str:
        """The last column printed: the target to date where months have cells."""
        return "to_date" if self.months else "score"

    @property
    def last_key(self) -> str:
        """The last column shown (the title, notes and print area reach it)."""
        return f"actual:{self.months[-1]}" if self.months else "score"

    def header(self, key: str) -> str:
        """A column's header (the actual's stays 实际完成 where months have cells: it is the
        actual to date either way, and older readers find it by that name)."""
        return self.headers.get(key) or column_header(key, self.locale)

    def rollup_formula(self, row: SheetRow) -> str:
        raise NotImplementedError  # the workbook writer's

    def month_range(self, r: int) -> str:
        first, last = self.months[0], self.months[-1]
        return f"{self.letter(f'actual:{first}')}{r}:{self.letter(f'actual:{last}')}{r}"

    def period_cells(self, grid: Grid, sheet_key: str, row: SheetRow, r: int, fmt: str) -> None:
        """The month cells of a row (merged per quarter), its hidden targets and period map."""
        if not self.months:
            return
        cells = row.actuals.cells
        if not cells:
            for m in self.months:
                self.style(grid, r, self.col[f"actual:{m}"], fill="computed")
            return
        sources = self.sources(row)
        for month, _period, span, target in cells:
            column = self.col[f"actual:{month}"]
            refs = [
                (f"{quote_sheet(tab)}${self.letter(f'actual:{month}')}${source}", factor)
                for tab, source, factor in sources
            ]
            formula = _sum_formula(refs)
            if formula:
                self.formula(grid, r, column, formula, fmt, fill="input")
            else:
                self.number(grid, r, column, None, fmt, fill="input")
            for extra in range(1, span):
                self.style(grid, r, column + extra, fill="input")
            if span > 1:
                self.merge(grid, r, column, r, column + span - 1)
            target_cell = None if target is None else _cell(target)
            grid.plain(r, self.col[f"target:{month}"], target_cell)
        grid.plain(r, self.col["periods"], row.actuals.text())

    def sources(self, row: SheetRow) -> list[tuple[str, int, int]]:
        """(tab, row, factor) of the KRs whose month cells a unit's month cells sum, or []
        when they have other periods, or are too many for one formula."""
        if not row.rollup or len(row.rollup) > MAX_ROLLUP_SOURCES:
            return []
        out = []
        for key, kr, factor in row.rollup:
            source = self.row_of.get((key, kr))
            if source is None or source.actuals.text() != row.actuals.text():
                return []
            tab, at = self.rows[(key, kr)]
            out.append((tab, at, factor))
        return out

    def to_date_cells(self, grid: Grid, row: SheetRow, r: int, fmt: str) -> str | None:
        """The actual to date (a sum of the month cells) and the target to date of a row with
        month cells; returns the cell the score divides by (None: the scored-against one)."""
        if not self.months:
            return None
        s, t = f"{self.letter('scored')}{r}", self.col["to_date"]
        if not row.actuals.cells:
            if row.scored is not None and row.number != "points":
                self.formula(grid, r, t, f"={s}", fmt, fill="computed")
            else:
                self.style(grid, r, t, fill="computed")
            return None
        months = self.month_range(r)
        total = "AVERAGE" if row.actuals.level else "SUM"
        # a unit's actual: its months, else the actuals to date typed on the sheets below
        below = self.rollup_formula(row).removeprefix("=") or '""'
        self.formula(
            grid,
            r,
            self.col["actual"],
            f"=IF(COUNT({months})=0,{below},{total}({months}))",
            fmt,
            fill="computed",
        )
        if row.number == "points" or row.scored is None:
            self.style(grid, r, t, fill="computed")
            return None
        first, last = self.months[0], self.months[-1]
        targets = f"{self.letter(f'target:{first}')}{r}:{self.letter(f'target:{last}')}{r}"
        reached = s if row.actuals.level else f'SUMPRODUCT(({months}<>"")*{targets})'
        self.formula(grid, r, t, f"=IF(COUNT({months})=0,{s},{reached})", fmt, fill="computed")
        return f"{self.letter('to_date')}{r}"

    def hidden_columns(self) -> list[int]:
        """The columns read back but not shown."""
        return [
            self.col[k]
            for k in self.keys
            if k in ("kr_id", "scale", "periods") or k.startswith("target:")
        ]


def _sum_formula(refs: list[tuple[str, int]]) -> str:
    if not refs:
        return ""
    count = ",".join(ref for ref, _ in refs)
    total = "+".join(f"N({ref})" + (f"*{factor}" if factor != 1 else "") for ref, factor in refs)
    formula = f'=IF(COUNT({count})=0,"",{total})'
    return formula if len(formula) <= 8000 else ""


def _cell(value: Any) -> int | float:
    from .xlsx_cells import cell_number

    return cell_number(value)
