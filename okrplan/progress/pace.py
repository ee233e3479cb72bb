"""Progress of every KR as of a date, paced against the plan's own period targets.

For each KR with a number (working in the docstring of :func:`progress`):

- **expected** to date = Σ over the KR's period targets of target × the share of the period's
  days on or before the date (seasonality, ramps and start dates are in those targets already:
  a hire cohort's months before it starts have target 0). Periods are clipped to the plan's
  months (a plan's first ISO week may start in December).
- **actual** to date = Σ of the latest check-ins of periods that start on or before the date.
- **progress** = actual ÷ plan total; **pace** = actual ÷ expected; **projection** = pace ×
  total (the plan's remaining shape kept, at the pace so far); with nothing expected yet (a
  hire who starts in April, as of March) there is no pace and nothing is behind.
- **status**: done (actual ≥ total), on track (pace ≥ 95%), behind (75–95%), at risk (< 75%),
  no data (no check-in, or the last one ended more than one cadence period before the date).
  The thresholds come from ``tracking:`` in the target file (``on_track: 95%``, ``behind: 75%``).

``direction: decrease`` KRs (costs, complaints) mirror this: pace = expected ÷ actual, done
only once the plan is over within the total. A level KR (a percent or points: 100%/周) does
not add up: its actual is the mean of its check-ins and its pace actual ÷ target.

A role group's KR is per person; its progress here is the group's (per-person plan ×
headcount). When only some people reported, ``actual`` is their partial total, ``partial`` is
set and ``reported`` of ``people`` say so; ``missing`` names the others. The missing are never
counted as zero nor the reporters averaged over everyone: ``pace`` (and so the status and the
projection) compares the reporters with their own share of the plan (2 of 8 reps with 190 of
their 2 × 100 due: pace 95%, on track, partial 2/8), so a group does not read "at risk" only
because people did not report; ``reporters_pace`` repeats it where partial. A KR without
check-ins of its own takes the sum of the KRs aligned to it (智能进度) in the same way, paced
against the reporting KRs' own due; a KR with both keeps its own and shows the roll-up in
``rolled``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from okrplan import queries
from okrplan.cadence import ScoredTargets, cadence, is_level
from okrplan.graph import node
from okrplan.model import Direction, KeyResult, KRKind, Per, RoleGroup
from okrplan.periods import fiscal_start, parse_month
from okrplan.plan import Plan
from okrplan.progress import calendar
from okrplan.progress.measure import (
    KrProgress,
    ObjectiveProgress,
    Pace,
    Thresholds,
    kr_status,
    objective_share,
)
from okrplan.progress.store import CheckIn, Tally, tallies

__all__ = [  # the records and rules of .measure, here too as before
    "KrProgress",
    "ObjectiveProgress",
    "Pace",
    "Thresholds",
    "exact_sum",
    "expected_to",
    "kr_status",
    "objective_progress",
    "objective_share",
    "person_progress",
    "progress",
    "stored_progress",
    "tallied_progress",
    "tally",
]


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a KR's numbers are measured against."""

    total: Fraction
    schedule: _Schedule  # period first, last, target
    level: bool
    decrease: bool
    people: int
    cadence_days: int


_Schedule = tuple[tuple[date, date, Fraction | int], ...]
_CADENCE_DAYS = {"week": 7, "month": 31, "quarter": 92, "year": 366, "plan": 366}


def progress(plan: Plan, checkins: Sequence[CheckIn], as_of: date) -> dict[str, KrProgress]:
    """The progress of every KR that has a number, as of ``as_of``, by KR id.

    Worked example (the issue's): a KR of 8,000 phased 20/20/20/40% by quarter has 2,800 done
    by 30 June. Expected = 1,600 + 1,600 = 3,200 (a straight line would say 4,000); pace =
    2,800 ÷ 3,200 = 0.875: behind, not at risk; projection = 0.875 × 8,000 = 7,000.
    """
    return _compute(plan, tally(checkins, as_of), as_of, None)


def person_progress(
    plan: Plan, checkins: Sequence[CheckIn], as_of: date, person: str
) -> dict[str, KrProgress]:
    """The progress of one person on the KRs of the role groups that list them, by KR id:
    their own check-ins against the per-person plan."""
    return _compute(plan, tally(checkins, as_of), as_of, person)


def stored_progress(
    plan: Plan, plan_dir: str | Path, as_of: date, person: str | None = None
) -> dict[str, KrProgress]:
    """:func:`progress` (or :func:`person_progress`) of the check-ins stored in ``plan_dir``,
    added up in the store: fast for a plan of 100,000 people."""
    return tallied_progress(plan, tallies(plan_dir, as_of), as_of, person)


def tallied_progress(
    plan: Plan, tallies: Sequence[Tally], as_of: date, person: str | None = None
) -> dict[str, KrProgress]:
    """:func:`stored_progress` of tallies already read (see :func:`~.store.tallies`)."""
    return _compute(plan, tallies, as_of, person)


def tally(checkins: Sequence[CheckIn], as_of: date) -> list[Tally]:
    """Check-ins of periods starting on or before ``as_of`` added up per KR and person."""
    sums: dict[tuple[str, str], list[Any]] = {}
    for row in checkins:
        period = calendar.normal_period(row.period)
        first, last = calendar.span(period)
        if first > as_of:
            continue
        held = sums.setdefault((row.kr, row.person), [Fraction(0), 0, last])
        held[0] += Fraction(row.value)
        held[1] += 1
        held[2] = max(held[2], last)
    return [Tally(kr, person, *held) for (kr, person), held in sums.items()]


def _compute(
    plan: Plan, tallies: Sequence[Tally], as_of: date, person: str | None
) -> dict[str, KrProgress]:
    graph = plan.graph
    months = [parse_month(m) for m in plan.meta.get("months") or ()]
    bounds = calendar.span(str(months[0]))[0], calendar.span(str(months[-1]))[1]
    targets = ScoredTargets(plan)
    fiscal = fiscal_start(plan.meta)
    by_kr: dict[str, list[Tally]] = defaultdict(list)
    for row in tallies:
        if person is not None:
            if row.person != person:
                continue
            row = Tally(row.kr, "", row.total, row.count, row.last)
        by_kr[row.kr].append(row)
    measures: dict[str, _Plan] = {}
    for record in queries.records(graph):
        if isinstance(record, KeyResult):
            if person is not None and not _lists(graph, record.owner, person):
                continue
            measure = _measure(
                graph, record, targets, bounds, per_person=person is not None, fiscal=fiscal
            )
            if measure is not None:
                measures[record.id] = measure
    out: dict[str, KrProgress] = {}
    context = _Context(graph, measures, by_kr, as_of, bounds, Thresholds.of(plan), out)
    for kr_id in measures:
        context.of(kr_id)
    return out


def _lists(graph: nx.DiGraph, owner: str, person: str) -> bool:
    group = node(graph, owner)
    return isinstance(group, RoleGroup) and person in group.people


def _measure(
    graph: nx.DiGraph,
    kr: KeyResult,
    targets: ScoredTargets,
    bounds: tuple[date, date],
    *,
    per_person: bool = False,
    fiscal: int = 1,
) -> _Plan | None:
    owner = node(graph, kr.owner)
    people = owner.headcount if isinstance(owner, RoleGroup) and not per_person else 0
    decrease = kr.direction is Direction.DECREASE
    step = cadence(kr)
    cadence_days = _CADENCE_DAYS[str(step) if step is not None else _kr_per(kr)]
    if kr.kr_kind is KRKind.MANUAL and is_level(kr):
        if kr.target is None:
            return None
        target = Fraction(kr.target)
        schedule: _Schedule = ((bounds[0], bounds[1], target),)
        return _Plan(target, schedule, True, decrease, people, cadence_days)
    hiring = (
        _hiring(graph, kr, bounds) if kr.kr_kind is KRKind.STAFFING and not kr.periods else None
    )
    if hiring is not None:
        return _Plan(Fraction(hiring[0][2] * len(hiring)), hiring, False, decrease, 0, cadence_days)
    if kr.periods:
        schedule = tuple(
            _clipped(label, value, bounds, fiscal) for label, value in kr.periods.items()
        )
        total = Fraction(kr.total) if kr.total is not None else exact_sum(kr.periods.values())
    else:
        plan_total = targets.plan(kr)
        if plan_total is None:
            return None
        total = Fraction(plan_total)
        schedule = ((bounds[0], bounds[1], total),)
    scale = max(people, 1)
    if scale != 1:
        schedule = tuple((first, last, value * scale) for first, last, value in schedule)
    return _Plan(total * scale, schedule, False, decrease, people, cadence_days)


def _hiring(graph: nx.DiGraph, kr: KeyResult, bounds: tuple[date, date]) -> _Schedule | None:
    """A staffing KR's schedule: the whole target on board by its due month, spread evenly
    over the plan's months up to it ("招聘 3 名, 3月底前到岗": 1 a month in Jan–Mar, all 3 by
    31 March and after). Without ``due``, the month before the hires' ramp starts earns
    (their first month with a nonzero ramp); without either, None (pro-rated over the plan)."""
    if kr.target is None:
        return None
    first = bounds[0].replace(day=1)
    due = _due_month(graph, kr, first)
    if due is None:
        return None
    months: list[tuple[date, date]] = []
    day = first
    while day <= due and day <= bounds[1]:
        months.append(calendar.span(f"{day:%Y-%m}"))
        day = months[-1][1] + timedelta(days=1)
    if not months:
        return None
    each = Fraction(kr.target) / len(months)
    return tuple((start, last, each) for start, last in months)


def _due_month(graph: nx.DiGraph, kr: KeyResult, first: date) -> date | None:
    """The first day of a staffing KR's due month (see :func:`_hiring`)."""
    if kr.due:
        try:
            return calendar.start(str(parse_month(kr.due)))
        except ValueError:
            return None
    group = node(graph, kr.hires) if kr.hires and kr.hires in graph else None
    selling = group.selling if isinstance(group, RoleGroup) else None
    ramp = selling.ramp if selling is not None else ()
    earning = next((i for i, share in enumerate(ramp) if share), None)
    if not earning:  # none, or earning from the first month: nothing to hire ahead of
        return None
    month = first.month - 1 + earning - 1  # the month before the first earning one
    return date(first.year + month // 12, month % 12 + 1, 1)


def _kr_per(kr: KeyResult) -> str:
    if kr.per is Per.PLAN and kr.periods:
        label = next(iter(kr.periods))
        return "quarter" if "Q" in label else "week" if "W" in label else "month"
    return str(kr.per)


def _clipped(
    label: str, value: int | float, bounds: tuple[date, date], fiscal: int
) -> tuple[date, date, Fraction | int]:
    first, last = _clipped_span(label, bounds, fiscal)
    return first, last, value if type(value) is int else Fraction(value)


@lru_cache(maxsize=4096)  # a plan's few dozen labels, met once per KR
def _clipped_span(label: str, bounds: tuple[date, date], fiscal: int) -> tuple[date, date]:
    first, last = calendar.plan_span(label, fiscal)
    return max(first, bounds[0]), min(last, bounds[1])


def exact_sum(values: Collection[Fraction | int | float]) -> Fraction:
    """The exact sum of ``values`` as a Fraction: whole numbers added as integers (a roll-up
    of 100,000 KRs adds mostly whole numbers; Fraction's own ``+`` costs far more)."""
    if all(type(v) is int or (type(v) is Fraction and v.denominator == 1) for v in values):
        return Fraction(sum(int(v) for v in values))
    return sum((Fraction(v) for v in values), Fraction(0))


def expected_to(schedule: Sequence[tuple[date, date, Fraction | int]], as_of: date) -> Fraction:
    """Σ target × the share of each period's days on or before ``as_of``: whole periods
    added as they are (integers mostly), only the one ``as_of`` falls in pro-rated."""
    whole: Fraction | int = 0
    part = Fraction(0)
    for first, last, value in schedule:
        if as_of < first:
            continue
        if as_of >= last:
            whole += value
        else:
            part += value * calendar.elapsed(first, last, as_of)
    return part + whole


@dataclass(slots=True)
class _Actual:
    """An actual to date and what it is made of."""

    value: Fraction
    last: date
    reported: int = 0
    share: Fraction = Fraction(1)  # the part of the plan the reporters account for
    missing: tuple[str, ...] = ()
    reporting: Fraction | None = None  # the reporters' own expected to date, where known
    reports: tuple[int, int] = (1, 1)  # see KrProgress.reports


class _Context:
    """Computes each KR once, children (along ``aligns``) before parents."""

    def __init__(
        self,
        graph: nx.DiGraph,
        measures: Mapping[str, _Plan],
        by_kr: Mapping[str, list[Tally]],
        as_of: date,
        bounds: tuple[date, date],
        thresholds: Thresholds,
        out: dict[str, KrProgress],
    ) -> None:
        self.graph, self.measures, self.by_kr = graph, measures, by_kr
        self.as_of, self.bounds, self.thresholds, self.out = as_of, bounds, thresholds, out
        self.effective: dict[str, Fraction] = {}

    def of(self, kr_id: str) -> KrProgress:
        done = self.out.get(kr_id)
        if done is not None:
            return done
        measure = self.measures[kr_id]
        rows = self.by_kr.get(kr_id, [])
        own = _sum([r for r in rows if not r.person], measure.level)
        if own is not None and measure.people:
            own.reports = (measure.people, measure.people)  # the group's own: everyone's
        people = self._people(kr_id, [r for r in rows if r.person], measure)
        rolled = None if measure.level else self._rolled(kr_id)
        actual = own or people or rolled
        expected = measure.total if measure.level else expected_to(measure.schedule, self.as_of)
        result = self._result(kr_id, measure, expected, actual)
        if actual is not None and actual is not rolled and rolled is not None:
            result = _with_rolled(result, rolled.value)
        self.out[kr_id] = result
        return result

    def _people(self, kr_id: str, rows: list[Tally], measure: _Plan) -> _Actual | None:
        if not rows:
            return None
        total = _sum(rows, measure.level)
        assert total is not None
        names = {r.person for r in rows}
        total.reported = len(names)
        total.reports = (len(names), max(measure.people, len(names)))
        if measure.people and len(names) < measure.people:
            total.share = Fraction(len(names), measure.people)
            owner = node(self.graph, queries.key_result(self.graph, kr_id).owner)
            if isinstance(owner, RoleGroup):
                total.missing = tuple(p for p in owner.people if p not in names)
        return total

    def _rolled(self, kr_id: str) -> _Actual | None:
        children = [c for c in queries.aligned_children(self.graph, kr_id) if c in self.measures]
        results = [self.of(c) for c in children]
        with_data = [r for r in results if r.actual is not None]
        if not with_data:
            return None
        value = exact_sum([r.actual for r in with_data if r.actual is not None])
        last = max(r.last for r in with_data if r.last is not None)
        everyone = exact_sum([r.expected for r in results])
        reporting = exact_sum([self.effective.get(r.kr, r.expected) for r in with_data])
        share = reporting / everyone if everyone else Fraction(len(with_data), len(results))
        # who is missing: the aligned KRs without data and the people missing from those with
        missing = tuple(r.kr for r in results if r.actual is None)
        missing += tuple(m for r in with_data if r.partial for m in r.missing)
        reports = (sum(r.reports[0] for r in results), sum(r.reports[1] for r in results))
        share = min(share, Fraction(1))
        return _Actual(value, last, len(with_data), share, missing, reporting, reports)

    def _result(
        self, kr_id: str, measure: _Plan, expected: Fraction, actual: _Actual | None
    ) -> KrProgress:
        if actual is None:
            return KrProgress(
                kr_id,
                measure.total,
                expected,
                None,
                None,
                None,
                None,
                Pace.NO_DATA,
                people=measure.people,
                reports=(0, self._due_reports(kr_id, measure)),
            )
        partial = actual.share < 1
        # measured against what the reporters were due: the missing are neither zero nor
        # anyone's average (2 of 8 reps: their actual ÷ their 2 shares of the plan)
        due = expected * actual.share
        if partial and actual.reporting is not None:
            due = actual.reporting  # the reporters' own plans, not a share of this KR's
        self.effective[kr_id] = due
        value = actual.value
        progress = value / measure.total if measure.total else None
        if measure.decrease:
            pace = (due / value if value else None) if due else None
        else:
            pace = value / due if due else None
        reporters = pace if partial else None
        projection = value * measure.total / due if due else value + measure.total
        if measure.level:
            projection = value
        status = self._status(measure, value, pace, actual.last)
        return KrProgress(
            kr_id,
            measure.total,
            expected,
            value,
            progress,
            pace,
            projection,
            status,
            people=measure.people,
            reported=actual.reported,
            missing=actual.missing,
            last=actual.last,
            partial=partial,
            reporters_pace=reporters,
            reports=actual.reports,
        )

    def _due_reports(self, kr_id: str, measure: _Plan) -> int:
        """Who should report on a KR without data: its people, else its aligned KRs' due."""
        if measure.people:
            return measure.people
        children = [c for c in queries.aligned_children(self.graph, kr_id) if c in self.measures]
        return sum(self.of(c).reports[1] for c in children) or 1

    def _status(self, measure: _Plan, value: Fraction, pace: Fraction | None, last: date) -> Pace:
        return kr_status(self.thresholds, self.as_of, self.bounds[1], measure, value, pace, last)


def _sum(rows: Sequence[Tally], level: bool) -> _Actual | None:
    """Check-ins added up (a level: averaged), with the last day they cover."""
    if not rows:
        return None
    total = sum((r.total for r in rows), Fraction(0))
    count = sum(r.count for r in rows)
    return _Actual(total / count if level else total, max(r.last for r in rows))


def _with_rolled(result: KrProgress, rolled: Fraction) -> KrProgress:
    fields = {name: getattr(result, name) for name in KrProgress.__slots__}
    fields["rolled"] = rolled
    return KrProgress(**fields)


def objective_progress(
    plan: Plan, krs: Mapping[str, KrProgress], owners: Sequence[str] | None = None
) -> dict[str, ObjectiveProgress]:
    """Every objective's progress from its KRs' (see :class:`ObjectiveProgress`); with
    ``owners``, only those owners' objectives.

    Worked example (the issue's): weights 10/15/15/20 at 100/50/80/60% give
    (10 × 1 + 15 × 0.5 + 15 × 0.8 + 20 × 0.6) ÷ 60 = 41.5 ÷ 60 = 69.2%.
    """
    graph = plan.graph
    out: dict[str, ObjectiveProgress] = {}
    for owner in queries.tree_order(graph) if owners is None else owners:
        for objective, key_results in queries.sheet(graph, owner):
            out[objective.id] = objective_share(objective.id, key_results, krs)
    return out
