"""The values a review pack is made of (see :mod:`okrplan.review.pack`), and the check-ins
answered by KR and span.

A role group's KRs are per person; the pack shows the group (per person × headcount). Check-ins
of a KR without a person's name are its owner's as a whole and win over its people's, whose
values add up otherwise — as in the progress store's own roll-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

from okrplan.numbers import Numbers
from okrplan.review.funnel import Diagnosis
from okrplan.review.nextsteps import NextKr
from okrplan.review.periods import Span, inside, span

if TYPE_CHECKING:
    from okrplan.progress import CheckIn

LOW_CONFIDENCE = 5
"""A check-in with a confidence (0–10) at or below this is read as a difficulty to raise."""


@dataclass(frozen=True, slots=True)
class KrLine:
    """A KR's state at the end of the review period (for the whole owner: a role group's
    numbers are per person × headcount)."""

    kr: str
    name: str
    metric: str | None
    unit: str
    money: bool
    percent: bool
    target: Fraction | None
    expected: Fraction | None
    actual: Fraction | None
    progress: Fraction | None
    status: str
    confidence: int | None


@dataclass(frozen=True, slots=True)
class ObjectiveLines:
    name: str
    weight: Fraction | None
    krs: tuple[KrLine, ...]


@dataclass(frozen=True, slots=True)
class ChildLine:
    """One direct child unit or role group, summed up by its headline KR."""

    id: str
    name: str
    role: bool
    headcount: int
    headline: KrLine | None


@dataclass(frozen=True, slots=True)
class Activity:
    """One metric's period volume over the unit's people who reported it (everyone's plan
    when nobody did), against their plan for the period."""

    metric: str
    name: str
    unit: str
    money: bool
    planned: Fraction
    actual: Fraction | None
    people: int  # everyone below with a KR of the metric
    reported: int  # of them, those in groups that reported it


@dataclass(frozen=True, slots=True)
class Note:
    """A check-in comment of the period (or a low-confidence one: a difficulty)."""

    owner: str
    kr: str
    period: str
    person: str
    confidence: int | None
    comment: str


@dataclass(frozen=True, slots=True)
class Hiring:
    """A staffing KR: the hires the plan needs and those reported in the period and to date."""

    owner: str
    kr: str
    target: Fraction | None
    period: Fraction | None
    to_date: Fraction | None


@dataclass(frozen=True, slots=True)
class Funnel:
    """One selling chain of the people below the unit, added up, and its diagnosis:
    ``children`` are the direct children those people are in, ``people`` how many they are,
    ``reported`` how many of them are in groups that reported (the only ones compared)."""

    children: tuple[str, ...]
    people: int
    reported: int
    diagnosis: Diagnosis


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A direct child whose people cannot do what the rest of the plan needs of them: the
    people it lacks (over its role groups, each by its most demanding KR), and the worst case."""

    child: str
    people: int
    kr: str  # the KR's name (a metric's name) of the worst period
    label: str
    per_person: Fraction
    capacity: Fraction
    money: bool


@dataclass(frozen=True, slots=True)
class Burnup:
    """A derived KR of the unit by month: cumulative plan, and cumulative actual up to the end
    of the review period."""

    kr: str
    name: str
    money: bool
    total: Fraction
    months: tuple[str, ...]
    plan: tuple[Fraction, ...]
    actual: tuple[Fraction | None, ...]


@dataclass(frozen=True, slots=True)
class Pack:
    """The four sections of a unit's review of one period."""

    plan_name: str
    numbers: Numbers  # the plan's formatter: locale, currency and money rounding step
    unit: str
    unit_name: str
    unit_path: tuple[str, ...]
    period: str
    span: Span
    objectives: tuple[ObjectiveLines, ...]
    children: tuple[ChildLine, ...]
    activities: tuple[Activity, ...]
    notes: tuple[Note, ...]
    hires: tuple[Hiring, ...]
    next: tuple[NextKr, ...]
    funnels: tuple[Funnel, ...]
    blockers: tuple[Note, ...]
    short: tuple[Shortfall, ...]
    burnups: tuple[Burnup, ...]

    @property
    def locale(self) -> str:
        return self.numbers.locale

    @property
    def people_short(self) -> int:
        """The people the remaining plan needs beyond today's capacity, over everyone below."""
        return sum(s.people for s in self.short)


class Actuals:
    """Check-ins answered by KR and span (a role group's people added up)."""

    def __init__(self, checkins: Sequence[CheckIn]) -> None:
        self.by_kr: dict[str, list[CheckIn]] = {}
        for c in checkins:
            self.by_kr.setdefault(c.kr, []).append(c)

    def within(self, kr: str, part: Span) -> Fraction | None:
        """The KR's reported value on the days of ``part`` (None if nothing was reported for
        them). A check-in period that straddles the span's edge (a week across a month's end)
        counts for the share of its days inside."""
        rows = [(c, share) for c in self.by_kr.get(kr, ()) if (share := _share(c.period, part))]
        if not rows:
            return None
        # As the store's progress does: the owner's own values if there are any, else the sum
        # of its people's.
        own = [c.value * share for c, share in rows if not c.person]
        return sum(own or [c.value * share for c, share in rows], Fraction(0))

    def confidence(self, kr: str, until: date) -> int | None:
        """The confidence of the KR's latest check-in up to ``until``."""
        rows = [
            c
            for c in self.by_kr.get(kr, ())
            if c.confidence is not None and span(c.period).first <= until
        ]
        return max(rows, key=lambda c: (span(c.period).last, c.person)).confidence if rows else None


def _share(period: str, part: Span) -> Fraction:
    """The share of a check-in period's days inside ``part`` (0 for a label that is none)."""
    if inside(period, part):
        return Fraction(1)
    try:
        days = span(period)
    except ValueError:
        return Fraction(0)
    overlap = days.overlap(part).days
    return Fraction(overlap, days.days) if overlap > 0 else Fraction(0)
