"""The graph stage's fast paths give what the general ones give: a count KR's numbers without
capacity (okrplan.solve.krcounts.uncapped), and a sheet made once for owners whose series are
equal values in distinct objects (okrplan.solve.objectives)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan.model import Per
from okrplan.periods import parse_period
from okrplan.solve.krcounts import MoneyNumbers, count_plan, uncapped
from okrplan.solve.objectives import sheet_records
from okrplan.solve.series import Calendar, Series, count_targets, headline, periods, shown
from okrplan.spec import load_spec

EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "6")) * 10

# a whole year, a partial quarter at each end (Feb–Nov: Q1 and Q4 of two months), a quarter,
# a month; then a fiscal year from April (Apr–Jun is FY2027-Q1), and the calendar year 2015
# under a fiscal year from February (quarters Jan | Feb–Apr | … | Nov–Dec: five, one and
# two months at the ends)
PERIODS = (2015, {"from": "2015-02", "to": "2015-11"}, "2015-Q1", "2015-03")
FISCAL = (({"from": "2026-04", "to": "2027-03"}, 4), (2015, 2))
CALENDARS = [Calendar.of(parse_period(p)) for p in PERIODS] + [
    Calendar.of(dataclasses.replace(parse_period(p), fiscal_start=start)) for p, start in FISCAL
]
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


def test_a_fiscal_years_quarters() -> None:
    # FY from April, 120 visits even over the months (10 each): quarters Apr–Jun … Jan–Mar,
    # 30 each; per quarter 120 / 4 = 30
    april = CALENDARS[len(PERIODS)]
    quarters = {"FY2027-Q1": 30, "FY2027-Q2": 30, "FY2027-Q3": 30, "FY2027-Q4": 30}
    assert repr(uncapped(Series((10,) * 12, 1, False), Per.QUARTER, april)) == repr(
        (30, quarters, 120)
    )
    # 2015 under a FY from February, 13 a month (156): quarters of 1, 3, 3, 3, 2 months →
    # 13, 39, 39, 39, 26; per quarter 156 / 5 = 31.2 → 32
    february = CALENDARS[len(PERIODS) + 1]
    labels = ["FY2015-Q4", "FY2016-Q1", "FY2016-Q2", "FY2016-Q3", "FY2016-Q4"]
    quarters = dict(zip(labels, [13, 39, 39, 39, 26], strict=True))
    assert repr(uncapped(Series((13,) * 12, 1, False), Per.QUARTER, february)) == repr(
        (32, quarters, 156)
    )


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
    # repr: 16 and 16.0 are equal, and so are dicts in another order, but the outputs differ
    expected = count_targets(series, per, calendar, None, "x")
    assert repr(uncapped(series, per, calendar)) == repr(expected)


def test_a_money_krs_numbers() -> None:
    # 100万 a year, 1/12 a month in yuan over den 3 (months 1,000,000/12 = 83,333⅓ each):
    # a quarter 250,000 exactly; the plan 1,000,000; per month 83,333.333333 (6 places)
    money = MoneyNumbers(CALENDARS[0])
    series = Series((250_000,) * 12, 3, True)
    quarters = {f"2015-Q{q}": 250_000 for q in range(1, 5)}
    assert money.get(series, Per.PLAN) == (1_000_000, quarters, 1_000_000)
    assert money.get(series, Per.QUARTER) == (250_000, quarters, 1_000_000)
    by_month = dict.fromkeys(LABELS, 83333.333333)
    assert money.get(series, Per.MONTH) == (83333.333333, by_month, 1_000_000)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.sampled_from(CALENDARS),
    st.sampled_from(list(Per)),
    st.lists(st.integers(-500, 10**9), min_size=12, max_size=12),
    st.integers(1, 997),
)
def test_money_numbers_are_headline_periods_and_shown(
    calendar: Calendar, per: Per, num: list[int], den: int
) -> None:
    series = Series(tuple(num[: len(calendar.labels)]), den, True)
    expected = (
        headline(series, per, calendar),
        periods(series, per, calendar),
        shown(sum(series.num), den, True),
    )
    # repr: 16 and 16.0 are equal, but the outputs differ
    assert repr(MoneyNumbers(calendar).get(series, per)) == repr(expected)


SHEETS = """\
okrplan: 1
plan: {name: test, period: 2015, locale: zh-CN}
kpi: {metric: revenue, target: 300万}
metrics:
  revenue: {name: 销售额, kind: money}
  deals: {name: 成交项目, unit: 个, yields: {revenue: 10万}}
org:
  name: 公司
  units:
    - {name: 甲, roles: [{role: 销售, headcount: 1, sells: deals}]}
    - {name: 乙, roles: [{role: 销售, headcount: 1, sells: deals}]}
    - {name: 丙, roles: [{role: 销售, headcount: 1, sells: deals}]}
objectives:
  - title: 完成销售任务
    at: [unit]
    key_results:
      - {metric: revenue}
      - {metric: deals, per: month}
"""


def test_owners_with_equal_series_in_distinct_objects_get_fresh_sheets(tmp_path: Path) -> None:
    path = tmp_path / "target.yaml"
    path.write_text(SHEETS, encoding="utf-8")
    spec = load_spec(path)

    def own(deals: int) -> dict[str, Series]:
        # new objects each call: 10万 and `deals` deals a month
        return {
            "revenue": Series((100_000,) * 12, 1, True),
            "deals": Series((deals,) * 12, 1, False),
        }

    def sheets(series: dict[str, dict[str, Series]]) -> dict[str, list[Any]]:
        items = sheet_records(spec, [], series, [], {}, count_plan(spec))
        return {u: [i for i in items if i.owner == u] for u in series}

    # 甲 and 乙: equal values, distinct objects (乙's sheet is 甲's kind); 丙: 2 deals a month
    together = sheets({"u:公司/甲": own(1), "u:公司/乙": own(1), "u:公司/丙": own(2)})
    alone = sheets({"u:公司/乙": own(1)})
    assert repr(together["u:公司/乙"]) == repr(alone["u:公司/乙"])
    assert repr(together["u:公司/乙"]) == repr(together["u:公司/甲"]).replace("甲", "乙")
    # revenue: 10万 × 12 = 120万, 30万 a quarter; deals: 1 a month, 12 (丙: 2 and 24)
    revenue, deals = alone["u:公司/乙"][1:]
    assert (revenue.target, revenue.periods["2015-Q1"], revenue.total) == (
        1_200_000,
        300_000,
        1_200_000,
    )
    assert (deals.target, deals.periods["2015-12"], deals.total) == (1, 1, 12)
    deals = together["u:公司/丙"][2]
    assert (deals.target, deals.periods["2015-12"], deals.total) == (2, 2, 24)
