"""plan.md: the whole tree, every unit's and role's objectives and key results with numbers."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
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
    _unit(plan, numbers, root_of(graph), 2, lines)
    return "\n".join(lines).rstrip() + "\n"


def _unit(plan: Plan, numbers: Numbers, node_id: str, depth: int, lines: list[str]) -> None:
    graph, locale = plan.graph, plan.locale
    unit = queries.unit(graph, node_id)
    head = f"{'#' * min(depth, 6)} {_cell(unit.name)}"
    if unit.lead:
        head += f" ({_cell(unit.lead)})"
    if unit.target is not None:
        head += f" — {unit_money_text(unit, locale, numbers)}"
    lines += [head, ""]
    _objectives(plan, numbers, node_id, lines)
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
        _objectives(plan, numbers, role.id, lines)
    for child in kids:
        if isinstance(child, Unit):
            _unit(plan, numbers, child.id, depth + 1, lines)


def _objectives(plan: Plan, numbers: Numbers, owner: str, lines: list[str]) -> None:
    locale = plan.locale
    okrs = queries.sheet(plan.graph, owner)
    if not okrs:
        return
    # the amounts of one table's target column share one unit
    amounts = [kr.target for _, krs in okrs for kr in krs if kr.money and kr.target is not None]
    scale = money_scale(amounts, locale, numbers.step)
    lines.append(
        f"| {label(locale, 'no')} | {label(locale, 'objective')} | "
        f"{label(locale, 'kr')} | {label(locale, 'target')} | {label(locale, 'per')} | "
        f"{label(locale, 'weight')} |"
    )
    lines.append("|---|---|---|---|---|---|")
    for number, (objective, krs) in enumerate(okrs, start=1):
        for index, kr in enumerate(krs):
            first = index == 0
            text = kr.name + (
                f" ({label(locale, 'deduction')})" if kr.kr_kind is KRKind.DEDUCTION else ""
            )
            lines.append(
                "| "
                + " | ".join(
                    [
                        str(number) if first else "",
                        _cached_cell(objective.name) if first else "",
                        _cached_cell(text),
                        _target_cell(kr, numbers, scale),
                        per_text(str(kr.per), locale),
                        weight_text(kr.weight),
                    ]
                )
                + " |"
            )
    lines.append("")


# A large plan repeats the same names and targets on thousands of sheets: each is escaped and
# formatted once.
_cached_cell = lru_cache(maxsize=1 << 16)(lambda text: _cell(text))


def _target_cell(kr: KeyResult, numbers: Numbers, scale: Scale) -> str:
    key = (
        numbers,
        scale,
        *(
            (type(v), v)
            for v in (
                kr.kr_kind,
                kr.deduction,
                kr.target,
                kr.target_kind,
                kr.money,
                kr.unit,
                kr.target_per,
                kr.per,
                kr.sourced,
                kr.total if kr.sourced is not None else None,
            )
        ),
    )
    found = _TARGETS.get(key)
    if found is None:
        if len(_TARGETS) > 1 << 16:
            _TARGETS.clear()
        found = _TARGETS[key] = _cell(kr_target_text(kr, numbers.locale, numbers, scale))
    return found


_TARGETS: dict[tuple[Any, ...], str] = {}
