"""A key result's row on an OKR sheet: its numbers in the sheet's unit (万 for money in
Chinese), its period targets by the book's columns, and the cells its actuals are typed in.

:class:`SheetRows` is what :func:`okrplan.export.sheets.build_book` asks for the rows of each
sheet it makes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from okrplan.cadence import ScoredTargets
from okrplan.model import Direction, KeyResult, KRKind, Objective, TargetKind
from okrplan.numbers import numbers_for
from okrplan.periods import fiscal_start
from okrplan.plan import Plan
from okrplan.present import kr_cadence_text, label, per_text

from .sheetmodel import SheetRow, money_unit
from .xlsx_periods import NO_PERIODS, RowPeriods, row_periods

WAN = Decimal(10_000)

OKRs = list[tuple[Objective, list[KeyResult]]]
"""An owner's objectives, each with its key results, in sheet order."""


@dataclass(slots=True)
class SheetRows:
    """Makes the rows of a book's sheets: the plan, its currency, the book's period columns
    (``periods``, and ``to_column``: a KR's period label → its column) and the plan's months
    (the workbook's actual columns)."""

    plan: Plan
    currency: str
    periods: tuple[str, ...]
    to_column: Mapping[str, str]
    months: tuple[str, ...] = ()
    targets: ScoredTargets | None = None  # what actuals are scored against (made once)
    workbook: bool = True  # False: rows without the workbook's actual cells (the report's)

    @property
    def locale(self) -> str:
        return self.plan.locale

    def rows(self, okrs: OKRs) -> list[SheetRow]:
        """One row per key result, objective by objective (numbered from 1)."""
        out = []
        for number, (objective, krs) in enumerate(okrs, start=1):
            for index, kr in enumerate(krs):
                out.append(self.row(number, objective, index == 0, len(krs), kr))
        return out

    def row(
        self, number: int, objective: Objective, first: bool, span: int, kr: KeyResult
    ) -> SheetRow:
        locale = self.locale
        numeric = numeric_kind(kr)
        scale = WAN if numeric == "money" and not locale.startswith("en") else Decimal(1)
        text = kr.name
        scored: Decimal | None
        target: Decimal | None
        if kr.kr_kind is KRKind.DEDUCTION:
            text = label(locale, "deduction_kr").format(text=text)
            scored, target = decimal_of(kr.deduction), None
        else:
            if self.targets is None:
                self.targets = ScoredTargets(self.plan)
            goal = self.targets.plan(kr)
            scored = None if goal is None else fraction_decimal(goal) / scale
            target = None if kr.target is None else decimal_of(kr.target) / scale
        sums: dict[str, Decimal] = {}
        for period, value in kr.periods.items():
            column = self.to_column.get(str(period))
            if column is not None and value is not None:
                sums[column] = sums.get(column, Decimal(0)) + decimal_of(value) / scale
        return SheetRow(
            number,
            objective.id,
            objective.name,
            objective.detail or "",
            int(objective.weight or 0),
            first,
            span,
            kr.id,
            text,
            str(kr.kr_kind),
            None if kr.weight is None or kr.kr_kind is KRKind.DEDUCTION else int(kr.weight),
            target,
            kr_cadence_text(kr, locale, numbers_for(self.plan.meta)),
            self.unit_text(kr, numeric),
            per_text(str(kr.per), locale),
            scored,
            tuple(sums.get(p) for p in self.periods),
            kr.direction is Direction.DECREASE,
            numeric,
            scale,
            actuals=self.row_periods(kr, scale) if self.workbook else NO_PERIODS,
        )

    def row_periods(self, kr: KeyResult, scale: Decimal) -> RowPeriods:
        """The KR's actual cells per period on the workbook (:mod:`.xlsx_periods`)."""
        if self.targets is None:
            self.targets = ScoredTargets(self.plan)
        return row_periods(self.targets, kr, self.months, fiscal_start(self.plan.meta), scale)

    def unit_text(self, kr: KeyResult, numeric: str) -> str:
        """The unit column: money's sheet unit, people, the metric's unit, or points."""
        if numeric == "money":
            return money_unit(self.locale, self.currency)
        if kr.kr_kind is KRKind.STAFFING:
            return label(self.locale, "people_unit")
        if numeric == "count":
            return kr.unit or ""
        if numeric == "points":
            return label(self.locale, "points_unit")
        return ""


def numeric_kind(kr: KeyResult) -> str:
    """What kind of number a KR's target is: points, percent, money or count."""
    if kr.kr_kind is KRKind.DEDUCTION:
        return "points"
    if kr.target_kind is TargetKind.PERCENT:
        return "percent"
    if kr.money:
        return "money"
    return "count"


def decimal_of(value: Any) -> Decimal:
    """A plan.json number as a Decimal (its shortest text, so 0.1 stays 0.1); None is 0."""
    return Decimal(0) if value is None else Decimal(str(value))


def fraction_decimal(value: Fraction) -> Decimal:
    """An exact fraction as a Decimal (in the context's precision)."""
    return Decimal(value.numerator) / Decimal(value.denominator)
