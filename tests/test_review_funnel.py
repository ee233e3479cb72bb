"""The review's arithmetic, computed by hand: the funnel diagnosis, a KR's plan over any span,
and what a KR needs per remaining period (issue 20)."""

from __future__ import annotations

import os
from datetime import date
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan.api import load_plan
from okrplan.model import RoleGroup
from okrplan.review.funnel import Cause, Stage, diagnose
from okrplan.review.nextsteps import capacity_in, next_steps
from okrplan.review.periods import (
    PlanCalendar,
    Span,
    last_complete_month,
    planned,
    review_period,
    span,
)

GOLDEN = Path(__file__).parent / "golden" / "scenarios" / "sales-center-2021" / "plan.json"
EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "20"))
WAN = 10_000


def stages(*rows: tuple[str, int, int | None]) -> list[Stage]:
    return [Stage(m, m, F(p), None if a is None else F(a)) for m, p, a in rows]


def test_conversion_fell_is_a_conversion_problem() -> None:
    # Visits on plan (100), visit → opportunity 30 % → 20 %, 10万 of revenue per opportunity in
    # plan and actual. Plan 100 × 30 % × 10万 = 300万; actual 100 × 20 % × 10万 = 200万.
    # volume:     (100 − 100) × 0.3 × 10万            = 0
    # visits→opp:  100 × (0.2 − 0.3) × 10万            = −100万
    # opp→revenue: 100 × 0.2 × (10万 − 10万)           = 0         sum −100万 = the gap
    d = diagnose(
        stages(("visits", 100, 100), ("opportunities", 30, 20), ("revenue", 300 * WAN, 200 * WAN))
    )
    assert d.gap == -100 * WAN
    assert [f.explains for f in d.factors] == [0, -100 * WAN, 0]
    assert (d.volume, d.conversion) == (0, -100 * WAN)
    assert d.cause is Cause.CONVERSION
    assert d.worst is not None and (d.worst.source, d.worst.metric) == ("visits", "opportunities")
    assert (d.factors[1].planned, d.factors[1].actual) == (F(3, 10), F(1, 5))


def test_too_few_visits_at_planned_rates_is_a_volume_problem() -> None:
    # 80 visits of 100 planned, every rate as planned: 80 × 30 % = 24 opportunities, × 10万 =
    # 240万 of 300万. volume: (80 − 100) × 0.3 × 10万 = −60万, the whole gap; rates explain 0.
    d = diagnose(
        stages(("visits", 100, 80), ("opportunities", 30, 24), ("revenue", 300 * WAN, 240 * WAN))
    )
    assert d.gap == -60 * WAN
    assert [f.explains for f in d.factors] == [-60 * WAN, 0, 0]
    assert d.cause is Cause.VOLUME


def test_mixed_causes_add_up_to_the_gap() -> None:
    # 80 visits of 100, 25 % of 30 % become opportunities (20 of 30), 12万 per opportunity
    # instead of 10万: actual 20 × 12万 = 240万 of 300万, gap −60万.
    # volume:      (80 − 100) × 0.3 × 10万   = −60万
    # visits→opp:   80 × (0.25 − 0.3) × 10万 = −40万
    # opp→revenue:  80 × 0.25 × (12万 − 10万) = +40万      −60 − 40 + 40 = −60万
    d = diagnose(
        stages(("visits", 100, 80), ("opportunities", 30, 20), ("revenue", 300 * WAN, 240 * WAN))
    )
    assert [f.explains for f in d.factors] == [-60 * WAN, -40 * WAN, 40 * WAN]
    assert sum(f.explains for f in d.factors) == d.gap == -60 * WAN
    assert d.cause is Cause.VOLUME  # −60万 of volume against 0 of conversion, net


def test_a_stage_without_actuals_is_spanned_by_its_neighbours() -> None:
    # Calls were not reported: the chain starts at visits. 50 visits of 100, 10 deals of 30
    # planned... as opportunities: plan 30, actual 10; revenue 300万 → 100万.
    # volume: (50 − 100) × 0.3 × 10万 = −150万; visits→opp: 50 × (0.2 − 0.3) × 10万 = −50万;
    # opp→revenue: 50 × 0.2 × (10万 − 10万) = 0. Sum −200万 = 100万 − 300万.
    d = diagnose(
        stages(
            ("calls", 500, None),
            ("visits", 100, 50),
            ("opportunities", 30, 10),
            ("revenue", 300 * WAN, 100 * WAN),
        )
    )
    assert [f.metric for f in d.factors] == ["visits", "opportunities", "revenue"]
    assert [f.explains for f in d.factors] == [-150 * WAN, -50 * WAN, 0]


def test_no_revenue_reported_is_no_data_and_ahead_is_on_plan() -> None:
    assert diagnose(stages(("visits", 10, 10), ("revenue", 100, None))).cause is Cause.NO_DATA
    ahead = diagnose(stages(("visits", 10, 12), ("revenue", 100, 120)))
    assert ahead.cause is Cause.ON_PLAN and ahead.gap == 20 and ahead.volume == 20


volumes = st.integers(min_value=0, max_value=10**4)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.tuples(volumes, st.one_of(st.none(), volumes)), min_size=1, max_size=5))
def test_the_parts_always_add_up_to_the_gap(rows: list[tuple[int, int | None]]) -> None:
    d = diagnose(
        [Stage(str(i), "", F(p), None if a is None else F(a)) for i, (p, a) in enumerate(rows)]
    )
    assert sum((f.explains for f in d.factors), F(0)) == d.gap
    assert d.volume + d.conversion == d.gap


# -- periods -----------------------------------------------------------------------------------


def test_review_period_and_default() -> None:
    assert review_period(" 2015-6 ") == "2015-06"
    assert review_period("2015q2") == "2015-Q2"
    with pytest.raises(ValueError, match="2015-Q2"):
        review_period("2015-W10")
    assert last_complete_month(date(2015, 7, 1)) == "2015-06"
    assert last_complete_month(date(2015, 1, 15)) == "2014-12"


@pytest.fixture(scope="module")
def plan():  # type: ignore[no-untyped-def]
    return load_plan(GOLDEN)


def test_a_quarter_is_shared_out_by_the_plans_monthly_seasonality(plan) -> None:  # type: ignore[no-untyped-def]
    # 北京销售团队 销售业绩 Q2 = 1763万; seasonality April 8 %, May 8 %, June 10 %, so June's
    # share is 10/26: 17,630,000 × 10/26 = 88,150,000/13.
    from okrplan.queries import key_result

    kr = key_result(plan.graph, "k:销售中心/北京销售团队#1.5")
    calendar = PlanCalendar.of(plan.meta)
    assert planned(kr, span("2021-06"), calendar) == F(17_630_000 * 10, 26)
    assert planned(kr, span("2021-Q2"), calendar) == 17_630_000
    # Whole quarters and the year to date: Q1 947万 + Q2 1763万 = 2710万.
    assert planned(kr, Span(date(2021, 1, 1), date(2021, 6, 30)), calendar) == 27_100_000


def test_a_week_counts_its_days_inside_the_plan(plan) -> None:  # type: ignore[no-untyped-def]
    # A rep's calls are weekly; 2021-W05 runs 1–7 February, wholly in February; 2021-W04 runs
    # 25–31 January. February's plan is therefore W05..W08 exactly (W08 ends 28 February).
    from okrplan.queries import key_result

    kr = key_result(plan.graph, "k:销售中心/北京销售团队/直销组/销售代表#1.1")
    calendar = PlanCalendar.of(plan.meta)
    weeks = sum(F(kr.periods[f"2021-W{w:02d}"]) for w in (5, 6, 7, 8))
    assert planned(kr, span("2021-02"), calendar) == weeks
    # 2020-W53 is 28 Dec–3 Jan; only 1–3 January are in the plan, so January takes all of it.
    assert span("2020-W53").first == date(2020, 12, 28)
    assert calendar.share("2020-W53", span("2021-01")) == 1


# -- next steps --------------------------------------------------------------------------------


class Reported:
    def __init__(self, values: dict[str, F]) -> None:
        self.values = values

    def within(self, kr: str, part: Span) -> F | None:
        return self.values.get(kr)


def test_the_rest_of_a_kr_follows_the_plans_seasonality(plan) -> None:  # type: ignore[no-untyped-def]
    # 北京销售团队 销售业绩: 6890万 for the year; Q3 1689万, Q4 2491万 (their sum 4180万). With
    # 620万 done by June, 6270万 is left = 1.5 × 4180万, so Q3 needs 1.5 × 1689万 = 2533.5万
    # and Q4 1.5 × 2491万 = 3736.5万.
    from okrplan.queries import tree_order, unit

    calendar = PlanCalendar.of(plan.meta)
    kr = "k:销售中心/北京销售团队#1.5"
    steps = next_steps(
        plan, "u:销售中心/北京销售团队", [], Reported({kr: F(6_200_000)}), calendar, span("2021-06")
    )
    revenue = next(s for s in steps if s.kr == kr)
    assert revenue.remaining == 62_700_000
    assert [(n.label, n.need) for n in revenue.needs] == [
        ("2021-Q3", 25_335_000),
        ("2021-Q4", 37_365_000),
    ]
    # Reviewing May instead, the rest of Q2 is June's 10/26 of 1763万 and comes first.
    may = next_steps(
        plan, "u:销售中心/北京销售团队", [], Reported({kr: F(0)}), calendar, span("2021-05")
    )
    rest = next(s for s in may if s.kr == kr).needs[0]
    assert (rest.label, rest.partial, rest.planned) == ("2021-Q2", True, F(17_630_000 * 10, 26))
    assert unit(plan.graph, "u:销售中心/北京销售团队").name == "北京销售团队"
    assert tree_order  # imported for the reader: the pack walks the tree in display order


def test_a_role_group_over_capacity_is_flagged_with_the_people_short(plan) -> None:  # type: ignore[no-untyped-def]
    # 上海 销售代表: 8 reps, 25 visits/月 each. Per person the plan has 128 visits, July–December
    # 9, 9, 11, 10, 13, 21 (sum 73); the group 8 × 128 = 1024. With 240 visits done by June,
    # 784 are left; December needs 784 × 21/73 = 16464/73 ≈ 225.5, per person 2058/73 ≈ 28.2 >
    # 25: flagged; ⌈225.5 / 25⌉ = 10 people, 2 more than the 8. November: 784 × 13/73 / 8 ≈
    # 17.5 ≤ 25.
    from okrplan.queries import role

    group = role(plan.graph, "r:销售中心/上海销售团队/销售代表")
    kr = "k:销售中心/上海销售团队/销售代表#1.2"
    steps = next_steps(
        plan,
        "u:销售中心/上海销售团队",
        [group],
        Reported({kr: F(240)}),
        PlanCalendar.of(plan.meta),
        span("2021-06"),
    )
    visits = next(s for s in steps if s.kr == kr)
    assert (visits.total, visits.done, visits.headcount) == (1024, 240, 8)
    december = visits.needs[-1]
    assert (december.label, december.need, december.per_person) == (
        "2021-12",
        F(16464, 73),
        F(2058, 73),
    )
    assert december.capacity == 25 and december.over
    assert [n.label for n in visits.needs if n.over] == ["2021-12"]
    assert visits.people_short == 2


def test_capacity_follows_the_ramp() -> None:
    # 60 calls a week at 50 % ramp in June (30 days): 60 × 30/7 × 0.5 = 900/7.
    from okrplan.model import Selling

    selling = Selling(1, 1, 1, None, (0.5,), (), ())
    group = RoleGroup("r", "x", "x", ("u",), 1, (), True, "deals", {"calls": "60/周"}, selling)
    calendar = PlanCalendar(("2015-06",), {"2015-06": F(1)})
    assert capacity_in(group, "calls", span("2015-06"), calendar) == F(900, 7)
    assert capacity_in(group, "visits", span("2015-06"), calendar) is None
