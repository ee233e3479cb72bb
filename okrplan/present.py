"""Words and numbers as a planner reads them, in the plan's locale.

Every renderer and exporter (Markdown, diagrams, sheets, report) formats key results through
these functions so that a target reads the same everywhere: ``550万``, ``71 个/周``, ``100%``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from okrplan.model import KeyResult, KRKind, RoleGroup, TargetKind, Unit
from okrplan.numbers import Numbers, Scale, counted, money_scale, number_text, plural
from okrplan.quantity import Per, format_number, format_percent, per_label
from okrplan.wording import LABELS as LABELS  # re-exported: callers read it here
from okrplan.wording import label as label


def status_text(status: str, locale: str) -> str:
    """The solver's status in the plan's language: ``可行``, ``feasible``.

    >>> status_text("optimal", "zh-CN"), status_text("infeasible", "en"), status_text("?", "en")
    ('可行', 'infeasible', '?')
    """
    if status in ("optimal", "feasible", "infeasible"):
        return label(locale, f"status_{status}")
    return status


_ENTRY = re.compile(r" \((\d+)\)")
_COHORT = re.compile(r"(?:@(\d{4}-\d{2}))?(?:~(\d{4}-\d{2}))?$")
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def wrote_text(path: object, locale: str) -> str:
    """The line a command prints for a file it wrote: ``已写入 x.md``, ``wrote x.md``.

    >>> wrote_text("r.md", "zh-CN"), wrote_text("r.md", "en")
    ('已写入 r.md', 'wrote r.md')
    """
    return label(locale, "wrote").format(path=path)


def wrote_files_text(count: int, folder: object, locale: str) -> str:
    """The line for several files written into a folder.

    >>> wrote_files_text(50, "out", "zh-CN")
    '已写入 50 个文件到 out'
    >>> wrote_files_text(50, "out", "en"), wrote_files_text(1, "out", "en")
    ('wrote 50 files to out', 'wrote 1 file to out')
    """
    files = plural("file", count)
    return label(locale, "wrote_files").format(n=count, files=files, folder=folder)


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


@functools.cache  # a roster's plan.md asks 34,000 times; Per(...) is most of a target's text
def per_text(per: str, locale: str) -> str:
    """``week`` → ``周``/``week``; ``plan`` → ``全期``/``plan``."""
    return label(locale, "plan") if per == "plan" else per_label(Per(per), locale)


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


def pass_down_text(
    unit: Unit, locale: str, numbers: Numbers | None = None, scale: Scale | None = None
) -> str | None:
    """What a unit passes down to its children and how far above its own target:
    ``下达 9,680万 (+10%)``; None for a unit that does not sell. ``scale`` is the unit of its
    target and what it passes down (:func:`money_scale` of the two, worked out if not given).

    >>> from okrplan.model import Level
    >>> u = Unit("u:A", "A", ("A",), "", Level.UNIT, target=4_800_000, assigned=5_200_000)
    >>> pass_down_text(u, "zh-CN")
    '下达 520万 (+8.3%)'
    """
    if unit.assigned is None:
        return None
    if scale is None:
        step = (numbers or Numbers(locale)).step
        scale = money_scale([unit.target, unit.assigned], locale, step)
    text = f"{label(locale, 'assigned')} {money_text(unit.assigned, locale, numbers, scale)}"
    if unit.target:
        ratio = Decimal(str(unit.assigned)) / Decimal(str(unit.target)) - 1
        text += _above(ratio.quantize(Decimal("0.001")), ratio >= 0, locale)
    return text


@functools.lru_cache(maxsize=1024)  # 6,500 units at 100,000 people pass down a few ratios
def _above(ratio: Decimal, up: bool, locale: str) -> str:
    """`` (+10%)``: how far above (``up``) or below its target a unit passes down."""
    return f" ({'+' if up else '-'}{format_percent(ratio, locale)})"


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
    passed = pass_down_text(unit, locale, numbers, scale)
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
    text = money_text(value, locale, numbers) if kr.money else count_text(value, locale)
    return f" ({label(locale, 'sourced').format(n=text)})"


def count_text(value: Decimal | int | float, locale: str) -> str:
    """:func:`okrplan.quantity.format_number` of a count: a whole one below 10,000 (no 万 or
    k for it in either language) is its digits with thousands separators, made without
    decimals (a roster's plan.md writes 60,000 different counts).

    >>> count_text(9_999, "zh-CN"), count_text(-40, "en"), count_text(12_000, "zh-CN")
    ('9,999', '-40', '1.2万')
    >>> count_text(Decimal("24"), "zh-CN"), count_text(2.5, "en")
    ('24', '2.5')
    """
    if type(value) is int and -10_000 < value < 10_000:
        return f"{value:,}"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number.is_finite() and number == number.to_integral_value() and abs(number) < 10_000:
        return f"{int(number):,}"
    return format_number(number, locale)


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
    text = money_text(target, locale, numbers, scale) if kr.money else count_text(target, locale)
    unit = kr.unit or ""
    if unit and not kr.money and locale.startswith("en"):
        unit = plural(unit, target)
    if kr.target_per:
        return f"{text}{unit}/{per_label(Per(str(kr.target_per)), locale)}"
    if kr.per != "plan" and not kr.money:
        sep = " " if unit else ""
        return f"{text}{sep}{unit}/{per_text(str(kr.per), locale)}"
    return f"{text}{(' ' if locale.startswith('en') and unit else '')}{unit}"


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


def binding_text(
    reason: str, metrics: dict[str, dict[str, Any]], locale: str, currency: str = ""
) -> str:
    """A solver's binding reason as a planner reads it (an English amount carries the
    ``currency``'s symbol when it is given).

    >>> m = {"calls": {"name": "有效电话"}}
    >>> binding_text("capacity calls 100/周 in 2015-11", m, "zh-CN")
    '产能 有效电话 100/周（2015-11）'
    >>> binding_text("bounds.max", m, "en"), binding_text("something new", m, "en")
    ('upper bound of its share', 'something new')
    >>> binding_text("rounding -79592 from capacity", m, "zh-CN")
    '取整：每人-7.96万（相对产能上限）'
    >>> binding_text("rounding +142956 from level", m, "en")
    'rounding: +143k per person against the common stretch level'
    >>> binding_text("rounding -60700 from level", m, "en", "CNY")
    'rounding: -¥60.7k per person against the common stretch level'
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
            metric=name, capacity=_per_in(capacity, locale), span=span.replace("..", "–")
        )
    found = re.fullmatch(
        r"rounding ([+-]\d+) from (level|capacity|bounds\.min|bounds\.max)", reason
    )
    if found:
        delta, source = int(found.group(1)), found.group(2)
        # what rounding moved is less than one rounding step by definition: to 100 yuan
        shown = money_text(delta, locale, Numbers(locale, currency, step=Decimal(100)))
        return label(locale, "r_binding_rounding").format(
            delta=shown if delta < 0 else "+" + shown, reference=label(locale, f"r_from_{source}")
        )
    found = re.fullmatch(r"over capacity (\S+) (\S+) in (\S+) \(support\)", reason)
    if found:  # a support role's window that even the hires cannot bring within capacity
        metric, capacity, span = found.groups()
        name = metrics.get(metric, {}).get("name", metric)
        return label(locale, "r_binding_support_over").format(
            metric=name, capacity=_per_in(capacity, locale), span=span.replace("..", "–")
        )
    found = re.fullmatch(r"capacity (\S+) (\S+) \(support\)", reason)
    if found:
        metric, capacity = found.groups()
        name = metrics.get(metric, {}).get("name", metric)
        return label(locale, "r_binding_support").format(
            metric=name, capacity=_per_in(capacity, locale)
        )
    return reason


def _per_in(capacity: str, locale: str) -> str:
    """A capacity from a binding reason (``100/周``, as the solver records it in plan.json)
    with its period in the plan's language: ``100/week`` in an English plan.

    >>> _per_in("100/周", "en"), _per_in("50/季度", "en"), _per_in("100/周", "zh-CN")
    ('100/week', '50/quarter', '100/周')
    >>> _per_in("100/week", "zh-CN"), _per_in("100", "en")
    ('100/周', '100')
    """
    amount, slash, per = capacity.rpartition("/")
    if not slash:
        return capacity
    for p in Per:
        if per in (per_label(p, "zh-CN"), per_label(p, "en")):
            return f"{amount}/{per_label(p, locale)}"
    return capacity
