"""Per-role OKR sheets as plain values: what each unit, role or person receives.

A sheet has the layout of the seed tables users know (序号 | 目标 (O) | 目标详细描述 |
关键成果 (KRs) | KR权重 | O分值), then the target, its unit and period, the value an actual
is scored against, the target of each period of the plan, and the actual and score columns a
person fills in.

:func:`build_book` turns a plan into a :class:`~okrplan.export.sheetmodel.SheetBook` (pure
values, defined in :mod:`okrplan.export.sheetmodel`); :mod:`okrplan.export.sheetfiles` renders
it as CSV and Markdown files, and :mod:`okrplan.export.xlsx` writes the workbook with working
score formulas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from operator import itemgetter
from typing import Any

from okrplan import queries
from okrplan.errors import InputError, Issue
from okrplan.graph import node, root_of
from okrplan.model import (
    Level,
    RoleGroup,
    Selling,
    Unit,
)
from okrplan.numbers import numbers_for
from okrplan.plan import Plan
from okrplan.present import (
    group_title,
    label,
    money_text,
    ramp_text,
    sheet_title,
    unit_money_text,
)

from .names import SheetTitles, path_stem, tab_titles, unique_file_names
from .sheetgrid import filter_sheets, period_grid, plan_months
from .sheetmodel import (
    INDEX_FILE,
    META_TAB,
    Sheet,
    SheetBook,
    SheetRow,
    header_text,
    number_text,
)
from .sheetrows import OKRs, SheetRows, decimal_of

__all__ = [
    "MAX_PERSON_SHEETS",
    "Sheet",
    "SheetBook",
    "SheetRow",
    "build_book",
    "header_text",  # TRANSITIONAL: export/report.py imports these from here
    "number_text",
]

MAX_PERSON_SHEETS = 10_000
"""Most sheets of single people in one book; beyond it a group's people share its group sheet
(and ``per_person`` is refused: export a part with ``unit`` or ``role``)."""


def build_book(
    plan: Plan,
    *,
    per_person: bool = False,
    unit: str | None = None,
    role: str | None = None,
    rows: bool = True,
    max_level: int | None = None,
    workbook: bool = True,
) -> SheetBook:
    """The sheets of a plan: every unit's, every role group's (per person), and one per person
    where people are named (or for everyone with ``per_person``).

    ``unit`` (a name or a path, as :func:`okrplan.queries.find_unit` finds it) keeps the sheets
    of that unit and the units and roles below it; ``role`` keeps only the sheets of that
    role. New hires get numbered placeholders (新人1, 新人2, …) when the sheets are per
    person. With ``rows=False`` the sheets are listed without their key results (enough for
    an index, and much quicker for a large organisation). ``max_level`` leaves out the units
    more than that many levels below the top one (0: the top unit and its role groups alone),
    with their roles and people. With ``workbook=False`` the rows have no actual cells and
    no roll-ups (what only the workbook reads: the report's cards read neither).

    Raises
    ------
    InputError
        If ``unit`` names no unit of the plan or several, or ``unit`` or ``role`` has no sheet.
    """
    builder = sheet_builder(plan, per_person, unit, role, rows, max_level, workbook)
    sheets = filter_sheets(builder.build(), plan, builder.within, unit, role)
    if rows and workbook:  # (without the workbook's cells no row has a roll-up)
        sheets = _rollups_within(sheets)
    named = _named(sheets, label(plan.locale, "summary"), files=rows)
    book = book_of(plan, named, builder.row_maker.periods, unit, role)
    return replace(book, months=builder.row_maker.months)


def sheet_builder(
    plan: Plan,
    per_person: bool,
    unit: str | None,
    role: str | None,
    rows: bool,
    max_level: int | None,
    workbook: bool,
) -> SheetBuilder:
    """The builder of a book's sheets (see :func:`build_book` for the arguments; an outline
    is listed with the same builder, see :func:`okrplan.export.sheetoutline.build_outline`)."""
    graph, meta = plan.graph, plan.meta
    within = None
    if unit is not None:
        within = queries.unit(graph, queries.unit_option(graph, unit)).path
    months = [str(m) for m in meta.get("months", [])] or plan_months(plan)
    periods, to_column = period_grid(plan, months, weeks_too=rows)
    row_maker = SheetRows(
        plan,
        str(meta.get("currency", "CNY")),
        tuple(periods),
        to_column,
        tuple(months),
        workbook=workbook,
    )
    return SheetBuilder(
        plan,
        row_maker,
        per_person=per_person,
        within=within,
        role=role,
        with_rows=rows,
        max_level=max_level,
    )


def _rollups_within(sheets: list[Sheet]) -> list[Sheet]:
    """The sheets with a row's roll-up dropped where it sums a sheet the book leaves out (its
    actual is then typed, not summed)."""
    keys = {s.key for s in sheets}
    return [
        replace(
            s,
            rows=tuple(
                r if all(k in keys for k, _, _ in r.rollup) else replace(r, rollup=())
                for r in s.rows
            ),
        )
        for s in sheets
    ]


def _named(sheets: list[Sheet], summary: str, *, files: bool = True) -> list[Sheet]:
    """The sheets with their workbook tab and (with ``files``) file name, each unique (a book
    without rows lists its sheets in an index, not in files of their own)."""
    stems = (
        unique_file_names(
            [s.file_stem for s in sheets], "", reserved=[INDEX_FILE.rsplit(".", 1)[0]]
        )
        if files
        else [s.file_stem for s in sheets]
    )
    tabs = tab_names(
        [s.context for s in sheets], [1 if s.kind == "unit" else 2 for s in sheets], summary
    )
    return [_with_names(s, tab, stem) for s, tab, stem in zip(sheets, tabs, stems, strict=True)]


def tab_names(contexts: list[tuple[str, ...]], least: list[int], summary: str) -> list[str]:
    """The sheets' workbook tabs, from their contexts (taking at least ``least`` names of
    each), each unique in the book and apart from the summary's and the hidden sheet's."""
    made = tab_titles(contexts, least)
    reserved = [summary, META_TAB]
    keys = set(made.keys)
    if len(keys) == len(made.keys) and keys.isdisjoint(map(str.casefold, reserved)):
        return made.titles  # each is unique already: SheetTitles would keep every one
    take = SheetTitles(reserved=reserved).take
    return [take(tab, title) for tab, title in zip(made.tabs, made.titles, strict=True)]


def _with_names(s: Sheet, tab: str, file_stem: str) -> Sheet:
    """``s`` with its tab and file stem (``dataclasses.replace`` would be four times slower:
    a book of 100,000 people has 19,000 sheets)."""
    return Sheet(
        s.key,
        s.owner,
        s.kind,
        s.title,
        s.facts,
        s.path,
        s.role,
        s.role_name,
        s.person,
        s.people,
        s.quota,
        s.per_person,
        s.objectives,
        s.rows,
        tab,
        file_stem,
        s.context,
        s.headcount,
    )


def book_of(
    plan: Plan,
    sheets: list[Sheet],
    periods: tuple[str, ...],
    unit: str | None,
    role: str | None,
) -> SheetBook:
    locale, meta = plan.locale, plan.meta
    kpi = meta.get("kpi", {})
    base = plan.metrics.get(kpi.get("base", ""), {})
    status = str(plan.solver.status)
    status_text = (
        label(locale, f"status_{status}")
        if status in ("optimal", "feasible", "infeasible")
        else status
    )
    facts = (
        f"{label(locale, 'period')} {meta.get('period', '')}",
        f"{label(locale, 'kpi')} {base.get('name', kpi.get('base', ''))} "
        f"{money_text(kpi.get('target', 0), locale, numbers_for(meta))}",
        f"{label(locale, 'status')}: {status_text}",
    )
    stem = "-".join([str(meta.get("name", "")) or "okr", *(x for x in (unit, role) if x)])
    return SheetBook(
        str(meta.get("name", "")),
        str(meta.get("period", "")),
        locale,
        str(meta.get("currency", "CNY")),
        facts,
        periods,
        tuple(sheets),
        label(locale, "summary"),
        unique_file_names([stem], "")[0],
        numbers_for(meta).step,
    )


@dataclass(slots=True)
class SheetBuilder:
    """Makes a book's sheets (:meth:`build`), or tells :mod:`.sheetoutline` who gets which."""

    plan: Plan
    row_maker: SheetRows
    per_person: bool = False
    within: tuple[str, ...] | None = None  # build_book's filters: no person sheets outside them
    role: str | None = None
    with_rows: bool = True  # False: sheets without their rows (see build_book)
    max_level: int | None = None  # deeper units are left out (see build_book)
    person_sheets: int = 0
    sheets: list[Sheet] = field(default_factory=list)
    keys_of: dict[str, list[str]] = field(default_factory=dict)  # owner → its sheets' keys
    decimals: dict[str, Decimal] = field(default_factory=dict)  # decimal_of's, by value text

    @property
    def locale(self) -> str:
        return self.plan.locale

    def build(self) -> list[Sheet]:
        """Every sheet in tree order: a unit's, then its role groups' (or their people's)."""
        graph = self.plan.graph
        top = len(queries.unit(graph, root_of(graph)).path)
        for unit_id in queries.tree_order(graph):
            record = node(graph, unit_id)
            if not isinstance(record, Unit):
                continue
            if self.max_level is not None and len(record.path) - top > self.max_level:
                continue
            self.add_unit(record)
            roles = [
                r
                for r in (node(graph, c) for c in queries.org_children(graph, unit_id))
                if isinstance(r, RoleGroup)
            ]
            named = {r.name for r in roles if r.people}
            counters: dict[tuple[str, bool], int] = {}
            for group in roles:
                if not group.headcount:
                    continue  # a group of no one (a hire pool that hired no one): no sheet
                self.add_role(group, named, counters)
        if self.with_rows and self.row_maker.workbook:
            self.link_rollups()
        return self.sheets

    # -- sheets ---------------------------------------------------------------------------------

    def add_unit(self, unit: Unit) -> None:
        okrs, objectives = self.okrs(unit.id)
        if okrs is None:
            return
        path, full = unit.path, self.with_rows
        name = unit.lead if unit.level is Level.COMPANY and unit.lead else unit.name
        self.add(
            Sheet(
                unit.id,
                unit.id,
                "unit",
                sheet_title(name, self.locale) if full else "",
                self.unit_facts(unit) if full else (),
                path,
                None,
                None,
                None,
                1,
                decimal_of(unit.target),
                None,
                objectives,
                tuple(self.row_maker.rows(okrs)) if full else (),
                "",
                (path_stem(path[1:]) or path[0]) if full else "",
                path,
            )
        )

    def okrs(self, owner: str) -> tuple[OKRs | None, tuple[tuple[str, int], ...]]:
        """An owner's objectives and key results (None if it has no key result: no sheet),
        and its objectives' (name, share). A book without rows (see build_book) gets no key results:
        it needs only the objectives and whether any key result measures them (the sheets
        are asked for once per plan and kept: see :func:`okrplan.queries.sheet`)."""
        okrs = queries.sheet(self.plan.graph, owner)
        if not any(map(KRS, okrs)):
            return None, ()
        return (okrs if self.with_rows else []), objective_shares(okrs)

    def add_role(
        self, group: RoleGroup, named: set[str], counters: dict[tuple[str, bool], int]
    ) -> None:
        okrs, objectives = self.okrs(group.id)
        heads = int(group.headcount or 0)
        if okrs is None or heads <= 0:  # no KRs, or a hiring group the plan did not need
            return
        people = self.people_of(group, heads, named, counters)
        rows = tuple(self.row_maker.rows(okrs)) if self.with_rows else ()
        if people:
            self.add_person_sheets(group, people, objectives, rows)
        else:
            self.add_group_sheet(group, objectives, rows)

    def gets_person_sheets(self, group: RoleGroup, named: set[str]) -> bool:
        """Whether a group's people get a sheet each (unless past the limits: see
        :meth:`people_of`): its named people, or numbered ones per person or beside a named
        group of the same role (``named``: the unit's role names that name people)."""
        return bool(group.people) or self.per_person or (group.new_hires and group.name in named)

    def people_of(
        self,
        group: RoleGroup,
        heads: int,
        named: set[str],
        counters: dict[tuple[str, bool], int],
    ) -> list[str]:
        """Who gets a sheet of their own: the group's named people, or numbered placeholders
        (per person, or hires beside a named group of the same role); none past the limits."""
        people, hires = list(group.people), group.new_hires
        numbered = not people and self.gets_person_sheets(group, named)
        start = 0
        if numbered:
            key = (group.name, hires)
            start = counters.get(key, 0)
            counters[key] = start + heads
        if (numbered or people) and not self.person_sheets_for(group, heads):
            return []
        if not numbered:
            return people
        locale = self.locale
        return [
            label(locale, "new_hire_n").format(n=start + i + 1)
            if hires
            else label(locale, "person_n").format(role=group.name, n=start + i + 1)
            for i in range(heads)
        ]

    def add_group_sheet(
        self, group: RoleGroup, objectives: tuple[tuple[str, int], ...], rows: tuple[SheetRow, ...]
    ) -> None:
        locale, path, heads, full = self.locale, group.path, int(group.headcount), self.with_rows
        quota, each = group_quota(group.selling), group_quota(group.selling, each=True)
        self.add(
            Sheet(
                group.id,
                group.id,
                "role",
                sheet_title(group_title(group, locale), locale) if full else "",
                self.group_facts(group, each) if full else (),
                path,
                group.label,
                group.name,
                None,
                heads,
                quota,
                each,
                objectives,
                rows,
                "",
                path_stem((*path[1:], group.label)) if full else "",
                (*path, group.label),
                heads,
            )
        )

    def add_person_sheets(
        self,
        group: RoleGroup,
        people: list[str],
        objectives: tuple[tuple[str, int], ...],
        rows: tuple[SheetRow, ...],
    ) -> None:
        locale, path, heads = self.locale, group.path, int(group.headcount)
        each = group_quota(group.selling, each=True)
        # the facts on a person's sheet, but its name (not made without rows: see build_book)
        shared: list[str] = []
        if each and self.with_rows:
            quota = money_text(each, locale, numbers_for(self.plan.meta))
            shared.append(f"{label(locale, 'quota')} {quota}")
        if self.with_rows and (ramp := self.ramp_text(group.selling)):
            shared.append(ramp)
        if self.with_rows:
            shared.append(self.period_fact())
        for index, person in enumerate(people, start=1):
            facts = (" / ".join(path), group.label, person, *shared) if self.with_rows else ()
            who = person + _paren(group.label, locale) if self.with_rows else ""
            self.add(
                Sheet(
                    f"{group.id}@{index}",
                    group.id,
                    "person",
                    sheet_title(who, locale) if who else "",
                    facts,
                    path,
                    group.label,
                    group.name,
                    person,
                    1,
                    each,
                    each,
                    objectives,
                    rows,
                    "",
                    path_stem((*path[1:], group.label, person)) if self.with_rows else "",
                    (*path, person),
                    heads,
                )
            )

    def person_sheets_for(self, group: RoleGroup, count: int) -> bool:
        """Whether a group's ``count`` people get a sheet each: not where build_book's filters
        drop them anyway, nor past :data:`MAX_PERSON_SHEETS` (refused for ``per_person``)."""
        if self.role is not None and self.role not in (group.label, group.name):
            return False
        if self.within is not None and group.path[: len(self.within)] != self.within:
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

    def unit_facts(self, unit: Unit) -> tuple[str, ...]:
        """The facts atop a unit's sheet: its path, lead, quota and period."""
        locale = self.locale
        facts = [" / ".join(unit.path)]
        if unit.lead:
            facts.append(f"{label(locale, 'lead')} {unit.lead}")
        if unit.target is not None:
            numbers = numbers_for(self.plan.meta)
            facts.append(f"{label(locale, 'quota')} {unit_money_text(unit, locale, numbers)}")
        facts.append(self.period_fact())
        return tuple(facts)

    def group_facts(self, group: RoleGroup, each: Decimal) -> tuple[str, ...]:
        """The facts atop a role group's sheet: its path, role × headcount, quota each, ramp
        and period."""
        locale = self.locale
        facts = [
            " / ".join(group.path),
            f"{group_title(group, locale)} × {int(group.headcount)}"
            + _paren(label(locale, "per_person_sheet"), locale),
        ]
        if each:  # a group that sells nothing (SDRs feeding a funnel) has no quota
            facts.append(
                f"{label(locale, 'quota')} {money_text(each, locale, numbers_for(self.plan.meta))}"
                + _paren(label(locale, "per_person"), locale)
            )
        if ramp := self.ramp_text(group.selling):
            facts.append(ramp)
        facts.append(self.period_fact())
        return tuple(facts)

    def decimal(self, value: int | float | None) -> Decimal:
        """:func:`decimal_of` ``value``, each different one made once (a large book repeats
        its quotas)."""
        text = str(value)
        found = self.decimals.get(text)
        if found is None:
            found = self.decimals[text] = decimal_of(value)
        return found

    def add(self, sheet: Sheet) -> None:
        self.sheets.append(sheet)
        self.keys_of.setdefault(sheet.owner, []).append(sheet.key)

    def period_fact(self) -> str:
        return f"{label(self.locale, 'period')} {self.plan.meta.get('period', '')}"

    def ramp_text(self, selling: Selling | None) -> str:
        steps = ramp_text(selling.ramp if selling is not None else ())
        return f"{label(self.locale, 'ramp')} {steps}" if steps else ""

    # -- roll-ups -------------------------------------------------------------------------------

    def link_rollups(self) -> None:
        """A unit KR's actual defaults to the sum of the actuals aligned to it (as in scoring):
        a role group's per-person actual × headcount, each person's actual once."""
        self.sheets = [
            sheet
            if sheet.kind != "unit"
            else replace(
                sheet,
                rows=tuple(replace(row, rollup=self.rollup(row.kr)) for row in sheet.rows),
            )
            for sheet in self.sheets
        ]

    def rollup(self, kr_id: str) -> tuple[tuple[str, str, int], ...]:
        """(sheet key, KR id, factor) of every actual aligned to ``kr_id``; none if a KR aligned
        to it has no sheet (its owner's sheet was left out)."""
        graph = self.plan.graph
        sources: list[tuple[str, str, int]] = []
        for child in queries.aligned_children(graph, kr_id):
            owner_id = queries.key_result(graph, child).owner
            owner = node(graph, owner_id)
            keys = self.keys_of.get(owner_id, [])
            if not keys:
                if isinstance(owner, RoleGroup) and not owner.headcount:
                    continue  # nobody in the group: it adds nothing
                return ()
            for key in keys:
                person = "@" in key[len(owner_id) :]
                factor = 1 if person or not isinstance(owner, RoleGroup) else owner.headcount
                sources.append((key, child, factor))
        return tuple(sources)


KRS = itemgetter(1)  # an objective's key results in a sheet's (objective, KRs): any() in C


def objective_shares(okrs: OKRs) -> tuple[tuple[str, int], ...]:
    return tuple([(objective.name, int(objective.weight or 0)) for objective, _ in okrs])


def group_quota(
    selling: Selling | None, *, each: bool = False, decimal: Callable[[Any], Decimal] = decimal_of
) -> Decimal:
    """A group's total quota, or (``each``) its quota per person, made by ``decimal`` (0 for
    a group that does not sell: its sheet says so, as it always has)."""
    if selling is None:
        return Decimal(0)
    return decimal(selling.per_person if each else selling.quota)


def _paren(text: str, locale: str) -> str:
    """`` (text)``, or ``（text）`` in Chinese."""
    return f" ({text})" if locale.startswith("en") else f"（{text}）"
