"""The HTML report's view of the plan as a whole: which levels a page shows, the header's
facts, the outline of the organisation, and what the optimizer did (stretch, binding
constraints, hires, conflict and relaxations)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from itertools import compress, repeat
from operator import attrgetter, is_
from typing import Any

import networkx as nx

from okrplan import queries
from okrplan.export.charts import StretchRow, stretch_chart
from okrplan.export.report_roles import join_texts, merge_spans
from okrplan.graph import node, root_of
from okrplan.model import KeyResult, KRKind, Number, RoleGroup, Unit
from okrplan.numbers import numbers_for
from okrplan.plan import Plan
from okrplan.present import LABELS, binding_text, label, money_text, people_text
from okrplan.quantity import format_number
from okrplan.render.labels import owner_title

MAX_CARDS = 300
"""A page shows whole levels of the organisation, from the top down, while their OKR sheets
number at most this many (at least the top unit's level): a page of ten thousand tables helps
nobody, and its size would grow with the organisation. The deeper levels are in ``sheets/``
and in a page per unit (``okrplan report --unit``)."""
#: More rows than this in the stretch chart and it shows units only.
STRETCH_ROWS_MAX = 80


def anchor_of(owner: str) -> str:
    """A stable HTML id for an owner: ``s-`` and a short hash of its node id.

    >>> anchor_of("u:A公司")
    's-1145d252a1'
    """
    return "s-" + hashlib.sha1(owner.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class Scope:
    """What a page shows: the units from ``top`` down to ``levels`` levels below it (``None``:
    all of them), and how many units and role groups there are below ``top`` in all."""

    top: str
    levels: int | None
    units: int
    groups: int
    below: dict[str, tuple[int, int]]  # a unit → the units and role groups below it
    # what the page reads of every unit from ``top`` down, summed in the same pass as
    # ``below``: the headcount below it, and the quota and basis of the groups with a stretch
    # below it (units without such a group left out)
    people: dict[str, int] = field(compare=False, repr=False)
    stretch: dict[str, tuple[int | Fraction, ...]] = field(compare=False, repr=False)


def scope_of(plan: Plan, unit: str | None = None, max_cards: int = MAX_CARDS) -> Scope:
    """The levels a page about ``unit`` (the whole organisation by default) shows: as many
    as have at most ``max_cards`` sheets, the top level always.

    Raises
    ------
    LookupError
        If ``unit`` names no unit of the plan, or several (see
        :func:`okrplan.queries.find_unit`).
    """
    graph = plan.graph
    top = queries.find_unit(graph, unit) if unit is not None else root_of(graph)
    sums = _Sums(graph, top)
    per_level = sums.per_level()  # sheets at each level below top
    units, groups = sums.below[top]
    levels, shown = 0, per_level[0]
    while levels + 1 < len(per_level) and shown + per_level[levels + 1] <= max_cards:
        levels += 1
        shown += per_level[levels]
    return Scope(
        top,
        None if levels + 1 == len(per_level) else levels,
        units + 1,
        groups,
        sums.below,
        sums.people,
        sums.stretch,
    )


class _Sums:
    """Each unit from ``top`` down with what the page counts below it (the units and role
    groups, the people, and the quota and basis of the groups with a stretch, see
    :func:`_stretched`), in one pass over the organisation, children before parents: the
    scope, the cards' headcounts and the stretch chart each walked all of it (29,000 units
    and role groups on a roster of 100,000 people)."""

    def __init__(self, graph: nx.DiGraph, top: str) -> None:
        self.top = top
        self.below: dict[str, tuple[int, int]] = {}
        self.people: dict[str, int] = {}
        self.stretch: dict[str, tuple[int | Fraction, ...]] = {}
        self._units: dict[str, tuple[int, list[str]]] = {}  # role groups with a sheet, units
        order = queries.tree_order(graph, top)
        for owner in reversed(order):
            record = node(graph, owner)
            if isinstance(record, Unit):
                self._add(graph, owner)

    def _add(self, graph: nx.DiGraph, owner: str) -> None:
        below, people, stretch = self.below, self.people, self.stretch
        units = roles = count = groups = 0
        quota: int | Fraction = 0
        basis: int | Fraction = 0
        found = False
        kids: list[str] = []
        for child in queries.org_children(graph, owner):
            kid = node(graph, child)
            if isinstance(kid, RoleGroup):
                count += kid.headcount
                if kid.headcount > 0:  # those with a sheet
                    groups += 1
                if _stretched(kid) and kid.selling:
                    quota += _exact(kid.selling.quota)
                    basis += _exact(kid.selling.basis)
                    found = True
            elif isinstance(kid, Unit):
                kids.append(child)
                more = below[child]
                units, roles = units + 1 + more[0], roles + more[1]
                count += people[child]
                if child in stretch:
                    quota, basis = quota + stretch[child][0], basis + stretch[child][1]
                    found = True
        below[owner] = (units, roles + groups)
        people[owner] = count
        if found:
            stretch[owner] = (quota, basis)
        self._units[owner] = (groups, kids)

    def per_level(self) -> list[int]:
        """The sheets at each level below ``top`` (a unit's and its role groups')."""
        per_level: list[int] = []
        stack = [(self.top, 0)]
        while stack:
            owner, level = stack.pop()
            groups, kids = self._units[owner]
            if len(per_level) <= level:
                per_level.append(0)
            per_level[level] += 1 + groups
            stack.extend((kid, level + 1) for kid in kids)
        return per_level


def _path(graph: nx.DiGraph, owner: str) -> tuple[str, ...]:
    record = node(graph, owner)
    return record.path if isinstance(record, Unit | RoleGroup) else ()


# ---------------------------------------------------------------------------------------------
# The page header and the outline


def plan_facts(plan: Plan) -> list[dict[str, str]]:
    """The page header's facts, ``{text, cls}``; an infeasible status stands out."""
    locale, meta = plan.locale, plan.meta
    status = str(plan.solver.status)
    kpi = meta.get("kpi", {})
    base = plan.metrics.get(str(kpi.get("base", "")), {}).get("name", kpi.get("base", ""))
    if kpi.get("metric") and kpi.get("metric") != kpi.get("base"):  # a share KPI
        base = f"{plan.metrics.get(kpi['metric'], {}).get('name', kpi['metric'])} → {base}"
    status_text = (
        label(locale, f"status_{status}")
        if status in ("optimal", "feasible", "infeasible")
        else status
    )
    facts = [
        {"text": f"{label(locale, 'period')} {meta.get('period', '')}", "cls": ""},
        {
            "text": f"{label(locale, 'kpi')} {base} "
            f"{money_text(kpi.get('target', 0), locale, numbers_for(meta))}",
            "cls": "",
        },
        {"text": f"{label(locale, 'status')}: {status_text}", "cls": f"status-{status}"},
    ]
    stretch = plan.solver.stretch
    if stretch is not None:
        facts.append({"text": f"{label(locale, 'stretch')} {stretch}", "cls": ""})
    people = sum(r.headcount for r in queries.records_of(plan.graph, RoleGroup))
    facts.append({"text": people_text(people, locale), "cls": ""})
    hires = sum(plan.solver.hires.values())
    if hires:
        facts.append({"text": f"{label(locale, 'hires')} {hires}", "cls": ""})
    return facts


def outline(plan: Plan, sheets: set[str], scope: Scope) -> list[dict[str, Any]]:
    """The units of ``scope`` as nested items (units open to two levels, then closed), each
    pointing at its box in the tree and, where it has one, its sheet; a unit on the last
    level shown says how much is below it."""
    locale, graph = plan.locale, plan.graph

    def item(owner: str, depth: int) -> dict[str, Any]:
        people: tuple[str, ...]
        record = node(graph, owner)
        kids = queries.org_children(graph, owner)
        more = ""
        if scope.levels is not None and depth >= scope.levels and isinstance(record, Unit):
            kids = [k for k in kids if isinstance(node(graph, k), RoleGroup)]
            units, groups = scope.below.get(owner, (0, 0))
            groups -= len(kids)
            if units:
                more = label(locale, "r_more").format(
                    units=format_number(Decimal(units), locale),
                    groups=format_number(Decimal(groups), locale),
                )
        badge, people = "", ()
        if isinstance(record, RoleGroup):
            people = record.people
            if record.selling is not None:
                badge = money_text(record.selling.per_person, locale, numbers_for(plan.meta))
        elif isinstance(record, Unit) and record.target is not None:
            badge = money_text(record.target, locale, numbers_for(plan.meta))
        return {
            "title": owner_title(record, plan.locale),
            "kind": "role" if isinstance(record, RoleGroup) else "unit",
            "anchor": anchor_of(owner),
            "sheet": owner in sheets,
            "badge": badge,
            "open": depth < 2,
            "more": more,
            "search": " ".join([owner_title(record, plan.locale), *people]).lower(),
            "children": [item(c, depth + isinstance(node(graph, c), Unit)) for c in kids],
        }

    return [item(scope.top, 0)]


def first_deep_unit(plan: Plan, scope: Scope) -> str:
    """The name of the first unit on the level below those a page shows (an example for
    ``okrplan report --unit``)."""
    graph = plan.graph

    def walk(owner: str, depth: int) -> str | None:
        if depth == (scope.levels or 0) + 1:
            return node(graph, owner).name
        for kid in queries.org_children(graph, owner):
            if isinstance(node(graph, kid), Unit):
                found = walk(kid, depth + 1)
                if found is not None:
                    return found
        return None

    return walk(scope.top, 0) or node(graph, scope.top).name


def quoted(text: str) -> str:
    """``text`` as one shell word (quoted only where it needs to be)."""
    import shlex

    return text if re.fullmatch(r"[\w./-]+", text) else shlex.quote(text)


# ---------------------------------------------------------------------------------------------
# What the optimizer did


def _stretched(group: RoleGroup) -> bool:
    """A group whose stretch means something: people, a basis and a quota."""
    selling = group.selling
    return selling is not None and bool(group.headcount) and bool(selling.basis)


def stretch_svg(plan: Plan, scope: Scope) -> str:
    """Stretch per unit of ``scope`` (its groups' quota ÷ their basis, all levels below it
    counted) with its role groups below it."""
    graph, locale = plan.graph, plan.locale
    rows: list[StretchRow] = []
    values = [
        float(r.selling.stretch)
        for r in queries.records_of(graph, RoleGroup)
        if _stretched(r) and r.selling and r.selling.stretch is not None
    ]
    top = max(values, default=0.0)

    totals = scope.stretch

    def walk(owner: str, depth: int) -> None:
        if owner not in totals:
            return  # no group with a stretch below it
        quota, basis = totals[owner]
        value = float(quota / basis)
        rows.append(StretchRow(node(graph, owner).name, value, f"{value:.2f}", depth))
        for child in queries.org_children(graph, owner):
            record = node(graph, child)
            if isinstance(record, RoleGroup) and _stretched(record) and record.selling:
                if record.selling.stretch is None:
                    continue
                stretch = float(record.selling.stretch)
                rows.append(
                    StretchRow(
                        owner_title(record, plan.locale),
                        stretch,
                        f"{stretch:.2f}",
                        depth + 1,
                        unit=False,
                        largest=stretch >= top - 1e-9,
                    )
                )
            elif isinstance(record, Unit) and (scope.levels is None or depth < scope.levels):
                walk(child, depth + 1)

    walk(scope.top, 0)
    if not rows:
        return ""
    if len(rows) > STRETCH_ROWS_MAX:
        rows = [r for r in rows if r.unit][:STRETCH_ROWS_MAX]
    note = label(locale, "r_stretch_note") if any(r.largest for r in rows) else ""
    return stretch_chart(
        rows, title=label(locale, "r_stretch"), reference=label(locale, "r_stretch_ref"), note=note
    )


def _exact(value: Number) -> int | Fraction:
    """An amount as an exact number (a whole one stays an int: sums of ints are cheaper)."""
    return value if type(value) is int else Fraction(str(value))


def subject_text(plan: Plan, subject: str) -> str:
    """A role group or unit named as a planner reads it: ``销售岗 · A公司 / 销售部``."""
    graph = plan.graph
    for key in (subject, f"u:{subject}", f"r:{subject}"):
        if key in graph:
            record = node(graph, key)
            path = " / ".join(_path(graph, key))
            if isinstance(record, RoleGroup):
                return f"{record.label or record.name} · {path}"
            return path or record.name
    return subject


def binding(plan: Plan) -> list[dict[str, str]]:
    locale, metrics = plan.locale, plan.metrics
    grouped: dict[str, list[str]] = {}
    # each different reason read once: a roster's 6,111 bindings have 56 reasons
    texts: dict[str, str] = {}
    for entry in plan.solver.binding:
        text = texts.get(entry.reason)
        if text is None:
            text = texts[entry.reason] = binding_text(entry.reason, metrics, locale)
        grouped.setdefault(entry.subject, []).append(text)
    joined: dict[tuple[str, ...], str] = {}  # and each different list of them merged once
    out = []
    for subject, reasons in grouped.items():
        key = tuple(reasons)
        text = joined.get(key)
        if text is None:
            text = joined[key] = join_texts(merge_spans(reasons), locale)
        out.append({"subject": subject_text(plan, subject), "reasons": text})
    return out


_KR_KIND = attrgetter("kr_kind")


def hires(plan: Plan) -> list[dict[str, str]]:
    """The hires the plan needs: its staffing key results, then hires the solver reports
    that no key result covers."""
    graph, locale = plan.graph, plan.locale
    out = []
    covered = set()
    krs = queries.records_of(graph, KeyResult)
    # the staffing key results picked out in C (of 114,000 key results at 100,000 people, 3)
    staffing = compress(krs, map(is_, map(_KR_KIND, krs), repeat(KRKind.STAFFING)))
    for kr in staffing:
        group = kr.hires or ""
        covered.add(group)
        out.append(
            {
                "unit": " / ".join(_path(graph, kr.owner)),
                "role": node(graph, group).name if group in graph else kr.name,
                "count": format_number(Decimal(str(kr.target or 0)), locale),
                "due": kr.due or "",
                "text": kr.name,
            }
        )
    for group, count in plan.solver.hires.items():
        if group in covered:
            continue
        out.append(
            {
                "unit": " / ".join(_path(graph, group)) if group in graph else "",
                "role": node(graph, group).name if group in graph else str(group),
                "count": str(count),
                "due": "",
                "text": "",
            }
        )
    return out


def _kind_text(kind: str, locale: str) -> str:
    key = f"r_kind_{kind}"
    known = LABELS["en" if locale.startswith("en") else "zh-CN"]
    return label(locale, key) if key in known else kind


def conflict(plan: Plan) -> list[dict[str, str]]:
    out = []
    for entry in plan.solver.conflict:
        kind, subject = _kind_text(entry.kind, plan.locale), subject_text(plan, entry.subject)
        out.append({"kind": kind, "subject": subject})
    return out


def relaxations(plan: Plan) -> list[dict[str, str]]:
    out = []
    for relaxation in plan.solver.relaxations:
        out.append(
            {
                "kind": _kind_text(relaxation.kind, plan.locale),
                "subject": subject_text(plan, relaxation.owner),
                "current": relaxation.current,
                "needed": relaxation.needed,
                "message": relaxation.message,
            }
        )
    return out
