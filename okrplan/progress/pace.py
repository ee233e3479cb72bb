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

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from okrplan import queries
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
    """Every KR's progress (or one person's) through :class:`~.rollup.Progress`, the one
    implementation: of the plan's light view, in the order the KRs are worked out (those
    aligned to a KR before it)."""
    from okrplan.progress import light, rollup

    view = light.of_plan(plan)
    rows = [(t.kr, t.person, t.total, t.count, t.last) for t in tallies]
    return rollup.Progress(view, rows, as_of, person).every()


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
