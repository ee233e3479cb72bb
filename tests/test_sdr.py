"""Support groups with their own funnel: an SDR group makes the calls its meetings need."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from okrplan.api import decompose
from okrplan.errors import InputError
from okrplan.model import KeyResult
from okrplan.queries import records
from okrplan.spec import load_spec

FUNNEL = {
    "revenue": {"name": "销售额", "kind": "money"},
    "deals": {"name": "成交", "unit": "个", "yields": {"revenue": "10万"}},
    "meetings": {"name": "会议", "unit": "场", "yields": {"deals": "20%"}},
    "calls": {"name": "电话", "unit": "个", "yields": {"meetings": "10%"}},
}


def _target(sdr_capacity: dict[str, str]) -> dict[str, Any]:
    per_month = [{"metric": "calls", "per": "month"}, {"metric": "meetings", "per": "month"}]
    return {
        "okrplan": 1,
        "plan": {"name": "SDR", "period": 2026, "buffer": "0%"},
        "kpi": {"metric": "revenue", "target": "1200万"},
        "metrics": FUNNEL,
        "org": {
            "name": "公司",
            "units": [
                {
                    "name": "销售组",
                    "roles": [{"role": "AE", "headcount": 2, "sells": "deals"}],
                },
                {
                    "name": "SDR组",
                    "supports": {"metric": "meetings", "share": "50%"},
                    "roles": [
                        {"role": "SDR", "headcount": 1, "capacity": sdr_capacity, "hire": True}
                    ],
                },
            ],
        },
        "objectives": [
            {"title": "约会议", "at": ["role"], "units": ["SDR组"], "key_results": per_month},
            {"title": "销售", "at": ["role"], "roles": ["AE"], "key_results": per_month},
        ],
    }


def _monthly(plan: Any, owner: str) -> dict[str, Any]:
    return {
        kr.metric: kr.target
        for kr in records(plan.graph)
        if isinstance(kr, KeyResult) and kr.owner == owner and kr.metric
    }


def test_an_sdr_group_makes_the_calls_its_meetings_need(
    write_target: Callable[..., Path],
) -> None:
    # KPI 1200万, two AEs: 600万 each = 50万 a month = 5 deals = 5 ÷ 20% = 25 meetings a month.
    # The SDR group supplies 50% of the AEs' meetings: 2 × 25 × 50% = 25 meetings a month,
    # which take 25 ÷ 10% = 250 calls (within its 300 a month: no hire). Each AE sources the
    # other 12.5 meetings and makes only their calls: 12.5 ÷ 10% = 125 a month.
    plan = decompose(write_target(_target({"calls": "300/月"})))
    assert _monthly(plan, "r:公司/SDR组/SDR") == {"calls": 250, "meetings": 25}
    assert _monthly(plan, "r:公司/销售组/AE") == {"calls": 125, "meetings": 25}
    assert not [kr for kr in records(plan.graph) if isinstance(kr, KeyResult) and kr.hires]


def test_an_sdr_short_of_call_capacity_hires(write_target: Callable[..., Path]) -> None:
    # 250 calls a month against 200 per person: ⌈250 ÷ 200⌉ = 2 people, so 1 hire.
    plan = decompose(write_target(_target({"calls": "200/月"})))
    hires = [
        (kr.owner, kr.target)
        for kr in records(plan.graph)
        if isinstance(kr, KeyResult) and kr.hires == "r:公司/SDR组/SDR"
    ]
    assert hires == [("u:公司/SDR组", 1)]


def test_a_support_capacity_outside_the_funnel_is_refused(
    write_target: Callable[..., Path],
) -> None:
    # deals are downstream of meetings: an SDR's deals are never worked by the group.
    with pytest.raises(InputError) as info:
        load_spec(write_target(_target({"deals": "3/月"})))
    errors = [i for i in info.value.issues if i.severity == "error"]
    assert [(i.path, i.message) for i in errors] == [
        (
            "org.units[1].roles[0].capacity.deals",
            "SDR组 supplies meetings; a capacity for 'deals' is never checked",
        )
    ]


def test_an_sdr_kr_for_calls_needs_no_calls_capacity(write_target: Callable[..., Path]) -> None:
    # Without a capacity for calls the SDR still makes 250 calls a month (25 meetings ÷ 10%).
    plan = decompose(write_target(_target({"meetings": "30/月"})))
    assert _monthly(plan, "r:公司/SDR组/SDR") == {"calls": 250, "meetings": 25}


def test_a_support_kr_outside_the_funnel_is_not_dropped_silently(
    write_target: Callable[..., Path],
) -> None:
    target = _target({"calls": "300/月"})
    target["objectives"][0]["key_results"].append({"metric": "deals"})
    spec = load_spec(write_target(target))
    assert [(i.path, i.message) for i in spec.warnings] == [
        (
            "objectives[0].key_results[2].metric",
            # the plan is zh-CN: okrplan says it in Chinese
            "SDR组 提供 meetings；'deals' 的关键成果在它的表上无可计数，不列入",
        )
    ]
