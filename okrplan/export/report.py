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

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from okrplan import __version__, queries
from okrplan.errors import MissingDependencyError
from okrplan.export.report_plan import (
    MAX_CARDS,
    Scope,
    anchor_of,
    binding,
    conflict,
    first_deep_unit,
    hires,
    outline,
    plan_facts,
    quoted,
    relaxations,
    scope_of,
    stretch_svg,
)
from okrplan.export.report_roles import funnel_svg, month_name, phasing_svg, why
from okrplan.export.report_svg import sanitize_svg, tree_markup
from okrplan.export.sheetmodel import shown_cells, table_keys
from okrplan.export.sheets import Sheet, SheetBook, build_book, header_text
from okrplan.graph import node, root_of
from okrplan.model import RoleGroup, Status, Unit
from okrplan.numbers import numbers_for
from okrplan.plan import Plan
from okrplan.present import label, people_text, ramp_text, unit_money_text, weight_text
from okrplan.quantity import format_number, format_percent
from okrplan.render.labels import owner_title

__all__ = [
    "MAX_CARDS",
    "TEMPLATE",
    "Card",
    "Scope",
    "anchor_of",
    "report_context",
    "report_html",
    "sanitize_svg",
    "scope_of",
    "tree_markup",
]

TEMPLATE = "report.html.j2"


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
    top = queries.unit(plan.graph, scope.top)
    top_level = len(top.path or (top.name,)) - 1
    book = build_book(
        plan,
        unit=None if scope.top == root_of(plan.graph) else "/".join(top.path or (top.name,)),
        max_level=None if scope.levels is None else top_level + scope.levels,
        workbook=False,  # the cards read no actual cells and no roll-ups
    )
    cards = _cards(plan, book, scope.people)
    limited = _limited_text(locale, scope, len(cards))
    tree = ""
    if tree_svg is not None:
        try:
            tree = tree_markup(plan, tree_svg, anchor_of)
        except (ET.ParseError, ValueError) as exc:
            tree_problem = f"the SVG from Graphviz could not be read ({exc})"
    infeasible = plan.solver.status is Status.INFEASIBLE
    return {
        "lang": "en" if locale.startswith("en") else "zh-CN",
        "t": _Labels(locale),
        "name": str(plan.meta.get("name", "")),
        "facts": plan_facts(plan),
        "infeasible": infeasible,
        "conflict": conflict(plan) if infeasible else [],
        "relaxations": relaxations(plan),
        "tree": tree,
        "tree_problem": ""
        if tree
        else label(locale, "r_no_tree").format(
            problem=tree_problem or label(locale, "r_not_asked")
        ),
        "outline": outline(plan, {c.owner for c in cards}, scope),
        "cards": cards,
        "limited": limited,
        "unit_command": (
            "okrplan report plan/plan.json --unit "
            + quoted(
                str(top.name if scope.top != root_of(plan.graph) else first_deep_unit(plan, scope))
            )
            if limited
            else ""
        ),
        "stretch": stretch_svg(plan, scope),
        "binding": binding(plan),
        "hires": hires(plan),
        "version": __version__,
    }


def _limited_text(locale: str, scope: Scope, shown: int) -> str:
    """What a page that stops at its top levels says it left out ('' for a whole page)."""
    if scope.levels is None:
        return ""
    return label(locale, "r_scope").format(
        units=format_number(Decimal(scope.units), locale),
        groups=format_number(Decimal(scope.groups), locale),
        levels=scope.levels + 1,
        shown=format_number(Decimal(shown), locale),
    )


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
        import jinja2  # noqa: F401  (checked here: _template() needs it)
        from markupsafe import Markup  # Jinja2's own dependency
    except ImportError:
        raise MissingDependencyError(
            "the HTML report needs Jinja2; install it with `pip install Jinja2`"
        ) from None
    scope = scope_of(plan, unit, max_cards)
    problem: str | None = None
    if tree_svg is None:
        tree_svg, problem = _draw_tree(plan, None if unit is None else scope.top, draw)
    context = report_context(plan, tree_svg=tree_svg, tree_problem=problem, scope=scope)
    # Safe as they are: the tree went through sanitize_svg, the charts escape every text.
    context["tree"] = Markup(context["tree"])
    context["stretch"] = Markup(context["stretch"])
    for card in context["cards"]:
        card.funnel, card.phasing = Markup(card.funnel), Markup(card.phasing)
    page: str = _template().render(**context)
    from okrplan.export.report_forecast import forecast_html, insert  # P(hit), its pictures

    top = None if scope.top == root_of(plan.graph) else scope.top
    return insert(page, forecast_html(plan, top))


def _draw_tree(plan: Plan, top: str | None, draw: bool) -> tuple[bytes | None, str | None]:
    """The org view's SVG for the page, or why there is none."""
    from okrplan.render import dot_problem, render_image, to_dot

    problem = dot_problem()
    if problem is None and not draw:
        return None, label(plan.locale, "r_not_asked")
    if problem is not None:
        return None, problem
    try:
        # the page's SVG zooms and links every box to its card: keep the roles
        return render_image(to_dot(plan, unit=top, units_only=False), "svg"), None
    except MissingDependencyError as exc:
        return None, str(exc)


@functools.cache
def _template() -> Any:
    """The page's template, compiled once per process (compiling it costs more than
    rendering a small plan). The template reads the dicts' keys as ``cell['text']``, not
    ``cell.text``: Jinja tries an attribute first, and the AttributeError of each of a
    page's 30,000 lookups cost more than the rest of the rendering."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("okrplan", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template(TEMPLATE)


def _cards(plan: Plan, book: SheetBook, people: dict[str, int]) -> list[Card]:
    """One card per unit and role group with a sheet, in tree order (a person's sheet is
    their group's: the card lists the people)."""
    graph, locale = plan.graph, plan.locale
    seen: set[str] = set()
    cards = []
    for sheet in book.sheets:
        if sheet.owner in seen:
            continue
        seen.add(sheet.owner)
        owner = node(graph, sheet.owner)
        if not isinstance(owner, Unit | RoleGroup):
            continue
        role = isinstance(owner, RoleGroup)
        path = list(owner.path or (owner.name,))
        lead = owner.lead if isinstance(owner, Unit) else ""
        header, rows, total = _table(sheet, book, locale)
        texts = [
            owner_title(owner, plan.locale),
            *path,
            owner.label if isinstance(owner, RoleGroup) else "",
            *(owner.people if isinstance(owner, RoleGroup) else ()),
            lead,
        ]
        texts += [str(r.text) for r in sheet.rows] + [str(r.objective_name) for r in sheet.rows]
        card = Card(
            sheet.owner,
            anchor_of(sheet.owner),
            "role" if role else "unit",
            owner_title(owner, plan.locale),
            lead,
            " / ".join(path if role else path[:-1]),
            _role_facts(plan, owner)
            if isinstance(owner, RoleGroup)
            else _unit_facts(plan, owner, people.get(owner.id, 0)),
            header,
            rows,
            total,
            " ".join(t for t in texts if t).lower(),
        )
        if isinstance(owner, RoleGroup):
            card.funnel = funnel_svg(plan, sheet.owner)
            card.phasing, card.phasing_title = phasing_svg(plan, sheet.owner)
            card.why = why(plan, owner)
        cards.append(card)
    return cards


def _table(
    sheet: Sheet, book: SheetBook, locale: str
) -> tuple[list[str], list[list[dict[str, Any]]], str]:
    """The sheet's header, and its rows as cells ``{text, cls, span}`` (objective cells
    spanning their key results' rows, as in the seed tables)."""
    keys = table_keys(book)
    years = len({p[:4] for p in book.periods}) > 1
    header = [
        (k[7:] if years else _period_head(k[7:], locale))
        if k.startswith("period:")
        else header_text(k, locale)
        for k in keys
    ]
    rows = []
    for row, shown in zip(sheet.rows, shown_cells(sheet, book), strict=True):
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
        cells.append({"text": shown["target"], "cls": "num target", "span": 1})
        cells.append({"text": shown["scored"], "cls": "num", "span": 1})
        for period in book.periods:
            cells.append({"text": shown[f"period:{period}"], "cls": "num period", "span": 1})
        rows.append(cells)
    total = f"{sum(r.weight or 0 for r in sheet.rows)}%"
    return header, rows, total


def _period_head(period: str, locale: str) -> str:
    """``2015-Q1`` → ``Q1``, ``2015-03`` → ``3月``/``Mar``, weeks as they are."""
    if "-Q" in period:
        return period.split("-", 1)[1]
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return month_name(period, locale)
    return period


def _unit_facts(plan: Plan, owner: Unit, people: int) -> list[str]:
    """A unit's card's facts: its target, the ``people`` below it, what it supplies."""
    locale, numbers = plan.locale, numbers_for(plan.meta)
    facts = []
    if owner.target is not None:
        facts.append(f"{label(locale, 'target')} {unit_money_text(owner, locale, numbers)}")
    if people:
        facts.append(people_text(people, locale))
    if owner.supports:
        metric = plan.metrics.get(owner.supports.metric, {}).get("name", owner.supports.metric)
        share = format_percent(Decimal(str(owner.supports.share)), locale)
        facts.append(label(locale, "supplies").format(share=share, metric=metric))
    return facts


def _role_facts(plan: Plan, group: RoleGroup) -> list[str]:
    locale, selling = plan.locale, group.selling
    facts = [people_text(group.headcount, locale)]
    if selling is not None:
        numbers = numbers_for(plan.meta)  # two different quantities: each in its own unit
        each, total = numbers.money(selling.per_person), numbers.money(selling.quota)
        facts.append(
            f"{label(locale, 'quota')} {each}"
            f"{' ' if locale.startswith('en') else '／'}{label(locale, 'per_person')}"
        )
        facts.append(label(locale, "r_quota_total").format(total=total))
    steps = ramp_text(selling.ramp if selling else ())
    if steps:
        facts.append(f"{label(locale, 'ramp')} {steps}")
    if group.people:
        facts.append(
            label(locale, "r_people_list").format(
                names=("、" if not locale.startswith("en") else ", ").join(group.people)
            )
        )
    return facts
