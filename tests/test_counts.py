"""Whole-number periods of a count KR (okrplan.solve.counts): every granularity sums to the
plan total, rounded up once, and no period exceeds the capacity that holds it."""

from __future__ import annotations

import os
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan.periods import parse_period
from okrplan.solve.counts import active_average, phase_count
from okrplan.solve.phasing import ceil_fraction, iso_weeks, month_days

# 60 random examples a run by default (150 before: the invariant is simple, and each run draws
# new ones); OKRPLAN_FUZZ_EXAMPLES=N tries 10 × N for a long run
EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "6")) * 10

Q = [(0, 1, 2), (3, 4, 5), (6, 7, 8), (9, 10, 11)]
WEEKS_2015 = list(iso_weeks(parse_period(2015)).values())


def test_a_company_visits_add_up_to_their_total() -> None:
    # 销售岗 拜访新客户: 184 visits a year, phased 20/25/25/30% by quarter (months even inside).
    # Exact months: Q1 184·0.20/3 = 12.27, Q2/Q3 184·0.25/3 = 15.33, Q4 184·0.30/3 = 18.4.
    # Quarters: 36.8, 46, 46, 55.2 → floors 36+46+46+55 = 183, the one left goes to the
    # largest remainder (Q1's .8): 37, 46, 46, 55 = 184.
    shares = [Fraction(20, 100), Fraction(25, 100), Fraction(25, 100), Fraction(30, 100)]
    months = [184 * s / 3 for s in shares for _ in range(3)]
    cp = phase_count(months, Q, {(i,): Fraction(25) for i in range(12)}, WEEKS_2015)
    assert cp.total == 184
    assert cp.quarters == (37, 46, 46, 55)
    assert sum(cp.months) == sum(cp.weeks) == 184
    assert all(m <= 25 for m in cp.months)


def test_channels_stay_within_a_yearly_capacity_of_15() -> None:
    # 渠道经理: 15 channels a year at most; phased 20/25/25/30%: 3 + 3.75 + 3.75 + 4.5.
    # Largest remainder: floors 3+3+3+4 = 13, +1 to Q2 and Q3 (.75 each): 3, 4, 4, 4 = 15
    # (each quarter rounded up on its own gave 3+4+4+5 = 16, or 17 with a 35% Q4).
    shares = [Fraction(20, 100), Fraction(25, 100), Fraction(25, 100), Fraction(30, 100)]
    months = [15 * s / 3 for s in shares for _ in range(3)]
    cp = phase_count(months, Q, {tuple(range(12)): Fraction(15)})
    assert (cp.total, cp.quarters, sum(cp.months)) == (15, (3, 4, 4, 4), 15)


def test_a_ramping_hire_gets_nothing_before_he_can_work() -> None:
    # a hire who starts in April: months 1-3 hold 0 exactly, and capacity 0 there
    months = [Fraction(0)] * 3 + [Fraction(17, 2)] * 9  # 76.5 → 77
    caps = {(i,): Fraction(0) if i < 3 else Fraction(10) for i in range(12)}
    cp = phase_count(months, Q, caps, WEEKS_2015)
    assert cp.total == 77 and cp.months[:3] == (0, 0, 0) and cp.quarters[0] == 0
    assert sum(cp.weeks) == 77
    assert all(m <= 10 for m in cp.months)


def test_headline_averages_over_active_months() -> None:
    # 80 visits from April: 80 / 9 = 8.9 → 9 a month (not 80 / 12 → 7)
    assert active_average(80, [0] * 3 + [9] * 8 + [8], [False] * 3 + [True] * 9, 1) == 9
    # per quarter: 3 active quarters → 80 / 3 = 26.7 → 27
    assert active_average(80, [0] * 3 + [9] * 8 + [8], [False] * 3 + [True] * 9, 3) == 27


@st.composite
def count_plans(draw: st.DrawFn) -> tuple[list[Fraction], dict[tuple[int, ...], Fraction]]:
    months = [Fraction(draw(st.integers(0, 4000)), draw(st.integers(1, 60))) for _ in range(12)]
    headroom = [Fraction(draw(st.integers(0, 30)), 10) for _ in range(12)]
    caps = {(i,): m + h for i, (m, h) in enumerate(zip(months, headroom, strict=True))}
    return months, caps


@settings(max_examples=EXAMPLES, deadline=None)
@given(count_plans())
def test_every_granularity_sums_to_the_rounded_up_total(
    plan: tuple[list[Fraction], dict[tuple[int, ...], Fraction]],
) -> None:
    months, caps = plan
    cp = phase_count(months, Q, caps, WEEKS_2015)
    assert cp.total == ceil_fraction(sum(months, Fraction(0)))
    assert sum(cp.months) == sum(cp.quarters) == sum(cp.weeks) == cp.total
    for q, block in zip(cp.quarters, Q, strict=True):
        assert q == sum(cp.months[i] for i in block)
    floors = [c.numerator // c.denominator for c in (caps[(i,)] for i in range(12))]
    if sum(floors) >= cp.total:  # whole units of capacity can hold the total: none exceeded
        assert all(m <= f for m, f in zip(cp.months, floors, strict=True))
    week_caps = [
        sum((caps[(i,)] * f for i, f in parts.items()), Fraction(0)) for parts in WEEKS_2015
    ]
    if sum(c.numerator // c.denominator for c in week_caps) >= cp.total:
        assert all(w <= c for w, c in zip(cp.weeks, week_caps, strict=True))
    assert all(m >= 0 for m in cp.months)


def test_weeks_follow_days() -> None:
    # 365 calls over 2015, one a day: each ISO week gets its days (W01 of 2015 holds 4 days
    # of January: Thu 1 to Sun 4), and the weeks sum to 365
    months = [Fraction(month_days(m)) for m in parse_period(2015).months]
    cp = phase_count(months, Q, None, WEEKS_2015)
    assert cp.weeks[0] == 4 and cp.weeks[1] == 7 and sum(cp.weeks) == 365


def test_a_rounded_up_total_overshoots_a_ramping_month_by_less_than_one() -> None:
    # A hire from September, capacity 33 a month, ramp 25% then 70%: capacity 8.25, 23.1, 33,
    # 33. Revenue 90万, 254万, 363万, 363万 at 11万 a deal needs 8.18 + 23.09 + 33 + 33 =
    # 97.27 → 98 in whole units. Rounded down the capacity holds 8 + 23 + 33 + 33 = 97 < 98,
    # so the extra one goes where the capacity rounded up leaves room (Sep ≤ 9 or Oct ≤ 24),
    # never to November or December (33 = 33: a 34 would exceed a whole month's capacity).
    exact = [Fraction(0)] * 8 + [Fraction(x, 11) for x in (90, 254, 363, 363)]
    caps = [Fraction(0)] * 8 + [Fraction(33) * r for r in (Fraction(1, 4), Fraction(7, 10), 1, 1)]
    cp = phase_count(exact, Q, {(i,): c for i, c in enumerate(caps)})
    assert cp.total == 98 and sum(cp.months) == 98
    assert cp.months[10:] == (33, 33)
    assert all(m <= ceil_fraction(c) for m, c in zip(cp.months, caps, strict=True))
