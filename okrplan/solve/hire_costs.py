"""Priced hires: the cheapest hires that let every region reach its target, by OR-Tools CP-SAT.

When a role that may hire carries a cost (``hire: {cost: 30万}``) or the plan a hiring budget
(``plan.hiring_budget``), the fewest people are no longer the answer: a cheaper role with less
reach per hire may cover a region for less, and the budget couples all regions. That is a
covering knapsack, which no greedy solves exactly, so one CP-SAT model takes every region at
once: a variable per hiring group (its hires), per region ``Σ reach·hires ≥ shortfall`` (in
whole units of the region's scale, as :func:`okrplan.solve.regions.region_reach` computes them:
capacity, start date and ramp are in each hire's reach), and ``Σ cost·hires ≤ budget``. Every
rule hangs on an assumption literal (``target``, ``hire-max``, ``budget``) so that a budget too
small returns the rules in conflict, and the cheapest hires without the budget say what it
would have to be. Among plans of the least cost, the fewest people; CP-SAT's one worker and
fixed seed (:mod:`okrplan.solve.options`) settle any remaining tie the same way every time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from okrplan.model import Status
from okrplan.planmeta import Conflict
from okrplan.solve.groups import Group
from okrplan.solve.options import SolverOptions, new_solver, status_of, worst
from okrplan.solve.regions import HIRE_LIMIT, Alike, Region, region_reach
from okrplan.solve.series import number
from okrplan.spec import Hire, Spec

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

BUDGET = Conflict("budget", "plan.hiring_budget")
"""The budget rule as a conflict names it."""


def priced(regions: Sequence[Region], budget: Fraction | None) -> bool:
    """Do hires minimise cost (a budget, or a cost on any hiring group) rather than people?"""
    return budget is not None or any(
        g.hire is not None and g.hire.cost is not None for r in regions for g in r.members
    )


def cost_of(group: Group) -> Fraction:
    """What one hire of ``group`` costs: its ``hire.cost``, or 1 (the number of people)."""
    cost = group.hire.cost if group.hire is not None else None
    return Fraction(1) if cost is None else Fraction(cost)


@dataclass(frozen=True, slots=True)
class Priced:
    """The cheapest hires per hiring group (None: the budget or the limits do not allow them),
    their total cost, the rules in conflict, and whether the optimum is proven."""

    counts: dict[str, int] | None
    cost: Fraction
    conflict: tuple[Conflict, ...] = ()
    status: Status = Status.OPTIMAL


@dataclass(frozen=True, slots=True)
class Option:
    """One hiring group as the model sees it: its id, what a hire adds in the region's whole
    units, what a hire costs, ``hire.max`` (None: no limit) and the most hires worth
    considering (beyond that one group alone covers the region: never cheaper)."""

    id: str
    reach: int
    cost: Fraction
    limit: int | None
    bound: int


@dataclass(frozen=True, slots=True)
class Cover:
    """A region's rule: the hiring options' reach together at least ``short``."""

    region: str
    short: int
    options: tuple[Option, ...]


def cheapest_hires(
    regions: Sequence[Region],
    budget: Fraction | None,
    options: SolverOptions,
    alike: Alike | None = None,
    within: Mapping[str, int] | None = None,
) -> Priced:
    """The least-cost hires that reach every region's target within ``budget``.

    Parameters
    ----------
    regions
        The plan's regions, their members with bases and bounds.
    budget
        The most all hires may cost together (None: no limit).
    options
        CP-SAT's settings.
    alike
        The shared cache of group upper bounds.
    within
        At most this many hires per group (the hires the KPI needs without the buffer are
        found among the plan's own).

    Returns
    -------
    Priced
        The hires and their cost; when infeasible, the rules in conflict.
    """
    alike = alike or Alike()
    covers = []
    for region in regions:
        carried, _, need, hiring = region_reach(region, alike)
        short = need - carried
        found = []
        for group, reach in hiring:
            bound = min(HIRE_LIMIT, -(-max(short, 0) // reach))
            if within is not None:
                bound = min(bound, within.get(group.id, 0))
            limit = group.hire.max if group.hire is not None else None
            found.append(Option(group.id, reach, cost_of(group), limit, bound))
        covers.append(Cover(region.name, short, tuple(found)))
    return solve_covers(covers, budget, options)


def solve_covers(
    covers: Sequence[Cover], budget: Fraction | None, options: SolverOptions
) -> Priced:
    """The least-cost hires that meet every cover within ``budget`` (then the fewest people),
    by one CP-SAT model; infeasible with the rules in conflict.

    >>> from okrplan.solve.options import DEFAULT_OPTIONS
    >>> x, y = Option("x", 7, Fraction(3), None, 2), Option("y", 5, Fraction(1), None, 2)
    >>> solve_covers([Cover("A", 10, (x, y))], None, DEFAULT_OPTIONS).counts  # 5 + 5 for 2
    {'x': 0, 'y': 2}
    """
    model = _Model(budget)
    for cover in covers:
        model.region(cover.region, cover.short, cover.options)
    return model.solve(options)


class _Model:
    """The CP-SAT model, its rules by assumption literal, and the exact integer costs."""

    def __init__(self, budget: Fraction | None) -> None:
        from ortools.sat.python import cp_model

        self.cp = cp_model.CpModel()
        self.budget = budget
        self.literals: dict[int, str] = {}
        self.hires: dict[str, Any] = {}
        self.costs: dict[str, Fraction] = {}

    def rule(self, name: str) -> cp_model.IntVar:
        """A literal that enforces a rule while it is assumed."""
        literal = self.cp.new_bool_var(name)
        self.literals[literal.index] = name
        return literal

    def region(self, name: str, short: int, terms: Sequence[Option]) -> None:
        """A region's rule ``Σ reach·hires ≥ short`` and its groups' hire limits."""
        from ortools.sat.python import cp_model

        variables, reaches = [], []
        for term in terms:
            var = self.cp.new_int_var(0, max(term.bound, 0), f"hire:{term.id}")
            if term.limit is not None and term.limit < term.bound:
                self.cp.add(var <= term.limit).only_enforce_if(self.rule(f"hire-max:{term.id}"))
            self.hires[term.id] = var
            self.costs[term.id] = term.cost
            variables.append(var)
            reaches.append(term.reach)
        if short > 0:
            total = cp_model.LinearExpr.weighted_sum(variables, reaches)
            self.cp.add(total >= short).only_enforce_if(self.rule(f"target:{name}"))

    def solve(self, options: SolverOptions) -> Priced:
        """Least cost, then fewest people; or the conflict when the rules cannot all hold."""
        from ortools.sat.python import cp_model

        ids = sorted(self.hires)
        scale, units = _whole([self.costs[i] for i in ids], self.budget)
        cost = cp_model.LinearExpr.weighted_sum([self.hires[i] for i in ids], units)
        if self.budget is not None:
            limit = math.floor(self.budget * scale)
            self.cp.add(cost <= limit).only_enforce_if(self.rule(str(BUDGET)))
        self.cp.add_assumptions(
            [self.cp.get_bool_var_from_proto_index(i) for i in sorted(self.literals)]
        )
        self.cp.minimize(cost)
        solver = new_solver(options)
        first = status_of(solver.solve(self.cp))
        if not first.is_ok:
            return Priced(None, Fraction(0), self._core(options), Status.INFEASIBLE)
        least = round(solver.objective_value)
        self.cp.add(cost <= least)  # among the cheapest plans, the fewest people
        self.cp.minimize(cp_model.LinearExpr.sum([self.hires[i] for i in ids]))
        solver = new_solver(options)
        second = status_of(solver.solve(self.cp))
        counts = {i: int(solver.value(self.hires[i])) for i in ids}
        total = sum((self.costs[i] * n for i, n in counts.items()), Fraction(0))
        return Priced(counts, total, (), worst(first, second))

    def _core(self, options: SolverOptions) -> tuple[Conflict, ...]:
        """The assumed rules that conflict, from a feasibility-only solve (with an objective
        CP-SAT may name a rule that is not needed)."""
        self.cp.clear_objective()  # type: ignore[no-untyped-call]
        solver = new_solver(options)
        solver.solve(self.cp)
        core = sorted(self.literals[i] for i in solver.sufficient_assumptions_for_infeasibility())
        return tuple(Conflict.parse(name) for name in core)


def _whole(costs: Sequence[Fraction], budget: Fraction | None) -> tuple[Fraction, list[int]]:
    """A factor that makes every cost and the budget whole and as small as exact allows
    (30万 and 20万 under a 150万 budget become 3, 2 and 15), and the costs in it."""
    values = [*costs, *([budget] if budget is not None else [])]
    scale = Fraction(1)
    for value in values:
        scale = Fraction(math.lcm(scale.numerator, value.denominator))
    divisor = 0
    for value in values:
        divisor = math.gcd(divisor, int(value * scale))
    scale = scale / divisor if divisor > 1 else scale
    return scale, [int(c * scale) for c in costs]


def hiring_meta(spec: Spec, hires: Mapping[str, int]) -> dict[str, Any]:
    """plan.json's ``hiring`` of a plan whose hires are priced: what the hires of the roles
    that sell cost together (each its ``hire.cost``; without costs, 1 a person) and the
    budget; ``{}`` for a plan without costs or budget (its plan.json stays as it was).

    Parameters
    ----------
    spec
        The validated target file.
    hires
        The plan's hires by group id (support roles' hires, by role id, are not priced).
    """
    from okrplan.solve.groups import role_id

    budget = spec.target.plan.hiring_budget
    costs = {
        f"{role_id(ref)}+hires": Fraction(ref.role.hire.cost)
        for ref in spec.roles
        if isinstance(ref.role.hire, Hire) and ref.role.hire.cost is not None
    }
    if budget is None and not costs:
        return {}
    total = sum(
        (costs.get(gid, Fraction(1)) * n for gid, n in hires.items() if gid.endswith("+hires")),
        Fraction(0),
    )
    found: dict[str, Any] = {"cost": number(total)}
    if budget is not None:
        found["budget"] = number(Fraction(budget))
    return {"hiring": found}
