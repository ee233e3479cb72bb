"""Expected-to-date for each kind of KR, worked by hand (hand-made plans, no solver)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

from progress_plans import company, kr

from okrplan.model import KRKind, Per, TargetKind
from okrplan.progress import CheckIn
from okrplan.progress.pace import Pace, progress


def _staffing(due: str | None) -> object:
    base = kr("k:C#1.1", "u:C", "o:C#1", {})
    return replace(
        base, kr_kind=KRKind.STAFFING, metric=None, periods={}, total=None, target=3,
        money=None, unit=None, due=due,
    )  # fmt: skip


def test_a_staffing_kr_expects_all_its_hires_by_its_due_month() -> None:
    # "招聘 3 名销售岗，3月底前到岗": 1 a month over Jan–Mar. As of 14 Feb: 1 (January) + 1 ×
    # 14/28 (February) = 1.5; as of 30 June: all 3 (not 3 × 181/365 = 1.49).
    plan = company(_staffing("2015-03"))  # type: ignore[arg-type]
    assert progress(plan, [], date(2015, 2, 14))["k:C#1.1"].expected == Fraction(3, 2)
    june = progress(plan, [CheckIn("k:C#1.1", "2015-03", Fraction(2))], date(2015, 6, 30))
    got = june["k:C#1.1"]
    # 2 of 3 on board: pace 2 ÷ 3 = 66.7% < 75%: at risk; total 3 (not pro-rated).
    assert (got.expected, got.total, got.pace, got.status) == (3, 3, Fraction(2, 3), Pace.AT_RISK)


def test_a_staffing_kr_without_due_keeps_the_plan_wide_line() -> None:
    # No due and no hires group: 3 × 31/365 by 31 January.
    plan = company(_staffing(None))  # type: ignore[arg-type]
    assert progress(plan, [], date(2015, 1, 31))["k:C#1.1"].expected == Fraction(93, 365)


def test_percent_and_count_levels_are_not_pro_rated() -> None:
    # 核心人才保有率 85% and 商务数据准确率 100% are levels: expected is the level all year;
    # a check-in of 80% against 85% is a pace of 80 ÷ 85 = 94.1%: behind.
    rate = replace(
        kr("k:C#1.1", "u:C", "o:C#1", {}), kr_kind=KRKind.MANUAL, metric=None, periods={},
        total=None, target=Fraction(85, 100), target_kind=TargetKind.PERCENT, per=Per.PLAN,
    )  # fmt: skip
    plan = company(rate)
    got = progress(plan, [CheckIn("k:C#1.1", "2015-06", Fraction(80, 100))], date(2015, 6, 30))
    one = got["k:C#1.1"]
    assert (one.expected, one.pace, one.status) == (
        Fraction(85, 100),
        Fraction(16, 17),
        Pace.BEHIND,
    )


def test_status_cells_read_through_the_one_formatter() -> None:
    # Amounts in one unit per table at the plan's 10万 step (no decimals of 万): 30,799,000 →
    # 3,080万, 126,979,900 → 12,698万 (not "12,697.99万"); counts to one decimal: 22.32 → 22.3.
    from okrplan.numbers import Numbers
    from okrplan.progress.status import Line, Shown, Status, cells

    money = Line(
        "kr",
        "k",
        "回款额",
        Pace.NO_DATA,
        total=Fraction(83_600_000),
        expected=Fraction(30_799_000),
        projection=Fraction(126_979_900),
        money=True,
    )
    visits = Line("kr", "v", "visits", Pace.NO_DATA, total=Fraction(45),
                  expected=Fraction(2232, 100))  # fmt: skip
    result = Status("t", date(2015, 6, 30), "zh-CN", [money, visits], numbers=Numbers())
    shown = Shown.of(result)
    row = cells(money, "zh-CN", shown)
    assert (row[4], row[5], row[6], row[8]) == ("8,360万", "3,080万", "—", "12,698万")
    assert cells(visits, "zh-CN", shown)[4:6] == ["45", "22.3"]
    english = Status("t", date(2015, 6, 30), "en", [money], numbers=Numbers("en", "USD"))
    # in English M: a 100k step is one decimal of M (30,799,000 → $30.8M)
    assert cells(money, "en", Shown.of(english))[4:6] == ["$83.6M", "$30.8M"]


def test_a_staffing_kr_without_due_hires_before_the_cohort_earns() -> None:
    # The hires' ramp earns from April (0, 0, 0, 0.25, …): all 3 on board by 31 March, 1 a
    # month over Jan–Mar; as of 14 February 1 + 14/28 = 1.5.
    from okrplan.graph import add_records
    from okrplan.model import RoleGroup, Selling

    ramp = (0, 0, 0, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75)
    cohort = RoleGroup(
        id="r:H", name="rep", label="rep (new)", path=("C",), headcount=3, people=(),
        new_hires=True, sells="deals", capacity={},
        selling=Selling(quota=0, per_person=0, basis=0, stretch=None, ramp=ramp, binding=(),
                        marginal=()),
    )  # fmt: skip
    plan = company(replace(_staffing(None), hires="r:H"))  # type: ignore[type-var]
    add_records(plan.graph, [cohort], [])
    assert progress(plan, [], date(2015, 2, 14))["k:C#1.1"].expected == Fraction(3, 2)
