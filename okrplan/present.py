"""Words and numbers as a planner reads them, in the plan's locale.

Every renderer and exporter (Markdown, diagrams, sheets, report) formats key results through
these functions so that a target reads the same everywhere: ``550万``, ``71 个/周``, ``100%``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from okrplan.quantity import Per, format_number, format_percent, per_label

LABELS = {
    "zh-CN": {
        "plan": "全期", "target": "目标值", "per": "周期", "weight": "权重", "kr": "关键成果",
        "objective": "目标", "no": "序号", "headcount": "人数", "per_person": "每人",
        "assigned": "下达", "status": "求解状态", "stretch": "最大拉伸", "hires": "新增招聘",
        "lead": "负责人", "deduction": "减分项", "points_per_case": "每例扣{n}分",
        "relaxations": "可行化建议", "binding": "约束", "detail": "目标详细描述",
        "buffer": "每级超额分配", "period": "期间", "by": "截止", "people": "人员",
        "kpi": "KPI", "periods": "分期目标", "basis": "基准", "quota": "任务额",
    },
    "en": {
        "plan": "plan", "target": "Target", "per": "Per", "weight": "Weight",
        "kr": "Key result", "objective": "Objective", "no": "#", "headcount": "Headcount",
        "per_person": "per person", "assigned": "assigned", "status": "Solver status",
        "stretch": "largest stretch", "hires": "New hires", "lead": "Lead",
        "deduction": "deduction", "points_per_case": "-{n} points per case",
        "relaxations": "What would make it feasible", "binding": "Binding",
        "detail": "Detail", "buffer": "buffer per level", "period": "Period", "by": "due",
        "people": "People", "kpi": "KPI", "periods": "Per period", "basis": "basis",
        "quota": "quota",
    },
}


def label(locale: str, key: str) -> str:
    return LABELS["en" if locale.startswith("en") else "zh-CN"][key]


def per_text(per: str, locale: str) -> str:
    """``week`` → ``周``/``week``; ``plan`` → ``全期``/``plan``."""
    if per == "plan":
        return label(locale, "plan")
    return per_label(Per(per), locale)


def money_text(value: float | int | Decimal, locale: str) -> str:
    return format_number(Decimal(str(value)), locale, money=True)


def kr_target_text(kr: dict[str, Any], locale: str) -> str:
    """The headline target of a KR node: ``550万``, ``71 个/周``, ``100%``, ``-5 points``."""
    if kr.get("kr_kind") == "deduction":
        return label(locale, "points_per_case").format(n=_plain(kr.get("deduction")))
    target = kr.get("target")
    if target is None:
        return ""
    kind = kr.get("target_kind")
    if kind == "percent":
        return format_percent(Decimal(str(target)), locale)
    text = (money_text(target, locale) if kr.get("money")
            else format_number(Decimal(str(target)), locale))
    unit = kr.get("unit") or ""
    if kr.get("target_per"):
        return f"{text}{unit}/{per_label(Per(kr['target_per']), locale)}"
    if kr.get("per") and kr["per"] != "plan" and not kr.get("money"):
        sep = " " if unit else ""
        return f"{text}{sep}{unit}/{per_text(kr['per'], locale)}"
    return f"{text}{(' ' if locale == 'en' and unit else '')}{unit}"


def period_value_text(kr: dict[str, Any], value: float | int, locale: str) -> str:
    if kr.get("money"):
        return money_text(value, locale)
    return format_number(Decimal(str(value)), locale)


def weight_text(weight: float | int | None) -> str:
    return "" if weight is None else f"{_plain(weight)}%"


def _plain(value: Any) -> str:
    if value is None:
        return ""
    number = Decimal(str(value))
    return format(number.normalize(), "f") if number % 1 else str(int(number))
