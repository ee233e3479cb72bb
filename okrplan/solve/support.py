"""Support units: the share of a metric they supply to the sales units beside them, and their
roles' hiring.

A support unit (市场部 supplies 40% of the opportunities) carries that share of what every selling
group in its parent's subtree still needs of the metric after the supports downstream of it (a
call centre supplying 50% of the calls supplies half the calls left after 市场部), per month.
Its roles that have a capacity for the metric split it by the people they count each month
(ramp, ``joined``/``left`` and hires included), so one person's KR fits their capacity in every
period where the role's does; where it falls short, a role that may hire gets the fewest hires
that close the gap (a staffing KR), one that may not gets a relaxation, and a window hires
cannot reach (they start ramping too late, or ``hire.max``) is named ``over capacity``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise

from okrplan.planmeta import Binding, Relaxation
from okrplan.solve.funnel import PersonSeries
from okrplan.solve.groups import (
    Group,
    per_month_capacity,
    ramp_curve,
    role_id,
    support_shares,
    unit_id,
    window_months,
)
from okrplan.solve.phasing import ceil_fraction
from okrplan.solve.relax import relaxation
from okrplan.solve.series import Limits, Series, SeriesSum
from okrplan.spec import Hire, Person, RoleRef, Spec, UnitRef


@dataclass(frozen=True, slots=True)
class Support:
    """What support units supply and need: the series of each support unit and role (by node
    id), hires of support roles (by role id: the role and how many), the capacity checks that
    bind, and the relaxations where a role may not hire."""

    series: dict[str, PersonSeries]
    hires: dict[str, tuple[RoleRef, int]]
    binding: tuple[Binding, ...] = ()
    relaxations: tuple[Relaxation, ...] = ()
    limits: dict[str, Limits] = field(default_factory=dict)  # by role id, for the KR periods


def plan_support(
    spec: Spec, groups: Sequence[Group], series: Mapping[str, PersonSeries]
) -> Support:
    """Every support unit's supply per month and its roles' hires.

    Parameters
    ----------
    spec
        The validated target file.
    groups
        The solved groups.
    series
        Each group's per-person series (:func:`okrplan.solve.funnel.person_series`).

    Returns
    -------
    Support
        A support unit's series is Σ over the selling groups below its parent of revenue ×
        what they still need of the metric per yuan × headcount × the unit's share
        (:func:`supplied`); each of its roles with a
        capacity for the metric gets its headcount's share of that, divided per month by the
        people it counts then (:func:`_staff`).
    """
    out: dict[str, PersonSeries] = {}
    hires: dict[str, tuple[RoleRef, int]] = {}
    binding: list[Binding] = []
    relaxations: list[Relaxation] = []
    limits: dict[str, Limits] = {}
    roles_of: dict[tuple[str, ...], list[RoleRef]] = {}
    for ref in spec.roles:
        roles_of.setdefault(ref.unit.names, []).append(ref)
    for unit in spec.units:
        support = unit.unit.supports
        if support is None:
            continue
        months = supplied(spec, groups, series, unit)
        here = roles_of.get(unit.names, ())
        worked = worked_metrics(spec, support.metric)
        out[unit_id(unit)] = {m: Series.of([x * f for x in months], False) for m, f in worked}
        roles = [r for r in here if any(m in r.role.capacity for m, _ in worked)]
        total_heads = sum(r.headcount for r in roles)
        for ref in roles:
            share = Fraction(ref.headcount, total_heads) if total_heads else Fraction(1)
            staff = _staff(spec, ref, [(m, [x * share * f for x in months]) for m, f in worked])
            out[role_id(ref)] = {
                m: Series.of(
                    [x * share * f / p for x, p in zip(months, staff.per_person, strict=True)],
                    False,
                )
                for m, f in worked
            }
            binding += staff.binding
            limits[role_id(ref)] = staff.limits
            if staff.hires > 0 and ref.role.hire:
                hires[role_id(ref)] = (ref, staff.hires)
            elif staff.hires > 0:
                relaxations.append(_no_hire(spec, ref, unit, support.metric, staff.hires))
    return Support(out, hires, tuple(binding), tuple(relaxations), limits)


def worked_metrics(spec: Spec, metric: str) -> list[tuple[str, Fraction]]:
    """What a support unit works per unit of the ``metric`` it supplies: the metric itself (1)
    and each metric upstream of it, with how many of it one unit of ``metric`` takes (its KRs
    and its roles' capacities may name any of them). An SDR group supplying meetings at 10%
    call→meeting makes 1 ÷ 10% = 10 calls a meeting.

    >>> from types import SimpleNamespace as NS
    >>> y = {"calls": {"meetings": Fraction(1, 10)}, "meetings": {"rev": Fraction(100)}}
    >>> spec = NS(target=NS(metrics={k: NS(yields=v) for k, v in y.items()}),
    ...           chain=lambda m: {"calls": ("calls", "meetings", "rev")}.get(m, (m,)))
    >>> worked_metrics(spec, "meetings")
    [('meetings', Fraction(1, 1)), ('calls', Fraction(10, 1))]
    """
    out = [(metric, Fraction(1))]
    for key in sorted(set(spec.target.metrics) - {metric}):
        chain = spec.chain(key)
        if metric not in chain:
            continue
        factor = Fraction(1)
        for here, there in pairwise(chain[: chain.index(metric) + 1]):
            factor *= Fraction(spec.target.metrics[here].yields[there])
        out.append((key, 1 / factor))
    return out


def supplied(
    spec: Spec,
    groups: Sequence[Group],
    series: Mapping[str, PersonSeries],
    unit: UnitRef,
) -> list[Fraction]:
    """What a support unit supplies per month: its share of what the selling groups beside it
    (below its parent) still need of its metric after the supports downstream of it.

    Each group receives needed − self-sourced of the metric (:attr:`Group.pipeline` less
    :attr:`Group.per_yuan`), from all the supports that reach it in proportion to their shares
    (exactly their shares unless they add up to more than the cap), so supplied +
    self-sourced = needed for every group, unit and the company. Added up per rate, in
    integers.
    """
    support = unit.unit.supports
    assert support is not None
    scope, metric, share = unit.names[:-1], support.metric, Fraction(support.share)
    totals = support_shares(spec)
    reaching: dict[tuple[str, ...], Fraction] = {}
    added: dict[tuple[tuple[str, ...], ...], Fraction] = {}  # by the shares that reach
    sums: dict[Fraction, SeriesSum] = {}
    # groups of one profile share their pipeline objects, and groups reached by the same
    # shares one sum of them: each rate (two fractions' arithmetic and a hash) made once
    rates: dict[tuple[int, int, int], SeriesSum | None] = {}
    for group in groups:
        if group.unit.names[: len(scope)] != scope or metric not in group.pipeline:
            continue
        names = group.unit.names
        together = reaching.get(names)
        if together is None:  # the shares of the metric that reach the group, added up
            reach = tuple([at for at, m in totals if m == metric and names[: len(at)] == at])
            together = added.get(reach)
            if together is None:
                together = added[reach] = sum((totals[at, metric] for at in reach), Fraction(0))
            reaching[names] = together
        needed, sourced = group.pipeline[metric], group.per_yuan[metric]
        key = (id(needed), id(sourced), id(together))  # all kept alive while this runs
        if key in rates:
            acc = rates[key]
        else:
            received = needed - sourced
            rate = received * share / together if received != 0 else None
            acc = rates[key] = None if rate is None else sums.setdefault(rate, SeriesSum(False))
        if acc is None:
            continue
        revenue = series[group.id][spec.base_metric]
        acc.add(revenue.num, revenue.den, group.headcount)
    count = spec.period.count
    months = [Fraction(0)] * count
    for rate, total in sums.items():
        for i, value in enumerate(total.series(count).months):
            months[i] += value * rate
    return months


@dataclass(frozen=True, slots=True)
class Staff:
    """A support role's hires, the people it counts in each month (full-time equivalents, ramp
    and start month included: what one person's KR is divided by) and its binding entries."""

    hires: int
    per_person: tuple[Fraction, ...]
    binding: list[Binding]
    limits: Limits  # one full person's capacity per window, and the months anyone works


def _staff(spec: Spec, ref: RoleRef, needs: Sequence[tuple[str, Sequence[Fraction]]]) -> Staff:
    """The fewest hires that let a support role do ``needs`` (per metric, per month, the role
    as a whole) within its capacity in every window, and the people it counts per month.

    A person counts in a month as much as their ramp allows from the month they join (named
    people by ``joined`` and ``left``; unnamed headcount and hires ramp from their start, as
    selling groups do), so ``need ÷ people`` is what one fully ramped person is asked for, and
    it fits their capacity wherever ``need ≤ capacity × people``. A window that hires cannot
    reach (they start too late, or ``hire.max`` stops them) stays over capacity and is listed
    as ``over capacity … (support)``.
    """
    count, first = spec.period.count, spec.period.first.index
    have = _existing(spec, ref)
    hire = ref.role.hire if isinstance(ref.role.hire, Hire) else Hire()
    if ref.role.hire:
        start = 0 if hire.by is None else min(hire.by.index - first + 1, count - 1)
        joins = ramp_curve(ref, start, count)
    else:  # not allowed to hire: how many people in place would be needed, for the message
        joins = tuple(Fraction(1) for _ in range(count))
    checks = []
    short = 0
    for metric, need in needs:
        quantity = ref.role.capacity.get(metric)
        if quantity is None:
            continue
        cap = per_month_capacity(
            Fraction(quantity.value), quantity.per, spec.period.months, spec.working_days
        )
        label = f"{metric} {quantity.text}"
        for window in window_months(quantity.per, spec.period.months, spec.period.fiscal_start):
            wanted = sum((need[i] for i in window), Fraction(0))
            own = sum((cap[i] * have[i] for i in window), Fraction(0))
            each = sum((cap[i] * joins[i] for i in window), Fraction(0))
            checks.append((label, window, wanted, cap))
            if wanted > own and each > 0:
                short = max(short, ceil_fraction((wanted - own) / each))
    binding = [
        Binding(role_id(ref), f"capacity {label} (support)") for label in _labels(checks, have)
    ]
    hires = short if not ref.role.hire or hire.max is None else min(short, hire.max)
    people = (
        tuple(h + hires * j for h, j in zip(have, joins, strict=True)) if ref.role.hire else have
    )
    # a window that fits caps one person's KR periods in it; one over capacity is named and
    # left uncapped (capping it would move its need into other months, hiding the overload)
    windows: dict[str, dict[tuple[int, ...], Fraction]] = {}
    for label, window, wanted, cap in checks:
        if wanted > sum((cap[i] * people[i] for i in window), Fraction(0)):
            span = _span(spec, window)
            binding.append(Binding(role_id(ref), f"over capacity {label} in {span} (support)"))
        else:
            runs = windows.setdefault(label.partition(" ")[0], {})
            runs[window] = sum((cap[i] for i in window), Fraction(0))
    fallback = Fraction(max(ref.headcount + hires, 1))
    divisor = tuple(p if p > 0 else fallback for p in people)
    return Staff(hires, divisor, binding, Limits(windows, tuple(p > 0 for p in people)))


def _labels(
    checks: Sequence[tuple[str, tuple[int, ...], Fraction, Sequence[Fraction]]],
    have: Sequence[Fraction],
) -> list[str]:
    """The capacities the people in place cannot meet in some window (each once, in order)."""
    out: list[str] = []
    for label, window, wanted, cap in checks:
        if wanted > sum((cap[i] * have[i] for i in window), Fraction(0)) and label not in out:
            out.append(label)
    return out


def _existing(spec: Spec, ref: RoleRef) -> tuple[Fraction, ...]:
    """The role's people in place per month, each as much as their ramp allows: named people
    from ``joined`` (already in the role without it) to ``left``; unnamed headcount is new
    from the plan's start, as for selling groups (:func:`okrplan.solve.groups.build_groups`)."""
    count, first, last = spec.period.count, spec.period.first.index, spec.period.last
    if not ref.role.people:
        return tuple(ref.headcount * r for r in ramp_curve(ref, 0, count))
    total = [Fraction(0)] * count
    for person in ref.role.people:
        joined, left = (person.joined, person.left) if isinstance(person, Person) else (None, None)
        start = None if joined is None else joined.index - first
        end = None if left is None or left >= last else left.index - first
        for i, r in enumerate(ramp_curve(ref, start, count, end)):
            total[i] += r
    return tuple(total)


def _span(spec: Spec, window: tuple[int, ...]) -> str:
    months = spec.period.months
    first, last = str(months[window[0]]), str(months[window[-1]])
    return first if first == last else f"{first}..{last}"


def _no_hire(spec: Spec, ref: RoleRef, unit: UnitRef, metric: str, short: int) -> Relaxation:
    return relaxation(
        spec.target.plan.locale,
        "hire",
        role_id(ref),
        "headcount",
        "0",
        str(short),
        unit=unit.unit.name,
        label=ref.label,
        supplies=spec.target.metrics[metric].name,
    )
