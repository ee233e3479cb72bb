"""The validated spec and what later stages ask of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

from okrplan.errors import Issue
from okrplan.periods import PlanPeriod
from okrplan.source import KeyPath
from okrplan.spec.schema import (
    TEMPLATE_FIELDS,
    Kpi,
    Role,
    RoleTemplate,
    ShareTarget,
    TargetFile,
    Unit,
)
from okrplan.workdays import WorkingDays, plan_working_days


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A unit with its position in the tree and in the file."""

    unit: Unit
    names: tuple[str, ...]
    path: KeyPath


@dataclass(frozen=True, slots=True)
class RoleRef:
    """A role entry with its unit, its cohort number among same-named entries, and its place."""

    role: Role
    unit: UnitRef
    cohort: int
    path: KeyPath

    @property
    def headcount(self) -> int:
        return self.role.headcount if self.role.headcount is not None else len(self.role.people)

    @property
    def label(self) -> str:
        return self.role.role if self.cohort == 1 else f"{self.role.role} ({self.cohort})"


@dataclass(frozen=True)
class Spec:
    """A validated target file, and the facts about it that every later stage needs."""

    file: str
    target: TargetFile
    warnings: tuple[Issue, ...] = ()

    @cached_property
    def period(self) -> PlanPeriod:
        """The plan period, its quarters counted from the fiscal year's first month."""
        plan = self.target.plan
        start = plan.fiscal_year_start
        if start is None:  # a 12-month range from February on is a fiscal year
            period = plan.period
            start = period.first.month if period.count == 12 and ".." in period.label else 1
        return replace(plan.period, fiscal_start=start)

    @cached_property
    def working_days(self) -> WorkingDays | None:
        """Working days per month under ``plan.calendar``; None counts calendar days."""
        country = self.target.plan.calendar
        return None if country is None else plan_working_days(country.upper(), self.period.months)

    @cached_property
    def units(self) -> tuple[UnitRef, ...]:
        """Every unit, depth first, in file order."""
        return tuple(_walk_units(self.target.org, (self.target.org.name,), ("org",)))

    @cached_property
    def roles(self) -> tuple[RoleRef, ...]:
        refs: list[RoleRef] = []
        catalogue = self.target.roles
        # what each catalogue entry sets, worked out once (a roster has thousands of entries
        # of one role)
        inherited = {name: _inherited(template) for name, template in catalogue.items()}
        for unit in self.units:
            seen: dict[str, int] = {}
            for i, written in enumerate(unit.unit.roles):
                role = _completed(written, catalogue.get(written.role), inherited.get(written.role))
                seen[role.role] = seen.get(role.role, 0) + 1
                refs.append(RoleRef(role, unit, seen[role.role], (*unit.path, "roles", i)))
        return tuple(refs)

    def with_warnings(self, warnings: tuple[Issue, ...]) -> Spec:
        """This spec with ``warnings``, keeping the facts already worked out from its target
        (the checks walk every unit and role entry; solving walks the same ones again)."""
        spec = Spec(self.file, self.target, warnings)
        known = self.__dict__  # what cached_property has stored so far
        spec.__dict__.update((name, known[name]) for name in _FACTS if name in known)
        return spec

    @property
    def kpi_path(self) -> KeyPath:
        """Where the primary target is written: ``kpi`` (one mapping) or ``kpi[0]``."""
        return ("kpi", 0) if isinstance(self.target.kpi, tuple) else ("kpi",)

    @property
    def further_targets(self) -> tuple[Kpi, ...]:
        """The targets after the primary (``kpi:`` as a list), in file order."""
        return self.target.targets[1:]

    @property
    def base_metric(self) -> str:
        """The metric quotas are expressed in: the KPI, or what a share KPI is a share of."""
        kpi = self.target.primary
        metric = self.target.metrics[kpi.metric]
        return next(iter(metric.share_of)) if metric.share_of else kpi.metric

    @cached_property
    def kpi_value(self) -> Decimal:
        """The KPI target in the base metric (a share target becomes revenue over the market)."""
        kpi = self.target.primary
        if isinstance(kpi.target, Decimal):
            return kpi.target
        market = next(iter(self.target.metrics[kpi.metric].share_of.values()))
        return share_end(kpi.target) * market

    def chain(self, metric: str) -> tuple[str, ...]:
        """The funnel from ``metric`` along ``yields`` to where it ends.

        On a validated spec this ends at the base metric for every selling role.
        """
        steps = [metric]
        metrics = self.target.metrics
        while metrics[steps[-1]].yields and len(steps) <= len(metrics):
            steps.append(next(iter(metrics[steps[-1]].yields)))
        return tuple(steps)

    def funnel(self, sells: str) -> tuple[str, ...]:
        """Every metric whose chain passes through ``sells``, upstream first, then ``sells``'s
        chain to the base metric: calls → visits → opportunities → deals → revenue."""
        upstream: list[str] = []
        current = sells
        while True:
            feeders = sorted(k for k, m in self.target.metrics.items() if current in m.yields)
            if not feeders or feeders[0] in upstream or len(upstream) > len(self.target.metrics):
                break
            current = feeders[0]
            upstream.append(current)
        return (*reversed(upstream), *self.chain(sells))


_FACTS = tuple(name for name, value in vars(Spec).items() if isinstance(value, cached_property))
"""The facts :class:`Spec` works out once from its target (its cached properties)."""


def with_template(role: Role, template: RoleTemplate | None) -> Role:
    """A role entry completed from its catalogue entry: every field the entry does not set
    itself comes from the catalogue; capacities merge metric by metric, the entry's winning.
    (:attr:`Spec.roles` completes every role the same way with each template's fields read
    once, by :func:`_completed`; this is the one-role form.)"""
    return _completed(role, template, None if template is None else _inherited(template))


def _inherited(template: RoleTemplate) -> tuple[tuple[str, Any], ...]:
    """The fields a catalogue entry sets itself, with their values."""
    written = template.model_fields_set
    return tuple((name, getattr(template, name)) for name in TEMPLATE_FIELDS if name in written)


def _completed(
    role: Role, template: RoleTemplate | None, inherited: tuple[tuple[str, Any], ...] | None
) -> Role:
    """:func:`with_template`, given what the template sets (:func:`_inherited`)."""
    if template is None or inherited is None:
        return role
    given = role.model_fields_set
    update: dict[str, Any] = {name: value for name, value in inherited if name not in given}
    if "capacity" in given and template.capacity:
        update["capacity"] = {**template.capacity, **role.capacity}
    return role.model_copy(update=update) if update else role


def share_end(target: ShareTarget) -> Decimal:
    """The share a share KPI ends at."""
    if target.to is not None:
        return target.to
    return target.start + (target.change or Decimal(0))


def _walk_units(unit: Unit, names: tuple[str, ...], path: KeyPath) -> Iterator[UnitRef]:
    yield UnitRef(unit, names, path)
    for i, child in enumerate(unit.units):
        yield from _walk_units(child, (*names, child.name), (*path, "units", i))
