"""plan.md: the whole tree, every unit's and role's objectives and key results with numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from okrplan import queries
from okrplan.graph import children, node, root_of
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
    _unit(plan, _Texts(numbers), root_of(graph), 2, lines)
    return "\n".join(lines).rstrip() + "\n"


def _unit(plan: Plan, texts: _Texts, node_id: str, depth: int, lines: list[str]) -> None:
    graph, locale, numbers = plan.graph, plan.locale, texts.numbers
    unit = queries.unit(graph, node_id)
    head = f"{'#' * min(depth, 6)} {_cell(unit.name)}"
    if unit.lead:
        head += f" ({_cell(unit.lead)})"
    if unit.target is not None:
        head += f" — {unit_money_text(unit, locale, numbers)}"
    lines += [head, ""]
    _objectives(plan, texts, node_id, lines)
    # every role group but one of no one, such as a hire pool that hired no one ("× 0")
    kids = [node(graph, k) for k in children(graph, node_id)]
    for role in kids:
        if not isinstance(role, RoleGroup) or not role.headcount:
            continue
        title = group_title(role, locale)
        head = f"{'#' * min(depth + 1, 6)} {_cell(title)} × {role.headcount}"
        if role.selling is not None:
            each = money_text(role.selling.per_person, locale, numbers)
            head += f" — {label(locale, 'per_person')} {each}"
        lines += [head, ""]
        if role.people:
            lines += [f"{label(locale, 'people')}: {_cell('、'.join(role.people))}", ""]
        _objectives(plan, texts, role.id, lines)
    for child in kids:
        if isinstance(child, Unit):
            _unit(plan, texts, child.id, depth + 1, lines)


class _Texts:
    """What one plan.md repeats on thousands of tables, made once per text: the header, a
    column's unit, names, targets, periods and weights (100,000 people have 108,000 key
    results with a few thousand different cells)."""

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
        self.scales: dict[tuple[Any, ...], Scale] = {}
        self.targets: dict[tuple[Any, ...], str] = {}
        self.pers: dict[str, str] = {}
        self.weights: dict[tuple[type, Any], str] = {}

    def cell(self, text: str) -> str:
        found = self.cells.get(text)
        if found is None:
            found = self.cells[text] = _cell(text)
        return found

    def scale(self, amounts: list[Any]) -> Scale:
        """The unit of one table's target column: its amounts share it."""
        key = tuple((type(a), a) for a in amounts)
        found = self.scales.get(key)
        if found is None:
            found = self.scales[key] = money_scale(amounts, self.locale, self.numbers.step)
        return found

    def per(self, per: str) -> str:
        found = self.pers.get(per)
        if found is None:
            found = self.pers[per] = per_text(str(per), self.locale)
        return found

    def weight(self, weight: Any) -> str:
        key = (type(weight), weight)
        found = self.weights.get(key)
        if found is None:
            found = self.weights[key] = weight_text(weight)
        return found

    def target(self, kr: KeyResult, scale: Scale) -> str:
        # every field the target text reads (numbers with their type: 1 and 1.0 read apart)
        key = (
            scale,
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
            type(kr.sourced),
            kr.sourced,
            *((type(kr.total), kr.total) if kr.sourced is not None else ()),
        )
        found = self.targets.get(key)
        if found is None:
            text = kr_target_text(kr, self.locale, self.numbers, scale)
            found = self.targets[key] = _cell(text)
        return found


def _objectives(plan: Plan, texts: _Texts, owner: str, lines: list[str]) -> None:
    okrs = queries.sheet(plan.graph, owner)
    if not okrs:
        return
    # the amounts of one table's target column share one unit
    scale = texts.scale(
        [kr.target for _, krs in okrs for kr in krs if kr.money and kr.target is not None]
    )
    lines.append(texts.header)
    lines.append("|---|---|---|---|---|---|")
    for number, (objective, krs) in enumerate(okrs, start=1):
        first = f"| {number} | {texts.cell(objective.name)} | "
        for kr in krs:
            name = kr.name + (texts.deduction if kr.kr_kind is KRKind.DEDUCTION else "")
            lines.append(
                f"{first}{texts.cell(name)} | {texts.target(kr, scale)} | "
                f"{texts.per(kr.per)} | {texts.weight(kr.weight)} |"
            )
            first = "|  |  | "
    lines.append("")
