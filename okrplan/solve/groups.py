"""Role groups: identical people in one role of one unit, and what the optimizer knows of them.

A group is the optimizer's unit of decision. For each group this module works out, per month of
the plan: how much of its quota falls in the month (seasonality, tilted by ramp), what one person
can do (capacity × ramp), how many of each funnel activity one yuan of quota needs (the reverse
funnel after what support units supply: what the group works, and what it sources itself, which
is what capacity is checked against), and so the largest quota the group can carry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from typing import Any, TypeVar, cast, dataclass_transform

from okrplan.periods import Month, quarter_label
from okrplan.quantity import Per
from okrplan.solve.phasing import month_days, month_shares
from okrplan.spec import Hire, Person, RoleRef, Spec, UnitRef
from okrplan.workdays import WorkingDays


@dataclass(frozen=True, slots=True)
class Window:
    """A capacity check: one activity over a run of months (a month, a quarter or the plan)."""

    metric: str
    months: tuple[int, ...]
    capacity: Fraction  # what one person can do in the window, ramp included
    label: str  # the capacity as written, e.g. 100/周

    def need(self, weights: tuple[Fraction, ...], per_yuan: Fraction) -> Fraction:
        """Activity one yuan of a person's quota needs in this window."""
        return per_yuan * sum((weights[i] for i in self.months), Fraction(0))


@dataclass(slots=True, eq=False)
class Profile:
    """What identical role entries share: everything about a person of the group but how many
    there are. Groups of one role definition (capacity, ramp, start, sells, supplied shares)
    share one profile, so a large organisation computes it once, not once per team."""

    ramp: tuple[Fraction, ...]
    weights: tuple[Fraction, ...]
    per_yuan: dict[str, Fraction]  # self-sourced, what capacity is checked against
    pipeline: dict[str, Fraction]  # what the group works, supplied part included
    windows: tuple[Window, ...]
    needs: tuple[Fraction, ...] = ()  # each window's activity per yuan of a person's quota
    cap: Fraction | None = None  # the largest quota one person can carry
    cache: dict[object, object] = field(default_factory=dict)  # derived values, by name

    def __post_init__(self) -> None:
        self.needs = tuple(w.need(self.weights, self.per_yuan[w.metric]) for w in self.windows)
        self.cap = _cap(self.windows, self.needs)


def _cap(windows: tuple[Window, ...], needs: tuple[Fraction, ...]) -> Fraction | None:
    best: Fraction | None = None
    for window, need in zip(windows, needs, strict=True):
        if need > 0:
            limit = window.capacity / need
            best = limit if best is None else min(best, limit)
    return best


_T = TypeVar("_T")


@dataclass_transform(frozen_default=True, eq_default=False)
def _value(cls: type[_T]) -> type[_T]:
    """A frozen dataclass to the type checker, a plain slotted one at run time.

    A large organisation has tens of thousands of groups, each made and replaced a few times
    while solving. A frozen dataclass sets each of its 22 fields through
    ``object.__setattr__``; a plain one stores them directly, about four times faster
    (:func:`evolve`). Nothing else may assign to a group: mypy rejects it as on any frozen
    dataclass."""
    return dataclass(slots=True, eq=False)(cls)


@_value
class Group:
    """People of one role in one unit who get identical targets.

    A value: the quota model returns new groups (:func:`dataclasses.replace`) with their
    basis, bounds and hired headcount rather than changing these."""

    id: str
    unit: UnitRef
    role: RoleRef
    label: str
    headcount: int
    depth: int
    sells: str
    ramp: tuple[Fraction, ...]  # effective share of a full person, per month
    weights: tuple[Fraction, ...]  # share of the quota per month, summing to 1
    per_yuan: dict[str, Fraction]  # self-sourced activity per yuan (capacity), by metric
    pipeline: dict[str, Fraction]  # what the group works per yuan (after supports), by metric
    windows: tuple[Window, ...]
    people: tuple[str, ...] = ()
    hire: Hire | None = None  # set on a group of new hires
    start: int | None = 0  # month index from which new people count; None: fully ramped
    end: int | None = None  # the last month index the people work (``left``); None: to the end
    basis: Fraction = Fraction(0)
    fixed: Fraction | None = None
    lower: Fraction = Fraction(0)
    upper_share: Fraction | None = None  # from split.bounds.max
    step: Fraction = Fraction(0)  # per-person quotas are whole multiples of this (money step)
    profile: Profile | None = None  # shared with identical groups (see build_groups)

    def shared(self) -> Profile | None:
        """The profile, if the group's own attributes are still the profile's."""
        p = self.profile
        if (
            p is not None
            and self.windows is p.windows
            and self.weights is p.weights
            and (self.per_yuan is p.per_yuan)
        ):
            return p
        return None

    def _needs(self) -> tuple[Fraction, ...]:
        p = self.shared()
        if p is not None:
            return p.needs
        return tuple(w.need(self.weights, self.per_yuan[w.metric]) for w in self.windows)

    @property
    def per_person_cap(self) -> Fraction | None:
        """The largest quota one person can carry, or None if nothing limits it."""
        p = self.profile
        if (  # self.shared(), inline: every basis and bound asks
            p is not None
            and self.windows is p.windows
            and self.weights is p.weights
            and self.per_yuan is p.per_yuan
        ):
            return p.cap
        return _cap(self.windows, self._needs())

    @property
    def quota_cap(self) -> Fraction | None:
        """The largest per-person quota that is a whole number of steps and within capacity."""
        p = self.profile
        shared = (  # self.shared(), inline: every bound of every group asks, several times
            p is not None
            and self.windows is p.windows
            and self.weights is p.weights
            and self.per_yuan is p.per_yuan
        )
        if (
            p is not None and shared
        ):  # (step, cap): the step compared by identity first (no hashing)
            found = p.cache.get("quota_cap")
            if found is not None and (found[0] is self.step or found[0] == self.step):  # type: ignore[index]
                return found[1]  # type: ignore[index,no-any-return]
        cap = self.per_person_cap
        if cap is not None and self.step > 0:
            cap = math.floor(cap / self.step) * self.step
        if p is not None and shared:
            p.cache["quota_cap"] = (self.step, cap)
        return cap

    def binding_windows(self, quota_per_person: Fraction, tolerance: Fraction) -> list[Window]:
        """Capacity windows the given per-person quota fills (within ``tolerance``)."""
        if quota_per_person <= 0:
            return []  # no need, nothing filled
        p = self.shared()
        if p is not None:
            # a window is filled from the quota capacity × (1 - tolerance) / need on
            key = ("thresholds", tolerance)
            cached = p.cache.get(key)
            if cached is None:
                levels = [
                    None if need <= 0 else window.capacity * (1 - tolerance) / need
                    for window, need in zip(self.windows, p.needs, strict=True)
                ]
                lowest = min((x for x in levels if x is not None), default=None)
                cached = p.cache[key] = (levels, lowest)
            levels, lowest = cached  # type: ignore[misc]
            if lowest is None or quota_per_person < lowest:
                return []
            return [
                w
                for w, level in zip(self.windows, levels, strict=True)
                if level is not None and quota_per_person >= level
            ]
        found = []
        for window, per_yuan in zip(self.windows, self._needs(), strict=True):
            need = per_yuan * quota_per_person
            if need > 0 and need >= window.capacity * (1 - tolerance):
                found.append(window)
        return found

    @property
    def is_hire(self) -> bool:
        return self.hire is not None


def evolve(group: Group, **changes: Any) -> Group:
    """``group`` with ``changes``: :func:`dataclasses.replace` without its per-call cost (a
    large organisation has tens of thousands of groups, each replaced a few times while
    solving). Nothing is checked or derived in ``__init__``, so copying the fields is the
    same; tests/test_groups_evolve.py checks that every field is copied."""
    new: Any = object.__new__(Group)  # filled below: Group is frozen only to the type checker
    new.id = group.id
    new.unit = group.unit
    new.role = group.role
    new.label = group.label
    new.headcount = group.headcount
    new.depth = group.depth
    new.sells = group.sells
    new.ramp = group.ramp
    new.weights = group.weights
    new.per_yuan = group.per_yuan
    new.pipeline = group.pipeline
    new.windows = group.windows
    new.people = group.people
    new.hire = group.hire
    new.start = group.start
    new.end = group.end
    new.basis = group.basis
    new.fixed = group.fixed
    new.lower = group.lower
    new.upper_share = group.upper_share
    new.step = group.step
    new.profile = group.profile
    for name, value in changes.items():
        setattr(new, name, value)
    return cast(Group, new)


def yield_factor(spec: Spec, metric: str) -> Fraction:
    """Units of the base metric one unit of ``metric`` turns into along its chain."""
    factor = Fraction(1)
    chain = spec.chain(metric)
    for here, there in pairwise(chain):
        factor *= Fraction(spec.target.metrics[here].yields[there])
    return factor


def ramp_curve(
    ref: RoleRef, start: int | None, months: int, end: int | None = None
) -> tuple[Fraction, ...]:
    """A person's productivity in each month of the plan, starting at month index ``start``.

    Months before the start count 0; from the start the role's ramp applies per quarter or per
    month of tenure, then 100%. ``None`` is someone already in the role: 100% throughout.
    Months after ``end`` (the last month of someone who leaves) count 0.
    """
    if end is not None:
        working = ramp_curve(ref, start, months)
        return tuple(r if i <= end else Fraction(0) for i, r in enumerate(working))
    if start is None:
        return tuple(Fraction(1) for _ in range(months))
    ramp = ref.role.ramp
    step = 3 if ref.role.ramp_per == "quarter" else 1
    curve = []
    for i in range(months):
        tenure = i - start
        if tenure < 0:
            curve.append(Fraction(0))
        elif ramp is None or tenure // step >= len(ramp):
            curve.append(Fraction(1))
        else:
            curve.append(Fraction(ramp[tenure // step]))
    return tuple(curve)


def per_month_capacity(
    value: Fraction, per: Per | None, months: tuple[Month, ...], days: WorkingDays | None = None
) -> tuple[Fraction, ...]:
    """A capacity of ``value`` per ``per`` as what it allows in each month of the plan.

    With working ``days`` (``plan.calendar``), a week is five working days and a month (a
    quarter, a year) an average month of working days, so a month's capacity follows its
    working days: 100/周 in February 2026 (CN, 16 working days) is 100 × 16 ÷ 5 = 320; 25/月
    is 25 × 16 ÷ (248 ÷ 12) = 19.35. A capacity per plan is shared by working days.
    """
    if days is not None:
        return _by_working_days(value, per, days)
    if per is Per.WEEK:
        return tuple(value * month_days(m) / 7 for m in months)
    if per is Per.MONTH:
        return tuple(value for _ in months)
    if per is Per.QUARTER:
        return tuple(value / 3 for _ in months)
    if per is Per.YEAR:
        return tuple(value / 12 for _ in months)
    return tuple(value / len(months) for _ in months)


def _by_working_days(value: Fraction, per: Per | None, days: WorkingDays) -> tuple[Fraction, ...]:
    if per is Per.WEEK:
        return tuple(value * d / 5 for d in days.months)
    months_per = {Per.MONTH: 1, Per.QUARTER: 3, Per.YEAR: 12}.get(per) if per else None
    if months_per is not None:
        return tuple(value * d / (months_per * days.average) for d in days.months)
    total = sum(days.months)
    return tuple(value * d / total for d in days.months)


def window_months(
    per: Per | None, months: tuple[Month, ...], fiscal_start: int = 1
) -> list[tuple[int, ...]]:
    """The runs of months (by index) a capacity per ``per`` is checked over."""
    if per in (Per.WEEK, Per.MONTH):
        return [(i,) for i in range(len(months))]
    if per is Per.QUARTER:
        quarters: dict[str, list[int]] = {}
        for i, m in enumerate(months):
            quarters.setdefault(quarter_label(m, fiscal_start), []).append(i)
        return [tuple(v) for v in quarters.values()]
    return [tuple(range(len(months)))]


def support_shares(spec: Spec) -> dict[tuple[tuple[str, ...], str], Fraction]:
    """Share of each metric supplied to each unit's subtree by support units: {(names, metric)}."""
    shares: dict[tuple[tuple[str, ...], str], Fraction] = {}
    for unit in spec.units:
        support = unit.unit.supports
        if support is not None and len(unit.names) > 1:
            key = (unit.names[:-1], support.metric)
            shares[key] = shares.get(key, Fraction(0)) + Fraction(support.share)
    return shares


SHARE_CAP = Fraction(99, 100)
"""The most of a metric support units can supply together: the receivers source the rest."""


def supplied_shares(
    funnel: Sequence[str], supplied: Sequence[tuple[tuple[str, ...], str, Fraction]]
) -> dict[str, Fraction]:
    """The total share of each funnel metric that support units supply (capped below 100%)."""
    shares: dict[str, Fraction] = {}
    for _, metric, share in supplied:
        if metric in funnel:
            shares[metric] = shares.get(metric, Fraction(0)) + share
    return {m: min(s, SHARE_CAP) for m, s in shares.items()}


def worked_and_sourced(
    spec: Spec, funnel: Sequence[str], supplied: Sequence[tuple[tuple[str, ...], str, Fraction]]
) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """Per yuan of quota, each funnel metric's need after support units: what the receivers
    work (``needed``) and what they source themselves (``sourced``).

    A support unit supplies a share of what is still needed after the supports downstream of
    it, so from revenue up: needed[X] = gross[X] × Π (1 − s) over the metrics below X, and
    sourced[X] = needed[X] × (1 − s_X). Supplied + sourced = needed for every metric.

    >>> from types import SimpleNamespace as NS
    >>> y = {"calls": {"opps": Fraction(1, 10)}, "opps": {"rev": Fraction(100)}, "rev": {}}
    >>> spec = NS(target=NS(metrics={k: NS(yields=v) for k, v in y.items()}),
    ...           chain=lambda m: {"calls": ("calls", "opps", "rev"), "opps": ("opps", "rev"),
    ...                            "rev": ("rev",)}[m])
    >>> shares = [((), "opps", Fraction(2, 5)), ((), "calls", Fraction(1, 2))]
    >>> needed, sourced = worked_and_sourced(spec, ("calls", "opps", "rev"), shares)
    >>> # a call is worth 10 yuan gross: 1/10 call a yuan; × 60% after opps; × 50% sourced
    >>> needed["calls"], sourced["calls"], needed["opps"], sourced["opps"]
    (Fraction(3, 50), Fraction(3, 100), Fraction(1, 100), Fraction(3, 500))
    """
    shares = supplied_shares(funnel, supplied)
    needed: dict[str, Fraction] = {}
    sourced: dict[str, Fraction] = {}
    left = Fraction(1)  # what is still needed after the supports downstream
    for metric in reversed(funnel):
        needed[metric] = left / yield_factor(spec, metric)
        left *= 1 - shares.get(metric, Fraction(0))
        sourced[metric] = left / yield_factor(spec, metric)
    return {m: needed[m] for m in funnel}, {m: sourced[m] for m in funnel}


def build_groups(spec: Spec) -> list[Group]:
    """Every selling group of the organisation, plus a candidate group of new hires for each
    role that may hire (its headcount is decided by the optimizer)."""
    months = spec.period.months
    context = _Context(
        spec, months, month_shares(spec.period, spec.target.plan.seasonality), support_shares(spec)
    )
    groups: list[Group] = []
    for ref in spec.roles:
        if ref.role.sells is None or ref.unit.unit.supports is not None:
            continue
        base_id = "r:" + "/".join((*ref.unit.names, ref.label))
        for label_suffix, people, start, end in _cohorts(spec, ref):
            group = _group(
                context,
                ref,
                f"{base_id}{label_suffix[0]}",
                ref.label + label_suffix[1],
                people,
                start,
                end=end,
            )
            groups.append(group)
        if ref.role.hire:
            hire = ref.role.hire if isinstance(ref.role.hire, Hire) else Hire()
            start = (
                0 if hire.by is None else min(hire.by.index - months[0].index + 1, len(months) - 1)
            )
            suffix = "招聘" if spec.target.plan.locale == "zh-CN" else "new hires"
            group = _group(
                context,
                ref,
                f"{base_id}+hires",
                f"{ref.role.role} ({suffix})",
                (),
                start,
                headcount=0,
                hire=hire,
            )
            groups.append(group)
    return groups


_Supplied = tuple[tuple[tuple[str, ...], str, Fraction], ...]


@dataclass(slots=True)
class _Context:
    """What every group of a plan is built from, and the profiles built so far."""

    spec: Spec
    months: tuple[Month, ...]
    season: tuple[Fraction, ...]
    supports: dict[tuple[tuple[str, ...], str], Fraction]
    step: Fraction = Fraction(0)
    profiles: dict[tuple[int, int | None, int | None, int], Profile] = field(
        default_factory=dict
    )  # by (kind of role, start, end, supplied's id)
    kinds: dict[int, tuple[int, RoleRef]] = field(default_factory=dict)  # by the role's id
    signatures: dict[object, int] = field(default_factory=dict)
    interned: dict[_Supplied, _Supplied] = field(default_factory=dict)  # supplied, by value
    funnels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    scopes: dict[tuple[str, ...], tuple[tuple[tuple[str, ...], str, Fraction], ...]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        self.step = Fraction(self.spec.target.split.rounding.money)

    def supplied(self, names: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], str, Fraction], ...]:
        """The support shares that reach a unit, in the order they apply."""
        found = self.scopes.get(names)
        if found is None:
            found = tuple(
                (scope, metric, share)
                for (scope, metric), share in sorted(self.supports.items())
                if names[: len(scope)] == scope
            )
            # one object per value: profiles are looked up by its identity
            found = self.scopes[names] = self.interned.setdefault(found, found)
        return found

    def profile(
        self,
        ref: RoleRef,
        start: int | None,
        end: int | None,
        supplied: _Supplied,
    ) -> Profile:
        """The profile of the role's people who start and end then: one per kind of role
        (what it sells, its ramp and capacity), start, end and supplied shares, made by the
        first group of that kind."""
        role = ref.role
        kind = self.kinds.get(id(role))
        if kind is None:  # once per role entry (the entry is kept: its id is the key)
            signature = (
                role.sells,
                role.ramp,
                role.ramp_per if role.ramp is not None else None,
                tuple([(m, q.value, q.per, q.text) for m, q in role.capacity.items()]),
            )
            number = self.signatures.setdefault(signature, len(self.signatures))
            kind = self.kinds[id(role)] = (number, ref)
        # without a ramp, starting at or before the plan's start is starting with it
        since = start if role.ramp is not None or start is None or start > 0 else 0
        key = (kind[0], since, end, id(supplied))
        profile = self.profiles.get(key)
        if profile is None:
            profile = self.profiles[key] = _profile(self, ref, start, supplied, end)
        return profile


_Cohort = tuple[tuple[str, str], tuple[str, ...], int | None, int | None]


def _cohorts(spec: Spec, ref: RoleRef) -> list[_Cohort]:
    """Split a role entry into groups of identical people: named people by the months they
    join and leave (id suffix ``@2015-04``, ``~2015-09``; label `` (2015-04)``, `` (–2015-09)``).

    Without named people, the headcount is new from the plan's start (the ramp applies from
    month 0). Named people without ``joined`` are already in the role: the ramp is for those
    who join, and for hires."""
    if not ref.role.people:
        return [(("", ""), (), 0, None)]
    undated, dated = _by_dates(ref.role.people)
    if not dated:  # names only, all in the role from the start
        return [(("", ""), tuple(undated), None, None)]
    first, last = spec.period.first.index, spec.period.last.index
    cohorts: list[_Cohort] = [(("", ""), tuple(undated), None, None)] if undated else []
    # by (joined, left) as month indexes, no date first: the order of the months themselves
    for (joins, leaves), (joined, left, names) in sorted(
        dated.items(),
        key=lambda kv: (kv[0][0] is not None, kv[0][0], kv[0][1] is not None, kv[0][1]),
    ):
        start = None if joins is None else joins - first
        end = None if leaves is None or leaves >= last else leaves - first
        text = "" if joined is None else str(joined)
        gid, label = ("" if joined is None else f"@{text}"), text
        if end is not None:
            gid, label = f"{gid}~{left}", f"{label}–{left}"
        cohorts.append(((gid, f" ({label})" if label else ""), tuple(names), start, end))
    return cohorts


_Dated = dict[tuple[int | None, int | None], tuple[Month | None, Month | None, list[str]]]


def _by_dates(people: Sequence[str | Person]) -> tuple[list[str], _Dated]:
    """The names of people without dates, and the others by (joined, left), in file order.

    Keyed by month indexes: equal months are equal indexes, and ints hash in C (a roster of
    100,000 people has about 12,000 with dates)."""
    undated: list[str] = []
    dated: _Dated = {}
    for person in people:
        if isinstance(person, str):
            undated.append(person)
            continue
        joined, left = person.joined, person.left
        if joined is None and left is None:
            undated.append(person.name)
            continue
        key = (None if joined is None else joined.index, None if left is None else left.index)
        found = dated.get(key)
        if found is None:
            dated[key] = (joined, left, [person.name])
        else:
            found[2].append(person.name)
    return undated, dated


def _group(
    context: _Context,
    ref: RoleRef,
    gid: str,
    label: str,
    people: tuple[str, ...],
    start: int | None,
    headcount: int | None = None,
    hire: Hire | None = None,
    end: int | None = None,
) -> Group:
    sells = ref.role.sells
    assert sells is not None
    profile = context.profile(ref, start, end, context.supplied(ref.unit.names))
    count = headcount if headcount is not None else (len(people) or ref.headcount)
    return Group(
        gid,
        ref.unit,
        ref,
        label,
        count,
        len(ref.unit.names),
        sells,
        profile.ramp,
        profile.weights,
        profile.per_yuan,
        profile.pipeline,
        profile.windows,
        people,
        hire=hire,
        start=start,
        end=end,
        step=context.step,
        profile=profile,
    )


def _profile(
    context: _Context,
    ref: RoleRef,
    start: int | None,
    supplied: tuple[tuple[tuple[str, ...], str, Fraction], ...],
    end: int | None = None,
) -> Profile:
    spec, months, season = context.spec, context.months, context.season
    sells = ref.role.sells
    assert sells is not None
    ramp = ramp_curve(ref, start, len(months), end)
    tilted = [s * r for s, r in zip(season, ramp, strict=True)]
    total = sum(tilted, Fraction(0))
    weights = tuple(t / total for t in tilted) if total else season
    funnel = context.funnels.get(sells)
    if funnel is None:
        funnel = context.funnels[sells] = spec.funnel(sells)
    pipeline, own = worked_and_sourced(spec, funnel, supplied)
    windows = []
    for metric, quantity in ref.role.capacity.items():
        per_month = per_month_capacity(
            Fraction(quantity.value), quantity.per, months, spec.working_days
        )
        label_text = quantity.text or str(quantity.value)
        for window in window_months(quantity.per, months, spec.period.fiscal_start):
            capacity = sum((per_month[i] * ramp[i] for i in window), Fraction(0))
            windows.append(Window(metric, window, capacity, label_text))
    return Profile(ramp, weights, own, pipeline, tuple(windows))


def unit_id(unit: UnitRef) -> str:
    """A unit's node id: ``u:`` and its path."""
    return "u:" + "/".join(unit.names)


def role_id(ref: RoleRef) -> str:
    """A role entry's node id (its first group's): ``r:``, the unit's path and the label."""
    return "r:" + "/".join((*ref.unit.names, ref.label))
