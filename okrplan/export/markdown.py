"""plan.md: the whole tree, every unit's and role's objectives and key results with numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from okrplan import queries
from okrplan.graph import root_of
from okrplan.model import KeyResult, KRKind, RoleGroup, Unit
from okrplan.numbers import Numbers, Scale, money_scale, numbers_for
from okrplan.plan import Plan
from okrplan.present import (
    group_title,
    kr_target_text,
    label,
    money_text,
    per_text,
    status_text,
    unit_money_text,
    weight_text,
)
from okrplan.quantity import format_percent

from .sheetmodel import md_cell

_INT = {int}


def _cell(text: object) -> str:
    """Text from the target file, for a table cell, heading or line: nothing in it can break
    the table or become markup (HTML included)."""
    return md_cell(text)


def to_markdown(plan: Plan) -> str:
    """The plan as Markdown text (pure; see :func:`okrplan.export.output.write_plan_dir`)."""
    graph, locale = plan.graph, plan.locale
    meta, solver = plan.meta, plan.solver
    numbers = numbers_for(meta)
    lines = [f"# {_cell(meta.get('name', ''))}", ""]
    kpi = meta.get("kpi", {})
    base = plan.metrics.get(kpi.get("base", ""), {})
    facts = [
        f"{label(locale, 'period')} {meta.get('period', '')}",
        f"{label(locale, 'kpi')} {base.get('name', kpi.get('base', ''))} "
        f"{money_text(kpi.get('target', 0), locale, numbers)}",
        f"{label(locale, 'buffer')} {format_percent(Decimal(str(meta.get('buffer', 0))), locale)}",
        f"{label(locale, 'status')}: {status_text(str(solver.status), locale)} "
        f"({label(locale, 'stretch')} {solver.stretch})",
    ]
    lines += [_cell(" · ".join(facts)), ""]
    if solver.relaxations:
        lines += [f"**{label(locale, 'relaxations')}**", ""]
        lines += [f"- {_cell(r.message)}" for r in solver.relaxations]
        lines.append("")
    # every unit's and role group's sheet read in one pass (20,000 owners)
    owners = queries.tree_order(graph)
    sheets = dict(zip(owners, queries.sheets(graph, owners), strict=True))
    walk = _Walk(graph, _Texts(numbers), sheets, lines)
    walk.unit(queries.unit(graph, root_of(graph)), 2)
    return _ending_once(lines)


def _ending_once(lines: list[str]) -> str:
    """``"\\n".join(lines).rstrip() + "\\n"``, the text made in one copy (not three: plan.md
    is 6 MB at 100,000 people): the blank lines at the end and the last line's trailing
    spaces taken off before the join. ``lines`` is changed."""
    while lines and not lines[-1].rstrip():
        lines.pop()
    if not lines:
        return "\n"
    lines[-1] = lines[-1].rstrip()
    lines.append("")
    return "\n".join(lines)


class _Walk:
    """The tree written unit by unit, its sheets read beforehand."""

    def __init__(
        self, graph: Any, texts: _Texts, sheets: dict[str, queries.Sheet], lines: list[str]
    ) -> None:
        self.graph, self.texts, self.sheets, self.lines = graph, texts, sheets, lines

    def unit(self, unit: Unit, depth: int) -> None:
        texts, lines, sheets = self.texts, self.lines, self.sheets
        head = f"{'#' * min(depth, 6)} {_cell(unit.name)}"
        if unit.lead:
            head += f" ({_cell(unit.lead)})"
        if unit.target is not None:
            head += f" — {texts.unit_money(unit)}"
        lines += [head, ""]
        if okrs := sheets[unit.id]:
            lines.append(texts.table(okrs))
        # every role group but one of no one, such as a hire pool that hired no one ("× 0")
        kids = queries.records_at(self.graph, queries.org_children(self.graph, unit.id))
        marks = "#" * min(depth + 1, 6)
        for role in kids:
            if not isinstance(role, RoleGroup) or not role.headcount:
                continue
            lines += [texts.role_head(marks, role), ""]
            if role.people:
                lines += [f"{label(texts.locale, 'people')}: {_cell('、'.join(role.people))}", ""]
            if okrs := sheets[role.id]:
                lines.append(texts.table(okrs))
        for child in kids:
            if isinstance(child, Unit):
                self.unit(child, depth + 1)


class _Texts:
    """What one plan.md repeats on thousands of tables, made once per text: the header, a
    column's unit, names, targets, periods and weights, whole tables, and the headings of
    units and role groups (100,000 people have 108,000 key results with a few thousand
    different cells)."""

    def __init__(self, numbers: Numbers) -> None:
        self.numbers = numbers
        locale = self.locale = numbers.locale
        self.header = (
            f"| {label(locale, 'no')} | {label(locale, 'objective')} | "
            f"{label(locale, 'kr')} | {label(locale, 'target')} | {label(locale, 'per')} | "
            f"{label(locale, 'weight')} |"
        )
        self.deduction = f" ({label(locale, 'deduction')})"
        self.cells: dict[str, str] = {}
        self.scales: dict[tuple[Any, ...], tuple[int, Scale]] = {}
        self.scale_ids: dict[Scale, int] = {}
        self.rows: dict[tuple[Any, ...], str] = {}
        self.tables: dict[tuple[Any, ...], str] = {}
        self.parts: dict[tuple[Any, ...], str] = {}
        self.headings: dict[tuple[Any, ...], str] = {}

    def cell(self, text: str) -> str:
        found = self.cells.get(text)
        if found is None:
            found = self.cells[text] = _cell(text)
        return found

    def scale(self, amounts: list[Any]) -> tuple[int, Scale]:
        """The unit of one table's target column (its amounts share it), and a number for
        it that a row's key can hash without calling Python."""
        # whole amounts (a plan's) as they are; else each with its type (1 and 1.0 apart)
        key = (
            tuple(amounts)
            if set(map(type, amounts)) <= _INT
            else tuple([(type(a), a) for a in amounts])
        )
        found = self.scales.get(key)
        if found is None:
            scale = money_scale(amounts, self.locale, self.numbers.step)
            # numbered by the scale, not by the amounts: a roster's 11,000 different target
            # columns share one scale, and their rows their cells
            number = self.scale_ids.setdefault(scale, len(self.scale_ids))
            found = self.scales[key] = (number, scale)
        return found

    def unit_money(self, unit: Unit) -> str:
        """A unit's heading's target and what it passes down (they are all it reads)."""
        key = ("unit", type(unit.target), unit.target, type(unit.assigned), unit.assigned)
        found = self.headings.get(key)
        if found is None:
            found = self.headings[key] = unit_money_text(unit, self.locale, self.numbers)
        return found

    def role_head(self, marks: str, role: RoleGroup) -> str:
        """A role group's heading at one depth (``marks``): its title (what :meth:`group`
        reads), its headcount and what each sells; made once per different heading (12,300
        role groups have 320 at 100,000 people)."""
        selling = role.selling
        each = None if selling is None else selling.per_person
        # the headcount as written (an int; equal numbers of other types print apart)
        key = (marks, *_group_key(role), str(role.headcount), selling is None, type(each), each)
        found = self.headings.get(key)
        if found is None:
            found = f"{marks} {self.group(role)} × {role.headcount}"
            if selling is not None:
                found += self.per_person(each)
            self.headings[key] = found
        return found

    def group(self, role: RoleGroup) -> str:
        """A role group's title as a cell: :func:`group_title` reads its name, label, whether
        it is a pool of hires and its cohort, which is the end of its id (``@2026-03``,
        ``~2026-09``, ``+hires``: at most 16 characters, read only if they hold ``@`` or
        ``~``: a roster's 20,000 groups have as many different ids and a few titles)."""
        key = ("group", *_group_key(role))
        found = self.headings.get(key)
        if found is None:
            found = self.headings[key] = _cell(group_title(role, self.locale))
        return found

    def per_person(self, amount: Any) -> str:
        key = ("each", type(amount), amount)
        found = self.headings.get(key)
        if found is None:
            each = money_text(amount, self.locale, self.numbers)
            found = self.headings[key] = f" — {label(self.locale, 'per_person')} {each}"
        return found

    def table(self, okrs: queries.Sheet) -> str:
        """One owner's table of objectives and key results, its lines joined and ending with
        a blank one: made once per different table (it reads its objectives' names and its
        key results' fields, nothing of its owner: 100,000 people have 19,700 tables and
        1,800 different ones)."""
        # a key result's objective by its number and name, then every field its row reads
        # (numbers with their type: 1 and 1.0 read apart; the total only where the row reads
        # it, else None); written out here, not called per key result (108,000 calls cost as
        # much as the keys themselves)
        key = tuple(
            [
                (
                    number,
                    objective.name,
                    kr.name,
                    kr.kr_kind,
                    type(kr.deduction),
                    kr.deduction,
                    type(kr.target),
                    kr.target,
                    kr.target_kind,
                    kr.money,
                    kr.unit,
                    kr.target_per,
                    kr.per,
                    type(kr.weight),
                    kr.weight,
                    type(kr.sourced),
                    kr.sourced,
                    (type(kr.total), kr.total) if kr.sourced is not None else None,
                )
                for number, (objective, krs) in enumerate(okrs, start=1)
                for kr in krs
            ]
        )
        found = self.tables.get(key)
        if found is None:
            found = self.tables[key] = self._table(okrs, key)
        return found

    def _table(self, okrs: queries.Sheet, key: tuple[tuple[Any, ...], ...]) -> str:
        # the amounts of one table's target column share one unit
        scale = self.scale(
            [kr.target for _, krs in okrs for kr in krs if kr.money and kr.target is not None]
        )
        lines = [self.header, "|---|---|---|---|---|---|"]
        fields = iter(key)
        for number, (objective, krs) in enumerate(okrs, start=1):
            first = f"| {number} | {self.cell(objective.name)} | "
            for kr in krs:
                lines.append(first + self.row(kr, next(fields), scale))
                first = "|  |  | "
        lines.append("")
        return "\n".join(lines)

    def row(self, kr: KeyResult, fields: tuple[Any, ...], scale: tuple[int, Scale]) -> str:
        """A key result's row after its objective's cells: name, target, period, weight
        (``fields`` as :meth:`table` keys them: its objective, then what the row reads)."""
        key = (scale[0], fields)  # the scale by its number
        found = self.rows.get(key)
        if found is None:
            # rows that differ in one cell share the others (a roster's rows differ more)
            name = kr.name + (self.deduction if kr.kr_kind is KRKind.DEDUCTION else "")
            # the target reads all but the objective, the name and the weight (fields[:3],
            # fields[13:15])
            target = self.part(("target", key[0], *fields[3:13], *fields[15:]), kr, scale[1])
            per = self.part(("per", kr.per), kr, scale[1])
            weight = self.part(("weight", type(kr.weight), kr.weight), kr, scale[1])
            found = self.rows[key] = f"{self.cell(name)} | {target} | {per} | {weight} |"
        return found

    def part(self, key: tuple[Any, ...], kr: KeyResult, scale: Scale) -> str:
        """One cell of a row (``key`` starts with the column: target, per or weight)."""
        found = self.parts.get(key)
        if found is None:
            column, locale = key[0], self.locale
            if column == "target":
                found = _cell(kr_target_text(kr, locale, self.numbers, scale))
            elif column == "per":
                found = per_text(str(kr.per), locale)
            else:
                found = weight_text(kr.weight)
            self.parts[key] = found
        return found


def _group_key(role: RoleGroup) -> tuple[Any, ...]:
    """What :func:`group_title` reads of a role group (see :meth:`_Texts.group`)."""
    tail = role.id[-16:]
    cohort = tail if "@" in tail or "~" in tail else tail.endswith("+hires")
    return (role.name, role.label, role.new_hires, cohort)
