"""The summary ``okrplan validate`` prints for a file it understood, in the plan's language."""

from __future__ import annotations

from decimal import Decimal

from okrplan.numbers import Numbers, counted, language
from okrplan.quantity import format_number, format_percent
from okrplan.spec import Spec

_RULES = {"leverage": "按影响力", "equal": "平均", "given": "按指定"}


def summarize(spec: Spec) -> str:
    """A few lines that show a planner the file was understood: KPI, org size, funnels.

    In Chinese for a ``zh-CN`` plan (``组织：2 个单位，3 个岗位组，15 人``), in English for
    ``en`` (``org: 2 units, 3 role groups, 15 people``).
    """
    target = spec.target
    plan, metrics, locale = target.plan, target.metrics, target.plan.locale
    zh = language(locale) == "zh"
    kpi_metric, base = metrics[target.primary.metric], metrics[spec.base_metric]
    kpi = f"{kpi_metric.name} ({target.primary.metric})"
    if spec.base_metric != target.primary.metric:
        kpi += f" → {base.name} {format_number(spec.kpi_value, locale)}"
    elif base.kind == "money":  # through the one formatter: 8,000万, ¥120M
        numbers = Numbers(locale, plan.currency, target.split.rounding.money)
        kpi += f" {numbers.money(spec.kpi_value)}"
    else:
        kpi += f" {format_number(spec.kpi_value, locale)}{base.unit}"
    buffer = format_percent(plan.buffer, locale)
    lines = [
        f"{plan.name} · {plan.period.label} · {plan.locale} · {plan.currency}",
        f"  KPI：{kpi}；每级超额分配 {buffer}"
        if zh
        else f"  KPI: {kpi}; buffer {buffer} per level",
        *_further_line(spec, zh),
        _org_line(spec, zh),
    ]
    chains: dict[str, list[str]] = {}
    for ref in spec.roles:
        if ref.role.sells and ref.role.role not in chains.setdefault(ref.role.sells, []):
            chains[ref.role.sells].append(ref.role.role)
    for sells, roles in chains.items():
        funnel = " → ".join(metrics[m].name for m in spec.funnel(sells))
        lines.append(
            f"  漏斗（{'、'.join(roles)}）：{funnel}"
            if zh
            else f"  funnel ({', '.join(roles)}): {funnel}"
        )
    objectives = len(target.objectives)
    krs = sum(len(o.key_results) for o in target.objectives)
    rule = str(target.weights.rule)
    lines.append(
        f"  目标：{objectives} 个，关键成果 {krs} 个；权重：{_RULES.get(rule, rule)}"
        if zh
        else f"  objectives: {objectives} with {counted(krs, 'key result')}; weights: {rule}"
    )
    return "\n".join(lines)


_BASES = {
    "quotas": ("按主目标配额分解", "split like the primary's quotas"),
    "history": ("按历史业绩分解", "split by history"),
    "capacity": ("按产能分解", "split by capacity"),
    "headcount": ("按人数分解", "split by headcount"),
    "even": ("平均分解", "split evenly"),
    "potential": ("按潜力分解", "split by potential"),
}


def _further_line(spec: Spec, zh: bool) -> list[str]:
    """The further targets of ``kpi:`` (a list), each with what it is split by."""
    target = spec.target
    numbers = Numbers(target.plan.locale, target.plan.currency, target.split.rounding.money)
    parts = []
    for kpi in spec.further_targets:
        metric = target.metrics[kpi.metric]
        value = kpi.target if isinstance(kpi.target, Decimal) else Decimal(0)
        amount = (
            numbers.money(value)
            if metric.kind == "money"
            else f"{format_number(value, target.plan.locale)}{metric.unit}"
        )
        words = _BASES[kpi.basis or "quotas"]
        parts.append(
            f"{metric.name} {amount}（{words[0]}）" if zh else f"{metric.name} {amount}, {words[1]}"
        )
    if not parts:
        return []
    return [f"  另有目标：{'；'.join(parts)}" if zh else f"  further targets: {'; '.join(parts)}"]


def _org_line(spec: Spec, zh: bool) -> str:
    units, groups = len(spec.units), len(spec.roles)
    people = sum(r.headcount for r in spec.roles)
    hiring = sum(1 for r in spec.roles if r.role.hire)
    support = [u.unit.name for u in spec.units if u.unit.supports]
    if zh:
        return (
            f"  组织：{units} 个单位，{groups} 个岗位组，{people} 人"
            + (f"，{hiring} 个岗位组可招聘" if hiring else "")
            + (f"；支持部门：{'、'.join(support)}" if support else "")
        )
    return (
        f"  org: {counted(units, 'unit')}, {counted(groups, 'role group')}, "
        f"{counted(people, 'person')}"
        + (f", {counted(hiring, 'group')} may hire" if hiring else "")
        + (f"; support: {', '.join(support)}" if support else "")
    )


def file_locale(path: str) -> str:
    """The ``plan.locale`` a target file asks for (zh-CN, the default, if it cannot be read):
    the language of what is said about a file that does not validate."""
    from okrplan.errors import OkrplanError
    from okrplan.source import load_yaml

    try:
        data = load_yaml(path).data
    except (OkrplanError, OSError, ValueError):
        return "zh-CN"
    plan = data.get("plan") if isinstance(data, dict) else None
    locale = plan.get("locale") if isinstance(plan, dict) else None
    return "en" if isinstance(locale, str) and locale.startswith("en") else "zh-CN"
