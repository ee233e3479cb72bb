"""The OKR sheet as values: rows, sheets and the book, their columns, and cell text.

:mod:`okrplan.export.sheets` builds a :class:`SheetBook` from a plan; the text renderings
(:mod:`okrplan.export.sheetfiles`) and the workbook (:mod:`okrplan.export.xlsx`) read it. All
of them import this module and none of them another, so a sheet's layout is defined once.

Numbers on a sheet are in *sheet units*: money in 万 for ``zh-CN`` plans (in the currency's
units for ``en``), counts as counts, percents as fractions. Each row carries its ``scale``
(base units per sheet unit) so actuals typed on a sheet read back exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from okrplan.choices import SHEET_FORMATS
from okrplan.numbers import DEFAULT_STEP, Numbers, money_scale
from okrplan.periods import fiscal_start, parse_month, quarter_label
from okrplan.present import label

from .xlsx_periods import NO_PERIODS, RowPeriods

__all__ = [
    "INDEX_FILE",
    "META_TAB",
    "SHEET_FORMATS",
    "Listed",
    "Outline",
    "Sheet",
    "SheetBook",
    "SheetRow",
    "columns",
    "csv_text",
    "drop_bidi_controls",
    "fiscal_start",
    "header_text",
    "md_cell",
    "money_unit",
    "number_text",
    "quarter_of",
    "shown_cells",
    "table_keys",
    "week_month",
]

INDEX_FILE = "index.md"
META_TAB = "_okrplan"  # the hidden sheet listing the workbook's sheets for reading back


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One key result on a sheet, with its objective's cells on the objective's first row."""

    objective: int  # 序号
    objective_id: str
    objective_name: str
    detail: str
    objective_weight: int
    first: bool  # the objective's first KR row (its cells are merged over ``span`` rows)
    span: int
    kr: str  # the KR's node id
    text: str  # 关键成果 as shown
    kind: str  # derived | manual | staffing | deduction
    weight: int | None  # integer percent
    target: Decimal | None  # the headline target, in sheet units
    target_text: str  # the headline as a planner reads it: 71 个/周
    unit: str
    per: str  # the period one target value covers, in words
    scored: Decimal | None  # what a plan-to-date actual is scored against; points per case
    periods: tuple[Decimal | None, ...]  # per column of SheetBook.periods
    decrease: bool
    number: str  # money | count | percent | points
    scale: Decimal  # base units per sheet unit
    rollup: tuple[tuple[str, str, int], ...] = ()  # (sheet key, KR id, factor) feeding this KR
    actuals: RowPeriods = NO_PERIODS  # the workbook's actual cells per period (xlsx_periods)


@dataclass(frozen=True, slots=True)
class Sheet:
    """The OKR sheet of one unit, role group (per person) or named person."""

    key: str  # unique in the book: the owner id, plus "@n" for a person
    owner: str
    kind: str  # unit | role | person
    title: str  # 销售岗OKR计划表
    facts: tuple[str, ...]
    path: tuple[str, ...]  # unit names from the root
    role: str | None  # the role group's label
    role_name: str | None
    person: str | None
    people: int  # how many people the sheet's numbers are per person for (1 for a person)
    quota: Decimal | None  # the unit's target or the group's total quota, base units
    per_person: Decimal | None
    objectives: tuple[tuple[str, int], ...]  # (name, share)
    rows: tuple[SheetRow, ...]
    tab: str = ""  # the Excel sheet title, unique in the workbook
    file_stem: str = ""  # the csv/md file name without suffix, unique in the folder
    context: tuple[str, ...] = ()  # names a tab can be made of: the unit path, then who
    headcount: int = 1  # the owner's headcount (a person's group's)


class Listed(NamedTuple):
    """A sheet as an index lists it, without its title, facts, rows and tab (an
    :class:`Outline` holds the tabs): what a book too large for a workbook is made of (see
    :func:`okrplan.export.sheetoutline.build_outline`). The fields are :class:`Sheet`'s of the same
    names; ``least`` is how many names of ``context`` its tab takes at least (1 for a unit,
    2 for a role group or person)."""

    key: str
    kind: str
    path: tuple[str, ...]
    role: str | None
    role_name: str | None
    person: str | None
    people: int
    quota: Decimal | None
    objectives: tuple[tuple[str, int], ...]
    context: tuple[str, ...]
    least: int


@dataclass(frozen=True, slots=True)
class SheetBook:
    """Every sheet of a plan, in tree order, with what the workbook around them shows."""

    name: str
    period: str
    locale: str
    currency: str
    facts: tuple[str, ...]
    periods: tuple[str, ...]  # the per-period columns: quarters, months or ISO weeks
    sheets: tuple[Sheet, ...]
    summary_tab: str
    file_stem: str  # the workbook's file name without .xlsx
    step: Decimal = DEFAULT_STEP  # the plan's money rounding step (base units)
    months: tuple[str, ...] = ()  # the plan's months: the workbook's actual columns per period

    @property
    def numbers(self) -> Numbers:
        """The plan's formatter (:mod:`okrplan.numbers`)."""
        return Numbers(self.locale, self.currency, self.step)


class Outline(NamedTuple):
    """A book listed for its index alone: the book (its ``sheets`` empty), each sheet as
    :class:`Listed`, and each one's tab (apart: a tab is known once every sheet is listed)."""

    book: SheetBook
    sheets: list[Listed]
    tabs: list[str]


# ---------------------------------------------------------------------------------------------
# Columns


def columns(book: SheetBook) -> tuple[str, ...]:
    """Column keys of a sheet, in order (``period:2015-Q1`` for each period column)."""
    return (
        "no",
        "objective",
        "detail",
        "kr",
        "weight",
        "o_score",
        "target",
        "unit",
        "per",
        "scored",
        *(f"period:{p}" for p in book.periods),
        "actual",
        "score",
        "kr_id",
    )


_HEADER_LABELS = {
    "no": "no",
    "objective": "objective_o",
    "detail": "detail",
    "kr": "krs",
    "weight": "kr_weight",
    "o_score": "o_score",
    "target": "target",
    "unit": "unit_col",
    "per": "per",
    "scored": "scored_target",
    "actual": "actual",
    "score": "score",
    "kr_id": "kr_id",
}


def header_text(key: str, locale: str) -> str:
    """The header of a column in the plan's language."""
    if key.startswith("period:"):
        return key.split(":", 1)[1]
    return label(locale, _HEADER_LABELS[key])


def money_unit(locale: str, currency: str) -> str:
    """The unit money is shown in on sheets: 万元 (zh-CN, CNY), 万USD, or the currency code."""
    if locale.startswith("en"):
        return currency or "CNY"
    return "万元" if currency in ("", "CNY", "RMB") else f"万{currency}"


def quarter_of(month: str, fiscal_start: int = 1) -> str:
    """The quarter a month label is in (a fiscal quarter for a year starting in another month).

    >>> quarter_of("2015-11"), quarter_of("2026-02", 2)
    ('2015-Q4', 'FY2027-Q1')
    """
    return quarter_label(parse_month(month), fiscal_start)


def week_month(week: str) -> str:
    """The month an ISO week is counted in: that of its Thursday (ISO's rule).

    >>> week_month("2015-W01"), week_month("2015-W53")
    ('2015-01', '2015-12')
    """
    year, number = week.split("-W")
    thursday = date.fromisocalendar(int(year), int(number), 4)
    return f"{thursday.year:04d}-{thursday.month:02d}"


# ---------------------------------------------------------------------------------------------
# Cell text


def plain_number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 522.5, 100, 0.05."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def percent_text(value: Decimal) -> str:
    """A fraction as a percent: ``0.125`` → ``12.5%``."""
    return f"{plain_number(value * 100)}%"


def number_text(value: Decimal | None, numeric: str = "count") -> str:
    """A sheet number as plain text: ``522.5``, ``100%`` for a percent."""
    if value is None:
        return ""
    return percent_text(value) if numeric == "percent" else plain_number(value)


def shown_cells(sheet: Sheet, book: SheetBook) -> list[dict[str, str]]:
    """The target, scored-against and period cells of each row as a planner reads them (the
    Markdown sheet and the report): amounts through the plan's formatter, one unit per column
    (targets with the scored-against values, and the period columns), counts with their unit.
    """
    numbers, locale = book.numbers, book.locale
    money_rows = [r for r in sheet.rows if r.number == "money"]
    main = money_scale(
        [v * r.scale for r in money_rows for v in (r.target, r.scored) if v is not None],
        locale,
        numbers.step,
    )
    per_period = money_scale(
        [v * r.scale for r in money_rows for v in r.periods if v is not None], locale, numbers.step
    )
    shown = []
    for row in sheet.rows:
        cells = {"target": row.target_text, "scored": number_text(row.scored, row.number)}
        if row.number == "money":
            for key, value in (("target", row.target), ("scored", row.scored)):
                cells[key] = "" if value is None else numbers.money(value * row.scale, main)
        elif row.number == "points":
            cells["scored"] = row.target_text
        elif row.scored is not None and row.number == "count":
            cells["scored"] = numbers.count(row.scored, row.unit)
        # Money per period rounded so that the shown periods add up to the shown total.
        parts = (
            per_period.parts([None if v is None else v * row.scale for v in row.periods])
            if row.number == "money"
            else list(row.periods)
        )
        for period, value, part in zip(book.periods, row.periods, parts, strict=True):
            cells[f"period:{period}"] = (
                ""
                if value is None or part is None
                else numbers.money(part, per_period)
                if row.number == "money"
                else number_text(value, row.number)
                if row.number == "percent"
                else numbers.count(value)
            )
        shown.append(cells)
    return shown


def csv_text(text: str) -> str:
    """Cell text that a spreadsheet will not run as a formula (CSV injection).

    >>> csv_text("=cmd|' /C calc'!A0"), csv_text("-5分"), csv_text("销售额")
    ("'=cmd|' /C calc'!A0", "'-5分", '销售额')
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def drop_bidi_controls(text: str) -> str:
    r"""``text`` without bidirectional embeddings, overrides and isolates: shown next to other
    text, an unclosed one would reverse what follows (numbers included). Joiners stay.

    >>> drop_bidi_controls("张\u200d三 \u202eevil")
    '张\u200d三 evil'
    """
    return text.translate(_BIDI_CONTROLS)


def md_cell(text: object) -> str:
    """Markdown table cell text: nothing in it can break the table or become markup, and no
    bidirectional override in it can reverse the text after it."""
    plain = str(text)
    # most text needs no change: one scan in C finds that (plan.md writes 100,000 cells)
    return plain.translate(_MD_CELL) if _MD_MARKED(plain) else plain


# md_cell's changes in one pass: line breaks to spaces, bidi controls dropped, markup escaped
_MD_CELL: dict[int, str | None] = {
    ord("\r"): " ",
    ord("\n"): " ",
    **_BIDI_CONTROLS,
    **{ord(ch): "\\" + ch for ch in "\\|<>[]*_`&~"},
}
_MD_MARKED = re.compile("[" + re.escape("".join(map(chr, _MD_CELL))) + "]").search


def table_keys(book: SheetBook) -> list[str]:
    """The columns of a sheet's table in the seed layout, as Markdown and the report show it
    (序号, 目标, 目标详细描述, 关键成果, KR权重, O分值, 目标值, 考核目标, then each period)."""
    return [
        "no",
        "objective",
        "detail",
        "kr",
        "weight",
        "o_score",
        "target",
        "scored",
        *(f"period:{p}" for p in book.periods),
    ]
