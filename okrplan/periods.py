"""Plan periods: a year, a quarter, a month, or a range of months, and their calendar parts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})[-\s]?[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")

PERIOD_HINT = (
    "write a year (2015), a quarter (2015-Q3), a month (2015-03) or {from: 2015-01, to: 2015-06}"
)


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since year 0, so ranges are plain integer arithmetic."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    @property
    def quarter(self) -> str:
        return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"


def quarter_label(month: Month, fiscal_start: int = 1) -> str:
    """The quarter ``month`` is in: ``2015-Q1`` for calendar years; for a fiscal year starting
    in month ``fiscal_start``, ``FY2027-Q1``, the year named by the calendar year it ends in.

    >>> quarter_label(Month(2026, 2), 2), quarter_label(Month(2027, 1), 2)
    ('FY2027-Q1', 'FY2027-Q4')
    >>> quarter_label(Month(2015, 11))
    '2015-Q4'
    """
    if fiscal_start == 1:
        return month.quarter
    offset = (month.month - fiscal_start) % 12
    ends = month.year + (1 if month.month >= fiscal_start else 0)
    return f"FY{ends:04d}-Q{offset // 3 + 1}"


def fiscal_start(meta: Mapping[str, Any]) -> int:
    """The month a plan's (fiscal) year starts in: 1 unless its meta says otherwise."""
    value = meta.get("fiscal_year_start", 1)
    return value if isinstance(value, int) and 1 <= value <= 12 else 1


def parse_month(raw: object) -> Month:
    """Parse ``2015-03`` into a :class:`Month`.

    >>> parse_month("2015-03")
    Month(year=2015, month=3)
    """
    match = _MONTH.match(str(raw).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{raw!r} is not a month; write it as YYYY-MM, e.g. 2015-03")
    return Month(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True, slots=True)
class PlanPeriod:
    """A contiguous run of calendar months that a plan covers."""

    first: Month
    count: int
    label: str
    fiscal_start: int = 1  # the month a (fiscal) year starts in; quarters count from it

    def quarter_of(self, month: Month) -> str:
        """The label of the quarter ``month`` is in (:func:`quarter_label`)."""
        return quarter_label(month, self.fiscal_start)

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(Month.from_index(self.first.index + i) for i in range(self.count))

    @property
    def quarters(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for month in self.months:
            seen.setdefault(self.quarter_of(month), None)
        return tuple(seen)

    @property
    def last(self) -> Month:
        return Month.from_index(self.first.index + self.count - 1)


def parse_period(raw: object) -> PlanPeriod:
    """Parse a plan period as a planner writes it.

    >>> parse_period(2015).label, parse_period(2015).count
    ('2015', 12)
    >>> [str(m) for m in parse_period("2015-Q3").months]
    ['2015-07', '2015-08', '2015-09']
    >>> parse_period({"from": "2015-01", "to": "2015-06"}).quarters
    ('2015-Q1', '2015-Q2')
    """
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a plan period; {PERIOD_HINT}")
    if isinstance(raw, dict):
        if set(raw) != {"from", "to"}:
            raise ValueError(f"a period range needs exactly the keys from and to; {PERIOD_HINT}")
        first, last = parse_month(raw["from"]), parse_month(raw["to"])
        if last < first:
            raise ValueError(f"the period ends ({last}) before it starts ({first})")
        count = last.index - first.index + 1
        if count > 36:
            raise ValueError(f"a plan period of {count} months is too long; plan at most 36 months")
        return PlanPeriod(first, count, f"{first}..{last}")
    text = str(raw).strip()
    if match := _YEAR.match(text):
        return PlanPeriod(Month(int(match.group(1)), 1), 12, text)
    if match := _QUARTER.match(text):
        year, quarter = int(match.group(1)), int(match.group(2))
        return PlanPeriod(Month(year, 3 * quarter - 2), 3, f"{year}-Q{quarter}")
    try:
        month = parse_month(text)
    except ValueError:
        raise ValueError(f"{raw!r} is not a plan period; {PERIOD_HINT}") from None
    return PlanPeriod(month, 1, str(month))
