"""Working-day calendars (plan.calendar: CN): capacity follows working days, checked by hand."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import minimal_target

from okrplan.errors import InputError
from okrplan.model import Per as KRPer
from okrplan.periods import Month, parse_period
from okrplan.quantity import Per
from okrplan.solve.groups import build_groups, per_month_capacity
from okrplan.solve.series import Calendar, Series, count_targets
from okrplan.spec import load_spec
from okrplan.workdays import plan_working_days, working_days


def test_february_2026_in_china_has_16_working_days() -> None:
    # February 2026 starts on a Sunday: weekdays 2–6, 9–13, 16–20, 23–27 = 20. 春节 takes
    # Mon 16 – Fri 20 and Mon 23 (6 weekdays): 14. The working Saturdays 14 and 28 February
    # (调休) add 2: 16.
    assert working_days("CN", (Month(2026, 2),)) == (16,)
    # October 2026 starts on a Thursday: 22 weekdays; 国庆 takes 1, 2, 5, 6, 7 October: 17;
    # Saturday 10 October is worked: 18.
    assert working_days("CN", (Month(2026, 10),)) == (18,)


def test_capacity_per_week_and_month_in_february_2026() -> None:
    # 2026 in China: 21+16+22+21+19+21+23+21+22+18+21+23 = 248 working days, 248/12 = 62/3 a
    # month on average. 100 calls a week (five working days) in February: 100 × 16 / 5 = 320
    # (calendar days would give 100 × 28 / 7 = 400). 25 visits a month: 25 × 16 / (62/3) =
    # 1200/62 = 600/31 ≈ 19.35; in March (22 days) 25 × 22 × 3 / 62 = 825/31 ≈ 26.6.
    months = (Month(2026, 2), Month(2026, 3))
    days = plan_working_days("CN", months)
    assert days.average == Fraction(248, 12)
    assert per_month_capacity(Fraction(100), Per.WEEK, months, days) == (320, 440)
    assert per_month_capacity(Fraction(25), Per.MONTH, months, days) == (
        Fraction(600, 31),
        Fraction(825, 31),
    )
    assert per_month_capacity(Fraction(100), Per.WEEK, months) == (400, Fraction(3100, 7))


def test_a_plan_with_calendar_cn_checks_february_against_its_working_days(
    write_target: Callable[..., Path],
) -> None:
    target = minimal_target(plan={"period": "2026-02", "calendar": "CN"})
    target["org"]["units"][0]["roles"][0]["capacity"] = {"visits": "100/周"}
    spec = load_spec(write_target(target))
    (group,) = build_groups(spec)
    assert [(w.metric, w.capacity) for w in group.windows] == [("visits", 320)]


def test_an_unknown_calendar_is_refused(write_target: Callable[..., Path]) -> None:
    with pytest.raises(InputError) as info:
        load_spec(write_target(minimal_target(plan={"calendar": "CNN"})))
    assert [(i.path, i.message, i.hint) for i in info.value.issues] == [
        ("plan.calendar", "no holiday calendar for 'CNN'", "did you mean 'CN'?")
    ]


def test_weeks_of_october_2026_are_apportioned_by_working_days() -> None:
    # October 2026 (CN) has 18 working days (above). Its ISO weeks:
    #   W40 Thu 1 – Sun 4: 国庆 1, 2 and the weekend 3, 4 → 0 working days
    #   W41 Mon 5 – Sun 11: 国庆 5, 6, 7; Thu 8, Fri 9, Sat 10 (调休) worked → 3
    #   W42 12–18, W43 19–25: Mon–Fri → 5 each;  W44 Mon 26 – Sat 31: 26–30 → 5
    # 3 + 5 + 5 + 5 = 18. 180 calls in October: 10 a working day → 0, 30, 50, 50, 50; the
    # weekly headline is a full week of five working days: 180 × 5 / 18 = 50.
    period = parse_period("2026-10")
    calendar = Calendar.of(period, plan_working_days("CN", period.months))
    target, weeks, total = count_targets(
        Series((180,), 1, False), KRPer.WEEK, calendar, None, "calls"
    )
    assert weeks == {"2026-W40": 0, "2026-W41": 30, "2026-W42": 50, "2026-W43": 50, "2026-W44": 50}
    assert (target, total) == (50, 180)
    # Without a calendar (calendar days, unchanged): 4, 7, 7, 7 and 6 of 31 days; 180 × 4 / 31
    # = 23.2, … rounded so that the weeks still sum to 180; the headline 180 × 7 / 31 = 40.6 → 41.
    plain, by_days, _ = count_targets(
        Series((180,), 1, False), KRPer.WEEK, Calendar.of(period), None, "calls"
    )
    assert sum(by_days.values()) == 180 and plain == 41
    assert by_days["2026-W40"] in (23, 24) and by_days["2026-W44"] in (34, 35)
