"""The plan as one self-contained HTML page a manager can open and mail around.

:func:`report_html` renders ``templates/report.html.j2`` (Jinja2, autoescape on) with what
:func:`report_context` gathers from a plan: the goal tree (the org view's SVG from
:mod:`okrplan.render`, cleaned by :func:`sanitize_svg`), an outline of the organisation, every
unit's and role's OKR sheet as a table, per role the reverse funnel and the phasing by month
(SVG from :mod:`okrplan.export.charts`), and what the optimizer did: stretch per unit, the
binding constraints, the hires it added, and for an infeasible plan the conflict and the
changes that would fix it, shown first.

Nothing is fetched when the page is viewed: CSS and JavaScript are inline, the pictures are
inline SVG. The same plan gives the same bytes (no timestamps). Jinja2 is imported only when a
report is rendered.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from okrplan import __version__
from okrplan.errors import MissingDependencyError
from okrplan.export.charts import (
    FunnelStage,
    PhasingCell,
    PhasingRow,
    StretchRow,
    funnel_chart,
    phasing_chart,
    stretch_chart,
)
from okrplan.export.sheets import (
    Sheet,
    SheetBook,
    build_book,
    header_text,
    number_text,
)
from okrplan.graph import Kind, children, krs_of, objectives_of, root_of
from okrplan.plan import Plan
from okrplan.present import (
    binding_text,
    kr_cadence_text,
    label,
    money_text,
    per_text,
    weight_text,
)
from okrplan.quantity import format_number, format_percent

TEMPLATE = "report.html.j2"
MAX_CARDS = 300
"""A page shows whole levels of the organisation, from the top down, while their OKR sheets
number at most this many (at least the top unit's level): a page of ten thousand tables helps
nobody, and its size would grow with the organisation. The deeper levels are in ``sheets/``
and in a page per unit (``okrplan report --unit``)."""
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: More rows than this in the stretch chart and it shows units only.
STRETCH_ROWS_MAX = 80


# ---------------------------------------------------------------------------------------------
# The tree's SVG, made safe to inline

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_UNSAFE = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "object",
        "embed",
        "handler",
        "listener",
        "set",
        "animate",
        "animatemotion",
        "animatetransform",
        "animatecolor",
        "style",
        "image",
        "use",
        "title",
        "metadata",
    }
)


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def sanitize_svg(
    data: str | bytes,
    *,
    linked: dict[str, str] | None = None,
    root_attrs: dict[str, str | None] | None = None,
) -> str:
    """An SVG document as an inline ``<svg>`` element with nothing in it that can run or fetch.

    Dropped: ``<script>``, ``<foreignObject>``, ``<style>``, ``<use>``, ``<image>``,
    animation elements, ``<title>`` (Graphviz's node names), elements outside the SVG
    namespace, every ``on*`` attribute, and any ``href`` or ``style`` that is not local; a
    link ``<a>`` becomes a plain group. The XML declaration, doctype
    and comments go too; text is re-escaped.

    ``linked`` maps Graphviz node names (``n1``) to an id of the page: that node's group gets
    ``data-card`` set to it, so clicking it can open its sheet. ``root_attrs`` sets (or with
    None, removes) attributes of the ``<svg>`` element after cleaning.

    >>> sanitize_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    ...              '<script>alert(2)</script><text onclick="x()">&lt;b&gt;</text></svg>')
    '<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;b&gt;</text></svg>'
    """
    root = ET.fromstring(data.encode("utf-8") if isinstance(data, str) else data)
    if _local(root.tag) != (_SVG_NS, "svg"):
        raise ValueError("not an SVG document")
    names = linked or {}
    _clean(root, names)
    for key, value in (root_attrs or {}).items():
        if value is None:
            root.attrib.pop(key, None)
        else:
            root.set(key, value)
    out: list[str] = []
    _serialize(root, out, top=True)
    return "".join(out)


def _clean(element: ET.Element, linked: dict[str, str]) -> None:
    if "node" in element.get("class", "").split():
        title = next((c for c in element if _local(c.tag)[1] == "title"), None)
        name = (title.text or "").strip() if title is not None else ""
        if name in linked:
            element.set("data-card", linked[name])
    for child in list(element):
        namespace, local = _local(child.tag) if isinstance(child.tag, str) else ("", "")
        if namespace != _SVG_NS or local.lower() in _UNSAFE:
            _remove(element, child)
            continue
        if local == "a":  # a link (Graphviz draws one for URL= or tooltip=): keep its content
            child.tag = f"{{{_SVG_NS}}}g"
            for name in [n for n in child.attrib if _local(n)[1] in ("href", "title", "target")]:
                del child.attrib[name]
        _clean(child, linked)
    for name in list(element.attrib):
        namespace, local = _local(name)
        value = element.attrib[name]
        lowered = re.sub(r"\s", "", value).lower()
        if (
            local.lower().startswith("on")
            or (local == "href" and not value.startswith("#"))
            or (local == "style" and ("url(" in lowered or "expression(" in lowered))
            or "javascript:" in lowered
            or namespace not in ("", _XLINK_NS)
        ):
            del element.attrib[name]


def _remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove ``child``, keeping the text that follows it in place."""
    if child.tail:
        index = list(parent).index(child)
        if index:
            before = parent[index - 1]
            before.tail = (before.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def _serialize(element: ET.Element, out: list[str], *, top: bool = False) -> None:
    _, tag = _local(element.tag)
    attrs = []
    if top:
        attrs.append(f' xmlns="{_SVG_NS}"')
    for name, value in element.attrib.items():
        namespace, local = _local(name)
        attrs.append(
            f" {'xlink:' if namespace == _XLINK_NS else ''}{local}="
            f'"{html.escape(value, quote=True)}"'
        )
    if top and any(_local(n)[0] == _XLINK_NS for e in element.iter() for n in e.attrib):
        attrs.append(f' xmlns:xlink="{_XLINK_NS}"')
    text = html.escape(element.text or "", quote=False)
    if not len(element) and not text:
        out.append(f"<{tag}{''.join(attrs)}/>")
    else:
        out.append(f"<{tag}{''.join(attrs)}>{text}")
        for child in element:
            _serialize(child, out)
        out.append(f"</{tag}>")
    if not top and element.tail:
        out.append(html.escape(element.tail, quote=False))


def tree_markup(plan: Plan, svg: str | bytes, anchors: dict[str, str]) -> str:
    """The org view's SVG, cleaned, its unit and role boxes linked to their sheets.

    Graphviz names the boxes ``n1, n2, …`` in the order :func:`okrplan.render.to_dot` walks
    the tree. Boxes are linked only when the tree was drawn whole (a folded or cut tree has
    fewer boxes, and box ``n5`` need not be the fifth owner), each only where its header reads
    as the owner expected there.
    """
    order = _tree_order(plan)
    expected = {f"n{i}": (owner, _box_title(plan, owner)) for i, owner in enumerate(order, 1)}
    root = ET.fromstring(svg.encode("utf-8") if isinstance(svg, str) else svg)
    boxes = [
        g
        for g in root.iter(f"{{{_SVG_NS}}}g")
        if "node" in g.get("class", "").split() and _title_of(g) in expected
    ]
    linked: dict[str, str] = {}
    if len(boxes) != len(order):
        boxes = []
    for group in boxes:
        first = group.find(f"{{{_SVG_NS}}}text")
        name = _title_of(group)
        header = " ".join((first.text or "").split()) if first is not None else ""
        if name in expected:
            owner, wanted = expected[name]
            if header and " ".join(wanted.split()).startswith(header) and owner in anchors:
                linked[name] = anchors[owner]
    title = f"{label(plan.locale, 'r_tree')}: {plan.meta.get('name', '')}"
    return sanitize_svg(
        svg,
        linked=linked,
        root_attrs={
            "width": None,
            "height": None,
            "id": "tree-svg",
            "role": "img",
            "aria-label": title,
            "preserveAspectRatio": "xMidYMid meet",
        },
    )


def _title_of(group: ET.Element) -> str:
    named = group.find(f"{{{_SVG_NS}}}title")
    return (named.text or "").strip() if named is not None else ""


def _tree_order(plan: Plan) -> list[str]:
    """Units and roles in the order the org view draws them: roles first, then units."""
    graph = plan.graph
    out: list[str] = []

    def walk(node: str) -> None:
        out.append(node)
        for child in _org_children(plan, node):
            walk(child)

    walk(root_of(graph))
    return out


def _org_children(plan: Plan, node: str) -> list[str]:
    graph = plan.graph
    kids = children(graph, node)
    roles = [
        k
        for k in kids
        if graph.nodes[k]["kind"] == Kind.ROLE
        and not (graph.nodes[k].get("new_hires") and not graph.nodes[k].get("headcount"))
    ]
    return roles + [k for k in kids if graph.nodes[k]["kind"] == Kind.UNIT]


def _box_title(plan: Plan, owner: str) -> str:
    data = plan.graph.nodes[owner]
    if data["kind"] == Kind.ROLE:
        return f"{data.get('label') or data['name']} × {int(data.get('headcount') or 0)}"
    return str(data["name"])


# ---------------------------------------------------------------------------------------------
# What the page shows


@dataclass(slots=True)
class Card:
    """One unit's or role group's OKRs, with its charts for a role."""

    owner: str
    anchor: str
    kind: str  # unit | role
    title: str
    lead: str
    path: str
    facts: list[str]
    header: list[str]
    rows: list[list[dict[str, Any]]]
    total: str
    search: str
    funnel: str = ""
    phasing: str = ""
    phasing_title: str = ""
    why: list[str] = field(default_factory=list)


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


def scope_of(plan: Plan, unit: str | None = None, max_cards: int = MAX_CARDS) -> Scope:
    """The levels a page about ``unit`` (the whole organisation by default) shows: as many
    as have at most ``max_cards`` sheets, the top level always.

    Raises
    ------
    LookupError
        If ``unit`` names no unit of the plan, or several (see
        :func:`okrplan.render.dot.find_unit`).
    """
    from okrplan.render.dot import find_unit

    graph = plan.graph
    top = find_unit(plan, unit) if unit is not None else root_of(graph)
    per_level: list[int] = []  # sheets at each level below top
    below: dict[str, tuple[int, int]] = {}

    def walk(node: str, level: int) -> tuple[int, int]:
        kids = _org_children(plan, node)
        groups = [
            k
            for k in kids
            if graph.nodes[k]["kind"] == Kind.ROLE and int(graph.nodes[k].get("headcount") or 0) > 0
        ]  # those with a sheet
        if len(per_level) <= level:
            per_level.append(0)
        per_level[level] += 1 + len(groups)
        units, roles = 0, len(groups)
        for kid in kids:
            if graph.nodes[kid]["kind"] == Kind.UNIT:
                child_units, child_roles = walk(kid, level + 1)
                units, roles = units + 1 + child_units, roles + child_roles
        below[node] = (units, roles)
        return units, roles

    units, groups = walk(top, 0)
    levels, shown = 0, per_level[0]
    while levels + 1 < len(per_level) and shown + per_level[levels + 1] <= max_cards:
        levels += 1
        shown += per_level[levels]
    return Scope(top, None if levels + 1 == len(per_level) else levels, units + 1, groups, below)


def _level(plan: Plan, node: str) -> int:
    data = plan.graph.nodes[node]
    return len(data.get("path") or [data["name"]]) - 1


def report_context(
    plan: Plan,
    *,
    tree_svg: str | bytes | None = None,
    tree_problem: str | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Everything the template shows, as plain values (SVG already rendered to text), for
    the units of ``scope`` (see :func:`scope_of`; by default the organisation's top levels)."""
    locale = plan.locale
    scope = scope or scope_of(plan)
    top_data = plan.graph.nodes[scope.top]
    top_level = _level(plan, scope.top)
    book = build_book(
        plan,
        unit=None
        if scope.top == root_of(plan.graph)
        else "/".join(top_data.get("path") or [top_data["name"]]),
        max_level=None if scope.levels is None else top_level + scope.levels,
    )
    cards = _cards(plan, book)
    anchors = {owner: anchor_of(owner) for owner in _tree_order(plan)}
    limited = ""
    if scope.levels is not None:
        limited = label(locale, "r_scope").format(
            units=format_number(Decimal(scope.units), locale),
            groups=format_number(Decimal(scope.groups), locale),
            levels=scope.levels + 1,
            shown=format_number(Decimal(len(cards)), locale),
        )
    tree = ""
    if tree_svg is not None:
        try:
            tree = tree_markup(plan, tree_svg, anchors)
        except (ET.ParseError, ValueError) as exc:
            tree_problem = f"the SVG from Graphviz could not be read ({exc})"
    infeasible = plan.solver.get("status") == "infeasible"
    return {
        "lang": "en" if locale.startswith("en") else "zh-CN",
        "t": _Labels(locale),
        "name": str(plan.meta.get("name", "")),
        "facts": _plan_facts(plan),
        "infeasible": infeasible,
        "conflict": _conflict(plan) if infeasible else [],
        "relaxations": _relaxations(plan),
        "tree": tree,
        "tree_problem": ""
        if tree
        else label(locale, "r_no_tree").format(
            problem=tree_problem or label(locale, "r_not_asked")
        ),
        "outline": _outline(plan, {c.owner for c in cards}, scope),
        "cards": cards,
        "limited": limited,
        "unit_command": (
            "okrplan report plan/plan.json --unit "
            + _quoted(
                str(
                    top_data["name"]
                    if scope.top != root_of(plan.graph)
                    else _first_deep_unit(plan, scope)
                )
            )
            if limited
            else ""
        ),
        "stretch": _stretch(plan, scope),
        "binding": _binding(plan),
        "hires": _hires(plan),
        "version": __version__,
    }


class _Labels:
    """``t.key`` in the template: the label in the plan's language."""

    def __init__(self, locale: str) -> None:
        self._locale = locale

    def __getattr__(self, key: str) -> str:
        return label(self._locale, key)


def report_html(
    plan: Plan,
    *,
    tree_svg: str | bytes | None = None,
    draw: bool = True,
    unit: str | None = None,
    max_cards: int = MAX_CARDS,
) -> str:
    """The plan as one self-contained HTML page.

    Parameters
    ----------
    plan : Plan
        A solved plan.
    tree_svg : str or bytes, optional
        The org view's SVG if it was drawn already (``tree.svg``); otherwise it is drawn here
        when ``draw`` and Graphviz's ``dot`` is installed. Without it the page says why the
        tree is missing and shows everything else.
    unit : str, optional
        A page about this unit and what is below it (a name, a path or the end of one).
    max_cards : int
        The page shows as many levels as have at most this many sheets (see
        :data:`MAX_CARDS`).

    Raises
    ------
    MissingDependencyError
        If Jinja2 is not installed.
    LookupError
        If ``unit`` names no unit of the plan, or several.
    """
    try:
        import jinja2
        from markupsafe import Markup  # Jinja2's own dependency
    except ImportError:
        raise MissingDependencyError(
            "the HTML report needs Jinja2; install it with `pip install Jinja2`"
        ) from None
    scope = scope_of(plan, unit, max_cards)
    problem: str | None = None
    if tree_svg is None:
        from okrplan.render import dot_problem, render_image, to_dot

        problem = dot_problem()
        if problem is None and not draw:
            problem = label(plan.locale, "r_not_asked")
        elif problem is None:
            try:
                tree_svg = render_image(
                    to_dot(plan, unit=None if unit is None else scope.top), "svg"
                )
            except MissingDependencyError as exc:
                problem = str(exc)
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("okrplan", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    context = report_context(plan, tree_svg=tree_svg, tree_problem=problem, scope=scope)
    # Safe as they are: the tree went through sanitize_svg, the charts escape every text.
    context["tree"] = Markup(context["tree"])
    context["stretch"] = Markup(context["stretch"])
    for card in context["cards"]:
        card.funnel, card.phasing = Markup(card.funnel), Markup(card.phasing)
    return environment.get_template(TEMPLATE).render(**context)


# ---------------------------------------------------------------------------------------------
# Sheets as cards


def _cards(plan: Plan, book: SheetBook) -> list[Card]:
    """One card per unit and role group with a sheet, in tree order (a person's sheet is
    their group's: the card lists the people)."""
    graph, locale = plan.graph, plan.locale
    seen: set[str] = set()
    cards = []
    for sheet in book.sheets:
        if sheet.owner in seen:
            continue
        seen.add(sheet.owner)
        data = graph.nodes[sheet.owner]
        role = data["kind"] == Kind.ROLE
        path = [str(p) for p in data.get("path") or [data["name"]]]
        header, rows, total = _table(sheet, book, locale)
        facts = _role_facts(plan, data) if role else _unit_facts(plan, sheet.owner, data)
        texts = [
            _box_title(plan, sheet.owner),
            *path,
            str(data.get("label") or ""),
            *(str(p) for p in data.get("people") or []),
            str(data.get("lead") or ""),
        ]
        texts += [str(r.text) for r in sheet.rows] + [str(r.objective_name) for r in sheet.rows]
        card = Card(
            sheet.owner,
            anchor_of(sheet.owner),
            "role" if role else "unit",
            _box_title(plan, sheet.owner),
            str(data.get("lead") or ""),
            " / ".join(path if role else path[:-1]),
            facts,
            header,
            rows,
            total,
            " ".join(t for t in texts if t).lower(),
        )
        if role:
            card.funnel = _funnel_svg(plan, sheet.owner)
            card.phasing, card.phasing_title = _phasing_svg(plan, sheet.owner)
            card.why = _why(plan, data)
        cards.append(card)
    return cards


def _table(
    sheet: Sheet, book: SheetBook, locale: str
) -> tuple[list[str], list[list[dict[str, Any]]], str]:
    """The sheet's header, and its rows as cells ``{text, cls, span}`` (objective cells
    spanning their key results' rows, as in the seed tables)."""
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
    years = len({p[:4] for p in book.periods}) > 1
    header = [
        (k[7:] if years else _period_head(k[7:], locale))
        if k.startswith("period:")
        else header_text(k, locale)
        for k in keys
    ]
    rows = []
    for row in sheet.rows:
        cells: list[dict[str, Any]] = []
        if row.first:
            span = row.span
            cells += [
                {"text": str(row.objective), "cls": "no", "span": span},
                {"text": row.objective_name, "cls": "objective", "span": span},
                {"text": row.detail, "cls": "detail", "span": span},
            ]
        kind = f"kr kind-{row.kind}"
        cells.append({"text": row.text, "cls": kind, "span": 1})
        cells.append({"text": weight_text(row.weight), "cls": "num", "span": 1})
        if row.first:
            cells.append(
                {
                    "text": label(locale, "r_o_max").format(n=row.objective_weight)
                    if row.objective_weight
                    else "",
                    "cls": "num muted",
                    "span": row.span,
                }
            )
        cells.append({"text": row.target_text, "cls": "num target", "span": 1})
        scored = (
            row.target_text
            if row.number == "points"
            else f"{number_text(row.scored, row.number)} {row.unit}".strip()
        )
        cells.append({"text": scored, "cls": "num", "span": 1})
        for value in row.periods:
            text = (
                ""
                if value is None
                else money_text(value * row.scale, locale)
                if row.number == "money"
                else number_text(value, row.number)
            )
            cells.append({"text": text, "cls": "num period", "span": 1})
        rows.append(cells)
    total = f"{sum(r.weight or 0 for r in sheet.rows)}%"
    return header, rows, total


def _period_head(period: str, locale: str) -> str:
    """``2015-Q1`` → ``Q1``, ``2015-03`` → ``3月``/``Mar``, weeks as they are."""
    if "-Q" in period:
        return period.split("-", 1)[1]
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return _month_name(period, locale)
    return period


def _month_name(month: str, locale: str, *, year: bool = False) -> str:
    number = int(month[5:7])
    if locale.startswith("en"):
        return f"{_MONTHS_EN[number - 1]}{' ' + month[:4] if year else ''}"
    return f"{month[:4] + '年' if year else ''}{number}月"


def _unit_facts(plan: Plan, owner: str, data: dict[str, Any]) -> list[str]:
    locale, graph = plan.locale, plan.graph
    facts = []
    if data.get("target") is not None:
        facts.append(f"{label(locale, 'target')} {money_text(data['target'], locale)}")
    if data.get("assigned") is not None:
        facts.append(f"{label(locale, 'assigned')} {money_text(data['assigned'], locale)}")
    people = sum(
        int(graph.nodes[n].get("headcount") or 0)
        for n in _below(plan, owner)
        if graph.nodes[n]["kind"] == Kind.ROLE
    )
    if people:
        facts.append(label(locale, "people_count").format(n=people))
    supports = data.get("supports")
    if supports:
        metric = plan.metrics.get(supports.get("metric", ""), {}).get(
            "name", supports.get("metric")
        )
        share = format_percent(Decimal(str(supports.get("share", 0))), locale)
        facts.append(label(locale, "supplies").format(share=share, metric=metric))
    return facts


def _below(plan: Plan, owner: str) -> Iterator[str]:
    for child in children(plan.graph, owner):
        yield child
        yield from _below(plan, child)


def _role_facts(plan: Plan, data: dict[str, Any]) -> list[str]:
    locale = plan.locale
    heads = int(data.get("headcount") or 0)
    facts = [label(locale, "people_count").format(n=heads)]
    if data.get("per_person") is not None:
        facts.append(
            f"{label(locale, 'quota')} {money_text(data['per_person'], locale)}"
            f"{'/' if locale.startswith('en') else '／'}{label(locale, 'per_person')}"
        )
    if data.get("quota") is not None:
        facts.append(label(locale, "r_quota_total").format(total=money_text(data["quota"], locale)))
    ramp = [Decimal(str(r)) for r in data.get("ramp") or []]
    if ramp and any(r != 1 for r in ramp):
        steps = list(dict.fromkeys(format_percent(r, locale) for r in ramp))
        facts.append(f"{label(locale, 'ramp')} {' → '.join(steps)}")
    people = [str(p) for p in data.get("people") or []]
    if people:
        facts.append(
            label(locale, "r_people_list").format(
                names=("、" if not locale.startswith("en") else ", ").join(people)
            )
        )
    return facts


# ---------------------------------------------------------------------------------------------
# Charts of a role


def _role_krs(plan: Plan, owner: str) -> list[dict[str, Any]]:
    graph = plan.graph
    return [graph.nodes[k] for o in objectives_of(graph, owner) for k in krs_of(graph, o)]


def _funnel_stages(plan: Plan, owner: str) -> list[FunnelStage]:
    """The role's funnel from its per-person quota (first) to its earliest activity: the
    sheet's plan totals where the role has the key result, else worked out through the
    conversion rates (rounded up)."""
    data, metrics, locale = plan.graph.nodes[owner], plan.metrics, plan.locale
    base = str(plan.meta.get("kpi", {}).get("base") or "revenue")
    sells = data.get("sells")
    if not sells or sells not in metrics or data.get("per_person") is None:
        return []
    chain = [str(sells)]
    while metrics[chain[-1]].get("yields") and len(chain) <= len(metrics):
        chain.append(next(iter(metrics[chain[-1]]["yields"])))
    if chain[-1] != base:
        return []
    current = str(sells)
    while True:
        feeders = sorted(k for k, m in metrics.items() if current in (m.get("yields") or {}))
        if not feeders or feeders[0] in chain:
            break
        current = feeders[0]
        chain.insert(0, current)
    krs: dict[str, dict[str, Any]] = {}
    for kr in _role_krs(plan, owner):
        if kr.get("metric") and kr.get("total") is not None:
            krs.setdefault(str(kr["metric"]), kr)
    need = Fraction(str(data["per_person"]))
    stages = [
        FunnelStage(
            metrics[base].get("name", base),
            float(need),
            money_text(data["per_person"], locale),
            money=True,
        )
    ]
    for metric, above in zip(reversed(chain[:-1]), reversed(chain[1:]), strict=True):
        rate = Fraction(str(metrics[metric]["yields"][above]))
        need = need / rate if rate else Fraction(0)
        sheet_kr = krs.get(metric)
        value = Decimal(str(sheet_kr["total"])) if sheet_kr else Decimal(math.ceil(need))
        unit = str(metrics[metric].get("unit") or "")
        text = format_number(value, locale) + (f" {unit}" if unit else "")
        if metrics[above].get("kind") == "money":
            step = label(locale, "r_each").format(value=money_text(_decimal(rate), locale))
        else:
            step = format_percent(_decimal(rate), locale)
        detail = (
            kr_cadence_text(sheet_kr, locale)
            if sheet_kr and sheet_kr.get("per") not in (None, "plan")
            else ""
        )
        stages.append(
            FunnelStage(
                str(metrics[metric].get("name", metric)),
                float(value),
                text,
                detail,
                step,
                sheet_kr is None,
            )
        )
    return stages


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _funnel_svg(plan: Plan, owner: str) -> str:
    stages = _funnel_stages(plan, owner)
    if len(stages) < 2:
        return ""
    locale = plan.locale
    title = f"{_box_title(plan, owner)}: {label(locale, 'r_funnel')}"
    return funnel_chart(
        stages,
        title=title,
        note=label(locale, "r_sqrt_note"),
        derived_text=label(locale, "r_derived"),
    )


def _plan_months(plan: Plan) -> list[str]:
    months = [str(m) for m in plan.meta.get("months") or []]
    if months:
        return months
    found = {
        str(p)
        for _, d in plan.graph.nodes(data=True)
        if d["kind"] == Kind.KR
        for p in d.get("periods") or {}
        if re.fullmatch(r"\d{4}-\d{2}", str(p))
    }
    return sorted(found)


def _phasing_columns(plan: Plan) -> tuple[list[str], bool]:
    """The phasing chart's columns: the plan's months, or its ISO weeks for a one-month plan
    (then True)."""
    months = _plan_months(plan)
    if len(months) > 1:
        return months, False
    weeks = sorted(
        {
            str(p)
            for _, d in plan.graph.nodes(data=True)
            if d["kind"] == Kind.KR
            for p in d.get("periods") or {}
            if "-W" in str(p)
        }
    )
    return (weeks, True) if weeks else (months, False)


def _phasing_rows(plan: Plan, owner: str, columns: list[str], weekly: bool) -> list[PhasingRow]:
    """The role's derived key results per column: months (or weeks) as they are, weeks
    summed into the month of their Thursday, quarters (or a month, by weeks) as one bar over
    their columns."""
    from okrplan.export.sheets import _quarter, _week_month

    locale = plan.locale
    index = {c: i for i, c in enumerate(columns)}
    rows = []
    for kr in _role_krs(plan, owner):
        periods = kr.get("periods") or {}
        if not kr.get("metric") or not periods:
            continue
        sums: dict[tuple[int, int], Decimal] = {}
        note = "r_per_week" if weekly else "r_per_month"
        for period, value in periods.items():
            key = str(period)
            if value is None:
                continue
            if key in index:
                cell = (index[key], 1)
            elif weekly:  # a month or quarter over the weeks of a one-month plan
                cell, note = (0, len(columns)), "r_per_month"
            elif "-W" in key:
                month = min(max(_week_month(key), columns[0]), columns[-1])
                cell, note = (index[month], 1), "r_month_sum"
            elif "-Q" in key:
                inside = [i for m, i in index.items() if _quarter(m) == key]
                if not inside:
                    continue
                cell, note = (min(inside), len(inside)), "r_per_quarter"
            else:
                continue
            sums[cell] = sums.get(cell, Decimal(0)) + Decimal(str(value))
        cells = tuple(
            PhasingCell(
                start,
                span,
                float(v),
                money_text(v, locale) if kr.get("money") else format_number(v, locale),
            )
            for (start, span), v in sorted(sums.items())
        )
        unit = "" if kr.get("money") else str(kr.get("unit") or "")
        name = f"{kr['name']}" + (
            f" ({unit})" if unit and locale.startswith("en") else f"（{unit}）" if unit else ""
        )
        rows.append(PhasingRow(name, label(locale, note), cells))
    return rows


def _phasing_svg(plan: Plan, owner: str) -> tuple[str, str]:
    """The phasing chart of a role and its caption (by month, or by week)."""
    columns, weekly = _phasing_columns(plan)
    rows = _phasing_rows(plan, owner, columns, weekly) if columns else []
    if not rows:
        return "", ""
    locale = plan.locale
    if weekly:
        names = [c.split("-", 1)[1] for c in columns]
    else:
        years = len({m[:4] for m in columns}) > 1
        names = [
            _month_name(m, locale, year=years and (i == 0 or m.endswith("-01")))
            for i, m in enumerate(columns)
        ]
    caption = label(locale, "r_phasing_week" if weekly else "r_phasing")
    breaks = (
        [] if weekly else [i for i, m in enumerate(columns) if m[5:7] in ("01", "04", "07", "10")]
    )
    return phasing_chart(
        rows, names, title=f"{_box_title(plan, owner)}: {caption}", breaks=breaks
    ), caption


def _why(plan: Plan, data: dict[str, Any]) -> list[str]:
    """Why the role's quota is what it is: basis and stretch, what binds it, what more
    capacity is worth."""
    locale, metrics = plan.locale, plan.metrics
    lines = []
    if data.get("basis") is not None and data.get("stretch") is not None:
        lines.append(
            label(locale, "r_basis_line").format(
                basis=money_text(_rounded(data["basis"], locale), locale), stretch=data["stretch"]
            )
        )
    reasons = [binding_text(str(r), metrics, locale) for r in data.get("binding") or []]
    if reasons:
        colon = ": " if locale.startswith("en") else "："
        lines.append(label(locale, "r_constraint") + colon + _join(_merge_spans(reasons), locale))
    elif data.get("quota") is not None:
        lines.append(label(locale, "r_common"))
    for gain in data.get("marginal") or []:
        if not gain.get("adds"):
            continue
        metric = metrics.get(gain["metric"], {})
        per = str(gain.get("per") or "plan")
        if locale.startswith("en"):
            when = "over the plan" if per == "plan" else f"per {per_text(per, locale)}"
        else:
            when = "全期" if per == "plan" else f"每{per_text(per, locale)}"
        lines.append(
            label(locale, "r_marginal").format(
                per=when,
                unit=metric.get("unit") or "",
                metric=metric.get("name", gain["metric"]),
                adds=money_text(gain["adds"], locale),
            )
        )
    return lines


def _rounded(value: Any, locale: str) -> Decimal:
    """A computed amount to the precision a planner reads: whole 万 (thousands in English).

    >>> _rounded(78214286, "zh-CN"), _rounded(78214286, "en")
    (Decimal('78210000'), Decimal('78214000'))
    """
    step = Decimal(1000 if locale.startswith("en") else 10_000)
    return (Decimal(str(value)) / step).quantize(Decimal(1)) * step


def _join(parts: list[str], locale: str) -> str:
    return ("; " if locale.startswith("en") else "；").join(parts)


def _merge_spans(reasons: list[str]) -> list[str]:
    """The same constraint in several months said once: ``… (2015-10, 2015-11)``, runs of
    more than two months as ``2015-01–2015-12``.

    >>> _merge_spans(["产能 a 1/月（2015-01）", "产能 a 1/月（2015-02）", "产能 a 1/月（2015-03）"])
    ['产能 a 1/月（2015-01–2015-03）']
    """
    order: dict[str, list[str]] = {}
    for reason in reasons:
        found = re.fullmatch(r"(.*)([（(])([^（()）]+)([)）])", reason)
        key, span = (
            (found.group(1) + found.group(2) + "\0" + found.group(4), found.group(3))
            if found
            else (reason, "")
        )
        spans = order.setdefault(key, [])
        if span and span not in spans:
            spans.append(span)
    out = []
    for key, spans in order.items():
        if "\0" not in key:
            out.append(key)
            continue
        out.append(key.replace("\0", _runs(spans)))
    return out


def _runs(spans: list[str]) -> str:
    months = [s for s in spans if re.fullmatch(r"\d{4}-\d{2}", s)]
    if len(months) != len(spans) or len(months) < 3:
        return ", ".join(spans)
    numbers = sorted(int(m[:4]) * 12 + int(m[5:]) - 1 for m in months)
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])

    def name(n: int) -> str:
        return f"{n // 12:04d}-{n % 12 + 1:02d}"

    return ", ".join(
        name(r[0])
        if len(r) == 1
        else f"{name(r[0])}, {name(r[1])}"
        if len(r) == 2
        else f"{name(r[0])}–{name(r[-1])}"
        for r in runs
    )


# ---------------------------------------------------------------------------------------------
# The plan as a whole: facts, outline, optimizer


def _plan_facts(plan: Plan) -> list[dict[str, str]]:
    """The page header's facts, ``{text, cls}``; an infeasible status stands out."""
    locale, graph, meta = plan.locale, plan.graph, plan.meta
    status = str(plan.solver.get("status", ""))
    kpi = meta.get("kpi", {})
    base = plan.metrics.get(str(kpi.get("base", "")), {}).get("name", kpi.get("base", ""))
    if kpi.get("metric") and kpi.get("metric") != kpi.get("base"):  # a share KPI
        base = f"{plan.metrics.get(kpi['metric'], {}).get('name', kpi['metric'])} → {base}"
    status_text = (
        label(locale, f"status_{status}") if status in ("optimal", "infeasible") else status
    )
    facts = [
        {"text": f"{label(locale, 'period')} {meta.get('period', '')}", "cls": ""},
        {
            "text": f"{label(locale, 'kpi')} {base} {money_text(kpi.get('target', 0), locale)}",
            "cls": "",
        },
        {"text": f"{label(locale, 'status')}: {status_text}", "cls": f"status-{status}"},
    ]
    stretch = plan.solver.get("stretch")
    if stretch is not None:
        facts.append({"text": f"{label(locale, 'stretch')} {stretch}", "cls": ""})
    people = sum(
        int(d.get("headcount") or 0) for _, d in graph.nodes(data=True) if d["kind"] == Kind.ROLE
    )
    facts.append({"text": label(locale, "people_count").format(n=people), "cls": ""})
    hires = sum(int(v) for v in (plan.solver.get("hires") or {}).values())
    if hires:
        facts.append({"text": f"{label(locale, 'hires')} {hires}", "cls": ""})
    return facts


def _outline(plan: Plan, sheets: set[str], scope: Scope) -> list[dict[str, Any]]:
    """The units of ``scope`` as nested items (units open to two levels, then closed), each
    pointing at its box in the tree and, where it has one, its sheet; a unit on the last
    level shown says how much is below it."""
    locale, nodes = plan.locale, plan.graph.nodes

    def item(node: str, depth: int) -> dict[str, Any]:
        kids = _org_children(plan, node)
        more = ""
        if scope.levels is not None and depth >= scope.levels and nodes[node]["kind"] == Kind.UNIT:
            kids = [k for k in kids if nodes[k]["kind"] == Kind.ROLE]
            units, groups = scope.below.get(node, (0, 0))
            groups -= len(kids)
            if units:
                more = label(locale, "r_more").format(
                    units=format_number(Decimal(units), locale),
                    groups=format_number(Decimal(groups), locale),
                )
        data = nodes[node]
        role = data["kind"] == Kind.ROLE
        badge = ""
        if role and data.get("per_person") is not None:
            badge = money_text(data["per_person"], locale)
        elif not role and data.get("target") is not None:
            badge = money_text(data["target"], locale)
        names = [_box_title(plan, node), *(str(p) for p in data.get("people") or [])]
        return {
            "title": _box_title(plan, node),
            "kind": "role" if role else "unit",
            "anchor": anchor_of(node),
            "sheet": node in sheets,
            "badge": badge,
            "open": depth < 2,
            "more": more,
            "search": " ".join(names).lower(),
            "children": [item(c, depth + (nodes[c]["kind"] == Kind.UNIT)) for c in kids],
        }

    return [item(scope.top, 0)]


def _first_deep_unit(plan: Plan, scope: Scope) -> str:
    """The name of the first unit on the level below those a page shows (an example for
    ``okrplan report --unit``)."""
    graph = plan.graph

    def walk(node: str, depth: int) -> str | None:
        if depth == (scope.levels or 0) + 1:
            return str(graph.nodes[node]["name"])
        for unit in (k for k in _org_children(plan, node) if graph.nodes[k]["kind"] == Kind.UNIT):
            found = walk(unit, depth + 1)
            if found is not None:
                return found
        return None

    return walk(scope.top, 0) or str(graph.nodes[scope.top]["name"])


def _quoted(text: str) -> str:
    """``text`` as one shell word (quoted only where it needs to be)."""
    import shlex

    return text if re.fullmatch(r"[\w./-]+", text) else shlex.quote(text)


def _stretch(plan: Plan, scope: Scope) -> str:
    """Stretch per unit of ``scope`` (its groups' quota ÷ their basis, all levels below it
    counted) with its role groups below it."""
    graph, locale = plan.graph, plan.locale
    rows: list[StretchRow] = []
    values = [
        float(d["stretch"])
        for _, d in graph.nodes(data=True)
        if d["kind"] == Kind.ROLE
        and d.get("stretch") is not None
        and d.get("headcount")
        and d.get("basis")
    ]
    top = max(values, default=0.0)

    def walk(node: str, depth: int) -> None:
        groups = [n for n in _below(plan, node) if graph.nodes[n]["kind"] == Kind.ROLE]
        groups = [
            g
            for g in groups
            if graph.nodes[g].get("headcount")
            and graph.nodes[g].get("basis")
            and graph.nodes[g].get("quota") is not None
        ]
        if not groups:
            return
        quota = sum(Fraction(str(graph.nodes[g]["quota"])) for g in groups)
        basis = sum(Fraction(str(graph.nodes[g]["basis"])) for g in groups)
        value = float(quota / basis)
        rows.append(StretchRow(str(graph.nodes[node]["name"]), value, f"{value:.2f}", depth))
        for child in _org_children(plan, node):
            data = graph.nodes[child]
            if data["kind"] == Kind.ROLE and child in groups and data.get("stretch") is not None:
                stretch = float(data["stretch"])
                rows.append(
                    StretchRow(
                        _box_title(plan, child),
                        stretch,
                        f"{stretch:.2f}",
                        depth + 1,
                        unit=False,
                        largest=stretch >= top - 1e-9,
                    )
                )
            elif data["kind"] == Kind.UNIT and (scope.levels is None or depth < scope.levels):
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


def _subject(plan: Plan, subject: str) -> str:
    """A role group or unit named as a planner reads it: ``销售岗 · A公司 / 销售部``."""
    graph = plan.graph
    for key in (subject, f"u:{subject}", f"r:{subject}"):
        if key in graph:
            data = graph.nodes[key]
            path = " / ".join(str(p) for p in data.get("path") or [])
            if data["kind"] == Kind.ROLE:
                return f"{data.get('label') or data['name']} · {path}"
            return path or str(data["name"])
    return subject


def _binding(plan: Plan) -> list[dict[str, str]]:
    locale, metrics = plan.locale, plan.metrics
    grouped: dict[str, list[str]] = {}
    for entry in plan.solver.get("binding") or []:
        subject, _, reason = str(entry).partition(": ")
        grouped.setdefault(subject, []).append(binding_text(reason, metrics, locale))
    return [
        {"subject": _subject(plan, s), "reasons": _join(_merge_spans(r), locale)}
        for s, r in grouped.items()
    ]


def _hires(plan: Plan) -> list[dict[str, str]]:
    graph, locale = plan.graph, plan.locale
    out = []
    covered = set()
    for _, kr in graph.nodes(data=True):
        if kr["kind"] != Kind.KR or kr.get("kr_kind") != "staffing":
            continue
        group = str(kr.get("hires") or "")
        covered.add(group)
        role = graph.nodes[group] if group in graph else {}
        out.append(
            {
                "unit": " / ".join(graph.nodes[kr["owner"]].get("path") or []),
                "role": str(role.get("name") or kr["name"]),
                "count": format_number(Decimal(str(kr.get("target") or 0)), locale),
                "due": str(kr.get("due") or ""),
                "text": str(kr["name"]),
            }
        )
    for group, count in (plan.solver.get("hires") or {}).items():
        if group in covered:
            continue
        role = graph.nodes[group] if group in graph else {}
        out.append(
            {
                "unit": " / ".join(role.get("path") or []),
                "role": str(role.get("name") or group),
                "count": str(count),
                "due": "",
                "text": "",
            }
        )
    return out


def _conflict(plan: Plan) -> list[dict[str, str]]:
    locale = plan.locale
    out = []
    for entry in plan.solver.get("conflict") or []:
        kind, _, subject = str(entry).partition(":")
        key = f"r_kind_{kind}"
        kind_text = label(locale, key) if key in _known_labels(locale) else kind
        out.append({"kind": kind_text, "subject": _subject(plan, subject)})
    return out


def _relaxations(plan: Plan) -> list[dict[str, str]]:
    locale = plan.locale
    out = []
    for relaxation in plan.solver.get("relaxations") or []:
        kind = str(relaxation.get("kind", ""))
        key = f"r_kind_{kind}"
        out.append(
            {
                "kind": label(locale, key) if key in _known_labels(locale) else kind,
                "subject": _subject(plan, str(relaxation.get("subject", ""))),
                "current": str(relaxation.get("current") or ""),
                "needed": str(relaxation.get("needed") or ""),
                "message": str(relaxation.get("message") or ""),
            }
        )
    return out


def _known_labels(locale: str) -> dict[str, str]:
    from okrplan.present import LABELS

    return LABELS["en" if locale.startswith("en") else "zh-CN"]
