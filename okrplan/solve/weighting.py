"""KR weights on every sheet, and each objective's share: the sum of its KRs' weights.

A sheet is one owner's KRs (deduction items left out; staffing KRs left out too when the
planner's fixed weights already make 100). A KR's leverage is the revenue of its owner that
flows through its metric times ``rate ÷ 2^funnel steps`` (see :mod:`okrplan.solve.weights`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from operator import attrgetter
from typing import Any

from okrplan.model import KeyResult, KRKind, Objective, RoleGroup, Status, Unit
from okrplan.solve.funnel import PersonSeries
from okrplan.solve.groups import Group
from okrplan.solve.options import DEFAULT_OPTIONS, SolverOptions, worst
from okrplan.solve.records import Sheets, weight_setter
from okrplan.solve.series import exact
from okrplan.solve.weights import WeightItem, sheet_key, weights_status
from okrplan.spec import Spec

Lever = tuple[int | Fraction, Fraction]
"""A KR's (revenue flowing through its metric, rate ÷ 2^funnel steps)."""

_ALIKE = attrgetter("metric", "weight", "kr_kind")  # what a KR's weight depends on, for alike

_NONE: Lever = (Fraction(0), Fraction(0))  # a KR without a metric (fractions are immutable)


def weigh(
    spec: Spec,
    owners: Sequence[Unit | RoleGroup],
    sheets: Sheets,
    groups: Sequence[Group],
    series: Mapping[str, PersonSeries],
    options: SolverOptions = DEFAULT_OPTIONS,
) -> Status:
    """Weigh every sheet: set each weighted KR's weight and each weighted objective's on its
    record, in place.

    Parameters
    ----------
    spec
        The validated target file.
    owners
        Unit and role records, in tree order.
    sheets
        Each owner's objectives and KRs (:func:`okrplan.solve.records.owner_sheets` of
        :func:`okrplan.solve.objectives.sheet_records`), KRs with their fixed weights: its
        own records, not seen by anyone yet (a KR without a weight here keeps its fixed one,
        an objective none).
    groups
        The solved groups (a role group's leverage is its quota).
    series
        Every owner's series (a support unit or role leverages its one supplied metric).
    options
        CP-SAT's settings.

    Returns
    -------
    Status
        Whether every sheet's weights are proven nearest their ideals. A role group's
        leverages are its quota times a factor per KR, and weights depend only on their
        ratios: groups of one role with the same KRs share one solve.
    """
    # set in place, not gathered in a dict of 150,000 ids to be looked up again
    weigher = _Weigher(spec, _Levers(spec, owners, groups, series), options)
    statuses: list[Status] = []
    deduction, staffing = KRKind.DEDUCTION, KRKind.STAFFING
    set_kr, set_objective = weight_setter(KeyResult), weight_setter(Objective)
    # list comprehensions, not generators: 20,000 sheets and 114,000 KRs at 100,000 people
    for owner in owners:
        objectives = sheets.get(owner.id)
        if objectives is None:
            continue
        krs = [k for _, ks in objectives for k in ks if k.kr_kind is not deduction]
        if _total(krs) >= 100:  # the planner's weights are complete
            krs = [k for k in krs if k.kr_kind is not staffing]
        if not krs:
            continue
        found, status = weigher.sheet(owner, krs)
        if status is not None:
            statuses.append(status)
        if len(found) != len(krs):
            raise ValueError(f"{len(found)} weights for {len(krs)} KRs")
        # set by C loops (map), not a Python loop per KR: 147,000 KRs in the 100k roster
        any(map(set_kr, krs, found))  # the setter returns None: any() runs them all
        # each objective's weight: the sum of its KRs' weights (those just set, the others'
        # own, or none)
        any(map(set_objective, [o for o, _ in objectives], [_total(ks) for _, ks in objectives]))
    return worst(*statuses)


def _total(krs: Sequence[KeyResult]) -> int | float:
    """The sum of the KRs' weights (none counts 0)."""
    return sum([k.weight or 0 for k in krs])


@dataclass
class _Weigher:
    """One owner's sheet at a time, with what sheets alike share (for :func:`weigh`)."""

    spec: Spec
    levers: _Levers
    options: SolverOptions
    cache: dict[Any, Any] = field(default_factory=dict)  # weights by the solve's inputs
    shared: dict[Any, list[int]] = field(default_factory=dict)  # a role's sheets alike
    alike: dict[Any, list[int]] = field(default_factory=dict)  # by _Levers.alike

    def sheet(
        self, owner: Unit | RoleGroup, krs: Sequence[KeyResult]
    ) -> tuple[list[int], Status | None]:
        """The weights of ``owner``'s weighted KRs, and whether they are proven nearest their
        ideals (None: the weights of a sheet alike, whose status is counted already)."""
        alike = self.levers.alike(owner, krs)
        if alike is not None:
            found = self.alike.get(alike)
            if found is not None:
                return found, None
        found, status = self._sheet(owner, krs)
        if alike is not None:
            self.alike[alike] = found
        return found, status

    def _sheet(
        self, owner: Unit | RoleGroup, krs: Sequence[KeyResult]
    ) -> tuple[list[int], Status | None]:
        rules = self.spec.target.weights
        given = [None if k.weight is None else int(k.weight) for k in krs]
        parts = self.levers.parts(owner, krs)
        key = None
        if _one_through(parts):
            # one amount (a role's quota; a unit's revenue where every metric flows through
            # all of it) behind every leverage: it cancels out of the ratios (the factors are
            # one object per metric, so their identities key them)
            key = (tuple(given), tuple(id(f) if t else 0 for t, f in parts))
        found = self.shared.get(key) if key is not None else None
        if found is not None:
            return found, None
        known = None
        if rules.rule == "leverage" and None in given:  # weighed before: no fractions made
            step, minimum = int(rules.step * 100), int(rules.min * 100)
            known = self.cache.get(sheet_key(given, _raws(given, parts), step, minimum))
        if known is not None:
            found, status = list(known[0]), known[1]
        else:
            found, status = self._solved(owner, krs, given, parts)
        if key is not None:
            self.shared[key] = found
        return found, status

    def _solved(
        self,
        owner: Unit | RoleGroup,
        krs: Sequence[KeyResult],
        given: Sequence[int | None],
        parts: Sequence[Lever],
    ) -> tuple[list[int], Status]:
        rules = self.spec.target.weights
        return weights_status(
            [
                WeightItem(k.name, g, t * f)  # both fractions (see _Levers.of)
                for k, g, (t, f) in zip(krs, given, parts, strict=True)
            ],
            rule=rules.rule,
            step=int(rules.step * 100),
            minimum=int(rules.min * 100),
            sheet=_sheet_name(owner),
            file=self.spec.file,
            cache=self.cache,
            options=self.options,
        )


def _raws(given: Sequence[int | None], parts: Sequence[Lever]) -> list[int]:
    """The free KRs' leverages (through × factor) times one positive number, as integers
    (for :func:`okrplan.solve.weights.sheet_key`): over the product of their denominators'
    least common multiple, without a fraction made or reduced."""
    nums, dens = [], []
    for weight, (through, factor) in zip(given, parts, strict=True):
        if weight is None:
            nums.append(through.numerator * factor.numerator)
            dens.append(through.denominator * factor.denominator)
    common = math.lcm(*dens)
    return [n * (common // d) for n, d in zip(nums, dens, strict=True)]


def _one_through(parts: Sequence[Lever]) -> bool:
    """Whether the leverages' nonzero amounts are one value (a role's are mostly its one quota
    object: identity answers before equality)."""
    first = None
    for through, _ in parts:
        if through:
            if first is None:
                first = through
            elif through is not first and through != first:
                return False
    return True


def _sheet_name(owner: Unit | RoleGroup) -> str:
    if isinstance(owner, RoleGroup) and len(owner.path) > 1:
        return f"{owner.label} in {owner.path[-2]}"
    return owner.name


class _Levers:
    """Each KR's leverage parts (a memo for the duration of :func:`weigh`)."""

    def __init__(
        self,
        spec: Spec,
        owners: Sequence[Unit | RoleGroup],
        groups: Sequence[Group],
        series: Mapping[str, PersonSeries],
    ) -> None:
        self.spec, self.series = spec, series
        self.groups = {g.id: g for g in groups}
        quotas = {
            o.id: exact(o.selling.quota)
            for o in owners
            if isinstance(o, RoleGroup) and o.selling is not None
        }
        self.quotas = quotas
        self.through = unit_through(spec, groups, quotas)
        self.factors: dict[str, tuple[str, Fraction]] = {}

    def alike(self, owner: Unit | RoleGroup, krs: Sequence[KeyResult]) -> tuple[Any, ...] | None:
        """What a role group's sheet's weights depend on, where that is cheaper to find than
        its leverages (None for another owner): each KR's leverage is its group's quota (or
        nothing, where the metric it flows through is not in the group's pipeline) times a
        factor of its metric, so the quota cancels out of their ratios, and the sheets of the
        groups of one profile (one pipeline object) with the same KRs get the same weights."""
        if not isinstance(owner, RoleGroup):
            return None
        group = self.groups.get(owner.id)
        if group is None:
            return None
        return (
            id(group.pipeline),  # kept alive by the groups
            self.quotas.get(owner.id) == 0,
            tuple(map(_ALIKE, krs)),
        )

    def parts(self, owner: Unit | RoleGroup, krs: Sequence[KeyResult]) -> list[Lever]:
        """Each KR's (revenue of the owner flowing through its metric, rate ÷ 2^funnel
        steps); what they read of the owner is looked up once per sheet."""
        flows: Mapping[str, Any]
        if isinstance(owner, RoleGroup):
            group = self.groups.get(owner.id)
            members = 0 if group is None else 1
            # every group's record has a quota (solve.org): its pipeline's metrics flow it
            # (a group without one would flow nothing, as one with an empty pipeline does)
            quota = self.quotas.get(owner.id, 0)
            flows = {} if group is None else dict.fromkeys(group.pipeline, quota)
        else:
            members, flows = self.through.get(owner.path, (0, {}))
        supplied = self.series.get(owner.id, {}) if not members else {}
        out: list[Lever] = []
        for kr in krs:
            if kr.metric is None:
                out.append(_NONE)
                continue
            found = self.factors.get(kr.metric)
            if found is None:
                found = self.factors[kr.metric] = lever_factor(self.spec, kr.metric)
            metric, factor = found
            # a support unit or role leverages its one supplied metric
            through: Any = 1 if metric in supplied else flows.get(metric, 0)
            out.append((through, factor))  # an int or a fraction: times the factor, a fraction
        return out


def lever_factor(spec: Spec, metric: str) -> tuple[str, Fraction]:
    """The metric a KR's revenue flows through (the followed one, or the base metric for a
    share), and rate ÷ 2^its funnel steps to the KPI."""
    rate = Fraction(1)
    definition = spec.target.metrics[metric]
    through = metric
    if definition.follows:
        source, follow_rate = next(iter(definition.follows.items()))
        through, rate = source, Fraction(follow_rate)
    elif definition.share_of or metric in {k.metric for k in spec.further_targets}:
        through = spec.base_metric  # a further target weighs like the primary one
    return through, rate / 2 ** (len(spec.chain(through)) - 1)


def unit_through(
    spec: Spec, groups: Sequence[Group], quotas: Mapping[str, Any]
) -> dict[tuple[str, ...], tuple[int, dict[str, Any]]]:
    """Per unit: how many groups are below it, and per metric the quota of those whose
    funnel the metric is in (added up once, from the bottom of the tree)."""
    own: dict[tuple[str, ...], list[Group]] = {}
    for group in groups:
        own.setdefault(group.unit.names, []).append(group)
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for unit in spec.units[1:]:
        children.setdefault(unit.names[:-1], []).append(unit.names)
    found: dict[tuple[str, ...], tuple[int, dict[str, Any]]] = {}
    for unit in reversed(spec.units):
        count = 0
        flows: dict[str, Any] = {}
        for group in own.get(unit.names, ()):
            count += 1
            for metric in group.pipeline:
                flows[metric] = flows.get(metric, 0) + quotas[group.id]
        for child in children.get(unit.names, ()):
            below, child_flows = found.get(child, (0, {}))
            count += below
            for metric, value in child_flows.items():
                flows[metric] = flows.get(metric, 0) + value
        found[unit.names] = (count, flows)
    return found
