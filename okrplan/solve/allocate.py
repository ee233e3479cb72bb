"""The quota model: one model over all groups of the plan.

Solving, in order (each step a function of values that returns values):

1. **Bases and bounds** (:func:`okrplan.solve.bases.with_bases`,
   :func:`okrplan.solve.regions.with_bounds`): each group's basis and its quota bounds in its
   region (see :mod:`okrplan.solve.regions`).
2. **Hires** (:func:`okrplan.solve.hires.solve_hires`): the fewest new people per role that
   may hire so that every region can reach its target within capacity; when no hiring can
   help, the rules in conflict, and each gets its smallest relaxation
   (:func:`okrplan.solve.relax.explain_conflict`).
3. **Split**: in each region, the lexicographic min–max of stretch (quota ÷ basis): every group
   gets ``clamp(λ · basis, lower, upper)`` with one λ per region, which minimises the largest
   stretch and, among those plans, keeps every group as close to proportional as its bounds
   allow. It is found exactly by sorting the breakpoints of that piecewise-linear sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from okrplan.model import Status
from okrplan.planmeta import Conflict, Relaxation
from okrplan.solve.bases import bases_of, with_bases
from okrplan.solve.groups import Group, evolve
from okrplan.solve.hires import (
    Hires,
    allowed_hires,
    hires_without_buffer,
    hiring_budget,
    solve_hires,
)
from okrplan.solve.options import DEFAULT_OPTIONS, SolverOptions
from okrplan.solve.regions import (
    Alike,
    Region,
    build_regions,
    lower,
    members_of,
    upper,
    with_bounds,
)
from okrplan.solve.relax import budget_fix, explain_conflict
from okrplan.spec import Spec


@dataclass(frozen=True, slots=True)
class Allocation:
    """The solved split: the groups as solved (bases, bounds, hired headcounts; hiring groups
    without hires left out when feasible), real-valued group quotas, hires, and what bound
    them."""

    status: Status
    groups: tuple[Group, ...]
    quotas: dict[str, Fraction]
    hires: dict[str, int]
    regions: tuple[Region, ...]
    stretch: Fraction
    conflict: tuple[Conflict, ...] = ()
    relaxations: tuple[Relaxation, ...] = field(default=())
    kpi_hires: dict[str, int] | None = None  # the fewest hires without the buffer


def solve_region(
    region: Region, alike: Alike | None = None
) -> tuple[dict[str, Fraction], Fraction] | None:
    """Leximin split of one region, or None if its target lies outside what bounds allow.

    Parameters
    ----------
    region
        The region, its members with bases and bounds.
    alike
        A memo shared by the regions of one plan.

    Returns
    -------
    tuple or None
        Each member's quota by group id, and the region's level λ: every group gets
        ``clamp(λ · basis, lower, upper)``. Groups alike in basis, bounds and weight (a large
        organisation has many) are one item counted that many times, so the work grows with
        the kinds of groups, not their number.
    """
    alike = alike or Alike()
    target = region.target - region.constant
    counts: dict[tuple[int, ...], int] = {}
    items_of: dict[tuple[int, ...], tuple[Fraction, Fraction, Fraction, Fraction | None]] = {}
    keys = []
    for group, weight in zip(region.members, region.weights, strict=True):
        lo = group.fixed if group.fixed is not None else group.lower  # lower(group)
        hi = alike.upper(group)
        key = (id(group.basis), id(weight), id(lo), id(hi))  # all alive: held by the groups
        if key in counts:
            counts[key] += 1
        else:
            counts[key] = 1
            # an upper below the lower wins: compared once per kind, not once per group
            items_of[key] = (group.basis, weight, hi if hi is not None and hi < lo else lo, hi)
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
    quotas = {key: _clamp(level * b, lo, hi) for key, (b, _, lo, hi) in items_of.items()}
    return {g.id: quotas[key] for g, key in zip(region.members, keys, strict=True)}, level


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


def _free_at(level: Fraction, basis: Fraction, lo: Fraction, hi: Fraction | None) -> bool:
    """Is the group strictly between its bounds just above ``level``?"""
    if basis <= 0:
        return False
    value = level * basis
    return value >= lo and (hi is None or value < hi)


def _clamp(value: Fraction, lo: Fraction, hi: Fraction | None) -> Fraction:
    value = max(value, lo)
    return min(value, hi) if hi is not None else value


def allocate(
    spec: Spec, groups: Sequence[Group], options: SolverOptions = DEFAULT_OPTIONS
) -> Allocation:
    """Solve the plan's quota model: bases and bounds, hires, then the leximin split per region.

    Parameters
    ----------
    spec
        The validated target file.
    groups
        The plan's groups (:func:`okrplan.solve.groups.build_groups`), hiring groups with
        headcount 0.
    options
        CP-SAT's settings.

    Returns
    -------
    Allocation
        The groups as solved and their quotas; infeasible with the conflict and its
        relaxations when no hires reach the targets.
    """
    bases = dict(zip((g.id for g in groups), bases_of(spec, groups), strict=True))
    regions = with_bounds(spec, build_regions(spec, groups), bases)
    bounded = members_of(regions, groups)
    hires = solve_hires(regions, options, hiring_budget(spec))
    if hires.counts is None:  # every allowed hire made where a region falls short
        return _all_hired(spec, regions, bounded, hires)
    counts = hires.counts
    kpi_hires = hires_without_buffer(spec, regions, counts) if any(counts.values()) else None
    kept, regions = _hired(spec, regions, bounded, counts)
    quotas, solved = _split(regions)
    if len(solved) < len(regions):  # hires made capacity enough; only lower bounds conflict
        return Allocation(
            Status.INFEASIBLE,
            tuple(kept),
            _best_effort(regions),
            counts,
            (*solved, *regions[len(solved) :]),
            Fraction(0),
            (Conflict("target", regions[len(solved)].name),),
            tuple(explain_conflict(spec, regions)),
        )
    return Allocation(
        hires.status,
        tuple(kept),
        quotas,
        {k: v for k, v in counts.items() if v},
        tuple(solved),
        _stretch(kept, quotas),
        kpi_hires=None
        if kpi_hires is None
        else {k: kpi_hires.get(k, 0) for k in counts if counts[k]},
    )


def _all_hired(
    spec: Spec, regions: Sequence[Region], groups: Sequence[Group], hires: Hires
) -> Allocation:
    """The infeasible allocation when no hires reach the targets: every allowed hire made
    (the cheapest hires where only the budget is short), the best-effort quotas, the rules in
    conflict and their relaxations."""
    made = allowed_hires(regions) if hires.cheapest is None else hires.cheapest
    kept, hired = _hired(spec, regions, groups, made)
    best = _best_effort(hired)
    return Allocation(
        Status.INFEASIBLE,
        tuple(kept),
        best,
        {g.id: g.headcount for g in kept if g.is_hire},
        tuple(hired),
        _stretch(kept, best),
        hires.conflict,
        (*budget_fix(spec, hires.needed_budget), *explain_conflict(spec, hired)),
    )


def _split(regions: Sequence[Region]) -> tuple[dict[str, Fraction], list[Region]]:
    """Each region's leximin split (:func:`solve_region`): the quotas, and the regions with
    their levels, up to the first region whose bounds cannot meet its target."""
    quotas: dict[str, Fraction] = {}
    alike = Alike()
    solved: list[Region] = []
    for region in regions:
        split = solve_region(region, alike)
        if split is None:
            break
        quotas.update(split[0])
        solved.append(replace(region, level=split[1]))
    return quotas, solved


def _hired(
    spec: Spec, regions: Sequence[Region], groups: Sequence[Group], counts: dict[str, int]
) -> tuple[list[Group], list[Region]]:
    """The groups with their hires (hiring groups without any left out), and the regions."""
    if not any(g.is_hire for g in groups):
        # nothing to hire: the same groups, whose bases (a function of what bounds leave
        # alone: headcount, ramp, capacity, role) are what they already hold
        return list(groups), list(regions)
    hired = [evolve(g, headcount=counts.get(g.id, 0)) if g.is_hire else g for g in groups]
    kept = with_bases(spec, [g for g in hired if not g.is_hire or g.headcount > 0])
    return kept, _trimmed(regions, kept)


def _trimmed(regions: Sequence[Region], kept: Sequence[Group]) -> list[Region]:
    """The regions with their members as ``kept`` holds them (others left out)."""
    by_id = {g.id: g for g in kept}
    out = []
    for region in regions:
        found = [(by_id.get(g.id), w) for g, w in zip(region.members, region.weights, strict=True)]
        pairs = [(g, w) for g, w in found if g is not None]
        out.append(
            replace(region, members=tuple(g for g, _ in pairs), weights=tuple(w for _, w in pairs))
        )
    return out


def _best_effort(regions: Sequence[Region]) -> dict[str, Fraction]:
    """For an infeasible plan: every group at what it can carry, so the conflict can be drawn."""
    quotas: dict[str, Fraction] = {}
    for region in regions:
        for group in region.members:
            top = upper(group)
            quotas[group.id] = top if top is not None else lower(group)
    return quotas


def _stretch(groups: Sequence[Group], quotas: dict[str, Fraction]) -> Fraction:
    values: dict[tuple[int, int], Fraction] = {}  # once per (quota, basis) object pair
    for group in groups:
        quota = quotas.get(group.id)
        if quota is not None and (id(quota), id(group.basis)) not in values and group.basis > 0:
            values[id(quota), id(group.basis)] = quota / group.basis
    return max(values.values()) if values else Fraction(0)
