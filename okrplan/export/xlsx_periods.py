"""The actual cells per period of a KR on the OKR workbook: which periods a KR's actuals are
typed for (each month, or each quarter for a quarterly KR), and what each is scored against.

A sheet has one actual column per month of the plan; a quarterly KR's three month cells of a
quarter are merged into one. Each row says in a hidden cell which month column starts which
of its periods (``2015-01:2015-Q1 2015-04:2015-Q2 …``) so the readers
(:func:`okrplan.actuals.typed_actuals`) know the period of every typed number without the
plan; a hidden block holds each period's target under its starting month, so the workbook's
target to date is ``SUMPRODUCT((actual cells<>"")*targets)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from okrplan.cadence import ScoredTargets, is_level
from okrplan.model import KeyResult, KRKind
from okrplan.periods import parse_month, quarter_label

PERIODS_HEADER = "okrplan:periods"
TARGET_PREFIX = "okrplan:target:"


@dataclass(frozen=True, slots=True)
class RowPeriods:
    """A KR's actual cells: (starting month, period label, months spanned, target in sheet
    units) for each; ``level``: the year to date is an average (100%/周), not a sum."""

    cells: tuple[tuple[str, str, int, Decimal | None], ...] = ()
    level: bool = False

    @property
    def per(self) -> str:
        """``month`` or ``quarter`` (of the cells), or "" for a KR without period cells."""
        if not self.cells:
            return ""
        return "quarter" if self.cells[0][2] > 1 else "month"

    def text(self) -> str:
        """The hidden cell that maps month columns to periods."""
        return " ".join(f"{month}:{period}" for month, period, _, _ in self.cells)


NO_PERIODS = RowPeriods()


def parse_text(text: str) -> dict[str, str]:
    """Starting month → period label, from :meth:`RowPeriods.text` (empty if unreadable)."""
    out: dict[str, str] = {}
    for part in text.split():
        month, _, period = part.partition(":")
        if not month or not period:
            return {}
        out[month] = period
    return out


def row_periods(
    targets: ScoredTargets, kr: KeyResult, months: tuple[str, ...], fiscal: int, scale: Decimal
) -> RowPeriods:
    """The actual cells of ``kr`` on a sheet whose month columns are ``months``: per month
    where the KR has a target for a month, else per quarter where it has one for a quarter
    (whole quarters of the plan only), else none (a plan-only target: the actual column
    alone)."""
    if len(months) < 2 or kr.kr_kind is KRKind.STAFFING:
        return RowPeriods()
    if kr.kr_kind is not KRKind.MANUAL and kr.kr_kind is not KRKind.DEDUCTION:
        return _derived(kr, months, fiscal, scale)
    level = kr.kr_kind is KRKind.MANUAL and is_level(kr)
    monthly = [targets.period(kr, m) for m in months]
    if all(t is not None for t in monthly) or kr.kr_kind is KRKind.DEDUCTION:
        cells = tuple((m, m, 1, _sheet(t, scale)) for m, t in zip(months, monthly, strict=True))
        return RowPeriods(cells, level)
    quarters: dict[str, list[str]] = {}
    for m in months:
        quarters.setdefault(quarter_label(parse_month(m), fiscal), []).append(m)
    if any(len(ms) != 3 for ms in quarters.values()):
        return RowPeriods()
    quarterly = {q: targets.period(kr, q) for q in quarters}
    if any(t is None for t in quarterly.values()):
        return RowPeriods()
    cells = tuple((ms[0], q, 3, _sheet(quarterly[q], scale)) for q, ms in quarters.items())
    return RowPeriods(cells, level)


def _derived(kr: KeyResult, months: tuple[str, ...], fiscal: int, scale: Decimal) -> RowPeriods:
    """:func:`row_periods` of a derived KR, whose targets are its own per period (what
    :meth:`ScoredTargets.period` gives it), read directly: a sheet has a row per KR."""
    periods = kr.periods
    if all(m in periods for m in months):
        return RowPeriods(tuple((m, m, 1, _value(periods[m], scale)) for m in months))
    quarters: dict[str, list[str]] = {}
    for m in months:
        quarters.setdefault(quarter_label(parse_month(m), fiscal), []).append(m)
    if any(len(ms) != 3 or q not in periods for q, ms in quarters.items()):
        return NO_PERIODS
    return RowPeriods(tuple((ms[0], q, 3, _value(periods[q], scale)) for q, ms in quarters.items()))


def _value(value: object, scale: Decimal) -> Decimal | None:
    if value is None:
        return None
    number = Decimal(str(value))
    return number if scale == 1 else number / scale


def _sheet(value: Fraction | None, scale: Decimal) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value.numerator) / Decimal(value.denominator) / scale
