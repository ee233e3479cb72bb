"""A forecast's amounts as text: one unit per column, outcomes to what a simulation can tell.

A target is exact (to the plan's money step) and shown as every output shows it
(:mod:`okrplan.numbers`). A simulated outcome (P10, P50, P90) is not: it is rounded to
:data:`FIGURES` significant figures (never finer than the money step), so that a column of them
can share a unit without showing digits no simulation knows — 3,280亿, not 32,786,618万.
Amounts shown together (a column, a line) share one unit (:func:`okrplan.numbers.money_scale`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from okrplan.numbers import number_text, numbers_for

FIGURES = 3
"""Significant figures of a simulated outcome."""


def is_money(meta: Mapping[str, Any], metrics: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether the KPI's base metric is an amount of money (else a count)."""
    return metrics.get(meta["kpi"]["base"], {}).get("kind") == "money"


def step_of(meta: Mapping[str, Any], money: bool) -> float:
    """The rounding step of the KPI's amounts: the plan's money step, or 1 for a count."""
    if not money:
        return 1.0
    return float((meta.get("rounding") or {}).get("money", 0) or 0) or 100_000.0


def outcome(value: float, step: float) -> float:
    """A simulated outcome to :data:`FIGURES` significant figures, and to the step at least.

    >>> outcome(327_866_180_000, 100_000), outcome(80_460_000, 100_000), outcome(251.4, 1)
    (328000000000.0, 80500000.0, 251.0)
    >>> outcome(123_456, 100_000), outcome(0.0, 100_000)
    (100000.0, 0.0)
    """
    if value == 0:
        return 0.0
    figure = 10.0 ** (math.floor(math.log10(abs(value))) + 1 - FIGURES)
    grain = max(figure, step)
    return float(round(value / grain) * grain)


def column(
    meta: Mapping[str, Any],
    metrics: Mapping[str, Mapping[str, Any]],
    values: Sequence[float],
    *,
    simulated: bool,
) -> tuple[str, ...]:
    """``values`` (of the KPI's base metric) as a column of text in one unit; ``simulated``:
    outcomes, rounded by :func:`outcome` first.

    >>> plan = {"kpi": {"base": "revenue"}, "locale": "zh-CN"}
    >>> metrics = {"revenue": {"kind": "money"}}
    >>> column(plan, metrics, [327_866_180_000, 4_013_000_000], simulated=True)
    ('3,280亿', '40.1亿')
    >>> column(plan, metrics, [297_253_000_000], simulated=False)
    ('2,972.53亿',)
    """
    money = is_money(meta, metrics)
    step = step_of(meta, money)
    shown = [outcome(v, step) for v in values] if simulated else list(values)
    if money:
        return numbers_for(meta).amounts([Decimal(str(v)) for v in shown])
    locale = str(meta.get("locale") or "zh-CN")
    return tuple(number_text(Decimal(round(v)), locale) for v in shown)
