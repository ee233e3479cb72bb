"""Every KR's progress of a :class:`~okrplan.progress.light.LightPlan`: the numbers of
:func:`okrplan.progress.pace.progress` (its docstring has the working), without the graph.

The same exact arithmetic, in integers wherever the values are whole (a plan's targets and
a CRM's counts mostly are) and fractions only where they are not (a period pro-rated by days,
a group's partial share); the period spans worked out once per list of labels rather than
once per KR; each KR's :class:`~okrplan.progress.pace.KrProgress` made only when asked for
(a status shows a few dozen of 115,000). ``tests/test_status_light.py`` checks that both give
the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

from okrplan.periods import fiscal_start, parse_month
from okrplan.progress import calendar
from okrplan.progress.light import KrFacts, LightPlan, is_role
from okrplan.progress.measure import (
    KrProgress,
    ObjectiveProgress,
    Pace,
    Thresholds,
    kr_status,
    objective_share,
)

Rational = int | Fraction
TallyRow = tuple[str, str, Rational, int, date]  # kr, person, total, count, last day
Spec = tuple[str, Rational, bool, int, int, Any]
"""What a KR is measured against, whatever the day (:func:`spec_of`): how its expected to
date is worked out (``level``, ``hiring``, ``labels`` (its periods), ``flat`` (over the plan)),
its total before a group's headcount, decrease, people, cadence in days, and the hiring's
schedule (first day, last day, hires) where it has one."""
_CADENCE_DAYS = {"week": 7, "month": 31, "quarter": 92, "year": 366, "plan": 366}


class _Measure:
    """What a KR is measured against (pace's ``_Plan``), with its expected to date."""

    __slots__ = ("cadence_days", "decrease", "expected", "level", "people", "total")

    def __init__(
        self, total: Rational, expected: Rational, level: bool, decrease: bool, people: int,
        cadence_days: int,
    ) -> None:  # fmt: skip
        self.total, self.expected, self.level = total, expected, level
        self.decrease, self.people, self.cadence_days = decrease, people, cadence_days


class _Got:
    """A KR's result: pace's ``_Actual`` folded into what its parent reads."""

    __slots__ = (
        "due",
        "last",
        "missing",
        "reported",
        "reporting",
        "reports",
        "rolled",
        "share",
        "value",
    )  # fmt: skip

    def __init__(
        self, value: Rational | None, last: date | None, reported: int = 0,
        share: Rational = 1, missing: tuple[str, ...] = (), reporting: Rational | None = None,
        reports: tuple[int, int] = (1, 1),
    ) -> None:  # fmt: skip
        self.value, self.last, self.reported, self.share = value, last, reported, share
        self.missing, self.reporting, self.reports = missing, reporting, reports
        self.due: Rational = 0
        self.rolled: Rational | None = None


def _sum(values: Iterable[Rational]) -> Rational:
    total: Rational = 0
    for value in values:
        total += value
    return total


def _exact(value: Any) -> Rational:
    return value if type(value) is int else Fraction(value)


class Progress:
    """Every KR's progress as of a date; :meth:`of` makes a KR's
    :class:`~okrplan.progress.pace.KrProgress`."""

    def __init__(
        self, plan: LightPlan, tallies: Iterable[TallyRow], as_of: date, person: str | None = None
    ) -> None:
        """``person``: that person's progress on the KRs of the role groups that list them,
        their own check-ins against the per-person plan (each KR as its owner's, with no
        headcount); else every KR's, a group's KRs for the whole group."""
        self.plan, self.as_of = plan, as_of
        self.groups: set[str] | None = None
        if person is not None:
            self.groups = {i for i, o in plan.owners.items() if is_role(o) and person in o.people}
            tallies = [(r[0], "", r[2], r[3], r[4]) for r in tallies if r[1] == person]
        months = [parse_month(m) for m in plan.meta.get("months") or ()]
        self.bounds = calendar.span(str(months[0]))[0], calendar.span(str(months[-1]))[1]
        self.fiscal = fiscal_start(plan.meta)
        self.thresholds = Thresholds.of(plan)
        self.rows: dict[str, list[TallyRow]] = defaultdict(list)
        for row in tallies:
            self.rows[row[0]].append(row)
        self.spans: dict[tuple[str, ...], list[tuple[int, Fraction | None]]] = {}
        # each KR measured when first asked for (a status asks for the KRs it shows and
        # those aligned below them: 62,000 of 115,000 at 100,000 people)
        self.measures: dict[str, _Measure | None] = {}
        self.specs = plan.specs if plan.specs is not None else Specs(plan)
        self.got: dict[str, _Got] = {}

    def measure(self, kr_id: str) -> _Measure | None:
        """What the KR is measured against as of the day; None for a KR without a number."""
        found = self.measures.get(kr_id, self)  # self: not measured yet
        if found is not self:
            return found  # type: ignore[return-value]
        kr = self.plan.krs[kr_id]
        spec = self.specs[kr_id]
        if self.groups is not None and spec is not None:  # one person: theirs, per person
            spec = (*spec[:3], 0, *spec[4:]) if kr.owner in self.groups else None
        made = None if spec is None else self._measured(kr, spec)
        self.measures[kr_id] = made
        return made

    def _measured(self, kr: KrFacts, spec: Spec) -> _Measure:
        kind, total, decrease, people, cadence_days, schedule = spec
        if kind == "level":
            return _Measure(total, total, True, decrease, people, cadence_days)
        if kind == "hiring":
            return _Measure(total, self._expected_of(schedule), False, decrease, 0, cadence_days)
        if kind == "labels":
            expected = self._expected(kr.labels, kr.values)
        else:
            expected = self._expected_of(((self.bounds[0], self.bounds[1], total),))
        if people > 1:
            total, expected = total * people, expected * people
        return _Measure(total, expected, False, decrease, people, cadence_days)

    # -- what each KR is measured against ------------------------------------------------

    def _expected(self, labels: tuple[str, ...], values: Sequence[Any]) -> Rational:
        """pace.expected_to of the KR's periods: the spans of a list of labels worked out
        once (the share of each period's days on or before the date: 1, a fraction, or 0)."""
        shares = self.spans.get(labels)
        if shares is None:
            shares = self.spans[labels] = []
            for i, label in enumerate(labels):
                first, last = calendar.plan_span(label, self.fiscal)
                first, last = max(first, self.bounds[0]), min(last, self.bounds[1])
                if self.as_of < first:
                    continue
                part = None if self.as_of >= last else calendar.elapsed(first, last, self.as_of)
                shares.append((i, part))
        whole: Rational = 0
        pro_rated: Rational = 0
        for i, share in shares:
            value = values[i]
            if share is None:
                whole += value if type(value) is int else Fraction(value)
            elif type(value) is int and type(whole) is int and pro_rated == 0:
                # the usual one period in progress, of a whole target: one fraction made
                pro_rated = Fraction(value * share.numerator, share.denominator)
            else:
                pro_rated += (value if type(value) is int else Fraction(value)) * share
        if not pro_rated:
            return whole
        if type(whole) is int and type(pro_rated) is Fraction:
            return Fraction(whole * pro_rated.denominator + pro_rated.numerator,
                            pro_rated.denominator)  # fmt: skip
        return pro_rated + whole

    def _expected_of(self, schedule: Sequence[tuple[date, date, Rational]]) -> Rational:
        whole: Rational = 0
        part: Rational = 0
        for first, last, value in schedule:
            if self.as_of < first:
                continue
            if self.as_of >= last:
                whole += value
            else:
                part += value * calendar.elapsed(first, last, self.as_of)
        return part + whole

    # -- actuals, rolled up along aligns ------------------------------------------------

    def _of(self, kr_id: str) -> _Got:
        done = self.got.get(kr_id)
        if done is not None:
            return done
        measure = self.measures[kr_id]
        assert measure is not None
        rows = self.rows.get(kr_id, ())
        own = _summed([r for r in rows if not r[1]], measure.level)
        if own is not None and measure.people:
            own.reports = (measure.people, measure.people)
        people = self._people(kr_id, [r for r in rows if r[1]], measure)
        rolled = None if measure.level else self._rolled(kr_id)
        actual = own or people or rolled
        got = self._result(kr_id, measure, actual)
        if actual is not None and actual is not rolled and rolled is not None:
            got.rolled = rolled.value
        self.got[kr_id] = got
        return got

    def _people(self, kr_id: str, rows: list[TallyRow], measure: _Measure) -> _Got | None:
        if not rows:
            return None
        total = _summed(rows, measure.level)
        assert total is not None
        names = {r[1] for r in rows}
        total.reported = len(names)
        total.reports = (len(names), max(measure.people, len(names)))
        if measure.people and len(names) < measure.people:
            total.share = Fraction(len(names), measure.people)
            owner = self.plan.owners[self.plan.krs[kr_id].owner]
            if is_role(owner):
                total.missing = tuple(p for p in owner.people if p not in names)
        return total

    def _children(self, kr_id: str) -> list[str]:
        aligned = self.plan.aligned.get(kr_id)
        return [c for c in aligned if self.measure(c) is not None] if aligned else []

    def _rolled(self, kr_id: str) -> _Got | None:
        children = self._children(kr_id)
        results = [(c, self._of(c)) for c in children]
        with_data = [(c, r) for c, r in results if r.value is not None]
        if not with_data:
            return None
        value = _sum(r.value for _, r in with_data if r.value is not None)
        last = max(r.last for _, r in with_data if r.last is not None)
        share: Rational
        everyone = _sum(self.measure(c).expected for c, _ in results)  # type: ignore[union-attr]
        reporting = _sum(r.due for _, r in with_data)
        if everyone > 0:  # the fraction only where it is below 1 (a share of 1 is 1)
            share = Fraction(reporting, everyone) if reporting < everyone else 1
        elif everyone:
            share = Fraction(reporting, everyone)
        else:
            share = Fraction(len(with_data), len(results))
        missing = tuple(c for c, r in results if r.value is None)
        missing += tuple(m for _, r in with_data if r.share < 1 for m in r.missing)
        reports = (sum(r.reports[0] for _, r in results), sum(r.reports[1] for _, r in results))
        share = share if share < 1 else 1
        return _Got(value, last, len(with_data), share, missing, reporting, reports)

    def _result(self, kr_id: str, measure: _Measure, actual: _Got | None) -> _Got:
        if actual is None:
            due_reports = measure.people or sum(
                self._of(c).reports[1] for c in self._children(kr_id)
            )
            return _Got(None, None, reports=(0, due_reports or 1))
        due = measure.expected if actual.share == 1 else measure.expected * actual.share
        if actual.share < 1 and actual.reporting is not None:
            due = actual.reporting
        actual.due = due
        return actual

    # -- a KR's numbers ----------------------------------------------------------------

    def of(self, kr_id: str) -> KrProgress | None:
        """The KR's :class:`~okrplan.progress.pace.KrProgress`; None for a KR without a
        number."""
        measure = self.measure(kr_id)
        if measure is None:
            return None
        got = self._of(kr_id)
        total, expected = Fraction(measure.total), Fraction(measure.expected)
        if got.value is None:
            return KrProgress(kr_id, total, expected, None, None, None, None, Pace.NO_DATA,
                              people=measure.people, reports=got.reports)  # fmt: skip
        value, due = Fraction(got.value), Fraction(got.due)
        partial = got.share < 1
        progress = value / total if total else None
        pace: Fraction | None
        if measure.decrease:
            pace = (due / value if value else None) if due else None
        else:
            pace = value / due if due else None
        projection = value * total / due if due else value + total
        if measure.level:
            projection = value
        assert got.last is not None
        return KrProgress(
            kr_id, total, expected, value, progress, pace, projection,
            self._status(measure, value, pace, got.last), people=measure.people,
            reported=got.reported, missing=got.missing,
            rolled=None if got.rolled is None else Fraction(got.rolled), last=got.last,
            partial=partial, reporters_pace=pace if partial else None, reports=got.reports,
        )  # fmt: skip

    def _status(
        self, measure: _Measure, value: Fraction, pace: Fraction | None, last: date
    ) -> Pace:
        return kr_status(self.thresholds, self.as_of, self.bounds[1], measure, value, pace, last)

    def every(self) -> dict[str, KrProgress]:
        """Every KR's :class:`~okrplan.progress.pace.KrProgress` that has a number, in the
        order they are worked out (the KRs aligned to a KR before it, else the plan's)."""
        for kr_id in self.plan.krs:
            if self.measure(kr_id) is not None:
                self._of(kr_id)
        return {kr_id: found for kr_id in self.got if (found := self.of(kr_id)) is not None}


class Specs:
    """Each KR's :data:`Spec` of a plan read from plan.json (the index keeps them): made
    when first asked for, with the cadence and plan-total rules of :mod:`okrplan.cadence`
    (imported only here, never by a status from the index)."""

    def __init__(self, plan: LightPlan) -> None:
        from okrplan.cadence import ScoredTargets

        months = [parse_month(m) for m in plan.meta.get("months") or ()]
        self.plan = plan
        self.bounds = calendar.span(str(months[0]))[0], calendar.span(str(months[-1]))[1]
        self.targets = ScoredTargets(cast(Any, _Shim(plan)))
        self.plan_totals: dict[tuple[Any, ...], Fraction | None] = {}
        self.made: dict[str, Spec | None] = {}

    def __getitem__(self, kr_id: str) -> Spec | None:
        if kr_id not in self.made:
            self.made[kr_id] = self._spec(self.plan.krs[kr_id])
        return self.made[kr_id]

    def all(self) -> dict[str, Spec | None]:
        """Every KR's spec, in the plan's order (what the index keeps)."""
        return {kr_id: self[kr_id] for kr_id in self.plan.krs}

    def _spec(self, kr: KrFacts) -> Spec | None:
        from okrplan.cadence import cadence, is_level

        owner = self.plan.owners[kr.owner]
        people = owner.headcount if is_role(owner) else 0
        decrease = kr.direction == "decrease"
        manual = kr.kr_kind == "manual"
        step = cadence(cast(Any, kr)) if manual else None  # (else None)
        cadence_days = _CADENCE_DAYS[str(step) if step is not None else _kr_per(kr)]
        if manual and is_level(cast(Any, kr)):
            if kr.target is None:
                return None
            return ("level", Fraction(kr.target), decrease, people, cadence_days, None)
        if kr.kr_kind == "staffing" and not kr.labels:
            hiring = self._hiring(kr)
            if hiring is not None:
                hires = Fraction(hiring[0][2] * len(hiring))
                return ("hiring", hires, decrease, 0, cadence_days, tuple(hiring))
        if kr.labels:
            total = _exact(kr.total) if kr.total is not None else _sum(map(_exact, kr.values))
            return ("labels", total, decrease, people, cadence_days, None)
        plan_total = self._plan_total(kr)
        if plan_total is None:
            return None
        return ("flat", plan_total, decrease, people, cadence_days, None)

    def _plan_total(self, kr: KrFacts) -> Fraction | None:
        """ScoredTargets.plan of a KR without periods, once per kind of KR: what it reads
        of the KR and of its owner (the months a role group works, by its ramp). 10,000
        role groups of a large plan each have the same manual counts (2 trainings a month)."""
        owner = self.plan.owners[kr.owner]
        ramp = owner.selling.ramp if is_role(owner) and owner.selling else None
        key = (kr.kr_kind, kr.target_per, kr.per, kr.target_kind, kr.target, kr.total, ramp)
        if key not in self.plan_totals:
            self.plan_totals[key] = self.targets.plan(cast(Any, kr))
        return self.plan_totals[key]

    def _hiring(self, kr: KrFacts) -> list[tuple[date, date, Fraction]] | None:
        """A staffing KR's schedule: the whole target on board by its due month, spread
        evenly over the plan's months up to it ("招聘 3 名, 3月底前到岗": 1 a month in Jan–Mar,
        all 3 by 31 March and after). Without ``due``, the month before the hires' ramp
        starts earning (their first month with a nonzero ramp); without either, None
        (pro-rated over the plan)."""
        if kr.target is None:
            return None
        first = self.bounds[0].replace(day=1)
        due = self._due_month(kr, first)
        if due is None:
            return None
        months: list[tuple[date, date]] = []
        day = first
        while day <= due and day <= self.bounds[1]:
            months.append(calendar.span(f"{day:%Y-%m}"))
            day = months[-1][1] + timedelta(days=1)
        if not months:
            return None
        each = Fraction(kr.target) / len(months)
        return [(start, last, each) for start, last in months]

    def _due_month(self, kr: KrFacts, first: date) -> date | None:
        if kr.due:
            try:
                return calendar.start(str(parse_month(kr.due)))
            except ValueError:
                return None
        group = self.plan.owners.get(kr.hires) if kr.hires else None
        selling = group.selling if group is not None and is_role(group) else None
        ramp = selling.ramp if selling is not None else ()
        earning = next((i for i, share in enumerate(ramp) if share), None)
        if not earning:
            return None
        month = first.month - 1 + earning - 1
        return date(first.year + month // 12, month % 12 + 1, 1)


def _summed(rows: Sequence[TallyRow], level: bool) -> _Got | None:
    if not rows:
        return None
    total = _sum(r[2] for r in rows)
    count = sum(r[3] for r in rows)
    return _Got(Fraction(total, count) if level else total, max(r[4] for r in rows))


def _kr_per(kr: KrFacts) -> str:
    if kr.per == "plan" and kr.labels:
        label = kr.labels[0]
        return "quarter" if "Q" in label else "week" if "W" in label else "month"
    return str(kr.per)


class _Shim:
    """What :class:`~okrplan.cadence.ScoredTargets` reads of a plan: its meta, and the units
    and role groups (a manual count counts the months its group works), in a graph of their
    own."""

    def __init__(self, plan: LightPlan) -> None:
        import networkx as nx

        self.meta = plan.meta
        self.graph = nx.DiGraph()
        self.graph.add_nodes_from((i, {"node": r}) for i, r in plan.owners.items())


def objective_progress(
    plan: LightPlan, krs: Mapping[str, KrProgress], owners: Sequence[str]
) -> dict[str, ObjectiveProgress]:
    """pace.objective_progress of this view's ``owners``."""
    out: dict[str, ObjectiveProgress] = {}
    for owner in owners:
        for objective, key_results in plan.sheet(owner):
            out[objective.id] = objective_share(objective.id, key_results, krs)
    return out


# Store version 2: a check-in names its seat (KR and person) and period by number, and an
# import's check-ins are the rowids first_row..last_row; each seat's values added up in one
# pass of SQLite's sorter, the seat's KR and person looked up once per seat. The periods up to
# the day are few (a year's months, quarters and weeks), so each one's end and bit are written
# into the query (numbers and ISO days from the store's own periods table): no join per
# check-in, and no sorter per seat to count distinct periods. A seat's periods are distinct
# exactly when the sum of their bits has as many ones as the seat has check-ins (adding
# powers of two loses a one only where two are equal).
_SUMS = """
SELECT k.kr, w.person, t.whole, t.n, t.last, t.parts, t.bits FROM (
    SELECT c.seat AS seat, SUM(CASE WHEN c.den = 1 THEN c.num ELSE 0 END) AS whole,
        COUNT(*) AS n, MAX(CASE c.period {ends} END) AS last,
        GROUP_CONCAT(CASE WHEN c.den != 1 THEN c.num || '/' || c.den END, ' ') AS parts,
        SUM(CASE c.period {bits} END) AS bits
    FROM imports i JOIN checkins c ON c.rowid BETWEEN i.first_row AND i.last_row
    WHERE i.id IN (SELECT MAX(id) FROM imports GROUP BY source) AND c.period IN ({ids})
    GROUP BY c.seat) AS t
JOIN seats s ON s.id = t.seat JOIN krs k ON k.id = s.kr JOIN people w ON w.id = s.person
"""
_MOST_PERIODS = 62  # bits of a signed 64-bit sum, one spare


def _sums(db: Any, as_of: date) -> list[Any] | None:
    """The seats' sums as of ``as_of`` with a bit sum each; None where the store has more
    periods up to the day than bits (its own query decides)."""
    periods = db.execute(
        "SELECT id, end_day FROM periods WHERE start <= ? ORDER BY id", (as_of.isoformat(),)
    ).fetchall()
    if not periods:
        return []
    if len(periods) > _MOST_PERIODS:
        return None
    ends = " ".join(f"WHEN {int(i)} THEN '{date.fromisoformat(e).isoformat()}'" for i, e in periods)
    bits = " ".join(f"WHEN {int(i)} THEN {1 << rank}" for rank, (i, _) in enumerate(periods))
    ids = ", ".join(str(int(i)) for i, _ in periods)
    found: list[Any] = db.execute(_SUMS.format(ends=ends, bits=bits, ids=ids)).fetchall()
    return found


def tally_rows(folder: Path, as_of: date) -> list[TallyRow]:
    """:func:`okrplan.progress.store.tallies` as rows, in one pass of SQLite's sorter where
    every (KR, person, period) has one value (the usual case: a CRM export's monthly totals,
    or a corrected file replacing its source): the store's own query first picks the latest
    value of each, which sorts the 2 million check-ins of 100,000 people once more. Where a
    period has two values (two sources, or one file listing it twice) that query decides."""
    import sqlite3

    from okrplan.progress.store import STORE_FILE, tallies
    from okrplan.progress.storefile import SCHEMA_VERSION

    path = folder / STORE_FILE
    if not path.is_file():
        return []
    found: list[Any] | None = None
    version = -1  # unread: the store's own reading says what is wrong
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            db.execute("PRAGMA cache_size = -262144")  # the sorter in memory (256 MB at most)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                found = _sums(db, as_of)
    except (sqlite3.Error, ValueError):  # ValueError: a period's end that is not a day
        version = -1
    if found is None or any(row[3] != int(row[6]).bit_count() for row in found):
        return [(t.kr, t.person, t.total, t.count, t.last) for t in tallies(folder, as_of)]
    days: dict[str, date] = {}
    out: list[TallyRow] = []
    for kr, person, whole, count, last, parts, _ in found:
        day = days.get(last)
        if day is None:
            day = days[last] = date.fromisoformat(last)
        total: Rational = whole
        if parts:
            total = Fraction(whole) + _sum(Fraction(part) for part in parts.split())
        out.append((kr, person, total, count, day))
    return out
