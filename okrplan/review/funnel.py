"""Why a funnel is behind: its revenue gap split between activity volume and conversion.

A selling funnel is a chain of stages (有效电话 → 客户拜访 → 有效商机 → 销售额). Its revenue is
the first stage's volume times every conversion rate along the chain, so for plan and actual

    R = V₀ · r₁ · r₂ · … · rₙ,        rᵢ = Vᵢ ÷ Vᵢ₋₁.

The gap ``R_actual − R_plan`` is split by changing one factor at a time from plan to actual, in
funnel order — first the volume of activity, then each conversion — and crediting each step with
what it changed (the classic volume / rate variance of cost accounting):

    volume      = (V₀ᵃ − V₀ᵖ) · r₁ᵖ · … · rₙᵖ
    conversion i = V₀ᵃ · r₁ᵃ · … · rᵢ₋₁ᵃ · (rᵢᵃ − rᵢᵖ) · rᵢ₊₁ᵖ · … · rₙᵖ

that is, each change is valued at the actual volume upstream of it and the planned rates
downstream. The steps telescope, so their sum is exactly the gap (exact fractions, no rounding).
A stage with no volume in the plan or in the actuals has no rate; it is left out of the chain
(its neighbours' rate spans it), which keeps the identity exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class Cause(StrEnum):
    """What a funnel's gap mostly comes from."""

    ON_PLAN = "on_plan"  # no gap, or ahead of plan
    VOLUME = "volume"  # too few activities at the top of the funnel
    CONVERSION = "conversion"  # activities turned into results worse than planned
    NO_DATA = "no_data"  # no actuals for the stages


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of a funnel in the review period: planned and actual volume."""

    metric: str
    name: str
    planned: Fraction
    actual: Fraction | None


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor of the product and the part of the gap it explains.

    ``source`` is None for the volume of the first stage; otherwise the factor is the
    conversion from ``source`` to ``metric``."""

    metric: str
    source: str | None
    planned: Fraction
    actual: Fraction
    explains: Fraction


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A funnel's stages, its factors and its verdict; ``sum(f.explains) == gap`` exactly."""

    stages: tuple[Stage, ...]
    factors: tuple[Factor, ...]
    planned: Fraction  # the last stage's planned volume (revenue)
    actual: Fraction | None
    gap: Fraction
    cause: Cause

    @property
    def volume(self) -> Fraction:
        """The part of the gap the volume of activity explains."""
        return sum((f.explains for f in self.factors if f.source is None), Fraction(0))

    @property
    def conversion(self) -> Fraction:
        """The part of the gap the conversion rates explain."""
        return sum((f.explains for f in self.factors if f.source is not None), Fraction(0))

    @property
    def worst(self) -> Factor | None:
        """The factor that explains most of a shortfall (None when there is none)."""
        short = [f for f in self.factors if f.explains < 0]
        return min(short, key=lambda f: f.explains) if short else None


def diagnose(stages: Sequence[Stage]) -> Diagnosis:
    """Split the last stage's gap between the first stage's volume and each conversion.

    Parameters
    ----------
    stages : sequence of Stage
        The funnel, earliest activity first, the outcome (revenue) last.

    Returns
    -------
    Diagnosis
        With ``sum(f.explains for f in factors) == gap``.

    Examples
    --------
    Visits on plan (100), visit → opportunity rate 30 % → 20 %, opportunity → revenue on plan
    (10 per opportunity): the whole gap of 300 − 200 = 100 is conversion.

    >>> F = Fraction
    >>> d = diagnose([Stage("visits", "", F(100), F(100)), Stage("opps", "", F(30), F(20)),
    ...               Stage("revenue", "", F(300), F(200))])
    >>> d.gap, d.volume, d.conversion, d.cause.value
    (Fraction(-100, 1), Fraction(0, 1), Fraction(-100, 1), 'conversion')
    """
    last = stages[-1] if stages else Stage("", "", Fraction(0), None)
    chain = [s for s in stages[:-1] if s.planned > 0 and s.actual is not None and s.actual > 0]
    if last.actual is None:
        return Diagnosis(tuple(stages), (), last.planned, None, Fraction(0), Cause.NO_DATA)
    chain.append(last)
    gap = last.actual - last.planned
    factors = _factors(chain) if len(chain) > 1 and chain[0].planned > 0 else ()
    if not factors:  # no activity to explain it: the outcome alone
        factors = (Factor(last.metric, None, last.planned, last.actual, gap),)
    return Diagnosis(tuple(stages), factors, last.planned, last.actual, gap, _cause(gap, factors))


def _factors(chain: Sequence[Stage]) -> tuple[Factor, ...]:
    """The volume of the first stage and each conversion, each with the part of the gap it
    explains (one factor changed at a time, in funnel order)."""
    planned = [chain[0].planned] + [b.planned / a.planned for a, b in itertools.pairwise(chain)]
    actual = [_actual(chain[0])] + [_actual(b) / _actual(a) for a, b in itertools.pairwise(chain)]
    current = list(planned)
    value = _product(current)
    out = []
    for i, stage in enumerate(chain):
        current[i] = actual[i]
        changed = _product(current)
        source = chain[i - 1].metric if i else None
        out.append(Factor(stage.metric, source, planned[i], actual[i], changed - value))
        value = changed
    return tuple(out)


def _actual(stage: Stage) -> Fraction:
    return stage.actual if stage.actual is not None else Fraction(0)


def _product(values: Sequence[Fraction]) -> Fraction:
    out = Fraction(1)
    for v in values:
        out *= v
    return out


def _cause(gap: Fraction, factors: Sequence[Factor]) -> Cause:
    """Volume or conversion: whichever explains more of a shortfall."""
    if gap >= 0:
        return Cause.ON_PLAN
    volume = sum((f.explains for f in factors if f.source is None), Fraction(0))
    conversion = sum((f.explains for f in factors if f.source is not None), Fraction(0))
    return Cause.VOLUME if volume <= conversion else Cause.CONVERSION
