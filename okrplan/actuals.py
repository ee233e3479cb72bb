"""Actuals typed into the OKR workbooks, read back for scoring.

A workbook written by :mod:`okrplan.export.xlsx` lists its sheets in a hidden ``_okrplan``
sheet; each KR row carries its KR id and scale in hidden columns. :func:`typed_actuals` reads
every number a person typed into an actual cell (formulas — a unit's default roll-up — are not
typed actuals); :func:`workbook_actuals` turns them into :class:`~okrplan.score.Actual` rows for
:func:`~okrplan.score.score_plan`:

- a role group's sheet holds the per-person actual, as the plan's KR does;
- per-person sheets of one group add up and divide by the group's headcount, so the unit above
  rolls up the sum of what everyone typed, exactly as the workbook's formulas do;
- the same KR in several workbooks (copies returned by different people) must agree.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Context, Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okrplan.errors import InputError, Issue
from okrplan.export.sheetmodel import META_TAB, csv_text
from okrplan.export.xlsx import KR_ID_HEADER
from okrplan.export.xlsx_actuals import SCALE_HEADER
from okrplan.export.xlsx_periods import PERIODS_HEADER, parse_text
from okrplan.quantity import QuantityError, parse_quantity
from okrplan.score import Actual, read_actuals
from okrplan.tabular import STDIN, WORKBOOK_SUFFIXES, open_workbook, read_table, sheet_names

if TYPE_CHECKING:
    from okrplan.plan import Plan

MAX_ACTUAL_DIGITS = 18
"""An actual typed into a workbook stays within ±10^18, as quantities in a target file do."""


@dataclass(frozen=True, slots=True)
class TypedActual:
    """One number a person typed into an actual cell."""

    file: str
    tab: str
    cell: str
    sheet: str  # the sheet's key: owner id, plus @n for a person
    kr: str
    value: Fraction  # in base units
    people: int  # the headcount the sheet's owner has
    person: bool
    period: str = ""  # a month or quarter typed in its own cell; "" for the actual to date

    @property
    def where(self) -> str:
        return f"{self.file}: {self.tab}!{self.cell}"


Grid = dict[int, dict[int, Any]]
"""A worksheet's cells that hold something: row → column → openpyxl cell."""


def _read_book(name: str) -> dict[str, Grid]:
    """Every sheet of a workbook (title → its cells), as a full openpyxl load reads them.

    Read-only, because a full load spends ~70% of its time binding merged cells (styling the
    borders of every covered cell); the covered cells are then emptied here, as that load
    does. Every worksheet is read now, so a damaged one is reported whichever sheet it is.
    """
    wb = open_workbook(name, read_only=True, data_only=False)
    try:
        book: dict[str, Grid] = {title: {} for title in wb.sheetnames}  # a chart sheet: empty
        for ws in wb.worksheets:
            ws.reset_dimensions()  # read every row, whatever the file's dimension tag claims
            grid: Grid = {}
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        grid.setdefault(cell.row, {})[cell.column] = cell
            _uncover(grid, _merged_ranges(wb, ws))
            book[ws.title] = grid
        return book
    except Exception as exc:  # openpyxl raises anything on a damaged file: not okrplan's bug
        detail = str(exc) or type(exc).__name__
        hint = "pass an .xlsx written by okrplan or saved by Excel"
        raise InputError([Issue(f"cannot read the workbook: {detail}", name, hint=hint)]) from None
    finally:
        wb.close()


def _merged_ranges(wb: Any, ws: Any) -> list[tuple[int, int, int, int]]:
    """The merged ranges (min_col, min_row, max_col, max_row) of a read-only worksheet, which
    openpyxl does not give in read-only mode: read from the sheet's own XML part."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.xml.functions import iterparse

    ranges: list[tuple[int, int, int, int]] = []
    with wb._archive.open(ws._worksheet_path) as source:
        for _event, element in iterparse(source):
            if element.tag.rpartition("}")[2] == "mergeCell" and element.get("ref"):
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                ranges.append((min_col, min_row, max_col, max_row))
            element.clear()
    return ranges


def _uncover(grid: Grid, ranges: list[tuple[int, int, int, int]]) -> None:
    """Drop the cells a merged range covers (all but its top-left one): a full openpyxl load
    empties them, whatever the file holds there. Work is bounded by the cells present."""
    rows = sorted(grid)
    for min_col, min_row, max_col, max_row in ranges:
        for r in rows[bisect_left(rows, min_row) : bisect_right(rows, max_row)]:
            cells = grid[r]
            columns = range(min_col, max_col + 1) if max_col - min_col < len(cells) else list(cells)
            for c in columns:
                if min_col <= c <= max_col and (r, c) != (min_row, min_col):
                    cells.pop(c, None)


def _rows(grid: Grid, first: int = 1, last: int | None = None) -> Iterable[tuple[int, list[Any]]]:
    """(row number, its cells in column order) for the rows of a grid from first to last."""
    for r in sorted(grid):
        if r >= first and (last is None or r <= last) and grid[r]:
            yield r, [grid[r][c] for c in sorted(grid[r])]


def _value(grid: Grid, row: int, column: int) -> Any:
    cell = grid.get(row, {}).get(column)
    return None if cell is None else cell.value


def typed_actuals(path: str | os.PathLike[str]) -> list[TypedActual]:
    """Every actual typed into an okrplan workbook, in sheet and row order.

    Raises
    ------
    InputError
        If the file is not an okrplan workbook, or a typed actual is not a number (every such
        cell is reported, with its sheet and cell).
    """
    name = os.fspath(path)
    book = _read_book(name)
    if META_TAB not in book:
        raise InputError(
            [
                Issue(
                    f"this workbook has no okrplan sheet list (hidden sheet {META_TAB})",
                    name,
                    hint="pass a workbook written by okrplan export or decompose",
                )
            ]
        )
    meta = book[META_TAB]
    issues: list[Issue] = []
    found: list[TypedActual] = []
    for r, _cells in _rows(meta, first=3):
        values = [_value(meta, r, c) for c in range(1, 8)]
        if not values[0]:
            continue
        tab, key, _owner, kind, _person, people, actual_header = (
            str(v) if v is not None else "" for v in values
        )
        problem, hint = _sheet_problem(book, tab, people)
        if problem:
            issues.append(Issue(problem, name, hint=hint))
            continue
        ws = book[tab]
        header_row, cols, months = header_columns(_rows(ws, last=12), actual_header)
        if header_row is None:
            issues.append(
                Issue(
                    f"{tab}: no header row with {actual_header!r} and the KR ids",
                    name,
                    hint="do not delete the header row or hidden columns",
                )
            )
            continue
        where = TypedActual(name, tab, "", key, "", Fraction(0), int(people or 1), kind == "person")
        _sheet_actuals(ws, header_row, cols, months, where, found, issues)
    if issues:
        raise InputError(issues)
    return found


def _sheet_problem(book: dict[str, Grid], tab: str, people: str) -> tuple[str, str]:
    """Why a sheet the hidden list names cannot be read (message, hint), or ("", "")."""
    if tab not in book:
        return f"the sheet {tab!r} is missing (renamed or deleted?)", (
            "keep the sheet names okrplan wrote"
        )
    if people and not people.isdigit():
        return (
            f"the hidden sheet {META_TAB} gives {people!r} as the headcount of {tab!r}",
            f"keep the hidden sheet {META_TAB} as okrplan wrote it",
        )
    return "", ""


def _sheet_actuals(
    ws: Grid,
    header_row: int,
    cols: tuple[int, int, int],
    months: Months,
    where: TypedActual,
    found: list[TypedActual],
    issues: list[Issue],
) -> None:
    """The actuals typed into one sheet (``where`` gives its file, tab, key, people, kind):
    the actual to date, and each period's where the sheet has them (:mod:`.xlsx_periods`)."""
    kr_col, scale_col, actual_col = cols
    for r, _cells in _rows(ws, first=header_row + 1):
        kr = _value(ws, r, kr_col)
        if not isinstance(kr, str) or not kr.startswith("k:"):
            continue
        cells = [("", ws[r].get(actual_col))]
        if months.periods_col:
            mapping = parse_text(str(_value(ws, r, months.periods_col) or ""))
            cells += [
                (p, ws[r].get(months.cols[m])) for m, p in mapping.items() if m in months.cols
            ]
        for period, cell in cells:
            if cell is None:
                continue  # an empty actual cell: nothing typed
            value, problem = _cell_value(cell, _value(ws, r, scale_col))
            if problem:
                issues.append(
                    Issue(
                        f"{where.tab}!{cell.coordinate}: {problem}",
                        where.file,
                        hint="type a number, e.g. 550 or 95%",
                    )
                )
            elif value is not None:
                found.append(
                    replace(where, cell=cell.coordinate, kr=kr, value=value, period=period)
                )


@dataclass(frozen=True, slots=True)
class Months:
    """A sheet's actual columns per month (month → column) and its hidden period map column
    (0: an older workbook without them)."""

    cols: dict[str, int]
    periods_col: int = 0


_MONTH = re.compile(r"^\d{4}-\d{2}$")


def header_columns(
    rows: Iterable[tuple[int, Sequence[Any]]], actual_header: str
) -> tuple[int | None, tuple[int, int, int], Months]:
    """The header row among ``rows`` ((row number, cells) of a sheet's first 12 rows), its
    (KR id, scale, actual) columns and its actual columns per month."""
    for number, row in rows:
        texts = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if KR_ID_HEADER in texts and actual_header in texts:
            scale = texts.get(SCALE_HEADER, texts[KR_ID_HEADER] + 1)
            months = {
                first: column
                for text, column in texts.items()
                if "\n" in text and _MONTH.match(first := text.split("\n", 1)[0].strip())
            }
            found = Months(months, texts.get(PERIODS_HEADER, 0) if months else 0)
            return number, (texts[KR_ID_HEADER], scale, texts[actual_header]), found
    return None, (0, 0, 0), Months({})


def _cell_value(cell: Any, scale: Any) -> tuple[Fraction | None, str]:
    """The base-unit value typed in a cell, or why it is not one; formulas are not typed."""
    value = cell.value
    if value is None or cell.data_type == "f":
        return None, ""
    factor = (
        Fraction(str(scale))
        if (
            isinstance(scale, int | float)
            and scale
            and not isinstance(scale, bool)
            and math.isfinite(scale)
        )
        else Fraction(1)
    )
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        return None, f"{value!r} is not a number"
    if isinstance(value, int | float):
        return _bounded(Fraction(str(value)) * factor, value)
    if isinstance(value, str):
        text = value.strip().lstrip("'")
        if not text:
            return None, ""
        if text.startswith("="):
            return None, ""
        number = _plain_number(text.replace(",", ""))
        if number is not None:
            return _bounded(number * factor, value)
        try:
            return Fraction(parse_quantity(text).value), ""
        except QuantityError as exc:
            return None, f"{value!r} is not a number: {exc}"
    return None, f"{value!r} is not a number"


def _plain_number(text: str) -> Fraction | None:
    """``text`` as a number (``550``, ``1.5e3``, ``3/4``), or None. A number with an exponent
    is sized before it is made exact: ``1e999999999`` is too large without being built, and
    ``1e-999999999`` is rounded to 40 decimal places (as good as 0)."""
    try:
        decimal = Decimal(text)
    except ArithmeticError:
        if "e" in text.lower():
            return None
        try:
            return Fraction(text)  # a ratio, 3/4
        except (ValueError, ZeroDivisionError):
            return None
    if not decimal.is_finite():
        return None
    if decimal.adjusted() > MAX_ACTUAL_DIGITS:
        return Fraction(10 ** (MAX_ACTUAL_DIGITS + 1) * (1 if decimal > 0 else -1))
    exponent = decimal.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -40:
        decimal = decimal.quantize(Decimal("1e-40"), context=Context(prec=100))
    return Fraction(decimal)


def _bounded(number: Fraction, typed: Any) -> tuple[Fraction | None, str]:
    if abs(number) > 10**MAX_ACTUAL_DIGITS:
        return None, f"{typed!r} is too large: actuals stay within ±10^{MAX_ACTUAL_DIGITS}"
    return number, ""


def combine(typed: Iterable[TypedActual], plan: Plan | None = None) -> list[Actual]:
    """Plan-to-date actuals per KR from typed cells (see the module docstring).

    Raises
    ------
    InputError
        If two workbooks disagree on the same cell, or (with ``plan``) a KR is not in the plan.
    """
    issues: list[Issue] = []
    seen: dict[tuple[str, str, str], TypedActual] = {}
    for entry in typed:
        key = (entry.sheet, entry.kr, entry.period)
        earlier = seen.get(key)
        if earlier is not None and earlier.value != entry.value:
            issues.append(
                Issue(
                    f"{entry.tab}!{entry.cell} is {value_text(entry.value)} here but "
                    f"{value_text(earlier.value)} in {earlier.where}",
                    entry.file,
                    hint="correct one of the two copies",
                )
            )
        seen.setdefault(key, entry)
    if plan is not None:
        for entry in seen.values():
            if entry.kr not in plan.graph:
                issues.append(
                    Issue(
                        f"{entry.tab}!{entry.cell}: the KR {entry.kr} is not in this plan",
                        entry.file,
                        hint="was the workbook exported from another plan?",
                    )
                )
    if issues:
        raise InputError(issues)
    # per KR and period ("plan": the actual to date typed over its formula, or an older
    # workbook's); a KR's per-person sheets add up, then divide by the group's headcount
    sums: dict[tuple[str, str], Fraction] = {}
    heads: dict[tuple[str, str], int] = {}
    for entry in seen.values():
        kp = (entry.kr, entry.period or "plan")
        sums[kp] = sums.get(kp, Fraction(0)) + entry.value
        heads[kp] = entry.people if entry.person else 1
    return [Actual(kr, period, sums[kr, period] / max(heads[kr, period], 1)) for kr, period in sums]


def value_text(value: Fraction) -> str:
    """An actual as a message shows it: 5, or 2.5."""
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def workbook_actuals(
    paths: Sequence[str | os.PathLike[str]], plan: Plan | None = None
) -> list[Actual]:
    """The actuals typed into one or more okrplan workbooks (see :func:`combine`)."""
    typed: list[TypedActual] = []
    for path in paths:
        typed += typed_actuals(path)
    return combine(typed, plan)


def read_any_actuals(
    path: str | os.PathLike[str], plan: Plan, *, allow_stdin: bool = False
) -> tuple[list[Actual], list[Issue]]:
    """Actuals, and warnings to show, from an okrplan workbook (the actuals typed into it), or
    from a table (CSV or any other .xlsx) as :func:`okrplan.score.read_actuals` reads it."""
    name = os.fspath(path)
    workbook = name != STDIN and Path(name).suffix.lower() in WORKBOOK_SUFFIXES
    if workbook and META_TAB in sheet_names(name):
        return workbook_actuals([name], plan), []
    return read_actuals(name, plan, allow_stdin=allow_stdin)


def actuals_csv(actuals: Iterable[Actual], sources: dict[str, str] | None = None) -> str:
    """Actuals as the CSV ``okrplan score`` reads: ``kr,period,actual`` (plus ``source``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kr", "period", "actual", "source"])
    for row in actuals:
        writer.writerow(
            [row.kr, row.period, _exact(row.value), csv_text((sources or {}).get(row.kr, ""))]
        )
    return out.getvalue()


def _exact(value: Fraction) -> str:
    """A decimal that reads back as ``value`` (to 12 places where it does not terminate)."""
    if value.denominator == 1:
        return str(value.numerator)
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        from decimal import Decimal, localcontext

        with localcontext() as ctx:
            ctx.prec = 50
            text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{float(value):.12f}".rstrip("0").rstrip(".")


def edited_cells(path: str | os.PathLike[str]) -> list[str]:
    """Where a person has typed actuals into an existing sheet file (``销售部-销售岗!O4``,
    ``row 5``), or why the file is not a sheet okrplan may replace; [] for none."""
    from okrplan.present import LABELS

    name = Path(path)
    if name.suffix.lower() in WORKBOOK_SUFFIXES:
        try:
            return [f"{t.tab}!{t.cell}" for t in typed_actuals(name)]
        except InputError as exc:
            typed = [i.message.split(":", 1)[0] for i in exc.issues if "!" in i.message]
            return typed or ["not an okrplan workbook"]
    if name.suffix.lower() == ".csv":
        return _edited_rows(name, {words["actual"].casefold() for words in LABELS.values()})
    return []


def _edited_rows(path: Path, headers: set[str]) -> list[str]:
    """The rows of an okrplan sheet CSV with an actual typed in, read by the one table reader
    (any encoding Excel saves); why it is not an okrplan CSV; or [] for an empty file."""
    try:
        table = read_table(path)
    except InputError as exc:
        empty = any("empty" in issue.message for issue in exc.issues)
        return [] if empty else ["not an okrplan CSV"]
    column = next((c for c in table.columns if c in headers), None)
    if column is None:
        return ["not an okrplan CSV"]
    return [f"row {row.line}" for row in table.rows if row.get(column)]


def workbook_locale(path: str | os.PathLike[str]) -> str:
    """The language an okrplan workbook was written in (its hidden sheet says), zh-CN if it
    does not say: what a command says of the workbook is said in it."""
    try:
        wb = open_workbook(os.fspath(path), read_only=True, data_only=True)
    except Exception:  # openpyxl raises anything on a damaged file; the reader reports it
        return "zh-CN"
    try:
        if META_TAB not in wb.sheetnames:
            return "zh-CN"
        locale = wb[META_TAB].cell(row=1, column=5).value
    finally:
        wb.close()
    return "en" if isinstance(locale, str) and locale.startswith("en") else "zh-CN"
