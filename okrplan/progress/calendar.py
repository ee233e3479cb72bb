"""Check-in periods as days: a month ``2015-06``, an ISO week ``2015-W10``, a quarter
``2015-Q2``, a year ``2015`` or a day ``2015-06-30``.

A period's span is its first and last day, both inclusive. Pro-rating a period's target to a
date counts days: 30 June is the whole of June, 15 June is 15/30 of it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})[-\s]?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FISCAL_QUARTER = re.compile(r"^FY(\d{4})-Q([1-4])$")

PERIOD_HINT = (
    "write a month (2015-03), a week (2015-W10), a quarter (2015-Q2) or a date (2015-06-30)"
)


@lru_cache(maxsize=65536)  # a few hundred labels, met millions of times
def normal_period(text: str) -> str:
    """The canonical label of a period as written (``2015-3`` → ``2015-03``, ``2015q2`` →
    ``2015-Q2``, ``2015w9`` → ``2015-W09``).

    >>> normal_period("2015-3"), normal_period("2015q2"), normal_period("2015-w9")
    ('2015-03', '2015-Q2', '2015-W09')

    Raises
    ------
    ValueError
        If the text is no period (the message has the hint).
    """
    raw = str(text).strip()
    if m := _DAY.match(raw):
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            raise ValueError(f"{raw!r} is not a date; {PERIOD_HINT}") from None
    if (m := _MONTH.match(raw)) and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    if (m := _WEEK.match(raw)) and 1 <= int(m[2]) <= _weeks_in(int(m[1])):
        return f"{int(m[1]):04d}-W{int(m[2]):02d}"
    if m := _QUARTER.match(raw):
        return f"{int(m[1]):04d}-Q{m[2]}"
    if m := _YEAR.match(raw):
        return raw
    raise ValueError(f"{raw!r} is not a period; {PERIOD_HINT}")


def _weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


@lru_cache(maxsize=65536)  # a few hundred labels, met millions of times
def span(label: str) -> tuple[date, date]:
    """First and last day of a canonical period label.

    >>> [str(day) for day in (*span("2015-06"), span("2015-W01")[0], span("2015-Q2")[1])]
    ['2015-06-01', '2015-06-30', '2014-12-29', '2015-06-30']
    """
    if m := _DAY.match(label):
        day = date(int(m[1]), int(m[2]), int(m[3]))
        return day, day
    if m := _WEEK.match(label):
        first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        return first, first + timedelta(days=6)
    if m := _MONTH.match(label):
        year, month = int(m[1]), int(m[2])
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if m := _QUARTER.match(label):
        year, quarter = int(m[1]), int(m[2])
        last = 3 * quarter
        return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
    if m := _YEAR.match(label):
        return date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
    raise ValueError(f"{label!r} is not a period; {PERIOD_HINT}")


@lru_cache(maxsize=65536)  # a few hundred labels, met millions of times
def plan_span(label: str, fiscal_start: int = 1) -> tuple[date, date]:
    """First and last day of a period label of a plan's KR: those of :func:`span`, and a
    fiscal quarter of a year starting in month ``fiscal_start``, named by the calendar year the
    fiscal year ends in (:func:`okrplan.periods.quarter_label`).

    >>> [str(day) for day in (*plan_span("FY2027-Q1", 2), *plan_span("FY2027-Q4", 2))]
    ['2026-02-01', '2026-04-30', '2026-11-01', '2027-01-31']
    """
    m = _FISCAL_QUARTER.match(label)
    if m is None:
        return span(label)
    ends, quarter = int(m[1]), int(m[2])
    begins = ends - 1 if fiscal_start > 1 else ends  # the calendar year its first month is in
    first = begins * 12 + fiscal_start - 1 + 3 * (quarter - 1)  # months since year 0
    last = first + 2
    return (
        span(f"{first // 12:04d}-{first % 12 + 1:02d}")[0],
        span(f"{last // 12:04d}-{last % 12 + 1:02d}")[1],
    )


@lru_cache(maxsize=65536)  # a few hundred labels, met millions of times
def start(label: str) -> date:
    """The first day of a period."""
    return span(label)[0]


def elapsed(first: date, last: date, as_of: date) -> Fraction:
    """The share of the days ``first..last`` (inclusive) that lie on or before ``as_of``.

    >>> elapsed(date(2015, 6, 1), date(2015, 6, 30), date(2015, 6, 15))
    Fraction(1, 2)
    """
    if as_of < first:
        return Fraction(0)
    if as_of >= last:
        return Fraction(1)
    return Fraction((as_of - first).days + 1, (last - first).days + 1)
