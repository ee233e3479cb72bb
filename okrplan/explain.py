"""The solver's explanations as sentences, in the plan's locale: relaxations (what would make an
infeasible plan feasible), how many hires the KPI needs and how many the buffer adds, what
`okrplan decompose` says when it has written a plan, and `okrplan explain`'s lines.

The solver makes structured records (:class:`okrplan.planmeta.Relaxation`, binding reasons
in :mod:`okrplan.solve.org`); this module is the one place that turns them into words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_TEXT = {
    "zh-CN": {
        "minimums": "{unit}：固定任务额与份额下限合计 {needed}，超过其目标 {current}；"
        "把目标提高到至少 {needed}，或降低它们",
        "target": "{unit}：各岗位最多能承担 {carried}{levels}，本级目标最多 {needed}；"
        "{hires}把目标从 {current} 降到不超过 {needed}",
        "target_levels": "，按每级超额分配 {buffer} 折算",
        "rounding": "{unit}：每人按整 {step} 取整且不超过产能，最多下达 {needed}，低于其目标 "
        "{current}；把目标降到不超过 {needed}",
        "buffer": "{unit}：{hires}每级超额分配改为 {needed}（现为 {current}）",
        "hire max": "{unit} 的 {label}：允许最多招聘 {needed} 人（现为最多 {current} 人）",
        "budget": "招聘预算（plan.hiring_budget）：提高到 {needed}（现为 {current}），"
        "即达成各级目标的最省招聘的花费",
        "headcount": "{unit} 的 {label}：增加 {needed} 名{role}（允许招聘：hire: true）",
        "supply": "{unit} 的 {label}：增加 {needed} 人，以提供各销售单元所需的{supplies}"
        "（允许招聘：hire: true）",
        "capacity": "{unit}：{hires}提高每人{metric}产能：{pairs}",
        "with_hires": "招满允许的 {hires} 人，并",
        "hiring_cost": "招聘花费 {cost}",
        "hiring_budget": "（预算 {budget}）",
        "pair": "{role} {old} → {new}",
        "sep": "；",
        "hire_split": "新增招聘 {total} 人：KPI 本身需要 {kpi} 人，"
        "每级超额分配 {buffer} 另需 {extra} 人",
        "fix": "  可行化建议：{message}",
        "group": "{unit} {role} × {n}：{quota_label} {quota}（{per_person_label} {per_person}）；"
        "{basis}",
        "bound": "  约束：{reasons}",
        "free": "  约束：无，处于共同拉伸水平 {level}",
        "free_no_level": "  约束：无，处于共同拉伸水平",
        "rounded": "  {text}",
        "marginal": "  每人{per}多 1 {unit}{metric}，可多完成 {adds}",
        "per_plan": "全期",
        "per": "每{per}",
    },
    "en": {
        "minimums": "{unit}: fixed quotas and minimum shares add up to {needed}, more than its "
        "target {current}; raise the target to at least {needed} or lower them",
        "target": "{unit}: its roles can carry {carried}, which{levels} covers a target of at "
        "most {needed} at this level; {hires}lower the target from {current} to at most {needed}",
        "target_levels": " with the {buffer} buffer per level",
        "rounding": "{unit}: quotas in whole {step} per person within capacity reach {needed}, "
        "less than its target {current}; lower the target to at most {needed}",
        "buffer": "{unit}: {hires}a buffer of {needed} per level instead of {current}",
        "hire max": "{label} in {unit}: allow up to {needed} hires instead of at most {current}",
        "budget": "hiring budget (plan.hiring_budget): raise the budget to {needed} (now "
        "{current}), what the cheapest hires that reach every target cost",
        "headcount": "{label} in {unit}: {needed} more {role} (allow hiring: hire: true)",
        "supply": "{label} in {unit}: {needed} more people to supply the {supplies} the sales "
        "units need (allow hire: true)",
        "capacity": "{unit}: {hires}raise {metric} capacity per person: {pairs}",
        "with_hires": "hire the {hires} allowed and ",
        "hiring_cost": "hiring cost {cost}",
        "hiring_budget": " (budget {budget})",
        "pair": "{role} {old} → {new}",
        "sep": "; ",
        "hire_split": "hires {total}: the KPI itself needs {kpi}; the {buffer} buffer per level "
        "adds {extra}",
        "fix": "  to make it feasible: {message}",
        "group": "{role} × {n} in {unit}: {quota_label} {quota} ({per_person} "
        "{per_person_label}); {basis}",
        "bound": "  bound by: {reasons}",
        "free": "  bound by: nothing; it carries the common stretch level {level}",
        "free_no_level": "  bound by: nothing; it carries the common stretch level",
        "rounded": "  {text}",
        "marginal": "  one more {metric} {per} per person adds {adds}",
        "per_plan": "over the plan",
        "per": "per {per}",
    },
}


def _text(locale: str, key: str) -> str:
    return _TEXT["en" if locale.startswith("en") else "zh-CN"][key]


def relaxation_message(
    kind: str,
    quantity: str,
    current: str,
    needed: str,
    facts: Mapping[str, str],
    locale: str,
) -> str:
    """The sentence of one relaxation record.

    >>> relaxation_message("buffer", "buffer", "10%", "5%", {"unit": "A", "hires": "5"}, "en")
    'A: hire the 5 allowed and a buffer of 5% per level instead of 10%'
    >>> relaxation_message("hire", "headcount", "0", "3",
    ...                    {"unit": "销售部", "label": "销售", "role": "销售"}, "zh-CN")
    '销售部 的 销售：增加 3 名销售（允许招聘：hire: true）'
    >>> relaxation_message("hire", "headcount", "0", "2",
    ...                    {"unit": "市场部", "label": "市场", "supplies": "商机"}, "zh-CN")
    '市场部 的 市场：增加 2 人，以提供各销售单元所需的商机（允许招聘：hire: true）'
    """
    values = {"current": current, "needed": needed, **facts}
    hires = values.get("hires", "0")
    values["hires"] = _text(locale, "with_hires").format(hires=hires) if hires != "0" else ""
    if kind == "capacity":
        pairs = zip(
            facts.get("roles", "").split("; "), current.split("; "), needed.split("; "), strict=True
        )
        values["pairs"] = _text(locale, "sep").join(
            _text(locale, "pair").format(role=r, old=o, new=n) for r, o, n in pairs
        )
        return _text(locale, "capacity").format(**values)
    if quantity == "target":
        levels = facts.get("levels", "0") != "0" and facts.get("buffer", "0%") != "0%"
        values["levels"] = (
            _text(locale, "target_levels").format(buffer=facts.get("buffer", "")) if levels else ""
        )
    if quantity.startswith("capacity"):
        quantity = "capacity"
    if quantity == "headcount" and "supplies" in facts:  # a support unit's role
        quantity = "supply"
    return _text(locale, quantity).format(**values)


def summary_lines(
    plan: Any, where: str, names: list[str], hires: list[tuple[int, str, str]]
) -> list[str]:
    """What ``okrplan decompose`` says when it has written a plan, in the plan's language:
    the files, the status and largest stretch, each hire and how the hires split.

    >>> from types import SimpleNamespace as NS
    >>> from okrplan.model import Status
    >>> from okrplan.planmeta import SolverReport
    >>> report = SolverReport(Status.OPTIMAL, 1.0, (), (), (), {}, {})
    >>> plan = NS(locale="zh-CN", solver=report, meta={})
    >>> summary_lines(plan, "out/", ["plan.md"], [(3, "销售岗", "销售部")])
    ['已写入 out/（plan.md）：可行，最大拉伸 1.0', '  招聘 3 名销售岗（销售部）']
    >>> report = SolverReport(Status.OPTIMAL, 0.42, (), (), (), {}, {})
    >>> plan = NS(locale="en", solver=report, meta={})
    >>> summary_lines(plan, "out/", ["plan.md"], [(1, "AE", "West"), (3, "SDR", "East")])[1:]
    ['  hire 1 AE in West', '  hire 3 SDRs in East']
    """
    from okrplan.numbers import plural
    from okrplan.present import status_text

    locale, solver = plan.locale, plan.solver
    status = status_text(str(solver.status), locale)
    files = ", ".join(names)
    if locale.startswith("en"):
        lines = [f"wrote {where} ({files}): {status}, largest stretch {solver.stretch}"]
        lines += [f"  hire {count} {plural(role, count)} in {unit}" for count, role, unit in hires]
    else:
        lines = [f"已写入 {where}（{files}）：{status}，最大拉伸 {solver.stretch}"]
        lines += [f"  招聘 {count} 名{role}（{unit}）" for count, role, unit in hires]
    split = hire_split_text(plan) if hires else None
    if split:
        lines.append(f"  {split}")
    cost = hiring_cost_text(plan)
    if cost:
        lines.append(f"  {cost}")
    return lines


def hiring_cost_text(plan: Any) -> str | None:
    """``hiring cost 1.1M (budget 1.2M)`` for a plan whose hires are priced (plan.json's
    ``plan.hiring``), else None.

    >>> from types import SimpleNamespace as NS
    >>> hiring = {"cost": 1_100_000, "budget": 1_200_000}
    >>> hiring_cost_text(NS(locale="zh-CN", meta={"hiring": hiring}))
    '招聘花费 110万（预算 120万）'
    >>> hiring_cost_text(NS(locale="en", meta={"hiring": {"cost": 1_100_000}}))
    'hiring cost 1.1M'
    """
    from decimal import Decimal

    from okrplan.quantity import format_number

    hiring = plan.meta.get("hiring")
    if not isinstance(hiring, dict) or "cost" not in hiring:
        return None

    def amount(key: str) -> str:
        return format_number(Decimal(str(hiring[key])), plan.locale)

    text = _text(plan.locale, "hiring_cost").format(cost=amount("cost"))
    if "budget" in hiring:
        text += _text(plan.locale, "hiring_budget").format(budget=amount("budget"))
    return text


def head_line(plan: Any) -> str:
    """``okrplan explain``'s first line: the plan's name, the solver's status and the largest
    stretch, punctuated as the plan's language is.

    >>> from types import SimpleNamespace as NS
    >>> from okrplan.model import Status
    >>> from okrplan.planmeta import SolverReport
    >>> report = SolverReport(Status.OPTIMAL, 1.0, (), (), (), {}, {})
    >>> head_line(NS(locale="zh-CN", solver=report, meta={"name": "A公司2015年度OKR"}))
    'A公司2015年度OKR：可行，最大拉伸 1.0'
    >>> head_line(NS(locale="en", solver=report, meta={"name": "Acme FY2027"}))
    'Acme FY2027: feasible, largest stretch 1.0'
    >>> head_line(NS(locale="en", solver=report, meta={}))
    'feasible, largest stretch 1.0'
    """
    from okrplan.present import status_text

    locale, solver = plan.locale, plan.solver
    status = status_text(str(solver.status), locale)
    name = str(plan.meta.get("name") or "")
    if locale.startswith("en"):
        return (f"{name}: " if name else "") + f"{status}, largest stretch {solver.stretch}"
    return (f"{name}：" if name else "") + f"{status}，最大拉伸 {solver.stretch}"


def hire_split_text(plan: Any) -> str | None:
    """``hires 3: the KPI itself needs 0; the 10% buffer per level adds 3`` for a plan whose
    optimizer hires, or None (a plan.json written before the split was recorded: None too)."""
    hires = plan.solver.hires
    kpi = plan.solver.hires_without_buffer
    if not hires or kpi is None:
        return None
    total = sum(hires.get(gid, 0) for gid in kpi)
    if not total:
        return None
    need = sum(kpi.values())
    return _text(plan.locale, "hire_split").format(
        total=total,
        kpi=need,
        extra=total - need,
        buffer=f"{float(plan.meta.get('buffer', 0)) * 100:g}%",
    )


def explain_lines(plan: Any, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """`okrplan explain`'s lines for the rows of :func:`okrplan.api.explain`: each group's quota,
    basis and stretch, what binds it (or the common stretch level it carries), what rounding
    moved, and what one more unit of a binding capacity is worth."""
    from okrplan.numbers import numbers_for
    from okrplan.present import binding_text, label

    locale, metrics, numbers = plan.locale, plan.metrics, numbers_for(plan.meta)
    lines = []
    split = hire_split_text(plan)
    if split:
        lines.append("  " + split)
    cost = hiring_cost_text(plan)
    if cost:
        lines.append("  " + cost)
    for relaxation in plan.solver.relaxations:
        lines.append(_text(locale, "fix").format(message=relaxation.message))
    levels = plan.solver.levels
    for row in rows:
        quota, per_person, basis = numbers.amounts(
            [row["quota"], row["per_person"], row["basis"] or 0]
        )
        lines.append(
            _text(locale, "group").format(
                role=row["role"],
                n=row["headcount"],
                unit=row["unit"],
                quota_label=label(locale, "quota"),
                quota=quota,
                per_person_label=label(locale, "per_person"),
                per_person=per_person,
                basis=f"{label(locale, 'basis')} {basis}"
                if row["stretch"] is None
                else label(locale, "r_basis_line").format(basis=basis, stretch=row["stretch"]),
            )
        )
        binds = [r for r in row["binding"] if not r.startswith("rounding ")]
        rounding = [r for r in row["binding"] if r.startswith("rounding ")]
        if not binds and rounding and not rounding[0].endswith(" from level"):
            binds, rounding = rounding, []  # held at a bound, then rounded off it
        if binds:
            sep = _text(locale, "sep")
            reasons = sep.join(binding_text(r, metrics, locale, numbers.currency) for r in binds)
            lines.append(_text(locale, "bound").format(reasons=reasons))
        else:
            level = _level_of(levels, row.get("path") or ())
            key = "free" if level is not None else "free_no_level"
            lines.append(_text(locale, key).format(level=level))
        for reason in rounding:
            lines.append(
                _text(locale, "rounded").format(
                    text=binding_text(reason, metrics, locale, numbers.currency)
                )
            )
        lines += _marginal_lines(row, binds, metrics, plan)
    return lines


def _level_of(levels: Mapping[str, Any], path: Sequence[str]) -> Any:
    """The common stretch level of the region holding a group of the unit at ``path``: the
    nearest enclosing unit that has one."""
    for end in range(len(path), 0, -1):
        found = levels.get("/".join(path[:end]))
        if found is not None:
            return round(float(found), 4)
    return None


def _marginal_lines(
    row: Mapping[str, Any], binds: Sequence[str], metrics: Mapping[str, Any], plan: Any
) -> list[str]:
    from okrplan.numbers import numbers_for
    from okrplan.present import money_text, per_text

    locale = plan.locale
    out = []
    for gain in row["marginal"]:
        metric = metrics.get(gain["metric"], {})
        if not gain["adds"] or not any(b.startswith(f"capacity {gain['metric']} ") for b in binds):
            continue
        per = str(gain["per"] or "plan")
        when = (
            _text(locale, "per_plan")
            if per == "plan"
            else _text(locale, "per").format(per=per_text(per, locale))
        )
        lines = _text(locale, "marginal").format(
            per=when,
            unit=metric.get("unit") or "",
            metric=metric.get("name", gain["metric"]),
            adds=money_text(gain["adds"], locale, numbers_for(plan.meta)),
        )
        out.append(lines)
    return out
