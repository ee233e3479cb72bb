"""The buffer a confidence needs: the smallest activity multiplier whose P(hit) reaches it.

Every planned count times m (the buffer's effect: each level's children carry (1 + buffer) of
their parent, so a plan's activity is the KPI's need × (1 + buffer)^levels). P(hit) is
estimated with the same seed at every m (common random numbers: the same rate and attainment
draws), so it rises with m but for the counts' own noise; the search brackets the confidence and
bisects to 0.1%.
"""

from __future__ import annotations

from dataclasses import dataclass

from okrplan.forecast.model import Model
from okrplan.forecast.simulate import simulate

PRECISION = 0.001
"""The search stops when the bracket is this narrow (relative)."""
FARTHEST = 64.0
"""The largest (and 1/ the smallest) multiplier tried."""


@dataclass(frozen=True, slots=True)
class BufferNeed:
    """What a confidence needs: the activity ``multiplier`` (None: not even ×64 reaches it),
    its P(hit), and the buffer per level that gives it beside the plan's own."""

    confidence: float
    multiplier: float | None
    p_hit: float | None
    buffer: float
    needed: float | None
    levels: int


def per_level(buffer: float, multiplier: float, levels: int) -> float:
    """The buffer per level whose compounding over ``levels`` levels is ``multiplier`` times the
    plan's: (1 + b')^L = m·(1 + b)^L.

    >>> round(per_level(0.10, 1.11, 2), 4)  # 1.1 × √1.11 − 1 = 1.1 × 1.053565 − 1
    0.1589
    """
    return float((1 + buffer) * multiplier ** (1 / max(levels, 1)) - 1)


def search_buffer(
    model: Model, *, confidence: float, sims: int, seed: int, buffer: float
) -> BufferNeed:
    """The smallest multiplier (to :data:`PRECISION`) whose company P(hit) ≥ ``confidence``."""

    def p_hit(m: float) -> float:
        return simulate(model, sims=sims, seed=seed, multiplier=m, rows=1).stats[0].p_hit

    p_high = p_hit(1.0)
    if p_high >= confidence:  # the plan has more than enough: how much less would do
        low, high = 0.5, 1.0
        while low > 1 / FARTHEST and (p_low := p_hit(low)) >= confidence:
            high, p_high, low = low, p_low, low / 2
    else:
        low, high = 1.0, 2.0
        while (p_high := p_hit(high)) < confidence:
            if high >= FARTHEST:
                return BufferNeed(confidence, None, None, buffer, None, model.levels)
            low, high = high, high * 2
    while high / low - 1 > PRECISION:
        middle = (low + high) / 2
        p_middle = p_hit(middle)
        if p_middle >= confidence:
            high, p_high = middle, p_middle
        else:
            low = middle
    return BufferNeed(
        confidence, high, p_high, buffer, per_level(buffer, high, model.levels), model.levels
    )
