"""The review pack's words in zh-CN and en, and how its numbers are shown.

Section titles follow seed 000: 当前OKR的进度、过去一个月做了哪些工作、下一步准备如何去做、
需要的资源或当下遇到的困难.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from okrplan.numbers import Numbers
from okrplan.quantity import format_number

_ZH: dict[str, str] = {
    "title": "{unit} 复盘 · {period}",
    "s1": "1 当前OKR的进度",
    "s2_month": "2 过去一个月做了哪些工作",
    "s2_quarter": "2 过去一个季度做了哪些工作",
    "s3": "3 下一步准备如何去做",
    "s4": "4 需要的资源或当下遇到的困难",
    "kr": "关键成果(KR)",
    "target": "目标",
    "expected": "截至本期应完成",
    "actual": "实际",
    "progress": "完成率",
    "status": "状态",
    "confidence": "信心",
    "no_okr": "本单元没有自己的OKR；下面是其下级的汇总。",
    "children": "下级单元与岗位",
    "child": "单元/岗位",
    "people": "人数",
    "metric": "指标",
    "planned_period": "本期计划",
    "actual_period": "本期实际",
    "attain": "达成率",
    "reported": "填报人数",
    "comments": "本期备注",
    "no_comments": "本期没有备注。",
    "hires": "招聘",
    "owner": "负责",
    "hires_period": "本期到岗",
    "hires_to_date": "累计到岗",
    "no_activity": "本期没有计划或实际的活动量。",
    "remaining": "剩余",
    "done": "已完成",
    "period": "期间",
    "plan_orig": "原计划",
    "need": "现需",
    "per_person": "人均",
    "capacity": "人均产能",
    "rest_of": "{label}余下",
    "over": "超出产能",
    "no_next": "本单元没有按期分解的关键成果。",
    "funnel": "漏斗诊断：{groups}",
    "stage": "阶段",
    "rate_plan": "计划转化率",
    "rate_actual": "实际转化率",
    "explains": "解释的缺口",
    "volume_of": "{name}数量",
    "rate_of": "{source}→{name}",
    "gap_line": "{name}缺口 {gap} = 活动量 {volume} + 转化率 {conversion}。",
    "cause_volume": "主要原因：活动量不足（{name} {actual}，计划 {planned}）。",
    "cause_conversion": "主要原因：转化率下降（{source}→{name} {actual}，计划 {planned}）。",
    "cause_on_plan": "本期{name}达到或超过计划。",
    "cause_no_data": "本期没有{name}的实际数据，无法诊断。",
    "funnel_note": "计划含上级的超额分配；有推广部供给商机时，拜访→商机的转化率含供给的商机。",
    "no_funnel": "本单元下没有销售漏斗。",
    "short_title": "产能缺口",
    "short_line": "{owner}：{kr}在{label}人均需 {need}，人均产能 {capacity}，需增加 {people} 人。",
    "no_short": "剩余计划在现有产能之内。",
    "blockers": "困难与风险（信心 ≤ {low}/10 的反馈）",
    "no_blockers": "本期没有低信心的反馈。",
    "burnup": "{name}：累计计划与实际",
    "funnel_chart": "各阶段计划与实际",
    "plan_word": "计划",
    "actual_word": "实际",
    "done_status": "已完成",
    "on_track": "正常",
    "behind": "落后",
    "at_risk": "有风险",
    "no_data": "无数据",
    "whole": "全体",
}

_EN: dict[str, str] = {
    "title": "{unit} review · {period}",
    "s1": "1 Progress of the current OKRs",
    "s2_month": "2 What we did in the past month",
    "s2_quarter": "2 What we did in the past quarter",
    "s3": "3 What we will do next",
    "s4": "4 Resources needed and current difficulties",
    "kr": "Key result",
    "target": "Target",
    "expected": "Expected to date",
    "actual": "Actual",
    "progress": "Progress",
    "status": "Status",
    "confidence": "Confidence",
    "no_okr": "This unit has no OKR of its own; its direct units and roles follow.",
    "children": "Direct units and roles",
    "child": "Unit / role",
    "people": "People",
    "metric": "Metric",
    "planned_period": "Planned",
    "actual_period": "Actual",
    "attain": "Attainment",
    "reported": "Reported by",
    "comments": "Comments of the period",
    "no_comments": "No comments this period.",
    "hires": "Hiring",
    "owner": "Owner",
    "hires_period": "Hired in period",
    "hires_to_date": "Hired to date",
    "no_activity": "No activity planned or reported this period.",
    "remaining": "remaining",
    "done": "done",
    "period": "Period",
    "plan_orig": "Original plan",
    "need": "Now needed",
    "per_person": "Per person",
    "capacity": "Capacity per person",
    "rest_of": "rest of {label}",
    "over": "over capacity",
    "no_next": "This unit has no phased key results.",
    "funnel": "Funnel diagnosis: {groups}",
    "stage": "Stage",
    "rate_plan": "Planned rate",
    "rate_actual": "Actual rate",
    "explains": "Explains of the gap",
    "volume_of": "volume of {name}",
    "rate_of": "{source} → {name}",
    "gap_line": "{name} gap {gap} = activity volume {volume} + conversion {conversion}.",
    "cause_volume": "Mainly too little activity ({name} {actual}, planned {planned}).",
    "cause_conversion": "Mainly worse conversion ({source} → {name} {actual}, planned {planned}).",
    "cause_on_plan": "{name} is on or ahead of plan this period.",
    "cause_no_data": "No {name} reported this period: nothing to diagnose.",
    "funnel_note": (
        "Plans include the over-assignment from above; where a support unit supplies "
        "opportunities, the visit → opportunity rate includes the supplied ones."
    ),
    "no_funnel": "No selling funnel under this unit.",
    "short_title": "Capacity gap",
    "short_line": (
        "{owner}: {kr} needs {need} per person in {label}, capacity {capacity}: "
        "{people} more {persons}."
    ),
    "no_short": "The remaining plan fits the current capacity.",
    "blockers": "Difficulties and risks (feedback with confidence ≤ {low}/10)",
    "no_blockers": "No low-confidence feedback this period.",
    "burnup": "{name}: cumulative plan and actual",
    "funnel_chart": "Planned and actual per stage",
    "plan_word": "plan",
    "actual_word": "actual",
    "done_status": "done",
    "on_track": "on track",
    "behind": "behind",
    "at_risk": "at risk",
    "no_data": "no data",
    "whole": "all",
}


def words(locale: str) -> dict[str, str]:
    """The pack's words in the plan's language (zh-CN unless it is English)."""
    return _EN if locale.lower().startswith("en") else _ZH


def status_word(status: str, locale: str) -> str:
    """A pace status (``on_track``, …) in the plan's language."""
    key = "done_status" if status == "done" else status
    return words(locale).get(key, status)


def rounded(value: Fraction, places: int = 0) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, exactly."""
    step = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(step, ROUND_HALF_UP)


def amount(value: Fraction | None, numbers: Numbers, *, money: bool) -> str:
    """A KR's number as the sheets show it: money through the plan's formatter (``numbers``:
    in 万/M to the plan's money rounding step, with its currency symbol in English), counts to
    one decimal where they are not whole; an empty string for no value."""
    if value is None:
        return ""
    if money:  # the one formatter, to the plan's rounding step: 3,080万 (not 3,079.9万)
        return numbers.money(rounded(value, 2))
    locale = numbers.locale
    if value.denominator == 1:
        return format_number(value.numerator, locale)
    shown = rounded(value, 1)
    if shown == shown.to_integral_value():  # 30.04 is not shown as 30, which it is not
        shown = rounded(value, 2)
    return format_number(shown, locale)


def percent(value: Fraction | None) -> str:
    """A fraction as a whole percent (one decimal below 10 %)."""
    if value is None:
        return ""
    places = 1 if abs(value) < Fraction(1, 10) and value != 0 else 0
    return f"{rounded(value * 100, places)}%"


def signed(value: Fraction, numbers: Numbers, *, money: bool) -> str:
    """A difference with its sign (``+40万``, ``−60万``)."""
    text = amount(abs(value), numbers, money=money)
    return ("+" if value > 0 else "−" if value < 0 else "") + text
