"""Each group's basis for the split (``split.basis``, or a further target's ``basis``): what
its quota is proportional to, in yuan of the base metric for the whole group."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from okrplan.solve.groups import Group, evolve
from okrplan.solve.phasing import month_shares
from okrplan.spec import Spec


def effective_share(group: Group, season: tuple[Fraction, ...]) -> Fraction:
    """A person's productivity over the plan, weighted by seasonality (1 for a full year)."""
    profile = (
        group.profile if group.profile is not None and group.ramp is group.profile.ramp else None
    )
    if profile is not None:
        cached = profile.cache.get("effective_share")
        if cached is not None and (cached[0] is season or cached[0] == season):  # type: ignore[index]
            return cached[1]  # type: ignore[index,no-any-return]
    share = sum((s * r for s, r in zip(season, group.ramp, strict=True)), Fraction(0))
    if profile is not None:
        profile.cache["effective_share"] = (season, share)
    return share


def with_bases(spec: Spec, groups: Sequence[Group]) -> list[Group]:
    """The groups with their basis (split.basis) in yuan of the base metric for the group."""
    bases = bases_of(spec, groups)
    # a group whose basis is already that value stays as it is (the second pass, after hires,
    # changes few)
    return [
        g if b is g.basis or b == g.basis else evolve(g, basis=b)
        for g, b in zip(groups, bases, strict=True)
    ]


def bases_of(spec: Spec, groups: Sequence[Group], basis: str | None = None) -> list[Fraction]:
    """Each group's basis (``basis``, by default split.basis) in yuan of the base metric for
    the whole group."""
    basis = basis or spec.target.split.basis
    season = month_shares(spec.period, spec.target.plan.seasonality)
    per_fte: dict[str, Fraction] = {}
    products: dict[tuple[int, int], tuple[Fraction, Fraction]] = {}  # cap × headcount, shared
    years: dict[int, tuple[Fraction, tuple[Fraction, ...]]] = {}  # effective share, by ramp

    def year_share(group: Group) -> Fraction:
        found = years.get(id(group.ramp))
        if found is None:
            found = years[id(group.ramp)] = (effective_share(group, season), group.ramp)
        return found[0]

    if basis == "history":
        return history_bases(groups, year_share)
    out: list[Fraction] = []
    positive: dict[int, bool] = {}  # share of year > 0, by the share object (few kinds)
    zero = Fraction(0)
    for group in groups:
        share_of_year = year_share(group)
        works = positive.get(id(share_of_year))
        if works is None:
            works = positive[id(share_of_year)] = share_of_year > 0
        # someone who works no month of the plan (left before it, or joined into a 0% ramp
        # that lasts to its end) carries nothing, whatever the rule: basis even would else
        # give them a full share of a plan they are not in
        value = _raw_basis(basis, group, share_of_year, products) if works else zero
        out.append(zero if value is None else value)
        if value is not None and not group.is_hire and group.role.role.role not in per_fte:
            fte = group.headcount * share_of_year
            if fte > 0:
                per_fte[group.role.role.role] = value / fte
    known = sorted(v for v in per_fte.values())
    median = known[len(known) // 2] if known else Fraction(1)
    if basis in ("potential", "capacity"):  # the rules under which a group may borrow
        for i, group in enumerate(groups):
            borrowed = group.is_hire if basis == "potential" else group.per_person_cap is None
            if borrowed and not out[i]:
                rate = per_fte.get(group.role.role.role, median)
                out[i] = rate * group.headcount * year_share(group)
    if basis in ("headcount", "even"):
        # People and FTEs are not money: scale so that a stretch of 1.0 is the fair share.
        growth = 1 + Fraction(spec.target.plan.buffer)
        powers = {d: growth**-d for d in {g.depth for g in groups}}
        scaled = sum((b * powers[g.depth] for g, b in zip(groups, out, strict=True)), Fraction(0))
        if scaled > 0:
            factor = Fraction(spec.kpi_value) / scaled
            out = [b * factor for b in out]
    return out


def joins_in_plan(group: Group) -> bool:
    """Whether the group's people join during the plan: hires, and named people whose
    ``joined`` month is inside it. Unnamed headcount and people without ``joined`` are in
    the role at the plan's start (a ramp on unnamed headcount is their tenure, not a join)."""
    return group.is_hire or (bool(group.people) and group.start is not None and group.start >= 0)


def history_bases(
    groups: Sequence[Group], year_share: Callable[[Group], Fraction]
) -> list[Fraction]:
    """Each group's basis under ``split.basis: history``.

    A role entry's ``history`` is last period's result of the people in the role at the
    plan's start, so it is shared by them alone: ``rate = history ÷ their headcount`` and an
    established group's basis is ``rate × headcount``. People who join during the plan
    (named with ``joined``, and hires) had no part in it: their basis is what an established
    person of the entry would bring in the part of the year they work,
    ``rate × headcount × effective share`` (seasonality × ramp from the start month, 1 for a
    full year). An entry whose people all join spreads its history over their effective
    shares; a hiring group whose entry has no rate borrows the first rate of its role's name,
    else the median rate.

    Parameters
    ----------
    groups
        The groups, hiring groups included.
    year_share
        A group's effective share of the year (:func:`effective_share`).

    Returns
    -------
    list of Fraction
        The bases in yuan, in the order of ``groups``.
    """
    entries: dict[int, list[Group]] = {}  # by role entry (its groups share one RoleRef)
    for group in groups:
        entries.setdefault(id(group.role), []).append(group)
    rates: dict[int, Fraction] = {}
    by_name: dict[str, Fraction] = {}
    for key, members in entries.items():
        history = members[0].role.role.history
        if history is None:
            continue
        established = sum(g.headcount for g in members if not joins_in_plan(g))
        if established:
            rates[key] = Fraction(history) / established
        else:  # nobody was there last period: the history is the joiners' expected share
            fte = sum((g.headcount * year_share(g) for g in members if not g.is_hire), Fraction(0))
            if fte == 0:
                continue
            rates[key] = Fraction(history) / fte
        by_name.setdefault(members[0].role.role.role, rates[key])
    median: list[Fraction] = []  # made when a hire first borrows it
    out: list[Fraction] = []
    for group in groups:
        rate = rates.get(id(group.role))
        if rate is None:
            rate = by_name.get(group.role.role.role) if group.is_hire else Fraction(0)
            if rate is None:
                rate = _median(rates, median)
        # a leaver was there last period (their history counts) but works part of this one
        partial = joins_in_plan(group) or group.end is not None
        basis = rate * group.headcount
        out.append(basis * year_share(group) if partial else basis)  # × 1: as it is
    return out


def _median(rates: dict[int, Fraction], kept: list[Fraction]) -> Fraction:
    """The median of ``rates`` (0 for none), kept in ``kept``: sorting 30,000 rates is not
    cheap, so it is done once, and only when a hire borrows it."""
    if not kept:
        known = sorted(rates.values())
        kept.append(known[len(known) // 2] if known else Fraction(0))
    return kept[0]


def _raw_basis(
    basis: str,
    group: Group,
    share_of_year: Fraction,
    products: dict[tuple[int, int], tuple[Fraction, Fraction]],
) -> Fraction | None:
    """A group's basis by the rule, before hires borrow their role's rate (None: unknown)."""
    if basis == "capacity":
        cap = group.per_person_cap  # what one person can carry within capacity in every period
        if cap is None:
            return None
        profile = group.profile
        if profile is not None and profile.cap is cap:
            # kept with the profile: every pass (bases, then again after hires) gives groups
            # of one profile and headcount the very same object, so with_bases compares
            # them by identity
            key = ("capacity basis", group.headcount)
            kept = profile.cache.get(key)
            if kept is None:
                kept = profile.cache[key] = (cap * group.headcount, cap)
            return kept[0]  # type: ignore[index,no-any-return]
        # groups of one profile and headcount get the very same value object
        found = products.get((id(cap), group.headcount))
        if found is None:
            found = products[id(cap), group.headcount] = (cap * group.headcount, cap)
        return found[0]
    if basis == "potential":
        # a territory's potential is the group's, shared by everyone working it
        raw = group.role.role.potential
        share = Fraction(group.headcount, group.role.headcount or 1)
        return None if group.is_hire or raw is None else Fraction(raw) * share
    if basis == "headcount":
        return group.headcount * share_of_year
    return Fraction(group.headcount)
