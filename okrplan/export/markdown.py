"""plan.md: the whole tree, every unit's and role's objectives and key results with numbers."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from okrplan.graph import Kind, children, krs_of, objectives_of, root_of
from okrplan.plan import Plan
from okrplan.present import kr_target_text, label, money_text, per_text, weight_text
from okrplan.quantity import format_percent

from .sheets import md_cell


def _cell(text: object) -> str:
    """Text from the target file, for a table cell, heading or line: nothing in it can break
    the table or become markup (HTML included)."""
    return md_cell(text)


def to_markdown(plan: Plan) -> str:
    """The plan as Markdown text (pure; see :func:`okrplan.export.output.write_plan_dir`)."""
    graph, locale = plan.graph, plan.locale
    meta, solver = plan.meta, plan.solver
    lines = [f"# {_cell(meta.get('name', ''))}", ""]
    kpi = meta.get("kpi", {})
    base = plan.metrics.get(kpi.get("base", ""), {})
    facts = [
        f"{label(locale, 'period')} {meta.get('period', '')}",
        f"{label(locale, 'kpi')} {base.get('name', kpi.get('base', ''))} "
        f"{money_text(kpi.get('target', 0), locale)}",
        f"{label(locale, 'buffer')} {format_percent(Decimal(str(meta.get('buffer', 0))), locale)}",
        f"{label(locale, 'status')}: {solver.get('status')} "
        f"({label(locale, 'stretch')} {solver.get('stretch')})",
    ]
    lines += [_cell(" · ".join(facts)), ""]
    if solver.get("relaxations"):
        lines += [f"**{label(locale, 'relaxations')}**", ""]
        lines += [f"- {_cell(r['message'])}" for r in solver["relaxations"]]
        lines.append("")
    _unit(plan, root_of(graph), 2, lines)
    return "\n".join(lines).rstrip() + "\n"


def _unit(plan: Plan, node_id: str, depth: int, lines: list[str]) -> None:
    graph, locale = plan.graph, plan.locale
    data = graph.nodes[node_id]
    head = f"{'#' * min(depth, 6)} {_cell(data['name'])}"
    if data.get("lead"):
        head += f" ({_cell(data['lead'])})"
    if "target" in data:
        head += f" — {money_text(data['target'], locale)}"
        if "assigned" in data:
            head += f", {label(locale, 'assigned')} {money_text(data['assigned'], locale)}"
    lines += [head, ""]
    _objectives(plan, node_id, lines)
    for child in children(graph, node_id):
        if graph.nodes[child]["kind"] == Kind.UNIT:
            continue
        role = graph.nodes[child]
        head = (
            f"{'#' * min(depth + 1, 6)} {_cell(role.get('label', role['name']))} "
            f"× {role['headcount']}"
        )
        if role.get("per_person") is not None:
            head += f" — {label(locale, 'per_person')} {money_text(role['per_person'], locale)}"
        lines += [head, ""]
        if role.get("people"):
            lines += [f"{label(locale, 'people')}: {_cell('、'.join(role['people']))}", ""]
        _objectives(plan, child, lines)
    for child in children(graph, node_id):
        if graph.nodes[child]["kind"] == Kind.UNIT:
            _unit(plan, child, depth + 1, lines)


def _objectives(plan: Plan, owner: str, lines: list[str]) -> None:
    graph, locale = plan.graph, plan.locale
    objectives = objectives_of(graph, owner)
    if not objectives:
        return
    lines.append(
        f"| {label(locale, 'no')} | {label(locale, 'objective')} | "
        f"{label(locale, 'kr')} | {label(locale, 'target')} | {label(locale, 'per')} | "
        f"{label(locale, 'weight')} |"
    )
    lines.append("|---|---|---|---|---|---|")
    for number, oid in enumerate(objectives, start=1):
        objective = graph.nodes[oid]
        for index, kid in enumerate(krs_of(graph, oid)):
            kr = graph.nodes[kid]
            first = index == 0
            text = kr["name"] + (
                f" ({label(locale, 'deduction')})" if kr.get("kr_kind") == "deduction" else ""
            )
            lines.append(
                "| "
                + " | ".join(
                    [
                        str(number) if first else "",
                        _cached_cell(objective["name"]) if first else "",
                        _cached_cell(text),
                        _target_cell(kr, locale),
                        per_text(kr.get("per", "plan"), locale),
                        weight_text(kr.get("weight")),
                    ]
                )
                + " |"
            )
    lines.append("")


# A large plan repeats the same names and targets on thousands of sheets: each is escaped and
# formatted once.
_cached_cell = lru_cache(maxsize=1 << 16)(lambda text: _cell(text))
_TARGET_FIELDS = (
    "kr_kind",
    "deduction",
    "target",
    "target_kind",
    "money",
    "unit",
    "target_per",
    "per",
)


def _target_cell(kr: dict[str, Any], locale: str) -> str:
    key = (locale, *((type(v), v) for v in (kr.get(f) for f in _TARGET_FIELDS)))
    found = _TARGETS.get(key)
    if found is None:
        if len(_TARGETS) > 1 << 16:
            _TARGETS.clear()
        found = _TARGETS[key] = _cell(kr_target_text(kr, locale))
    return found


_TARGETS: dict[tuple[Any, ...], str] = {}
