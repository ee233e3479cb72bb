"""What would make an infeasible plan feasible: the smallest change per conflicting rule."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from okrplan.quantity import format_number
from okrplan.solve.allocate import Region, Relaxation, _lower, _upper
from okrplan.solve.groups import Group
from okrplan.spec import Spec


def _where(group: Group) -> str:
    return f"{group.role.label} in {group.unit.unit.name}"


def _reach(region: Region) -> Fraction:
    """The most the region can carry with every allowed hire made."""
    total = region.constant
    for group, weight in zip(region.members, region.weights, strict=True):
        if group.is_hire:
            cap = group.per_person_cap
            limit = group.hire.max if group.hire is not None else None
            if cap is not None and limit is not None:
                total += weight * cap * limit
            continue
        upper = _upper(group)
        total += weight * (upper if upper is not None else Fraction(0))
    return total


def explain_conflict(spec: Spec, regions: Sequence[Region], core: Sequence[str]
                     ) -> list[Relaxation]:
    """One relaxation per rule in the conflict, each the smallest change on its own."""
    locale = spec.target.plan.locale
    by_id = {g.id: (g, w, r) for r in regions for g, w in zip(r.members, r.weights, strict=True)}
    by_region = {"/".join(r.unit.names): r for r in regions}
    out: list[Relaxation] = []

    def money(value: Fraction) -> str:
        step = Fraction(spec.target.split.rounding.money)
        rounded = math.ceil(value / step) * step if value > 0 else Fraction(0)
        return format_number(int(rounded), locale)

    for rule in core:
        kind, _, subject = rule.partition(":")
        if kind == "target":
            region = by_region[subject]
            target = region.target
            lows = region.constant + sum(
                (w * _lower(g) for g, w in zip(region.members, region.weights, strict=True)),
                Fraction(0))
            if lows > target:
                out.append(Relaxation("target", subject, f"{subject}: fixed quotas and minimum "
                                      f"shares add up to {money(lows)}, more than its target "
                                      f"{money(target)}; raise the target to at least "
                                      f"{money(lows)} or lower them", money(target), money(lows)))
            else:
                reach = _reach(region)
                step = Fraction(spec.target.split.rounding.money)
                floor = math.floor(reach / step) * step
                out.append(Relaxation("target", subject, f"{subject}: capacity reaches "
                                      f"{format_number(int(floor), locale)}; lower the target "
                                      f"to at most that", money(target),
                                      format_number(int(floor), locale)))
            continue
        group, weight, region = by_id[subject]
        deficit = region.target - _reach(region)
        if kind == "capacity":
            upper = _upper(group) or Fraction(0)
            windows = group.binding_windows(Fraction(upper, max(group.headcount, 1)),
                                            Fraction(1, 10**6))
            if weight * upper > 0 and windows:
                factor = (weight * upper + deficit) / (weight * upper)
                window = windows[0]
                metric = spec.target.metrics[window.metric].name
                quantity = group.role.role.capacity[window.metric]
                new = math.ceil(Fraction(quantity.value) * factor)
                per = window.label.split("/", 1)[1] if "/" in window.label else ""
                shown = f"{new}/{per}" if per else str(new)
                out.append(Relaxation("capacity", subject, f"{_where(group)}: {metric} capacity "
                                      f"{shown} instead of {window.label} per person",
                                      window.label, shown))
            person = group.per_person_cap
            if person and weight * person > 0 and not group.role.role.hire:
                needed = math.ceil(deficit / (weight * person))
                out.append(Relaxation("hire", subject, f"{_where(group)}: {needed} more "
                                      f"{group.role.role.role} (allow hire: true)", "0",
                                      str(needed)))
        elif kind == "hire-max":
            person = group.per_person_cap or Fraction(0)
            limit = group.hire.max if group.hire and group.hire.max is not None else 0
            if weight * person > 0:
                more = math.ceil(deficit / (weight * person))
                out.append(Relaxation("hire", subject, f"{_where(group)}: hire {limit + more} "
                                      f"instead of at most {limit}", str(limit),
                                      str(limit + more)))
    return out
