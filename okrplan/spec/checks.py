"""Checks across the target file: references, cycles, seasonality, magnitudes, objectives."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import compress, pairwise, repeat
from operator import not_
from typing import Any, cast

from okrplan.errors import Issue, Severity
from okrplan.quantity import (
    format_percent,
)
from okrplan.source import KeyPath, Source
from okrplan.spec.checks_targets import TargetChecks
from okrplan.spec.fields import MAX_PLANNED, ONE
from okrplan.spec.refs import RoleRef, Spec, UnitRef, share_end
from okrplan.spec.schema import Hire, Person, ShareTarget
from okrplan.spec.words import suggest
from okrplan.workdays import countries

# ---------------------------------------------------------------------------------------------
# Checks across the file.


def check_spec(spec: Spec, source: Source) -> list[Issue]:
    """Every cross-reference and consistency problem of a schema-valid target file."""
    checker = _Checker(spec, source)
    checker.run()
    return checker.issues


class _Checker(TargetChecks):
    def run(self) -> None:
        self.check_plan()
        metrics_ok = self.check_metrics()
        self.check_kpi(metrics_ok)
        self.check_org(metrics_ok)
        self.check_hiring_costs()
        if not self.issues:  # the funnel and the roles are sound: size what the plan will hold
            self.check_magnitudes()
        self.check_split()
        self.check_objectives()
        self.check_weights()

    def check_plan(self) -> None:
        plan = self.target.plan
        if plan.calendar is not None and plan.calendar.upper() not in countries():
            self.error(
                ("plan", "calendar"),
                f"no holiday calendar for {plan.calendar!r}",
                suggest(plan.calendar.upper(), set(countries()), "country codes"),
            )
        season = plan.seasonality
        if season is None:
            return
        period = self.spec.period
        quarters, months = len(period.quarters), period.count
        aligned = (period.first.month - period.fiscal_start) % 3 == 0
        allowed = sorted({quarters, months} if aligned or months == 1 else {months})
        if len(season) not in allowed:
            shown = " or ".join(str(n) for n in allowed)
            self.error(
                ("plan", "seasonality"),
                f"{len(season)} values do not fit the plan period {period.label}",
                f"give {shown} values, one per quarter or month of the period",
            )
        elif sum(season) != 1:
            self.error(
                ("plan", "seasonality"),
                f"the values sum to {format_percent(Decimal(sum(season)))}, not 100%",
                "make the shares add up to exactly 100%",
            )

    def check_metrics(self) -> bool:
        ok = True
        for key, metric in self.target.metrics.items():
            for field in ("yields", "follows", "share_of"):
                refs: dict[str, Any] = getattr(metric, field)
                if field == "yields" and len(refs) > 1:
                    self.error(
                        ("metrics", key, field),
                        "a metric yields exactly one other metric",
                        "keep the main conversion; model a second path as its own metric",
                    )
                    ok = False
                for ref in refs:
                    if not self.known_metric(("metrics", key, field, ref), ref, at_key=True):
                        ok = False
                    elif ref == key:
                        self.error(
                            ("metrics", key, field, ref),
                            f"{key!r} refers to itself",
                            "a metric yields or follows another metric",
                            key=True,
                        )
                        ok = False
            if sum(bool(getattr(metric, f)) for f in ("yields", "follows", "share_of")) > 1:
                self.error(
                    ("metrics", key),
                    "a metric either yields, follows or is a share of "
                    "another, not several of these",
                    "keep one of yields, follows and "
                    "share_of; model the other relation as its own metric",
                )
                ok = False
            if metric.share_of and metric.kind != "share":
                self.error(
                    ("metrics", key, "kind"),
                    "a metric with share_of must have kind: share",
                    "set kind: share",
                    key=True,
                )
            for base, market in metric.share_of.items():
                if market <= 0:
                    self.error(
                        ("metrics", key, "share_of", base),
                        "the market size must be above 0 (a share of nothing plans nothing)",
                        "write the market's size, e.g. share_of: {revenue: 40亿}",
                    )
                    ok = False
            if metric.kind == "share" and not metric.share_of:
                self.error(
                    ("metrics", key),
                    f"the share metric {key!r} has no market size",
                    "add share_of: {revenue: 40亿} (revenue over the market size)",
                )
                ok = False
        return ok and self.check_cycles()

    def check_cycles(self) -> bool:
        from graphlib import CycleError, TopologicalSorter

        edges = [
            (key, ref)
            for key, metric in self.target.metrics.items()
            for ref in (*metric.yields, *metric.follows, *metric.share_of)
            if ref != key  # reported as "refers to itself"
        ]
        order: TopologicalSorter[str] = TopologicalSorter()
        for key, ref in edges:
            order.add(key, ref)
        try:  # no cycle: networkx's algorithms are not imported (see okrplan.lazy_networkx)
            order.prepare()
            return True
        except CycleError:
            pass
        import networkx as nx

        graph = nx.DiGraph()
        for key, ref in edges:
            graph.add_edge(key, ref)
        cycle = nx.find_cycle(graph)  # there is one: graphlib found it on these edges
        names = [str(edge[0]) for edge in cycle]
        # Point at the link out of the KPI's metric if it is in the cycle: results yield nothing.
        start = names.index(
            self.target.primary.metric if self.target.primary.metric in names else min(names)
        )
        names = names[start:] + names[:start]
        first, then = names[0], names[1 % len(names)]
        metric = self.target.metrics[first]
        field = next(f for f in ("yields", "follows", "share_of") if then in getattr(metric, f))
        self.error(
            ("metrics", first, field, then),
            "the metrics form a cycle: " + " → ".join([*names, first]),
            "a funnel runs one way: activities yield results, results never yield activities",
            key=True,
        )
        return False

    def check_kpi(self, metrics_ok: bool) -> None:
        kpi = self.target.primary
        at = self.spec.kpi_path
        if kpi.basis is not None:
            self.error(
                (*at, "basis"),
                "the primary target is split by split.basis; basis is for further targets",
                f"write split: {{basis: {kpi.basis}}}, or drop basis here",
                key=True,
            )
        self.check_targets(metrics_ok)
        if not self.known_metric((*at, "metric"), kpi.metric):
            return
        metric = self.target.metrics[kpi.metric]
        base = self.target.metrics.get(self.spec.base_metric)
        if metrics_ok and base is not None and base.yields:  # a cycle is reported already
            after = next(iter(base.yields))
            self.error(
                (*at, "metric"),
                f"the funnel must end at the KPI's metric "
                f"{self.spec.base_metric!r}, but it yields {after!r}",
                f"remove yields from metrics.{self.spec.base_metric}, or make {after} the KPI",
            )
        if isinstance(kpi.target, ShareTarget):
            if metric.kind != "share":  # a share metric without share_of is reported once, above
                self.error(
                    (*at, "target"),
                    f"a share target needs a share metric, and "
                    f"{kpi.metric!r} is a {metric.kind} metric",
                    "write an amount like 8000万, or point kpi.metric at a metric with "
                    "kind: share and share_of: {revenue: 40亿}",
                )
            if (kpi.target.change is None) == (kpi.target.to is None):
                self.error(
                    (*at, "target"),
                    "give exactly one of change and to",
                    "e.g. {from: 35%, change: +5pp} or {from: 35%, to: 40%}",
                )
            elif not 0 < share_end(kpi.target) <= 1:
                self.error(
                    (*at, "target"),
                    "the target share falls outside (0%, 100%]",
                    "a share ends above 0% and at most 100%: check from, change and to",
                )
            elif share_end(kpi.target) <= kpi.target.start:
                self.warn((*at, "target"), "the target share is not above today's share")
        elif metric.kind == "share":
            self.error(
                (*at, "target"),
                f"{kpi.metric!r} is a share; its target needs a start and a change",
                "write target: {from: 35%, change: +5pp}",
            )
        elif kpi.target <= 0:
            self.error(
                (*at, "target"),
                "the KPI target must be more than zero",
                "write the amount to reach, e.g. 8000万",
            )

    def check_org(self, metrics_ok: bool) -> None:
        spec = self.spec
        for unit in spec.units:
            names: dict[str, int] = {}
            for i, child in enumerate(unit.unit.units):
                if child.name in names:
                    self.error(
                        (*unit.path, "units", i, "name"),
                        f"two units in {unit.unit.name} are named {child.name!r} "
                        f"(the other is units[{names[child.name]}])",
                        "give sibling units different names",
                    )
                names.setdefault(child.name, i)
            if unit.unit.supports:
                self.check_support(unit)
            if unit.unit.roster is not None and unit.path != ("org",):
                self.error(
                    (*unit.path, "roster"),
                    "a roster belongs on org, the top unit",
                    "move roster: to org; its unit paths start below the top unit",
                    key=True,
                )
        self.check_catalogue()
        kpi_ok = self.target.primary.metric in self.target.metrics
        base = self.target.metrics.get(spec.base_metric) if kpi_ok else None
        chains_ok = metrics_ok and base is not None and not base.yields  # else reported at kpi
        sellers = 0
        for ref in spec.roles:
            sellers += self.check_role(ref, chains_ok)
        if sellers == 0 and kpi_ok:
            self.error(
                ("org",),
                "no role sells anything, so nobody carries the KPI",
                "add sells: deals (or the metric they produce) to the sales roles",
            )
        self.check_cohorts()

    def check_hiring_costs(self) -> None:
        """Costs price every hire or none: a role without a cost would count 1 yuan a person
        next to roles that cost 30万, so the cheapest plan would hire it first. A support role's
        hires follow from the supply it must make (not chosen against a budget), so a cost
        there would be ignored: it is refused rather than dropped."""
        hiring = [ref for ref in self.spec.roles if ref.role.hire]
        costed = [
            r for r in hiring if isinstance(r.role.hire, Hire) and r.role.hire.cost is not None
        ]
        for ref in costed:
            if ref.unit.unit.supports is not None:
                self.error(
                    (*ref.path, "hire", "cost"),
                    f"{ref.role.role} supports other units; its hires follow from the supply "
                    "and are not priced",
                    "remove cost here; costs and plan.hiring_budget apply to roles that sell",
                )
        if not costed:
            return
        priced = {id(ref) for ref in costed}
        for ref in hiring:
            if ref.unit.unit.supports is None and id(ref) not in priced:
                self.error(
                    (*ref.path, "hire"),
                    f"{ref.role.role} may hire but has no cost, while "
                    f"{costed[0].role.role} has one",
                    "give every role that may hire a cost, e.g. hire: {cost: 30万}",
                )

    def check_catalogue(self) -> None:
        """The role catalogue's metrics exist (a role entry using it is checked as written)."""
        for name, template in self.target.roles.items():
            path = ("roles", name)
            if template.sells is not None:
                self.known_metric((*path, "sells"), template.sells)
            for key in template.capacity:
                self.known_metric((*path, "capacity", key), key, at_key=True)

    def check_support(self, unit: UnitRef) -> None:
        support = unit.unit.supports
        assert support is not None
        self.known_metric((*unit.path, "supports", "metric"), support.metric)
        roles = [ref.role for ref in self.spec.roles if ref.unit.path == unit.path]
        if (
            roles
            and not any(r.sells for r in roles)
            and not any(
                support.metric == key or self.feeds(key, support.metric)
                for r in roles
                for key in r.capacity
            )
        ):
            self.warn(
                (*unit.path, "supports"),
                f"no role in {unit.unit.name} has a capacity for {support.metric}",
                "add capacity so the plan can check the supply",
            )

    def check_role(self, ref: RoleRef, chains_ok: bool) -> int:
        """Check one role entry; 1 if it sells (it carries part of the KPI), else 0."""
        self.check_headcount(ref)
        self.check_people(ref)
        role = ref.role
        if ref.unit.unit.supports is not None:
            return self.check_role_kind(ref, chains_ok)
        # the rest depends on what the entry sells, its capacities and hiring month alone:
        # a roster's thousands of entries of one role are checked once, unless it finds a
        # problem (then each entry is checked, each problem reported where it is)
        hire = role.hire
        by = hire.by if isinstance(hire, Hire) else None
        kind = (role.sells, tuple(role.capacity), by, role.quota is None)
        if kind in self.sound_kinds:
            return 0 if role.sells is None else 1
        before = len(self.issues)
        sells = self.check_role_kind(ref, chains_ok)
        if len(self.issues) == before:
            self.sound_kinds.add(kind)
        return sells

    def check_role_kind(self, ref: RoleRef, chains_ok: bool) -> int:
        """What :meth:`check_role` checks of an entry beyond its headcount and people."""
        role, path = ref.role, ref.path
        if (
            isinstance(role.hire, Hire)
            and role.hire.by
            and not (self.spec.period.first <= role.hire.by <= self.spec.period.last)
        ):
            self.error(
                (*path, "hire", "by"),
                f"{role.hire.by} is outside the plan period {self.spec.period.label}",
                f"use a month from {self.spec.period.first} to {self.spec.period.last}",
            )
        for key in role.capacity:
            self.known_metric((*path, "capacity", key), key, at_key=True)
        if ref.unit.unit.supports is not None and role.sells is None:
            self.check_support_role(ref)
            return 0
        if role.sells is None:
            if role.capacity or role.quota is not None:
                self.error(
                    (*path, "sells"),
                    f"{role.role} has a capacity or quota but sells nothing",
                    "add sells: deals (or the metric the role produces)",
                    key=True,
                )
            return 0
        if self.known_metric((*path, "sells"), role.sells) and chains_ok:
            self.check_selling_funnel(ref, role.sells)
        return 1

    def check_headcount(self, ref: RoleRef) -> None:
        role, path = ref.role, ref.path
        if role.headcount is None and not role.people:
            self.error(
                (*path, "headcount"),
                f"{role.role} in {ref.unit.unit.name} has no headcount",
                "add headcount: N, or list the people",
                key=True,
            )
        elif role.headcount is not None and role.people and role.headcount != len(role.people):
            named = "1 person is" if len(role.people) == 1 else f"{len(role.people)} people are"
            self.error(
                (*path, "headcount"),
                f"headcount is {role.headcount} but {named} named",
                "make them agree, or drop headcount",
            )
        elif ref.headcount == 0 and not role.hire:
            self.warn(
                (*path, "headcount"),
                f"{role.role} has nobody and may not hire",
                "set hire: true or remove the role",
            )

    def check_people(self, ref: RoleRef) -> None:
        """Named people: each once (a roster's thousands of names compared at once), joining
        before leaving, and not after the plan."""
        people = ref.role.people
        if not people:
            return  # a headcount alone
        # which are written with months (Person; the rest plain names), found by C loops
        plain = map(isinstance, people, repeat(str))  # (Person's isinstance runs Python)
        dated = list(compress(range(len(people)), map(not_, plain)))
        names: Sequence[str | Person] = people
        if dated:
            names = list(people)
            for i in dated:
                names[i] = cast(Person, people[i]).name
        if len(set(names)) < len(names):
            self.check_people_each(ref)  # in order: each repeat where it is
            return
        for i in dated:
            self.check_months(ref, i, cast(Person, people[i]))

    def check_people_each(self, ref: RoleRef) -> None:
        """:meth:`check_people` person by person, for a role that names someone twice."""
        seen_people: set[str] = set()
        for i, person in enumerate(ref.role.people):
            name = person if isinstance(person, str) else person.name
            if name in seen_people:
                self.error(
                    (*ref.path, "people", i),
                    f"{name!r} is named twice in this role",
                    "list each person once; tell namesakes apart, e.g. 张三(北京)",
                )
            seen_people.add(name)
            if isinstance(person, Person):
                self.check_months(ref, i, person)

    def check_months(self, ref: RoleRef, i: int, person: Person) -> None:
        """The ``i``-th named person joins before leaving, and not after the plan."""
        name, joined, left = person.name, person.joined, person.left
        if joined is not None and left is not None and left < joined:
            self.error(
                (*ref.path, "people", i, "left"),
                f"{name} leaves ({left}) before joining ({joined})",
                "check the two months",
            )
        if joined is not None and joined > (last := self.spec.period.last):
            self.error(
                (*ref.path, "people", i, "joined"),
                f"{name} joins after the plan ends",
                f"the plan ends in {last}; leave this person out",
            )

    def check_support_role(self, ref: RoleRef) -> None:
        """A support unit's role: capacity only for what it supplies (or upstream of it)."""
        role, path, support = ref.role, ref.path, ref.unit.unit.supports
        assert support is not None
        for key in role.capacity:
            if key != support.metric and not self.feeds(key, support.metric):
                self.error(
                    (*path, "capacity", key),
                    f"{ref.unit.unit.name} supplies "
                    f"{support.metric}; a capacity for {key!r} is never checked",
                    f"give {role.role} a capacity for {support.metric} or a metric "
                    "upstream of it (calls for meetings)",
                    key=True,
                )
        if role.quota is not None:
            self.error(
                (*path, "quota"),
                "a support role carries no revenue quota",
                "remove quota; the plan sets what the support unit supplies",
                key=True,
            )

    def check_selling_funnel(self, ref: RoleRef, sells: str) -> None:
        """A selling role's funnel reaches the KPI, and its capacities are steps of it."""
        role, path = ref.role, ref.path
        funnel = self.funnel(sells)
        base = self.spec.base_metric
        if funnel[-1] != base:
            chain = self.spec.chain(sells)
            self.error(
                (*path, "sells"),
                f"{sells!r} never reaches the KPI metric {base!r}: "
                + (
                    f"the chain {' → '.join(chain)} stops there"
                    if len(chain) > 1
                    else f"{sells!r} yields nothing"
                ),
                f"add yields to metrics.{chain[-1]} so the chain ends in {base}",
            )
            return
        for key in role.capacity:
            if key in self.target.metrics and key not in funnel:
                self.error(
                    (*path, "capacity", key),
                    f"{key!r} is not in {role.role}'s funnel ({' → '.join(funnel)})",
                    "capacity limits an activity of the role's own funnel",
                    key=True,
                )

    def check_magnitudes(self) -> None:
        """Refuse a file whose plan would hold numbers beyond :data:`MAX_PLANNED`: the KPI
        carried down every level with its buffer, each funnel activity it needs, and what the
        selling roles' capacity can carry. plan.json could not hold them, so every command
        after decompose would refuse the plan."""
        spec = self.spec
        levels = max(len(u.names) for u in spec.units)  # units below the top, then the roles
        top = spec.kpi_value * (1 + self.target.plan.buffer) ** levels
        limit = Decimal(MAX_PLANNED)
        if top > limit:
            self.error(
                (*spec.kpi_path, "target"),
                f"the KPI with a buffer of {format_percent(self.target.plan.buffer)} on each of "
                f"{levels} levels reaches {top:.3g}, beyond what a plan holds (10^18)",
                "check the target's digits and unit (万, 亿), and plan.buffer",
            )
            return
        needed: set[str] = set()
        total = Decimal(0)
        sold: set[str] = set()  # what a metric needs depends on the metric alone: once each
        for ref in spec.roles:
            if ref.role.sells is None or ref.unit.unit.supports is not None:
                continue
            for metric in () if ref.role.sells in sold else self.funnel(ref.role.sells):
                factor = self.factor(metric)
                if metric not in needed and top / factor > limit:
                    needed.add(metric)
                    self.error(
                        ("metrics", metric),
                        f"the KPI needs about {top / factor:.3g} of {metric}, beyond what a "
                        "plan holds (10^18)",
                        f"check the yields from {metric} to {spec.base_metric}: a rate or "
                        "amount with too many digits, or a missing 万 or %",
                    )
            sold.add(ref.role.sells)
            basis = self.capacity_basis(ref)
            total += basis
            if basis > limit:
                self.error(
                    (*ref.path, "capacity"),
                    f"{ref.label}'s capacity would carry about {basis:.3g} of "
                    f"{spec.base_metric}, beyond what a plan holds (10^18)",
                    "check the capacity, the headcount and the yields of the funnel "
                    f"from {ref.role.sells} to {spec.base_metric}",
                    key=True,
                )
        if total > limit and not any(i.severity is Severity.ERROR for i in self.issues):
            self.error(
                ("org",),
                f"the selling roles' capacity together would carry about {total:.3g} of "
                f"{spec.base_metric}, beyond what a plan holds (10^18)",
                "check the capacities, headcounts and yields",
            )

    def factor(self, metric: str) -> Decimal:
        """Units of the base metric that one unit of ``metric`` turns into (worked out once
        per metric: a roster's thousands of role entries ask again and again)."""
        found = self.factors.get(metric)
        if found is None:
            found = ONE
            for here, there in pairwise(self.spec.chain(metric)):
                found *= self.target.metrics[here].yields[there]
            self.factors[metric] = found
        return found

    def funnel(self, sells: str) -> tuple[str, ...]:
        """:meth:`Spec.funnel`, once per metric sold."""
        found = self.funnels.get(sells)
        if found is None:
            found = self.funnels[sells] = self.spec.funnel(sells)
        return found

    def capacity_basis(self, ref: RoleRef) -> Decimal:
        """An upper bound of what ``ref``'s people can carry over the plan: the least of their
        capacities over the whole plan, each turned into the base metric (a capacity checked
        per week or month never lets a person carry more than over the plan at once)."""
        per_plan = self.per_plan
        if not per_plan:  # once: the same for every role
            months = self.spec.period.count
            per_plan["week"], per_plan["month"] = Decimal(months * 31) / 7, Decimal(months)
            per_plan["quarter"], per_plan["year"] = Decimal(months) / 3, Decimal(months) / 12
        capacity = ref.role.capacity  # one person's part once per capacity: a few repeat
        # by identity first: a roster's entries share their catalogue role's capacity, and
        # the schema gives each distinct capacity text one Quantity (kept by the spec, so an
        # id is not reused)
        same = (ref.role.sells, *capacity, *map(id, capacity.values()))
        if (least := self.carried.get(same)) is not None:
            return least * max(ref.headcount, 1)
        key = (ref.role.sells, *((m, q.value, q.per) for m, q in capacity.items()))
        if (least := self.carried.get(key)) is None:
            funnel = self.funnel(ref.role.sells or "")
            carried = [
                q.value * per_plan.get(q.per, ONE) * self.factor(metric)
                for metric, q in capacity.items()
                if metric in funnel
            ]
            least = self.carried[key] = min(carried, default=Decimal(0))
        self.carried[same] = least
        return least * max(ref.headcount, 1)

    def check_cohorts(self) -> None:
        if all(ref.cohort == 1 for ref in self.spec.roles):
            return  # no role name twice in a unit (a roster's entries seldom repeat one)
        firsts: dict[tuple[KeyPath, str], RoleRef] = {}  # the first entry of each role name
        for ref in self.spec.roles:
            firsts.setdefault((ref.unit.path, ref.role.role), ref)
        for ref in self.spec.roles:
            if ref.cohort == 1:
                continue
            first = firsts[ref.unit.path, ref.role.role]
            if first.role.sells != ref.role.sells:
                self.error(
                    (*ref.path, "role"),
                    f"two groups named {ref.role.role!r} in "
                    f"{ref.unit.unit.name} sell different metrics",
                    "give them different role names",
                )

    def check_split(self) -> None:
        split = self.target.split
        bounds = split.bounds
        if bounds.min > 1:
            self.error(
                ("split", "bounds", "min"),
                "min must be at most 100%",
                "e.g. min: 70% lets a quota drop to 70% of its proportional share",
            )
        if bounds.max is not None and bounds.max < 1:
            self.error(
                ("split", "bounds", "max"),
                "max must be at least 100%",
                "e.g. max: 130% lets a quota rise to 130% of its proportional share",
            )
        for key in ("money", "count"):
            if getattr(split.rounding, key) <= 0:
                self.error(
                    ("split", "rounding", key),
                    "the rounding step must be more than zero",
                    "e.g. rounding: {money: 10万, count: 1}",
                )
        basis = split.basis
        if basis in {"history", "potential"}:
            for ref in self.spec.roles:
                if ref.role.sells and getattr(ref.role, basis) is None:
                    self.error(
                        (*ref.path,),
                        f"split.basis is {basis}, but {ref.label} in "
                        f"{ref.unit.unit.name} has no {basis}",
                        f"add {basis}: <last period's amount> to every selling role",
                    )
