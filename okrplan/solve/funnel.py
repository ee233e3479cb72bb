"""The reverse funnel and phasing: a person's quota as every metric they work on, per month.

A group's per-person quota is phased over the months by its weights (seasonality tilted by
ramp) within every capacity window (of what the group sources itself), then each funnel metric
is the quota × what the group works of it per yuan (:attr:`okrplan.solve.groups.Group.pipeline`,
its self-sourced part under :func:`sourced_key`), and metrics that follow another
(collections = 95% of revenue) follow it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from fractions import Fraction

from okrplan.solve.groups import Group, Profile
from okrplan.solve.phasing import apportion
from okrplan.solve.series import Series
from okrplan.spec import Spec

PersonSeries = dict[str, Series]
"""A person's (or an owner's) series, by metric."""


def person_series(
    spec: Spec, groups: Iterable[Group], quotas: Mapping[str, Fraction]
) -> dict[str, PersonSeries]:
    """Per-person amounts per month of every metric each group works on.

    Parameters
    ----------
    spec
        The validated target file.
    groups
        The solved groups.
    quotas
        Each group's per-person quota in yuan (rounded to the money step).

    Returns
    -------
    dict
        By group id: the series of each metric, the base metric (revenue) included. Groups
        of one profile with the same quota share the very same series objects.
    """
    step = max(Fraction(spec.target.split.rounding.money) / 10, Fraction(1))
    blocks = _quarter_blocks(spec)
    # by profile and quota (its numerator and denominator: a fraction's hash is a modular
    # inverse, and there is one lookup per group)
    shared: dict[tuple[Profile | None, int, int], PersonSeries] = {}
    supplied = {u.unit.supports.metric for u in spec.units if u.unit.supports is not None}
    out: dict[str, PersonSeries] = {}
    for group in groups:
        quota = quotas[group.id]
        profile = group.shared()
        key = (profile, quota.numerator, quota.denominator)
        found = shared.get(key) if profile is not None else None
        if found is None:
            months = phase(group, quota, blocks, step)
            revenue = Series.of(months, True)
            found = funnel_series(spec, group.pipeline, revenue)
            found.update(sourced_series(group, found, supplied))
            if profile is not None:
                shared[key] = found
        out[group.id] = dict(found)
    return out


def funnel_series(spec: Spec, per_yuan: Mapping[str, Fraction], revenue: Series) -> PersonSeries:
    """Every funnel metric of a revenue series (activity per yuan × revenue), the base
    metric, and the metrics that follow one of them."""
    out: PersonSeries = {}
    for metric, rate in per_yuan.items():
        out[metric] = revenue.times(rate, spec.target.metrics[metric].kind == "money")
    out[spec.base_metric] = revenue
    return with_followers(spec, out, replace=False)


SOURCED = "\x00sourced"
"""Suffix of the series key of a metric's self-sourced part (no metric key has a NUL)."""


def sourced_key(metric: str) -> str:
    """The series key under which an owner's self-sourced part of ``metric`` is kept, where
    support units supply part of it: units add it up like any series."""
    return metric + SOURCED


def sourced_series(group: Group, worked: PersonSeries, supplied: Collection[str]) -> PersonSeries:
    """The self-sourced series (by :func:`sourced_key`) of each metric of the group that some
    support unit supplies: the worked series × what the group sources of it per worked unit,
    the worked series itself where no support reaches the group (so a unit's sum is right)."""
    out: PersonSeries = {}
    for metric in supplied:
        series = worked.get(metric)
        if series is None:
            continue
        own, whole = group.per_yuan[metric], group.pipeline[metric]
        out[sourced_key(metric)] = (
            series if own == whole else series.times(own / whole, series.money)
        )
    return out


def with_followers(spec: Spec, series: PersonSeries, *, replace: bool) -> PersonSeries:
    """``series`` with every metric that follows one of its metrics (``collections = 95% of
    revenue``); with ``replace``, followers already there are worked out again. A new dict,
    but ``series`` itself where no metric follows another (the callers' dicts are their own)."""
    return followers(spec)(series, replace)


class Followers:
    """:func:`with_followers` of one spec, its rules read once: (follower, source, rate,
    money) in the order of the target file's metrics."""

    __slots__ = ("rules",)

    def __init__(self, spec: Spec) -> None:
        self.rules = tuple(
            (key, source, Fraction(rate), metric.kind == "money")
            for key, metric in spec.target.metrics.items()
            for source, rate in metric.follows.items()
        )

    def __call__(self, series: PersonSeries, replace: bool) -> PersonSeries:
        if not self.rules:  # nothing follows: no copy (see with_followers)
            return series
        out = dict(series)
        for key, source, rate, money in self.rules:
            if source in out and (replace or key not in out):
                out[key] = out[source].times(rate, money)
        return out


_FOLLOWERS: list[tuple[object, Followers]] = []


def followers(spec: Spec) -> Followers:
    """The spec's :class:`Followers` (the last few specs' are kept: they are asked for once
    per group and unit)."""
    metrics = spec.target.metrics
    for seen, rules in _FOLLOWERS:
        if seen is metrics:
            return rules
    rules = Followers(spec)
    _FOLLOWERS[:] = [*_FOLLOWERS[-3:], (metrics, rules)]
    return rules


def _quarter_blocks(spec: Spec) -> tuple[tuple[int, ...], ...]:
    quarters: dict[str, list[int]] = {}
    for i, month in enumerate(spec.period.months):
        quarters.setdefault(month.quarter, []).append(i)
    return tuple(tuple(q) for q in quarters.values())


def phase(
    group: Group, quota: Fraction, blocks: Sequence[tuple[int, ...]], period_step: Fraction
) -> list[Fraction]:
    """A person's quota per month, in period steps, by the group's weights and within every
    capacity window: quarters (``blocks``) get their share first, then their months. Where a
    month holds less than a period step, amounts are phased to the yuan instead."""
    fallback: list[Fraction] = []
    count = len(group.weights)
    for grain in dict.fromkeys((period_step, Fraction(1))):
        caps = _window_caps(group, grain)
        month_caps = [caps.get((i,)) for i in range(count)]
        block_caps = [_block_cap(caps, month_caps, block) for block in blocks]
        amounts, fits = _capped(
            int(quota / grain),
            [sum((group.weights[i] for i in b), Fraction(0)) for b in blocks],
            block_caps,
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


def _window_caps(group: Group, grain: Fraction) -> dict[tuple[int, ...], int]:
    """Each capacity window's room for quota, in grains."""
    caps: dict[tuple[int, ...], int] = {}
    for window in group.windows:
        per_yuan = group.per_yuan[window.metric]
        if per_yuan > 0:
            most = int(window.capacity / per_yuan / grain)
            caps[window.months] = min(most, caps.get(window.months, most))
    return caps


def _block_cap(
    caps: Mapping[tuple[int, ...], int], month_caps: Sequence[int | None], block: tuple[int, ...]
) -> int | None:
    inner = [month_caps[i] for i in block]
    limits = [
        c
        for c in (caps.get(block), None if None in inner else sum(c or 0 for c in inner))
        if c is not None
    ]
    return min(limits) if limits else None


def _capped(total: int, weights: list[Fraction], caps: list[int | None]) -> tuple[list[int], bool]:
    """:func:`apportion` within the caps that exist, or freely if they cannot hold the total
    (then False)."""
    limits = [c if c is not None else total for c in caps]
    fits = sum(limits) >= total
    return apportion(total, weights, limits if fits else None), fits
