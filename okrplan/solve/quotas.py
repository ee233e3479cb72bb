"""Quotas in whole money steps, rounded down the org tree with totals preserved.

Each selling unit passes down its target × (1 + buffer) as integers of the money step that sum
exactly to it: child units take single steps, a group takes its headcount's worth of steps (all
its people get the same quota), each as near the split's ideal as the grains allow and never
above capacity (:mod:`okrplan.solve.rounding`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from okrplan.model import Status
from okrplan.planmeta import Relaxation
from okrplan.quantity import format_number
from okrplan.solve.allocate import Allocation
from okrplan.solve.groups import Group, unit_id
from okrplan.solve.options import DEFAULT_OPTIONS, SolverOptions, worst
from okrplan.solve.relax import relaxation
from okrplan.solve.rounding import achievable_ints, split_ints
from okrplan.solve.series import number
from okrplan.spec import Spec, UnitRef

Names = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Quotas:
    """Rounded quotas, in money steps: per person of each group, and each selling unit's
    (target, assigned) — what it must reach and what it passes down, buffer included."""

    per_person: dict[str, int]
    units: dict[str, tuple[int, int]]
    relaxations: tuple[Relaxation, ...] = ()
    status: Status = Status.OPTIMAL


@dataclass(frozen=True, slots=True)
class _Tree:
    """The selling part of the org tree, as the rounding walks it. A unit's split is in ints
    over one common denominator (fractions' gcds per operation would be most of the work at
    100,000 people)."""

    groups: dict[Names, list[Group]]  # each unit's own groups
    units: dict[Names, list[UnitRef]]  # each selling unit's selling child units
    # each selling unit's split but its target, children (units, then groups) in order:
    # (common, ideals × common × step, grains, caps, fixed) as _split_steps takes them
    shapes: dict[Names, _Shape]


_Parts = tuple[
    list[tuple[int, int]], list[int], list[int | None], list[int | None], list[int | None]
]
_Shape = tuple[
    int, tuple[int, ...], tuple[int, ...], tuple[int | None, ...], tuple[int | None, ...]
]


def round_quotas(
    spec: Spec, allocation: Allocation, options: SolverOptions = DEFAULT_OPTIONS
) -> Quotas:
    """Round the split's quotas to whole money steps down the org tree.

    Parameters
    ----------
    spec
        The validated target file.
    allocation
        The solved split (:func:`okrplan.solve.allocate.allocate`).
    options
        CP-SAT's settings, for a split the search cannot settle.

    Returns
    -------
    Quotas
        An infeasible split is not rounded down the tree: each group gets its share in whole
        steps, and units get none. Where whole steps per person within capacity fall short of
        a unit's target, a ``target`` relaxation says how far they reach.
    """
    step = Fraction(spec.target.split.rounding.money)
    if not allocation.status.is_ok:
        return Quotas(
            {
                g.id: int(allocation.quotas.get(g.id, Fraction(0)) / step / max(g.headcount, 1))
                for g in allocation.groups
            },
            {},
        )
    tree = _selling_tree(spec, allocation, step)
    per_person: dict[str, int] = {}
    units: dict[str, tuple[int, int]] = {}
    relaxations: list[Relaxation] = []
    statuses: list[Status] = []
    # a unit's target in steps: the KPI ÷ step at the top, whole steps below it (ints: a
    # fraction per unit would be a good part of this loop)
    pending: list[tuple[UnitRef, Fraction | int, int]] = [
        (spec.units[0], Fraction(spec.kpi_value) / step, 0)
    ]
    growth = 1 + Fraction(spec.target.plan.buffer)
    done: dict[tuple[object, ...], tuple[int, list[int], Status]] = {}
    while pending:  # depth first, children in order: as the recursion it replaces
        unit, target, given = pending.pop()
        assigned, counts, status = _split_unit(tree, unit, target, (step, growth), options, done)
        statuses.append(status)
        if assigned < target:  # capacity in whole steps per person falls short
            relaxations.append(_short(spec, unit, target, assigned, step))
        units[unit_id(unit)] = (given, assigned)
        children = tree.units.get(unit.names, [])
        for g, k in zip(tree.groups.get(unit.names, []), counts[len(children) :], strict=True):
            per_person[g.id] = k
        pending.extend(reversed([(u, k, k) for u, k in zip(children, counts, strict=False)]))
    return Quotas(per_person, units, tuple(relaxations), worst(*statuses))


def _selling_tree(spec: Spec, allocation: Allocation, step: Fraction) -> _Tree:
    growth = 1 + Fraction(spec.target.plan.buffer)
    by_unit: dict[Names, list[Group]] = {}
    # each unit's groups' parts of its shape, made in one pass over the groups: quotas from
    # the split, grains, caps per person, fixed steps, and caps × headcount (what it carries)
    own_parts: dict[Names, _Parts] = {}
    zero = Fraction(0)
    per_cap = _GroupCaps(step)
    for group in allocation.groups:
        names = group.unit.names
        found = own_parts.get(names)
        if found is None:
            by_unit[names] = []
            found = own_parts[names] = ([], [], [], [], [])
        by_unit[names].append(group)
        quota = allocation.quotas.get(group.id, zero)
        cap = per_cap.of(group)
        found[0].append((quota.numerator, quota.denominator))
        found[1].append(max(group.headcount, 1))
        found[2].append(cap)
        found[3].append(None if group.fixed is None else _fixed_steps(group, step))
        found[4].append(
            0 if group.headcount == 0 else None if cap is None else cap * group.headcount
        )
    selling = {names[:i] for names in by_unit for i in range(1, len(names) + 1)}
    children: dict[Names, list[UnitRef]] = {}  # selling units by parent, in the file's order
    for unit in spec.units[1:]:
        if unit.names in selling:
            children.setdefault(unit.names[:-1], []).append(unit)
    fixed = {u.names: Fraction(u.unit.quota) / step for u in spec.units if u.unit.quota is not None}
    ideal: dict[Names, tuple[int, int]] = {}
    caps: dict[Names, int | None] = {}
    shapes: dict[Names, _Shape] = {}
    nothing: _Parts = ([], [], [], [], [])
    for names in sorted(selling, key=len, reverse=True):  # children before their parents
        units = children.get(names, ())
        quotas, grains, group_caps, group_fixed, carried = own_parts.get(names, nothing)
        parts = [ideal[u.names] for u in units] + quotas if units else quotas
        # the children's ideals over their least common denominator (not reduced: fractions'
        # gcds per operation would be most of the work at 100,000 people)
        common = math.lcm(*[d for _, d in parts]) if parts else 1
        scaled = tuple([n * (common // d) for n, d in parts])
        ideal[names] = (sum(scaled) * growth.denominator, common * growth.numerator)
        unit_caps = [caps[u.names] for u in units]
        shapes[names] = (
            common,
            scaled,
            tuple([1] * len(units) + grains),
            tuple(unit_caps + group_caps),
            tuple([int(fixed[u.names]) if u.names in fixed else None for u in units] + group_fixed),
        )
        # the largest target (in steps) a unit can take and pass on within its groups'
        # capacity (its buffer may then fall short); None if something below is unbounded
        if names in fixed:
            caps[names] = int(fixed[names])
            continue
        caps_below = unit_caps + carried
        caps[names] = None if None in caps_below else sum(c or 0 for c in caps_below)
    return _Tree(by_unit, children, shapes)


class _GroupCaps:
    """Each group's capacity per person in whole steps (None: unbounded), worked out once per
    capacity value: groups of one profile share the very same value object."""

    def __init__(self, step: Fraction) -> None:
        self.step = step
        self.memo: dict[int, tuple[Fraction, int]] = {}  # by id; the value kept alive

    def of(self, group: Group) -> int | None:
        if group.headcount == 0:
            return 0
        cap = group.per_person_cap
        if cap is None:
            return None
        found = self.memo.get(id(cap))
        if found is None:
            found = self.memo[id(cap)] = (cap, int(cap / self.step))
        return found[1]


def _split_unit(
    tree: _Tree,
    unit: UnitRef,
    target: Fraction | int,
    rates: tuple[Fraction, Fraction],
    options: SolverOptions,
    done: dict[tuple[object, ...], tuple[int, list[int], Status]],
) -> tuple[int, list[int], Status]:
    """What a unit passes down (target × growth, as near as whole steps allow and at least its
    target if capacity allows), and each child unit's steps then each group's per person.

    ``rates`` are the money step and the growth (1 + buffer); ``done`` holds the splits made
    so far by their inputs (a large organisation has many units alike: a third as many
    distinct splits as units at 100,000 people)."""
    shape = tree.shapes[unit.names]
    key = (target.numerator, target.denominator, *shape)
    found = done.get(key)
    if found is None:
        found = done[key] = _split_steps(target, *shape, rates, options)
    return found


def _split_steps(
    target: Fraction | int,
    common: int,
    scaled: Sequence[int],
    grains: Sequence[int],
    caps: Sequence[int | None],
    fixed: Sequence[int | None],
    rates: tuple[Fraction, Fraction],
    options: SolverOptions,
) -> tuple[int, list[int], Status]:
    """:func:`_split_unit` of its children's ideals ``scaled[i] / common`` in yuan."""
    step, growth = rates
    # target × growth, at least the target: as ints (not reduced) for achievable_ints
    num, den = target.numerator, target.denominator
    assigned = achievable_ints(
        num * growth.numerator, den * growth.denominator, grains, caps, fixed, (num, den)
    )
    if not grains:
        return assigned, [], Status.OPTIMAL
    total = sum(scaled)
    if total > 0:  # the ideals scaled to add up to what is assigned
        nums, den = [x * assigned for x in scaled], total
    else:  # in steps as they are
        nums, den = [x * step.denominator for x in scaled], common * step.numerator
    counts, status = split_ints(assigned, nums, den, grains, caps, fixed, options)
    return assigned, counts, status


def _fixed_steps(group: Group, step: Fraction) -> int | None:
    """A fixed group quota as whole steps per person, if it is whole."""
    if group.fixed is None:
        return None
    steps = group.fixed / step / max(group.headcount, 1)
    return int(steps) if steps.denominator == 1 else None


def _short(
    spec: Spec, unit: UnitRef, target: Fraction | int, assigned: int, step: Fraction
) -> Relaxation:
    """Whole steps per person within capacity fall short of the unit's target: both are the
    unit's own level (what its children take in all against what it must reach)."""
    locale = spec.target.plan.locale
    return relaxation(
        locale,
        "target",
        "/".join(unit.names),
        "rounding",
        format_number(math.ceil(target * step), locale),
        format_number(int(assigned * step), locale),
        unit=unit.unit.name,
        step=format_number(int(step), locale),
    )


def unit_target(spec: Spec, unit: UnitRef, steps: int, step: Fraction | None = None) -> int | float:
    """A unit's target as its node shows it (the KPI for the company); ``step`` is the money
    step, if the caller has it at hand."""
    if len(unit.names) == 1:
        return number(spec.kpi_value)
    return money(steps, Fraction(spec.target.split.rounding.money) if step is None else step)


def money(steps: int, step: Fraction) -> int | float:
    """``steps`` money steps in yuan as a JSON number: an int times a whole step is the int
    (what :func:`~okrplan.solve.series.number` makes of it, without a fraction per unit)."""
    if step.denominator == 1 and type(steps) is int:
        return steps * step.numerator
    return number(steps * step)


def group_quotas(quotas: Quotas, groups: Sequence[Group], step: Fraction) -> Mapping[str, Fraction]:
    """Each group's per-person quota in yuan (one value per number of steps: most groups
    share theirs with many others)."""
    made: dict[int, Fraction] = {}
    out: dict[str, Fraction] = {}
    for group in groups:
        steps = quotas.per_person.get(group.id, 0)
        quota = made.get(steps)
        if quota is None:
            quota = made[steps] = Fraction(steps) * step
        out[group.id] = quota
    return out
