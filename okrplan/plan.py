"""Solve a spec into a plan: quotas, hires, the reverse funnel, phasing, objectives and KRs.

:func:`solve_plan` is the main job. It builds the role groups, runs the quota model
(:mod:`okrplan.solve.allocate`), rounds quotas down the org tree with totals preserved, turns
each group's quota into per-person activity targets per period (activities rounded up), and
writes everything into one goal graph.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

import networkx as nx

from okrplan.graph import Edge, Kind, add_edge, add_node, attach_records, new_graph
from okrplan.periods import PlanPeriod
from okrplan.quantity import format_number
from okrplan.solve.allocate import Allocation, Relaxation, allocate
from okrplan.solve.groups import Group, Profile, Window, build_groups, support_shares
from okrplan.solve.phasing import apportion, ceil_fraction, iso_weeks, month_shares
from okrplan.solve.rounding import achievable, split_grains
from okrplan.spec import KeyResult, Objective, RoleRef, Spec, UnitRef, share_end


class Status(StrEnum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"


@dataclass(frozen=True)
class Plan:
    """A solved plan: the goal graph plus what the solver reports about it."""

    meta: dict[str, Any]
    solver: dict[str, Any]
    graph: nx.DiGraph
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        return Status(self.solver["status"])

    @property
    def locale(self) -> str:
        return str(self.meta.get("locale", "zh-CN"))


def number(value: Fraction | Decimal | int) -> int | float:
    """A plain JSON number: an int when whole, else the shortest exact-looking float."""
    fraction = Fraction(value)
    if fraction.denominator == 1:
        return int(fraction)
    return float(round(float(fraction), 6))


# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Series:
    """A metric's plan for one owner: exact amounts per month (``num[i] / den``), and how they
    round. Whole numbers over one denominator, so that adding up a large organisation is
    integer arithmetic; :attr:`months` gives the same values as fractions."""

    num: list[int]
    den: int
    money: bool
    share: bool = False

    @property
    def months(self) -> list[Fraction]:
        return [Fraction(n, self.den) for n in self.num]

    @classmethod
    def of(cls, months: Iterable[Fraction | int], money: bool) -> _Series:
        values = [v if isinstance(v, Fraction) else Fraction(v) for v in months]
        den = math.lcm(*(v.denominator for v in values)) if values else 1
        return cls([v.numerator * (den // v.denominator) for v in values], den, money)

    def times(self, factor: Fraction, money: bool) -> _Series:
        """This series × ``factor`` (exact)."""
        return _Series(
            [n * factor.numerator for n in self.num], self.den * factor.denominator, money
        )


def _rounded(num: int, den: int, money: bool) -> int | float:
    """``num / den`` as a KR shows it: money as :func:`number` does, counts rounded up."""
    if money:
        if num % den == 0:
            return num // den
        return float(round(num / den, 6))
    return -((-num) // den)


class _Sum:
    """Series of one metric added up over many groups, kept per denominator (integers only)."""

    __slots__ = ("money", "parts")

    def __init__(self, money: bool) -> None:
        self.money = money
        self.parts: dict[int, list[int]] = {}

    def add(self, num: list[int], den: int, times: int) -> None:
        acc = self.parts.get(den)
        if acc is None:
            self.parts[den] = [n * times for n in num]
        elif times == 1:
            self.parts[den] = [a + n for a, n in zip(acc, num, strict=True)]
        else:
            self.parts[den] = [a + n * times for a, n in zip(acc, num, strict=True)]

    def series(self, count: int) -> _Series:
        if not self.parts:
            return _Series([0] * count, 1, self.money)
        den = math.lcm(*self.parts)
        total = [0] * count
        for d, acc in self.parts.items():
            k = den // d
            total = [t + a * k for t, a in zip(total, acc, strict=True)]
        return _Series(total, den, self.money)


class _Builder:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.target = spec.target
        self.locale = spec.target.plan.locale
        self.period: PlanPeriod = spec.period
        self.season = month_shares(self.period, self.target.plan.seasonality)
        self.step = Fraction(self.target.split.rounding.money)
        self.period_step = max(self.step / 10, Fraction(1))
        self.growth = 1 + Fraction(self.target.plan.buffer)
        self.graph = new_graph()
        self.months = self.period.months
        self.month_labels = [str(m) for m in self.months]
        self.quarter_of = [m.quarter for m in self.months]
        self.quarter_count = len(self.period.quarters)
        self.weeks = iso_weeks(self.period)
        # each week as whole multiples of its months' amounts: (label, ((month, c), ...), L)
        self.week_parts: list[tuple[str, tuple[tuple[int, int], ...], int]] = []
        for week, parts in self.weeks.items():
            common = math.lcm(*(f.denominator for f in parts.values()))
            self.week_parts.append(
                (week, tuple((i, int(f * common)) for i, f in parts.items()), common)
            )
        self.week_days = sum(_days(m) for m in self.months)
        self.series: dict[str, dict[str, _Series]] = {}
        self.binding: list[str] = []
        self.relaxations: list[Relaxation] = []
        self.extra_hires: dict[str, tuple[RoleRef, int]] = {}
        self.units_by_names = {u.names: u for u in spec.units}
        self.child_units: dict[tuple[str, ...], list[UnitRef]] = {}
        for unit in spec.units[1:]:
            self.child_units.setdefault(unit.names[:-1], []).append(unit)
        self.roles_by_unit: dict[tuple[str, ...], list[RoleRef]] = {}
        for ref in spec.roles:
            self.roles_by_unit.setdefault(ref.unit.names, []).append(ref)
        self.on_stage: Callable[[str], None] | None = None
        self._phased: dict[tuple[Profile, Fraction], dict[str, _Series]] = {}
        self._kr_values: dict[tuple[_Series, str], tuple[Any, Any, Any]] = {}
        self._window_text: dict[Window, str] = {}
        self._marginals: dict[Profile, list[tuple[str, str, Fraction]]] = {}
        self._through: dict[tuple[str, ...], tuple[int, dict[str, Any]]] | None = None
        self._group_of: dict[str, Group] = {}
        self._chains: dict[str, tuple[str, ...]] = {}
        self._kr_base: dict[tuple[int, str], dict[str, Any]] = {}
        self._group_numbers: dict[Any, tuple[Any, ...]] = {}
        self._levers: dict[str, tuple[str, Fraction]] = {}
        self._applies: dict[tuple[int, str, tuple[str, ...], str | None], bool] = {}

    def stage(self, name: str) -> None:
        """Say that a stage of the work starts (for progress and the benchmark)."""
        if self.on_stage is not None:
            self.on_stage(name)

    def chain(self, metric: str) -> tuple[str, ...]:
        found = self._chains.get(metric)
        if found is None:
            found = self._chains[metric] = self.spec.chain(metric)
        return found

    # -- quotas ---------------------------------------------------------------------------------

    def solve(self) -> tuple[Allocation, list[Group]]:
        groups = build_groups(self.spec)
        allocation = allocate(self.spec, groups)
        return allocation, groups

    def round_quotas(
        self, allocation: Allocation, groups: list[Group]
    ) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
        """Per-person quotas of groups (in steps) and (target, assigned) of units (in steps)."""
        by_unit: dict[tuple[str, ...], list[Group]] = {}
        for group in groups:
            by_unit.setdefault(group.unit.names, []).append(group)
        selling = {names[:i] for names in by_unit for i in range(1, len(names) + 1)}
        below: dict[tuple[str, ...], list[tuple[str, ...]]] = {}  # selling units by parent
        for names in selling:
            if len(names) > 1:
                below.setdefault(names[:-1], []).append(names)
        ideal_unit: dict[tuple[str, ...], Fraction] = {}
        for names in sorted(selling, key=len, reverse=True):
            total = sum(
                (allocation.quotas.get(g.id, Fraction(0)) for g in by_unit.get(names, [])),
                Fraction(0),
            )
            total += sum((ideal_unit[c] for c in below.get(names, ())), Fraction(0))
            ideal_unit[names] = total / self.growth
        per_person: dict[str, int] = {}
        units: dict[str, tuple[int, int]] = {}
        root = self.spec.units[0]
        fixed_units = {
            u.names: Fraction(u.unit.quota) / self.step
            for u in self.spec.units
            if u.unit.quota is not None
        }

        unit_caps: dict[tuple[str, ...], int | None] = {}
        for names in sorted(selling, key=len, reverse=True):
            # the largest target (in steps) a unit can take and pass on within its groups'
            # capacity (its buffer may then fall short); None if something below is unbounded
            if names in fixed_units:
                unit_caps[names] = int(fixed_units[names])
                continue
            caps_below: list[int | None] = [unit_caps[c] for c in below.get(names, ())]
            for g in by_unit.get(names, []):
                cap = g.per_person_cap
                caps_below.append(
                    0
                    if g.headcount == 0
                    else None
                    if cap is None
                    else int(cap / self.step) * g.headcount
                )
            unit_caps[names] = None if None in caps_below else sum(c or 0 for c in caps_below)

        def descend(unit: UnitRef, target: Fraction) -> None:
            child_units = [u for u in self.child_units.get(unit.names, ()) if u.names in selling]
            child_groups = by_unit.get(unit.names, [])
            ideals = [ideal_unit[u.names] / self.step for u in child_units] + [
                allocation.quotas.get(g.id, Fraction(0)) / self.step for g in child_groups
            ]
            grains = [1] * len(child_units) + [max(g.headcount, 1) for g in child_groups]
            caps: list[int | None] = [unit_caps.get(u.names) for u in child_units]
            for g in child_groups:
                cap = g.per_person_cap
                caps.append(
                    0 if g.headcount == 0 else None if cap is None else int(cap / self.step)
                )
            fixed: list[int | None] = [
                int(fixed_units[u.names]) if u.names in fixed_units else None for u in child_units
            ] + [
                int(g.fixed / self.step / max(g.headcount, 1))
                if g.fixed is not None
                and (g.fixed / self.step / max(g.headcount, 1)).denominator == 1
                else None
                for g in child_groups
            ]
            assigned = achievable(target * self.growth, grains, caps, fixed, at_least=target)
            if assigned < target:  # capacity in whole steps per person falls short
                reach = format_number(int(assigned * self.step), self.locale)
                self.relaxations.append(
                    Relaxation(
                        "target",
                        "/".join(unit.names),
                        f"{unit.unit.name}: quotas in whole "
                        f"{format_number(int(self.step), self.locale)} per person within capacity "
                        f"reach {reach}, less than its target "
                        f"{format_number(math.ceil(target * self.step), self.locale)}; lower the "
                        "target to at most that",
                        format_number(math.ceil(target * self.step), self.locale),
                        reach,
                    )
                )
            scale = sum(ideals, Fraction(0))
            if scale > 0:
                ideals = [x * assigned / scale for x in ideals]
            counts = split_grains(assigned, ideals, grains, caps, fixed) if grains else []
            units[_unit_id(unit)] = (0, assigned)
            for u, k in zip(child_units, counts, strict=False):
                descend(u, Fraction(k))
                units[_unit_id(u)] = (k, units[_unit_id(u)][1])
            for g, k in zip(child_groups, counts[len(child_units) :], strict=True):
                per_person[g.id] = k

        kpi = Fraction(self.spec.kpi_value) / self.step
        descend(root, kpi)
        units[_unit_id(root)] = (0, units[_unit_id(root)][1])
        return per_person, units

    # -- the reverse funnel ---------------------------------------------------------------------

    def group_series(self, group: Group, person_quota: Fraction) -> dict[str, _Series]:
        """Per-person amounts per month of every metric the group works on (groups of one
        profile with the same quota share them)."""
        profile = group.shared()
        key = (profile, person_quota) if profile is not None else None
        if key is not None and key in self._phased:
            return dict(self._phased[key])
        revenue = _Series.of(self._phase(group, person_quota), True)
        out: dict[str, _Series] = {}
        base = self.spec.base_metric
        for metric, per_yuan in group.per_yuan.items():
            out[metric] = revenue.times(per_yuan, self.target.metrics[metric].kind == "money")
        out[base] = revenue
        self._followers(out)
        if key is not None:
            self._phased[key] = dict(out)
        return out

    def _phase(self, group: Group, quota: Fraction) -> list[Fraction]:
        """A person's quota per month, in period steps, by the group's weights and within every
        capacity window: quarters get their share first, then their months. Where a month
        holds less than a period step, amounts are phased to the yuan instead."""
        fallback: list[Fraction] = []
        for grain in dict.fromkeys((self.period_step, Fraction(1))):
            steps = int(quota / grain)
            caps: dict[tuple[int, ...], int] = {}  # a window's capacity, in grains
            for window in group.windows:
                per_yuan = group.per_yuan[window.metric]
                if per_yuan > 0:
                    most = int(window.capacity / per_yuan / grain)
                    caps[window.months] = min(most, caps.get(window.months, most))
            count = self.period.count
            quarters: dict[str, list[int]] = {}
            for i, month in enumerate(self.period.months):
                quarters.setdefault(month.quarter, []).append(i)
            blocks = [tuple(q) for q in quarters.values()]
            month_caps = [caps.get((i,)) for i in range(count)]
            block_caps = []
            for block in blocks:
                inner = [month_caps[i] for i in block]
                limits = [
                    c
                    for c in (
                        caps.get(block),
                        None if None in inner else sum(c or 0 for c in inner),
                    )
                    if c is not None
                ]
                block_caps.append(min(limits) if limits else None)
            amounts, fits = _capped(
                steps, [sum((group.weights[i] for i in b), Fraction(0)) for b in blocks], block_caps
            )
            months = [Fraction(0)] * count
            for block, amount in zip(blocks, amounts, strict=True):
                parts, inside = _capped(
                    amount, [group.weights[i] for i in block], [month_caps[i] for i in block]
                )
                fits = fits and inside
                for i, part in zip(block, parts, strict=True):
                    months[i] = part * grain
            if fits:
                return months
            fallback = fallback or months
        return fallback

    def _followers(self, out: dict[str, _Series]) -> None:
        for key, metric in self.target.metrics.items():
            for source, rate in metric.follows.items():
                if source in out and key not in out:
                    out[key] = out[source].times(Fraction(rate), metric.kind == "money")

    # -- the graph ------------------------------------------------------------------------------

    def build(self) -> Plan:
        self.stage("solve")
        allocation, groups = self.solve()
        feasible = allocation.status == "optimal"
        self.relaxations = list(allocation.relaxations)
        self.stage("rounding")
        if feasible:
            per_person, unit_quotas = self.round_quotas(allocation, groups)
        else:
            per_person = {
                g.id: int(
                    allocation.quotas.get(g.id, Fraction(0)) / self.step / max(g.headcount, 1)
                )
                for g in groups
            }
            unit_quotas = {}
        group_by_role: dict[str, list[Group]] = {}
        for group in groups:
            group_by_role.setdefault(_role_key(group.role), []).append(group)
            self._group_of[group.id] = group
        role_series: dict[str, dict[str, _Series]] = {}
        quotas: dict[str, Fraction] = {}
        for group in groups:
            quota = quotas[group.id] = Fraction(per_person.get(group.id, 0)) * self.step
            role_series[group.id] = self.group_series(group, quota)
        self.series.update(role_series)
        self.add_support(groups, role_series)
        self.add_unit_series(groups, unit_quotas)
        self.stage("graph")
        self.add_units(unit_quotas)
        for ref in self.spec.roles:
            for group in group_by_role.get(_role_key(ref), []):
                self.add_group(group, quotas[group.id], allocation)
            if ref.role.sells is None or ref.unit.unit.supports is not None:
                self.add_plain_role(ref)
        self.add_objectives(groups, allocation)
        self.add_alignment()
        self.stage("weights")
        self.add_weights(groups)
        status = Status.OPTIMAL if feasible and not self.relaxations else Status.INFEASIBLE
        hires = {gid: n for gid, n in allocation.hires.items() if n}
        hires.update({rid: n for rid, (_, n) in self.extra_hires.items()})
        solver = {
            "status": str(status),
            "stretch": max(
                (
                    d["stretch"]
                    for _, d in self.graph.nodes(data=True)
                    if d["kind"] == Kind.ROLE and d.get("stretch") is not None
                ),
                default=0.0,
            ),
            "binding": sorted(set(self.binding)),
            "relaxations": [_relaxation(r) for r in self.relaxations],
            "conflict": list(allocation.conflict),
            "hires": dict(sorted(hires.items())),
            "levels": {
                "/".join(r.unit.names): round(float(r.level), 6)
                for r in allocation.regions
                if r.level is not None
            },
        }
        meta = {
            "name": self.target.plan.name,
            "period": self.period.label,
            "locale": self.locale,
            "currency": self.target.plan.currency,
            "kpi": {
                "metric": self.target.kpi.metric,
                "base": self.spec.base_metric,
                "target": number(self.spec.kpi_value),
            },
            "buffer": number(self.target.plan.buffer),
            "months": [str(m) for m in self.period.months],
            "seasonality": [number(s) for s in self.season],
            "rounding": {"money": number(self.step), "count": 1},
            "weights": {
                "rule": self.target.weights.rule,
                "step": number(self.target.weights.step),
                "min": number(self.target.weights.min),
            },
        }
        metrics = {
            k: {
                "name": m.name,
                "kind": m.kind,
                "unit": m.unit,
                "yields": {t: number(v) for t, v in m.yields.items()},
                "follows": {t: number(v) for t, v in m.follows.items()},
                "share_of": {t: number(v) for t, v in m.share_of.items()},
            }
            for k, m in self.target.metrics.items()
        }
        attach_records(self.graph)
        return Plan(meta, solver, self.graph, metrics)

    def add_units(self, unit_quotas: dict[str, tuple[int, int]]) -> None:
        for unit in self.spec.units:
            uid = _unit_id(unit)
            attrs: dict[str, Any] = {
                "path": list(unit.names),
                "lead": unit.unit.lead,
                "level": "company" if len(unit.names) == 1 else "unit",
            }
            if uid in unit_quotas:
                target, assigned = unit_quotas[uid]
                attrs["target"] = self._unit_target(unit, target)
                attrs["assigned"] = number(assigned * self.step)
            if unit.unit.supports:
                attrs["supports"] = {
                    "metric": unit.unit.supports.metric,
                    "share": number(unit.unit.supports.share),
                }
            add_node(self.graph, uid, Kind.UNIT, unit.unit.name, **attrs)
            if len(unit.names) > 1:
                add_edge(self.graph, "u:" + "/".join(unit.names[:-1]), uid, Edge.CONTAINS)

    def add_group(self, group: Group, quota: Fraction, allocation: Allocation) -> None:
        ideal = allocation.quotas.get(group.id, Fraction(0))
        profile = group.shared()
        # groups alike in all that their numbers come from share them (a large organisation
        # has many such groups)
        key = (
            None
            if profile is None
            else (
                profile,
                group.headcount,
                quota,
                ideal,
                group.basis,
                group.fixed,
                group.upper_share,
                group.lower,
            )
        )
        numbers = self._group_numbers.get(key) if key is not None else None
        if numbers is None:
            numbers = (
                self._binding(group, ideal),
                number(quota * group.headcount),
                number(quota),
                number(round(group.basis / self.period_step) * self.period_step),
                round(float(quota * group.headcount / group.basis), 4) if group.basis else None,
                self._marginal(group),
            )
            if key is not None:
                self._group_numbers[key] = numbers
        reasons, total, each, basis, stretch, marginal = numbers
        self.binding.extend(f"{group.id}: {r}" for r in reasons)
        add_node(
            self.graph,
            group.id,
            Kind.ROLE,
            group.role.role.role,
            label=group.label,
            path=list(group.unit.names),
            headcount=group.headcount,
            people=list(group.people),
            new_hires=group.is_hire,
            sells=group.sells,
            quota=total,
            per_person=each,
            basis=basis,
            stretch=stretch,
            ramp=self._ramp_of(group),
            binding=list(reasons),
            marginal=[dict(m) for m in marginal],
            capacity={m: q.text or str(q.value) for m, q in group.role.role.capacity.items()},
        )
        add_edge(self.graph, _unit_id(group.unit), group.id, Edge.CONTAINS)

    def _ramp_of(self, group: Group) -> list[int | float]:
        profile = group.shared()
        if profile is None:
            return [number(r) for r in group.ramp]
        ramp = profile.cache.get("ramp numbers")
        if not isinstance(ramp, list):
            ramp = profile.cache["ramp numbers"] = [number(r) for r in group.ramp]
        return list(ramp)

    def _marginal(self, group: Group) -> list[dict[str, Any]]:
        """What one more unit of each capacity per person adds to the group's reachable quota."""
        profile = group.shared()
        gains = self._marginals.get(profile) if profile is not None else None
        if gains is None:
            gains = self._marginal_gains(group)
            if profile is not None:
                self._marginals[profile] = gains
        out = []
        for metric, per, each in gains:
            gain = each * group.headcount
            gain = round(gain / self.period_step) * self.period_step
            out.append({"metric": metric, "per": per, "adds": number(round(gain))})
        return out

    def _marginal_gains(self, group: Group) -> list[tuple[str, str, Fraction]]:
        """Per person: what one more unit of each capacity adds to the reachable quota."""
        from dataclasses import replace

        from okrplan.solve.groups import _per_month_capacity

        before = group.per_person_cap
        if before is None:
            return []
        out = []
        for metric, quantity in sorted(group.role.role.capacity.items()):
            extra = _per_month_capacity(Fraction(1), quantity.per, self.months)
            windows = tuple(
                replace(
                    w,
                    capacity=w.capacity
                    + sum((extra[i] * group.ramp[i] for i in w.months), Fraction(0)),
                )
                if w.metric == metric
                else w
                for w in group.windows
            )
            original = group.windows
            group.windows = windows
            after = group.per_person_cap or before
            group.windows = original
            out.append((metric, str(quantity.per) if quantity.per else "plan", after - before))
        return out

    def _binding(self, group: Group, ideal: Fraction) -> list[str]:
        reasons = []
        if group.fixed is not None:
            return ["fixed quota"]
        person = ideal / max(group.headcount, 1)
        for window in group.limiting_windows(person, Fraction(1, 10**6)):
            text = self._window_text.get(window)
            if text is None:
                months = [self.month_labels[i] for i in window.months]
                span = months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
                text = self._window_text[window] = (
                    f"capacity {window.metric} {window.label} in {span}"
                )
            reasons.append(text)
        if group.upper_share is not None and ideal >= group.upper_share * (1 - Fraction(1, 10**6)):
            reasons.append("bounds.max")
        if group.lower > 0 and ideal <= group.lower * (1 + Fraction(1, 10**6)):
            reasons.append("bounds.min")
        return reasons

    def add_plain_role(self, ref: RoleRef) -> None:
        rid = "r:" + "/".join((*ref.unit.names, ref.label))
        people = [p if isinstance(p, str) else p.name for p in ref.role.people]
        add_node(
            self.graph,
            rid,
            Kind.ROLE,
            ref.role.role,
            label=ref.label,
            path=list(ref.unit.names),
            headcount=ref.headcount,
            people=people,
            new_hires=False,
            sells=ref.role.sells,
            capacity={m: q.text or str(q.value) for m, q in ref.role.capacity.items()},
        )
        add_edge(self.graph, _unit_id(ref.unit), rid, Edge.CONTAINS)

    def add_support(self, groups: list[Group], role_series: dict[str, dict[str, _Series]]) -> None:
        """Support units: the share of a metric they supply, and their roles' capacity check."""
        shares = support_shares(self.spec)
        for unit in self.spec.units:
            support = unit.unit.supports
            if support is None:
                continue
            share = shares.get((unit.names[:-1], support.metric), Fraction(0))
            scope = unit.names[:-1]
            # Σ revenue × need per yuan × headcount, added up per need per yuan in integers
            sums: dict[Fraction, _Sum] = {}
            for group in groups:
                if group.unit.names[: len(scope)] == scope and support.metric in group.pipeline:
                    series = role_series[group.id][self.spec.base_metric]
                    rate = group.pipeline[support.metric]
                    sums.setdefault(rate, _Sum(False)).add(series.num, series.den, group.headcount)
            months = [Fraction(0)] * self.period.count
            for rate, total in sums.items():
                added = total.series(self.period.count)
                for i, value in enumerate(added.months):
                    months[i] += value * rate * Fraction(support.share)
            _ = share
            self.series[_unit_id(unit)] = {support.metric: _Series.of(months, False)}
            self._support_roles(unit, support.metric, months)

    def _support_roles(self, unit: UnitRef, metric: str, months: list[Fraction]) -> None:
        roles = [r for r in self.roles_by_unit.get(unit.names, ()) if metric in r.role.capacity]
        total_heads = sum(r.headcount for r in roles)
        if not roles:
            return
        from okrplan.solve.groups import _per_month_capacity, _windows_of

        for ref in roles:
            rid = "r:" + "/".join((*ref.unit.names, ref.label))
            share = Fraction(ref.headcount, total_heads) if total_heads else Fraction(1)
            per_person = [m * share / max(ref.headcount, 1) for m in months]
            self.series[rid] = {metric: _Series.of(per_person, False)}
            quantity = ref.role.capacity[metric]
            per_month = _per_month_capacity(Fraction(quantity.value), quantity.per, self.months)
            short = 0
            for window in _windows_of(quantity.per, self.months):
                need = sum((months[i] * share for i in window), Fraction(0))
                have = sum((per_month[i] for i in window), Fraction(0))
                if have > 0 and need > have * ref.headcount:
                    short = max(short, ceil_fraction(need / have) - ref.headcount)
                    self.binding.append(f"{rid}: capacity {metric} {quantity.text} (support)")
            if short <= 0:
                continue
            if ref.role.hire:
                self.extra_hires[rid] = (ref, short)
            else:
                name = self.target.metrics[metric].name
                self.relaxations.append(
                    Relaxation(
                        "hire",
                        rid,
                        f"{ref.label} in {unit.unit.name}: {short} more people to "
                        f"supply the {name} the sales units need (allow hire: true)",
                        "0",
                        str(short),
                    )
                )

    def add_unit_series(self, groups: list[Group], unit_quotas: dict[str, tuple[int, int]]) -> None:
        """A unit's metrics: the sum of its groups' (per person × headcount), quota for money.

        Added up once from the bottom of the tree (each unit adds its children's sums), in
        integers over each series' denominator, so a large organisation costs one pass."""
        count = self.period.count
        own_groups: dict[tuple[str, ...], list[Group]] = {}
        for group in groups:
            own_groups.setdefault(group.unit.names, []).append(group)
        sums: dict[tuple[str, ...], dict[str, _Sum]] = {}
        for unit in reversed(self.spec.units):  # children before their parents
            totals: dict[str, _Sum] = {}
            for group in own_groups.get(unit.names, ()):
                for metric, series in self.series[group.id].items():
                    acc = totals.get(metric)
                    if acc is None:
                        acc = totals[metric] = _Sum(series.money)
                    acc.money = series.money
                    acc.add(series.num, series.den, group.headcount)
            for child in self.child_units.get(unit.names, ()):
                for metric, part in sums.get(child.names, {}).items():
                    acc = totals.get(metric)
                    if acc is None:
                        acc = totals[metric] = _Sum(part.money)
                    acc.money = part.money
                    for den, values in part.parts.items():
                        acc.add(values, den, 1)
            if totals:
                sums[unit.names] = totals
        base = self.spec.base_metric
        for unit in self.spec.units:
            totals = sums.get(unit.names, {})
            if not totals:
                continue
            uid = _unit_id(unit)
            own = self.series.setdefault(uid, {})
            for metric, acc in totals.items():
                if metric not in own:
                    own[metric] = acc.series(count)
            if uid in unit_quotas and base in own:
                target = Fraction(self._unit_target(unit, unit_quotas[uid][0]))
                weights = own[base]
                steps = int(target / self.period_step)
                if Fraction(steps) * self.period_step == target:
                    grain = self.period_step
                    own[base] = _Series(
                        [x * grain.numerator for x in apportion(steps, weights.num)],
                        grain.denominator,
                        True,
                    )
                else:
                    total = sum(weights.num)
                    own[base] = _Series.of(
                        [target * Fraction(w, total) for w in weights.num]
                        if total
                        else weights.months,
                        True,
                    )
                self._refollow(own)

    def _unit_target(self, unit: UnitRef, target: int) -> int | float:
        """A unit's target as its node shows it (the KPI for the company)."""
        return number(self.spec.kpi_value) if len(unit.names) == 1 else number(target * self.step)

    def _refollow(self, out: dict[str, _Series]) -> None:
        for key, metric in self.target.metrics.items():
            for source, rate in metric.follows.items():
                if source in out:
                    out[key] = out[source].times(Fraction(rate), metric.kind == "money")

    # -- objectives -----------------------------------------------------------------------------

    def owners(self, groups: list[Group]) -> Iterable[tuple[str, str, UnitRef, str | None]]:
        """(owner id, level, unit, role name) for every unit and role, in tree order."""
        for unit in self.spec.units:
            level = "company" if len(unit.names) == 1 else "unit"
            yield _unit_id(unit), level, unit, None
        for node_id, data in self.graph.nodes(data=True):
            if data["kind"] == Kind.ROLE:
                unit = self.units_by_names[tuple(data["path"])]
                yield str(node_id), "role", unit, data["name"]

    def add_objectives(self, groups: list[Group], allocation: Allocation) -> None:
        objectives = self.target.objectives or _default_objectives(self.spec)
        hires_by_unit: dict[str, list[tuple[str, RoleRef, int, Group | None]]] = {}
        for group in groups:
            if group.is_hire and group.headcount > 0:
                hires_by_unit.setdefault(_unit_id(group.unit), []).append(
                    (group.id, group.role, group.headcount, group)
                )
        for rid, (ref, count) in sorted(self.extra_hires.items()):
            hires_by_unit.setdefault(_unit_id(ref.unit), []).append((rid, ref, count, None))
        for owner, level, unit, role_name in list(self.owners(groups)):
            number_ = 0
            for template in objectives:
                key = (id(template), level, unit.names, role_name)
                applies = self._applies.get(key)
                if applies is None:
                    applies = self._applies[key] = _applies(
                        template, level, unit, role_name, self.spec
                    )
                if not applies:
                    continue
                krs = [kr for kr in template.key_results if self._has(owner, level, kr)]
                if not krs:
                    continue
                number_ += 1
                oid = f"o:{owner[2:]}#{number_}"
                add_node(
                    self.graph,
                    oid,
                    Kind.OBJECTIVE,
                    template.title,
                    owner=owner,
                    detail=template.detail,
                )
                add_edge(self.graph, owner, oid, Edge.OWNS)
                for index, kr in enumerate(krs, start=1):
                    self.add_kr(f"k:{owner[2:]}#{number_}.{index}", oid, owner, level, kr)
            if owner in hires_by_unit:
                number_ += 1
                self.add_staffing(owner, number_, hires_by_unit[owner])

    def _has(self, owner: str, level: str, kr: KeyResult) -> bool:
        if kr.metric is None:
            return True
        if level == "company" and kr.metric == self.target.kpi.metric:
            return True
        return kr.metric in self.series.get(owner, {})

    def add_kr(self, kid: str, oid: str, owner: str, level: str, kr: KeyResult) -> None:
        per = kr.per or "plan"
        static = self._kr_base.get((id(kr), level))
        if static is None:
            static = self._kr_base[id(kr), level] = self._kr_static(kr, level, per)
        attrs: dict[str, Any] = {"owner": owner, "objective": oid}
        attrs.update(static)
        if kr.metric is None:
            attrs["periods"] = {}
            name = kr.text or ""
        else:
            metric = self.target.metrics[kr.metric]
            name = metric.name
            if level == "company" and kr.metric == self.target.kpi.metric and metric.share_of:
                target_share = share_end(self.target.kpi.target)  # type: ignore[arg-type]
                attrs.update(
                    target=number(target_share), per="plan", periods={}, target_kind="percent"
                )
            elif level == "company" and kr.metric == self.spec.base_metric:
                series = self.series[owner][kr.metric]
                attrs.update(
                    target=number(self.spec.kpi_value),
                    periods=self._periods(series, per),
                    target_kind="number",
                )
            else:
                series = self.series[owner][kr.metric]
                headline, periods, total = self._kr_numbers(series, per)
                attrs.update(
                    target=headline, periods=dict(periods), target_kind="number", total=total
                )
        add_node(self.graph, kid, Kind.KR, name, **attrs)
        add_edge(self.graph, owner, kid, Edge.OWNS)
        add_edge(self.graph, kid, oid, Edge.MEASURES)

    def add_staffing(
        self, owner: str, number_: int, hires: list[tuple[str, RoleRef, int, Group | None]]
    ) -> None:
        zh = self.locale == "zh-CN"
        oid = f"o:{owner[2:]}#{number_}"
        add_node(
            self.graph,
            oid,
            Kind.OBJECTIVE,
            "补充团队人力" if zh else "Staff the team",
            owner=owner,
            detail="",
        )
        add_edge(self.graph, owner, oid, Edge.OWNS)
        for index, (gid, ref, count, group) in enumerate(hires, start=1):
            hire = ref.role.hire
            by = getattr(hire, "by", None) or self.period.first
            text = (
                f"招聘 {count} 名{ref.role.role}，{by.month}月底前到岗"
                if zh
                else f"Hire {count} {ref.role.role} by the end of {by}"
            )
            kid = f"k:{owner[2:]}#{number_}.{index}"
            add_node(
                self.graph,
                kid,
                Kind.KR,
                text,
                owner=owner,
                objective=oid,
                metric=None,
                per="plan",
                weight=None,
                fixed_weight=False,
                direction="increase",
                deduction=None,
                due=str(by),
                kr_kind="staffing",
                text=text,
                target=count,
                target_kind="number",
                target_per=None,
                periods={},
                hires=gid,
            )
            add_edge(self.graph, owner, kid, Edge.OWNS)
            add_edge(self.graph, kid, oid, Edge.MEASURES)
            if group is not None:
                add_edge(self.graph, kid, gid, Edge.DRIVES)

    def add_weights(self, groups: list[Group]) -> None:
        """Weights on every sheet (see :mod:`okrplan.solve.weights`); O share = Σ its KRs.

        A role group's leverages are its quota times a factor per KR, and weights depend only
        on their ratios: groups of one role with the same KRs share one solve."""
        from okrplan.graph import krs_of, objectives_of
        from okrplan.solve.weights import WeightItem, solve_weights

        rules = self.target.weights
        step, minimum = int(rules.step * 100), int(rules.min * 100)
        cache: dict[Any, list[int]] = {}
        shared: dict[Any, list[int]] = {}
        nodes = self.graph.nodes
        for owner in [
            n for n, d in self.graph.nodes(data=True) if d["kind"] in (Kind.UNIT, Kind.ROLE)
        ]:
            objectives = objectives_of(self.graph, owner)
            krs = [
                k
                for o in objectives
                for k in krs_of(self.graph, o)
                if nodes[k]["kr_kind"] != "deduction"
            ]
            fixed = sum(nodes[k]["weight"] or 0 for k in krs)
            if fixed >= 100:  # the planner's weights are complete: added staffing KRs stay out
                krs = [k for k in krs if nodes[k]["kr_kind"] != "staffing"]
            if not krs:
                continue
            data = nodes[owner]
            kr_data = [nodes[k] for k in krs]
            given = [None if d["weight"] is None else int(d["weight"]) for d in kr_data]
            parts = [self._leverage_parts(owner, data, d, groups) for d in kr_data]
            throughs = [t for t, f in parts if f]
            key = None
            if (
                data["kind"] == Kind.ROLE
                and throughs
                and throughs[0] != 0
                and all(t == throughs[0] for t in throughs)
            ):
                # one quota behind every leverage: it cancels out of the ratios (the factors
                # are one object per metric, so their identities key them)
                key = (tuple(given), tuple(id(f) if t else 0 for t, f in parts))
                weights = shared.get(key)
            else:
                weights = None
            if weights is None:
                sheet = (
                    f"{data.get('label', data['name'])} in {data['path'][-2]}"
                    if data["kind"] == Kind.ROLE and len(data["path"]) > 1
                    else data["name"]
                )
                items = [
                    WeightItem(d["name"], g, Fraction(t * f))
                    for d, g, (t, f) in zip(kr_data, given, parts, strict=True)
                ]
                weights = solve_weights(
                    items,
                    rule=rules.rule,
                    step=step,
                    minimum=minimum,
                    sheet=sheet,
                    file=self.spec.file,
                    cache=cache,
                )
                if key is not None:
                    shared[key] = weights
            for d, weight in zip(kr_data, weights, strict=True):
                d["weight"] = weight
            for oid in objectives:
                nodes[oid]["weight"] = sum(nodes[k]["weight"] or 0 for k in krs_of(self.graph, oid))

    def _leverage(self, owner: str, kr: dict[str, Any], groups: list[Group]) -> Fraction:
        """Revenue of the owner flowing through the KR's metric, halved per funnel step."""
        through, factor = self._leverage_parts(owner, self.graph.nodes[owner], kr, groups)
        return Fraction(through * factor)

    def _leverage_parts(
        self, owner: str, data: dict[str, Any], kr: dict[str, Any], groups: list[Group]
    ) -> tuple[Fraction, Fraction]:
        """(revenue of the owner flowing through the KR's metric, rate ÷ 2^funnel steps)."""
        metric = kr.get("metric")
        if metric is None:
            return Fraction(0), Fraction(0)
        found = self._levers.get(metric)
        if found is None:  # the metric the revenue flows through, and rate ÷ 2^steps
            rate = Fraction(1)
            definition = self.target.metrics[metric]
            through_metric = metric
            if definition.follows:
                source, follow_rate = next(iter(definition.follows.items()))
                through_metric, rate = source, Fraction(follow_rate)
            elif definition.share_of:
                through_metric = self.spec.base_metric
            found = self._levers[metric] = (
                through_metric,
                rate / 2 ** (len(self.chain(through_metric)) - 1),
            )
        metric, factor = found
        if data["kind"] == Kind.ROLE:
            group = self._group_of.get(owner)
            members = 0 if group is None else 1
            through: Any = 0
            if group is not None and metric in group.pipeline:
                through = _exact(data["quota"])
        else:
            members, flows = self._unit_through(groups).get(tuple(data["path"]), (0, {}))
            through = flows.get(metric, 0)
        if not members and owner in self.series and metric in self.series[owner]:
            through = 1  # a support unit: its one supplied metric
        return Fraction(through), factor

    def _unit_through(
        self, groups: list[Group]
    ) -> dict[tuple[str, ...], tuple[int, dict[str, Any]]]:
        """Per unit: how many groups are below it, and per metric the quota of those whose
        funnel the metric is in (added up once, from the bottom of the tree)."""
        if self._through is not None:
            return self._through
        own: dict[tuple[str, ...], list[Group]] = {}
        for group in groups:
            own.setdefault(group.unit.names, []).append(group)
        found: dict[tuple[str, ...], tuple[int, dict[str, Any]]] = {}
        for unit in reversed(self.spec.units):
            count = 0
            flows: dict[str, Any] = {}
            for group in own.get(unit.names, ()):
                count += 1
                quota = _exact(self.graph.nodes[group.id]["quota"])
                for metric in group.pipeline:
                    flows[metric] = flows.get(metric, 0) + quota
            for child in self.child_units.get(unit.names, ()):
                below, child_flows = found.get(child.names, (0, {}))
                count += below
                for metric, value in child_flows.items():
                    flows[metric] = flows.get(metric, 0) + value
            found[unit.names] = (count, flows)
        self._through = found
        return found

    def _kr_static(self, kr: KeyResult, level: str, per: str) -> dict[str, Any]:
        """The attributes of a KR that come from its template alone (the same on every sheet)."""
        attrs: dict[str, Any] = {
            "metric": kr.metric,
            "per": per,
            "weight": number(kr.weight * 100) if kr.weight is not None else None,
            "fixed_weight": kr.weight is not None,
            "direction": kr.direction or "increase",
            "deduction": None,
            "due": str(kr.due) if kr.due else None,
        }
        if kr.metric is None:
            attrs["kr_kind"] = "deduction" if kr.deduction is not None else "manual"
            attrs["text"] = kr.text
            attrs["deduction"] = number(kr.deduction) if kr.deduction is not None else None
            attrs["target"] = number(kr.target.value) if kr.target is not None else None
            attrs["target_kind"] = str(kr.target.kind) if kr.target is not None else None
            attrs["target_per"] = str(kr.target.per) if kr.target and kr.target.per else None
        else:
            metric = self.target.metrics[kr.metric]
            attrs["kr_kind"] = "derived"
            attrs["text"] = metric.name
            attrs["unit"] = metric.unit
            attrs["money"] = metric.kind == "money"
        return attrs

    # -- headline values and periods ------------------------------------------------------------

    def _kr_numbers(
        self, series: _Series, per: str
    ) -> tuple[int | float, dict[str, int | float], int | float]:
        """A derived KR's headline, periods and total (shared by KRs of equal series)."""
        key = (series, per)
        found = self._kr_values.get(key)
        if found is None:
            found = self._kr_values[key] = (
                self._headline(series, per),
                self._periods(series, per),
                _rounded(sum(series.num), series.den, series.money),
            )
        return found

    def _periods(self, series: _Series, per: str) -> dict[str, int | float]:
        num, den, money = series.num, series.den, series.money
        if per == "week":
            return {
                week: _rounded(sum(num[i] * c for i, c in parts), den * common, money)
                for week, parts, common in self.week_parts
            }
        if per == "month" or (per == "plan" and self.quarter_count < 2):
            return {
                label: _rounded(n, den, money)
                for label, n in zip(self.month_labels, num, strict=True)
            }
        quarters: dict[str, int] = {}
        for quarter, n in zip(self.quarter_of, num, strict=True):
            quarters[quarter] = quarters.get(quarter, 0) + n
        return {q: _rounded(n, den, money) for q, n in quarters.items()}

    def _headline(self, series: _Series, per: str) -> int | float:
        total = sum(series.num)
        if per == "week":  # the plan's weekly average: total ÷ (days / 7)
            return _rounded(total * 7, series.den * self.week_days, series.money)
        count = {"plan": 1, "quarter": self.quarter_count, "month": self.period.count}[per]
        return _rounded(total, series.den * count, series.money)

    def _round(self, series: _Series, value: Fraction) -> int | float:
        return _rounded(value.numerator, value.denominator, series.money)

    # -- alignment ------------------------------------------------------------------------------

    def add_alignment(self) -> None:
        """aligns (child KR → parent KR), drives (within an owner), supports (support → fed)."""
        graph = self.graph
        by_owner: dict[str, dict[str, str]] = {}
        for node_id, data in graph.nodes(data=True):
            if data["kind"] == Kind.KR and data.get("metric"):
                by_owner.setdefault(data["owner"], {}).setdefault(data["metric"], node_id)
        parents = {
            node_id: parent
            for node_id, data in graph.nodes(data=True)
            if data["kind"] in (Kind.UNIT, Kind.ROLE)
            for parent, edge in graph.pred[node_id].items()
            if edge["kind"] == Edge.CONTAINS
        }
        for owner, krs in by_owner.items():
            for metric, kid in krs.items():
                up = parents.get(owner)
                while up is not None:
                    parent_kr = by_owner.get(up, {}).get(metric)
                    if parent_kr is not None and "supports" not in graph.nodes[owner]:
                        add_edge(graph, kid, parent_kr, Edge.ALIGNS)
                        break
                    up = parents.get(up)
                for downstream in self.chain(metric)[1:]:
                    if downstream in krs:
                        add_edge(graph, kid, krs[downstream], Edge.DRIVES)
                        break
            support = graph.nodes[owner].get("supports") if owner in graph else None
            if support and support["metric"] in krs:
                scope = parents.get(owner)
                fed = by_owner.get(scope or "", {}).get(support["metric"])
                if fed is not None:
                    add_edge(graph, krs[support["metric"]], fed, Edge.SUPPORTS)
                else:
                    for other, other_krs in sorted(by_owner.items()):
                        path = graph.nodes[other].get("path", [])
                        scope_path = graph.nodes[scope]["path"] if scope else []
                        if (
                            other != owner
                            and graph.nodes[other]["kind"] == Kind.ROLE
                            and path[: len(scope_path)] == scope_path
                            and support["metric"] in other_krs
                        ):
                            add_edge(
                                graph,
                                krs[support["metric"]],
                                other_krs[support["metric"]],
                                Edge.SUPPORTS,
                            )


def _exact(value: int | float) -> int | Fraction:
    """A JSON number as an exact value: an int as it is, a float as its exact fraction."""
    return value if isinstance(value, int) else Fraction(value)


def _capped(total: int, weights: list[Fraction], caps: list[int | None]) -> tuple[list[int], bool]:
    """:func:`apportion` within the caps that exist, or freely if they cannot hold the total
    (then False)."""
    limits = [c if c is not None else total for c in caps]
    fits = sum(limits) >= total
    return apportion(total, weights, limits if fits else None), fits


def _days(month: Any) -> int:
    from okrplan.solve.phasing import month_days

    return month_days(month)


def _unit_id(unit: UnitRef) -> str:
    return "u:" + "/".join(unit.names)


def _role_key(ref: RoleRef) -> str:
    return "/".join((*ref.unit.names, ref.label))


def _relaxation(r: Relaxation) -> dict[str, str]:
    return {
        "kind": r.kind,
        "subject": r.subject,
        "message": r.message,
        "current": r.current,
        "needed": r.needed,
    }


def _applies(
    template: Objective, level: str, unit: UnitRef, role_name: str | None, spec: Spec
) -> bool:
    if level not in template.at:
        return False
    if template.units and not any(
        name in template.units
        for name in unit.names[1:] + ((unit.names[0],) if level == "company" else ())
    ):
        return False
    return not (template.roles and (role_name is None or role_name not in template.roles))


def _default_objectives(spec: Spec) -> tuple[Objective, ...]:
    """Without objectives in the file: one O per level with the KPI and every funnel metric."""
    metrics: list[str] = []
    for ref in spec.roles:
        if ref.role.sells:
            for metric in spec.funnel(ref.role.sells):
                if metric not in metrics:
                    metrics.append(metric)
    order = [m for m in metrics if m != spec.base_metric]
    krs = [KeyResult(metric=spec.base_metric)] + [
        KeyResult(metric=m, per="month") for m in reversed(order)
    ]
    title = "完成销售任务" if spec.target.plan.locale == "zh-CN" else "Deliver the sales target"
    return (Objective(title=title, key_results=tuple(krs)),)


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


def solve_plan(spec: Spec, on_stage: Callable[[str], None] | None = None) -> Plan:
    """Decompose a validated spec into a plan (see the module docstring).

    ``on_stage`` is called with the name of each stage as it starts: ``solve`` (groups,
    hires, the split), ``rounding`` (quotas to steps, phasing, the funnel), ``graph``
    (units, roles, objectives, key results, alignment) and ``weights``.
    """
    builder = _Builder(spec)
    builder.on_stage = on_stage
    with bulk_work():
        return builder.build()
