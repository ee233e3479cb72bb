"""How uncertain a plan's conversion rates and activity levels are, as the forecast draws them.

A conversion rate (``opportunities → deals 25%``) is a Beta distribution:

- with evidence, ``{rate: 25%, from: 50/200}`` (50 won of 200 tried): Beta(1 + 50, 1 + 150),
  the posterior of a uniform prior;
- with a spread, ``{rate: 25%, spread: 5pp}``: the Beta whose mean is the rate and whose
  standard deviation is the spread (method of moments);
- written plainly (``25%``): the default, a standard deviation of :data:`DEFAULT_RATE_SPREAD`
  of the rate itself (25% ± 2.5pp).

A role's attainment (how much of its planned activity a person really does) is a normal
distribution per person, ``{mean: 95%, spread: 10pp}``; without one, :data:`DEFAULT_ATTAINMENT`.
An amount per unit (``deals → revenue 40万``) is taken as planned.

plan.json carries what the target file says: ``metrics[m].uncertainty[next]`` is ``{"from":
[won, tried]}`` or ``{"spread": 0.05}``, and ``plan.attainment[role group id]`` is ``{"mean":
0.95, "spread": 0.1}``; both only where the target file gives them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_RATE_SPREAD = 0.10
"""A plain rate's standard deviation, as a fraction of the rate (25% → ±2.5pp)."""

DEFAULT_ATTAINMENT = (1.0, 0.10)
"""A role's attainment without one in the target file: mean 100%, spread 10pp per person."""


@dataclass(frozen=True, slots=True)
class RateBelief:
    """A conversion rate as a Beta(alpha, beta); ``source`` says where it comes from:
    ``evidence``, ``spread``, ``default`` or ``fixed`` (a rate of 100%: nothing to draw)."""

    metric: str
    to: str
    rate: float
    alpha: float
    beta: float
    source: str

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta) if self.source != "fixed" else self.rate

    @property
    def sd(self) -> float:
        if self.source == "fixed":
            return 0.0
        a, b = self.alpha, self.beta
        return math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))


def beta_from_spread(rate: float, spread: float) -> tuple[float, float]:
    """The Beta(alpha, beta) with mean ``rate`` and standard deviation ``spread``.

    The variance of a Beta is m(1 − m)/(α + β + 1), so α + β = m(1 − m)/s² − 1. A spread at
    or beyond √(m(1 − m)) (which no Beta has) is held just below it.

    >>> beta_from_spread(0.25, 0.05)  # 0.1875 / 0.0025 - 1 = 74 → (18.5, 55.5)
    (18.5, 55.5)
    """
    variance = min(spread * spread, 0.99 * rate * (1 - rate))
    total = rate * (1 - rate) / variance - 1
    return (round(rate * total, 12), round((1 - rate) * total, 12))


def rate_belief(metric: str, to: str, rate: float, given: Mapping[str, Any] | None) -> RateBelief:
    """The Beta of one conversion rate from plan.json's ``uncertainty`` entry (or none)."""
    if rate >= 1 or rate <= 0:
        return RateBelief(metric, to, rate, 0.0, 0.0, "fixed")
    if given and "from" in given:
        won, tried = (int(v) for v in given["from"])
        return RateBelief(metric, to, rate, 1.0 + won, 1.0 + tried - won, "evidence")
    if given and "spread" in given:
        alpha, beta = beta_from_spread(rate, float(given["spread"]))
        return RateBelief(metric, to, rate, alpha, beta, "spread")
    alpha, beta = beta_from_spread(rate, rate * DEFAULT_RATE_SPREAD)
    return RateBelief(metric, to, rate, alpha, beta, "default")


def attainment_of(meta: Mapping[str, Any], group_id: str) -> tuple[float, float, bool]:
    """A role group's attainment (mean, spread per person) and whether it is the default; a
    cohort of hires (``…+hires``) has its role's."""
    given = meta.get("attainment")
    if not given:  # (a plan without attainment written: all its 20,000 groups take this)
        return (*DEFAULT_ATTAINMENT, True)
    entry = given.get(group_id) or given.get(group_id.removesuffix("+hires"))
    if entry is None:
        return (*DEFAULT_ATTAINMENT, True)
    return (float(entry["mean"]), float(entry.get("spread", 0.0)), False)
