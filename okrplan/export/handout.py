"""Per-person handouts: one printed page per person, all in one PDF (``export --per-person
--format pdf``).

A page holds what a person is handed at the start of the year: their OKR sheet in the seed
table layout (序号, 目标 (O), 目标详细描述, 关键成果 (KRs), KR权重, 目标值, 考核目标, O分值 left
blank to fill in), their targets by quarter (the quota first), their weekly activity targets
week by week and their monthly ones month by month, and lines to sign. The pages are HTML
printed by one headless Chromium (:mod:`okrplan.export.handout_print`), typeset in Noto Sans CJK.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from okrplan import queries
from okrplan.errors import Issue, OptionError, OutputError
from okrplan.export.handout_print import page_count, page_texts, print_pdf, split_pages
from okrplan.export.sheetmodel import (
    Sheet,
    SheetBook,
    SheetRow,
    drop_bidi_controls,
    header_text,
    quarter_of,
    shown_cells,
    week_month,
)
from okrplan.model import KeyResult
from okrplan.numbers import money_scale
from okrplan.periods import fiscal_start
from okrplan.plan import Plan
from okrplan.present import group_title, label, sheet_title, weight_text

#: How much smaller an overflowing page is drawn on each try, and how many tries.
SHRINK, SHRINK_TRIES = 0.88, 5
#: The words of a handout page that no other output has.
WORDS = {
    "zh": {
        "file": "个人OKR",
        "by_period": "分期目标",
        "weekly": "每周活动目标",
        "monthly": "每月目标",
        "whole": "全期",
        "signed": "本人签字",
        "manager": "上级签字",
        "date": "日期",
        "page": "第 {n} 页，共 {total} 页",
    },
    "en": {
        "file": "handouts",
        "by_period": "Targets by period",
        "weekly": "Weekly activity targets",
        "monthly": "Monthly targets",
        "whole": "Whole period",
        "signed": "Signed",
        "manager": "Manager",
        "date": "Date",
        "page": "page {n} of {total}",
    },
}
_OKR_KEYS = ("no", "objective", "detail", "kr", "weight", "target", "scored", "o_score")
_CSS = """
@page { size: A4; margin: 11mm 11mm 10mm 11mm; }
* { box-sizing: border-box; }
body { margin: 0; font: 8.6pt/1.32 "Noto Sans CJK SC", "Noto Sans", "Source Han Sans SC",
  sans-serif; color: #111; }
section { break-after: page; }
section:last-child { break-after: auto; }
h1 { font-size: 14pt; margin: 0 0 1mm; }
h2 { font-size: 9.6pt; margin: 3.2mm 0 1.2mm; }
.facts { color: #333; margin: 0 0 2mm; }
table { border-collapse: collapse; width: 100%; break-inside: avoid; }
th, td { border: 0.6pt solid #777; padding: 0.7mm 1.2mm; vertical-align: top; }
th { background: #e8ecf1; font-weight: 700; text-align: center; white-space: nowrap; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.c { text-align: center; }
tr.total td { font-weight: 700; background: #f4f6f8; }
.okr td.o { width: 15%; } .okr td.d { width: 15%; } .okr td.k { width: 31%; }
.weeks td, .weeks th { padding: 0.5mm 0.6mm; }
.weeks th.q { text-align: left; }
.rule { color: #444; font-size: 7.2pt; margin-top: 1.5mm; }
.sign { display: flex; gap: 8mm; margin-top: 5mm; }
.sign div { flex: 1; border-bottom: 0.6pt solid #333; padding-bottom: 5mm; }
.foot { color: #666; font-size: 7pt; text-align: right; margin-top: 2mm; }
"""


@dataclass(frozen=True, slots=True)
class Handouts:
    """The handouts of a plan: the one PDF, and the people on its pages, in order."""

    pdf: bytes
    people: tuple[Sheet, ...]


def _words(locale: str) -> dict[str, str]:
    return WORDS["en" if locale.startswith("en") else "zh"]


def _e(text: object) -> str:
    return html.escape(drop_bidi_controls(str(text)))


def person_sheets(plan: Plan, unit: str | None = None, role: str | None = None) -> SheetBook:
    """The book of per-person sheets (everyone's, or of ``unit`` and below, or of ``role``),
    holding only the sheets of single people, in tree order."""
    from dataclasses import replace

    from okrplan.export.sheets import build_book

    book = build_book(plan, per_person=True, unit=unit, role=role)
    return replace(book, sheets=tuple(s for s in book.sheets if s.kind == "person"))


def _okr_table(sheet: Sheet, book: SheetBook, shown: list[dict[str, str]]) -> str:
    locale = book.locale
    head = "".join(f"<th>{_e(header_text(k, locale))}</th>" for k in _OKR_KEYS)
    rows = []
    for row, cells in zip(sheet.rows, shown, strict=True):
        out = []
        if row.first:
            span = f' rowspan="{row.span}"' if row.span > 1 else ""
            out += [
                f'<td class="c"{span}>{row.objective}</td>',
                f'<td class="o"{span}>{_e(row.objective_name)}</td>',
                f'<td class="d"{span}>{_e(row.detail)}</td>',
            ]
        out += [
            f'<td class="k">{_e(row.text)}</td>',
            f'<td class="n">{_e(weight_text(row.weight))}</td>',
            f'<td class="n">{_e(cells["target"])}</td>',
            f'<td class="n">{_e(cells["scored"])}</td>',
        ]
        if row.first:
            span = f' rowspan="{row.span}"' if row.span > 1 else ""
            out.append(f"<td{span}></td>")  # O分值: filled in at review
        rows.append("<tr>" + "".join(out) + "</tr>")
    total = sum(r.weight or 0 for r in sheet.rows)
    rows.append(
        f'<tr class="total"><td colspan="3"></td><td>{_e(label(locale, "sheet_total"))}</td>'
        f'<td class="n">{total}%</td><td colspan="3"></td></tr>'
    )
    return f'<table class="okr"><tr>{head}</tr>{"".join(rows)}</table>'


def _money_cells(picked: list[SheetRow], book: SheetBook) -> dict[str, list[str]]:
    """The money rows' period cells and whole, in one unit, the periods adding up to it."""
    money = [r for r in picked if r.number == "money"]
    scale = money_scale(
        [v * r.scale for r in money for v in (*r.periods, r.scored) if v is not None],
        book.locale,
        book.step,
    )
    out = {}
    for row in money:
        parts = scale.parts([None if v is None else v * row.scale for v in row.periods])
        whole = sum((p for p in parts if p is not None), Decimal(0))
        out[row.kr] = [
            *("" if p is None else book.numbers.money(p, scale) for p in parts),
            book.numbers.money(whole, scale),
        ]
    return out


def _period_table(sheet: Sheet, book: SheetBook, shown: list[dict[str, str]]) -> str:
    """The KRs that have a target per period, money (the quota) first, one column a period
    and the whole period last."""
    words = _words(book.locale)
    picked = [
        (row, cells)
        for row, cells in zip(sheet.rows, shown, strict=True)
        if any(v is not None for v in row.periods)
    ]
    if not picked:
        return ""
    picked.sort(key=lambda pair: pair[0].number != "money")  # stable: sheet order otherwise
    money = _money_cells([row for row, _ in picked], book)
    head = (
        f"<th>{_e(label(book.locale, 'krs'))}</th>"
        + "".join(f'<th class="n">{_e(p)}</th>' for p in book.periods)
        + f'<th class="n">{_e(words["whole"])}</th>'
    )
    body = "".join(
        f"<tr><td>{_e(row.text)}</td>"
        + "".join(
            f'<td class="n">{_e(text)}</td>'
            for text in money.get(
                row.kr, [*(cells[f"period:{p}"] for p in book.periods), cells["scored"]]
            )
        )
        + "</tr>"
        for row, cells in picked
    )
    return f"<h2>{_e(words['by_period'])}</h2><table><tr>{head}</tr>{body}</table>"


def _kr_of(plan: Plan, row: SheetRow) -> KeyResult | None:
    try:
        return queries.key_result(plan.graph, row.kr)
    except (KeyError, TypeError):
        return None


def _weekly_table(plan: Plan, sheet: Sheet, book: SheetBook) -> str:
    """Every weekly KR week by week: a block of rows per quarter, its weeks across."""
    weekly = [
        (row, kr)
        for row in sheet.rows
        if row.kind == "derived"
        and (kr := _kr_of(plan, row)) is not None
        and any("-W" in p for p in kr.periods)
    ]
    if not weekly:
        return ""
    numbers, start = book.numbers, fiscal_start(plan.meta)
    months = [str(m) for m in plan.meta.get("months", [])]
    quarters: dict[str, list[str]] = {}
    for week in sorted({p for _, kr in weekly for p in kr.periods if "-W" in p}):
        month = week_month(week)
        if months:  # a week the plan starts or ends in counts in the plan's first/last month
            month = min(max(month, months[0]), months[-1])
        quarters.setdefault(quarter_of(month, start), []).append(week)
    width = max(len(weeks) for weeks in quarters.values())
    rows = []
    for quarter, weeks in quarters.items():
        pad = "<td></td>" * (width - len(weeks))
        rows.append(
            f'<tr><th class="q">{_e(quarter)}</th>'
            + "".join(f'<th class="n">{_e(w.split("-", 1)[1])}</th>' for w in weeks)
            + "<th></th>" * (width - len(weeks))
            + "</tr>"
        )
        for row, kr in weekly:
            cells = "".join(
                f'<td class="n">{_e(numbers.count(kr.periods[w]) if w in kr.periods else "")}</td>'
                for w in weeks
            )
            rows.append(f"<tr><td>{_e(row.text)}</td>{cells}{pad}</tr>")
    title = _words(book.locale)["weekly"]
    return f'<h2>{_e(title)}</h2><table class="weeks">{"".join(rows)}</table>'


def _monthly_table(plan: Plan, sheet: Sheet, book: SheetBook) -> str:
    """Every monthly KR that is not money (money is in the table by period) month by month."""
    monthly = [
        (row, kr)
        for row in sheet.rows
        if row.kind == "derived"
        and row.number != "money"
        and (kr := _kr_of(plan, row)) is not None
        and kr.periods
        and all(len(p) == 7 and p[4] == "-" and p[5:].isdigit() for p in kr.periods)
    ]
    if not monthly:
        return ""
    numbers = book.numbers
    months = sorted({p for _, kr in monthly for p in kr.periods})
    # The year on the first month and on each January: 2026-02, 03, …, 12, 2027-01.
    head = "<th></th>" + "".join(
        f'<th class="n">{_e(m if n == 0 or m.endswith("-01") else m[5:])}</th>'
        for n, m in enumerate(months)
    )
    body = "".join(
        f"<tr><td>{_e(row.text)}</td>"
        + "".join(
            f'<td class="n">{_e(numbers.count(kr.periods[m]) if m in kr.periods else "")}</td>'
            for m in months
        )
        + "</tr>"
        for row, kr in monthly
    )
    title = _words(book.locale)["monthly"]
    return f'<h2>{_e(title)}</h2><table class="weeks"><tr>{head}</tr>{body}</table>'


def _heading(plan: Plan, sheet: Sheet, locale: str) -> tuple[str, list[str]]:
    """``张三 OKR计划表`` and the facts under it, the group as a person reads it
    (``销售岗 · 新招``, not its key ``销售岗 (招聘)``) and the name not said twice."""
    if sheet.person is None:
        return sheet.title, list(sheet.facts)
    try:
        group = queries.role(plan.graph, sheet.owner)
    except (KeyError, TypeError):
        return sheet.title, list(sheet.facts)
    facts = [
        group_title(group, locale) if fact == sheet.role else fact
        for fact in sheet.facts
        if fact != sheet.person
    ]
    return sheet_title(sheet.person, locale), facts


def page_html(
    plan: Plan, sheet: Sheet, book: SheetBook, number: int, total: int, zoom: float = 1.0
) -> str:
    """One person's page (a ``<section>``), drawn at ``zoom`` (below 1 when it would not fit
    on the page at full size)."""
    words = _words(book.locale)
    shown = shown_cells(sheet, book)
    sign = "".join(f"<div>{_e(words[k])}</div>" for k in ("signed", "manager", "date"))
    title, facts = _heading(plan, sheet, book.locale)
    return (
        ("<section>" if zoom == 1 else f'<section style="zoom: {zoom:.3f}">')
        + f"<h1>{_e(title)}</h1>"
        f'<p class="facts">{_e(" · ".join(facts))}</p>'
        + _okr_table(sheet, book, shown)
        + f'<p class="rule">{_e(label(book.locale, "score_rule"))}</p>'
        + _period_table(sheet, book, shown)
        + _weekly_table(plan, sheet, book)
        + _monthly_table(plan, sheet, book)
        + f'<div class="sign">{sign}</div>'
        + f'<p class="foot">{_e(book.name)} · '
        + f"{_e(words['page'].format(n=number, total=total))}</p>"
        + "</section>"
    )


def handouts_html(plan: Plan, book: SheetBook, zooms: Mapping[int, float] | None = None) -> str:
    """The whole document: a page per sheet of ``book`` (page ``n`` at ``zooms[n]``)."""
    lang = "en" if book.locale.startswith("en") else "zh-CN"
    total, zooms = len(book.sheets), zooms or {}
    pages = "".join(
        page_html(plan, sheet, book, n, total, zooms.get(n, 1.0))
        for n, sheet in enumerate(book.sheets, start=1)
    )
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        # static pages: nothing to run or fetch
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{_e(book.name)}</title><style>{_CSS}</style></head>"
        f"<body>{pages}</body></html>"
    )


def handouts(plan: Plan, unit: str | None = None, role: str | None = None) -> Handouts:
    """Every person's page printed into one PDF.

    Raises
    ------
    OptionError
        If the plan (or ``unit``/``role``) has no person to hand a page to.
    MissingDependencyError
        If Chromium is not installed.
    """
    book = person_sheets(plan, unit, role)
    if not book.sheets:
        raise OptionError(
            [
                Issue(
                    "no person has key results here: there is no handout to print",
                    hint="export a unit or role with people (--unit, --role)",
                )
            ]
        )
    # A page too long for the paper runs onto a second one: print again with those people's
    # pages drawn smaller (each try one more browser launch; a page that fits is not redrawn).
    people, zooms = len(book.sheets), dict[int, float]()
    for _ in range(SHRINK_TRIES):
        pdf = print_pdf(handouts_html(plan, book, zooms))
        if page_count(pdf) == people:
            break
        for number in overflowed(pdf, people, _words(book.locale)["page"]):
            zooms[number] = zooms.get(number, 1.0) * SHRINK
    return Handouts(pdf, book.sheets)


def overflowed(pdf: bytes, people: int, footer: str) -> list[int]:
    """The page numbers (1 = the first person) whose page ran over: their footer (``第 n 页，
    共 N 页``) is not on the page after the previous one's. Everyone's without poppler's
    ``pdftotext`` to read the footers."""
    pages = page_texts(pdf)
    if pages is None:
        return list(range(1, people + 1))
    escaped = re.escape(footer).replace(r"\ ", r"\s*")  # pdftotext may drop the spaces
    pattern = re.compile(escaped.replace(r"\{n\}", r"(\d+)").replace(r"\{total\}", str(people)))
    out, previous = [], 0
    for index, text in enumerate(pages, start=1):
        found = pattern.search(text)
        if found:
            number = int(found.group(1))
            if index - previous > 1:
                out.append(number)
            previous = index
    return out


def handout_files(
    plan: Plan,
    *,
    unit: str | None = None,
    role: str | None = None,
    each: bool = False,
) -> dict[str, bytes]:
    """The handout files by name: ``<plan>-个人OKR.pdf`` (``-handouts.pdf`` in English), and
    with ``each`` a PDF per person named like their sheet files.

    Raises
    ------
    OutputError
        If the printed PDF does not have a page per person (a page overflowed).
    """
    from okrplan.export.sheets import build_book

    printed = handouts(plan, unit, role)
    pages = page_count(printed.pdf)
    if pages != len(printed.people):
        raise OutputError(
            f"the handouts printed on {pages} pages for {len(printed.people)} people: "
            "a page overflowed (shorten the key results' texts)"
        )
    stem = build_book(plan, rows=False, unit=unit, role=role).file_stem
    files = {f"{stem}-{_words(plan.locale)['file']}.pdf": printed.pdf}
    if each:
        for sheet, page in zip(printed.people, split_pages(printed.pdf), strict=True):
            files[f"{sheet.file_stem}.pdf"] = page
    return files


def export_handouts(
    plan: Plan,
    directory: str | os.PathLike[str],
    *,
    unit: str | None = None,
    role: str | None = None,
    each: bool = False,
    force: bool = False,
) -> list[Path]:
    """Write the handouts into ``directory`` like the sheets (atomically, the manifest last,
    never over a file okrplan did not write).

    Raises
    ------
    OutputError
        Naming every file that would be lost, or if the folder cannot be written.
    """
    from okrplan.export.export_dir import write_export

    files = handout_files(plan, unit=unit, role=role, each=each)
    return write_export(directory, files, force=force)


def person_names(book: SheetBook) -> Sequence[str]:
    """The people of a handout book, in page order."""
    return [s.person or s.title for s in book.sheets]
