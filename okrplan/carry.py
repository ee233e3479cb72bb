"""Actuals carried from an older okrplan workbook into a new one, cell by cell.

When ``decompose`` or ``export`` replaces a workbook a person has typed actuals into,
:func:`carry_actuals` types them into the new workbook's same sheet (by its key) and KR, in the
new row's scale, changing only those cells' XML; :func:`unplaced_text` says which had no place.
Reading the typed actuals is :mod:`okrplan.actuals`.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from okrplan.actuals import TypedActual, header_columns, value_text
from okrplan.errors import InputError, Issue
from okrplan.export.sheetmodel import META_TAB
from okrplan.export.xlsx import deterministic_archive
from okrplan.export.xlsx_grid import letter as column_letter
from okrplan.export.xlsx_periods import parse_text


def carry_actuals(typed: Sequence[TypedActual], workbook: bytes) -> tuple[bytes, list[TypedActual]]:
    """``workbook`` (a new okrplan workbook's bytes) with ``typed`` (read from an older one)
    typed into the same sheet (by its key: owner id, @n for a person) and KR; and the actuals
    that had no such row. The value in base units is put back in the new row's scale, so a
    KR whose unit changed still reads the same actual. Only the typed cells change (each a
    number now, as if typed); equal inputs give equal bytes.

    Raises
    ------
    InputError
        If ``workbook`` is not an okrplan workbook.
    """
    if not typed:
        return workbook, []
    places = _kr_places(workbook, {entry.sheet for entry in typed})
    cells: dict[str, dict[str, int | float]] = {}  # sheet part → cell → number
    unplaced: list[TypedActual] = []
    at: dict[tuple[str, str], TypedActual] = {}
    for entry in typed:
        place = places.get((entry.sheet, entry.kr))
        column = None if place is None else place.columns.get(entry.period)
        if place is None or column is None:  # no such row, or no cell for that period
            unplaced.append(entry)
            continue
        ref = f"{column_letter(column)}{place.row}"
        value = entry.value / place.scale
        cells.setdefault(place.part, {})[ref] = (
            value.numerator if value.denominator == 1 else float(value)
        )
        at[(place.part, ref)] = entry
    missing: list[tuple[str, str]] = []
    edits = {
        part: functools.partial(_type_numbers, numbers=numbers, missing=missing, part=part)
        for part, numbers in cells.items()
    }
    data = deterministic_archive(workbook, edits) if edits else workbook
    unplaced += [at[place] for place in missing]  # no such cell (not an okrplan-written file)
    return data, unplaced


_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>.*?</c>)', re.DOTALL)
_STYLE = re.compile(rb' s="[0-9]+"')


def _type_numbers(
    xml: bytes, *, numbers: dict[str, int | float], missing: list[tuple[str, str]], part: str
) -> bytes:
    """A worksheet part with the cells ``numbers`` names holding those numbers (their style
    kept, a formula or value replaced); the cells it does not have are added to ``missing``."""
    found: set[str] = set()

    def typed(match: re.Match[bytes]) -> bytes:
        ref = match.group(1).decode("ascii")
        if ref not in numbers:
            return match.group(0)
        found.add(ref)
        style = _STYLE.search(match.group(2))
        s = style.group(0) if style else b""
        return b'<c r="%s"%s t="n"><v>%s</v></c>' % (
            match.group(1),
            s,
            f"{numbers[ref]:.16g}".encode("ascii"),
        )

    out = _CELL.sub(typed, xml)
    missing += [(part, ref) for ref in sorted(numbers) if ref not in found]
    return out


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a KR's actuals go in a workbook: its sheet's XML part, its row, the column of
    each period's actual ("" for the actual to date) and its scale."""

    part: str
    row: int
    columns: dict[str, int]
    scale: Fraction


def _kr_places(workbook: bytes, keys: set[str]) -> dict[tuple[str, str], _Place]:
    """(sheet key, KR id) → :class:`_Place` in an okrplan workbook's sheets of ``keys``, read
    without loading the whole workbook (openpyxl's read-only mode)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(workbook), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises anything on a damaged file
        raise InputError([Issue(f"cannot read the new workbook: {exc}")]) from None
    try:
        if META_TAB not in wb.sheetnames:
            raise InputError([Issue(f"the new workbook has no hidden sheet {META_TAB}")])
        found: dict[tuple[str, str], _Place] = {}
        for values in wb[META_TAB].iter_rows(min_row=3, values_only=True):
            if not values or len(values) < 7 or values[0] not in wb.sheetnames:
                continue
            if str(values[1]) in keys:
                found.update(_sheet_places(wb[str(values[0])], str(values[1]), str(values[6])))
        return found
    finally:
        wb.close()


def _sheet_places(ws: Any, key: str, actual_header: str) -> dict[tuple[str, str], _Place]:
    """The :class:`_Place` of each KR on one read-only worksheet (sheet key ``key``)."""
    rows = list(enumerate(ws.iter_rows(), start=1))  # read-only rows come padded, from row 1
    header_row, (kr_col, scale_col, actual_col), months = header_columns(rows[:12], actual_header)
    found: dict[tuple[str, str], _Place] = {}
    if header_row is None:
        return found
    for number, row in rows:
        kr = row[kr_col - 1].value if number > header_row and len(row) >= kr_col else None
        if not (isinstance(kr, str) and kr.startswith("k:")):
            continue
        scale = row[scale_col - 1].value if len(row) >= scale_col else 1
        factor = (
            Fraction(str(scale))
            if isinstance(scale, int | float) and not isinstance(scale, bool) and scale
            else Fraction(1)
        )
        cols = {"": actual_col}
        if months.periods_col and len(row) >= months.periods_col:
            mapping = parse_text(str(row[months.periods_col - 1].value or ""))
            cols |= {p: months.cols[m] for m, p in mapping.items() if m in months.cols}
        found[(key, kr)] = _Place(ws._worksheet_path.lstrip("/"), number, cols, factor)
    return found


def unplaced_text(entries: Iterable[TypedActual]) -> str:
    """One line per actual that could not be carried: where it was, its KR and value."""
    return "\n".join(f"  {e.where}: {e.kr} = {value_text(e.value)}" for e in entries)
