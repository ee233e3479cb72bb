"""An OKR sheet as files: CSV and Markdown per sheet, an index, and the folder of them all.

:func:`to_csv` and :func:`to_sheet_markdown` render one sheet of a
:class:`~okrplan.export.sheetmodel.SheetBook` as text, :func:`to_index_markdown` lists the
sheets, and :func:`sheet_files` makes a whole sheets folder (with the workbook of
:mod:`okrplan.export.xlsx`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from okrplan.numbers import money_scale
from okrplan.present import label, weight_text

from .sheetmodel import (
    INDEX_FILE,
    SHEET_FORMATS,
    Outline,
    Sheet,
    SheetBook,
    SheetRow,
    columns,
    csv_text,
    header_text,
    md_cell,
    number_text,
    shown_cells,
    table_keys,
)


def workbook_bytes(book: SheetBook) -> bytes:
    """The book as an .xlsx workbook (:func:`okrplan.export.xlsx.workbook_bytes`), its writer
    imported only when a workbook is made: a large plan's sheets are an index alone."""
    from .xlsx import workbook_bytes as write

    return write(book)


def _value_cells(book: SheetBook, row: SheetRow) -> dict[str, str]:
    cells = {
        "no": str(row.objective) if row.first else "",
        "objective": row.objective_name if row.first else "",
        "detail": row.detail if row.first else "",
        "kr": row.text,
        "weight": weight_text(row.weight),
        "o_score": "",
        "target": row.target_text
        if row.number == "points"
        else number_text(row.target, row.number),
        "unit": row.unit,
        "per": row.per,
        "scored": number_text(row.scored, "count" if row.number == "points" else row.number),
        "actual": "",
        "score": "",
        "kr_id": row.kr,
    }
    for period, value in zip(book.periods, row.periods, strict=True):
        cells[f"period:{period}"] = number_text(value, row.number)
    return cells


def to_csv(sheet: Sheet, book: SheetBook) -> str:
    """One sheet as CSV: UTF-8 with a byte-order mark (so Excel reads Chinese), a header row,
    one row per key result, objective cells on its first row as in the seed tables. Text that
    a spreadsheet would run as a formula is prefixed with ``'``; numbers are plain."""
    keys = columns(book)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header_text(k, book.locale) for k in keys])
    numeric = {"weight", "target", "scored", "no"} | {k for k in keys if k.startswith("period:")}
    for row in sheet.rows:
        cells = _value_cells(book, row)
        writer.writerow(
            [
                cells[k] if k in numeric and _is_number(cells[k]) else csv_text(cells[k])
                for k in keys
            ]
        )
    return "\ufeff" + out.getvalue()


def _is_number(text: str) -> bool:
    try:
        float(text.rstrip("%"))
    except ValueError:
        return False
    return True


_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def to_sheet_markdown(sheet: Sheet, book: SheetBook) -> str:
    """One sheet as Markdown: its title, facts and the seed-table layout with targets."""
    locale = book.locale
    keys = table_keys(book)
    lines = [
        f"# {md_cell(sheet.title)}",
        "",
        md_cell(" · ".join(sheet.facts)),
        "",
        "| " + " | ".join(md_cell(header_text(k, locale)) for k in keys) + " |",
        "|" + "---|" * len(keys),
    ]
    for row, shown in zip(sheet.rows, shown_cells(sheet, book), strict=True):
        cells = _value_cells(book, row) | shown
        lines.append("| " + " | ".join(md_cell(cells[k]) for k in keys) + " |")
    total = sum(r.weight or 0 for r in sheet.rows)
    lines.append(
        "| "
        + " | ".join(
            md_cell(label(locale, "sheet_total"))
            if k == "kr"
            else f"{total}%"
            if k == "weight"
            else ""
            for k in keys
        )
        + " |"
    )
    lines += ["", md_cell(label(locale, "score_rule")), ""]
    return "\n".join(lines)


def to_index_markdown(
    book: SheetBook, files: Mapping[str, Iterable[str]], note: str = "", workbook: str = ""
) -> str:
    """The sheets of a book as a Markdown table with links to each sheet's files.

    ``files`` maps a sheet key to the file names written for it; ``note`` is said first, and
    ``workbook`` (a file name) is linked.
    """
    return (
        "\n".join(
            [
                *_index_head(book, note, workbook),
                *_index_rows(book, book.sheets, [s.tab for s in book.sheets], files),
            ]
        )
        + "\n"
    )


def outline_index(outline: Outline, note: str = "") -> str:
    """The index of a book too large for its files: its ``outline`` (see
    :func:`okrplan.export.sheetoutline.build_outline`) as :func:`to_index_markdown` lists sheets,
    with no links, ``note`` said first."""
    book, rows = outline.book, _index_rows(outline.book, outline.sheets, outline.tabs, {})
    return "\n".join([*_index_head(book, note, ""), *rows, ""])  # ("": the last line's end)


def _index_head(book: SheetBook, note: str, workbook: str) -> list[str]:
    """The index's title, the book's facts, ``note``, the workbook's link and the table head."""
    locale = book.locale
    heads = [
        label(locale, k)
        for k in (
            "sheet",
            "org_unit",
            "role",
            "people",
            "headcount",
            "quota",
            "objective_weights",
            "files",
        )
    ]
    return [
        f"# {md_cell(book.name)}",
        "",
        md_cell(" · ".join(book.facts)),
        "",
        *([md_cell(note), ""] if note else []),
        *([f"[{md_cell(workbook)}](<{_link(workbook)}>)", ""] if workbook else []),
        "| " + " | ".join(heads) + " |",
        "|" + "---|" * len(heads),
    ]


class _Indexed(Protocol):
    """What the index reads of a sheet (a :class:`Sheet` or an outline's :class:`Listed`)."""

    @property
    def key(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def path(self) -> tuple[str, ...]: ...

    @property
    def role(self) -> str | None: ...

    @property
    def person(self) -> str | None: ...

    @property
    def people(self) -> int: ...

    @property
    def quota(self) -> Decimal | None: ...

    @property
    def objectives(self) -> tuple[tuple[str, int], ...]: ...


def _index_rows(
    book: SheetBook,
    sheets: Sequence[_Indexed],
    tabs: Sequence[str],
    files: Mapping[str, Iterable[str]],
) -> list[str]:
    """One table row per sheet: its tab (``tabs``, in the same order), path, role, person,
    headcount, quota, objective weights and the links to its files."""
    # the scale of the different quotas (a scale is the same for equal amounts, in any order;
    # whole ones are read in integer arithmetic, see money_scale)
    quotas = money_scale(dict.fromkeys(s.quota for s in sheets), book.locale, book.step)
    numbers = book.numbers
    # a large book repeats its paths, roles, quotas and objectives from row to row: each
    # different one is written once
    paths: dict[tuple[str, ...], str] = {}
    cells: dict[str, str] = {}
    money: dict[Decimal, str] = {}
    weights: dict[tuple[tuple[str, int], ...], str] = {}
    lines: list[str] = []
    for sheet, tab in zip(sheets, _md_cells(list(tabs)), strict=True):
        names = files.get(sheet.key) if files else None  # none for an index alone
        links = (
            " · ".join(f"[{name.rsplit('.', 1)[-1]}](<{_link(name)}>)" for name in names)
            if names
            else ""
        )
        if (path := paths.get(parts := sheet.path)) is None:
            path = paths[parts] = md_cell(" / ".join(parts))
        if (role := cells.get(name := sheet.role or "")) is None:
            role = cells[name] = md_cell(name)
        if (amount := sheet.quota) is None:
            quota = ""
        elif (quota := money.get(amount)) is None:  # type: ignore[assignment]
            quota = money[amount] = md_cell(numbers.money(amount, quotas))
        if (weight := weights.get(shares := sheet.objectives)) is None:
            weight = weights[shares] = md_cell(" · ".join(f"{n} {w}%" for n, w in shares))
        person = md_cell(sheet.person) if sheet.person else ""
        people = str(sheet.people) if sheet.kind != "unit" else ""
        lines.append(
            f"| {tab} | {path} | {role} | {person} | {people} | {quota} | {weight} | {links} |"
        )
    return lines


def _md_cells(texts: list[str]) -> list[str]:
    """:func:`md_cell` of each text, looked at all at once (nearly every tab needs no change:
    one scan in C finds that for all 19,000 of a large book)."""
    joined = "\0".join(texts)
    if md_cell(joined) == joined:  # NUL: no character md_cell changes
        return texts
    return list(map(md_cell, texts))


def _link(name: str) -> str:
    return name.replace("%", "%25").replace("#", "%23")


def sheet_files(
    book: SheetBook,
    formats: Iterable[str] = SHEET_FORMATS,
    *,
    note: str = "",
    index_only: bool = False,
) -> dict[str, str | bytes]:
    """The files of a sheets folder, by name: ``<plan>.xlsx``, and per sheet ``<name>.csv``
    and ``<name>.md`` with an ``index.md`` listing them (``note`` first); with
    ``index_only``, ``index.md`` alone (the book may have been built without rows)."""
    wanted = [f for f in SHEET_FORMATS if f in set(formats)]
    out: dict[str, str | bytes] = {}
    if index_only:
        return {INDEX_FILE: to_index_markdown(book, {}, note)}
    if "xlsx" in wanted:
        out[f"{book.file_stem}.xlsx"] = workbook_bytes(book)
    per_sheet: dict[str, list[str]] = {}
    for sheet in book.sheets:
        if "csv" in wanted:
            out[f"{sheet.file_stem}.csv"] = to_csv(sheet, book)
            per_sheet.setdefault(sheet.key, []).append(f"{sheet.file_stem}.csv")
        if "md" in wanted:
            out[f"{sheet.file_stem}.md"] = to_sheet_markdown(sheet, book)
            per_sheet.setdefault(sheet.key, []).insert(0, f"{sheet.file_stem}.md")
    if "md" in wanted:
        out[INDEX_FILE] = to_index_markdown(
            book, per_sheet, note, f"{book.file_stem}.xlsx" if "xlsx" in wanted else ""
        )
    return out
