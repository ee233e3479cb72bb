"""Words and numbers as a planner reads them, in the plan's locale.

Every renderer and exporter (Markdown, diagrams, sheets, report) formats key results through
these functions so that a target reads the same everywhere: ``550万``, ``71 个/周``, ``100%``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from okrplan.model import KeyResult, KRKind, RoleGroup, TargetKind, Unit
from okrplan.numbers import Numbers, Scale, counted, money_scale, number_text, plural
from okrplan.quantity import Per, format_number, format_percent, per_label

LABELS = {
    "zh-CN": {
        "plan": "全期",
        "target": "目标值",
        "per": "周期",
        "weight": "权重",
        "kr": "关键成果",
        "objective": "目标",
        "no": "序号",
        "headcount": "人数",
        "per_person": "每人",
        "assigned": "下达",
        "status": "求解状态",
        "stretch": "最大拉伸",
        "hires": "新增招聘",
        "lead": "负责人",
        "deduction": "减分项",
        "points_per_case": "每例扣{n}分",
        "sourced": "自拓 {n}",
        "relaxations": "可行化建议",
        "binding": "约束",
        "detail": "目标详细描述",
        "buffer": "每级超额分配",
        "period": "期间",
        "by": "截止",
        "people": "人员",
        "kpi": "KPI",
        "periods": "分期目标",
        "basis": "基准",
        "quota": "任务额",
        # goal-tree diagrams (okrplan.render)
        "total": "合计",
        "each": "每个",
        "ramp": "爬坡",
        "people_count": "{n} 人",
        "units_like": "{name} 等 {n} 个单位",
        "groups": "{n} 组",
        "supplies": "供给{share}的{metric}",
        "conflict": "约束冲突",
        "see": "见建议 {refs}",
        "not_drawn": "未展开：{what}",
        "n_units": "{n} 个单位",
        "n_roles": "{n} 个岗位组",
        "legend": "图例",
        "level_1": "公司",
        "level_n": "第{n}级单位",
        "role": "岗位",
        "edge_drives": "驱动（漏斗转化率）",
        "edge_aligns": "对齐（汇总到上级）",
        "edge_supports": "支持（支持部门供给的份额）",
        "edge_follows": "跟随（固定比例）",
        "folded": "已折叠：{members} 个相同的同级单位或岗位组合并为 {boxes} 个节点",
        "cut": "只画到第 {depth} 层，{what}未画出",
        "cut_auto": "（超过 {max} 个节点）",
        "cut_wide": "（同一层超过 {wide} 个节点）",
        "subtree": "子树",
        "derived_only": "只画出由计划推导的关键成果；手工关键成果见组织视图",
        "status_optimal": "可行",
        "status_feasible": "可行（时限内未证明最优）",
        "status_infeasible": "不可行",
        # per-role OKR sheets (okrplan.export.sheets, okrplan.export.xlsx)
        "sheet_title": "{name}OKR计划表",
        "objective_o": "目标 (O)",
        "krs": "关键成果 (KRs)",
        "kr_weight": "KR权重",
        "o_score": "O分值",
        "unit_col": "单位",
        "scored_target": "考核目标",
        "actual": "实际完成",
        "score": "得分",
        "kr_id": "KR编号",
        "summary": "汇总",
        "score_cap": "KR得分上限",
        "sheet_total": "合计",
        "new_hire_n": "新人{n}",
        "person_n": "{role}{n}",
        "new_hire": "新人",
        "deduction_kr": "{text}（减分项）",
        "money_unit": "万元",
        "people_unit": "人",
        "sheet": "工作表",
        "org_unit": "组织单位",
        "objective_weights": "目标权重",
        "files": "文件",
        "per_person_sheet": "每人",
        "weights_total": "权重合计",
        "points_unit": "分/例",
        "no_workbook": "未生成工作簿：共 {n} 张表，超过 {max} 张；请按单位导出："
        "okrplan export PLAN --unit 单位名",
        "no_sheet_files": "各表的 CSV 和 Markdown 文件也按单位导出；下表列出全部各表。",
        "score_rule": "得分 = 实际完成 ÷ 考核目标（越低越好的关键成果：考核目标 ÷ 实际完成），"
        "封顶于KR得分上限；O分值 = Σ KR权重 × 得分 × 100 − 减分项"
        "（例数 × 每例扣分）；合计 = Σ O分值。"
        "考核目标是全期合计（派生的关键成果）、每期目标 × 期数（按期填写的手工关键成果，"
        "比率除外）或目标值本身。",
        "sheet_note": "在“实际完成”列填写全期累计的实际值（金额以{money}为单位），"
        "得分和O分值会自动计算。",
    },
    "en": {
        "plan": "plan",
        "target": "Target",
        "per": "Per",
        "weight": "Weight",
        "kr": "Key result",
        "objective": "Objective",
        "no": "#",
        "headcount": "Headcount",
        "per_person": "per person",
        "assigned": "assigned",
        "status": "Solver status",
        "stretch": "largest stretch",
        "hires": "New hires",
        "lead": "Lead",
        "deduction": "deduction",
        "points_per_case": "-{n} points per case",
        "sourced": "self-sourced {n}",
        "relaxations": "What would make it feasible",
        "binding": "Binding",
        "detail": "Detail",
        "buffer": "buffer per level",
        "period": "Period",
        "by": "due",
        "people": "People",
        "kpi": "KPI",
        "periods": "Per period",
        "basis": "basis",
        "quota": "quota",
        # goal-tree diagrams (okrplan.render)
        "total": "total",
        "each": "each",
        "ramp": "ramp",
        "people_count": "{n} people",
        "units_like": "{n} units like {name}",
        "groups": "{n} groups",
        "supplies": "supplies {share} of {metric}",
        "conflict": "conflict",
        "see": "see {refs}",
        "not_drawn": "not drawn: {what}",
        "n_units": "{n} units",
        "n_roles": "{n} role groups",
        "legend": "Legend",
        "level_1": "Company",
        "level_n": "Level {n} unit",
        "role": "Role",
        "edge_drives": "drives (funnel conversion)",
        "edge_aligns": "aligns (rolls up)",
        "edge_supports": "supports (share a support unit supplies)",
        "edge_follows": "follows (a fixed share)",
        "folded": "folded: {members} identical sibling units or role groups drawn as {boxes} nodes",
        "cut": "drawn to level {depth}; {what} below not drawn",
        "cut_auto": " (over {max} nodes)",
        "cut_wide": " (over {wide} nodes side by side)",
        "subtree": "subtree",
        "derived_only": "only key results the plan derives; manual ones are in the org view",
        "status_optimal": "feasible",
        "status_feasible": "feasible (not proven best within the time limit)",
        "status_infeasible": "infeasible",
        # per-role OKR sheets (okrplan.export.sheets, okrplan.export.xlsx)
        "sheet_title": "OKR plan: {name}",
        "objective_o": "Objective (O)",
        "krs": "Key results (KRs)",
        "kr_weight": "KR weight",
        "o_score": "O score",
        "unit_col": "Unit",
        "scored_target": "Scored against",
        "actual": "Actual",
        "score": "Score",
        "kr_id": "KR id",
        "summary": "Summary",
        "score_cap": "KR score cap",
        "sheet_total": "Total",
        "new_hire_n": "New hire {n}",
        "person_n": "{role} {n}",
        "new_hire": "new hire",
        "deduction_kr": "{text} (deduction)",
        "money_unit": "{currency}",
        "people_unit": "people",
        "sheet": "Sheet",
        "org_unit": "Unit",
        "objective_weights": "Objective weights",
        "files": "Files",
        "per_person_sheet": "per person",
        "weights_total": "Weights",
        "points_unit": "pts/case",
        "no_workbook": "No workbook: {n} sheets are more than {max}; export one per unit with "
        "okrplan export PLAN --unit NAME",
        "no_sheet_files": "The CSV and Markdown file of each sheet are exported per unit too; "
        "the table below lists every sheet.",
        "score_rule": "Score = actual ÷ scored-against value (for key results where less is "
        "better: that value ÷ actual), capped at the KR score cap; O score = Σ KR "
        "weight × score × 100 − deductions (cases × points per case); total = Σ O "
        "scores. The scored-against value is the plan total (derived key results), the "
        "target per period × the periods (manual key results written per period, rates "
        "excepted) or the target itself.",
        "sheet_note": "Type the actual for the plan to date in the Actual column (money in "
        "{money}); scores and O scores recalculate.",
    },
}


def label(locale: str, key: str) -> str:
    return LABELS["en" if locale.startswith("en") else "zh-CN"][key]


def status_text(status: str, locale: str) -> str:
    """The solver's status in the plan's language: ``可行``, ``feasible``.

    >>> status_text("optimal", "zh-CN"), status_text("infeasible", "en"), status_text("?", "en")
    ('可行', 'infeasible', '?')
    """
    if status in ("optimal", "feasible", "infeasible"):
        return label(locale, f"status_{status}")
    return status


def summary_lines(
    plan: Any, where: str, names: list[str], hires: list[tuple[int, str, str]]
) -> list[str]:
    """What ``okrplan decompose`` says when it has written a plan, in the plan's language:
    the files, the status and largest stretch, each hire and how the hires split.

    >>> from types import SimpleNamespace as NS
    >>> from okrplan.model import SolverReport, Status
    >>> report = SolverReport(Status.OPTIMAL, 1.0, (), (), (), {}, {})
    >>> plan = NS(locale="zh-CN", solver=report, meta={})
    >>> summary_lines(plan, "out/", ["plan.md"], [(3, "销售岗", "销售部")])
    ['已写入 out/（plan.md）：可行，最大拉伸 1.0', '  招聘 3 名销售岗（销售部）']
    >>> report = SolverReport(Status.OPTIMAL, 0.42, (), (), (), {}, {})
    >>> plan = NS(locale="en", solver=report, meta={})
    >>> summary_lines(plan, "out/", ["plan.md"], [(1, "AE", "West")])
    ['wrote out/ (plan.md): feasible, largest stretch 0.42', '  hire 1 AE in West']
    """
    from okrplan.explain import hire_split_text

    locale, solver = plan.locale, plan.solver
    status = status_text(str(solver.status), locale)
    files = ", ".join(names)
    if locale.startswith("en"):
        lines = [f"wrote {where} ({files}): {status}, largest stretch {solver.stretch}"]
        lines += [f"  hire {count} {role} in {unit}" for count, role, unit in hires]
    else:
        lines = [f"已写入 {where}（{files}）：{status}，最大拉伸 {solver.stretch}"]
        lines += [f"  招聘 {count} 名{role}（{unit}）" for count, role, unit in hires]
    split = hire_split_text(plan) if hires else None
    if split:
        lines.append(f"  {split}")
    return lines


_ENTRY = re.compile(r" \((\d+)\)")
_COHORT = re.compile(r"(?:@(\d{4}-\d{2}))?(?:~(\d{4}-\d{2}))?$")
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def ramp_text(ramp: Sequence[float | int | Decimal]) -> str:
    """The one way a ramp is shown: its steps as typed, ``25% → 50% → 75% → 100%``, from the
    per-month ramp of a group (months before someone starts are left out); '' when everyone
    works at full speed.

    >>> ramp_text([0, 0, 0.1, 0.3, 0.6, 1, 1]), ramp_text([1, 1])
    ('10% → 30% → 60% → 100%', '')
    """
    steps: list[Decimal] = []
    for value in ramp:
        number = Decimal(str(value))
        if number and (not steps or steps[-1] != number):
            steps.append(number)
    if not steps or all(v >= 1 for v in steps):
        return ""
    return " → ".join(format_percent(v) for v in steps)


def sheet_title(name: str, locale: str) -> str:
    """``销售岗OKR计划表``; a name ending in Latin letters or digits keeps a space before OKR:
    ``销售开发SDR OKR计划表``.

    >>> sheet_title("销售开发SDR", "zh-CN"), sheet_title("销售岗", "zh-CN")
    ('销售开发SDR OKR计划表', '销售岗OKR计划表')
    """
    text = label(locale, "sheet_title")
    if not locale.startswith("en") and name[-1:].isascii() and name[-1:].isalnum():
        text = text.replace("{name}OKR", "{name} OKR")
    return text.format(name=name)


def group_title(role: RoleGroup, locale: str) -> str:
    """A role group as a planner reads it: the role, then how its cohort differs from the
    rest (``销售岗 · 3月入职``, ``销售岗 · 新招``, ``Sales rep · joins Mar``), instead of the
    group's key (``销售岗 (2026-03)``, ``销售岗 (招聘)``). A second entry of the same role in a
    unit is told apart by its number, in words: ``销售岗 · 第2组 · 3月入职``,
    ``Sales rep · group 2`` (``销售岗 (2) × 3`` would read as 2 × 3 people).

    >>> from okrplan.model import node_from_json
    >>> def group(gid, label, new=False):
    ...     return node_from_json({"kind": "role", "id": gid, "name": "销售岗", "label": label,
    ...         "path": ["A"], "headcount": 1, "people": [], "new_hires": new, "sells": None,
    ...         "capacity": {}})
    >>> group_title(group("r:A/销售岗 (2)@2026-03", "销售岗 (2) (2026-03)"), "zh-CN")
    '销售岗 · 第2组 · 3月入职'
    >>> group_title(group("r:A/销售岗 (2)", "销售岗 (2)"), "en")
    '销售岗 · group 2'
    >>> group_title(group("r:A/销售岗+hires", "销售岗 (招聘)", True), "en")
    '销售岗 · new hires'
    >>> group_title(group("r:A/销售岗@2026-03~2026-09", "销售岗 (2026-03–2026-09)"), "en")
    '销售岗 · joins Mar · leaves Sep'
    >>> group_title(group("r:A/销售岗", "销售岗"), "zh-CN")
    '销售岗'
    """
    english = locale.startswith("en")
    base = role.name
    entry = _ENTRY.match(role.label, len(role.name)) if role.label.startswith(role.name) else None
    parts = []
    if entry:  # "销售岗 (2) × 3" would read as 2 × 3: the entry is a group, said in words
        parts.append(f"group {entry.group(1)}" if english else f"第{entry.group(1)}组")
    if role.new_hires or role.id.endswith("+hires"):
        parts.append("new hires" if english else "新招")
    else:
        found = _COHORT.search(role.id)
        joined, left = found.groups() if found else (None, None)
        for month, zh, en in ((joined, "{m}入职", "joins {m}"), (left, "{m}离职", "leaves {m}")):
            if month:
                number = int(month[5:7])
                text = (
                    en.format(m=_MONTHS_EN[number - 1]) if english else zh.format(m=f"{number}月")
                )
                parts.append(text)
    if not parts:
        return role.label or role.name
    return " · ".join([base, *parts])


def people_text(n: int | float | Decimal, locale: str) -> str:
    """``3 人``; ``1 person``, ``3 people``.

    >>> people_text(1, "en"), people_text(3, "en"), people_text(1, "zh-CN")
    ('1 person', '3 people', '1 人')
    """
    if locale.startswith("en"):
        return counted(n, "person", "people")
    return label(locale, "people_count").format(n=number_text(n))


def per_text(per: str, locale: str) -> str:
    """``week`` → ``周``/``week``; ``plan`` → ``全期``/``plan``."""
    if per == "plan":
        return label(locale, "plan")
    return per_label(Per(per), locale)


def money_text(
    value: float | int | Decimal,
    locale: str,
    numbers: Numbers | None = None,
    scale: Scale | None = None,
) -> str:
    """An amount through the plan's formatter (:mod:`okrplan.numbers`): ``550万``, ``$530k``.

    >>> money_text(129_600_000, "zh-CN"), money_text(132_000_000, "zh-CN")
    ('12,960万', '1.32亿')
    """
    return (numbers or Numbers(locale)).money(value, scale)


def pass_down_text(unit: Unit, locale: str, numbers: Numbers | None = None) -> str | None:
    """What a unit passes down to its children and how far above its own target:
    ``下达 9,680万 (+10%)``; None for a unit that does not sell.

    >>> from okrplan.model import Level
    >>> u = Unit("u:A", "A", ("A",), "", Level.UNIT, target=4_800_000, assigned=5_200_000)
    >>> pass_down_text(u, "zh-CN")
    '下达 520万 (+8.3%)'
    """
    if unit.assigned is None:
        return None
    scale = money_scale([unit.target, unit.assigned], locale, (numbers or Numbers(locale)).step)
    text = f"{label(locale, 'assigned')} {money_text(unit.assigned, locale, numbers, scale)}"
    if unit.target:
        ratio = Decimal(str(unit.assigned)) / Decimal(str(unit.target)) - 1
        percent = format_percent(ratio.quantize(Decimal("0.001")), locale)
        text += f" ({'+' if ratio >= 0 else '-'}{percent})"
    return text


def unit_money_text(unit: Unit, locale: str, numbers: Numbers | None = None) -> str:
    """A unit's target and what it passes down, in one unit: ``1.2亿, 下达 1.32亿 (+10%)``,
    ``12,000万, 下达 12,960万 (+8%)``; empty for a unit without a target.

    >>> from okrplan.model import Level
    >>> u = Unit("u:A", "A", ("A",), "", Level.UNIT, target=120_000_000, assigned=129_600_000)
    >>> unit_money_text(u, "zh-CN")
    '12,000万, 下达 12,960万 (+8%)'
    """
    if unit.target is None:
        return ""
    scale = money_scale([unit.target, unit.assigned], locale, (numbers or Numbers(locale)).step)
    text = money_text(unit.target, locale, numbers, scale)
    passed = pass_down_text(unit, locale, numbers)
    return f"{text}, {passed}" if passed else text


def kr_target_text(
    kr: KeyResult, locale: str, numbers: Numbers | None = None, scale: Scale | None = None
) -> str:
    """The headline target of a KR: ``550万``, ``71 个/周``, ``100%``, ``-5 points``; where
    support units supply part of it, with the part the owner sources: ``40 个/月 (自拓 24)``.
    ``scale`` is the unit of the column the amount stands in."""
    return _target_text(kr, locale, numbers, scale) + sourced_text(kr, locale, numbers)


def sourced_text(kr: KeyResult, locale: str, numbers: Numbers | None = None) -> str:
    """`` (自拓 24)``: the self-sourced part of a KR's headline, where support units supply
    the rest; else empty. Per period it is the headline × the self-sourced share of the plan
    total, to the nearest whole (the headline is already rounded up once).

    >>> from okrplan.model import node_from_json
    >>> base = dict(id="k", name="KR", owner="u", objective="o", kr_kind="derived",
    ...             metric="m", text=None, per="month", target_kind="number", periods={},
    ...             weight=None, fixed_weight=False, direction="increase", deduction=None,
    ...             due=None, unit="个", money=False, target=40, total=480)
    >>> sourced_text(node_from_json({"kind": "kr", **base, "sourced": 288}), "zh-CN")  # 40×0.6
    ' (自拓 24)'
    >>> sourced_text(node_from_json({"kind": "kr", **base, "sourced": 340}), "en")  # 28.33
    ' (self-sourced 28)'
    """
    if kr.sourced is None or kr.target is None:
        return ""
    value = Decimal(str(kr.sourced))
    if kr.per != "plan" and kr.total:
        value = Decimal(str(kr.target)) * value / Decimal(str(kr.total))
        if not kr.money:
            value = value.to_integral_value(rounding=ROUND_HALF_UP)
    text = money_text(value, locale, numbers) if kr.money else format_number(value, locale)
    return f" ({label(locale, 'sourced').format(n=text)})"


def _target_text(
    kr: KeyResult, locale: str, numbers: Numbers | None = None, scale: Scale | None = None
) -> str:
    if kr.kr_kind is KRKind.DEDUCTION:
        return label(locale, "points_per_case").format(n=_plain(kr.deduction))
    target = kr.target
    if target is None:
        return ""
    if kr.target_kind is TargetKind.PERCENT:
        return format_percent(Decimal(str(target)), locale)
    if kr.money:
        text = money_text(target, locale, numbers, scale)
    else:
        text = format_number(Decimal(str(target)), locale)
    unit = kr.unit or ""
    if unit and not kr.money and locale.startswith("en"):
        unit = plural(unit, target)
    if kr.target_per:
        return f"{text}{unit}/{per_label(Per(str(kr.target_per)), locale)}"
    if kr.per != "plan" and not kr.money:
        sep = " " if unit else ""
        return f"{text}{sep}{unit}/{per_text(str(kr.per), locale)}"
    return f"{text}{(' ' if locale.startswith('en') and unit else '')}{unit}"


def period_value_text(
    kr: KeyResult, value: float | int, locale: str, numbers: Numbers | None = None
) -> str:
    """One period's target of a KR: money as money, anything else as a number."""
    if kr.money:
        return money_text(value, locale, numbers)
    return format_number(Decimal(str(value)), locale)


def weight_text(weight: float | int | None) -> str:
    return "" if weight is None else f"{_plain(weight)}%"


def _plain(value: Any) -> str:
    if value is None:
        return ""
    number = Decimal(str(value))
    return format(number.normalize(), "f") if number % 1 else str(int(number))


def kr_cadence_text(kr: KeyResult, locale: str, numbers: Numbers | None = None) -> str:
    """The target with its period when the target alone does not say it: ``100%/周``.

    >>> from okrplan.model import node_from_json
    >>> def kr(**fields):
    ...     base = dict(id="k", name="KR", owner="u", objective="o", kr_kind="derived",
    ...                 metric="m", text=None, per="week", target_kind="number", periods={},
    ...                 weight=None, fixed_weight=False, direction="increase", deduction=None,
    ...                 due=None, unit=None, money=False)
    ...     return node_from_json({"kind": "kr", **base, **fields})
    >>> kr_cadence_text(kr(target=1, target_kind="percent"), "zh-CN")
    '100%/周'
    >>> kr_cadence_text(kr(target=71, unit="个"), "zh-CN")
    '71 个/周'
    """
    text = _target_text(kr, locale, numbers)
    per = str(kr.per)
    sourced = sourced_text(kr, locale, numbers)
    if per == "plan" or not text or "/" in text or kr.kr_kind is KRKind.DEDUCTION:
        return text + sourced
    return f"{text}/{per_text(per, locale)}{sourced}"


def span_text(low: str, high: str) -> str:
    """Two formatted values as a range, the shared unit written once.

    >>> span_text("240万", "550万"), span_text("31 个/周", "71 个/周"), span_text("5%", "5%")
    ('240–550万', '31–71 个/周', '5%')
    """
    if low == high:
        return low
    common = 0
    while common < min(len(low), len(high)) and low[-1 - common] == high[-1 - common]:
        common += 1
    suffix = low[len(low) - common :] if common else ""
    while suffix and (suffix[0].isdigit() or suffix[0] in ".,"):
        suffix = suffix[1:]
    return f"{low[: len(low) - len(suffix)]}–{high[: len(high) - len(suffix)]}{suffix}"


# ---------------------------------------------------------------------------------------------
# The HTML report (okrplan.export.report)

_REPORT_LABELS = {
    "zh-CN": {
        "r_tree": "目标树",
        "r_outline": "组织大纲",
        "r_sheets": "各单位与岗位的OKR",
        "r_optimizer": "优化器的说明",
        "r_search": "按名称搜索单位、岗位、人员或关键成果…",
        "r_search_label": "搜索",
        "r_shown": "显示 {shown} / {total} 张表",
        "r_no_match": "没有名称匹配的单位或岗位。",
        "r_zoom_in": "放大",
        "r_zoom_out": "缩小",
        "r_zoom_fit": "适应窗口",
        "r_zoom_hint": "滚轮缩放，拖动平移，点击方框查看其OKR表",
        "r_no_tree": "目标树未画出：{problem}",
        "r_not_asked": "未要求绘制图片",
        "r_funnel": "漏斗：从任务额倒推到过程指标（每人，全期合计）",
        "r_phasing": "按月分期（每人）",
        "r_phasing_week": "按周分期（每人）",
        "r_per_week": "每周",
        "r_stretch": "各单位与岗位的拉伸（任务额 ÷ 基准）",
        "r_stretch_ref": "1.0 = 任务额等于基准",
        "r_stretch_note": "橙色：计划中最大的拉伸",
        "r_binding": "起约束作用的条件",
        "r_no_binding": "没有起约束作用的条件。",
        "r_hires": "优化器新增的招聘",
        "r_no_hires": "无需新增招聘。",
        "r_infeasible": "目标无法完成",
        "r_infeasible_lead": "以下约束互相冲突。任意一项调整即可使计划可行：",
        "r_conflict": "冲突的约束",
        "r_change": "调整",
        "r_current": "当前",
        "r_needed": "需要",
        "r_kind": "类型",
        "r_subject": "对象",
        "r_why": "为什么是这些数",
        "r_derived": "推算",
        "r_sqrt_note": "条宽按数量的平方根绘制",
        "r_month_sum": "月合计",
        "r_per_month": "每月",
        "r_per_quarter": "每季度",
        "r_each": "每个 {value}",
        "r_o_max": "满分 {n}",
        "r_role_group": "岗位组",
        "r_count": "人数",
        "r_due": "到岗",
        "r_constraint": "约束",
        "r_common": "不受单独约束：与其他岗位处于同一拉伸水平",
        "r_marginal": "每人{per}多 1 {unit}{metric}，可多完成 {adds}",
        "r_basis_line": "基准 {basis}，拉伸 {stretch}",
        "r_made_by": "由 okrplan {version} 生成",
        "r_show_tree": "在目标树中定位",
        "r_to_sheet": "OKR表",
        "r_people_list": "人员：{names}",
        "r_kind_capacity": "产能",
        "r_kind_hire": "招聘",
        "r_kind_target": "目标",
        "r_kind_bounds": "份额范围",
        "r_kind_fixed": "固定任务额",
        "r_binding_capacity": "产能 {metric} {capacity}（{span}）",
        "r_binding_max": "份额上限",
        "r_binding_min": "份额下限",
        "r_binding_fixed": "固定任务额",
        "r_binding_support": "支持部门产能 {metric} {capacity}",
        "r_binding_support_over": "支持部门产能 {metric} {capacity} 不足（{span}），招聘来不及补上",
        "r_binding_rounding": "取整：每人{delta}（相对{reference}）",
        "r_from_level": "共同拉伸水平",
        "r_from_capacity": "产能上限",
        "r_from_bounds.min": "份额下限",
        "r_from_bounds.max": "份额上限",
        "r_quota_total": "合计 {total}",
        "r_people_n": "{n} 人",
        "r_scope": "本组织共有 {units} 个单位、{groups} 个岗位组；本页列出上 {levels} 层的 {shown} "
        "张OKR表。全部OKR表见 sheets/index.md；查看某个单位的全部：",
        "r_more": "下属还有 {units} 个单位、{groups} 个岗位组",
    },
    "en": {
        "r_tree": "Goal tree",
        "r_outline": "Outline",
        "r_sheets": "OKRs of every unit and role",
        "r_optimizer": "What the optimizer did",
        "r_search": "Search units, roles, people or key results by name…",
        "r_search_label": "Search",
        "r_shown": "{shown} of {total} sheets shown",
        "r_no_match": "No unit or role matches.",
        "r_zoom_in": "Zoom in",
        "r_zoom_out": "Zoom out",
        "r_zoom_fit": "Fit",
        "r_zoom_hint": "Scroll to zoom, drag to pan, click a box for its OKR sheet",
        "r_no_tree": "The goal tree is not drawn: {problem}",
        "r_not_asked": "no images were asked for",
        "r_funnel": "Funnel: from the quota back to the activities (per person, whole plan)",
        "r_phasing": "Phasing by month (per person)",
        "r_phasing_week": "Phasing by week (per person)",
        "r_per_week": "per week",
        "r_stretch": "Stretch per unit and role (quota ÷ basis)",
        "r_stretch_ref": "1.0 = quota equals basis",
        "r_stretch_note": "orange: the plan's largest stretch",
        "r_binding": "Binding constraints",
        "r_no_binding": "Nothing binds.",
        "r_hires": "Hires the optimizer added",
        "r_no_hires": "No hires needed.",
        "r_infeasible": "The target cannot be met",
        "r_infeasible_lead": "These constraints conflict. Any one of these changes makes the "
        "plan feasible:",
        "r_conflict": "Conflicting constraints",
        "r_change": "Change",
        "r_current": "Now",
        "r_needed": "Needed",
        "r_kind": "Kind",
        "r_subject": "Where",
        "r_why": "Why these numbers",
        "r_derived": "derived",
        "r_sqrt_note": "bar width ∝ √count",
        "r_month_sum": "monthly total",
        "r_per_month": "per month",
        "r_per_quarter": "per quarter",
        "r_each": "{value} each",
        "r_o_max": "max {n}",
        "r_role_group": "Role group",
        "r_count": "Hires",
        "r_due": "On board by",
        "r_constraint": "Constraint",
        "r_common": "nothing binds it alone: it carries the common stretch level",
        "r_marginal": "one more {metric} {per} per person adds {adds}",
        "r_basis_line": "basis {basis}, stretch {stretch}",
        "r_made_by": "Made with okrplan {version}",
        "r_show_tree": "Show in the goal tree",
        "r_to_sheet": "OKR sheet",
        "r_people_list": "People: {names}",
        "r_kind_capacity": "capacity",
        "r_kind_hire": "hire",
        "r_kind_target": "target",
        "r_kind_bounds": "share bounds",
        "r_kind_fixed": "fixed quota",
        "r_binding_capacity": "capacity {metric} {capacity} ({span})",
        "r_binding_max": "upper bound of its share",
        "r_binding_min": "lower bound of its share",
        "r_binding_fixed": "fixed quota",
        "r_binding_support": "support capacity {metric} {capacity}",
        "r_binding_support_over": "support capacity {metric} {capacity} exceeded ({span}); "
        "hires cannot close it in time",
        "r_binding_rounding": "rounding: {delta} per person against {reference}",
        "r_from_level": "the common stretch level",
        "r_from_capacity": "capacity",
        "r_from_bounds.min": "the lower bound of its share",
        "r_from_bounds.max": "the upper bound of its share",
        "r_quota_total": "total {total}",
        "r_people_n": "{n} people",
        "r_scope": "This organisation has {units} units and {groups} role groups; this page "
        "shows the {shown} OKR sheets of its top {levels} levels. Every sheet is "
        "listed in sheets/index.md; one unit in full:",
        "r_more": "{units} more units and {groups} role groups below",
    },
}
for _locale, _labels in _REPORT_LABELS.items():
    LABELS[_locale].update(_labels)


def binding_text(reason: str, metrics: dict[str, dict[str, Any]], locale: str) -> str:
    """A solver's binding reason as a planner reads it.

    >>> m = {"calls": {"name": "有效电话"}}
    >>> binding_text("capacity calls 100/周 in 2015-11", m, "zh-CN")
    '产能 有效电话 100/周（2015-11）'
    >>> binding_text("bounds.max", m, "en"), binding_text("something new", m, "en")
    ('upper bound of its share', 'something new')
    >>> binding_text("rounding -79592 from capacity", m, "zh-CN")
    '取整：每人-7.96万（相对产能上限）'
    >>> binding_text("rounding +142956 from level", m, "en")
    'rounding: +143k per person against the common stretch level'
    """
    import re

    simple = {
        "bounds.max": "r_binding_max",
        "bounds.min": "r_binding_min",
        "fixed quota": "r_binding_fixed",
    }
    if reason in simple:
        return label(locale, simple[reason])
    found = re.fullmatch(r"capacity (\S+) (\S+) in (\S+)", reason)
    if found:
        metric, capacity, span = found.groups()
        name = metrics.get(metric, {}).get("name", metric)
        return label(locale, "r_binding_capacity").format(
            metric=name, capacity=capacity, span=span.replace("..", "–")
        )
    found = re.fullmatch(
        r"rounding ([+-]\d+) from (level|capacity|bounds\.min|bounds\.max)", reason
    )
    if found:
        delta, source = int(found.group(1)), found.group(2)
        # what rounding moved is less than one rounding step by definition: to 100 yuan
        shown = money_text(delta, locale, Numbers(locale, step=Decimal(100)))
        return label(locale, "r_binding_rounding").format(
            delta=shown if delta < 0 else "+" + shown, reference=label(locale, f"r_from_{source}")
        )
    found = re.fullmatch(r"over capacity (\S+) (\S+) in (\S+) \(support\)", reason)
    if found:  # a support role's window that even the hires cannot bring within capacity
        metric, capacity, span = found.groups()
        name = metrics.get(metric, {}).get("name", metric)
        return label(locale, "r_binding_support_over").format(
            metric=name, capacity=capacity, span=span.replace("..", "–")
        )
    found = re.fullmatch(r"capacity (\S+) (\S+) \(support\)", reason)
    if found:
        metric, capacity = found.groups()
        name = metrics.get(metric, {}).get("name", metric)
        return label(locale, "r_binding_support").format(metric=name, capacity=capacity)
    return reason
