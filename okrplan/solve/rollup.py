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
from okrplan.solve.series import Series
from okrplan.solve.sums import Block, subtree_sums
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
    sums = subtree_sums([u.names for u in spec.units], groups, series, spec.period.count)
    step = Fraction(spec.target.split.rounding.money)
    period_step = max(step / 10, Fraction(1))
    base, count = spec.base_metric, spec.period.count
    follow = followers(spec)
    # units with the very same sums (one object, see subtree_sums) and target get the very same
    # series: worked out once (keyed by the target's steps and whether the unit is the company,
    # whose target is the KPI: a fraction is made only for a series worked out)
    done: dict[tuple[int, int | None, bool], PersonSeries] = {}
    out: dict[str, PersonSeries] = {}
    for unit in spec.units:
        totals = sums.get(unit.names)
        if not totals:
            continue
        uid = unit_id(unit)
        supplied = series.get(uid)  # a support unit's own series, kept as they are
        quota = unit_quotas.get(uid)
        key = (id(totals), None if quota is None else quota[0], len(unit.names) == 1)
        own = done.get(key) if supplied is None else None
        if own is None:
            target = None if quota is None else Fraction(unit_target(spec, unit, quota[0], step))
            own = _own_series(totals, supplied, target, base, count, period_step, follow)
            if supplied is None:
                done[key] = own
        out[uid] = dict(own)
    return out


def _own_series(
    totals: Block,
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
    if supplied is None and target is not None and totals.single:
        found = _targeted(totals, target, base, (count, period_step), follow)
        if found is not None:
            return found
    own = dict(supplied or {})
    for metric, part in totals.series(count).items():
        if metric not in own:
            own[metric] = part
    if target is not None and base in own:
        own = _needs(base, own, target, supplied or {})
        own[base] = phased_like(target, own[base], period_step)
        own = follow(own, True)
    return own


def _targeted(
    totals: Block,
    target: Fraction,
    base: str,
    periods: tuple[int, Fraction],
    follow: Followers,
) -> PersonSeries | None:
    """:func:`_own_series` of a selling unit (a target, no series of its own, one denominator
    per metric) straight from its sums: each activity scaled once as :func:`_needs` scales it
    (all at once where the sums are packed), not made and then scaled. None without a base
    metric."""
    count, period_step = periods
    at = -1
    for i, (metric, _) in enumerate(totals.slots):
        if metric == base:
            at = i
    if at < 0:
        return None
    money = totals.money
    revenue, revenue_den = totals.slot(at, count), totals.slots[at][1]
    given = sum(revenue)  # as _needs, in integers
    times = 1
    scaled = None  # the amounts unpacked once: scaled if they are
    if given > 0 and given * target.denominator != target.numerator * revenue_den:
        factor = Fraction(target.numerator * revenue_den, target.denominator * given)
        if factor.numerator != 1:
            scaled = totals.scaled(count, factor.numerator)
        times = factor.denominator
    if scaled is None:
        scaled = totals.amounts(count)
    own: PersonSeries = {}
    for i, (metric, den) in enumerate(totals.slots):
        if i == at:
            own[metric] = _spread(target, revenue, period_step, den)
        else:
            part = tuple(scaled[i * count : (i + 1) * count])
            own[metric] = Series(part, den * times, money[metric])
    return follow(own, True)


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


def phased_like(target: Fraction, weights: Series, period_step: Fraction) -> Series:
    """``target`` spread over the months in proportion to ``weights``: in whole period steps
    where the target is a whole number of them, else exactly.

    >>> phased_like(Fraction(100), Series((1, 1, 2), 1, True), Fraction(10)).num  # 10 steps
    (30, 20, 50)
    """
    return _spread(target, list(weights.num), period_step, weights.den)


def _spread(target: Fraction, weights: list[int], period_step: Fraction, den: int) -> Series:
    """:func:`phased_like` of the weights ``weights[i] / den`` (a list not kept)."""
    # target ÷ period step, truncated as int() does, and whether it is whole: in integers
    over, under = (
        target.numerator * period_step.denominator,
        target.denominator * period_step.numerator,
    )
    steps = over // under if over >= 0 else -(-over // under)
    if steps * under == over:
        scale = period_step.numerator
        return Series(
            tuple([x * scale for x in apportion_ints(steps, weights, None)]),
            period_step.denominator,
            True,
        )
    total = sum(weights)
    return Series.of(
        [target * Fraction(w, total) for w in weights]
        if total
        else [Fraction(w, den) for w in weights],
        True,
    )
