"""Working-day calendars (plan.calendar: CN): capacity follows working days, checked by hand."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import minimal_target

from okrplan.errors import InputError
from okrplan.periods import Month
from okrplan.quantity import Per
from okrplan.solve.groups import build_groups, per_month_capacity
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
