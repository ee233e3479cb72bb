"""How OR-Tools CP-SAT is run: one value for every model okrplan solves.

The limit is CP-SAT's *deterministic* time (a count of work done, roughly seconds on a typical
machine), so that a slow machine stops at the same point and gives the same plan. A model stopped
by the limit with a solution that is not proven best reports :attr:`Status.FEASIBLE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from okrplan.model import Status


@dataclass(frozen=True, slots=True)
class SolverOptions:
    """CP-SAT's settings for every model of a plan.

    Parameters
    ----------
    time_limit
        Deterministic time limit per model (CP-SAT's ``max_deterministic_time``).
    seed
        CP-SAT's random seed.
    workers
        Search workers; one keeps the search, and so the plan, deterministic.
    """

    time_limit: float = 60.0
    seed: int = 0
    workers: int = 1


DEFAULT_OPTIONS = SolverOptions()


def new_solver(options: SolverOptions = DEFAULT_OPTIONS) -> Any:
    """A ``CpSolver`` set up by ``options``."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = options.workers
    solver.parameters.random_seed = options.seed
    solver.parameters.max_deterministic_time = options.time_limit
    return solver


def status_of(code: Any) -> Status:
    """CP-SAT's status as okrplan's: proven best, a solution only, or none."""
    from ortools.sat.python import cp_model

    if code == cp_model.OPTIMAL:
        return Status.OPTIMAL
    if code == cp_model.FEASIBLE:
        return Status.FEASIBLE
    return Status.INFEASIBLE


def worst(*statuses: Status) -> Status:
    """The weakest of several statuses (infeasible, then feasible, then optimal).

    >>> worst(Status.OPTIMAL, Status.FEASIBLE)
    <Status.FEASIBLE: 'feasible'>
    """
    order = (Status.INFEASIBLE, Status.FEASIBLE, Status.OPTIMAL)
    return min(statuses, key=order.index, default=Status.OPTIMAL)
