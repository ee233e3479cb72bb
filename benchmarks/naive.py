"""The naive model: the same plan the way an analyst would write it in an afternoon.

One variable per person (their quota), one per unit (its target), an integer per hiring group
(how many to hire) with a variable for what the hires carry; every person's capacity in every
capacity window (a month, a quarter, the plan) as its own constraint; each unit's children
carrying its target × (1 + buffer); every quota within 70–130% of its proportional share; and
the largest stretch (quota ÷ basis) minimised after the fewest hires, all in one mixed-integer
program for PuLP's bundled CBC. The inputs (bases, bounds, capacity per window) are okrplan's
own, computed before the clock starts: only building and solving the model are timed.

Usage: python benchmarks/naive.py target.yaml [--time-limit SECONDS]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HIRE_WEIGHT = 1000.0  # one hire outweighs any stretch: the fewest hires first
HIRE_LIMIT = 10_000


@dataclass
class Person:
    unit: tuple[str, ...]
    windows: list[tuple[float, float]]  # (activity per yuan of quota, capacity)
    basis: float
    low: float
    high: float | None
    count: int = 1  # people who share this variable (a whole group, per group)


@dataclass
class Hiring:
    unit: tuple[str, ...]
    each: float  # what one new person can carry
    most: int


@dataclass
class Instance:
    kpi: float
    growth: float
    fixed: dict[tuple[str, ...], float]  # units with a fixed quota
    people: list[Person] = field(default_factory=list)
    hiring: list[Hiring] = field(default_factory=list)


def prepare(spec: Any, per: str = "person") -> Instance:
    """Each person's numbers, from okrplan's groups (not timed: the analyst's spreadsheet);
    ``per="group"``: one variable per group of the same role in the same unit and start
    month (each holder's quota; the group carries headcount × it), as okrplan plans."""
    from okrplan.solve.bases import with_bases
    from okrplan.solve.groups import build_groups
    from okrplan.solve.regions import build_regions, members_of, with_bounds

    based = with_bases(spec, build_groups(spec))
    groups = members_of(with_bounds(spec, build_regions(spec, based)), based)
    data = Instance(
        float(spec.kpi_value),
        1 + float(spec.target.plan.buffer),
        {
            u.names: float(u.unit.quota)
            for u in spec.units
            if u.unit.quota is not None and len(u.names) > 1
        },
    )
    for group in groups:
        windows = [
            (float(w.need(group.weights, group.per_yuan[w.metric])), float(w.capacity))
            for w in group.windows
        ]
        if group.is_hire:
            cap = group.per_person_cap
            most = group.hire.max if group.hire and group.hire.max is not None else HIRE_LIMIT
            if cap is not None and cap > 0:
                data.hiring.append(Hiring(group.unit.names, float(cap), most))
            continue
        heads = max(group.headcount, 1)
        fixed = None if group.fixed is None else float(group.fixed) / heads
        high = None if group.upper_share is None else float(group.upper_share) / heads
        person = Person(
            group.unit.names,
            [w for w in windows if w[0] > 0],
            float(group.basis) / heads,
            fixed if fixed is not None else float(group.lower) / heads,
            fixed if fixed is not None else high,
        )
        if per == "group":
            if group.headcount:
                data.people.append(Person(**{**person.__dict__, "count": group.headcount}))
        else:
            data.people.extend(Person(**person.__dict__) for _ in range(group.headcount))
    return data


def build(data: Instance) -> tuple[Any, dict[str, Any]]:
    """The PuLP model and its variables."""
    import pulp

    model = pulp.LpProblem("naive_okr_split", pulp.LpMinimize)
    stretch = pulp.LpVariable("stretch", lowBound=0)
    below: dict[tuple[str, ...], list[Any]] = {}  # what each unit's children carry
    hires = []
    for i, person in enumerate(data.people):
        x = pulp.LpVariable(f"x{i}", lowBound=person.low, upBound=person.high)
        for need, capacity in person.windows:
            model += need * x <= capacity
        if person.basis > 0:
            model += x <= person.basis * stretch
        below.setdefault(person.unit, []).append(x if person.count == 1 else person.count * x)
    for j, hiring in enumerate(data.hiring):
        count = pulp.LpVariable(f"h{j}", lowBound=0, upBound=hiring.most, cat="Integer")
        carried = pulp.LpVariable(f"X{j}", lowBound=0)
        model += carried <= hiring.each * count
        hires.append(count)
        below.setdefault(hiring.unit, []).append(carried)
    selling = {names[:k] for names in below for k in range(1, len(names) + 1)}
    targets = {
        names: pulp.LpVariable(f"y{n}", lowBound=0)
        for n, names in enumerate(sorted(selling))
        if len(names) > 1 and names not in data.fixed
    }
    for names in sorted(selling, key=len, reverse=True):
        if len(names) > 1:
            parent = names[:-1]
            below.setdefault(parent, []).append(data.fixed.get(names, targets.get(names)))
    for names in selling:
        own = data.kpi if len(names) == 1 else data.fixed.get(names, targets.get(names))
        model += pulp.lpSum(below.get(names, [])) == data.growth * own
    model += HIRE_WEIGHT * pulp.lpSum(hires) + stretch
    return model, {"stretch": stretch, "hires": hires}


def run(spec: Any, time_limit: float = 900.0, per: str = "person") -> dict[str, Any]:
    """Build and solve the naive model: seconds for each, and what it found. ``status`` is
    ``optimal`` only when CBC proved it within ``time_limit``; a run stopped by the limit is
    ``time-out`` (with or without a solution), never an optimum."""
    import pulp

    data = prepare(spec, per)
    start = time.perf_counter()
    model, variables = build(data)
    built = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=1)
    model.solve(solver)
    solved = time.perf_counter()
    status = pulp.LpStatus[model.status].lower()
    # CBC stopped by its limit: PuLP may still say "Optimal" with the incumbent found; the
    # solution status (an integer solution, none) and the clock tell the two apart
    if (
        model.sol_status
        in (
            pulp.LpSolutionIntegerFeasible,
            pulp.LpSolutionNoSolutionFound,
        )
        or solved - built >= time_limit
    ):
        status = "time-out"
    stretch = variables["stretch"].value()
    return {
        "per": per,
        "people": sum(p.count for p in data.people),
        "variables": len(model.variables()),
        "constraints": len(model.constraints),
        "build_s": built - start,
        "solve_s": solved - built,
        "seconds": solved - start,
        "status": status,
        "stretch": None if stretch is None else round(float(stretch), 4),
        "hires": round(sum(h.value() or 0 for h in variables["hires"])),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="a target file (e.g. from benchmarks/synth.py)")
    parser.add_argument("--time-limit", type=float, default=900.0, help="CBC's limit, seconds")
    parser.add_argument(
        "--per", choices=("person", "group"), default="person", help="one variable per ..."
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from okrplan.spec import load_spec

    result = run(load_spec(args.target), args.time_limit, args.per)
    print(", ".join(f"{k} {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
