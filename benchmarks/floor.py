"""The floor: a plan's pure split solved by water-filling, in plain Python floats.

Without coupling constraints, min–max stretch has a closed form per region: every group gets
``clamp(λ·basis, lo, hi)`` and λ is where ``Σ w·clamp(λ·basis, lo, hi)`` reaches the target,
found by sorting the breakpoints ``lo/basis`` and ``hi/basis`` once. That is as little work as
the split can take; okrplan's solve stage (groups, capacity, hires, the exact split in
fractions) is measured against it.

Usage: python benchmarks/floor.py target.yaml
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Region:
    """One sum constraint of the split: its target and its groups as (basis, weight, lo, hi)."""

    name: str
    target: float
    items: list[tuple[float, float, float, float | None]]


def instance(spec: object) -> list[Region]:
    """The split okrplan solves for a spec, in floats: regions with every group's basis,
    weight and bounds (hires as okrplan decided them). Not timed: this is the input."""
    from okrplan.solve.allocate import allocate
    from okrplan.solve.groups import build_groups
    from okrplan.solve.regions import lower, upper

    groups = build_groups(spec)  # type: ignore[arg-type]
    allocation = allocate(spec, groups)  # type: ignore[arg-type]
    regions = []
    for region in allocation.regions:
        items = []
        for group, weight in zip(region.members, region.weights, strict=True):
            lo, hi = lower(group), upper(group)
            if hi is not None and hi < lo:
                lo = hi
            items.append(
                (float(group.basis), float(weight), float(lo), None if hi is None else float(hi))
            )
        regions.append(
            Region("/".join(region.unit.names), float(region.target - region.constant), items)
        )
    return regions


def water_fill(
    target: float, items: list[tuple[float, float, float, float | None]]
) -> tuple[float, list[float]]:
    """λ and each group's quota: ``clamp(λ·basis, lo, hi)`` summing (weighted) to ``target``.

    F(λ) = C + S·λ between breakpoints, C the groups held at a bound, S the slope of the
    free ones; a group enters (C - w·lo, S + w·basis) at lo/basis and leaves (C + w·hi,
    S - w·basis) at hi/basis.
    """
    constant, events = 0.0, []
    for basis, weight, lo, hi in items:
        constant += weight * lo
        if basis > 0:
            events.append((lo / basis, -weight * lo, weight * basis))
            if hi is not None:
                events.append((hi / basis, weight * hi, -weight * basis))
    events.sort()
    slope = previous = 0.0
    level = None
    for point, jump, rate in events:
        if constant + slope * point >= target:
            level = (target - constant) / slope if slope > 0 else previous
            break
        constant, slope, previous = constant + jump, slope + rate, point
    if level is None:
        level = (target - constant) / slope if slope > 0 else previous
    return level, [
        min(max(level * b, lo), hi if hi is not None else float("inf")) for b, _, lo, hi in items
    ]


def solve(regions: list[Region]) -> dict[str, float]:
    """λ of every region."""
    return {r.name: water_fill(r.target, r.items)[0] for r in regions}


def timed(regions: list[Region], repeat: int = 3) -> tuple[float, dict[str, float]]:
    """The best wall time of :func:`solve` over ``repeat`` runs, and its λs."""
    best, levels = float("inf"), {}
    for _ in range(repeat):
        start = time.perf_counter()
        levels = solve(regions)
        best = min(best, time.perf_counter() - start)
    return best, levels


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from okrplan.spec import load_spec

    args = sys.argv[1:] if argv is None else argv
    regions = instance(load_spec(args[0]))
    seconds, levels = timed(regions)
    groups = sum(len(r.items) for r in regions)
    print(f"{groups} groups in {len(regions)} regions: water-filling {seconds * 1000:.2f} ms")
    for name, level in levels.items():
        print(f"  λ {name}: {level:.6f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
