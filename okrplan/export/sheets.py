"""Per-role OKR sheets as plain values: what each unit, role or person receives.

A sheet has the layout of the seed tables users know (序号 | 目标 (O) | 目标详细描述 |
关键成果 (KRs) | KR权重 | O分值), then the target, its unit and period, the value an actual
is scored against, the target of each period of the plan, and the actual and score columns a
person fills in.

:func:`build_book` turns a plan into a :class:`SheetBook` (pure values); :func:`to_csv` and
:func:`to_sheet_markdown` render one sheet as text, :func:`to_index_markdown` lists them, and
:mod:`okrplan.export.xlsx` writes the workbook with working score formulas.

Numbers on a sheet are in *sheet units*: money in 万 for ``zh-CN`` plans (in the currency's
units for ``en``), counts as counts, percents as fractions. Each row carries its ``scale``
(base units per sheet unit) so actuals typed on a sheet read back exactly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from okrplan.errors import InputError, Issue
from okrplan.graph import Edge, Kind, children, krs_of, objectives_of, root_of
from okrplan.plan import Plan
from okrplan.present import kr_cadence_text, label, money_text, per_text, weight_text
from okrplan.score import plan_target

from .names import (
    FILE_STEM_MAX_BYTES,
    SHEET_TITLE_MAX,
    SheetTitles,
    safe_sheet_title,
    shorten,
    unique_file_names,
)

WAN = Decimal(10_000)
SHEET_FORMATS = ("xlsx", "csv", "md")
INDEX_FILE = "index.md"
META_TAB = "_okrplan"  # the hidden sheet listing the workbook's sheets for reading back
MAX_PERSON_SHEETS = 10_000
"""Most sheets of single people in one book; beyond it a group's people share its group sheet
(and ``per_person`` is refused: export a part with ``unit`` or ``role``)."""


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


def header_text(key: str, locale: str) -> str:
    """The header of a column in the plan's language."""
    if key.startswith("period:"):
        return key.split(":", 1)[1]
    names = {
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
    return label(locale, names[key])


def money_unit(locale: str, currency: str) -> str:
    """The unit money is shown in on sheets: 万元 (zh-CN, CNY), 万USD, or the currency code."""
    if locale.startswith("en"):
        return currency or "CNY"
    return "万元" if currency in ("", "CNY", "RMB") else f"万{currency}"


# ---------------------------------------------------------------------------------------------
# Building


def build_book(
    plan: Plan,
    *,
    per_person: bool = False,
    unit: str | None = None,
    role: str | None = None,
    rows: bool = True,
    max_level: int | None = None,
) -> SheetBook:
    """The sheets of a plan: every unit's, every role group's (per person), and one per person
    where people are named (or for everyone with ``per_person``).

    ``unit`` keeps the sheets of that unit and the units and roles below it; ``role`` keeps
    only the sheets of that role. New hires get numbered placeholders (新人1, 新人2, …) when
    the sheets are per person. With ``rows=False`` the sheets are listed without their key
    results (enough for an index, and much quicker for a large organisation). ``max_level``
    leaves out the units more than that many levels below the top one (0: the top unit and
    its role groups alone), with their roles and people.

    Raises
    ------
    InputError
        If ``unit`` or ``role`` names nothing in the plan.
    """
    graph, locale = plan.graph, plan.locale
    meta = plan.meta
    currency = str(meta.get("currency", "CNY"))
    months = [str(m) for m in meta.get("months", [])] or _months_of(plan)
    periods, to_column = _period_grid(plan, months, weeks_too=rows)
    builder = _Builder(plan, locale, currency, tuple(periods), to_column, per_person)
    builder.unit, builder.role, builder.with_rows = unit, role, rows
    builder.max_level = max_level
    builder.walk(root_of(graph))
    sheets = _filter(builder.sheets, plan, unit, role)
    if rows:
        keys = {s.key for s in sheets}
        sheets = [
            replace(
                s,
                rows=tuple(
                    r if all(k in keys for k, _, _ in r.rollup) else replace(r, rollup=())
                    for r in s.rows
                ),
            )
            for s in sheets
        ]
    summary = label(locale, "summary")
    titles = SheetTitles(reserved=[summary, META_TAB])
    stems = unique_file_names(
        [s.file_stem for s in sheets], "", reserved=[INDEX_FILE.rsplit(".", 1)[0]]
    )
    tabs = _tabs([s.context for s in sheets], [1 if s.kind == "unit" else 2 for s in sheets])
    sheets = [
        replace(s, tab=titles.take(tab), file_stem=stem)
        for s, tab, stem in zip(sheets, tabs, stems, strict=True)
    ]
    kpi = meta.get("kpi", {})
    base = plan.metrics.get(kpi.get("base", ""), {})
    status = str(plan.solver.get("status", ""))
    status_text = (
        label(locale, f"status_{status}") if status in ("optimal", "infeasible") else status
    )
    facts = (
        f"{label(locale, 'period')} {meta.get('period', '')}",
        f"{label(locale, 'kpi')} {base.get('name', kpi.get('base', ''))} "
        f"{money_text(kpi.get('target', 0), locale)}",
        f"{label(locale, 'status')}: {status_text}",
    )
    stem = "-".join([str(meta.get("name", "")) or "okr", *(x for x in (unit, role) if x)])
    return SheetBook(
        str(meta.get("name", "")),
        str(meta.get("period", "")),
        locale,
        currency,
        facts,
        tuple(periods),
        tuple(sheets),
        summary,
        unique_file_names([stem], "")[0],
    )


class _Builder:
    def __init__(
        self,
        plan: Plan,
        locale: str,
        currency: str,
        periods: tuple[str, ...],
        to_column: Mapping[str, str],
        per_person: bool,
    ) -> None:
        self.plan, self.graph, self.locale = plan, plan.graph, locale
        self.currency, self.periods, self.to_column = currency, periods, to_column
        self.per_person = per_person
        self.unit: str | None = None  # the filters of build_book: no person sheets outside them
        self.role: str | None = None
        self.person_sheets = 0
        self.with_rows = True  # False: sheets without their rows (see build_book)
        self.max_level: int | None = None  # deeper units are left out (see build_book)
        self.sheets: list[Sheet] = []
        self.keys_of: dict[str, list[str]] = {}  # owner → its sheets' keys

    def walk(self, unit_id: str, level: int = 0) -> None:
        graph = self.graph
        if self.max_level is not None and level > self.max_level:
            return
        self.add_unit(unit_id)
        roles = [c for c in children(graph, unit_id) if graph.nodes[c]["kind"] == Kind.ROLE]
        named = {graph.nodes[r]["name"] for r in roles if graph.nodes[r].get("people")}
        counters: dict[tuple[str, bool], int] = {}
        for rid in roles:
            self.add_role(rid, named, counters)
        for child in children(graph, unit_id):
            if graph.nodes[child]["kind"] == Kind.UNIT:
                self.walk(child, level + 1)
        if self.with_rows and unit_id == root_of(graph):
            self.link_rollups()

    # -- sheets ---------------------------------------------------------------------------------

    def add_unit(self, uid: str) -> None:
        data, locale = self.graph.nodes[uid], self.locale
        rows = self.rows(uid)
        if not rows:
            return
        rows = rows if self.with_rows else []
        path = tuple(data.get("path", [data["name"]]))
        facts = [" / ".join(path)]
        if data.get("lead"):
            facts.append(f"{label(locale, 'lead')} {data['lead']}")
        if data.get("target") is not None:
            facts.append(f"{label(locale, 'quota')} {money_text(data['target'], locale)}")
        if data.get("assigned") is not None:
            facts.append(f"{label(locale, 'assigned')} {money_text(data['assigned'], locale)}")
        facts.append(f"{label(locale, 'period')} {self.plan.meta.get('period', '')}")
        name = data["lead"] if data.get("level") == "company" and data.get("lead") else data["name"]
        self.add(
            Sheet(
                uid,
                uid,
                "unit",
                label(locale, "sheet_title").format(name=name),
                tuple(facts),
                path,
                None,
                None,
                None,
                1,
                _dec(data.get("target")),
                None,
                self.objectives(uid),
                tuple(rows),
                "",
                _stem(path[1:]) or path[0],
                path,
            )
        )

    def add_role(self, rid: str, named: set[str], counters: dict[tuple[str, bool], int]) -> None:
        data, locale = self.graph.nodes[rid], self.locale
        rows = self.rows(rid)
        if not rows:
            return
        rows = rows if self.with_rows else []
        path = tuple(data.get("path", []))
        group = str(data.get("label", data["name"]))
        heads = int(data.get("headcount", 1) or 0)
        if heads <= 0:  # a hiring group the plan did not need: nobody to give a sheet
            return
        people = [str(p) for p in data.get("people") or []]
        hires = bool(data.get("new_hires"))
        numbered = not people and (self.per_person or (hires and data["name"] in named))
        if numbered:
            key = (data["name"], hires)
            start = counters.get(key, 0)
            counters[key] = start + heads
        if (numbered or people) and not self.person_sheets_for(path, group, data["name"], heads):
            numbered, people = False, []
        if numbered:
            people = [
                label(locale, "new_hire_n").format(n=start + i + 1)
                if hires
                else label(locale, "person_n").format(role=data["name"], n=start + i + 1)
                for i in range(heads)
            ]
        quota = _dec(data.get("quota"))
        each = _dec(data.get("per_person"))
        base = [" / ".join(path)]
        ramp = self.ramp_text(data)
        if not people:
            facts = [
                *base,
                f"{group} × {heads}" + _paren(label(locale, "per_person_sheet"), locale),
            ]
            if each is not None:
                facts.append(
                    f"{label(locale, 'quota')} {money_text(each, locale)}"
                    + _paren(label(locale, "per_person"), locale)
                )
            if ramp:
                facts.append(ramp)
            facts.append(f"{label(locale, 'period')} {self.plan.meta.get('period', '')}")
            self.add(
                Sheet(
                    rid,
                    rid,
                    "role",
                    label(locale, "sheet_title").format(name=group),
                    tuple(facts),
                    path,
                    group,
                    data["name"],
                    None,
                    heads,
                    quota,
                    each,
                    self.objectives(rid),
                    tuple(rows),
                    "",
                    _stem((*path[1:], group)),
                    (*path, group),
                    heads,
                )
            )
            return
        for index, person in enumerate(people, start=1):
            facts = [*base, group, person]
            if each is not None:
                facts.append(f"{label(locale, 'quota')} {money_text(each, locale)}")
            if ramp:
                facts.append(ramp)
            facts.append(f"{label(locale, 'period')} {self.plan.meta.get('period', '')}")
            who = person + _paren(group, locale)
            self.add(
                Sheet(
                    f"{rid}@{index}",
                    rid,
                    "person",
                    label(locale, "sheet_title").format(name=who),
                    tuple(facts),
                    path,
                    group,
                    data["name"],
                    person,
                    1,
                    each,
                    each,
                    self.objectives(rid),
                    tuple(rows),
                    "",
                    _stem((*path[1:], group, person)),
                    (*path, person),
                    heads,
                )
            )

    def person_sheets_for(self, path: tuple[str, ...], group: str, name: str, count: int) -> bool:
        """Whether a group's ``count`` people get a sheet each: not where build_book's filters
        drop them anyway, nor past :data:`MAX_PERSON_SHEETS` (refused for ``per_person``)."""
        if self.role is not None and self.role not in (group, name):
            return False
        if self.unit is not None:
            wanted = self.unit.strip().strip("/")
            if not any(
                path[n - 1] == wanted
                or "/".join(path[:n]) == wanted
                or "/".join(path[:n]).endswith("/" + wanted)
                for n in range(1, len(path) + 1)
            ):
                return False
        self.person_sheets += count
        if self.person_sheets <= MAX_PERSON_SHEETS:
            return True
        if self.per_person:
            raise InputError(
                [
                    Issue(
                        f"a sheet per person would make more than {MAX_PERSON_SHEETS:,} sheets",
                        hint="export one unit or role at a time (--unit, --role)",
                    )
                ]
            )
        self.person_sheets -= count
        return False

    def add(self, sheet: Sheet) -> None:
        self.sheets.append(sheet)
        self.keys_of.setdefault(sheet.owner, []).append(sheet.key)

    def ramp_text(self, data: dict[str, Any]) -> str:
        ramp = [Decimal(str(r)) for r in data.get("ramp") or []]
        if not ramp or all(r == 1 for r in ramp):
            return ""
        months = [str(m) for m in self.plan.meta.get("months", [])]
        firsts: dict[str, Decimal] = {}
        for month, value in zip(months, ramp, strict=False):
            firsts.setdefault(self.to_column.get(month, month), value)
        steps = "/".join(_percent_text(v) for v in firsts.values())
        return f"{label(self.locale, 'ramp')} {steps}"

    def objectives(self, owner: str) -> tuple[tuple[str, int], ...]:
        graph = self.graph
        return tuple(
            (str(graph.nodes[o]["name"]), int(graph.nodes[o].get("weight") or 0))
            for o in objectives_of(graph, owner)
        )

    # -- rows -----------------------------------------------------------------------------------

    def rows(self, owner: str) -> list[SheetRow]:
        graph, out = self.graph, []
        if not self.with_rows:  # only whether there are any: a stand-in row for each
            return [_NO_ROW for oid in objectives_of(graph, owner) if krs_of(graph, oid)][:1]
        for number, oid in enumerate(objectives_of(graph, owner), start=1):
            objective = graph.nodes[oid]
            kids = krs_of(graph, oid)
            for index, kid in enumerate(kids):
                out.append(self.row(number, oid, objective, index == 0, len(kids), kid))
        return out

    def row(
        self, number: int, oid: str, objective: dict[str, Any], first: bool, span: int, kid: str
    ) -> SheetRow:
        kr, locale = self.graph.nodes[kid], self.locale
        kind = str(kr.get("kr_kind") or ("derived" if kr.get("metric") else "manual"))
        if kind == "deduction":
            numeric = "points"
        elif kr.get("target_kind") == "percent":
            numeric = "percent"
        elif kr.get("money"):
            numeric = "money"
        else:
            numeric = "count"
        scale = WAN if numeric == "money" and not locale.startswith("en") else Decimal(1)
        if numeric == "money":
            unit = money_unit(locale, self.currency)
        elif kind == "staffing":
            unit = label(locale, "people_unit")
        elif numeric == "count":
            unit = str(kr.get("unit") or "")
        elif numeric == "points":
            unit = label(locale, "points_unit")
        else:
            unit = ""
        text = str(kr["name"])
        scored: Decimal | None
        target: Decimal | None
        if kind == "deduction":
            text = label(locale, "deduction_kr").format(text=text)
            scored = _dec(kr.get("deduction"))
            target = None
        else:
            goal = plan_target(kr)
            scored = None if goal is None else _frac_dec(goal) / scale
            target = None if kr.get("target") is None else _dec(kr["target"]) / scale
        sums: dict[str, Decimal] = {}
        for period, value in (kr.get("periods") or {}).items():
            column = self.to_column.get(str(period))
            if column is not None and value is not None:
                sums[column] = sums.get(column, Decimal(0)) + _dec(value) / scale
        return SheetRow(
            number,
            oid,
            str(objective["name"]),
            str(objective.get("detail") or ""),
            int(objective.get("weight") or 0),
            first,
            span,
            kid,
            text,
            kind,
            None if kr.get("weight") is None or kind == "deduction" else int(kr["weight"]),
            target,
            kr_cadence_text(kr, locale),
            unit,
            per_text(str(kr.get("per") or "plan"), locale),
            scored,
            tuple(sums.get(p) for p in self.periods),
            kr.get("direction") == "decrease",
            numeric,
            scale,
        )

    # -- roll-ups -------------------------------------------------------------------------------

    def link_rollups(self) -> None:
        """A unit KR's actual defaults to the sum of the actuals aligned to it (as in scoring):
        a role group's per-person actual × headcount, each person's actual once."""
        graph = self.graph
        out = []
        for sheet in self.sheets:
            if sheet.kind != "unit":
                out.append(sheet)
                continue
            rows = []
            for row in sheet.rows:
                sources: list[tuple[str, str, int]] = []
                complete = True
                for child in graph.predecessors(row.kr):
                    if graph.edges[child, row.kr]["kind"] != Edge.ALIGNS:
                        continue
                    owner = str(graph.nodes[child]["owner"])
                    keys = self.keys_of.get(owner, [])
                    data = graph.nodes[owner]
                    if not keys:
                        complete = (
                            complete and data["kind"] == Kind.ROLE and not data.get("headcount")
                        )
                        continue
                    for key in keys:
                        person = "@" in key[len(owner) :]
                        factor = (
                            1
                            if person or data["kind"] == Kind.UNIT
                            else int(data.get("headcount", 1) or 0)
                        )
                        sources.append((key, str(child), factor))
                rows.append(replace(row, rollup=tuple(sources) if complete else ()))
            out.append(replace(sheet, rows=tuple(rows)))
        self.sheets = out


_NO_ROW = SheetRow(
    0,
    "",
    "",
    "",
    0,
    True,
    1,
    "",
    "",
    "manual",
    None,
    None,
    "",
    "",
    "",
    None,
    (),
    False,
    "count",
    Decimal(1),
)
"""What :meth:`_Builder.rows` gives for a sheet that has rows when rows are not built."""


def _filter(sheets: list[Sheet], plan: Plan, unit: str | None, role: str | None) -> list[Sheet]:
    out = sheets
    if unit is not None:
        wanted = unit.strip().strip("/")
        matches = [
            s.path
            for s in sheets
            if s.kind == "unit"
            and (
                s.path[-1] == wanted
                or "/".join(s.path) == wanted
                or "/".join(s.path).endswith("/" + wanted)
            )
        ]
        if not matches:
            names = sorted(
                {
                    n
                    for _, d in plan.graph.nodes(data=True)
                    if d["kind"] == Kind.UNIT
                    for n in [d["name"]]
                }
            )
            raise InputError(
                [
                    Issue(
                        f"no unit named {unit!r} has a sheet in this plan",
                        hint=f"units: {', '.join(names)}",
                    )
                ]
            )
        out = [s for s in out if any(s.path[: len(m)] == m for m in matches)]
    if role is not None:
        out = [s for s in out if s.kind != "unit" and role in (s.role, s.role_name)]
        if not out:
            names = sorted(
                {
                    str(d.get("label", d["name"]))
                    for _, d in plan.graph.nodes(data=True)
                    if d["kind"] == Kind.ROLE
                }
            )
            raise InputError(
                [
                    Issue(
                        f"no role named {role!r} has a sheet"
                        + (f" in {unit}" if unit else "")
                        + " in this plan",
                        hint=f"roles: {', '.join(names)}",
                    )
                ]
            )
    return out


def _period_grid(
    plan: Plan, months: list[str], weeks_too: bool = True
) -> tuple[list[str], dict[str, str]]:
    """The period columns (quarters for a plan of several quarters, else months, else ISO
    weeks) and where each KR period goes: a month to its quarter, a week to the month of its
    Thursday (ISO's rule), clamped into the plan. Without ``weeks_too`` the KRs' weeks are
    not looked at (the rows that would need them are not built)."""
    quarters = list(dict.fromkeys(_quarter(m) for m in months))
    weeks = (
        sorted(
            {
                str(p)
                for _, d in plan.graph.nodes(data=True)
                if d["kind"] == Kind.KR
                for p in (d.get("periods") or {})
                if "-W" in str(p)
            }
        )
        if weeks_too
        else []
    )
    if len(quarters) > 1:
        grid = quarters
    elif len(months) > 1:
        grid = months
    else:
        grid = weeks or months
    to_column: dict[str, str] = {}
    for q in quarters:
        if q in grid:
            to_column[q] = q
    for m in months:
        if m in grid:
            to_column[m] = m
        elif _quarter(m) in grid:
            to_column[m] = _quarter(m)
    for w in weeks:
        if w in grid:
            to_column[w] = w
            continue
        month = _week_month(w)
        if months:
            month = min(max(month, months[0]), months[-1])
        if month in to_column:
            to_column[w] = to_column[month]
    return grid, to_column


def _months_of(plan: Plan) -> list[str]:
    found = {
        str(p)
        for _, d in plan.graph.nodes(data=True)
        if d["kind"] == Kind.KR
        for p in (d.get("periods") or {})
        if len(str(p)) == 7 and str(p)[4] == "-" and str(p)[5:].isdigit()
    }
    return sorted(found)


def _quarter(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def _week_month(week: str) -> str:
    year, number = week.split("-W")
    thursday = date.fromisocalendar(int(year), int(number), 4)
    return f"{thursday.year:04d}-{thursday.month:02d}"


def _paren(text: str, locale: str) -> str:
    """`` (text)``, or ``（text）`` in Chinese."""
    return f" ({text})" if locale.startswith("en") else f"（{text}）"


def _tabs(contexts: list[tuple[str, ...]], least: list[int]) -> list[str]:
    """Sheet titles from the last names of each context (``销售部-销售岗``), taking more of a
    context where titles would otherwise repeat (``北京-直销组`` and ``上海-直销组``)."""
    depth = list(least)
    keys: dict[str, str] = {}  # a large book repeats titles: each is made safe once

    def key(tab: str) -> str:
        found = keys.get(tab)
        if found is None:
            found = keys[tab] = safe_sheet_title(tab).casefold()
        return found

    full = [key(_tab(c)) for c in contexts]
    while True:
        tabs = [_tab(c[-d:] if d else c) for c, d in zip(contexts, depth, strict=True)]
        seen: dict[str, list[int]] = {}
        for i, tab in enumerate(tabs):
            seen.setdefault(key(tab), []).append(i)
        grow = [
            i
            for group in seen.values()
            if len(group) > 1
            for i in group
            if depth[i] < len(contexts[i]) and any(full[j] != full[i] for j in group)
        ]
        if not grow:
            return tabs
        for i in grow:
            depth[i] += 1


def _tab(parts: tuple[str, ...]) -> str:
    """``unit-who`` as a sheet title: the earlier names cut first so the last stays readable."""
    names = list(parts)
    while len(names) > 1 and len("-".join(names)) > SHEET_TITLE_MAX:
        room = SHEET_TITLE_MAX - len("-".join(names[1:])) - 1
        if room >= 4:
            names[0] = shorten(names[0], room)
            break
        names.pop(0)
    return "-".join(names)


def _stem(parts: Iterable[str]) -> str:
    """A file stem from path parts, the longest parts cut first (in the middle) to fit."""
    names = [p for p in parts if p]
    budget = FILE_STEM_MAX_BYTES - 16  # room for a " (n)" suffix and the file suffix
    while len("-".join(names).encode("utf-8")) > budget:
        longest = max(range(len(names)), key=lambda i: (len(names[i]), -i))
        if len(names[longest]) <= 4:
            break
        names[longest] = shorten(names[longest], len(names[longest]) - 1)
    return "-".join(names)


def _dec(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def _frac_dec(value: Any) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _percent_text(value: Decimal) -> str:
    return f"{_plain(value * 100)}%"


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 522.5, 100, 0.05."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------
# Text renderings


def csv_text(text: str) -> str:
    """Cell text that a spreadsheet will not run as a formula (CSV injection).

    >>> csv_text("=cmd|' /C calc'!A0"), csv_text("-5分"), csv_text("销售额")
    ("'=cmd|' /C calc'!A0", "'-5分", '销售额')
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def number_text(value: Decimal | None, numeric: str = "count") -> str:
    """A sheet number as plain text: ``522.5``, ``100%`` for a percent."""
    if value is None:
        return ""
    return _percent_text(value) if numeric == "percent" else _plain(value)


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
    out = str(text).replace("\r", " ").replace("\n", " ")
    out = drop_bidi_controls(out)
    for ch in "\\|<>[]*_`&~":
        out = out.replace(ch, "\\" + ch)
    return out


def to_sheet_markdown(sheet: Sheet, book: SheetBook) -> str:
    """One sheet as Markdown: its title, facts and the seed-table layout with targets."""
    locale = book.locale
    keys = [
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
    lines = [
        f"# {md_cell(sheet.title)}",
        "",
        md_cell(" · ".join(sheet.facts)),
        "",
        "| " + " | ".join(md_cell(header_text(k, locale)) for k in keys) + " |",
        "|" + "---|" * len(keys),
    ]
    for row in sheet.rows:
        cells = _value_cells(book, row)
        cells["target"] = row.target_text
        cells["scored"] = (
            f"{cells['scored']} {row.unit}".strip() if row.number != "points" else row.target_text
        )
        for period, value in zip(book.periods, row.periods, strict=True):
            cells[f"period:{period}"] = (
                ""
                if value is None
                else money_text(value * row.scale, locale)
                if row.number == "money"
                else number_text(value, row.number)
            )
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
    lines = [
        f"# {md_cell(book.name)}",
        "",
        md_cell(" · ".join(book.facts)),
        "",
        *([md_cell(note), ""] if note else []),
        *([f"[{md_cell(workbook)}](<{_link(workbook)}>)", ""] if workbook else []),
        "| " + " | ".join(heads) + " |",
        "|" + "---|" * len(heads),
    ]
    for sheet in book.sheets:
        links = " · ".join(
            f"[{name.rsplit('.', 1)[-1]}](<{_link(name)}>)" for name in files.get(sheet.key, ())
        )
        quota = "" if sheet.quota is None else money_text(sheet.quota, locale)
        weights = " · ".join(f"{n} {w}%" for n, w in sheet.objectives)
        lines.append(
            "| "
            + " | ".join(
                [
                    md_cell(sheet.tab),
                    md_cell(" / ".join(sheet.path)),
                    md_cell(sheet.role or ""),
                    md_cell(sheet.person or ""),
                    str(sheet.people) if sheet.kind != "unit" else "",
                    md_cell(quota),
                    md_cell(weights),
                    links,
                ]
            )
            + " |"
        )
    return "\n".join(lines) + "\n"


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
        from okrplan.export.xlsx import workbook_bytes

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
