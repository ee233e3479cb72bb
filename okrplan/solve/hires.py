"""Hires: the fewest new people per role that may hire so that every region can reach its target.

Each region's shortfall is covered greedily by the hires that add the most (exact: every hiring
group counts toward one region only). When no hiring can help, OR-Tools CP-SAT gets every business
rule (a region's target, a group's capacity, a hiring limit) behind an assumption literal, and
returns the rules in conflict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING

from okrplan.model import Status
from okrplan.planmeta import Conflict
from okrplan.solve.groups import Group
from okrplan.solve.hire_costs import cheapest_hires, priced
from okrplan.solve.options import DEFAULT_OPTIONS, SolverOptions, new_solver, status_of
from okrplan.solve.regions import (
    HIRE_LIMIT,
    Alike,
    Region,
    flat_uppers,
    region_reach,
    upper,
    whole_scale,
    with_bounds,
)
from okrplan.spec import Spec

if TYPE_CHECKING:
    from ortools.sat.python import cp_model


@dataclass(frozen=True, slots=True)
class Hires:
    """Hires per hiring group (None: no hires make the plan feasible, see ``conflict``), the
    rules in conflict, and whether the fewest hires are proven."""

    counts: dict[str, int] | None
    conflict: tuple[Conflict, ...] = ()
    status: Status = Status.OPTIMAL
    cheapest: dict[str, int] | None = None  # a budget too small: the hires it would buy
    needed_budget: Fraction | None = None  # … and what they cost


def solve_hires(
    regions: Sequence[Region],
    options: SolverOptions = DEFAULT_OPTIONS,
    budget: Fraction | None = None,
) -> Hires:
    """The fewest (or cheapest) hires that let every region reach its target, or the
    conflicting rules.

    Parameters
    ----------
    regions
        The plan's regions, their members with bases and bounds.
    options
        CP-SAT's settings, for the model that finds the conflict.
    budget
        ``plan.hiring_budget``: the most all hires may cost together.

    Returns
    -------
    Hires
        Each region's shortfall is covered by the fewest hires directly
        (:func:`fewest_hires`). With a cost on a hiring role or a budget, the cheapest hires
        come from one CP-SAT model over all regions
        (:func:`okrplan.solve.hire_costs.cheapest_hires`). When no hires reach the targets,
        CP-SAT gets every rule behind an assumption literal, to find the rules in conflict.
    """
    alike = Alike()
    if not any(g.is_hire for r in regions for g in r.members) and all(
        region_reach(r, alike)[1] for r in regions
    ):
        return Hires({})  # nothing to decide, and every target is within reach
    found = fewest_hires(regions, alike)
    if found is None:
        return _conflict(regions, options)
    if not priced(regions, budget):
        return Hires(found)
    best = cheapest_hires(regions, budget, options, alike)
    if best.counts is not None:
        return Hires(best.counts, (), best.status)
    # the hires exist but cost more than the budget: what the cheapest of them cost
    free = cheapest_hires(regions, None, options, alike)
    return Hires(None, best.conflict, Status.INFEASIBLE, free.counts, free.cost)


def fewest_hires(
    regions: Sequence[Region],
    alike: Alike | None = None,
    uppers: Sequence[Sequence[Fraction | None]] | None = None,
) -> dict[str, int] | None:
    """The fewest hires with every rule in force, or None if there are none.

    Every hiring group counts toward one region only, so each region is its own problem
    (:func:`region_hires`). ``uppers``: each region's members' largest quotas, if not those
    of the members as they are.
    """
    hires: dict[str, int] = {}
    for i, region in enumerate(regions):
        found = region_hires(region, alike, None if uppers is None else uppers[i])
        if found is None:
            return None
        hires.update(found)
    return hires


def region_hires(
    region: Region, alike: Alike | None = None, uppers: Sequence[Fraction | None] | None = None
) -> dict[str, int] | None:
    """The fewest hires that cover one region's shortfall, or None if the allowed hires do not.

    Taking hires where one hire adds the most, first, is exact for that (no k hires reach more
    than the k largest), and it settles ties the same way every time: among plans with the
    fewest hires, the one that adds the most capacity; among equal groups, the first in the
    target file.
    """
    carried, _, need, hiring = region_reach(region, alike, uppers)
    if not hiring and not any(not g.is_hire for g in region.members):
        return {group.id: 0 for group, _ in hiring}
    counts = cover(need - carried, [(c, _limit(group)) for group, c in hiring])
    if counts is None:
        return None
    return {group.id: n for (group, _), n in zip(hiring, counts, strict=True)}


def cover(short: int, reach: Sequence[tuple[int, int]]) -> list[int] | None:
    """The fewest hires ``h[i] ≤ limit[i]`` with ``Σ contribution[i]·h[i] ≥ short``, for
    ``reach`` = (contribution per hire, limit) of each hiring group, or None if all of them
    together fall short. Largest contribution first (the first in order among equals): no
    k hires reach more than the k largest, so the first k that cover ``short`` are fewest.
    tests/test_hires_cpsat.py checks it against a CP-SAT model on random instances."""
    counts = [0] * len(reach)
    for i in sorted(range(len(reach)), key=lambda i: -reach[i][0]):
        if short <= 0:
            break
        contribution, limit = reach[i]
        take = min(limit, -(-short // contribution))
        counts[i] = take
        short -= take * contribution
    return counts if short <= 0 else None


def _limit(group: Group) -> int:
    return group.hire.max if group.hire is not None and group.hire.max is not None else HIRE_LIMIT


def allowed_hires(regions: Sequence[Region], alike: Alike | None = None) -> dict[str, int]:
    """For an infeasible plan: the fewest hires where a region can be met, and every allowed
    hire (each hiring group at its ``hire.max``) where it cannot, so the plan shows what they
    reach."""
    hires: dict[str, int] = {}
    for region in regions:
        found = region_hires(region, alike)
        if found is None:
            found = {
                g.id: _limit(g) if _limit(g) < HIRE_LIMIT else 0
                for g in region.members
                if g.is_hire
            }
        hires.update(found)
    return hires


def hiring_budget(spec: Spec) -> Fraction | None:
    """``plan.hiring_budget`` as an exact number (None: no budget)."""
    budget = spec.target.plan.hiring_budget
    return None if budget is None else Fraction(budget)


def hires_without_buffer(
    spec: Spec, regions: Sequence[Region], counts: dict[str, int] | None = None
) -> dict[str, int] | None:
    """The fewest hires if every level passed down exactly its target (no buffer): what the
    KPI itself needs; the plan's hires less these are what the buffer adds. None if even
    that is out of reach. Priced hires (a cost or a budget) are the cheapest among the plan's
    own ``counts``, so the buffer never seems to save a hire."""
    one = Fraction(1)  # one object: values derived from weights are computed once per kind
    flat = [
        replace(
            r,
            weights=(one,) * len(r.weights),
            fixed_units=tuple((u, q, one) for u, q, _ in r.fixed_units),
        )
        for r in regions
    ]
    budget = hiring_budget(spec)
    if counts is None or not priced(flat, budget):
        # the fewest hires need only each group's largest quota: no new groups
        return fewest_hires(flat, Alike(), [flat_uppers(spec, r) for r in flat])
    bounded = with_bounds(spec, flat)
    return cheapest_hires(bounded, budget, DEFAULT_OPTIONS, within=counts).counts


def _conflict(regions: Sequence[Region], options: SolverOptions) -> Hires:
    """Every rule behind an assumption literal: the hires, or the rules in conflict."""
    from ortools.sat.python import cp_model

    rules = _Rules(cp_model.CpModel())
    hires: dict[str, cp_model.IntVar] = {}
    for region in regions:
        _region_rules(rules, region, hires)
    model, literals = rules.model, rules.literals
    model.minimize(sum(hires.values()))
    solver = new_solver(options)
    model.add_assumptions([model.get_bool_var_from_proto_index(i) for i in sorted(literals)])
    status = status_of(solver.solve(model))
    if status.is_ok:
        return Hires({gid: int(solver.value(var)) for gid, var in hires.items()}, (), status)
    model.clear_objective()  # type: ignore[no-untyped-call]
    solver = new_solver(options)
    solver.solve(model)
    core = sorted(literals[i] for i in solver.sufficient_assumptions_for_infeasibility())
    return Hires(None, tuple(Conflict.parse(name) for name in core), Status.INFEASIBLE)


@dataclass
class _Rules:
    """A CP-SAT model whose rules each hang on a named assumption literal (by its index)."""

    model: cp_model.CpModel
    literals: dict[int, str] = field(default_factory=dict)

    def rule(self, name: str) -> cp_model.IntVar:
        """A new literal named ``name`` that enforces a rule while it is assumed."""
        literal = self.model.new_bool_var(name)
        self.literals[literal.index] = name
        return literal


def _region_rules(rules: _Rules, region: Region, hires: dict[str, cp_model.IntVar]) -> None:
    """The region's target as a rule over its groups: each hiring group's hires (a new
    variable in ``hires``, capped by its ``hire-max`` rule), each other group's largest quota
    (exceeded only without its ``capacity`` rule), summed to at least the target."""
    from ortools.sat.python import cp_model

    model = rules.model
    target = region.target - region.constant
    members = list(zip(region.members, region.weights, strict=True))
    scale = whole_scale(
        [
            target,
            *(w * ((g.quota_cap if g.is_hire else upper(g)) or Fraction(0)) for g, w in members),
        ]
    )
    need = math.ceil(target * scale)
    terms = []
    for group, weight in members:
        if group.is_hire:
            cap = group.quota_cap
            contribution = math.floor(weight * cap * scale) if cap is not None else 0
            if contribution <= 0:
                continue
            limit = group.hire.max if group.hire and group.hire.max is not None else None
            var = model.new_int_var(0, HIRE_LIMIT, f"hire:{group.id}")
            hires[group.id] = var
            if limit is not None:
                model.add(var <= limit).only_enforce_if(rules.rule(f"hire-max:{group.id}"))
            terms.append(contribution * var)
            continue
        top = upper(group)
        if top is None:
            terms.append(cp_model.LinearExpr.constant(max(need, 0)))  # unbounded: always met
            continue
        extra = model.new_int_var(0, max(need, 0), f"extra:{group.id}")
        model.add(extra == 0).only_enforce_if(rules.rule(f"capacity:{group.id}"))
        terms.append(math.floor(weight * top * scale) + extra)
    if terms:
        model.add(sum(terms) >= need).only_enforce_if(
            rules.rule(f"target:{'/'.join(region.unit.names)}")
        )
