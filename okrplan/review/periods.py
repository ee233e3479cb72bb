"""The review's calendar: which period a 复盘 covers, and a KR's plan over any run of days.

A KR's targets are kept per quarter, month or ISO week (``KeyResult.periods``). A review asks for
other spans — a month of a quarterly KR, the rest of a quarter, the year to date — so a label's
target is shared out over the days it covers by the plan's own seasonality: a quarter's target
goes to its months in proportion to their seasonality weights, a week's to its days (only the
days inside the plan count, as the plan phased them). Every value is an exact fraction.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from okrplan.model import KeyResult
from okrplan.periods import fiscal_start
from okrplan.progress.calendar import plan_span
from okrplan.progress.calendar import span as period_span

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

PERIOD_HINT = "write a month (2015-06) or a quarter (2015-Q2)"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of days, both ends included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return max(0, (self.last - self.first).days + 1)

    def overlap(self, other: Span) -> Span:
        """The days both spans share (an empty span if none)."""
        return Span(max(self.first, other.first), min(self.last, other.last))


# A fiscal quarter as planners write it: FY2027-Q1, FY27 Q1, fy27q1, 27财年Q1, 2027财年第1季度
_FISCAL = re.compile(
    r"^(?:FY\s*(\d{2}|\d{4})\s*[-_ ]?\s*Q([1-4])"
    r"|(\d{2}|\d{4})\s*财年\s*(?:Q([1-4])|第\s*([1-4一二三四])\s*季度?))$",
    re.IGNORECASE,
)
_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}


def review_period(text: str, fiscal: int = 1) -> str:
    """The canonical label of a review period: a month or a quarter — a fiscal quarter
    (``FY2027-Q1``, :func:`okrplan.periods.quarter_label`) in a plan whose year starts in month
    ``fiscal``, written as planners do (``FY27 Q1``, ``27财年Q1``); in a calendar plan, FY2015
    is the year 2015.

    >>> review_period("2015-6"), review_period("2015q2"), review_period("FY2015-Q3")
    ('2015-06', '2015-Q2', '2015-Q3')
    >>> review_period("FY27 Q1", 2), review_period("27财年Q1", 2)
    ('FY2027-Q1', 'FY2027-Q1')
    >>> review_period("2027财年第二季度", 2)
    'FY2027-Q2'

    Raises
    ------
    ValueError
        If ``text`` is neither (the message carries the hint).
    """
    raw = str(text).strip()
    if (m := _MONTH.match(raw)) and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    if m := _QUARTER.match(raw):  # a calendar quarter, even in a fiscal plan (as before)
        return f"{m[1]}-Q{m[2]}"
    if m := _FISCAL.match(raw):
        year = m[1] or m[3]
        quarter = m[2] or m[4] or _CHINESE_DIGITS.get(m[5], m[5])
        full = int(year) + (2000 if len(year) == 2 else 0)
        return f"{full:04d}-Q{quarter}" if fiscal == 1 else f"FY{full:04d}-Q{quarter}"
    hint = PERIOD_HINT + (" or a fiscal quarter (FY2027-Q1)" if fiscal != 1 else "")
    raise ValueError(f"{raw!r} is not a month or a quarter; {hint}")


def last_complete_month(today: date) -> str:
    """The month before ``today``'s: the default review period.

    >>> last_complete_month(date(2015, 7, 3)), last_complete_month(date(2016, 1, 31))
    ('2015-06', '2015-12')
    """
    previous = today.replace(day=1) - timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


def span(label: str, fiscal: int = 1) -> Span:
    """The days of a period label: a month, quarter, ISO week, day or year (the progress
    store's calendar, :func:`okrplan.progress.calendar.span`).

    >>> span("2015-Q2")
    Span(first=datetime.date(2015, 4, 1), last=datetime.date(2015, 6, 30))
    >>> span("2015-W01").first
    datetime.date(2014, 12, 29)
    """
    try:
        if label.startswith("FY"):  # a fiscal quarter of a year starting in month ``fiscal``
            return Span(*plan_span(label, fiscal))
        return Span(*period_span(label))
    except ValueError:
        raise ValueError(f"{label!r} is not a period; {PERIOD_HINT}") from None


def months_of(period: Span) -> list[str]:
    """The labels of the months a span touches, in order."""
    out: list[str] = []
    year, month = period.first.year, period.first.month
    while date(year, month, 1) <= period.last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@dataclass(frozen=True, slots=True)
class PlanCalendar:
    """The plan's months and their seasonality weights (equal where the plan gives none)."""

    months: tuple[str, ...]
    weights: Mapping[str, Fraction]
    span: Span = Span(date.min, date.min)  # of the months; set by __post_init__
    fiscal: int = 1  # the month the plan's year starts in: its KRs' quarters are fiscal ones

    def __post_init__(self) -> None:
        if self.months:
            days = Span(span(self.months[0]).first, span(self.months[-1]).last)
            object.__setattr__(self, "span", days)

    @classmethod
    def of(cls, meta: Mapping[str, object]) -> PlanCalendar:
        """The calendar of a plan's ``meta`` (plan.json's ``plan`` section)."""
        months = tuple(str(m) for m in _sequence(meta.get("months")))
        season = [Fraction(str(s)) for s in _sequence(meta.get("seasonality"))]
        fiscal = fiscal_start(meta)
        if len(season) == len(months) and sum(season) > 0:
            weights = dict(zip(months, season, strict=True))
        elif len(season) == 4 and sum(season) > 0:  # per (fiscal) quarter: even within one
            weights = {m: season[(int(m[5:7]) - fiscal) % 12 // 3] for m in months}
        else:
            weights = dict.fromkeys(months, Fraction(1))
        return cls(months, weights, fiscal=fiscal)

    def kr_span(self, label: str) -> Span:
        """The days of a KR's period label (a fiscal quarter ``FY2027-Q1`` in a fiscal plan)."""
        return Span(*plan_span(label, self.fiscal))

    def month_weight(self, month: str, part: Span) -> Fraction:
        """The seasonality weight of the days of ``month`` inside ``part``."""
        whole = span(month)
        return self.weights.get(month, Fraction(0)) * Fraction(whole.overlap(part).days, whole.days)

    def share(self, label: str, part: Span) -> Fraction:
        """The share of a KR period ``label``'s target that falls on the days of ``part``."""
        days = self.kr_span(label)
        if days.last < part.first or days.first > part.last:
            return Fraction(0)
        whole = days.overlap(self.span)
        inside = whole.overlap(part)
        if inside.days <= 0:
            return Fraction(0)
        if inside.days == whole.days:
            return Fraction(1)
        if _WEEK.match(label) or _DAY.match(label):
            return Fraction(inside.days, whole.days)
        total = sum((self.month_weight(m, whole) for m in months_of(whole)), Fraction(0))
        if total == 0:
            return Fraction(inside.days, whole.days)
        return sum((self.month_weight(m, inside) for m in months_of(inside)), Fraction(0)) / total


@functools.lru_cache(maxsize=65536)
def exact(value: float | int) -> Fraction:
    """A plan.json number as the exact value it shows (``0.9`` is 9/10, not a binary float)."""
    return Fraction(value) if isinstance(value, int) else Fraction(str(value))


def planned(kr: KeyResult, part: Span, plan_calendar: PlanCalendar) -> Fraction:
    """What a KR's plan asks for on the days of ``part`` (per person for a role's KR)."""
    return sum(
        (exact(v) * plan_calendar.share(label, part) for label, v in kr.periods.items()),
        Fraction(0),
    )


def inside(label: str, part: Span) -> bool:
    """Whether a check-in period lies wholly within ``part``."""
    try:
        days = span(label)
    except ValueError:
        return False
    return part.first <= days.first and days.last <= part.last


def _sequence(value: object) -> Sequence[object]:
    return value if isinstance(value, list | tuple) else ()
