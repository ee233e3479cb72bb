"""Solve a spec into a plan: quotas, hires, the reverse funnel, phasing, objectives and KRs.

:func:`solve_plan` runs the steps of :mod:`okrplan.solve` in order, each a function of values
that returns values:

1. groups (:func:`~okrplan.solve.groups.build_groups`) → the split with its hires
   (:func:`~okrplan.solve.allocate.allocate`);
2. quotas rounded down the org tree (:func:`~okrplan.solve.quotas.round_quotas`);
3. each person's series per month, funnel and phasing (:func:`~okrplan.solve.funnel.person_series`),
   support units and their hires (:func:`~okrplan.solve.support.plan_support`), unit series
   summed up the tree (:func:`~okrplan.solve.rollup.unit_series`);
4. records: units and roles (:mod:`okrplan.solve.org`), objectives and KRs
   (:func:`~okrplan.solve.objectives.sheet_records`), weights
   (:func:`~okrplan.solve.weighting.weigh`);
5. the goal graph (:func:`~okrplan.solve.assemble.assemble`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from okrplan.lazy_networkx import nx
from okrplan.model import RoleGroup, Status, Unit
from okrplan.planmeta import Relaxation, SolverReport
from okrplan.progress.config import Tracking
from okrplan.solve.allocate import Allocation, allocate
from okrplan.solve.assemble import assemble
from okrplan.solve.funnel import person_series
from okrplan.solve.groups import Group, build_groups, role_id
from okrplan.solve.hire_costs import hiring_meta
from okrplan.solve.krcounts import count_plan
from okrplan.solve.objectives import Hire, sheet_records
from okrplan.solve.options import DEFAULT_OPTIONS, SolverOptions, worst
from okrplan.solve.org import Roles, role_records, unit_records
from okrplan.solve.phasing import month_shares
from okrplan.solve.quotas import group_quotas, round_quotas
from okrplan.solve.records import owner_sheets
from okrplan.solve.rollup import unit_series
from okrplan.solve.series import Limits, number
from okrplan.solve.support import Support, plan_support
from okrplan.solve.targets import split_targets, unit_target_series, with_targets
from okrplan.solve.weighting import weigh
from okrplan.spec import Spec
from okrplan.spec.fields import UncertainRate

__all__ = ["Plan", "Status", "bulk_work", "number", "solve_plan"]


@dataclass(frozen=True)
class Plan:
    """A solved plan: the goal graph plus what the solver reports about it."""

    meta: dict[str, Any]
    solver: SolverReport
    graph: nx.DiGraph
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        return self.solver.status

    @property
    def locale(self) -> str:
        return str(self.meta.get("locale", "zh-CN"))


OnOwners = Callable[
    [Sequence[Unit | RoleGroup], dict[str, Any], dict[str, dict[str, Any]]],
    Callable[[Plan], None] | None,
]
"""What :func:`solve_plan` calls with a plan's owners, meta and metrics as soon as they are
known (its ``beside``)."""


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large plan is built or written.

    A plan of 100,000 people makes millions of small dicts and fractions and no reference
    cycles; the collector would scan them again and again (about a third of the time). On
    the way out they are moved to the oldest generation unscanned (``freeze`` then
    ``unfreeze``), so the first collection afterwards does not scan them all at once either.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def solve_plan(
    spec: Spec,
    on_stage: Callable[[str], None] | None = None,
    options: SolverOptions = DEFAULT_OPTIONS,
    *,
    beside: OnOwners | None = None,
) -> Plan:
    """Decompose a validated spec into a plan (see the module docstring).

    ``on_stage`` is called with the name of each stage as it starts: ``solve`` (groups,
    hires, the split), ``rounding`` (quotas to steps, phasing, the funnel), ``graph``
    (units, roles, objectives, key results) and ``weights`` (weights, the graph).

    ``beside`` is called then with the plan's owners (units and role groups), meta and
    metrics (:mod:`okrplan.forecast.early`); what it returns, if not None, with the plan.
    """
    stage = on_stage or (lambda _: None)
    with bulk_work():
        stage("solve")
        allocation = allocate(spec, build_groups(spec), options)
        groups = allocation.groups
        stage("rounding")
        quotas = round_quotas(spec, allocation, options)
        step = Fraction(spec.target.split.rounding.money)
        per_person = group_quotas(quotas, groups, step)
        series = person_series(spec, groups, per_person)
        unit_targets = {uid: given * step for uid, (given, _) in quotas.units.items()}
        splits = split_targets(spec, groups, per_person, unit_targets, options)
        series = with_targets(spec, groups, series, splits)
        support = plan_support(spec, groups, series)
        series = {**series, **support.series}
        series.update(unit_series(spec, groups, series, quotas.units))
        series.update(unit_target_series(spec, series, splits))
        stage("graph")
        roles = role_records(spec, groups, allocation.quotas, per_person)
        owners: list[Unit | RoleGroup] = [*unit_records(spec, quotas.units), *roles.records]
        hires = _hire_counts(allocation, support)
        meta, metrics = _meta(spec, hires), _metrics(spec)
        solved = None if beside is None else beside(owners, meta, metrics)
        limits = {**_limits(groups), **support.limits}
        counts = count_plan(spec)
        items = sheet_records(
            spec, roles.records, series, _hires(allocation, support), limits, counts
        )
        stage("weights")
        sheets = owner_sheets(items)
        weighted = weigh(spec, owners, sheets, groups, series, options)  # sets them in place
        graph = assemble(spec, owners, items, sheets)
        solver = _report(
            allocation,
            worst(quotas.status, *(s.status for s in splits)),
            quotas.relaxations,
            support,
            roles,
            weighted,
            hires,
        )
        plan = Plan(meta, solver, graph, metrics)
        if solved is not None:
            solved(plan)
        return plan


def _report(
    allocation: Allocation,
    rounded: Status,
    rounding: Sequence[Relaxation],
    support: Support,
    roles: Roles,
    weighted: Status,
    hires: dict[str, int],
) -> SolverReport:
    """What solving says of the plan: the worst status of its steps (infeasible where any
    step offers a relaxation), the largest stretch, and what bound, was relaxed and hired."""
    relaxations = (*allocation.relaxations, *rounding, *support.relaxations)
    status = worst(allocation.status, rounded, weighted)
    if relaxations:
        status = Status.INFEASIBLE
    return SolverReport(
        status=status,
        stretch=max(
            (
                r.selling.stretch
                for r in roles.records
                if r.selling is not None and r.selling.stretch is not None
            ),
            default=0.0,
        ),
        binding=tuple(sorted({*roles.binding, *support.binding}, key=str)),
        relaxations=relaxations,
        conflict=tuple(allocation.conflict),
        hires=hires,
        hires_without_buffer=allocation.kpi_hires or {},
        levels={
            r.name: round(float(r.level), 6) for r in allocation.regions if r.level is not None
        },
    )


def _limits(groups: Sequence[Group]) -> dict[str, Limits]:
    """Each group's capacity per metric and run of months, and the months its people work
    (one value for the groups of one profile: same windows, same ramp)."""
    out: dict[str, Limits] = {}
    shared: dict[tuple[int, int], Limits] = {}
    for group in groups:
        key = (id(group.windows), id(group.ramp))  # objects the groups of a profile share
        limits = shared.get(key)
        if limits is None:
            windows: dict[str, dict[tuple[int, ...], Fraction]] = {}
            for window in group.windows:
                runs = windows.setdefault(window.metric, {})
                runs[window.months] = min(window.capacity, runs.get(window.months, window.capacity))
            limits = shared[key] = Limits(windows, tuple(r > 0 for r in group.ramp))
        out[group.id] = limits
    return out


def _hires(allocation: Allocation, support: Support) -> list[Hire]:
    """Staffing KRs to write: hiring groups with hires, then support roles (by id)."""
    hires = [
        Hire(g.id, g.role, g.headcount) for g in allocation.groups if g.is_hire and g.headcount > 0
    ]
    hires += [Hire(rid, ref, count) for rid, (ref, count) in sorted(support.hires.items())]
    return hires


def _hire_counts(allocation: Allocation, support: Support) -> dict[str, int]:
    hires = {gid: n for gid, n in allocation.hires.items() if n}
    hires.update({rid: n for rid, (_, n) in support.hires.items()})
    return dict(sorted(hires.items()))


def _meta(spec: Spec, hires: dict[str, int]) -> dict[str, Any]:
    """plan.json's ``plan`` section (``hires``: the hires by group, see :func:`_hire_counts`)."""
    return _plan_meta(spec) | _attainment(spec) | hiring_meta(spec, hires)


def _plan_meta(spec: Spec) -> dict[str, Any]:
    target = spec.target
    return {
        "name": target.plan.name,
        "period": spec.period.label,
        "locale": target.plan.locale,
        "currency": target.plan.currency,
        "kpi": {
            "metric": target.primary.metric,
            "base": spec.base_metric,
            "target": number(spec.kpi_value),
        },
        **({"targets": _further(spec)} if spec.further_targets else {}),
        "buffer": number(target.plan.buffer),
        "months": [str(m) for m in spec.period.months],
        **(
            {"fiscal_year_start": spec.period.fiscal_start} if spec.period.fiscal_start != 1 else {}
        ),
        "seasonality": [number(s) for s in month_shares(spec.period, target.plan.seasonality)],
        "rounding": {"money": number(Fraction(target.split.rounding.money)), "count": 1},
        "weights": {
            "rule": target.weights.rule,
            "step": number(target.weights.step),
            "min": number(target.weights.min),
        },
        # pace thresholds for `okrplan status`, only where the target file sets them
        **(
            {"tracking": _tracking(target.tracking)}
            if "tracking" in target.model_fields_set
            else {}
        ),
    }


def _further(spec: Spec) -> list[dict[str, Any]]:
    """The further targets as plan.json's meta lists them: metric, target and basis."""
    return [
        {"metric": k.metric, "target": number(Decimal(str(k.target))), "basis": k.basis or "quotas"}
        for k in spec.further_targets
    ]


def _tracking(tracking: Tracking) -> dict[str, Any]:
    return {"on_track": number(tracking.on_track), "behind": number(tracking.behind)}


def _metrics(spec: Spec) -> dict[str, dict[str, Any]]:
    return {
        k: {
            "name": m.name,
            "kind": m.kind,
            "unit": m.unit,
            "yields": {t: number(v) for t, v in m.yields.items()},
            "follows": {t: number(v) for t, v in m.follows.items()},
            "share_of": {t: number(v) for t, v in m.share_of.items()},
        }
        | _uncertainty(m.yields)
        for k, m in spec.target.metrics.items()
    }


def _uncertainty(yields: Mapping[str, Decimal]) -> dict[str, Any]:
    """A metric's ``uncertainty`` (for okrplan forecast), only where the target file gives it:
    ``{"deals": {"from": [50, 200]}}`` or ``{"deals": {"spread": 0.05}}``."""
    given = {
        to: {"from": [v.won, v.tried]} if v.tried is not None else {"spread": number(v.spread or 0)}
        for to, v in yields.items()
        if isinstance(v, UncertainRate)
    }
    return {"uncertainty": given} if given else {}


def _attainment(spec: Spec) -> dict[str, Any]:
    """The plan's ``attainment`` per role group id (for okrplan forecast), only where given."""
    given = {
        role_id(ref): {"mean": number(a.mean), "spread": number(a.spread)}
        for ref in spec.roles
        if (a := ref.role.attainment) is not None
    }
    return {"attainment": given} if given else {}
