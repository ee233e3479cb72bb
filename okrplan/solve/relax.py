"""What would make an infeasible plan feasible: at most five ranked fixes per region.

The plan already uses every hire the target file allows; each fix is then one change (or, said
as one, the allowed hires plus one change) that makes the region's target reachable on its own:
raise one capacity for every role that has it (by at most 50%), let one role hire more, a smaller
buffer per level, or a lower target. Fixes are ranked by how large a change they are relative to
what they change; the records are structured and their sentences are made in
:mod:`okrplan.explain`, in the plan's locale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from okrplan.explain import relaxation_message
from okrplan.planmeta import Relaxation
from okrplan.quantity import format_number
from okrplan.solve.groups import Group, role_id
from okrplan.solve.regions import Region, lower, upper
from okrplan.spec import Spec

MAX_FIXES = 5
"""Fixes offered per region that cannot reach its target."""

MAX_CAPACITY_CHANGE = Fraction(3, 2)
"""The largest capacity change offered: 50% more of one capacity."""

_ORDER = ("capacity", "hire", "buffer", "target")  # ties: the change that keeps the KPI first


def relaxation(
    locale: str, kind: str, owner: str, quantity: str, current: str, needed: str, **facts: str
) -> Relaxation:
    """A relaxation record with its sentence (:func:`okrplan.explain.relaxation_message`)."""
    message = relaxation_message(kind, quantity, current, needed, facts, locale)
    return Relaxation(
        kind=kind,
        owner=owner,
        quantity=quantity,
        current=current,
        needed=needed,
        message=message,
    )


def explain_conflict(spec: Spec, regions: Sequence[Region]) -> list[Relaxation]:
    """The fixes of every region that cannot reach its target, at most five each, ranked.

    Parameters
    ----------
    spec
        The validated target file.
    regions
        The regions as the infeasible plan holds them: every allowed hire made (a hiring
        group's headcount is its ``hire.max``).

    Returns
    -------
    list of Relaxation
        For a region whose fixed quotas and minimum shares exceed its target, the one change
        that fixes that; for a region short of capacity, its ranked fixes.
    """
    out: list[Relaxation] = []
    for region in regions:
        lows = region.constant + sum(
            (w * lower(g) for g, w in zip(region.members, region.weights, strict=True)),
            Fraction(0),
        )
        if lows > region.target:
            out.append(_minimums(spec, region, lows))
        elif reach(region) < region.target:
            out += _fixes(spec, region)
    return out


def budget_fix(spec: Spec, needed: Fraction | None) -> list[Relaxation]:
    """The one fix of a hiring budget too small for the cheapest hires that reach every
    target: raise it to what they cost (none when the budget is not what is short)."""
    budget = spec.target.plan.hiring_budget
    if needed is None or budget is None:
        return []
    locale = spec.target.plan.locale
    return [
        relaxation(
            locale,
            "budget",
            "plan.hiring_budget",
            "budget",
            format_number(Decimal(budget), locale),
            format_number(_exact(needed), locale),
        )
    ]


def _exact(value: Fraction) -> Decimal:
    """A cost as a Decimal, rounded up to a cent where it is not exact (a budget of exactly
    that would fall short)."""
    cents = math.ceil(value * 100)
    return Decimal(cents) / 100 if cents % 100 else Decimal(cents // 100)


def reach(region: Region, scaled: tuple[str, Fraction] | None = None) -> Fraction:
    """What the region's groups carry at their largest quotas, weighted to the region unit's
    level (with ``scaled``: one metric's capacity × a factor)."""
    total = region.constant
    for group, weight in zip(region.members, region.weights, strict=True):
        top = upper(group) if scaled is None else _scaled_upper(group, *scaled)
        total += weight * (top or Fraction(0))
    return total


def _money(spec: Spec, value: Fraction, up: bool = False) -> str:
    """An amount in whole money steps (down unless ``up``)."""
    step = Fraction(spec.target.split.rounding.money)
    steps = math.ceil(value / step) if up else math.floor(value / step)
    return format_number(int(max(steps, 0) * step), spec.target.plan.locale)


def _minimums(spec: Spec, region: Region, lows: Fraction) -> Relaxation:
    return relaxation(
        spec.target.plan.locale,
        "target",
        region.name,
        "minimums",
        _money(spec, region.target, up=True),
        _money(spec, lows, up=True),
        unit=region.name,
    )


def _fixes(spec: Spec, region: Region) -> list[Relaxation]:
    """A short region's ranked fixes: (size, kind order, relaxation), the five smallest."""
    hired = sum(g.headcount for g in region.members if g.is_hire)
    found: list[tuple[Fraction, int, Relaxation]] = []
    for size, fix in [
        *_capacity_fixes(spec, region, hired),
        *_hire_fix(spec, region),
        *_buffer_fix(spec, region, hired),
        _target_fix(spec, region, hired),
    ]:
        found.append((size, _ORDER.index(fix.kind), fix))
    found.sort(key=lambda item: (item[0], item[1]))
    return [fix for _, _, fix in found[:MAX_FIXES]]


def _target_fix(spec: Spec, region: Region, hired: int) -> tuple[Fraction, Relaxation]:
    """Lower the region's target to what its capacity covers at this level, after the
    buffer of each level below; the sentence says both, so they are compared on one basis."""
    covered = reach(region)
    step = Fraction(spec.target.split.rounding.money)
    new = math.floor(covered / step) * step
    carried = sum((upper(g) or Fraction(0) for g in region.members), Fraction(0))
    carried += sum((q for _, q, _ in region.fixed_units), Fraction(0))
    fix = relaxation(
        spec.target.plan.locale,
        "target",
        region.name,
        "target",
        _money(spec, region.target, up=True),
        format_number(int(new), spec.target.plan.locale),
        unit=region.name,
        carried=_money(spec, carried),
        buffer=_percent(Fraction(spec.target.plan.buffer)),
        levels=str(_levels(region)),
        hires=str(hired),
    )
    return (region.target - new) / region.target, fix


def _levels(region: Region) -> int:
    """How many levels of buffer lie between the region unit and its deepest group."""
    top = len(region.unit.names)
    return max((g.depth - (top - 1) for g in region.members), default=0)


def _percent(value: Fraction) -> str:
    return f"{float(value * 100):g}%"


def _buffer_fix(spec: Spec, region: Region, hired: int) -> list[tuple[Fraction, Relaxation]]:
    """The largest buffer per level, in whole percent below today's, that capacity covers."""
    buffer = Fraction(spec.target.plan.buffer)
    top = len(region.unit.names)
    for percent in range(math.ceil(buffer * 100) - 1, -1, -1):
        growth = 1 + Fraction(percent, 100)
        total = sum(
            (q * growth ** (top - len(u.names)) for u, q, _ in region.fixed_units), Fraction(0)
        )
        for group in region.members:
            total += (upper(group) or Fraction(0)) * growth ** -(group.depth - (top - 1))
        if total >= region.target:
            new = Fraction(percent, 100)
            fix = relaxation(
                spec.target.plan.locale,
                "buffer",
                region.name,
                "buffer",
                _percent(buffer),
                _percent(new),
                unit=region.name,
                hires=str(hired),
            )
            return [((buffer - new) / (1 + buffer), fix)]
    return []


def _hire_fix(spec: Spec, region: Region) -> list[tuple[Fraction, Relaxation]]:
    """More people in the group where one adds the most: beyond a hiring group's max, or
    (where no group may hire) more of an existing role, fully productive all year."""
    deficit = region.target - reach(region)
    best: tuple[Fraction, Group] | None = None
    can_hire = any(g.is_hire for g in region.members)
    for group, weight in zip(region.members, region.weights, strict=True):
        if group.is_hire != can_hire or (not can_hire and group.role.role.hire):
            continue
        each = weight * (group.quota_cap or Fraction(0))
        if group.fixed is None and each > 0 and (best is None or each > best[0]):
            best = (each, group)
    if best is None:
        return []
    each, group = best
    more = math.ceil(deficit / each)
    heads = sum(g.headcount for g in region.members)
    where = {"role": group.role.role.role, "label": group.label, "unit": group.unit.unit.name}
    locale = spec.target.plan.locale
    if can_hire:
        limit = group.hire.max if group.hire is not None and group.hire.max is not None else 0
        fix = relaxation(
            locale, "hire", group.id, "hire max", str(limit), str(limit + more), **where
        )
    else:
        fix = relaxation(locale, "hire", group.id, "headcount", "0", str(more), **where)
    return [(Fraction(more, max(heads, 1)), fix)]


def _capacity_fixes(spec: Spec, region: Region, hired: int) -> list[tuple[Fraction, Relaxation]]:
    """Per capacity: the smallest rise, the same share for every role that has it, that
    covers the target; none above :data:`MAX_CAPACITY_CHANGE`."""
    metrics = sorted({w.metric for g in region.members for w in g.windows})
    out = []
    for metric in metrics:
        if reach(region, (metric, MAX_CAPACITY_CHANGE)) < region.target:
            continue
        low, high = 1000, int(MAX_CAPACITY_CHANGE * 1000)  # in thousandths
        while low < high:
            middle = (low + high) // 2
            if reach(region, (metric, Fraction(middle, 1000))) >= region.target:
                high = middle
            else:
                low = middle + 1
        fix = _capacity_record(spec, region, metric, Fraction(low, 1000), hired)
        if fix is not None:
            out.append(fix)
    return out


def _capacity_record(
    spec: Spec, region: Region, metric: str, factor: Fraction, hired: int
) -> tuple[Fraction, Relaxation] | None:
    """The capacity of ``metric`` × ``factor`` for each role entry that has it, in whole
    units as the target file writes them; None if one of them would rise above 50%."""
    entries: dict[str, tuple[str, str, str]] = {}  # role id: (label, old, new)
    largest = Fraction(1)
    for group in region.members:
        quantity = group.role.role.capacity.get(metric)
        rid = role_id(group.role)
        if quantity is None or rid in entries:
            continue
        old = Fraction(quantity.value)
        new = math.ceil(old * factor)
        if old <= 0 or new > old * MAX_CAPACITY_CHANGE:
            return None
        largest = max(largest, new / old)
        label = next(w.label for w in group.windows if w.metric == metric)
        per = label.split("/", 1)[1] if "/" in label else ""
        entries[rid] = (group.role.label, label, f"{new}/{per}" if per else str(new))
    if not entries:
        return None
    owner = next(iter(entries)) if len(entries) == 1 else region.name
    fix = relaxation(
        spec.target.plan.locale,
        "capacity",
        owner,
        f"capacity:{metric}",
        "; ".join(old for _, old, _ in entries.values()),
        "; ".join(new for _, _, new in entries.values()),
        metric=spec.target.metrics[metric].name,
        roles="; ".join(label for label, _, _ in entries.values()),
        unit=region.name,
        hires=str(hired),
    )
    return largest - 1, fix


def _scaled_upper(group: Group, metric: str, factor: Fraction) -> Fraction | None:
    """:func:`okrplan.solve.regions.upper` with one metric's capacity × ``factor``."""
    if group.fixed is not None:
        return group.fixed
    best: Fraction | None = None
    for window in group.windows:
        need = window.need(group.weights, group.per_yuan[window.metric])
        if need > 0:
            room = window.capacity * (factor if window.metric == metric else 1)
            best = room / need if best is None else min(best, room / need)
    if best is not None and group.step > 0:
        best = math.floor(best / group.step) * group.step
    limits = [
        x
        for x in (None if best is None else best * group.headcount, group.upper_share)
        if x is not None
    ]
    return min(limits) if limits else None
