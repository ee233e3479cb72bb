"""The 复盘 pack of one unit for one period, computed as values (no text, no files).

Seed 000 names what each level's review meeting covers — 当前OKR的进度、过去一个月做了哪些工作、
下一步准备如何去做、需要的资源或当下遇到的困难 — and that a level reviews its own OKR only. So the
pack holds the unit's own objectives and key results, one summary line per direct child (never a
grandchild's OKRs), and numbers computed from the plan and the progress store: every number here
comes from ``plan.json`` and the check-ins, nothing is typed twice.

A role group's KRs are per person; the pack shows the group (per person × headcount) and, in the
next steps, per person again. Check-ins of a role's KR with a person's name add up to the group;
a check-in without one is the group's as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

from okrplan import queries
from okrplan.graph import node
from okrplan.model import KeyResult, KRKind, RoleGroup
from okrplan.numbers import numbers_for
from okrplan.periods import fiscal_start
from okrplan.review.funnel import Stage, diagnose
from okrplan.review.nextsteps import NextKr, done_to_date, next_steps, owner_label
from okrplan.review.periods import PlanCalendar, Span, exact, inside, planned, span
from okrplan.review.records import (
    LOW_CONFIDENCE,
    Activity,
    Actuals,
    Burnup,
    ChildLine,
    Funnel,
    Hiring,
    KrLine,
    Note,
    ObjectiveLines,
    Pack,
    Shortfall,
)

if TYPE_CHECKING:
    from okrplan.plan import Plan
    from okrplan.progress import CheckIn, KrProgress


__all__ = [
    "LOW_CONFIDENCE",
    "Activity",
    "Actuals",
    "Burnup",
    "ChildLine",
    "Funnel",
    "Hiring",
    "KrLine",
    "Note",
    "ObjectiveLines",
    "Pack",
    "Shortfall",
    "build_pack",
    "metric_order",
]


def build_pack(
    plan: Plan,
    unit_id: str,
    period: str,
    checkins: Sequence[CheckIn],
    progress: Mapping[str, KrProgress],
) -> Pack:
    """The review pack of ``unit_id`` for ``period`` (a month or quarter label).

    Parameters
    ----------
    plan : Plan
        The plan reviewed.
    unit_id : str
        The unit's node id (see :func:`okrplan.queries.unit_option`).
    period : str
        ``2015-06`` or ``2015-Q2`` (see :func:`okrplan.review.periods.review_period`).
    checkins : sequence of CheckIn
        The store's latest values (:func:`okrplan.progress.latest`) up to the period's end.
    progress : mapping of KR id to KrProgress
        :func:`okrplan.progress.progress` at the period's end.
    """
    graph = plan.graph
    owner = queries.unit(graph, unit_id)
    days = span(period, fiscal_start(plan.meta))  # FY2027-Q1: the plan's fiscal quarter
    actuals = Actuals(checkins)
    calendar = PlanCalendar.of(plan.meta)
    objectives = tuple(
        ObjectiveLines(
            o.name,
            None if o.weight is None else exact(o.weight),
            tuple(_kr_line(k, 1, progress, actuals, days.last) for k in krs),
        )
        for o, krs in queries.sheet(graph, unit_id)
    )
    groups = _groups_below(plan, unit_id)
    direct = set(_direct(plan, unit_id))
    steps = next_steps(plan, unit_id, groups, actuals, calendar, days)
    return Pack(
        str(plan.meta.get("name", "")),
        numbers_for(plan.meta),
        unit_id,
        owner.name,
        owner.path,
        period,
        days,
        objectives,
        tuple(_child_line(plan, c, progress, actuals, days.last) for c in _direct(plan, unit_id)),
        _activities(plan, groups, actuals, calendar, days),
        _notes(plan, unit_id, checkins, days, blockers=False),
        _hires(plan, unit_id, actuals, calendar, days),
        tuple(n for n in steps if n.owner_id == unit_id or n.owner_id in direct),
        _funnels(plan, groups, actuals, calendar, days, owner.path),
        _notes(plan, unit_id, checkins, days, blockers=True),
        _shortfalls(plan, unit_id, steps),
        _burnups(plan, unit_id, actuals, calendar, days),
    )


def _direct(plan: Plan, unit_id: str) -> list[str]:
    return queries.org_children(plan.graph, unit_id)


def _groups_below(plan: Plan, unit_id: str) -> list[RoleGroup]:
    """Every role group with people under the unit, in display order."""
    graph = plan.graph
    return [
        r
        for n in queries.tree_order(graph, unit_id)
        if isinstance(r := node(graph, n), RoleGroup) and r.headcount > 0
    ]


def _scale(plan: Plan, kr: KeyResult) -> int:
    """What turns a KR's number into its owner's whole: a role group's headcount."""
    owner = node(plan.graph, kr.owner)
    return owner.headcount if isinstance(owner, RoleGroup) else 1


def _kr_line(
    kr: KeyResult,
    scale: int,
    progress: Mapping[str, KrProgress],
    actuals: Actuals,
    until: date,
) -> KrLine:
    """A KR's line; ``scale`` turns a per-person KR into its group's numbers."""
    state = progress.get(kr.id)
    if state is not None:  # the store's numbers are the owner's whole already
        return KrLine(
            kr.id,
            kr.name,
            kr.metric,
            kr.unit or "",
            bool(kr.money),
            _is_percent(kr),
            state.total,
            state.expected,
            state.actual,
            state.progress,
            str(state.status),
            actuals.confidence(kr.id, until),
        )
    target = None if kr.target is None else exact(kr.total if kr.total is not None else kr.target)
    return KrLine(
        kr.id,
        kr.name,
        kr.metric,
        kr.unit or "",
        bool(kr.money),
        _is_percent(kr),
        None if target is None else target * scale,
        None,
        None,
        None,
        "no_data",
        actuals.confidence(kr.id, until),
    )


def _is_percent(kr: KeyResult) -> bool:
    return kr.target_kind is not None and kr.target_kind.value == "percent"


def _headline(plan: Plan, owner: str) -> KeyResult | None:
    """The KR that sums an owner up: its KR of the plan's KPI metric, else its first derived KR."""
    krs = [k for _, ks in queries.sheet(plan.graph, owner) for k in ks]
    base = _kpi_base(plan)
    for kr in krs:
        if kr.metric == base:
            return kr
    return next((k for k in krs if k.kr_kind is KRKind.DERIVED), None)


def _child_line(
    plan: Plan,
    child: str,
    progress: Mapping[str, KrProgress],
    actuals: Actuals,
    until: date,
) -> ChildLine:
    """A direct child's line: its headline KR, or — for a unit with no OKR of its own (a team
    that only holds role groups) — the headline KRs of the role groups in it, added up."""
    graph = plan.graph
    record = node(graph, child)
    role = isinstance(record, RoleGroup)
    count = (
        record.headcount if isinstance(record, RoleGroup) else queries.people_below(graph, child)
    )
    name = record.label if isinstance(record, RoleGroup) else str(getattr(record, "name", child))
    headline = _headline(plan, child)
    if headline is not None:
        line = _kr_line(headline, _scale(plan, headline), progress, actuals, until)
        return ChildLine(child, name, role, count, line)
    parts = [
        _kr_line(k, g.headcount, progress, actuals, until)
        for g in _groups_below(plan, child)
        if (k := _headline(plan, g.id)) is not None
    ]
    return ChildLine(child, name, role, count, _added(parts))


def _added(lines: Sequence[KrLine]) -> KrLine | None:
    """KR lines of one metric added up (None unless they share one)."""
    if not lines or len({line.metric for line in lines}) != 1:
        return None

    def total(values: Sequence[Fraction | None]) -> Fraction | None:
        found = [v for v in values if v is not None]
        return sum(found, Fraction(0)) if found else None

    first = lines[0]
    target = total([line.target for line in lines])
    actual = total([line.actual for line in lines])
    expected = total([line.expected for line in lines])
    statuses = {line.status for line in lines if line.actual is not None}
    return KrLine(
        "",
        first.name,
        first.metric,
        first.unit,
        first.money,
        first.percent,
        target,
        expected,
        actual,
        actual / target if actual is not None and target else None,
        _worst(statuses),
        None,
    )


_STATUS_ORDER = ("at_risk", "behind", "on_track", "done")


def _worst(statuses: set[str]) -> str:
    """The most worrying of some KRs' statuses."""
    return next((s for s in _STATUS_ORDER if s in statuses), "no_data")


def _metric_name(plan: Plan, metric: str) -> str:
    return str(plan.metrics.get(metric, {}).get("name", metric))


def _activities(
    plan: Plan,
    groups: Sequence[RoleGroup],
    actuals: Actuals,
    calendar: PlanCalendar,
    days: Span,
) -> tuple[Activity, ...]:
    """Each metric's volume of the period over the unit's people, against the period's plan.
    Where only some groups reported a metric, it is compared with their plan alone."""
    rows: dict[str, list[tuple[int, Fraction, Fraction | None]]] = {}
    first: dict[str, KeyResult] = {}
    for group in groups:
        for _, krs in queries.sheet(plan.graph, group.id):
            for kr in krs:
                if kr.kr_kind is KRKind.DERIVED and kr.metric is not None:
                    first.setdefault(kr.metric, kr)
                    rows.setdefault(kr.metric, []).append(
                        (
                            group.headcount,
                            planned(kr, days, calendar) * group.headcount,
                            actuals.within(kr.id, days),
                        )
                    )
    order = metric_order(plan)
    out = []
    for m in sorted(first, key=lambda m: order.index(m) if m in order else len(order)):
        reported = [r for r in rows[m] if r[2] is not None]
        counted = reported or rows[m]
        out.append(
            Activity(
                m,
                _metric_name(plan, m),
                first[m].unit or "",
                bool(first[m].money),
                sum((p for _, p, _ in counted), Fraction(0)),
                sum((a or Fraction(0) for *_, a in reported), Fraction(0)) if reported else None,
                sum(n for n, *_ in rows[m]),
                sum(n for n, *_ in reported),
            )
        )
    return tuple(out)


def metric_order(plan: Plan) -> list[str]:
    """The plan's metrics in funnel order: the furthest from the KPI first (calls, visits, …,
    revenue), then those that follow another (collections)."""
    base = _kpi_base(plan)
    steps: dict[str, int] = {}

    def distance(metric: str, seen: frozenset[str] = frozenset()) -> int:
        if metric == base:
            return 0
        if metric in steps:
            return steps[metric]
        yields = plan.metrics.get(metric, {}).get("yields") or {}
        found = [distance(t, seen | {metric}) for t in yields if t not in seen]
        steps[metric] = max((d + 1 for d in found if d >= 0), default=-1)
        return steps[metric]

    return sorted(plan.metrics, key=lambda m: (-distance(m), m))


def _kpi_base(plan: Plan) -> str:
    kpi = plan.meta.get("kpi")
    return str(kpi.get("base", "")) if isinstance(kpi, dict) else ""


def _own_and_children_krs(plan: Plan, unit_id: str) -> list[KeyResult]:
    """The unit's KRs and its direct children's: what this level's meeting talks about. A
    direct child with no OKR of its own (a team that only holds role groups) speaks through
    the role groups in it, as its summary line does."""
    graph = plan.graph
    owners = [unit_id]
    for child in _direct(plan, unit_id):
        if queries.sheet(graph, child) or isinstance(node(graph, child), RoleGroup):
            owners.append(child)
        else:
            owners += [g.id for g in _groups_below(plan, child)]
    return [k for owner in owners for _, ks in queries.sheet(graph, owner) for k in ks]


def _notes(
    plan: Plan,
    unit_id: str,
    checkins: Sequence[CheckIn],
    days: Span,
    *,
    blockers: bool,
) -> tuple[Note, ...]:
    """Comments of the period on this level's KRs; with ``blockers``, those of low confidence."""
    krs = {k.id: k for k in _own_and_children_krs(plan, unit_id)}
    out = []
    for c in checkins:
        kr = krs.get(c.kr)
        if kr is None or not inside(c.period, days):
            continue
        low = c.confidence is not None and c.confidence <= LOW_CONFIDENCE
        if (blockers and low) or (not blockers and c.comment):
            out.append(
                Note(
                    owner_label(plan, kr.owner, queries.unit(plan.graph, unit_id).path),
                    kr.name,
                    c.period,
                    c.person,
                    c.confidence,
                    c.comment,
                )
            )
    return tuple(sorted(out, key=lambda n: (n.owner, n.kr, n.period, n.person)))


def _hires(
    plan: Plan,
    unit_id: str,
    actuals: Actuals,
    calendar: PlanCalendar,
    days: Span,
) -> tuple[Hiring, ...]:
    """Staffing KRs of this level: the plan's hires, those reported in the period and to date."""
    to_date = Span(calendar.span.first, days.last)
    base = queries.unit(plan.graph, unit_id).path
    return tuple(
        Hiring(
            owner_label(plan, kr.owner, base),
            kr.name,
            None if kr.target is None else exact(kr.target),
            actuals.within(kr.id, days),
            actuals.within(kr.id, to_date),
        )
        for kr in _own_and_children_krs(plan, unit_id)
        if kr.kr_kind is KRKind.STAFFING
    )


def _funnels(
    plan: Plan,
    groups: Sequence[RoleGroup],
    actuals: Actuals,
    calendar: PlanCalendar,
    days: Span,
    base: Sequence[str],
) -> tuple[Funnel, ...]:
    """One diagnosis per selling chain (calls → … → revenue; channels → revenue) of the people
    below the unit, each over every group that sells through it."""
    chains: dict[tuple[str, ...], list[tuple[RoleGroup, list[KeyResult]]]] = {}
    for group in groups:
        headline = _headline(plan, group.id)
        if headline is None or not group.sells:
            continue
        chain = queries.funnel_chain(plan.graph, headline.id)
        if len(chain) < 2:
            continue
        metrics = tuple(str(k.metric) for k in chain)
        chains.setdefault(metrics, []).append((group, chain))
    out = []
    for metrics, members in chains.items():
        # Only the groups that reported this period are compared with their plan: a group
        # with no data is not a group that did nothing.
        reporting = [
            (g, chain)
            for g, chain in members
            if any(actuals.within(k.id, days) is not None for k in chain)
        ] or members
        stages = [
            _stage(plan, [chain[i] for _, chain in reporting], reporting, actuals, calendar, days)
            for i in range(len(metrics))
        ]
        within = tuple(dict.fromkeys(_top(g, base) for g, _ in members))
        people = sum(g.headcount for g, _ in members)
        counted = sum(g.headcount for g, _ in reporting)
        out.append(Funnel(within, people, counted, diagnose(stages)))
    return tuple(out)


def _stage(
    plan: Plan,
    krs: Sequence[KeyResult],
    members: Sequence[tuple[RoleGroup, list[KeyResult]]],
    actuals: Actuals,
    calendar: PlanCalendar,
    days: Span,
) -> Stage:
    """One stage over some groups: their plan for the period, and their actual if every one
    of them reported it (a partial sum would read as a shortfall)."""
    plan_volume = sum(
        (
            planned(kr, days, calendar) * g.headcount
            for kr, (g, _) in zip(krs, members, strict=True)
        ),
        Fraction(0),
    )
    reported = [actuals.within(kr.id, days) for kr in krs]
    found = [v for v in reported if v is not None]
    actual = sum(found, Fraction(0)) if len(found) == len(reported) else None
    metric = str(krs[0].metric)
    return Stage(metric, _metric_name(plan, metric), plan_volume, actual)


def _burnups(
    plan: Plan,
    unit_id: str,
    actuals: Actuals,
    calendar: PlanCalendar,
    days: Span,
) -> tuple[Burnup, ...]:
    """The unit's phased KRs month by month: cumulative plan, and actual to the period's end."""
    out = []
    start = calendar.span.first
    for _, krs in queries.sheet(plan.graph, unit_id):
        for kr in krs:
            if kr.kr_kind is not KRKind.DERIVED or not kr.periods:
                continue
            ends = [span(m).last for m in calendar.months]
            plans = tuple(planned(kr, Span(start, end), calendar) for end in ends)
            done = tuple(
                done_to_date(plan, kr, actuals, Span(start, end)) if end <= days.last else None
                for end in ends
            )
            out.append(
                Burnup(kr.id, kr.name, bool(kr.money), plans[-1], calendar.months, plans, done)
            )
    return tuple(out)


def _shortfalls(plan: Plan, unit_id: str, steps: Sequence[NextKr]) -> tuple[Shortfall, ...]:
    """The people each direct child lacks for the rest of the plan (see :class:`Shortfall`)."""
    graph = plan.graph
    child_of = {}
    for child in _direct(plan, unit_id):
        child_of[child] = child
        child_of.update(dict.fromkeys(queries.below(graph, child), child))
    by_group: dict[str, NextKr] = {}
    for step in steps:
        if step.people_short > 0 and step.owner_id in child_of:
            best = by_group.get(step.owner_id)
            if best is None or step.people_short > best.people_short:
                by_group[step.owner_id] = step
    out = []
    for child in _direct(plan, unit_id):
        short = [s for g, s in by_group.items() if child_of[g] == child]
        if not short:
            continue
        worst_kr, worst = max(
            ((s, n) for s in short for n in s.needs if n.over and n.capacity),
            key=lambda sn: (sn[1].need / sn[0].headcount / (sn[1].capacity or 1), sn[0].kr),
        )
        out.append(
            Shortfall(
                _child_name(plan, child),
                sum(s.people_short for s in short),
                worst_kr.name,
                worst.label,
                worst.per_person or Fraction(0),
                worst.capacity or Fraction(0),
                worst_kr.money,
            )
        )
    return tuple(out)


def _top(group: RoleGroup, base: Sequence[str]) -> str:
    """The direct child of the reviewed unit (path ``base``) a role group is in."""
    path = list(group.path)
    return path[len(base)] if len(path) > len(base) else group.label


def _child_name(plan: Plan, child: str) -> str:
    record = node(plan.graph, child)
    return record.label if isinstance(record, RoleGroup) else str(getattr(record, "name", child))
