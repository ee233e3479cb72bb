"""The org tree's records: units, role groups with their quotas, and roles that do not sell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from okrplan.model import Level, Marginal, NodeKind, RoleGroup, Selling, Supports, Unit
from okrplan.planmeta import Binding
from okrplan.solve.groups import Group, Window, evolve, per_month_capacity, role_id, unit_id
from okrplan.solve.quotas import money, unit_target
from okrplan.solve.records import new_role_group, new_unit
from okrplan.solve.series import number
from okrplan.spec import RoleRef, Spec

TOLERANCE = Fraction(1, 10**6)
"""How near a bound a quota must be to count as held by it."""


def unit_records(spec: Spec, unit_quotas: Mapping[str, tuple[int, int]]) -> list[Unit]:
    """Every unit of the org tree, in tree order, with its target and what it passes down
    where it sells (``unit_quotas``: (target, assigned) in money steps)."""
    step = Fraction(spec.target.split.rounding.money)
    out: list[Unit] = []
    append = out.append
    company, plain, kind = Level.COMPANY, Level.UNIT, NodeKind.UNIT
    for unit in spec.units:
        uid = unit_id(unit)
        quota = unit_quotas.get(uid)
        support = unit.unit.supports
        append(
            new_unit(
                uid,
                unit.unit.name,
                unit.names,
                unit.unit.lead,
                company if len(unit.names) == 1 else plain,
                None if quota is None else unit_target(spec, unit, quota[0], step),
                None if quota is None else money(quota[1], step),
                None if support is None else Supports(support.metric, number(support.share)),
                kind,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Roles:
    """Role records in tree order (each role entry's groups, then the entry itself if it does
    not sell) and the binding constraints of the groups (subject: the group id)."""

    records: tuple[RoleGroup, ...]
    binding: tuple[Binding, ...]


def role_records(
    spec: Spec,
    groups: Sequence[Group],
    ideals: Mapping[str, Fraction],
    quotas: Mapping[str, Fraction],
) -> Roles:
    """Every role group and plain role.

    Parameters
    ----------
    spec
        The validated target file.
    groups
        The solved groups.
    ideals
        Each group's quota from the split, before rounding (what binds it is judged there).
    quotas
        Each group's per-person quota in yuan, rounded.

    Returns
    -------
    Roles
        Groups alike in all that their numbers come from share them (a large organisation has
        many such groups).
    """
    by_role = _by_role(spec, groups)
    memo: dict[object, Any] = {}
    records: list[RoleGroup] = []
    binding: list[Binding] = []
    capacities: dict[int, dict[str, str]] = {}
    for ref in spec.roles:
        for group in by_role.get(id(ref), ()):
            ideal = ideals.get(group.id, _ZERO)
            reasons, selling = _selling(spec, group, ideal, quotas[group.id], memo)
            if reasons:
                binding.extend(Binding(group.id, r) for r in reasons)
            records.append(_group_record(group, selling, capacities))
        if ref.role.sells is None or ref.unit.unit.supports is not None:
            records.append(_plain_record(ref))
    return Roles(tuple(records), tuple(binding))


_ZERO = Fraction(0)


def _by_role(spec: Spec, groups: Sequence[Group]) -> dict[int, list[Group]]:
    """The groups of each role entry, by the entry's identity (its groups hold the entry
    itself); by its id where some group holds an equal entry that is not the spec's own."""
    by_role: dict[int, list[Group]] = {}
    for group in groups:
        by_role.setdefault(id(group.role), []).append(group)
    if by_role.keys() <= {id(ref) for ref in spec.roles}:
        return by_role
    by_id: dict[str, list[Group]] = {}
    for group in groups:
        by_id.setdefault(role_id(group.role), []).append(group)
    return {id(ref): by_id.get(role_id(ref), []) for ref in spec.roles}


def _group_record(
    group: Group, selling: Selling, capacities: dict[int, dict[str, str]]
) -> RoleGroup:
    """A group's record; its capacity as written, one (read-only) dict per role entry's
    capacity in ``capacities`` (by the capacity's identity: the groups of an entry share it)."""
    role = group.role.role
    capacity = capacities.get(id(role.capacity))
    if capacity is None:
        capacity = capacities[id(role.capacity)] = _capacity_text(role.capacity)
    return new_role_group(
        group.id,
        role.role,
        group.label,
        group.unit.names,
        group.headcount,
        group.people,
        group.is_hire,
        group.sells,
        capacity,
        selling,
        NodeKind.ROLE,
    )


def _capacity_text(capacity: Mapping[str, Any]) -> dict[str, str]:
    """A role's capacity as its record shows it: each quantity as written."""
    return {m: q.text or str(q.value) for m, q in capacity.items()}


def _plain_record(ref: RoleRef) -> RoleGroup:
    return RoleGroup(
        id=role_id(ref),
        name=ref.role.role,
        label=ref.label,
        path=ref.unit.names,
        headcount=ref.headcount,
        people=tuple(p if isinstance(p, str) else p.name for p in ref.role.people),
        new_hires=False,
        sells=ref.role.sells,
        capacity=_capacity_text(ref.role.capacity),
    )


def _selling(
    spec: Spec,
    group: Group,
    ideal: Fraction,
    quota: Fraction,
    memo: dict[object, Any],
) -> tuple[tuple[str, ...], Selling]:
    """A group's quota record and what binds it (shared by groups alike)."""
    profile = group.shared()
    key: tuple[object, ...] | None = None
    if profile is not None:
        # each fraction as (numerator, denominator): equal exactly when it is, and hashed
        # without Fraction.__hash__'s modular inverse (13,000 to 20,000 groups, six each)
        basis, fixed, upper, lower = group.basis, group.fixed, group.upper_share, group.lower
        fraction = Fraction
        key = (
            profile,
            group.headcount,
            quota.as_integer_ratio() if type(quota) is fraction else quota,
            ideal.as_integer_ratio() if type(ideal) is fraction else ideal,
            basis.as_integer_ratio() if type(basis) is fraction else basis,
            fixed.as_integer_ratio() if type(fixed) is fraction else fixed,
            upper.as_integer_ratio() if type(upper) is fraction else upper,
            lower.as_integer_ratio() if type(lower) is fraction else lower,
        )
        found: tuple[tuple[str, ...], Selling] | None = memo.get(key)
        if found is not None:
            return found
    step = max(Fraction(spec.target.split.rounding.money) / 10, Fraction(1))
    reasons = tuple(binding_reasons(spec, group, ideal, quota))
    basis = group.basis
    selling = Selling(
        quota=number(quota * group.headcount),
        per_person=number(quota),
        basis=number(round(basis / step) * step),
        stretch=round(float(quota * group.headcount / basis), 4) if basis else None,
        ramp=_ramp(group, memo),
        binding=reasons,
        marginal=_marginals(spec, group, step, memo),
    )
    if key is not None:
        memo[key] = (reasons, selling)
    return reasons, selling


def _ramp(group: Group, memo: dict[object, Any]) -> tuple[int | float, ...]:
    key = ("ramp", group.shared())
    found = memo.get(key) if key[1] is not None else None
    if found is None:
        found = tuple(number(r) for r in group.ramp)
        if key[1] is not None:
            memo[key] = found
    return found


ROUNDING_SHOWN = Fraction(1, 100)
"""Rounding is named among the reasons when it moves a per-person quota by at least this share
of what the split or capacity gave (less does not change the picture)."""


def binding_reasons(spec: Spec, group: Group, ideal: Fraction, quota: Fraction) -> list[str]:
    """What holds a group's quota where the plan puts it (``quota``: per person, rounded).

    A capacity binds when one more money step per person would overfill it (the months it
    fills are named); a share bound when the split held the group at it and the rounded quota
    still respects it; rounding, with its size per person, when it moves the quota by at least
    :data:`ROUNDING_SHOWN` from the common stretch level, a bound or capacity. A group nothing
    holds has no reason (it carries its region's common stretch level)."""
    if group.fixed is not None:
        return ["fixed quota"]
    heads = max(group.headcount, 1)
    step = group.step if group.step > 0 else Fraction(spec.target.split.rounding.money)
    labels = [str(m) for m in spec.period.months]
    exact, top = group.per_person_cap, group.quota_cap
    reasons: list[str] = []
    # what held the split's quota (capacity, else a share bound, else the common level) is
    # what rounding is measured from; a holder is named only if the rounded quota is still at it
    reference, source = ideal / heads, "level"
    if exact is not None and top is not None and quota > 0 and quota + step > exact:
        reasons += _capacity_texts(group.binding_windows(exact, TOLERANCE), labels)
    if exact is not None and top is not None and ideal / heads >= top * (1 - TOLERANCE):
        reference, source = exact, "capacity"
    elif group.upper_share is not None and ideal >= group.upper_share * (1 - TOLERANCE):
        source = "bounds.max"
        if quota * heads <= group.upper_share * (1 + TOLERANCE):
            reasons.append("bounds.max")
    elif group.lower > 0 and ideal <= group.lower * (1 + TOLERANCE):
        source = "bounds.min"
        if quota * heads >= group.lower * (1 - TOLERANCE):
            reasons.append("bounds.min")
    moved = quota - reference
    if reference > 0 and abs(moved) >= ROUNDING_SHOWN * reference:
        reasons.append(f"rounding {round(moved):+d} from {source}")
    return reasons


def _capacity_texts(windows: Sequence[Window], labels: Sequence[str]) -> list[str]:
    """One reason per capacity and run of consecutive months it fills: months filled one by
    one (Oct, Nov and Dec each at capacity) read as one span, ``2015-10..2015-12``."""
    months: dict[tuple[str, str], set[int]] = {}
    for window in windows:
        months.setdefault((window.metric, window.label), set()).update(window.months)
    out = []
    for (metric, label), found in months.items():
        ordered = sorted(found)
        runs: list[list[int]] = []
        for i in ordered:
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        for run in runs:
            first, last = labels[run[0]], labels[run[-1]]
            span = first if first == last else f"{first}..{last}"
            out.append(f"capacity {metric} {label} in {span}")
    return out


def _marginals(
    spec: Spec, group: Group, step: Fraction, memo: dict[object, Any]
) -> tuple[Marginal, ...]:
    """What one more unit of each capacity per person adds to the group's reachable quota."""
    profile = group.shared()
    key = ("gains", profile)
    gains = memo.get(key) if profile is not None else None
    if gains is None:
        gains = marginal_gains(spec, group)
        if profile is not None:
            memo[key] = gains
    out = []
    for metric, per, each in gains:
        gain = round(each * group.headcount / step) * step
        out.append(Marginal(metric, per, number(round(gain))))
    return tuple(out)


def marginal_gains(spec: Spec, group: Group) -> list[tuple[str, str, Fraction]]:
    """Per person: what one more unit of each capacity adds to the reachable quota, by
    capacity (metric, per, yuan)."""
    before = group.per_person_cap
    if before is None:
        return []
    months = spec.period.months
    out = []
    for metric, quantity in sorted(group.role.role.capacity.items()):
        extra = per_month_capacity(Fraction(1), quantity.per, months, spec.working_days)
        windows = tuple(
            replace(
                w,
                capacity=w.capacity
                + sum((extra[i] * group.ramp[i] for i in w.months), Fraction(0)),
            )
            if w.metric == metric
            else w
            for w in group.windows
        )
        after = evolve(group, windows=windows).per_person_cap or before
        out.append((metric, str(quantity.per) if quantity.per else "plan", after - before))
    return out
