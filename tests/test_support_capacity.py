"""A support role's per-person KRs fit its capacity in every period: ramp, start month, hires
and the working days of a holiday month included (issue 14, "Every number adds up")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from okrplan.api import decompose
from okrplan.model import KeyResult
from okrplan.planmeta import Binding
from okrplan.queries import records

FUNNEL = {
    "revenue": {"name": "销售额", "kind": "money"},
    "deals": {"name": "成交", "unit": "个", "yields": {"revenue": "10万"}},
    "meetings": {"name": "会议", "unit": "场", "yields": {"deals": "20%"}},
    "calls": {"name": "电话", "unit": "个", "yields": {"meetings": "10%"}},
}


def _target(hire: Any) -> dict[str, Any]:
    sdr = {
        "role": "SDR",
        "people": ["甲", "乙", "丙", "丁", {"name": "戊", "joined": "2026-06"}],
        "capacity": {"calls": "15/周"},
        "ramp": ["50%"],
        "ramp_per": "month",
        "hire": hire,
    }
    calls = [{"metric": "calls", "per": "month"}]
    return {
        "okrplan": 1,
        "plan": {"name": "SDR", "period": 2026, "buffer": "0%", "calendar": "CN"},
        "kpi": {"metric": "revenue", "target": "1200万"},
        "metrics": FUNNEL,
        "org": {
            "name": "公司",
            "units": [
                {"name": "销售组", "roles": [{"role": "AE", "headcount": 2, "sells": "deals"}]},
                {
                    "name": "SDR组",
                    "supports": {"metric": "meetings", "share": "50%"},
                    "roles": [sdr],
                },
            ],
        },
        "objectives": [
            {"title": "约会议", "at": ["role"], "units": ["SDR组"], "key_results": calls},
        ],
    }


def _calls(plan: Any) -> dict[str, int]:
    (kr,) = [
        kr
        for kr in records(plan.graph)
        if isinstance(kr, KeyResult) and kr.owner == "r:公司/SDR组/SDR" and kr.metric == "calls"
    ]
    return {label: int(value) for label, value in kr.periods.items()}


def test_a_holiday_month_with_a_ramping_joiner_hires_and_fits(
    write_target: Callable[..., Path],
) -> None:
    # Two AEs carry 1200万 evenly: 100万 a month = 10 deals = 10 ÷ 20% = 50 meetings; the SDR
    # group supplies 50% = 25 meetings = 25 ÷ 10% = 250 calls a month.
    # An SDR makes 15 calls per 5 working days: 3 × the month's CN working days (2026: Jan 21,
    # Feb 16 (春节), Mar 22, Apr 21, May 19, Jun 21, Jul 23, Aug 21, Sep 22, Oct 18, Nov 21,
    # Dec 23): Jan 63, Feb 48, Mar 66, Apr 63, May 57, … Oct 54.
    # People counted: 甲乙丙丁 all year (4); 戊 joins in June at 50%, 100% from July.
    # Hires due by 2026-01 start in February at 50%, 100% from March.
    #   Jan: 4 × 63 = 252 ≥ 250, fits (hires count 0 in January).
    #   Feb: 4 × 48 = 192, short 58; a hire adds 48 × 50% = 24: ⌈58 ÷ 24⌉ = 3 hires.
    #   May: 4 × 57 = 228, short 22; a hire adds 57: 1. Oct: 5 × 54 = 270 fits. → 3 hires.
    # People per month with the hires: Jan 4, Feb 4 + 3 × 50% = 5.5, Mar–May 7, Jun 7.5,
    # Jul–Dec 8. One person's calls = 250 ÷ people: Jan 62.5, Feb 45.45, Mar–May 35.71,
    # Jun 33.33, Jul–Dec 31.25; total 62.5 + 45.45 + 3 × 35.71 + 33.33 + 6 × 31.25 = 435.93 →
    # 436, apportioned by largest remainder quarter by quarter: quarters 143.67, 104.76, 93.75,
    # 93.75 → floors 433, +1 to Q2, Q3, Q4: 143, 105, 94, 94. Q1: 62 + 45 + 35 = 142, +1 to
    # Mar (.71): 62, 45, 36. Q2: 35 + 35 + 33 = 103, +1 to Apr and May: 36, 36, 33. Q3 and Q4:
    # 31 × 3 + 1 to the first month: 32, 31, 31. Jan 62 ≤ 63, Feb 45 ≤ 48.
    # (Before: 250 ÷ 5 heads = 50 a month, Feb 50 > 48 and 戊 counted before joining.)
    plan = decompose(write_target(_target({"max": 5, "by": "2026-01"})))
    assert plan.solver.hires == {"r:公司/SDR组/SDR": 3}
    expected = [62, 45, 36, 36, 36, 33, 32, 31, 31, 32, 31, 31]
    assert _calls(plan) == {f"2026-{m:02d}": v for m, v in enumerate(expected, start=1)}
    assert not [b for b in plan.solver.binding if "over capacity" in b.reason]


def test_when_hires_cannot_close_a_month_the_plan_says_so(
    write_target: Callable[..., Path],
) -> None:
    # With at most 2 hires February holds 4 × 48 + 2 × 24 = 240 calls < 250: the plan hires
    # both and names the month that stays over capacity.
    plan = decompose(write_target(_target({"max": 2, "by": "2026-01"})))
    assert plan.solver.hires == {"r:公司/SDR组/SDR": 2}
    over = Binding("r:公司/SDR组/SDR", "over capacity calls 15/周 in 2026-02 (support)")
    assert over in plan.solver.binding
