"""The graph stage's fast paths (okrplan.solve.krcounts, okrplan.solve.objectives) give what
the general ones give."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan.model import Per
from okrplan.periods import parse_period
from okrplan.solve.krcounts import uncapped
from okrplan.solve.series import Calendar, Series, count_targets

EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "6")) * 10

# a whole year, a partial quarter at each end (Feb–Nov: Q1 and Q4 of two months), a quarter,
# a month
PERIODS = (2015, {"from": "2015-02", "to": "2015-11"}, "2015-Q1", "2015-03")
CALENDARS = [Calendar.of(parse_period(p)) for p in PERIODS]
LABELS = [f"2015-{m:02d}" for m in range(1, 13)]


def test_a_units_visits_without_capacity() -> None:
    # 184 visits a year, phased 20/25/25/30% by quarter and even inside (months 184·s/3).
    # Quarters: 36.8, 46, 46, 55.2 → floors 36+46+46+55 = 183, the one left to Q1's .8:
    # 37, 46, 46, 55. Q1's months: 37/3 = 12⅓ each → 12+12+12, the one left to the first:
    # 13, 12, 12; Q4's 55/3 = 18⅓ → 19, 18, 18. Headline per month: 184 / 12 = 15.3 → 16.
    num = (20 * 184,) * 3 + (25 * 184,) * 6 + (30 * 184,) * 3
    # Q2, Q3: 46/3 = 15⅓ → 16, 15, 15.
    visits = Series(num, 300, False)
    months = [13, 12, 12, 16, 15, 15, 16, 15, 15, 19, 18, 18]
    assert uncapped(visits, Per.MONTH, CALENDARS[0]) == (
        16,
        dict(zip(LABELS, months, strict=True)),
        184,
    )
    quarters = {"2015-Q1": 37, "2015-Q2": 46, "2015-Q3": 46, "2015-Q4": 55}
    assert uncapped(visits, Per.QUARTER, CALENDARS[0]) == (46, quarters, 184)  # 184 / 4 = 46
    assert uncapped(visits, Per.PLAN, CALENDARS[0]) == (184, quarters, 184)


def test_what_the_fast_path_leaves_to_count_targets() -> None:
    assert uncapped(Series((1,) * 12, 1, False), Per.WEEK, CALENDARS[0]) is None
    assert uncapped(Series((-1,) + (1,) * 11, 1, False), Per.MONTH, CALENDARS[0]) is None


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.sampled_from(CALENDARS),
    st.sampled_from([Per.MONTH, Per.QUARTER, Per.PLAN]),
    st.lists(st.integers(0, 5000) | st.just(0), min_size=12, max_size=12),
    st.integers(1, 97),
)
def test_uncapped_is_count_targets_without_limits(
    calendar: Calendar, per: Per, num: list[int], den: int
) -> None:
    series = Series(tuple(num[: len(calendar.labels)]), den, False)
    assert uncapped(series, per, calendar) == count_targets(series, per, calendar, None, "x")
