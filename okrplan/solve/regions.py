"""Regions of the quota model, and each group's bounds within its region.

A unit's children together carry the unit's quota × (1 + buffer), so a group ``d`` levels below
a unit counts ``(1 + buffer)^-d`` of its quota toward that unit. A unit with a fixed quota starts
a *region* of its own; every other group belongs to the region of its nearest fixed ancestor (the
company, whose quota is the KPI, is the outermost).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from okrplan.solve.groups import Group, evolve
from okrplan.spec import Spec, UnitRef


@dataclass(frozen=True, slots=True)
class Region:
    """Groups whose quotas share one sum constraint: a fixed-quota unit or the company."""

    unit: UnitRef
    target: Fraction
    members: tuple[Group, ...] = ()
    weights: tuple[Fraction, ...] = ()  # (1+b)^-depth below the region unit
    fixed_units: tuple[tuple[UnitRef, Fraction, Fraction], ...] = ()
    level: Fraction | None = None  # the λ of the solution

    @property
    def constant(self) -> Fraction:
        return sum((w * q for _, q, w in self.fixed_units), Fraction(0))

    @property
    def name(self) -> str:
        """The region unit's path, as rules and relaxations name it."""
        return "/".join(self.unit.names)


def build_regions(spec: Spec, groups: Sequence[Group]) -> list[Region]:
    """Regions of the plan, outermost first."""
    growth = 1 + Fraction(spec.target.plan.buffer)
    fixed = {u.names: u for u in spec.units if u.unit.quota is not None and len(u.names) > 1}
    root = spec.units[0]
    targets = {root.names: (root, Fraction(spec.kpi_value))}
    for names, unit in sorted(fixed.items()):
        targets[names] = (unit, Fraction(unit.unit.quota or 0))

    def owner(names: tuple[str, ...]) -> tuple[str, ...]:
        for end in range(len(names), 0, -1):
            if names[:end] in targets:
                return names[:end]
        return root.names

    powers: dict[int, Fraction] = {}

    def power(depth: int) -> Fraction:
        if depth not in powers:
            powers[depth] = growth**-depth
        return powers[depth]

    inner: dict[tuple[str, ...], list[tuple[UnitRef, Fraction, Fraction]]] = {}
    for names, unit in sorted(fixed.items()):
        outer = owner(names[:-1])
        depth = len(names) - len(outer)
        inner.setdefault(outer, []).append((unit, Fraction(unit.unit.quota or 0), power(depth)))
    members: dict[tuple[str, ...], list[Group]] = {k: [] for k in targets}
    weights: dict[tuple[str, ...], list[Fraction]] = {k: [] for k in targets}
    # by the unit (kept: its id is the key) and depth: the region's lists and the weight
    places: dict[tuple[int, int], tuple[list[Group], list[Fraction], Fraction, UnitRef]] = {}
    for group in groups:
        place = places.get((id(group.unit), group.depth))
        if place is None:
            key = owner(group.unit.names)
            weight = power(group.depth - (len(key) - 1))
            place = places[id(group.unit), group.depth] = (
                members[key],
                weights[key],
                weight,
                group.unit,
            )
        place[0].append(group)
        place[1].append(place[2])
    return [
        Region(
            unit,
            target,
            tuple(members[names]),
            tuple(weights[names]),
            tuple(inner.get(names, ())),
        )
        for names, (unit, target) in targets.items()
    ]


def upper(group: Group) -> Fraction | None:
    """The group's largest quota: capacity, its share bound, a fixed quota."""
    # whole steps per person (quota_cap): what rounding can actually give
    return _upper(group.fixed, group.quota_cap, group.headcount, group.upper_share)


def _upper(
    fixed: Fraction | None, cap: Fraction | None, headcount: int, share: Fraction | None
) -> Fraction | None:
    """:func:`upper` of a group with these attributes."""
    if fixed is not None:
        return fixed
    limits = [x for x in (None if cap is None else cap * headcount, share) if x is not None]
    return min(limits) if limits else None


def lower(group: Group) -> Fraction:
    """The group's smallest quota: a fixed quota or its share bound."""
    return group.fixed if group.fixed is not None else group.lower


class Alike:
    """Values that groups alike share, each computed once per solve.

    A large organisation has thousands of groups but few kinds: groups of one profile and
    headcount hold the very same Fraction objects for their caps and bases, so the values
    derived from them are looked up by the objects' identity (cheap) rather than their value
    (hashing a Fraction is not). Every object used in a key is kept alive in the memo, so an
    identity cannot be reused while the memo exists.
    """

    def __init__(self) -> None:
        self.memo: dict[tuple[Any, ...], tuple[Any, tuple[Any, ...]]] = {}

    def get(self, name: str, objects: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        key = (name, *(id(o) if isinstance(o, Fraction) else o for o in objects))
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = (compute(), objects)
        return found[0]

    def upper(self, group: Group) -> Fraction | None:
        fixed, cap, share = group.fixed, group.quota_cap, group.upper_share
        key = ("upper", id(fixed), id(cap), group.headcount, id(share))
        found = self.memo.get(key)
        if found is None:
            top = _upper(fixed, cap, group.headcount, share)
            found = self.memo[key] = (top, (fixed, cap, share))
        return found[0]


def with_bounds(
    spec: Spec, regions: Sequence[Region], bases: Mapping[str, Fraction] | None = None
) -> list[Region]:
    """The regions with every member's bounds: a fixed quota (role quota × its share of the
    role's people), else lower and upper quotas from split.bounds around the group's
    proportional share at the region's common level.

    With ``bases`` (by group id), the members get those bases too (one new group each,
    not two: a large organisation has tens of thousands)."""
    out = []
    for region in regions:
        basis = [g.basis if bases is None else bases[g.id] for g in region.members]
        fixed, shares = _bounds(spec, region, basis)
        members = []
        for group, quota, own, bound in zip(region.members, fixed, basis, shares, strict=True):
            if bases is not None and bound is not None:  # the common case, without a dict
                members.append(evolve(group, basis=own, lower=bound[0], upper_share=bound[1]))
                continue
            changes: dict[str, Any] = {} if bases is None else {"basis": own}
            if bound is not None:
                changes.update(lower=bound[0], upper_share=bound[1])
            elif quota is not None:
                changes["fixed"] = quota
            members.append(evolve(group, **changes) if changes else group)
        out.append(replace(region, members=tuple(members)))
    return out


def flat_uppers(spec: Spec, region: Region) -> list[Fraction | None]:
    """Each member's largest quota (:func:`upper`) were its bounds set (:func:`with_bounds`)
    at the region's weights as they are, worked out without making new groups."""
    fixed, shares = _bounds(spec, region, [g.basis for g in region.members])
    memo: dict[tuple[int, int, int, int], tuple[Fraction | None, tuple[object, ...]]] = {}
    out = []
    for group, quota, bound in zip(region.members, fixed, shares, strict=True):
        share = group.upper_share if bound is None else bound[1]
        own = quota if bound is None and quota is not None else group.fixed
        cap = group.quota_cap
        key = (id(own), id(cap), group.headcount, id(share))
        found = memo.get(key)
        if found is None:  # the objects kept alive: their ids are in the key
            found = memo[key] = (_upper(own, cap, group.headcount, share), (own, cap, share))
        out.append(found[0])
    return out


def _bounds(
    spec: Spec, region: Region, basis: Sequence[Fraction]
) -> tuple[list[Fraction | None], list[tuple[Fraction, Fraction | None] | None]]:
    """Each member's fixed quota (None: none), and a free member's (lower, upper) quota from
    split.bounds at the region's common level (None: not free)."""
    bounds = spec.target.split.bounds
    low, high = Fraction(bounds.min), None if bounds.max is None else Fraction(bounds.max)
    fixed: list[Fraction | None] = []
    free: list[bool] = []
    for group in region.members:  # _fixed_quota of each and whether it is free, in one pass
        if group.role.role.quota is None or group.hire is not None:
            fixed.append(None)
            free.append(group.role.role.quota is None and group.hire is None)
        else:
            fixed.append(_fixed_quota(group))
            free.append(False)
    fixed_sum = _weighted_sum(
        [(w, f) for f, w in zip(fixed, region.weights, strict=True) if f is not None]
    )
    scaled = _weighted_sum(
        [(w, b) for b, w, f in zip(basis, region.weights, free, strict=True) if f]
    )
    rest = region.target - region.constant - fixed_sum
    level = rest / scaled if scaled > 0 else Fraction(0)
    memo: dict[int, tuple[tuple[Fraction, Fraction | None], Fraction]] = {}  # by basis object
    shares: list[tuple[Fraction, Fraction | None] | None] = []
    for own, is_free in zip(basis, free, strict=True):
        if not is_free:
            shares.append(None)
            continue
        found = memo.get(id(own))
        if found is None:  # groups of one profile and headcount share their basis object
            found = memo[id(own)] = (_bound_shares(low, high, level, rest, own), own)
        shares.append(found[0])
    return fixed, shares


def _weighted_sum(pairs: Sequence[tuple[Fraction, Fraction]]) -> Fraction:
    """``Σ w·v`` of ``(w, v)`` pairs, each product once per pair of objects (groups alike
    share their weights and bases: thousands of pairs, a few dozen kinds)."""
    counts: dict[tuple[int, int], int] = {}
    first: dict[tuple[int, int], tuple[Fraction, Fraction]] = {}
    for pair in pairs:
        key = (id(pair[0]), id(pair[1]))
        if key in counts:
            counts[key] += 1
        else:
            counts[key] = 1
            first[key] = pair
    return sum((w * v * counts[key] for key, (w, v) in first.items()), Fraction(0))


def _fixed_quota(group: Group) -> Fraction | None:
    if group.role.role.quota is None or group.is_hire:
        return None
    return Fraction(group.role.role.quota) * Fraction(group.headcount, group.role.headcount or 1)


def _bound_shares(
    low: Fraction, high: Fraction | None, level: Fraction, rest: Fraction, basis: Fraction
) -> tuple[Fraction, Fraction | None]:
    """A free group's (lower, upper) quota from the bounds at the region's common level."""
    return (
        low * (level * basis) if rest > 0 else Fraction(0),
        high * (level * basis) if high is not None and rest > 0 else None,
    )


def members_of(regions: Sequence[Region], groups: Sequence[Group]) -> list[Group]:
    """``groups`` in their order, each as the regions now hold it."""
    found = {g.id: g for r in regions for g in r.members}
    return [found[g.id] for g in groups]


HIRE_LIMIT = 100_000
"""Hires per group when a role may hire without a max."""


def whole_scale(values: Sequence[Fraction]) -> int:
    """A factor that makes every value whole, so CP-SAT compares them exactly (rounding each
    down would miss a hire count that fits to the yuan); 1 where that would overflow."""
    scale = 1
    for value in values:
        scale = math.lcm(scale, value.denominator)
    biggest = max((abs(v) for v in values), default=Fraction(0))
    return scale if biggest * scale < 2**45 else 1


def region_reach(
    region: Region, alike: Alike | None = None, uppers: Sequence[Fraction | None] | None = None
) -> tuple[int, bool, int, list[tuple[Group, int]]]:
    """A region's need and capacity in whole units of its scale: (what the groups that cannot
    hire carry, whether that meets the need, the need, each hiring group's reach per hire).
    ``uppers``: each member's largest quota, if not :func:`upper` of the member as it is."""
    alike = alike or Alike()
    target = region.target - region.constant
    hires: list[tuple[Group, tuple[int, int]]] = []  # each hiring group and its kind
    counts: dict[tuple[int, int], int] = {}  # how many other groups of each kind
    kinds: dict[tuple[int, int], tuple[Fraction, Fraction | None]] = {}  # kept: ids are keys
    for i, (group, weight) in enumerate(zip(region.members, region.weights, strict=True)):
        if group.hire is not None:  # what one hire can carry
            top = group.quota_cap
        else:
            top = alike.upper(group) if uppers is None else uppers[i]
        key = (id(weight), id(top))
        if key not in kinds:
            kinds[key] = (weight, top)
        if group.hire is not None:
            hires.append((group, key))
        else:
            counts[key] = counts.get(key, 0) + 1
    # weight × upper once per kind; an unbounded group (no upper) carries the whole need
    values = {key: weight * (top or Fraction(0)) for key, (weight, top) in kinds.items()}
    scale = whole_scale([target, *values.values()])
    need = math.ceil(target * scale)
    scaled = {key: math.floor(value * scale) for key, value in values.items()}
    carried = sum(
        n * (max(need, 0) if kinds[key][1] is None else scaled[key]) for key, n in counts.items()
    )
    hiring = [
        (group, scaled[key])
        for group, key in hires
        if kinds[key][1] is not None and scaled[key] > 0
    ]
    terms = sum(counts.values()) + len(hiring)
    return carried, terms == 0 or carried >= need, need, hiring
