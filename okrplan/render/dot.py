"""Goal-tree diagrams as Graphviz DOT text: pure functions, no ``dot`` and no I/O.

Two views of a plan's goal graph:

- ``org``: one node per unit and role, an HTML-like table with the owner (its lead, target,
  headcount) and its objectives with their key results, targets, periods and weights; the
  ``contains`` edges make the tree.
- ``kr``: the key results the plan derives, clustered by owner, with ``drives`` edges (the
  funnel, labelled with its conversion rates), ``aligns`` edges (a child's KR rolls up into its
  parent's) and dashed ``supports`` edges (a support unit's KR into the KRs it feeds).

Large organisations stay readable: while a drawing has more than ``fold_above`` nodes,
identical sibling subtrees (same roles, same sheets) fold into one node, deepest level first,
with targets shown as ranges; if it still has more than ``max_nodes``, it is cut at the deepest
level that fits. The caption says what was folded and what was cut.

Every user string goes into an HTML-like label through :func:`escape_html`; node names in the
DOT text are generated (``n1``, ``n2``…), so no user text ever needs DOT quoting.
"""

from __future__ import annotations

import re
from decimal import Decimal

from okrplan import queries
from okrplan.graph import Edge, Kind, root_of
from okrplan.model import Unit
from okrplan.numbers import numbers_for
from okrplan.plan import Plan
from okrplan.present import label, money_text
from okrplan.quantity import format_percent
from okrplan.render.labels import (
    CONFLICT,
    LEVELS,
    MUTED,
    NAME_WIDTH,
    ROLE,
    colours,
    kr_label,
    org_label,
    title,
)
from okrplan.render.layout import MAX_NODES, MAX_SIDE_BY_SIDE, Box, Context, Layout, View
from okrplan.render.layout import layout as lay_out
from okrplan.render.markup import circled, escape_html, html_lines, styled

__all__ = ["FONT", "MAX_NODES", "View", "escape_html", "find_unit", "to_dot"]

#: The CJK font the set-up installs (fonts-noto-cjk), then fallbacks for SVG viewers elsewhere.
FONT = "Noto Sans CJK SC"
FONTNAME = f"{FONT},Source Han Sans SC,PingFang SC,Microsoft YaHei,sans-serif"

_NOTE_WIDTH = 84
# The note of a units-only drawing (render's own words; the labels table is present.py's).
_UNITS_ONLY = {
    "zh": "只画了单位，{what}未画出：加 --depth N 画到第 N 层，或 --format pdf 每个单位一页",
    "en": "units only; {what} not drawn: add --depth N to draw N levels, "
    "or --format pdf for a page per unit",
}
_FOLLOWS_STYLE = 'color="#9E9E9E" penwidth=1.0 style=dotted arrowhead=empty'
_EDGE_STYLE = {
    Edge.DRIVES: 'color="#455A64" penwidth=1.4',
    Edge.ALIGNS: 'color="#1565C0" penwidth=1.1',
    Edge.SUPPORTS: 'color="#EF6C00" penwidth=1.4 style=dashed',
}


# ---------------------------------------------------------------------------------------------
# Conflicts, rates, caption


def _conflicts(ctx: Context, boxes: list[Box]) -> tuple[dict[int, list[int]], set[int]]:
    """Boxes (by index) in conflict, and the relaxation numbers that name each."""
    owner_box = {m: i for i, b in enumerate(boxes) for m in b.members}

    def box_of(subject: str) -> int | None:
        node = subject if subject in ctx.graph else "u:" + subject
        if node not in ctx.graph:
            return None
        while node not in owner_box and node in ctx.parent:
            node = ctx.parent[node]
        return owner_box.get(node)

    refs: dict[int, list[int]] = {}
    hit: set[int] = set()
    for entry in ctx.plan.solver.conflict:
        index = box_of(entry.subject)
        if index is not None:
            hit.add(index)
    for number, relaxation in enumerate(ctx.plan.solver.relaxations, start=1):
        index = box_of(relaxation.owner)
        if index is not None:
            hit.add(index)
            if number not in refs.setdefault(index, []):
                refs[index].append(number)
    return refs, hit


def _rate_text(ctx: Context, source: str, target: str) -> str:
    """The conversion from one funnel metric to the next it drives: ``5%``, ``30% × 20万``."""
    metrics = ctx.plan.metrics
    steps, metric, seen = [], source, set()
    while metric != target and metric in metrics and metric not in seen:
        seen.add(metric)
        yields = metrics[metric].get("yields") or {}
        if not yields:
            return ""
        following, rate = sorted(yields.items())[0]
        for candidate in yields:
            if candidate == target:
                following, rate = candidate, yields[candidate]
        if metrics.get(following, {}).get("kind") == "money":
            steps.append(money_text(rate, ctx.locale, ctx.numbers))
        else:
            steps.append(format_percent(Decimal(str(rate)), ctx.locale))
        metric = following
    return " × ".join(steps) if metric == target else ""


def _caption(
    ctx: Context,
    view: View,
    layout: Layout,
    boxes: list[Box],
    conflicts: bool,
    start: str,
    root: str,
) -> str:
    plan, locale = ctx.plan, ctx.locale
    meta = plan.meta
    title = styled(escape_html(str(meta.get("name", ""))), 18, bold=True)  # "" if no name
    rows = [f'<TR><TD ALIGN="LEFT">{title}</TD></TR>']
    facts = []
    if meta.get("period"):
        facts.append(f"{label(locale, 'period')} {meta['period']}")
    kpi = meta.get("kpi") or {}
    if kpi:
        metrics = plan.metrics
        base = metrics.get(kpi.get("base", ""), {}).get("name", kpi.get("base", ""))
        name = metrics.get(kpi.get("metric", ""), {}).get("name", base)
        text = f"{label(locale, 'kpi')} {name}"
        if kpi.get("metric") != kpi.get("base"):
            text += f" → {base}"
        if kpi.get("target") is not None:
            text += f" {money_text(kpi['target'], locale, numbers_for(meta))}"
        facts.append(text)
    status = str(plan.solver.status)
    if status in ("optimal", "feasible", "infeasible"):
        facts.append(f"{label(locale, 'status')}: {label(locale, 'status_' + status)}")
    if start != root:
        top = queries.unit(ctx.graph, start)
        facts.append(f"{label(locale, 'subtree')}: {'/'.join(top.path or (top.name,))}")
    rows.append(
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="11">'
        f"{escape_html(' · '.join(facts))}</FONT></TD></TR>"
    )
    rows.append(f'<TR><TD ALIGN="LEFT">{_legend(ctx, view, boxes, conflicts)}</TD></TR>')
    for note in _notes(ctx, view, layout, boxes):
        colour = CONFLICT if note[:1] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳(" else MUTED
        rows.append(
            f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="10" '
            f'COLOR="{colour}">{html_lines(note, _NOTE_WIDTH)}</FONT></TD></TR>'
        )
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
        + "".join(f"\n    {row}" for row in rows)
        + "</TABLE>>"
    )


def _notes(ctx: Context, view: View, layout: Layout, boxes: list[Box]) -> list[str]:
    """The caption's notes: what was folded and cut, and the relaxations (numbered)."""
    locale, plan = ctx.locale, ctx.plan
    notes = []
    folded = [b for b in boxes if len(b.members) > 1]
    if folded:
        notes.append(
            ctx.text("folded", members=sum(len(b.members) for b in folded), boxes=len(folded))
        )
    if layout.depth is not None:
        note = ctx.text("cut", depth=layout.depth, what=ctx.what_text(*layout.hidden))
        if layout.auto_cut and layout.wide:
            note += ctx.text("cut_wide", wide=MAX_SIDE_BY_SIDE)
        elif layout.auto_cut:
            note += ctx.text("cut_auto", max=layout.max_nodes)
        notes.append(note)
    if layout.units_only is not None and layout.units_only[0]:
        what = ctx.what_text(0, *layout.units_only)
        notes.append(_UNITS_ONLY["en" if ctx.locale == "en" else "zh"].format(what=what))
    if view is View.KR:
        notes.append(label(locale, "derived_only"))
    relaxations = plan.solver.relaxations
    if relaxations:
        notes.append(f"{label(locale, 'relaxations')}:")
        notes.extend(f"{circled(n)} {r.message}" for n, r in enumerate(relaxations, start=1))
    return notes


def _legend(ctx: Context, view: View, boxes: list[Box], conflicts: bool) -> str:
    """One line: a colour swatch per org level drawn (and roles, conflicts), the edge kinds."""
    parts = [styled(escape_html(label(ctx.locale, "legend")), bold=True)]
    levels = sorted({ctx.org_level(b.members[0]) for b in boxes if b.kind == Kind.UNIT})
    entries = [
        (
            LEVELS[(lv - 1) % len(LEVELS)][0],
            label(ctx.locale, "level_1") if lv == 1 else ctx.text("level_n", n=lv),
        )
        for lv in levels
    ]
    if any(b.kind == Kind.ROLE for b in boxes):
        entries.append((ROLE[0], label(ctx.locale, "role")))
    if conflicts:
        entries.append((CONFLICT, label(ctx.locale, "conflict")))
    parts += [f"{styled('■', colour=colour)} {escape_html(text)}" for colour, text in entries]
    if view is View.KR:
        present = {str(d["kind"]) for _, _, d in ctx.graph.edges(data=True)}
        if any((m.get("follows") or {}) for m in ctx.plan.metrics.values()):
            present.add("follows")
        for kind, glyph, style in (
            (Edge.DRIVES, "━━▶", _EDGE_STYLE[Edge.DRIVES]),
            (Edge.ALIGNS, "──▶", _EDGE_STYLE[Edge.ALIGNS]),
            (Edge.SUPPORTS, "┅┅▶", _EDGE_STYLE[Edge.SUPPORTS]),
            ("follows", "┈┈▷", _FOLLOWS_STYLE),
        ):
            if kind not in present:
                continue
            found = re.search(r'color="([^"]+)"', style)
            parts.append(
                f"{styled(glyph, colour=found.group(1) if found else None)} "
                f"{escape_html(label(ctx.locale, 'edge_' + kind))}"
            )
    return styled("    ".join(parts), 10)


# ---------------------------------------------------------------------------------------------
# The diagrams


def find_unit(plan: Plan, unit: str) -> str:
    """The id of the unit called ``unit`` (see :func:`okrplan.queries.find_unit`)."""
    return queries.find_unit(plan.graph, unit)


def to_dot(
    plan: Plan,
    *,
    view: View | str = View.ORG,
    unit: str | None = None,
    depth: int | None = None,
    fold: bool | None = None,
    fold_above: int | None = None,
    max_nodes: int = MAX_NODES,
    units_only: bool | None = None,
) -> str:
    """The plan's goal tree as Graphviz DOT text.

    Parameters
    ----------
    plan : Plan
        A solved plan (from a target file or a plan.json).
    view : {"org", "kr"}
        ``org``: units and roles with their sheets; ``kr``: key results and how they feed each
        other.
    unit : str, optional
        Draw only the subtree under this unit (a name, a path or a node id).
    depth : int, optional
        Draw this many levels (1 = the root unit alone; roles are one level below their unit).
    fold : bool, optional
        Fold identical sibling subtrees: ``None`` when the drawing is large, ``True`` always,
        ``False`` never.
    fold_above : int, optional
        The size above which ``fold=None`` folds (nodes; key results in the ``kr`` view).
    max_nodes : int
        Cut the tree at a shallower level while it has more nodes than this.
    units_only : bool, optional
        Draw the units without their roles: ``None`` when an org tree is large and no
        ``depth`` is asked for, ``True`` always, ``False`` never.

    Raises
    ------
    LookupError
        If ``unit`` names no unit, or more than one.
    ValueError
        If ``depth`` is below 1 or ``view`` is unknown.
    """
    view = View(view)
    if depth is not None and depth < 1:
        raise ValueError(f"depth must be at least 1, not {depth}")
    ctx = Context(plan)
    root = root_of(ctx.graph)
    start = find_unit(plan, unit) if unit is not None else root
    layout = lay_out(ctx, start, view, depth, fold, fold_above, max_nodes, units_only)
    boxes = list(layout.root.walk())
    refs, hit = _conflicts(ctx, boxes)
    caption = _caption(ctx, view, layout, boxes, bool(hit), start, root)
    return _dot_text(ctx, view, layout, boxes, (refs, hit), caption)


def _dot_text(
    ctx: Context,
    view: View,
    layout: Layout,
    boxes: list[Box],
    conflicts: tuple[dict[int, list[int]], set[int]],
    caption: str,
) -> str:
    """The DOT text of the laid-out ``boxes``: the graph's defaults, then the view's body."""
    refs, hit = conflicts
    lines = [
        "digraph okrplan {",
        f'  graph [charset="UTF-8" fontname="{FONTNAME}" bgcolor="white" pad="0.15" '
        + _graph_attrs(view)
        + ("]" if view is View.ORG else f' labelloc="t" labeljust="l"\n    label={caption}]'),
        f'  node [fontname="{FONTNAME}" fontsize="11"]',
        f'  edge [fontname="{FONTNAME}" fontsize="9" fontcolor="{MUTED}" arrowsize="0.7"]',
    ]
    names = {id(b): f"n{i}" for i, b in enumerate(boxes, start=1)}
    if view is View.ORG:
        lines += _org_body(ctx, boxes, names, refs, hit)
        # The caption sits beside the root, in the space a tree leaves empty above its sides.
        lines += [
            f'  caption [shape="plain" label={caption}]',
            f'  {{ rank="min"; caption; {names[id(layout.root)]} }}',
            f'  caption -> {names[id(layout.root)]} [style="invis" tailport="" headport=""]',
        ]
    else:
        lines += _kr_body(ctx, boxes, names, refs, hit)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _graph_attrs(view: View) -> str:
    if view is View.ORG:
        return 'rankdir="TB" nodesep="0.25" ranksep="0.4" splines="polyline"'
    return 'rankdir="LR" nodesep="0.18" ranksep="0.55" newrank="true"'


def _org_body(
    ctx: Context,
    boxes: list[Box],
    names: dict[int, str],
    refs: dict[int, list[int]],
    hit: set[int],
) -> list[str]:
    lines = [
        '  node [shape="plain"]',
        '  edge [color="#78909C" penwidth="1.2" arrowhead="none" tailport="s" headport="n"]',
    ]
    for index, box in enumerate(boxes):
        lines.append(
            f"  {names[id(box)]} [label={org_label(ctx, box, refs.get(index, []), index in hit)}]"
        )
    for box in boxes:
        lines.extend(f"  {names[id(box)]} -> {names[id(c)]}" for c in box.children)
    return lines


def _kr_cluster_head(ctx: Context, box: Box, marks: list[int], conflict: bool) -> str:
    """A cluster's label: the owner's name and lead, and a conflict mark."""
    name, lead = title(ctx, box)
    head = styled(html_lines(name, NAME_WIDTH), bold=True)
    if lead:
        head += styled("  " + escape_html(lead), 10)
    if conflict:
        refs = "".join(circled(r) for r in marks)
        head += "<BR/>" + styled(
            escape_html(f"⚠ {label(ctx.locale, 'conflict')} {refs}"), 10, CONFLICT
        )
    return (
        '<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR>'
        f'<TD ALIGN="LEFT" BALIGN="LEFT">{head}</TD></TR></TABLE>'
    )


def _kr_body(
    ctx: Context,
    boxes: list[Box],
    names: dict[int, str],
    refs: dict[int, list[int]],
    hit: set[int],
) -> list[str]:
    lines = ['  node [shape="box" style="rounded,filled" fillcolor="white" margin="0.08,0.04"]']
    shown: dict[str, str] = {}  # KR id → the drawn node standing for it
    follows: list[tuple[str, str, str]] = []
    for index, box in enumerate(boxes):
        by_metric = [ctx.metric_krs(m) for m in box.members]
        if not by_metric[0]:
            continue
        dark, light = colours(ctx, box)
        conflict = index in hit
        head = _kr_cluster_head(ctx, box, refs.get(index, []), conflict)
        lines.append(f"  subgraph cluster_{names[id(box)]} {{")
        lines.append(
            f'    graph [label=<{head}> style="rounded,filled" fillcolor="{light}" '
            f'color="{CONFLICT if conflict else dark}" '
            f'penwidth="{3 if conflict else 1.2}" fontsize="12" labeljust="l"]'
        )
        nodes: dict[str, str] = {}
        for position, metric in enumerate(by_metric[0], start=1):
            node = nodes[metric] = f"{names[id(box)]}k{position}"
            same = []
            for krs in by_metric:
                for kr in krs.get(metric, []):
                    shown[kr.id] = node
                if krs.get(metric):
                    same.append(krs[metric][0])
            lines.append(f'    {node} [color="{dark}" label={kr_label(ctx, same)}]')
        for metric, node in nodes.items():
            for source, rate in (ctx.plan.metrics.get(metric, {}).get("follows") or {}).items():
                if source in nodes:
                    follows.append(
                        (nodes[source], node, format_percent(Decimal(str(rate)), ctx.locale))
                    )
        lines.append("  }")
    edges = _kr_edges(ctx, shown)
    for source, target, text in follows:
        edges.setdefault((source, target), f"{_FOLLOWS_STYLE} label=<{escape_html(text)}>")
    lines.extend(f"  {s} -> {t} [{attrs}]" for (s, t), attrs in edges.items())
    return lines


def _kr_edges(ctx: Context, shown: dict[str, str]) -> dict[tuple[str, str], str]:
    """The drives, aligns and supports edges between drawn KR nodes (once per pair), with
    the conversion rate on a drives edge and the share on a supports edge."""
    graph, locale = ctx.graph, ctx.locale
    edges: dict[tuple[str, str], str] = {}
    for source, target, data in graph.edges(data=True):
        kind = data["kind"]
        if kind not in _EDGE_STYLE or source not in shown or target not in shown:
            continue
        key = (shown[source], shown[target])
        if key[0] == key[1] or key in edges:
            continue
        attrs = _EDGE_STYLE[Edge(kind)]
        text = ""
        kr = queries.key_result(graph, source)
        if kind == Edge.DRIVES:
            text = _rate_text(ctx, kr.metric or "", queries.key_result(graph, target).metric or "")
        elif kind == Edge.SUPPORTS:
            owner = ctx.record(kr.owner)
            supports = owner.supports if isinstance(owner, Unit) else None
            if supports is not None:
                text = format_percent(Decimal(str(supports.share)), locale)
        if text:
            attrs += f" label=<{escape_html(text)}>"
        edges[key] = attrs
    return edges
