"""Further targets: the second and later items of ``kpi:``, split over the same organisation.

The primary target drives capacity, the funnel and hires; a further target (collections
1.1亿, new customers 540) is split over the organisation as solved for it, with the same
rounding and buffer: each selling unit passes down its target × (1 + buffer) in whole steps of
the metric's rounding (``split.rounding.money`` or ``count``), never below its target, to its
selling child units (single steps) and its groups (headcount × a per-person quota), each in
proportion to its weight — by default the primary target's quotas (a child unit's target, a
group's per-person quota × headcount), or the target's own ``basis`` (history, potential,
headcount, even, capacity; :func:`okrplan.solve.bases.bases_of`). Children add up exactly to
what their parent passes down.

A person's quota is phased over the months like their primary quota's weights (seasonality
tilted by ramp), in period steps; a unit's target is phased like the sum of its children's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from okrplan.model import Status
from okrplan.solve.bases import bases_of
from okrplan.solve.funnel import PersonSeries, followers, with_followers
from okrplan.solve.groups import Group, unit_id
from okrplan.solve.options import DEFAULT_OPTIONS, SolverOptions, worst
from okrplan.solve.phasing import apportion, apportion_ints
from okrplan.solve.rounding import achievable_ints, split_grains_status
from okrplan.solve.series import Series
from okrplan.spec import Kpi, Spec

Names = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Split:
    """One further target split: per person of each group and each unit's target, in yuan
    (money) or units (counts)."""

    metric: str
    per_person: dict[str, Fraction]
    units: dict[str, Fraction]
    status: Status = Status.OPTIMAL


def split_targets(
    spec: Spec,
    groups: Sequence[Group],
    primary: Mapping[str, Fraction],
    unit_targets: Mapping[str, Fraction],
    options: SolverOptions = DEFAULT_OPTIONS,
) -> list[Split]:
    """Every further target split down the org tree.

    Parameters
    ----------
    spec
        The validated target file.
    groups
        The solved groups (hired headcounts).
    primary
        Each group's per-person primary quota in yuan.
    unit_targets
        Each selling unit's primary target in yuan, by unit id (the weights of child units
        when a target is split by quotas).
    options
        CP-SAT's settings, for a split the search cannot settle.

    Returns
    -------
    list
        One :class:`Split` per further target, in file order.
    """
    staffed = [g for g in groups if g.headcount > 0]
    return [
        _split(spec, kpi, staffed, primary, unit_targets, options) for kpi in spec.further_targets
    ]


def _assigned(target: Fraction | int, growth: Fraction, grains: list[int]) -> int:
    """What a unit gives its children and groups, in steps: its target grown by the buffer,
    the nearest sum of the grains at least the target."""
    if 1 in grains and type(target) is int:  # as below, in integers (below the top)
        # ⌊t × n/d + ½⌋ = ⌊(2tn + d) / 2d⌋, at least t
        return max((2 * target * growth.numerator + growth.denominator)
                   // (2 * growth.denominator), target)  # fmt: skip
    if 1 in grains:  # every whole number is a sum: the nearest, ties up, ≥ the target
        return max(math.floor(target * growth + Fraction(1, 2)), math.ceil(target))
    # target × growth as ints, not a fraction (an int target below the top)
    num, den = target.numerator * growth.numerator, target.denominator * growth.denominator
    return achievable_ints(num, den, grains, at_least=(target.numerator, target.denominator))


def _split(
    spec: Spec,
    kpi: Kpi,
    groups: Sequence[Group],
    primary: Mapping[str, Fraction],
    unit_targets: Mapping[str, Fraction],
    options: SolverOptions,
) -> Split:
    money = spec.target.metrics[kpi.metric].kind == "money"
    rounding = spec.target.split.rounding
    step = Fraction(rounding.money if money else rounding.count)
    growth = 1 + Fraction(spec.target.plan.buffer)
    basis = kpi.basis or "quotas"
    if basis == "quotas":
        weights = [primary.get(g.id, Fraction(0)) * g.headcount for g in groups]
    else:
        weights = bases_of(spec, groups, basis)
    tree = _Tree.of(spec, groups, weights, unit_targets if basis == "quotas" else {})
    per_person: dict[str, Fraction] = {}
    units: dict[str, Fraction] = {}
    statuses = [Status.OPTIMAL]
    assert isinstance(kpi.target, Decimal)  # a further target is an amount (checked)
    amount = _amount(step)
    quotas: dict[int, Fraction] = {}  # per person, by steps: one value shared by many groups
    pending: list[tuple[Names, Fraction | int]] = [
        (spec.units[0].names, Fraction(kpi.target) / step)
    ]
    while pending:
        names, target = pending.pop()
        units["u:" + "/".join(names)] = amount(target)
        children, own = tree.units.get(names, []), tree.groups.get(names, [])
        grains = [1] * len(children) + [g.headcount for g in own]
        ideals = [tree.weight[c] for c in children] + [tree.group_weight[g.id] for g in own]
        if not grains:
            continue
        assigned = _assigned(target, growth, grains)
        scale = sum(ideals)
        if scale > 0:
            nums, den = [x * assigned for x in ideals], scale
        else:  # nothing to weigh by: by headcount (a unit as one)
            nums, den = [g * assigned for g in grains], sum(grains)
        counts = nearest_ints(assigned, nums, den, grains)
        if counts is None:
            nothing = [None] * len(grains)
            exact = [Fraction(n, den) for n in nums]
            counts, status = split_grains_status(assigned, exact, grains, nothing, nothing, options)
            statuses.append(status)
        for group, k in zip(own, counts[len(children) :], strict=True):
            quota = quotas.get(k)
            if quota is None:
                quota = quotas[k] = amount(k)
            per_person[group.id] = quota
        pending.extend(reversed([(c, k) for c, k in zip(children, counts, strict=False)]))
    return Split(kpi.metric, per_person, units, worst(*statuses))


def _amount(step: Fraction) -> Callable[[Fraction | int], Fraction]:
    """``count × step`` as a Fraction (for a whole step and a whole count without the
    arithmetic of fractions: most of the work of a large split)."""
    if step.denominator != 1:
        return lambda count: count * step
    whole = step.numerator
    return lambda count: Fraction(count * whole) if type(count) is int else count * step


def nearest_grains(
    total: int, ideals: Sequence[Fraction], grains: Sequence[int]
) -> list[int] | None:
    """Counts ``k`` with ``Σ k·grain = total``: each ``ideal ÷ grain`` rounded to the nearest
    whole number, then the difference made up one grain at a time by the child furthest from
    its ideal in that direction (per person, so a group of 8 is not held a step below its
    ideal while a newcomer beside it takes the 8 people's remainders). None if the grains
    cannot make up the difference that way.

    >>> nearest_grains(234, [Fraction(2129, 10), Fraction(211, 10)], [8, 1])  # 26.6 → 27
    [27, 18]
    >>> nearest_grains(594, [Fraction(3564, 10), Fraction(2376, 10)], [1, 1])
    [356, 238]
    """
    den = math.lcm(*(x.denominator for x in ideals)) if ideals else 1
    return nearest_ints(total, [int(x * den) for x in ideals], den, grains)


def nearest_ints(
    total: int, nums: Sequence[int], den: int, grains: Sequence[int]
) -> list[int] | None:
    """:func:`nearest_grains` of the ideals ``nums[i] / den``, in integers (a large
    organisation has thousands of units; fractions would be most of the work)."""
    if len(grains) == 1 and total >= 0:  # one child: all of it, if its grain divides it
        return [total // grains[0]] if total % grains[0] == 0 else None
    counts = [(2 * n + den * g) // (2 * den * g) for n, g in zip(nums, grains, strict=True)]
    left = total - sum(k * g for k, g in zip(counts, grains, strict=True))
    while left:
        sign = 1 if left > 0 else -1
        best = -1
        top, top_grain = 0, 1  # the best gap so far: sign × (ideal − k·grain) ÷ grain, × den
        for i, (n, g, k) in enumerate(zip(nums, grains, counts, strict=True)):
            if g <= abs(left) and (sign > 0 or k > 0):
                gap = sign * (n - k * den * g)
                if best < 0 or gap * top_grain > top * g:
                    best, top, top_grain = i, gap, g
        if best < 0:
            return None
        counts[best] += sign
        left -= sign * grains[best]
    return counts


@dataclass(frozen=True, slots=True)
class _Tree:
    """The units with staffed selling groups below them, and each one's weight."""

    groups: dict[Names, list[Group]]  # each unit's own groups
    units: dict[Names, list[Names]]  # each unit's child units with groups below
    weight: dict[Names, int]  # a child unit's weight among its siblings (× a common factor)
    group_weight: dict[str, int]  # a group's weight (× the same factor)

    @classmethod
    def of(
        cls,
        spec: Spec,
        groups: Sequence[Group],
        weights: Sequence[Fraction],
        unit_targets: Mapping[str, Fraction],
    ) -> _Tree:
        own: dict[Names, list[Group]] = {}
        for group in groups:
            own.setdefault(group.unit.names, []).append(group)
        below = {names[:i] for names in own for i in range(1, len(names) + 1)}
        children: dict[Names, list[Names]] = {}
        for unit in spec.units[1:]:
            if unit.names in below:
                children.setdefault(unit.names[:-1], []).append(unit.names)
        # weights in integers: × the least common multiple of their denominators
        # (units' own targets only where given: weights by quotas)
        known = {
            n: Fraction(t)
            for n in (below if unit_targets else ())
            for t in (unit_targets.get("u:" + "/".join(n)),)
            if t is not None
        }
        pairs = [(w.numerator, w.denominator) for w in weights]
        dens = [d for _, d in pairs] + [t.denominator for t in known.values()]
        factor = math.lcm(*dens) if dens else 1
        # w × factor is whole (factor is a multiple of w's denominator): no fraction made
        by_group = {g.id: n * (factor // d) for g, (n, d) in zip(groups, pairs, strict=True)}
        sums: dict[Names, int] = {}
        none: list[Names] = []
        for names in sorted(below, key=len, reverse=True):  # children before their parents
            total = sum([by_group[g.id] for g in own.get(names, ())])
            sums[names] = total + sum([sums[c] for c in children.get(names, none)])
        # a unit's weight: its sum, or its own target × factor (whole as well: in integers)
        weight = dict(sums)
        for n, t in known.items():
            weight[n] = t.numerator * (factor // t.denominator)
        return cls(own, children, weight, by_group)


def person_target_series(spec: Spec, groups: Sequence[Group], split: Split) -> dict[str, Series]:
    """Each group's per-person series of a further target: the quota in period steps (a
    tenth of the money step, or the count step), phased by the group's weights."""
    metric = spec.target.metrics[split.metric]
    money = metric.kind == "money"
    rounding = spec.target.split.rounding
    grain = max(Fraction(rounding.money) / 10, Fraction(1)) if money else Fraction(rounding.count)
    shared: dict[tuple[int, int, int], Series] = {}
    out: dict[str, Series] = {}
    for group in groups:
        quota = split.per_person.get(group.id)
        if quota is None:
            continue
        # a fraction's hash is a modular inverse: its numerator and denominator are cheaper
        key = (id(group.weights), quota.numerator, quota.denominator)
        found = shared.get(key)
        if found is None:
            found = shared[key] = _phased(quota, group.weights, grain, money)
        out[group.id] = found
    return out


def _phased(
    total: Fraction,
    weights: Sequence[Fraction] | Sequence[int],
    grain: Fraction,
    money: bool,
    ints: bool = False,
) -> Series:
    """``total`` over the months by ``weights``: whole grains where it is a whole number of
    them (the remainder to the largest shares first), else exactly. ``ints``: the weights
    are known to be ints (a series' amounts)."""
    # total ÷ grain, and whether it is whole, in integers (one call per group and unit)
    over, under = total.numerator * grain.denominator, total.denominator * grain.numerator
    if over % under == 0:
        if ints or all(type(w) is int for w in weights):  # what apportion does with them
            parts = apportion_ints(over // under, list(weights), None)  # type: ignore[arg-type]
        else:
            parts = apportion(over // under, _whole(weights))
        if grain.denominator == 1:  # Series.of of whole amounts: the amounts over 1
            scale = grain.numerator  # a property: read once, not per month
            return Series(tuple([p * scale for p in parts]), 1, money)
        return Series.of([p * grain for p in parts], money)
    whole = sum(weights, Fraction(0)) or Fraction(1)
    return Series.of([total * w / whole for w in weights], money)


def _whole(weights: Sequence[Fraction] | Sequence[int]) -> list[int] | list[Fraction]:
    """Weights that are fractions as whole numbers in the same ratios (× the least common
    multiple of their denominators), so that :func:`apportion` works in integers: the same
    parts, without a fraction per month. Negative weights are left as they are."""
    if all(type(w) is int for w in weights):
        return [int(w) for w in weights]
    values = [w if isinstance(w, Fraction) else Fraction(w) for w in weights]
    if any(v.numerator < 0 for v in values):
        return values
    common = math.lcm(*(v.denominator for v in values))
    return [v.numerator * (common // v.denominator) for v in values]


def with_targets(
    spec: Spec,
    groups: Sequence[Group],
    series: Mapping[str, PersonSeries],
    splits: Sequence[Split],
) -> dict[str, PersonSeries]:
    """``series`` of groups with each further target's per-person series (and the metrics
    that follow it)."""
    out = dict(series)
    for split in splits:
        for gid, found in person_target_series(spec, groups, split).items():
            out[gid] = {**out[gid], split.metric: found}
    if splits:
        for group in groups:
            if group.id in out:
                out[group.id] = with_followers(spec, out[group.id], replace=False)
    return out


def unit_target_series(
    spec: Spec, series: Mapping[str, PersonSeries], splits: Sequence[Split]
) -> dict[str, PersonSeries]:
    """Units' series with each further target as the unit's own target, phased like the sum
    of its children's (which carry the buffer), and its followers worked out again."""
    out: dict[str, PersonSeries] = {}
    if not splits:
        return out
    grains = (
        Fraction(spec.target.split.rounding.count),
        max(Fraction(spec.target.split.rounding.money) / 10, Fraction(1)),
    )
    follow = followers(spec)
    for unit in spec.units:
        uid = unit_id(unit)
        own = series.get(uid)
        if own is None:
            continue
        changed: PersonSeries | None = None
        for split in splits:
            target = split.units.get(uid)
            sums = own.get(split.metric)
            if target is None or sums is None:
                continue
            if changed is None:
                changed = dict(own)
            # a series' amounts are ints: phased by apportion_ints without a check per month
            phased = _phased(target, sums.num, grains[sums.money], sums.money, ints=True)
            changed[split.metric] = phased
        if changed is not None:  # a new dict already: followers worked out again, if any
            out[uid] = follow(changed, True)
    return out
