"""The OKR workbook: a summary sheet and one sheet per unit, role group or person, whose score
formulas work in Excel and LibreOffice.

Layout of a sheet (rows): 1 title, 2 facts and the KR score cap, 3 headers, then one row per key
result (objective cells merged over their KRs, as in the seed tables), a total row, and a note
on how scores are computed. Columns are :func:`okrplan.export.sheetmodel.columns`; the last two
(KR id and scale) are hidden and let :mod:`okrplan.actuals` read typed actuals back.

Formulas use plain A1 references and functions both programs share (IF, MIN, MAX, N, COUNT,
SUM), so they recompute wherever the workbook is opened:

- KR score: ``actual ÷ scored`` (``scored ÷ actual``, 1 at 0, where less is better), between 0
  and the cap (row 2, default 100%); a deduction row scores ``−cases × points``;
- O分值: ``Σ weight × score × 100`` over the objective's rows, plus its deductions;
- total: ``Σ O分值``. A unit's actual defaults to a formula summing the actuals aligned to it
  (a group's per-person actual × headcount, each person's once); typing a number replaces it.

The bytes are deterministic: fixed document dates and zip entry times.
"""

from __future__ import annotations

import functools
import io
import math
import re
import zipfile
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from okrplan.numbers import MAX_PLACES
from okrplan.present import label
from okrplan.text import text_width

from .names import quote_sheet
from .sheetmodel import (
    META_TAB,
    Sheet,
    SheetBook,
    SheetRow,
    header_text,
    money_unit,
)
from .xlsx_actuals import MAX_ROLLUP_SOURCES, SCALE_HEADER, PeriodWriter, column_header
from .xlsx_cells import cell_number
from .xlsx_grid import Grid, StyleIds, ref, worksheet_xml

FORMAT_VERSION = 1
TITLE_ROW, FACTS_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4
KR_ID_HEADER = "okrplan:kr"
META_HEADER = ("sheet", "key", "owner", "kind", "person", "headcount", "actual_header")

_FIXED_DATE = "2000-01-01T00:00:00Z"
_WIDTHS = {
    "no": (5, 6),
    "objective": (12, 20),
    "detail": (12, 20),
    "kr": (18, 44),
    "weight": (8, 8),
    "o_score": (8, 8),
    "target": (9, 12),
    "unit": (6, 10),
    "per": (6, 8),
    "scored": (10, 12),
    "actual": (10, 12),
    "score": (8, 9),
    "kr_id": (12, 12),
}
_LINE_HEIGHT = 14.0  # points per wrapped line at the body font size


def workbook_bytes(book: SheetBook) -> bytes:
    """The workbook of ``book`` as .xlsx bytes (equal books give equal bytes)."""
    from openpyxl import Workbook
    from openpyxl.workbook.properties import CalcProperties

    wb = Workbook()
    grids = _Writer(book, wb).write()
    wb.calculation = CalcProperties(fullCalcOnLoad=True)
    wb.properties.creator = "okrplan"
    wb.properties.title = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", book.name)
    # the cells' XML, made before openpyxl writes the styles: it numbers them as it goes
    style_id = StyleIds(wb)
    parts = [worksheet_xml(grid, style_id) for grid in grids]
    buffer = io.BytesIO()
    wb.save(buffer)  # the sheets' parts have no cells: each is replaced by its grid's
    edits = {
        grid.ws.path.lstrip("/"): (lambda _empty, part=part: part)
        for grid, part in zip(grids, parts, strict=True)
    }
    return deterministic_archive(buffer.getvalue(), edits)


def deterministic_archive(
    data: bytes, edits: Mapping[str, Callable[[bytes], bytes]] | None = None
) -> bytes:
    """The same archive with fixed entry times and document dates: equal workbooks give
    equal bytes (also used when actuals are carried into a new workbook); ``edits`` change
    the content of the entries they name."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            edit = (edits or {}).get(info.filename)
            if edit is not None:
                content = edit(content)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + _FIXED_DATE + m.group(3),
                    text,
                )
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


class _Writer(PeriodWriter):
    def __init__(self, book: SheetBook, wb: Any) -> None:
        super().__init__(book, wb)
        self.total_row: dict[str, int] = {}
        for sheet in book.sheets:
            for index, row in enumerate(sheet.rows):
                self.rows[(sheet.key, row.kr)] = (sheet.tab, FIRST_ROW + index)
            self.total_row[sheet.key] = FIRST_ROW + len(sheet.rows)

    # -- the workbook ---------------------------------------------------------------------------

    def write(self) -> list[Grid]:
        """Every sheet's cells (styles are made in the order the sheets are written: units,
        summary, hidden list), in the workbook's order of sheets."""
        summary = Grid(self.wb.active)
        summary.ws.title = self.book.summary_tab
        grids = [summary]
        for sheet in self.book.sheets:
            grids.append(Grid(self.wb.create_sheet(sheet.tab)))
            self.write_sheet(grids[-1], sheet)
        self.write_summary(summary)
        grids.append(Grid(self.wb.create_sheet(META_TAB)))
        self.write_meta(grids[-1])
        return grids

    def write_meta(self, grid: Grid) -> None:
        grid.ws.sheet_state = "hidden"
        head = [
            "okrplan-sheets",
            str(FORMAT_VERSION),
            self.book.name,
            self.book.period,
            self.locale,
        ]
        for column, value in enumerate(head, start=1):
            self.text(grid, 1, column, value, border=False, exact=True)
        for column, value in enumerate(META_HEADER, start=1):
            self.text(grid, 2, column, value, border=False, exact=True)
        actual = self.header("actual")
        for row, sheet in enumerate(self.book.sheets, start=3):
            values = [
                sheet.tab,
                sheet.key,
                sheet.owner,
                sheet.kind,
                sheet.person or "",
                str(sheet.headcount),
                actual,
            ]
            for column, value in enumerate(values, start=1):
                self.text(grid, row, column, value, border=False, exact=True)

    def write_sheet(self, grid: Grid, sheet: Sheet) -> None:
        total = self.total_row[sheet.key]
        cap = f"${self.letter('score')}${FACTS_ROW}"
        self.write_head(grid, sheet)
        for index, row in enumerate(sheet.rows):
            self.write_row(grid, sheet, row, FIRST_ROW + index, cap)
        self.merge_objectives(grid, sheet)
        self.write_total(grid, sheet, total)
        widths = self.widths(sheet)
        notes = self.write_notes(grid, sheet, total, widths)
        if sheet.rows:
            self.validate_actuals(grid, FIRST_ROW, total - 1)
        self.layout(grid, sheet, total + notes + 1, widths)

    def write_head(self, grid: Grid, sheet: Sheet) -> None:
        """Title, facts and the score cap, and the header row."""
        locale, col, keys = self.locale, self.col, self.keys
        last = col[self.print_key]  # the print area: title and notes fit the page
        self.text(grid, TITLE_ROW, 1, sheet.title, font="title", border=False)
        self.merge(grid, TITLE_ROW, 1, TITLE_ROW, last)
        grid.heights[TITLE_ROW] = 26
        self.text(grid, FACTS_ROW, 1, " · ".join(sheet.facts), border=False)
        self.merge(grid, FACTS_ROW, 1, FACTS_ROW, col["actual"] - 1)
        self.text(
            grid,
            FACTS_ROW,
            col["actual"],
            label(locale, "score_cap"),
            font="bold",
            align="right",
            border=False,
        )
        self.number(grid, FACTS_ROW, col["score"], 1, "0%", fill="input")
        for key in keys:
            if key in ("scale", "periods") or key.startswith("target:"):
                grid.plain(HEADER_ROW, col[key], column_header(key, locale))
                continue
            name = {"kr_id": KR_ID_HEADER}.get(key, self.header(key))
            self.text(
                grid,
                HEADER_ROW,
                col[key],
                name,
                font="bold",
                align="center",
                fill="header",
                border=key != "kr_id",
            )
        grid.plain(HEADER_ROW, col["scale"], SCALE_HEADER)
        grid.heights[HEADER_ROW] = 30

    def write_total(self, grid: Grid, sheet: Sheet, total: int) -> None:
        """The total row: Σ weights and Σ O分值."""
        col = self.col
        first, end = FIRST_ROW, total - 1
        for column in range(1, col[self.last_key] + 1):
            self.style(grid, total, column)
        text = label(self.locale, "sheet_total")
        self.text(grid, total, col["kr"], text, font="bold", align="right")
        if sheet.rows:
            w, o = self.letter("weight"), self.letter("o_score")
            self.formula(
                grid, total, col["weight"], f"=SUM({w}{first}:{w}{end})", "0%", align="center"
            )
            self.formula(
                grid,
                total,
                col["o_score"],
                f'=IF(COUNT({o}{first}:{o}{end})=0,"",SUM({o}{first}:{o}{end}))',
                "0.0",
                font="bold",
                align="center",
                fill="computed",
            )

    def write_notes(self, grid: Grid, sheet: Sheet, total: int, widths: dict[str, float]) -> int:
        """The notes below the total (units, how scores work); how many."""
        locale, last = self.locale, self.col[self.print_key]
        money = money_unit(locale, self.book.currency)
        first = "period_note" if self.months else "sheet_note"
        notes = [label(locale, first).format(money=money), label(locale, "score_rule")]
        width = sum(w for k, w in widths.items() if self.col[k] <= last)
        for offset, note in enumerate(notes, start=2):
            r = total + offset
            self.text(grid, r, 1, note, font="note", border=False)
            self.merge(grid, r, 1, r, last)
            grid.heights[r] = _LINE_HEIGHT * _lines(note, width * 1.1) + 4
        return len(notes)

    def validate_actuals(self, grid: Grid, first: int, end: int) -> None:
        """Input validation: actuals are numbers ≥ 0 (typed in the actual column or a month's);
        the error says what to type."""
        locale = self.locale
        error = label(locale, "sheet_note").format(money=money_unit(locale, self.book.currency))
        ranges = [ref(first, self.col["actual"], end, self.col["actual"])]
        if self.months:
            first_month, last_month = self.months[0], self.months[-1]
            ranges.append(
                ref(first, self.col[f"actual:{first_month}"], end, self.col[f"actual:{last_month}"])
            )
        grid.validation = (" ".join(ranges), header_text("actual", locale), error)

    def write_row(self, grid: Grid, sheet: Sheet, row: SheetRow, r: int, cap: str) -> None:
        col = self.col
        fmt = _format(row, self.book)
        if row.first:
            self.number(grid, r, col["no"], row.objective, "0", align="center")
            self.text(grid, r, col["objective"], row.objective_name)
            self.text(grid, r, col["detail"], row.detail)
            self.o_score(grid, sheet, row, r)
        else:
            for key in ("no", "objective", "detail", "o_score"):
                self.style(grid, r, col[key])
        self.text(grid, r, col["kr"], row.text)
        self.number(
            grid,
            r,
            col["weight"],
            None if row.weight is None else Decimal(row.weight) / 100,
            "0%",
            align="center",
        )
        if row.number == "points":
            self.text(grid, r, col["target"], row.target_text, align="right")
        else:
            self.number(grid, r, col["target"], row.target, fmt)
        self.text(grid, r, col["unit"], row.unit, align="center")
        self.text(grid, r, col["per"], row.per, align="center")
        # a deduction's points per case read as a rule, not a target: 每例扣5分 (still a number)
        scored_fmt = _per_case_format(self.locale) if row.number == "points" else fmt
        self.number(grid, r, col["scored"], row.scored, scored_fmt)
        for period, value in zip(self.book.periods, row.periods, strict=True):
            self.number(grid, r, col[f"period:{period}"], value, fmt)
        self.period_cells(grid, sheet.key, row, r, fmt)
        divisor = self.to_date_cells(grid, row, r, fmt)
        if not (self.months and row.actuals.cells):
            self.actual_cell(grid, row, r, fmt)
        a, s = f"{self.letter('actual')}{r}", divisor or f"{self.letter('scored')}{r}"
        score_fmt = "0%"
        if row.number == "points":
            formula = f'=IF({a}="","",-{a}*{s})'
            score_fmt = _points_format(self.locale)
        elif row.scored is None:
            formula = ""
        elif row.decrease:
            formula = f'=IF({a}="","",MAX(0,MIN({cap},IF({a}<=0,1,{s}/{a}))))'
        else:
            formula = f'=IF({a}="","",MAX(0,MIN({cap},IF({s}=0,1,{a}/{s}))))'
        if formula:
            self.formula(grid, r, col["score"], formula, score_fmt, fill="computed")
        else:
            self.style(grid, r, col["score"], fill="computed")
        self.text(grid, r, col["kr_id"], row.kr, border=False, exact=True)
        grid.plain(r, col["scale"], cell_number(row.scale))

    def actual_cell(self, grid: Grid, row: SheetRow, r: int, fmt: str) -> Any:
        """Empty for typing in; on a unit's sheet, the sum of the actuals aligned to it."""
        col = self.col["actual"]
        formula = self.rollup_formula(row)
        if not formula:
            return self.number(grid, r, col, None, fmt, fill="input")
        return self.formula(grid, r, col, formula, fmt, fill="input")

    def rollup_formula(self, row: SheetRow) -> str:
        """The sum of the actuals aligned to a unit's KR, or "" (none, or too many)."""
        if not row.rollup or len(row.rollup) > MAX_ROLLUP_SOURCES:
            return ""
        refs = []
        for key, kr, factor in row.rollup:
            tab, source_row = self.rows[(key, kr)]
            refs.append((f"{quote_sheet(tab)}${self.letter('actual')}${source_row}", factor))
        count = ",".join(ref for ref, _ in refs)
        total = "+".join(
            f"N({ref})" + (f"*{factor}" if factor != 1 else "") for ref, factor in refs
        )
        formula = f'=IF(COUNT({count})=0,"",{total})'
        return formula if len(formula) <= 7000 else ""

    def o_score(self, grid: Grid, sheet: Sheet, row: SheetRow, r: int) -> None:
        rows = [x for x in sheet.rows if x.objective_id == row.objective_id]
        s, w = self.letter("score"), self.letter("weight")
        weighted = [
            f"N({w}{r + i})*N({s}{r + i})" for i, x in enumerate(rows) if x.number != "points"
        ]
        deductions = [f"N({s}{r + i})" for i, x in enumerate(rows) if x.number == "points"]
        parts = ([f"({'+'.join(weighted)})*100"] if weighted else []) + deductions
        end = r + len(rows) - 1
        self.formula(
            grid,
            r,
            self.col["o_score"],
            f'=IF(COUNT({s}{r}:{s}{end})=0,"",{"+".join(parts) or "0"})',
            "0.0",
            align="center",
            fill="computed",
        )

    def merge_objectives(self, grid: Grid, sheet: Sheet) -> None:
        for index, row in enumerate(sheet.rows):
            if row.first and row.span > 1:
                start, end = FIRST_ROW + index, FIRST_ROW + index + row.span - 1
                for key in ("no", "objective", "detail", "o_score"):
                    self.merge(grid, start, self.col[key], end, self.col[key])

    # -- layout ---------------------------------------------------------------------------------

    def widths(self, sheet: Sheet) -> dict[str, float]:
        texts: dict[str, list[str]] = {k: [self.header(k)] for k in self.keys}
        for row in sheet.rows:
            texts["objective"].append(row.objective_name)
            texts["detail"].append(row.detail)
            texts["kr"].append(row.text)
            texts["unit"].append(row.unit)
            texts["per"].append(row.per)
            texts["target"].append(row.target_text if row.number == "points" else "")
        out: dict[str, float] = {}
        for key in self.keys:
            low, high = _WIDTHS.get(key, (9, 12))
            widest = max((display_width(t) for t in texts[key]), default=0)
            if key in ("objective", "detail", "kr"):
                widest = math.ceil(widest * 0.75)  # wrapped: a balanced width, not one line
            out[key] = float(min(max(widest + 2, low), high))
        # a deduction's rule (-5 points per case) is text: it must not be clipped
        rules = [display_width(t) + 2 for t in texts["target"] if t]
        out["target"] = max(out["target"], float(max(rules, default=0)))
        for key in self.keys:
            if key.startswith("actual:"):
                out[key] = 9.0  # a month's actual: numbers alone (the header wraps)
        # the score cap's label stands right-aligned in the actual column's cell (row 2)
        cap = display_width(label(self.locale, "score_cap")) + 2
        out["actual"] = max(out["actual"], float(cap))
        return out

    def layout(self, grid: Grid, sheet: Sheet, last_row: int, widths: dict[str, float]) -> None:
        for key, width in widths.items():
            grid.widths[self.col[key]] = width
        grid.hidden.update(self.hidden_columns())
        grid.heights[FACTS_ROW] = (
            _LINE_HEIGHT
            * _lines(
                " · ".join(sheet.facts),
                sum(w for k, w in widths.items() if self.col[k] < self.col["actual"]),
            )
            + 6
        )
        heights = []
        for row in sheet.rows:
            lines = max(_lines(row.text, widths["kr"]), 1)
            heights.append(max(_LINE_HEIGHT * lines + 6, 20.0))
        for index, row in enumerate(sheet.rows):
            if row.first:
                need = (
                    max(
                        _lines(row.objective_name, widths["objective"]),
                        _lines(row.detail, widths["detail"]),
                    )
                    * _LINE_HEIGHT
                    + 6
                )
                have = sum(heights[index : index + row.span])
                if need > have:
                    heights[index + row.span - 1] += need - have
        for index, height in enumerate(heights):
            grid.heights[FIRST_ROW + index] = round(height, 1)
        grid.heights[self.total_row[sheet.key]] = 20
        grid.touch(FIRST_ROW, self.col["weight"])  # openpyxl's freeze_panes made the cell
        grid.freeze = (FIRST_ROW, self.col["weight"])
        self.print_setup(grid, f"A1:{self.letter(self.print_key)}{last_row}")  # months: typed

    def print_setup(self, grid: Grid, area: str) -> None:
        grid.printed = True  # the page: xlsx_grid.worksheet_xml
        grid.ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
        grid.ws.print_area = area

    # -- the summary ----------------------------------------------------------------------------

    def write_summary(self, grid: Grid) -> None:
        from openpyxl.utils import get_column_letter

        book, locale = self.book, self.locale
        unit = money_unit(locale, book.currency)
        heads = [
            label(locale, "sheet"),
            label(locale, "org_unit"),
            label(locale, "role"),
            label(locale, "people"),
            label(locale, "headcount"),
            f"{label(locale, 'quota')} ({unit})",
            f"{label(locale, 'per_person')} ({unit})",
            label(locale, "objective_weights"),
            label(locale, "weights_total"),
            "Total score"
            if locale.startswith("en")
            else f"{label(locale, 'o_score')}{label(locale, 'sheet_total')}",
        ]
        last = len(heads)
        self.text(
            grid, TITLE_ROW, 1, f"{book.name} — {book.summary_tab}", font="title", border=False
        )
        self.merge(grid, TITLE_ROW, 1, TITLE_ROW, last)
        grid.heights[TITLE_ROW] = 26
        self.text(grid, FACTS_ROW, 1, " · ".join(book.facts), border=False)
        self.merge(grid, FACTS_ROW, 1, FACTS_ROW, last)
        for column, head in enumerate(heads, start=1):
            self.text(grid, HEADER_ROW, column, head, font="bold", align="center", fill="header")
        grid.heights[HEADER_ROW] = 30
        scale = Decimal(10_000) if not locale.startswith("en") else Decimal(1)
        money = _money_format(book, scale)
        w, o = self.letter("weight"), self.letter("o_score")
        widths = [display_width(h) + 2 for h in heads]
        for r, sheet in enumerate(book.sheets, start=FIRST_ROW):
            link = self.text(grid, r, 1, sheet.tab, font="link")
            grid.links.append((link, f"{quote_sheet(sheet.tab)}A1", sheet.tab))
            weights = " · ".join(f"{n} {share}%" for n, share in sheet.objectives)
            values = [" / ".join(sheet.path), sheet.role or "", sheet.person or ""]
            for column, value in enumerate(values, start=2):
                self.text(grid, r, column, value)
            self.number(grid, r, 5, sheet.people if sheet.kind != "unit" else None, "0")
            self.number(grid, r, 6, None if sheet.quota is None else sheet.quota / scale, money)
            self.number(
                grid, r, 7, None if sheet.per_person is None else sheet.per_person / scale, money
            )
            self.text(grid, r, 8, weights)
            total = self.total_row[sheet.key]
            self.formula(grid, r, 9, f"={quote_sheet(sheet.tab)}{w}{total}", "0%")
            self.formula(
                grid, r, 10, f"={quote_sheet(sheet.tab)}{o}{total}", "0.0", fill="computed"
            )
            for i, text in enumerate([sheet.tab, *values, "", "", "", weights]):
                widths[i] = max(widths[i], min(display_width(text) + 2, 40))
            grid.heights[r] = max(20.0, _LINE_HEIGHT * _lines(weights, 40) + 6)
        for column, width in enumerate(widths, start=1):
            grid.widths[column] = max(width, 8)
        grid.freeze = (FIRST_ROW, 2)
        end = FIRST_ROW + len(book.sheets) - 1
        self.print_setup(grid, f"A1:{get_column_letter(last)}{max(end, HEADER_ROW)}")


@functools.lru_cache(maxsize=1 << 16)
def display_width(text: str) -> int:
    """:func:`okrplan.text.text_width`, remembered: every sheet sizes the same headers, and
    the units' and KRs' names recur from sheet to sheet."""
    return text_width(text)


def _format(row: SheetRow, book: SheetBook) -> str:
    values = [v for v in (row.target, row.scored, *row.periods) if v is not None]
    whole = all(v == v.to_integral_value() for v in values)
    if row.number == "percent":
        return "0%" if all((v * 100) == (v * 100).to_integral_value() for v in values) else "0.0%"
    if row.number == "money":
        return _money_format(book, row.scale)
    return "#,##0" if whole else "#,##0.00"


def _money_format(book: SheetBook, scale: Decimal) -> str:
    """Amounts to the money rounding step's precision in sheet units, at most 0.01 (the one
    precision rule of :mod:`okrplan.numbers`): a 10万 step in 万 shows ``#,##0``; in English,
    dollars in thousands with the symbol (``$6,640k``) where the step is whole thousands. The
    cell keeps the exact number."""
    step = book.step / scale
    if book.locale.startswith("en") and scale == 1 and step % 1000 == 0:
        symbol = book.numbers.money(0).removesuffix("0")
        return f'"{symbol}"#,##0,"k"' if symbol else '#,##0,"k"'
    places = min(max(0, -int(step.normalize().as_tuple().exponent)), MAX_PLACES)
    return "#,##0" + ("." + "0" * places if places else "")


def _per_case_format(locale: str) -> str:
    return '"-"0" pts/case"' if locale.startswith("en") else '"每例扣"0"分"'


def _points_format(locale: str) -> str:
    return '0.0" pts"' if locale.startswith("en") else '0.0"分"'


def _lines(text: str, width: float) -> int:
    """Wrapped lines ``text`` needs in a column ``width`` characters wide (a CJK character is
    about 1.6 digits wide at the body font)."""
    room = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil((display_width(part) * 0.8) / room)) for part in text.split("\n"))
