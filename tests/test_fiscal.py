"""Fiscal years: quarters counted from the fiscal year's first month, checked by hand."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_target

from okrplan.api import decompose
from okrplan.errors import InputError
from okrplan.model import KeyResult
from okrplan.periods import Month, quarter_label
from okrplan.queries import records
from okrplan.solve.phasing import month_shares
from okrplan.spec import load_spec

WAN = 10_000


def test_fiscal_quarter_labels() -> None:
    # A year from February: FY2027 (named by the calendar year it ends in) runs 2026-02..2027-01.
    labels = [quarter_label(Month(2026, m), 2) for m in (2, 4, 5, 7, 8, 10, 11, 12)]
    assert labels == [
        "FY2027-Q1",  # Feb
        "FY2027-Q1",  # Apr
        "FY2027-Q2",  # May
        "FY2027-Q2",  # Jul
        "FY2027-Q3",  # Aug
        "FY2027-Q3",  # Oct
        "FY2027-Q4",  # Nov
        "FY2027-Q4",  # Dec
    ]
    assert quarter_label(Month(2027, 1), 2) == "FY2027-Q4"
    assert quarter_label(Month(2026, 1), 2) == "FY2026-Q4"
    assert quarter_label(Month(2026, 1)) == "2026-Q1"  # calendar years keep their labels


def _fiscal(**plan: Any) -> dict[str, Any]:
    target = minimal_target(plan=plan, kpi={"metric": "revenue", "target": "1500万"})
    target["objectives"] = [
        {"title": "销售", "at": ["role"], "key_results": [{"metric": "revenue", "per": "quarter"}]}
    ]
    return target


def test_a_february_to_january_period_has_four_fiscal_quarters(
    write_target: Callable[..., Path],
) -> None:
    # {from: 2026-02, to: 2027-01} is a fiscal year: four quarters, not five calendar ones, and
    # four seasonality values are Feb–Apr, May–Jul, Aug–Oct, Nov–Jan.
    # 10/20/30/40% → each month of Q1 gets 10% ÷ 3 = 1/30, of Q4 40% ÷ 3 = 2/15.
    path = write_target(
        _fiscal(
            period={"from": "2026-02", "to": "2027-01"}, seasonality=["10%", "20%", "30%", "40%"]
        )
    )
    spec = load_spec(path)
    assert spec.period.quarters == ("FY2027-Q1", "FY2027-Q2", "FY2027-Q3", "FY2027-Q4")
    shares = month_shares(spec.period, spec.target.plan.seasonality)
    assert shares[:3] == (Fraction(1, 30),) * 3
    assert shares[-1] == Fraction(2, 15)
    # The KPI 1500万 over the 5 people of minimal_target: 300万 each; a quarterly revenue KR
    # holds 10/20/30/40% of it: 30万, 60万, 90万, 120万 (10万, 20万, 30万, 40万 a month).
    plan = decompose(path)
    assert plan.meta["fiscal_year_start"] == 2
    person = [
        kr
        for kr in records(plan.graph)
        if isinstance(kr, KeyResult) and kr.owner.startswith("r:") and kr.periods
    ]
    assert dict(person[0].periods) == {
        "FY2027-Q1": 30 * WAN,
        "FY2027-Q2": 60 * WAN,
        "FY2027-Q3": 90 * WAN,
        "FY2027-Q4": 120 * WAN,
    }


def test_fiscal_year_start_on_a_calendar_year(write_target: Callable[..., Path]) -> None:
    # fiscal_year_start: 4 with period 2026: Jan–Mar closes FY2026, then FY2027 Q1–Q3; the
    # quarters line up with the period, so four values fit.
    spec = load_spec(
        write_target(
            _fiscal(period=2026, fiscal_year_start=4, seasonality=["10%", "20%", "30%", "40%"])
        )
    )
    assert spec.period.quarters == ("FY2026-Q4", "FY2027-Q1", "FY2027-Q2", "FY2027-Q3")


def test_four_values_do_not_fit_quarters_that_cut_the_period(
    write_target: Callable[..., Path],
) -> None:
    # fiscal_year_start: 2 on the calendar year 2026: January is the last month of FY2026 Q4,
    # so 2026 touches five fiscal quarters; only 12 monthly values fit.
    with pytest.raises(InputError) as info:
        load_spec(
            write_target(
                _fiscal(period=2026, fiscal_year_start=2, seasonality=["10%", "20%", "30%", "40%"])
            )
        )
    assert [(i.path, i.message, i.hint) for i in info.value.issues] == [
        (
            "plan.seasonality",
            "4 values do not fit the plan period 2026",
            "give 12 values, one per quarter or month of the period",
        )
    ]


def test_progress_against_fiscal_quarters(write_target: Callable[..., Path]) -> None:
    # Through the year in a fiscal plan: the quarterly KR's FY2027-Q1 is Feb–Apr 2026, so by
    # 30 April the group of 5 is due 5 × 30万 = 150万 (the whole of Q1, by the seasonality
    # above); 120万 done is a pace of 120 ÷ 150 = 0.8: behind (75–95%).
    from datetime import date

    from okrplan.progress import CheckIn, progress
    from okrplan.progress.pace import Pace

    path = write_target(
        _fiscal(
            period={"from": "2026-02", "to": "2027-01"}, seasonality=["10%", "20%", "30%", "40%"]
        )
    )
    plan = decompose(path)
    (kr,) = [
        k
        for k in records(plan.graph)
        if isinstance(k, KeyResult) and k.owner.startswith("r:") and k.periods
    ]
    got = progress(plan, [CheckIn(kr.id, "2026-03", Fraction(120 * WAN))], date(2026, 4, 30))
    assert got[kr.id].expected == 150 * WAN
    assert got[kr.id].pace == Fraction(4, 5)
    assert got[kr.id].status is Pace.BEHIND


def test_the_review_calendar_reads_fiscal_quarters() -> None:
    # A year from February with 10/20/30/40% by fiscal quarter: February–April weigh 10% each,
    # so February is 1/3 of FY2027-Q1 (a calendar-quarter reading would weigh April 20%: 1/4),
    # and January 2027 is in FY2027-Q4 (40%), not in a first quarter (10%).
    from datetime import date

    from okrplan.review.periods import PlanCalendar, Span

    months = [f"2026-{m:02d}" for m in range(2, 13)] + ["2027-01"]
    meta = {"months": months, "seasonality": [0.1, 0.2, 0.3, 0.4], "fiscal_year_start": 2}
    calendar = PlanCalendar.of(meta)
    february = Span(date(2026, 2, 1), date(2026, 2, 28))
    assert calendar.share("FY2027-Q1", february) == Fraction(1, 3)
    assert calendar.weights["2027-01"] == Fraction(2, 5)
    assert calendar.kr_span("FY2027-Q4") == Span(date(2026, 11, 1), date(2027, 1, 31))
