"""What changed between two plans: units, roles, people and KRs, keyed by node and period.

:func:`diff_plans` compares two :class:`~okrplan.plan.Plan` values node by node (node ids are
stable names built from the target file, so the same unit, role or KR has the same id in
both); each difference is a :class:`Change` with the old and new value and, for numbers, the
change Δ and Δ%. Changes come grouped by unit (a role's and a KR's unit is its owner's),
units in the newer plan's display order (units only the older plan has after them), and
within a unit in the order the plan lists its nodes, fields and periods: the same two plans
always give the same diff. :func:`diff_text`, :func:`diff_markdown` and :func:`diff_json`
write it out in the newer plan's locale.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import networkx as nx

from okrplan import queries
from okrplan.graph import node
from okrplan.model import KeyResult, Node, Objective, RoleGroup, Unit
from okrplan.planmeta import Binding
from okrplan.quantity import format_number
from okrplan.text import text_width

Value = Decimal | str | None


@dataclass(frozen=True, slots=True)
class Change:
    """One difference. ``change`` is ``added``, ``removed`` or ``changed``; ``field`` what of
    the node changed (``node`` for a node added or removed, ``target``, ``total``,
    ``period``, ``headcount``, ``person``…); ``period`` the period label of a ``period``
    change."""

    unit: str
    node: str
    kind: str
    name: str
    change: str
    field: str
    period: str = ""
    old: Value = None
    new: Value = None
    money: bool = False

    @property
    def delta(self) -> Decimal | None:
        """new − old, where both are numbers (an added or removed value counts as 0)."""
        old, new = self.old, self.new
        if isinstance(old, str) or isinstance(new, str) or (old is None and new is None):
            return None
        return (new or Decimal(0)) - (old or Decimal(0))

    @property
    def ratio(self) -> Decimal | None:
        """Δ ÷ old, where old is a number other than 0."""
        delta, old = self.delta, self.old
        if delta is None or not isinstance(old, Decimal) or old == 0:
            return None
        return delta / old


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """The changes from plan ``old`` to plan ``new``, in order (see the module docstring)."""

    changes: tuple[Change, ...]
    locale: str
    names: Mapping[str, str]  # unit id → its path as a planner reads it

    @property
    def equal(self) -> bool:
        return not self.changes


def diff_plans(old: Any, new: Any, *, unit: str | None = None) -> PlanDiff:
    """The changes from plan ``old`` to plan ``new``.

    Parameters
    ----------
    old, new : okrplan.plan.Plan
        The plans; ``new``'s locale is the diff's.
    unit : str, optional
        Only changes in this unit and below (a unit's id, as :func:`okrplan.queries.unit_option`
        returns it).
    """
    old_graph, new_graph = old.graph, new.graph
    ranks = _unit_ranks(new_graph, old_graph)
    changes: list[tuple[tuple[int, int, int], Change]] = []
    for rank, record in _records(new_graph, old_graph):
        before = _record(old_graph, record.id)
        after = _record(new_graph, record.id)
        graph = new_graph if after is not None else old_graph
        home = _unit_of(graph, record)
        if unit is not None and not _within(home, unit):
            continue
        for i, change in enumerate(_node_changes(home, _label(graph, record), before, after)):
            changes.append(((ranks.get(home, len(ranks)), rank, i), change))
    changes.sort(key=lambda item: item[0])
    if unit is None:
        changes += [((0, 0, 0), c) for c in _meta_changes(old.meta, new.meta)]
        changes += [((0, 0, 0), c) for c in _solver_changes(old, new)]
    names = {u: " / ".join(_unit_path(new_graph, old_graph, u)) for u in ranks}
    return PlanDiff(tuple(c for _, c in changes), new.locale, names)


def _records(new: nx.DiGraph, old: nx.DiGraph) -> Iterator[tuple[int, Node]]:
    """Every node of ``new`` then those only ``old`` has, with a rank in that order."""
    rank = 0
    for record in queries.records(new):
        yield rank, record
        rank += 1
    for record in queries.records(old):
        if record.id not in new:
            yield rank, record
            rank += 1


def _record(graph: nx.DiGraph, node_id: str) -> Node | None:
    return node(graph, node_id) if node_id in graph else None


def _unit_ranks(new: nx.DiGraph, old: nx.DiGraph) -> dict[str, int]:
    ranks: dict[str, int] = {}
    for graph in (new, old):
        for node_id in queries.tree_order(graph):
            if isinstance(node(graph, node_id), Unit):
                ranks.setdefault(node_id, len(ranks))
    return ranks


def _unit_path(new: nx.DiGraph, old: nx.DiGraph, unit_id: str) -> tuple[str, ...]:
    graph = new if unit_id in new else old
    return queries.unit(graph, unit_id).path


def _unit_of(graph: nx.DiGraph, record: Node) -> str:
    if isinstance(record, Unit):
        return record.id
    if isinstance(record, RoleGroup):
        return "u:" + "/".join(record.path)
    owner = node(graph, record.owner)
    return _unit_of(graph, owner)


def _within(unit_id: str, top: str) -> bool:
    return unit_id == top or unit_id.startswith(top + "/")


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    return Decimal(str(value))


def _label(graph: nx.DiGraph, record: Node) -> str:
    """How a row names a node: a role group by its label, an objective or KR by its owner's
    name or label and its own name."""
    if isinstance(record, KeyResult | Objective):
        owner = node(graph, record.owner)
        return f"{owner.label if isinstance(owner, RoleGroup) else owner.name} · {record.name}"
    if isinstance(record, RoleGroup):
        return record.label
    return record.name


def _fields(record: Node | None) -> dict[str, Any]:
    """The values of a node that a diff compares, by field name, in display order."""
    if record is None:
        return {}
    if isinstance(record, KeyResult):
        return {"target": record.target, "total": record.total, "weight": record.weight}
    if isinstance(record, RoleGroup):
        selling = record.selling
        return {
            "headcount": record.headcount,
            "quota": selling.quota if selling else None,
            "per_person": selling.per_person if selling else None,
            "stretch": selling.stretch if selling else None,
        }
    if isinstance(record, Unit):
        return {"target": record.target, "assigned": record.assigned}
    return {"weight": record.weight}


def _node_changes(
    home: str, name: str, before: Node | None, after: Node | None
) -> Iterator[Change]:
    record = after if after is not None else before
    assert record is not None
    kind = str(record.kind)
    money = bool(isinstance(record, KeyResult) and record.money)
    base = Change(home, record.id, kind, name, "changed", "", money=money)
    if before is None or after is None:
        yield replace(base, change="added" if before is None else "removed", field="node")
        return
    old_fields, new_fields = _fields(before), _fields(after)
    for field, new_value in new_fields.items():
        old_value = old_fields.get(field)
        if old_value != new_value:
            yield _changed(base, field, "", old_value, new_value)
    if isinstance(before, KeyResult) and isinstance(after, KeyResult):
        if before.text != after.text:
            yield replace(base, field="text", old=before.text, new=after.text)
        yield from _period_changes(base, before.periods, after.periods)
    if isinstance(before, RoleGroup) and isinstance(after, RoleGroup):
        for person in after.people:
            if person not in before.people:
                yield replace(base, name=f"{name} · {person}", change="added", field="person")
        for person in before.people:
            if person not in after.people:
                yield replace(base, name=f"{name} · {person}", change="removed", field="person")


def _changed(base: Change, field: str, period: str, old: Any, new: Any) -> Change:
    change = "added" if old is None else "removed" if new is None else "changed"
    return replace(
        base, change=change, field=field, period=period, old=_number(old), new=_number(new)
    )


def _period_changes(
    base: Change, old: Mapping[str, Any], new: Mapping[str, Any]
) -> Iterator[Change]:
    for label in sorted({*old, *new}):
        if old.get(label) != new.get(label):
            yield _changed(base, "period", label, old.get(label), new.get(label))


HISTORY_KEYS = frozenset({"parent", "target", "as_of", "overrides"})
"""Keys of plan.json's ``plan`` that say where a plan came from, not what it plans: a plan
and its re-plan always differ there, so a diff leaves them out."""


def _flat(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key in sorted(value):
            if not prefix and key in HISTORY_KEYS:
                continue
            yield from _flat(value[key], f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _flat(item, f"{prefix}[{i}]")
    else:
        yield prefix, value


def _meta_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    """The plan's own settings that changed (name, period, locale, KPI, buffer, months,
    seasonality, rounding, weights), by key path."""
    base = Change("", "plan", "plan", "", "changed", "setting")
    before, after = dict(_flat(old)), dict(_flat(new))
    for key in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if isinstance(a, str) or isinstance(b, str) or isinstance(a, bool) or isinstance(b, bool):
            change = "added" if a is None else "removed" if b is None else "changed"
            yield replace(
                base,
                name=key,
                change=change,
                field="setting",
                old=None if a is None else str(a),
                new=None if b is None else str(b),
            )
        else:
            yield _changed(replace(base, name=key), "setting", "", a, b)


def _solver_changes(old_plan: Any, new_plan: Any) -> Iterator[Change]:
    """The solver's changes: status, largest stretch, hires per role group, and the binding
    constraints that appeared or went away (in the newer plan's words)."""
    from okrplan.export.report_plan import subject_text
    from okrplan.present import status_text

    old, new = old_plan.solver, new_plan.solver
    locale = new_plan.locale
    base = Change("", "solver", "solver", "solver", "changed", "")
    if old.status != new.status:
        was, now = status_text(old.status, locale), status_text(new.status, locale)
        yield replace(base, field="status", old=was, new=now)
    if old.stretch != new.stretch:
        yield _changed(base, "stretch", "", old.stretch, new.stretch)
    hires_old, hires_new = old.hires, new.hires
    for gid in sorted({*hires_old, *hires_new}):
        if hires_old.get(gid) != hires_new.get(gid):
            plan = new_plan if gid in new_plan.graph else old_plan
            was, now = hires_old.get(gid, 0), hires_new.get(gid, 0)
            yield _changed(replace(base, name=subject_text(plan, gid)), "hires", "", was, now)
    binding_old, binding_new = set(old.binding), set(new.binding)
    for entry in sorted(binding_new - binding_old, key=str):
        name = _binding_name(new_plan, entry, locale)
        yield replace(base, name=name, change="added", field="binding")
    for entry in sorted(binding_old - binding_new, key=str):
        name = _binding_name(old_plan, entry, locale)
        yield replace(base, name=name, change="removed", field="binding")


def _binding_name(plan: Any, entry: Binding, locale: str) -> str:
    """``销售岗 · A公司 / 销售部: 产能 …``: what binds whom, as the report says it."""
    from okrplan.export.report_plan import subject_text
    from okrplan.present import binding_text

    return (
        f"{subject_text(plan, entry.subject)}: {binding_text(entry.reason, plan.metrics, locale)}"
    )


# ---------------------------------------------------------------------------------------------
# Writing a diff out.

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "no changes": "no changes",
        "added": "added",
        "removed": "removed",
        "changed": "changed",
        "unit": "unit",
        "node": "node",
        "field": "field",
        "period": "period",
        "old": "old",
        "new": "new",
        "delta": "Δ",
        "ratio": "Δ%",
        "solver": "solver",
        "summary": "{n} changes: {added} added, {removed} removed, {changed} changed",
        "target": "target",
        "total": "total",
        "weight": "weight",
        "headcount": "headcount",
        "quota": "quota",
        "per_person": "per person",
        "stretch": "stretch",
        "assigned": "passed down",
        "person": "person",
        "text": "text",
        "status": "status",
        "hires": "hires",
        "binding": "binding",
        "setting": "setting",
        "plan": "plan",
    },
    "zh": {
        "no changes": "无变化",
        "added": "新增",
        "removed": "删除",
        "changed": "变化",
        "unit": "单位",
        "node": "节点",
        "field": "字段",
        "period": "期间",
        "old": "原值",
        "new": "新值",
        "delta": "Δ",
        "ratio": "Δ%",
        "solver": "求解",
        "summary": "共 {n} 处变化：新增 {added}，删除 {removed}，变化 {changed}",
        "target": "目标",
        "total": "全年合计",
        "weight": "权重",
        "headcount": "人数",
        "quota": "指标",
        "per_person": "人均指标",
        "stretch": "拉伸度",
        "assigned": "下达",
        "person": "人员",
        "text": "文字",
        "status": "状态",
        "hires": "招聘",
        "binding": "约束",
        "setting": "设置",
        "plan": "计划",
    },
}


def _word(locale: str, key: str) -> str:
    return _WORDS["zh" if locale.startswith("zh") else "en"].get(key, key)


def _value_text(value: Value, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return format_number(value, locale)


def _signed(value: Decimal | None, locale: str) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + format_number(value, locale)


def _percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value * 100:+.1f}%"


def rows(diff: PlanDiff) -> list[list[str]]:
    """The diff as table rows: unit, node, field, period, old, new, Δ, Δ% (a header first)."""
    locale = diff.locale
    head = ["unit", "node", "field", "period", "old", "new", "delta", "ratio"]
    out = [[_word(locale, h) for h in head]]
    for c in diff.changes:
        field = _word(locale, c.field) if c.field != "node" else _word(locale, c.change)
        if c.change != "changed" and c.field != "node":
            field = f"{field} ({_word(locale, c.change)})"
        out.append(
            [
                diff.names.get(c.unit, _word(locale, c.kind)),
                _word(locale, c.name) if c.kind == "solver" else c.name,
                field,
                c.period,
                _value_text(c.old, locale),
                _value_text(c.new, locale),
                _signed(c.delta, locale),
                _percent(c.ratio),
            ]
        )
    return out


def _summary(diff: PlanDiff) -> str:
    counts = {k: sum(1 for c in diff.changes if c.change == k) for k in _CHANGES}
    return _word(diff.locale, "summary").format(n=len(diff.changes), **counts)


_CHANGES = ("added", "removed", "changed")


def diff_text(diff: PlanDiff) -> str:
    """The diff as an aligned plain-text table (wide characters counted as two columns), or
    ``no changes``."""
    if diff.equal:
        return _word(diff.locale, "no changes") + "\n"
    table = [[_clip(cell) for cell in row] for row in rows(diff)]
    widths = [max(text_width(r[i]) for r in table) for i in range(len(table[0]))]
    numeric = {4, 5, 6, 7}
    lines = []
    for row in table:
        cells = [
            " " * (w - text_width(t)) + t if i in numeric else t + " " * (w - text_width(t))
            for i, (t, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join([*lines, _summary(diff)]) + "\n"


TEXT_WIDTH = 48
"""Widest cell of the plain-text table (a long KR name or constraint is cut with …)."""


def _clip(text: str) -> str:
    if text_width(text) <= TEXT_WIDTH:
        return text
    out = ""
    for char in text:
        if text_width(out + char) > TEXT_WIDTH - 1:
            break
        out += char
    return out + "…"


def diff_markdown(diff: PlanDiff) -> str:
    """The diff as a Markdown table, or ``no changes``."""
    if diff.equal:
        return _word(diff.locale, "no changes") + "\n"
    table = rows(diff)

    def line(cells: Iterable[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    rule = "|" + "|".join("---:" if i >= 4 else "---" for i in range(len(table[0]))) + "|"
    return (
        "\n".join([line(table[0]), rule, *(line(r) for r in table[1:]), "", _summary(diff)]) + "\n"
    )


def diff_json(diff: PlanDiff) -> str:
    """The diff as JSON: ``{"equal", "changes": [...]}``, numbers as JSON numbers (an exact
    decimal written as an integer or float)."""

    def number(value: Value) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value

    changes = [
        {
            "unit": c.unit,
            "node": c.node,
            "kind": c.kind,
            "name": c.name,
            "change": c.change,
            "field": c.field,
            "period": c.period,
            "old": number(c.old),
            "new": number(c.new),
            "delta": number(c.delta),
            "ratio": number(c.ratio.quantize(Decimal("0.0001")) if c.ratio is not None else None),
        }
        for c in diff.changes
    ]
    data = {"equal": diff.equal, "changes": changes}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
