"""The quota model: one model over all groups of the plan.

Structure. A unit's children together carry the unit's quota × (1 + buffer), so a group ``d``
levels below a unit counts ``(1 + buffer)^-d`` of its quota toward that unit. A unit with a fixed
quota starts a *region* of its own; every other group belongs to the region of its nearest
fixed ancestor (the company, whose quota is the KPI, is the outermost).

Solving, in order:

1. **Hires** (OR-Tools CP-SAT): the fewest new people per role that may hire so that every
   region can reach its target within capacity. Every business rule (a region's target, a
   group's capacity, a hiring ban or limit) sits behind an assumption literal; when no hiring
   can help, a feasibility-only solve returns the rules that conflict, and each gets its
   smallest relaxation.
2. **Split**: in each region, the lexicographic min–max of stretch (quota ÷ basis): every group
   gets ``clamp(λ · basis, lower, upper)`` with one λ per region, which minimises the largest
   stretch and, among those plans, keeps every group as close to proportional as its bounds
   allow. It is found exactly by sorting the breakpoints of that piecewise-linear sum.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from typing import Any

from okrplan.solve.groups import Group, assign_bases
from okrplan.spec import Spec, UnitRef


@dataclass(slots=True)
class Region:
    """Groups whose quotas share one sum constraint: a fixed-quota unit or the company."""

    unit: UnitRef
    target: Fraction
    members: list[Group] = field(default_factory=list)
    weights: list[Fraction] = field(default_factory=list)  # (1+b)^-depth below the region unit
    fixed_units: list[tuple[UnitRef, Fraction, Fraction]] = field(default_factory=list)
    level: Fraction | None = None  # the λ of the solution

    @property
    def constant(self) -> Fraction:
        return sum((w * q for _, q, w in self.fixed_units), Fraction(0))


@dataclass(frozen=True, slots=True)
class Relaxation:
    """The smallest change to one rule that would make the plan feasible."""

    kind: str  # hire | capacity | target | quota | bounds
    subject: str  # a group or unit id
    message: str
    current: str = ""
    needed: str = ""


@dataclass(slots=True)
class Allocation:
    """The solved split: real-valued group quotas, hires, and what bound them."""

    status: str  # optimal | infeasible
    quotas: dict[str, Fraction]
    hires: dict[str, int]
    regions: list[Region]
    stretch: Fraction
    conflict: list[str] = field(default_factory=list)
    relaxations: list[Relaxation] = field(default_factory=list)


def _unit_key(unit: UnitRef) -> tuple[str, ...]:
    return unit.names


def build_regions(spec: Spec, groups: Sequence[Group]) -> list[Region]:
    """Regions of the plan, outermost first."""
    growth = 1 + Fraction(spec.target.plan.buffer)
    fixed = {u.names: u for u in spec.units if u.unit.quota is not None and len(u.names) > 1}
    root = spec.units[0]
    regions: dict[tuple[str, ...], Region] = {root.names: Region(root, Fraction(spec.kpi_value))}
    for names, unit in sorted(fixed.items()):
        regions[names] = Region(unit, Fraction(unit.unit.quota or 0))

    def owner(names: tuple[str, ...]) -> tuple[str, ...]:
        for end in range(len(names), 0, -1):
            if names[:end] in regions:
                return names[:end]
        return root.names

    powers: dict[int, Fraction] = {}

    def power(depth: int) -> Fraction:
        if depth not in powers:
            powers[depth] = growth**-depth
        return powers[depth]

    for names, unit in sorted(fixed.items()):
        outer = owner(names[:-1])
        depth = len(names) - len(outer)
        regions[outer].fixed_units.append((unit, Fraction(unit.unit.quota or 0), power(depth)))
    owners: dict[tuple[str, ...], tuple[str, ...]] = {}
    for group in groups:
        key = owners.get(group.unit.names)
        if key is None:
            key = owners[group.unit.names] = owner(group.unit.names)
        depth = group.depth - (len(key) - 1)
        regions[key].members.append(group)
        regions[key].weights.append(power(depth))
    return list(regions.values())


def _upper(group: Group) -> Fraction | None:
    """The group's largest quota: capacity, its share bound, a fixed quota."""
    if group.fixed is not None:
        return group.fixed
    cap = group.quota_cap  # whole steps per person: what rounding can actually give
    limits = [
        x
        for x in (None if cap is None else cap * group.headcount, group.upper_share)
        if x is not None
    ]
    return min(limits) if limits else None


def _lower(group: Group) -> Fraction:
    return group.fixed if group.fixed is not None else group.lower


class _Alike:
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
            found = self.memo[key] = (_upper(group), (fixed, cap, share))
        return found[0]


def set_bounds(spec: Spec, groups: Sequence[Group], regions: Sequence[Region]) -> None:
    """Lower and upper share bounds from split.bounds, around each group's proportional share."""
    bounds = spec.target.split.bounds
    for region in regions:
        free = [
            (g, w)
            for g, w in zip(region.members, region.weights, strict=True)
            if g.role.role.quota is None and not g.is_hire
        ]
        for group in region.members:
            if group.role.role.quota is not None and not group.is_hire:
                group.fixed = Fraction(group.role.role.quota) * Fraction(
                    group.headcount, group.role.headcount or 1
                )
        fixed_sum = sum(
            (
                w * g.fixed
                for g, w in zip(region.members, region.weights, strict=True)
                if g.fixed is not None
            ),
            Fraction(0),
        )
        scaled = sum((w * g.basis for g, w in free), Fraction(0))
        rest = region.target - region.constant - fixed_sum
        level = rest / scaled if scaled > 0 else Fraction(0)
        alike = _Alike()
        low, high = Fraction(bounds.min), None if bounds.max is None else Fraction(bounds.max)

        for group, _ in free:
            group.lower, group.upper_share = alike.get(
                "bounds",
                (group.basis,),
                partial(_bound_shares, low, high, level, rest, group.basis),
            )


def _bound_shares(
    low: Fraction, high: Fraction | None, level: Fraction, rest: Fraction, basis: Fraction
) -> tuple[Fraction, Fraction | None]:
    """A free group's (lower, upper) quota from the bounds at the region's common level."""
    return (
        low * (level * basis) if rest > 0 else Fraction(0),
        high * (level * basis) if high is not None and rest > 0 else None,
    )


def solve_region(region: Region, alike: _Alike | None = None) -> dict[str, Fraction] | None:
    """Leximin split of one region, or None if its target lies outside what bounds allow.

    Groups alike in basis, bounds and weight (a large organisation has many) are one item
    counted that many times, so the work grows with the kinds of groups, not their number.
    """
    alike = alike or _Alike()
    target = region.target - region.constant
    counts: dict[tuple[int, ...], int] = {}
    items_of: dict[tuple[int, ...], tuple[Fraction, Fraction, Fraction, Fraction | None]] = {}
    keys = []
    for group, weight in zip(region.members, region.weights, strict=True):
        lo, hi = _lower(group), alike.upper(group)
        if hi is not None and hi < lo:
            lo = hi
        key = (id(group.basis), id(weight), id(lo), id(hi))  # all alive: held by the groups
        if key in counts:
            counts[key] += 1
        else:
            counts[key] = 1
            items_of[key] = (group.basis, weight, lo, hi)
        keys.append(key)
    items = [
        (basis, weight * counts[key], lo, hi) for key, (basis, weight, lo, hi) in items_of.items()
    ]
    low_total = sum((w * lo for _, w, lo, _ in items), Fraction(0))
    high_total = sum((w * hi for _, w, _, hi in items if hi is not None), Fraction(0))
    unbounded = any(hi is None and basis > 0 for basis, _, _, hi in items)
    if target < low_total or (not unbounded and target > high_total):
        return None
    # F(λ) = Σ w·clamp(λ·basis, lo, hi) is increasing and piecewise linear in λ. Sweep its
    # sorted breakpoints (each group enters at lo/basis and leaves at hi/basis) to find the
    # first one where F reaches the target; λ is then exact on the segment before it.
    previous = _first_reaching(items, target)
    base = sum((w * _clamp(previous * b, lo, hi) for b, w, lo, hi in items), Fraction(0))
    slope = sum((w * b for b, w, lo, hi in items if _free_at(previous, b, lo, hi)), Fraction(0))
    level = previous + (target - base) / slope if slope else previous
    region.level = level
    quotas = {key: _clamp(level * b, lo, hi) for key, (b, _, lo, hi) in items_of.items()}
    return {g.id: quotas[key] for g, key in zip(region.members, keys, strict=True)}


def _first_reaching(
    items: Sequence[tuple[Fraction, Fraction, Fraction, Fraction | None]], target: Fraction
) -> Fraction:
    """The last breakpoint of F (or 0) before the first breakpoint where F reaches ``target``
    (items are ``(basis, weight, lo, hi)``).

    One pass over the sorted breakpoints, keeping F's constant part and slope up to date, so a
    region of many groups costs a sort, not a sum over all groups per breakpoint.
    """
    enter: dict[Fraction, list[tuple[Fraction, Fraction]]] = {}  # point: (w·lo, w·basis)
    leave: dict[Fraction, list[tuple[Fraction, Fraction]]] = {}  # point: (w·hi, w·basis)
    constant = Fraction(0)
    for basis, weight, lo, hi in items:
        if basis <= 0:
            continue  # a constant w·lo: the same on both sides of every comparison below
        low = weight * lo
        constant += low
        enter.setdefault(lo / basis, []).append((low, weight * basis))
        if hi is not None:
            leave.setdefault(hi / basis, []).append((weight * hi, weight * basis))
    fixed = sum((w * _clamp(Fraction(0), lo, hi) for b, w, lo, hi in items if b <= 0), Fraction(0))
    slope = Fraction(0)
    previous = Fraction(0)
    for point in sorted(enter.keys() | leave.keys()):
        for low, rate in enter.get(point, ()):
            constant -= low
            slope += rate
        for high, rate in leave.get(point, ()):
            constant += high
            slope -= rate
        if fixed + constant + slope * point >= target:
            return previous
        previous = point
    return previous


def _breaks(basis: Fraction, lo: Fraction, hi: Fraction | None) -> list[Fraction]:
    if basis <= 0:
        return []
    return [lo / basis] + ([hi / basis] if hi is not None else [])


def _free_at(level: Fraction, basis: Fraction, lo: Fraction, hi: Fraction | None) -> bool:
    """Is the group strictly between its bounds just above ``level``?"""
    if basis <= 0:
        return False
    value = level * basis
    return value >= lo and (hi is None or value < hi)


def _clamp(value: Fraction, lo: Fraction, hi: Fraction | None) -> Fraction:
    value = max(value, lo)
    return min(value, hi) if hi is not None else value


# ---------------------------------------------------------------------------------------------
# Hires and conflicts (CP-SAT).

HIRE_LIMIT = 100_000
"""Hires per group when a role may hire without a max."""


def _scale(values: Sequence[Fraction]) -> int:
    """A factor that makes every value whole, so CP-SAT compares them exactly (rounding each
    down would miss a hire count that fits to the yuan); 1 where that would overflow."""
    scale = 1
    for value in values:
        scale = math.lcm(scale, value.denominator)
    biggest = max((abs(v) for v in values), default=Fraction(0))
    return scale if biggest * scale < 2**45 else 1


def _solve_hires(
    regions: Sequence[Region], locale: str
) -> tuple[dict[str, int] | None, list[str], list[Relaxation]]:
    """The fewest hires that let every region reach its target, or the conflicting rules.

    Each region's shortfall is covered by the fewest hires directly (:func:`_fewest_hires`).
    Only when that is impossible does OR-Tools CP-SAT get every rule (a region's target, each
    group's capacity, a hiring limit) behind an assumption literal, to find the rules in
    conflict.
    """
    alike = _Alike()
    if not any(g.is_hire for r in regions for g in r.members) and all(
        _region_reach(r, alike)[1] for r in regions
    ):
        return {}, [], []  # nothing to decide, and every target is within reach
    found = _fewest_hires(regions, alike)
    if found is not None:
        return found, [], []
    return _conflict(regions)


def _region_reach(
    region: Region, alike: _Alike | None = None
) -> tuple[int, bool, int, list[tuple[Group, int]]]:
    """A region's need and capacity in whole units of its scale: (what the groups that cannot
    hire carry, whether that meets the need, the need, each hiring group's reach per hire)."""
    alike = alike or _Alike()
    target = region.target - region.constant
    pairs = []  # (group, weight, its upper: the cap per hire for a hiring group)
    values: dict[tuple[int, int], Fraction] = {}  # weight × upper, once per kind
    for group, weight in zip(region.members, region.weights, strict=True):
        upper = group.quota_cap if group.is_hire else alike.upper(group)
        pairs.append((group, weight, upper))
        key = (id(weight), id(upper))
        if key not in values:
            values[key] = weight * (upper or Fraction(0))
    scale = _scale([target, *values.values()])
    need = math.ceil(target * scale)
    scaled = {key: math.floor(value * scale) for key, value in values.items()}
    carried = 0
    hiring: list[tuple[Group, int]] = []
    terms = 0
    for group, weight, upper in pairs:
        if group.is_hire:
            contribution = scaled[id(weight), id(upper)] if upper is not None else 0
            if contribution > 0:
                hiring.append((group, contribution))
                terms += 1
            continue
        carried += max(need, 0) if upper is None else scaled[id(weight), id(upper)]
        terms += 1
    return carried, terms == 0 or carried >= need, need, hiring


def _fewest_hires(regions: Sequence[Region], alike: _Alike | None = None) -> dict[str, int] | None:
    """The fewest hires with every rule in force, or None if there are none.

    Every hiring group counts toward one region only, so each region is its own problem:
    cover the region's shortfall with the fewest hires. Taking hires where one hire adds the
    most, first, is exact for that (no k hires reach more than the k largest), and it settles
    ties the same way every time: among plans with the fewest hires, the one that adds the most
    capacity; among equal groups, the first in the target file.
    """
    hires: dict[str, int] = {}
    for region in regions:
        carried, _, need, hiring = _region_reach(region, alike)
        for group, _ in hiring:
            hires[group.id] = 0
        if not hiring and not any(not g.is_hire for g in region.members):
            continue
        short = need - carried
        order = sorted(range(len(hiring)), key=lambda i: -hiring[i][1])
        for i in order:
            if short <= 0:
                break
            group, contribution = hiring[i]
            limit = (
                group.hire.max
                if group.hire is not None and group.hire.max is not None
                else HIRE_LIMIT
            )
            take = min(limit, -(-short // contribution))
            hires[group.id] = take
            short -= take * contribution
        if short > 0:
            return None
    return hires


def _conflict(
    regions: Sequence[Region],
) -> tuple[dict[str, int] | None, list[str], list[Relaxation]]:
    """Every rule behind an assumption literal: the hires, or the rules in conflict."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    literals: dict[int, str] = {}
    hires: dict[str, cp_model.IntVar] = {}
    reach: dict[str, int] = {}
    per_hire: dict[str, int] = {}
    needs: dict[str, bool] = {}

    def rule(name: str) -> cp_model.IntVar:
        literal = model.new_bool_var(name)
        literals[literal.index] = name
        return literal

    for region in regions:
        target = region.target - region.constant
        terms = []
        lows = sum(
            (w * _lower(g) for g, w in zip(region.members, region.weights, strict=True)),
            Fraction(0),
        )
        if lows > target:
            needs[region.unit.names[-1]] = False
        scale = _scale(
            [
                target,
                *(
                    w * ((g.quota_cap if g.is_hire else _upper(g)) or Fraction(0))
                    for g, w in zip(region.members, region.weights, strict=True)
                ),
            ]
        )
        need = math.ceil(target * scale)
        for group, weight in zip(region.members, region.weights, strict=True):
            if group.is_hire:
                cap = group.quota_cap
                contribution = math.floor(weight * cap * scale) if cap is not None else 0
                if contribution <= 0:
                    continue
                limit = group.hire.max if group.hire and group.hire.max is not None else None
                var = model.new_int_var(0, HIRE_LIMIT, f"hire:{group.id}")
                hires[group.id] = var
                per_hire[group.id] = contribution
                if limit is not None:
                    model.add(var <= limit).only_enforce_if(rule(f"hire-max:{group.id}"))
                terms.append(contribution * var)
                continue
            upper = _upper(group)
            if upper is None:
                terms.append(cp_model.LinearExpr.constant(max(need, 0)))  # unbounded: always met
                continue
            value = math.floor(weight * upper * scale)
            reach[group.id] = value
            extra = model.new_int_var(0, max(need, 0), f"extra:{group.id}")
            model.add(extra == 0).only_enforce_if(rule(f"capacity:{group.id}"))
            terms.append(value + extra)
        if not terms:
            continue
        model.add(sum(terms) >= need).only_enforce_if(rule(f"target:{'/'.join(region.unit.names)}"))

    model.minimize(sum(hires.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = 60
    model.add_assumptions([model.get_bool_var_from_proto_index(i) for i in sorted(literals)])
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {gid: int(solver.value(var)) for gid, var in hires.items()}, [], []
    model.clear_objective()  # type: ignore[no-untyped-call]
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.solve(model)
    core = sorted(literals[i] for i in solver.sufficient_assumptions_for_infeasibility())
    return None, core, []


def allocate(spec: Spec, groups: list[Group]) -> Allocation:
    """Solve the plan's quota model: hires first, then the leximin split per region."""
    assign_bases(spec, groups)
    regions = build_regions(spec, groups)
    set_bounds(spec, groups, regions)
    hires, core, relaxations = _solve_hires(regions, spec.target.plan.locale)
    if hires is None:
        from okrplan.solve.relax import explain_conflict

        relaxations = explain_conflict(spec, regions, core)
        quotas = _best_effort(regions)
        return Allocation(
            "infeasible", quotas, {}, regions, _stretch(groups, quotas), core, relaxations
        )
    for group in groups:
        if group.is_hire:
            group.headcount = hires.get(group.id, 0)
    kept = [g for g in groups if not g.is_hire or g.headcount > 0]
    groups[:] = kept
    assign_bases(spec, groups)
    for region in regions:
        pairs = [
            (g, w)
            for g, w in zip(region.members, region.weights, strict=True)
            if not g.is_hire or g.headcount > 0
        ]
        region.members = [g for g, _ in pairs]
        region.weights = [w for _, w in pairs]
    quotas = {}
    alike = _Alike()
    for region in regions:
        solved = solve_region(region, alike)
        if solved is None:  # hires made capacity enough; only lower bounds can still conflict
            from okrplan.solve.relax import explain_conflict

            rels = explain_conflict(spec, regions, [f"target:{'/'.join(region.unit.names)}"])
            return Allocation(
                "infeasible",
                _best_effort(regions),
                hires,
                regions,
                Fraction(0),
                [f"target:{'/'.join(region.unit.names)}"],
                rels,
            )
        quotas.update(solved)
    return Allocation(
        "optimal", quotas, {k: v for k, v in hires.items() if v}, regions, _stretch(groups, quotas)
    )


def _best_effort(regions: Sequence[Region]) -> dict[str, Fraction]:
    """For an infeasible plan: every group at what it can carry, so the conflict can be drawn."""
    quotas: dict[str, Fraction] = {}
    for region in regions:
        for group in region.members:
            if group.is_hire:
                continue
            upper = _upper(group)
            quotas[group.id] = upper if upper is not None else _lower(group)
    return quotas


def _stretch(groups: Sequence[Group], quotas: dict[str, Fraction]) -> Fraction:
    values: dict[tuple[int, int], Fraction] = {}  # once per (quota, basis) object pair
    for group in groups:
        quota = quotas.get(group.id)
        if quota is not None and (id(quota), id(group.basis)) not in values and group.basis > 0:
            values[id(quota), id(group.basis)] = quota / group.basis
    return max(values.values()) if values else Fraction(0)
