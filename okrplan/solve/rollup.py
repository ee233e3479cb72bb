"""Unit series: every unit's metrics per month, added up the org tree.

A unit's series of a metric is the sum over its groups of per person × headcount, and over its
child units of theirs. A selling unit's revenue is then its rounded target phased like that sum,
so its KR shows the target it was given; its activities are what that target needs (the sums
scaled by target ÷ what was passed down, so its children's add up to it × (1 + buffer)); and
metrics that follow revenue follow it again.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from fractions import Fraction

from okrplan.solve.funnel import Followers, PersonSeries, followers
from okrplan.solve.groups import Group, unit_id
from okrplan.solve.phasing import apportion_ints
from okrplan.solve.quotas import unit_target
from okrplan.solve.series import Series, SeriesSum
from okrplan.spec import Spec

Names = tuple[str, ...]


def unit_series(
    spec: Spec,
    groups: Sequence[Group],
    series: Mapping[str, PersonSeries],
    unit_quotas: Mapping[str, tuple[int, int]],
) -> dict[str, PersonSeries]:
    """The series of every unit that has any, by unit id.

    Parameters
    ----------
    spec
        The validated target file.
    groups
        The solved groups.
    series
        Per-person series of groups, and the series of support units (kept as they are).
    unit_quotas
        Each selling unit's (target, assigned) in money steps
        (:attr:`okrplan.solve.quotas.Quotas.units`).

    Returns
    -------
    dict
        Added up once from the bottom of the tree (each unit adds its children's sums), in
        integers over each series' denominator, so a large organisation costs one pass.
    """
    sums = _sums(spec, groups, series)
    step = Fraction(spec.target.split.rounding.money)
    period_step = max(step / 10, Fraction(1))
    base, count = spec.base_metric, spec.period.count
    follow = followers(spec)
    # units with the very same sums (one object, see _sums) and target get the very same
    # series: worked out once
    done: dict[tuple[int, Fraction | None], PersonSeries] = {}
    out: dict[str, PersonSeries] = {}
    for unit in spec.units:
        totals = sums.get(unit.names)
        if not totals:
            continue
        uid = unit_id(unit)
        supplied = series.get(uid)  # a support unit's own series, kept as they are
        target = (
            Fraction(unit_target(spec, unit, unit_quotas[uid][0], step))
            if uid in unit_quotas
            else None
        )
        key = (id(totals), target)
        own = done.get(key) if supplied is None else None
        if own is None:
            own = _own_series(totals, supplied, target, base, count, period_step, follow)
            if supplied is None:
                done[key] = own
        out[uid] = dict(own)
    return out


def _own_series(
    totals: Mapping[str, SeriesSum],
    supplied: PersonSeries | None,
    target: Fraction | None,
    base: str,
    count: int,
    period_step: Fraction,
    follow: Followers,
) -> PersonSeries:
    """A unit's series: a support unit's own (``supplied``) and its sums over ``count``
    periods; with a ``target``, its base metric that target phased like the sums, its
    activities what the target needs (:func:`own_needs`) and the metrics that follow revenue
    following it again."""
    own = dict(supplied or {})
    for metric, acc in totals.items():
        if metric not in own:
            own[metric] = acc.series(count)
    if target is not None and base in own:
        own = _needs(base, own, target, supplied or {})
        own[base] = phased_like(target, own[base], period_step)
        own = follow(own, True)
    return own


def own_needs(spec: Spec, sums: PersonSeries, target: Fraction, keep: set[str]) -> PersonSeries:
    """A unit's activities as its own target needs them: its children's sums, which carry the
    buffer passed down, scaled by its target over what its children were given (a company of
    1,000万 passing down 1,100万 needs 1,000 ÷ 1,100 of its children's opportunities).
    Metrics in ``keep`` (supplied by the unit itself) stay as they are.

    >>> from okrplan.solve.series import Series
    >>> spec = type("S", (), {"base_metric": "revenue"})()
    >>> sums = {"revenue": Series((110,), 1, True), "calls": Series((44,), 1, False)}
    >>> own_needs(spec, sums, Fraction(100), set())["calls"].months  # 44 × 100 / 110
    [Fraction(40, 1)]
    """
    return _needs(spec.base_metric, sums, target, keep)


def _needs(base: str, sums: PersonSeries, target: Fraction, keep: Container[str]) -> PersonSeries:
    """:func:`own_needs` of the base metric ``base``."""
    revenue = sums[base]
    given = sum(revenue.num)  # Σ months ÷ den, in integers: one fraction made, the factor
    if given <= 0 or given * target.denominator == target.numerator * revenue.den:
        return dict(sums)
    factor = Fraction(target.numerator * revenue.den, target.denominator * given)
    return {
        metric: part if metric == base or metric in keep else part.times(factor, part.money)
        for metric, part in sums.items()
    }


def _sums(
    spec: Spec, groups: Sequence[Group], series: Mapping[str, PersonSeries]
) -> dict[Names, dict[str, SeriesSum]]:
    """Per unit, each metric's sum over the groups in its subtree."""
    own_groups: dict[Names, list[Group]] = {}
    for group in groups:
        own_groups.setdefault(group.unit.names, []).append(group)
    children: dict[Names, list[Names]] = {}
    for unit in spec.units[1:]:
        children.setdefault(unit.names[:-1], []).append(unit.names)
    sums: dict[Names, dict[str, SeriesSum]] = {}
    # units whose groups (headcount and series objects) and children's sums are the same add
    # up to the same sums: one object, made once (most units of a large organisation are
    # teams like others)
    made: dict[tuple[object, ...], dict[str, SeriesSum]] = {}
    for unit in reversed(spec.units):  # children before their parents
        own = [(g.headcount, series[g.id]) for g in own_groups.get(unit.names, ())]
        below = [sums[c] for c in children.get(unit.names, ()) if c in sums]
        key = (
            tuple((h, tuple(found), tuple(map(id, found.values()))) for h, found in own),
            tuple(map(id, below)),
        )
        totals = made.get(key)
        if totals is None:
            totals = made[key] = _added(own, below)
        if totals:
            sums[unit.names] = totals
    return sums


def _added(
    own: Sequence[tuple[int, PersonSeries]], below: Sequence[dict[str, SeriesSum]]
) -> dict[str, SeriesSum]:
    """Each metric's sum over groups (headcount, per-person series) and child units' sums."""
    totals: dict[str, SeriesSum] = {}
    memo: dict[tuple[int, int, int], tuple[list[int], object, object]] = {}
    for headcount, found in own:
        for metric, part in found.items():
            acc = totals.get(metric)
            if acc is None:
                acc = totals[metric] = SeriesSum(part.money)
            acc.money = part.money
            acc.add(part.num, part.den, headcount, memo)
    for child in below:
        for metric, sums in child.items():
            acc = totals.get(metric)
            if acc is None:
                acc = totals[metric] = SeriesSum(sums.money)
            acc.money = sums.money
            for den, values in sums.parts.items():
                acc.add(values, den, 1, memo)
    return totals


def phased_like(target: Fraction, weights: Series, period_step: Fraction) -> Series:
    """``target`` spread over the months in proportion to ``weights``: in whole period steps
    where the target is a whole number of them, else exactly.

    >>> phased_like(Fraction(100), Series((1, 1, 2), 1, True), Fraction(10)).num  # 10 steps
    (30, 20, 50)
    """
    # target ÷ period step, truncated as int() does, and whether it is whole: in integers
    over, under = (
        target.numerator * period_step.denominator,
        target.denominator * period_step.numerator,
    )
    steps = over // under if over >= 0 else -(-over // under)
    if steps * under == over:
        scale = period_step.numerator
        return Series(
            tuple([x * scale for x in apportion_ints(steps, list(weights.num), None)]),
            period_step.denominator,
            True,
        )
    total = sum(weights.num)
    return Series.of(
        [target * Fraction(w, total) for w in weights.num] if total else weights.months, True
    )
