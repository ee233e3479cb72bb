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

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

import networkx as nx

from okrplan.graph import Edge, Kind, children, krs_of, objectives_of, root_of
from okrplan.plan import Plan
from okrplan.present import (
    kr_cadence_text,
    label,
    money_text,
    period_value_text,
    span_text,
    weight_text,
)
from okrplan.quantity import format_percent


class View(StrEnum):
    """What a diagram shows: the org tree with sheets, or the key results and their flows."""

    ORG = "org"
    KR = "kr"


#: The CJK font the set-up installs (fonts-noto-cjk), then fallbacks for SVG viewers elsewhere.
FONT = "Noto Sans CJK SC"
FONTNAME = f"{FONT},Source Han Sans SC,PingFang SC,Microsoft YaHei,sans-serif"
#: Fold identical siblings while a drawing has more nodes than this (per view).
FOLD_ABOVE = {View.ORG: 60, View.KR: 150}
#: Cut the tree at a shallower level while a drawing has more nodes than this…
MAX_NODES = 300
#: …or (org view, no depth asked for) while a level has more nodes side by side than this.
MAX_SIDE_BY_SIDE = 16

_KR_WIDTH = 34  # columns (a CJK character is two) before a key result's text wraps
_TARGET_WIDTH = 22
_FACTS_WIDTH = 40
_NAME_WIDTH = 28
_NOTE_WIDTH = 84
_PEOPLE_SHOWN = 8
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# (header, light) colours by org level (1 = the company); roles and conflicts apart.
_LEVELS = (
    ("#1F4E79", "#DCE6F1"),
    ("#2E7D32", "#E2F0E3"),
    ("#A85D00", "#FBEBD5"),
    ("#6A1B9A", "#EFE2F5"),
    ("#00695C", "#DCEFED"),
    ("#4E342E", "#EFE7E4"),
)
_ROLE = ("#455A64", "#ECEFF1")
_CONFLICT, _CONFLICT_LIGHT = "#C62828", "#FDECEA"
_MUTED = "#5F6B73"
_FOLLOWS_STYLE = 'color="#9E9E9E" penwidth=1.0 style=dotted arrowhead=empty'
_EDGE_STYLE = {
    Edge.DRIVES: 'color="#455A64" penwidth=1.4',
    Edge.ALIGNS: 'color="#1565C0" penwidth=1.1',
    Edge.SUPPORTS: 'color="#EF6C00" penwidth=1.4 style=dashed',
}


# ---------------------------------------------------------------------------------------------
# Text


def escape_html(text: str) -> str:
    """Text for an HTML-like label: ``& < > "`` as entities, line breaks as ``<BR/>``.

    ``]`` becomes ``&#93;`` too (Graphviz rejects a text that is only ``]``); control
    characters, bidirectional overrides and what XML cannot hold are dropped. Backslashes
    stay as they are: HTML-like labels have no backslash escapes.

    >>> escape_html('R&D <A> "x"\\nnext]')
    'R&amp;D &lt;A&gt; &quot;x&quot;<BR/>next&#93;'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('"', "&quot;").replace("]", "&#93;")
    lines = re.split(r"\r\n|[\r\n\v\f\x85\u2028\u2029]", text)
    return "<BR/>".join("".join(c for c in line if _xml_char(c)) for line in lines)


# Bidirectional embeddings, overrides and isolates: one unclosed in a name would reverse the
# numbers drawn after it (Trojan Source); zero-width joiners and marks stay.
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _xml_char(c: str) -> bool:
    return unicodedata.category(c) not in ("Cc", "Cs") and c not in "\ufffe\uffff" + (
        _BIDI_CONTROLS
    )


def text_width(text: str) -> int:
    """Display columns: two for a wide (CJK) character, one otherwise.

    >>> text_width("销售岗 × 10")
    11
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_NO_LINE_START = frozenset("，。、；：！？）》」』】%,.;:!?)]}…·")


def wrap(text: str, width: int) -> list[str]:
    """Break text into lines of at most ``width`` columns: between CJK characters, at spaces.

    >>> wrap("制定每周回款周报表：每周五提交本周回款情况", 16)
    ['制定每周回款周报', '表：每周五提交本', '周回款情况']
    >>> wrap("Deliver the sales target", 12)
    ['Deliver the', 'sales target']
    """
    lines: list[str] = []
    for paragraph in re.split(r"\r\n|[\r\n]", text):
        tokens = re.findall(r"[^\s\u2e80-\uffef]+\s*|[\u2e80-\uffef]\s*|\s+", paragraph)
        line = ""
        for token in tokens:
            candidate = line + token
            if line and text_width(candidate.rstrip()) > width and token[0] not in _NO_LINE_START:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = candidate
        lines.append(line.rstrip())
    return lines


def _html_lines(text: str, width: int) -> str:
    return "<BR/>".join(escape_html(line) for line in wrap(text, width))


def _styled(
    html: str, size: int | None = None, colour: str | None = None, bold: bool = False
) -> str:
    """``html`` in a FONT (and B) element; nothing for empty text (dot rejects empty B)."""
    if not html:
        return ""
    if bold:
        html = f"<B>{html}</B>"
    attrs = (f' POINT-SIZE="{size}"' if size else "") + (f' COLOR="{colour}"' if colour else "")
    return f"<FONT{attrs}>{html}</FONT>" if attrs else html


def _pack(parts: list[str], width: int, sep: str = " · ") -> list[str]:
    """Short phrases joined into as few lines of ``width`` columns as they fit in.

    >>> _pack(["每人 550万", "合计 5,500万", "爬坡 25% → 50% → 75% → 100%"], 30)
    ['每人 550万 · 合计 5,500万', '爬坡 25% → 50% → 75% → 100%']
    """
    lines: list[str] = []
    for part in parts:
        if lines and text_width(lines[-1] + sep + part) <= width:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines


def _gap(text: str) -> str:
    """Room before a right-aligned number, so columns do not run together."""
    return f"  {text}" if text else ""


def _circled(number: int) -> str:
    return chr(0x2460 + number - 1) if 1 <= number <= 20 else f"({number})"


# ---------------------------------------------------------------------------------------------
# The drawn tree: boxes of one or more (folded) owners


@dataclass(slots=True)
class _Box:
    """One drawn unit or role; several identical siblings when folded."""

    members: list[str]
    kind: str
    level: int  # 1 = the drawn root
    children: list[_Box] = field(default_factory=list)
    cut: bool = False  # it has children that are not drawn

    def walk(self) -> Iterator[_Box]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(slots=True)
class _Layout:
    """What was drawn, and what the caption has to say about what was not."""

    root: _Box
    depth: int | None = None  # where the tree was cut (None: not cut)
    auto_cut: bool = False
    wide: bool = False  # cut for width rather than for size
    max_nodes: int = MAX_NODES
    hidden: tuple[int, int, int] = (0, 0, 0)  # units, role groups, people not drawn


class _Context:
    """The plan, with lookups every label needs."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.graph: nx.DiGraph = plan.graph
        self.locale = plan.locale
        self.parent: dict[str, str] = {
            t: s for s, t, d in self.graph.edges(data=True) if d["kind"] == Edge.CONTAINS
        }
        self._signatures: dict[str, int] = {}
        self._interned: dict[tuple[Any, ...], int] = {}
        self._sheets: dict[str, list[tuple[str, list[str]]]] = {}

    def text(self, key: str, **values: Any) -> str:
        return label(self.locale, key).format(**values)

    def org_children(self, node: str) -> list[str]:
        """Roles first, then units; a hiring group that hired nobody is left out."""
        kids = children(self.graph, node)
        roles = [
            k
            for k in kids
            if self.graph.nodes[k]["kind"] == Kind.ROLE
            and not (
                self.graph.nodes[k].get("new_hires") and not self.graph.nodes[k].get("headcount")
            )
        ]
        return roles + [k for k in kids if self.graph.nodes[k]["kind"] == Kind.UNIT]

    def sheet(self, owner: str) -> list[tuple[str, list[str]]]:
        """(objective id, its KR ids) of an owner, in sheet order."""
        if owner not in self._sheets:
            self._sheets[owner] = [
                (o, krs_of(self.graph, o)) for o in objectives_of(self.graph, owner)
            ]
        return self._sheets[owner]

    def metric_krs(self, owner: str) -> dict[str, list[str]]:
        """An owner's derived KRs by metric (a metric can be in more than one objective)."""
        out: dict[str, list[str]] = {}
        for _, krs in self.sheet(owner):
            for kid in krs:
                metric = self.graph.nodes[kid].get("metric")
                if metric:
                    out.setdefault(str(metric), []).append(kid)
        return out

    def signature(self, node: str) -> int:
        """Equal for siblings that can fold: same kind, role, sheet shape and children."""
        if node in self._signatures:
            return self._signatures[node]
        data = self.graph.nodes[node]
        sheet = tuple(
            (
                self.graph.nodes[o]["name"],
                tuple(
                    (
                        self.graph.nodes[k].get("kr_kind"),
                        self.graph.nodes[k].get("metric"),
                        None
                        if self.graph.nodes[k].get("kr_kind") == "staffing"
                        else self.graph.nodes[k]["name"],
                        self.graph.nodes[k].get("per"),
                    )
                    for k in krs
                ),
            )
            for o, krs in self.sheet(node)
        )
        key: tuple[Any, ...]
        if data["kind"] == Kind.ROLE:
            key = ("role", data["name"], sheet)
        else:
            supports = data.get("supports") or {}
            below = tuple(sorted({self.signature(c) for c in self.org_children(node)}))
            key = ("unit", supports.get("metric"), sheet, below)
        value = self._interned.setdefault(key, len(self._interned))
        self._signatures[node] = value
        return value

    def below(self, nodes: Iterable[str]) -> tuple[int, int, int]:
        """Units, role groups and people under ``nodes`` (not counting the nodes)."""
        units = roles = people = 0
        stack = [c for n in nodes for c in self.org_children(n)]
        while stack:
            node = stack.pop()
            data = self.graph.nodes[node]
            if data["kind"] == Kind.UNIT:
                units += 1
                stack.extend(self.org_children(node))
            else:
                roles += 1
                people += int(data.get("headcount") or 0)
        return units, roles, people

    def people(self, box: _Box) -> int:
        count = sum(
            int(self.graph.nodes[m].get("headcount") or 0)
            for m in box.members
            if self.graph.nodes[m]["kind"] == Kind.ROLE
        )
        return (
            count
            + self.below(m for m in box.members if self.graph.nodes[m]["kind"] == Kind.UNIT)[2]
        )

    def org_level(self, node: str) -> int:
        return len(self.graph.nodes[node].get("path") or [node])

    def what_text(self, units: int, roles: int, people: int) -> str:
        parts = []
        if units:
            parts.append(self.text("n_units", n=units))
        if roles:
            parts.append(self.text("n_roles", n=roles))
        parts.append(self.text("people_count", n=people))
        return ("、" if self.locale != "en" else ", ").join(parts)


def _build(ctx: _Context, node: str, level: int, depth: int | None) -> _Box:
    box = _Box([node], str(ctx.graph.nodes[node]["kind"]), level)
    kids = ctx.org_children(node)
    if depth is not None and level >= depth:
        box.cut = bool(kids)
    else:
        box.children = [_build(ctx, k, level + 1, depth) for k in kids]
    return box


def _merge(ctx: _Context, boxes: list[_Box]) -> _Box:
    """Identical sibling subtrees as one box; their children merge by signature too."""
    merged = _Box(
        [m for b in boxes for m in b.members],
        boxes[0].kind,
        boxes[0].level,
        cut=any(b.cut for b in boxes),
    )
    merged.children = _fold_siblings(ctx, [c for b in boxes for c in b.children])
    return merged


def _fold_siblings(ctx: _Context, boxes: list[_Box]) -> list[_Box]:
    groups: dict[int, list[_Box]] = {}
    for box in boxes:
        groups.setdefault(ctx.signature(box.members[0]), []).append(box)
    return [group[0] if len(group) == 1 else _merge(ctx, group) for group in groups.values()]


def _count(ctx: _Context, root: _Box, view: View) -> int:
    if view is View.ORG:
        return sum(1 for _ in root.walk())
    return sum(len(ctx.metric_krs(b.members[0])) for b in root.walk())


def _truncate(root: _Box, depth: int) -> None:
    """Cut every box at ``depth``: its children are no longer drawn."""
    for box in root.walk():
        if box.level == depth and box.children:
            box.children, box.cut = [], True


def _layout(
    ctx: _Context,
    start: str,
    view: View,
    depth: int | None,
    fold: bool | None,
    fold_above: int | None,
    max_nodes: int,
) -> _Layout:
    root = _build(ctx, start, 1, depth)
    layout = _Layout(root, max_nodes=max_nodes)
    threshold = FOLD_ABOVE[view] if fold_above is None else fold_above
    if fold is True or (fold is None and _count(ctx, root, view) > threshold):
        deepest = max(b.level for b in root.walk())
        for level in range(deepest, 1, -1):
            for box in list(root.walk()):
                if box.level == level - 1:
                    box.children = _fold_siblings(ctx, box.children)
            if fold is None and _count(ctx, root, view) <= threshold:
                break
    # Without a depth asked for, an org tree is also cut where one level would be too wide
    # to read (never above the root's children, though).
    limit_width = depth is None and view is View.ORG

    def too_big(tree: _Box) -> bool:
        return _count(ctx, tree, view) > max_nodes

    def too_wide(tree: _Box) -> bool:
        return limit_width and _widest(tree) > MAX_SIDE_BY_SIDE

    deepest = max(b.level for b in root.walk())
    if too_big(root) or too_wide(root):
        cut = deepest - 1
        while cut > 1 and (
            too_big(_copy_to(root, cut)) or (cut > 2 and too_wide(_copy_to(root, cut)))
        ):
            cut -= 1
        if cut >= 1:
            layout.wide = not too_big(_copy_to(root, cut + 1))
            _truncate(root, cut)
            layout.auto_cut = True
            depth = cut
    cut_boxes = [b for b in root.walk() if b.cut]
    if cut_boxes:
        layout.depth = depth
        layout.hidden = ctx.below(m for b in cut_boxes for m in b.members)
    return layout


def _widest(root: _Box) -> int:
    """The most boxes on one level."""
    levels: dict[int, int] = {}
    for box in root.walk():
        levels[box.level] = levels.get(box.level, 0) + 1
    return max(levels.values())


def _copy_to(box: _Box, depth: int) -> _Box:
    return _Box(
        box.members,
        box.kind,
        box.level,
        [] if box.level >= depth else [_copy_to(c, depth) for c in box.children],
    )


# ---------------------------------------------------------------------------------------------
# Labels


def _colours(ctx: _Context, box: _Box) -> tuple[str, str]:
    if box.kind == Kind.ROLE:
        return _ROLE
    return _LEVELS[(ctx.org_level(box.members[0]) - 1) % len(_LEVELS)]


def _values(ctx: _Context, nodes: list[str], key: str) -> list[Any]:
    return [ctx.graph.nodes[n].get(key) for n in nodes if ctx.graph.nodes[n].get(key) is not None]


def _money_span(ctx: _Context, values: list[Any]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    return span_text(money_text(low, ctx.locale), money_text(high, ctx.locale))


def _title(ctx: _Context, box: _Box) -> tuple[str, str]:
    """The header text of a box and the lead (or '')."""
    first = ctx.graph.nodes[box.members[0]]
    if box.kind == Kind.ROLE:
        heads = sum(int(ctx.graph.nodes[m].get("headcount") or 0) for m in box.members)
        name = first["name"] if len(box.members) > 1 else first.get("label") or first["name"]
        return f"{name} × {heads}", ""
    name = first["name"]
    if len(box.members) > 1:
        name = ctx.text("units_like", name=name, n=len(box.members))
    leads = {ctx.graph.nodes[m].get("lead") or "" for m in box.members}
    return name, leads.pop() if len(leads) == 1 else ""


def _facts(ctx: _Context, box: _Box) -> list[str]:
    """Short lines under the header: target, quota, people, ramp, support share."""
    graph, locale, members = ctx.graph, ctx.locale, box.members
    first = graph.nodes[members[0]]
    sep = " · "
    lines: list[str] = []
    folded = len(members) > 1
    if box.kind == Kind.UNIT:
        parts = []
        targets = _values(ctx, members, "target")
        if targets:
            text = f"{label(locale, 'target')} {_money_span(ctx, targets)}"
            if folded:
                text = (
                    f"{label(locale, 'target')} {label(locale, 'each')} "
                    f"{_money_span(ctx, targets)}, {label(locale, 'total')} "
                    f"{money_text(sum(targets), locale)}"
                )
            parts.append(text)
        assigned = _values(ctx, members, "assigned")
        if assigned and not folded:
            parts.append(f"{label(locale, 'assigned')} {_money_span(ctx, assigned)}")
        people = ctx.people(box)
        if people:
            parts.append(ctx.text("people_count", n=people))
        if parts:
            lines.append(sep.join(parts))
        supports = first.get("supports")
        if supports:
            metric = ctx.plan.metrics.get(supports["metric"], {}).get("name", supports["metric"])
            share = format_percent(Decimal(str(supports["share"])), locale)
            lines.append(ctx.text("supplies", share=share, metric=metric))
        return lines
    per_person = _values(ctx, members, "per_person")
    quota = _values(ctx, members, "quota")
    parts = []
    if per_person:
        parts.append(f"{label(locale, 'per_person')} {_money_span(ctx, per_person)}")
    if quota:
        parts.append(f"{label(locale, 'total')} {money_text(sum(quota), locale)}")
    if folded:
        parts.append(ctx.text("groups", n=len(members)))
    if parts:
        lines.append(sep.join(parts))
    ramp = _ramp_text(first.get("ramp") or [])
    if ramp and not folded:
        lines.append(f"{label(locale, 'ramp')} {ramp}")
    names = first.get("people") or []
    if names and not folded:
        shown = "、".join(names[:_PEOPLE_SHOWN])
        if len(names) > _PEOPLE_SHOWN:
            shown += f"… ({ctx.text('people_count', n=len(names))})"
        lines.append(f"{label(locale, 'people')}: {shown}")
    return lines


def _ramp_text(ramp: list[Any]) -> str:
    """``25% → 50% → 75% → 100%`` from a per-month ramp; '' when everyone is at full speed."""
    steps: list[Any] = []
    for value in ramp:
        if value and (not steps or steps[-1] != value):
            steps.append(value)
    if not steps or all(v >= 1 for v in steps):
        return ""
    return " → ".join(format_percent(Decimal(str(v))) for v in steps)


@dataclass(frozen=True, slots=True)
class _Row:
    """One line of a sheet in a node: an objective (``O1 title``) or one of its key results."""

    objective: bool
    text: str
    target: str = ""
    weight: str = ""
    phasing: tuple[str, ...] = ()


def _span(values: list[dict[str, Any]], key: str, fmt: Callable[[dict[str, Any]], str]) -> str:
    """``fmt`` of the smallest and largest ``key`` among KR nodes, as a range."""
    present = [v for v in values if v.get(key) is not None]
    if not present:
        return fmt(values[0]) if values else ""
    low = min(present, key=lambda v: v[key])
    high = max(present, key=lambda v: v[key])
    return span_text(fmt(low), fmt(high))


def _kr_target(ctx: _Context, same: list[dict[str, Any]]) -> str:
    """The target of a KR, or the range of targets of the same KR of folded owners."""
    return _span(same, "target", lambda kr: kr_cadence_text(kr, ctx.locale))


def _kr_weight(same: list[dict[str, Any]]) -> str:
    weighted = [kr for kr in same if kr.get("weight") is not None]
    return _span(weighted, "weight", lambda kr: weight_text(kr["weight"])) if weighted else ""


def _sheet_rows(ctx: _Context, box: _Box) -> Iterator[_Row]:
    """The objectives and key results of a box, folded owners' numbers as ranges."""
    graph, locale = ctx.graph, ctx.locale
    sheets = [ctx.sheet(m) for m in box.members]
    for index, (oid, krs) in enumerate(sheets[0]):
        weights = [w for k in krs if (w := graph.nodes[k].get("weight")) is not None]
        yield _Row(
            True,
            f"O{index + 1} {graph.nodes[oid]['name']}",
            weight=weight_text(sum(weights)) if weights else "",
        )
        for position in range(len(krs)):
            same = [graph.nodes[sheet[index][1][position]] for sheet in sheets]
            kr = same[0]
            text = kr["name"]
            if kr.get("kr_kind") == "deduction":
                text += f" ({label(locale, 'deduction')})"
            target = _kr_target(ctx, same)
            if kr.get("due") and kr.get("kr_kind") != "staffing":
                target += f" · {label(locale, 'by')} {kr['due']}"
            phasing = _phasing(ctx, kr) if box.kind == Kind.UNIT and len(same) == 1 else []
            yield _Row(False, text, target, _kr_weight(same), tuple(phasing))


def _phasing(ctx: _Context, kr: dict[str, Any]) -> list[str]:
    """``Q1 1,320万`` … for the plan's base money KR: how seasonality phases it."""
    base = ctx.plan.meta.get("kpi", {}).get("base")
    periods = kr.get("periods") or {}
    if kr.get("metric") != base or kr.get("per", "plan") != "plan" or not 1 < len(periods) <= 6:
        return []
    return [
        f"{_period_name(key, ctx.locale)} {period_value_text(kr, value, ctx.locale)}"
        for key, value in periods.items()
    ]


def _period_name(key: str, locale: str) -> str:
    """``2015-Q1`` → ``Q1``; ``2015-03`` → ``3月`` (``Mar``); ``2015-W10`` → ``W10``.

    >>> [_period_name(k, "zh-CN") for k in ("2015-Q1", "2015-03")], _period_name("2015-03", "en")
    (['Q1', '3月'], 'Mar')
    """
    tail = key.rsplit("-", 1)[-1]
    if tail.isdigit() and 1 <= int(tail) <= 12:
        month = int(tail)
        return _MONTHS[month - 1] if locale.startswith("en") else f"{month}月"
    return tail


def _org_label(ctx: _Context, box: _Box, refs: list[int], conflict: bool) -> str:
    dark, light = _colours(ctx, box)
    name, lead = _title(ctx, box)
    head = _styled(_html_lines(name, _NAME_WIDTH), 13, "white", bold=True)
    if lead:
        head += _styled("  " + escape_html(lead), 10, "white")
    header = f'<TR><TD BGCOLOR="{dark}" ALIGN="LEFT" BALIGN="LEFT" CELLPADDING="3">{head}</TD></TR>'
    rows: list[str] = []
    facts = _pack(_facts(ctx, box), _FACTS_WIDTH)
    if facts:
        rows.append(
            f'<TR><TD COLSPAN="3" ALIGN="LEFT" BALIGN="LEFT">'
            f"{_styled('<BR/>'.join(_html_lines(f, _FACTS_WIDTH) for f in facts), 10)}"
            "</TD></TR>"
        )
    if conflict:
        text = f"⚠ {label(ctx.locale, 'conflict')}"
        if refs:
            text += "  " + ctx.text("see", refs="".join(_circled(r) for r in refs))
        rows.append(
            f'<TR><TD COLSPAN="3" BGCOLOR="{_CONFLICT_LIGHT}" ALIGN="LEFT">'
            f"{_styled(escape_html(text), 10, _CONFLICT, bold=True)}</TD></TR>"
        )
    for row in _sheet_rows(ctx, box):
        if row.objective:
            rows.append(
                f'<TR><TD COLSPAN="2" BGCOLOR="{light}" ALIGN="LEFT" BALIGN="LEFT">'
                f"{_styled(_html_lines(row.text, _KR_WIDTH + 10), 11, bold=True)}"
                f'</TD><TD BGCOLOR="{light}" ALIGN="RIGHT">'
                f"{_styled(escape_html(_gap(row.weight)), 10, bold=True)}</TD></TR>"
            )
            continue
        rows.append(
            f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{_styled(_html_lines(row.text, _KR_WIDTH), 10)}'
            f'</TD><TD ALIGN="RIGHT" BALIGN="RIGHT">'
            f"{_styled(_html_lines(_gap(row.target), _TARGET_WIDTH), 10)}</TD>"
            f'<TD ALIGN="RIGHT">{_styled(escape_html(_gap(row.weight)), 10, _MUTED)}</TD></TR>'
        )
        if row.phasing:
            rows.append(
                f'<TR><TD COLSPAN="3" ALIGN="LEFT">'
                f"{_styled(escape_html('  ·  '.join(row.phasing)), 9, _MUTED)}</TD></TR>"
            )
    if box.cut:
        what = ctx.what_text(*ctx.below(box.members))
        rows.append(
            f'<TR><TD COLSPAN="3" ALIGN="LEFT">'
            f"{_styled('▶ ' + escape_html(ctx.text('not_drawn', what=what)), 10, _MUTED)}"
            "</TD></TR>"
        )
    # Rows sit in an inner table: tight lines, with a margin to the border all round.
    body = (
        '<TR><TD CELLPADDING="3"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
        'CELLPADDING="1">' + "".join(f"\n    {row}" for row in rows) + "</TABLE></TD></TR>"
    )
    return (
        f'<<TABLE BORDER="{3 if conflict else 1}" CELLBORDER="0" CELLSPACING="0" '
        f'CELLPADDING="0" COLOR="{_CONFLICT if conflict else dark}" BGCOLOR="white">'
        f"\n    {header}\n    {body}</TABLE>>"
    )


# ---------------------------------------------------------------------------------------------
# Conflicts, rates, caption


def _conflicts(ctx: _Context, boxes: list[_Box]) -> tuple[dict[int, list[int]], set[int]]:
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
    for entry in ctx.plan.solver.get("conflict") or []:
        index = box_of(str(entry).split(":", 1)[-1])
        if index is not None:
            hit.add(index)
    for number, relaxation in enumerate(ctx.plan.solver.get("relaxations") or [], start=1):
        index = box_of(str(relaxation.get("subject", "")))
        if index is not None:
            hit.add(index)
            if number not in refs.setdefault(index, []):
                refs[index].append(number)
    return refs, hit


def _rate_text(ctx: _Context, source: str, target: str) -> str:
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
            steps.append(money_text(rate, ctx.locale))
        else:
            steps.append(format_percent(Decimal(str(rate)), ctx.locale))
        metric = following
    return " × ".join(steps) if metric == target else ""


def _caption(
    ctx: _Context,
    view: View,
    layout: _Layout,
    boxes: list[_Box],
    conflicts: bool,
    start: str,
    root: str,
) -> str:
    plan, locale = ctx.plan, ctx.locale
    meta = plan.meta
    rows = [
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="18"><B>'
        f"{escape_html(str(meta.get('name', '')))}</B></FONT></TD></TR>"
    ]
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
            text += f" {money_text(kpi['target'], locale)}"
        facts.append(text)
    status = str(plan.solver.get("status", ""))
    if status in ("optimal", "infeasible"):
        facts.append(f"{label(locale, 'status')}: {label(locale, 'status_' + status)}")
    if start != root:
        path = ctx.graph.nodes[start].get("path") or [ctx.graph.nodes[start]["name"]]
        facts.append(f"{label(locale, 'subtree')}: {'/'.join(path)}")
    rows.append(
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="11">'
        f"{escape_html(' · '.join(facts))}</FONT></TD></TR>"
    )
    rows.append(f'<TR><TD ALIGN="LEFT">{_legend(ctx, view, boxes, conflicts)}</TD></TR>')
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
    if view is View.KR:
        notes.append(label(locale, "derived_only"))
    relaxations = plan.solver.get("relaxations") or []
    if relaxations:
        notes.append(f"{label(locale, 'relaxations')}:")
        notes.extend(
            f"{_circled(n)} {r.get('message', '')}" for n, r in enumerate(relaxations, start=1)
        )
    for note in notes:
        colour = _CONFLICT if note[:1] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳(" else _MUTED
        rows.append(
            f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="10" '
            f'COLOR="{colour}">{_html_lines(note, _NOTE_WIDTH)}</FONT></TD></TR>'
        )
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
        + "".join(f"\n    {row}" for row in rows)
        + "</TABLE>>"
    )


def _legend(ctx: _Context, view: View, boxes: list[_Box], conflicts: bool) -> str:
    """One line: a colour swatch per org level drawn (and roles, conflicts), the edge kinds."""
    parts = [_styled(escape_html(label(ctx.locale, "legend")), bold=True)]
    levels = sorted({ctx.org_level(b.members[0]) for b in boxes if b.kind == Kind.UNIT})
    entries = [
        (
            _LEVELS[(lv - 1) % len(_LEVELS)][0],
            label(ctx.locale, "level_1") if lv == 1 else ctx.text("level_n", n=lv),
        )
        for lv in levels
    ]
    if any(b.kind == Kind.ROLE for b in boxes):
        entries.append((_ROLE[0], label(ctx.locale, "role")))
    if conflicts:
        entries.append((_CONFLICT, label(ctx.locale, "conflict")))
    parts += [f"{_styled('■', colour=colour)} {escape_html(text)}" for colour, text in entries]
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
                f"{_styled(glyph, colour=found.group(1) if found else None)} "
                f"{escape_html(label(ctx.locale, 'edge_' + kind))}"
            )
    return _styled("    ".join(parts), 10)


# ---------------------------------------------------------------------------------------------
# The diagrams


def find_unit(plan: Plan, unit: str) -> str:
    """The id of the unit called ``unit``: its name, its path (``A公司/销售部``, or the end of
    it, ``北京销售团队/直销组``) or its node id.

    Raises
    ------
    LookupError
        With a message naming the candidates, if no unit or more than one matches.
    """
    graph = plan.graph
    units = [(str(n), d) for n, d in graph.nodes(data=True) if d["kind"] == Kind.UNIT]
    wanted = [part.strip() for part in unit.strip().strip("/").split("/")]
    found = [
        n for n, d in units if unit == n or (d.get("path") or [d["name"]])[-len(wanted) :] == wanted
    ]
    if len(found) == 1:
        return found[0]
    if found:
        paths = ", ".join("/".join(graph.nodes[n].get("path") or []) for n in found[:10])
        raise LookupError(
            f"more than one unit is called {unit!r}: {paths}"
            f"{', …' if len(found) > 10 else ''}; pass more of its path"
        )
    names = sorted({d["name"] for _, d in units})
    close = difflib.get_close_matches(wanted[-1], names, n=3)
    hint = (
        f"did you mean {', '.join(map(repr, close))}?"
        if close
        else f"units: {', '.join(names[:12])}{', …' if len(names) > 12 else ''}"
    )
    raise LookupError(f"no unit named {unit!r} in this plan; {hint}")


def to_dot(
    plan: Plan,
    *,
    view: View | str = View.ORG,
    unit: str | None = None,
    depth: int | None = None,
    fold: bool | None = None,
    fold_above: int | None = None,
    max_nodes: int = MAX_NODES,
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
    ctx = _Context(plan)
    root = root_of(ctx.graph)
    start = find_unit(plan, unit) if unit is not None else root
    layout = _layout(ctx, start, view, depth, fold, fold_above, max_nodes)
    boxes = list(layout.root.walk())
    refs, hit = _conflicts(ctx, boxes)
    caption = _caption(ctx, view, layout, boxes, bool(hit), start, root)
    lines = [
        "digraph okrplan {",
        f'  graph [charset="UTF-8" fontname="{FONTNAME}" bgcolor="white" pad="0.15" '
        + _graph_attrs(view)
        + ("]" if view is View.ORG else f' labelloc="t" labeljust="l"\n    label={caption}]'),
        f'  node [fontname="{FONTNAME}" fontsize="11"]',
        f'  edge [fontname="{FONTNAME}" fontsize="9" fontcolor="{_MUTED}" arrowsize="0.7"]',
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
    ctx: _Context,
    boxes: list[_Box],
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
            f"  {names[id(box)]} [label={_org_label(ctx, box, refs.get(index, []), index in hit)}]"
        )
    for box in boxes:
        lines.extend(f"  {names[id(box)]} -> {names[id(c)]}" for c in box.children)
    return lines


def _kr_body(
    ctx: _Context,
    boxes: list[_Box],
    names: dict[int, str],
    refs: dict[int, list[int]],
    hit: set[int],
) -> list[str]:
    graph, locale = ctx.graph, ctx.locale
    lines = ['  node [shape="box" style="rounded,filled" fillcolor="white" margin="0.08,0.04"]']
    shown: dict[str, str] = {}  # KR id → the drawn node standing for it
    follows: list[tuple[str, str, str]] = []
    for index, box in enumerate(boxes):
        by_metric = [ctx.metric_krs(m) for m in box.members]
        if not by_metric[0]:
            continue
        dark, light = _colours(ctx, box)
        conflict = index in hit
        name, lead = _title(ctx, box)
        head = _styled(_html_lines(name, _NAME_WIDTH), bold=True)
        if lead:
            head += _styled("  " + escape_html(lead), 10)
        if conflict:
            marks = "".join(_circled(r) for r in refs.get(index, []))
            head += "<BR/>" + _styled(
                escape_html(f"⚠ {label(locale, 'conflict')} {marks}"), 10, _CONFLICT
            )
        lines.append(f"  subgraph cluster_{names[id(box)]} {{")
        head = (
            '<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT">{head}</TD></TR></TABLE>'
        )
        lines.append(
            f'    graph [label=<{head}> style="rounded,filled" fillcolor="{light}" '
            f'color="{_CONFLICT if conflict else dark}" '
            f'penwidth="{3 if conflict else 1.2}" fontsize="12" labeljust="l"]'
        )
        nodes: dict[str, str] = {}
        for position, metric in enumerate(by_metric[0], start=1):
            node = nodes[metric] = f"{names[id(box)]}k{position}"
            same = []
            for krs in by_metric:
                for kid in krs.get(metric, []):
                    shown[kid] = node
                if krs.get(metric):
                    same.append(graph.nodes[krs[metric][0]])
            lines.append(f'    {node} [color="{dark}" label={_kr_label(ctx, same)}]')
        for metric, node in nodes.items():
            for source, rate in (ctx.plan.metrics.get(metric, {}).get("follows") or {}).items():
                if source in nodes:
                    follows.append(
                        (nodes[source], node, format_percent(Decimal(str(rate)), locale))
                    )
        lines.append("  }")
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
        if kind == Edge.DRIVES:
            text = _rate_text(
                ctx,
                graph.nodes[source].get("metric") or "",
                graph.nodes[target].get("metric") or "",
            )
        elif kind == Edge.SUPPORTS:
            supports = graph.nodes[graph.nodes[source]["owner"]].get("supports") or {}
            if supports.get("share") is not None:
                text = format_percent(Decimal(str(supports["share"])), locale)
        if text:
            attrs += f" label=<{escape_html(text)}>"
        edges[key] = attrs
    for source, target, text in follows:
        edges.setdefault((source, target), f"{_FOLLOWS_STYLE} label=<{escape_html(text)}>")
    lines.extend(f"  {s} -> {t} [{attrs}]" for (s, t), attrs in edges.items())
    return lines


def _kr_label(ctx: _Context, same: list[dict[str, Any]]) -> str:
    """A KR node: its name, target (a range over folded owners) and weight."""
    kr = same[0]
    target = _kr_target(ctx, same)
    weight = _kr_weight(same)
    if weight:
        target += f"  {weight}"
    return (
        f"<{_styled(_html_lines(kr['name'], 24), bold=True)}<BR/>"
        f"{_styled(escape_html(target), 10)}>"
    )
