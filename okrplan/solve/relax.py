"""What would make an infeasible plan feasible: the smallest change per conflicting rule."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from okrplan.quantity import format_number
from okrplan.solve.groups import Group
from okrplan.solve.regions import Region, lower, upper
from okrplan.spec import Spec


@dataclass(frozen=True, slots=True)
class Relaxation:
    """The smallest change to one rule that would make the plan feasible: ``quantity`` of
    ``owner`` (a group, role or unit id, or a unit path) from ``current`` to ``needed``, both
    as the plan shows them, and the sentence that says so."""

    kind: str  # hire | capacity | target
    owner: str
    quantity: str  # headcount | hire max | target | capacity:<metric>[;...]
    current: str
    needed: str
    message: str

    def to_json(self) -> dict[str, str]:
        """The relaxation as plan.json writes it."""
        return {
            "kind": self.kind,
            "subject": self.owner,
            "message": self.message,
            "current": self.current,
            "needed": self.needed,
        }


def _where(group: Group) -> str:
    return f"{group.role.label} in {group.unit.unit.name}"


def _reach(region: Region) -> Fraction:
    """The most the region can carry with every allowed hire made."""
    total = region.constant
    for group, weight in zip(region.members, region.weights, strict=True):
        if group.is_hire:
            cap = group.quota_cap
            limit = group.hire.max if group.hire is not None else None
            if cap is not None and limit is not None:
                total += weight * cap * limit
            continue
        top = upper(group)
        total += weight * (top if top is not None else Fraction(0))
    return total


def _metric_cap(group: Group, metric: str) -> Fraction | None:
    """The largest per-person quota the windows of one metric allow."""
    best: Fraction | None = None
    for window in group.windows:
        need = window.need(group.weights, group.per_yuan[window.metric])
        if window.metric == metric and need > 0:
            limit = window.capacity / need
            best = limit if best is None else min(best, limit)
    return best


def explain_conflict(
    spec: Spec, regions: Sequence[Region], core: Sequence[str]
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
                (w * lower(g) for g, w in zip(region.members, region.weights, strict=True)),
                Fraction(0),
            )
            if lows > target:
                out.append(
                    Relaxation(
                        "target",
                        subject,
                        "target",
                        money(target),
                        money(lows),
                        f"{subject}: fixed quotas and minimum "
                        f"shares add up to {money(lows)}, more than its target "
                        f"{money(target)}; raise the target to at least "
                        f"{money(lows)} or lower them",
                    )
                )
            else:
                reach = _reach(region)
                step = Fraction(spec.target.split.rounding.money)
                floor = math.floor(reach / step) * step
                out.append(
                    Relaxation(
                        "target",
                        subject,
                        "target",
                        money(target),
                        format_number(int(floor), locale),
                        f"{subject}: capacity reaches "
                        f"{format_number(int(floor), locale)}; lower the target "
                        f"to at most that",
                    )
                )
            continue
        group, weight, region = by_id[subject]
        deficit = region.target - _reach(region)
        if kind == "capacity":
            top = upper(group) or Fraction(0)
            heads = max(group.headcount, 1)
            exact = group.per_person_cap
            windows = group.limiting_windows(Fraction(top, heads), Fraction(1, 10**6))
            if weight * top > 0 and windows and exact:
                # the per-person quota the group needs, in whole steps, and each capacity that
                # would stop it: every such capacity scales by what it must carry
                step = group.step if group.step > 0 else Fraction(1)
                wanted = math.ceil((top + deficit / weight) / heads / step) * step
                changes = []
                for metric_key in sorted({w.metric for w in group.windows}):
                    allows = _metric_cap(group, metric_key)
                    if allows is None or allows >= wanted:
                        continue
                    label = next(w.label for w in group.windows if w.metric == metric_key)
                    quantity = group.role.role.capacity[metric_key]
                    new = math.ceil(Fraction(quantity.value) * wanted / allows)
                    per = label.split("/", 1)[1] if "/" in label else ""
                    shown = f"{new}/{per}" if per else str(new)
                    changes.append((spec.target.metrics[metric_key].name, shown, label, metric_key))
                if changes:
                    text = " and ".join(
                        f"{name} capacity {shown} instead of {label}"
                        for name, shown, label, _ in changes
                    )
                    out.append(
                        Relaxation(
                            "capacity",
                            subject,
                            "capacity:" + ";".join(c[3] for c in changes),
                            "; ".join(c[2] for c in changes),
                            "; ".join(c[1] for c in changes),
                            f"{_where(group)}: {text} per person",
                        )
                    )
            person = group.quota_cap
            if person and weight * person > 0 and not group.role.role.hire:
                needed = math.ceil(deficit / (weight * person))
                out.append(
                    Relaxation(
                        "hire",
                        subject,
                        "headcount",
                        "0",
                        str(needed),
                        f"{_where(group)}: {needed} more {group.role.role.role} (allow hire: true)",
                    )
                )
        elif kind == "hire-max":
            person = group.quota_cap or Fraction(0)
            limit = group.hire.max if group.hire and group.hire.max is not None else 0
            if weight * person > 0:
                more = math.ceil(deficit / (weight * person))
                out.append(
                    Relaxation(
                        "hire",
                        subject,
                        "hire max",
                        str(limit),
                        str(limit + more),
                        f"{_where(group)}: hire {limit + more} instead of at most {limit}",
                    )
                )
    return out
