"""The Monte Carlo: rates drawn once per simulation and shared, counts drawn per entry.

Three random streams come from the seed (:class:`numpy.random.SeedSequence`): the rates, the
attainment and the counts, so that two runs with the same seed and another activity multiplier
draw the same rates and the same attainment (common random numbers for the buffer search).

Items (:class:`okrplan.forecast.model.Model`) are drawn in blocks of :data:`BLOCK` in display
order, and each unit's outcome is a difference of running sums, so memory stays at a block ×
simulations whatever the plan's size. Small entries are drawn exactly (binomial); a unit's
large ones together from their normal approximation, given the shared rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from okrplan.forecast.model import Floats, Ints, Model, Row
from okrplan.forecast.rows import RowStats as RowStats  # a row's stats

BLOCK = 256
"""Entries drawn at once (fixed: the draws, and so the output, depend on it)."""

QUANTILES = (0.1, 0.5, 0.9)
HISTOGRAM_BINS = 20


@dataclass(frozen=True, slots=True)
class Simulation:
    """Per row its stats (in the model's row order) and the first row's outcomes (the
    company's, for a histogram)."""

    stats: tuple[RowStats, ...]
    first: Floats


def draw_rates(model: Model, sims: int, seed: np.random.SeedSequence) -> Floats:
    """Every signature's product of rates per simulation: shape (signatures, sims)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    rates = np.empty((len(model.rates), sims))
    for i, belief in enumerate(model.rates):
        if belief.source == "fixed":
            rates[i] = belief.rate
        else:
            rates[i] = rng.beta(belief.alpha, belief.beta, sims)
    products = np.ones((len(model.signatures), sims))
    for s, members in enumerate(model.signatures):
        for i in members:
            products[s] *= rates[i]
    return products


class _Draws:
    """The per-block draws of one simulation run."""

    def __init__(self, model: Model, sims: int, seed: int, multiplier: float) -> None:
        rate_seed, att_seed, count_seed = np.random.SeedSequence(seed).spawn(3)
        self.model, self.sims, self.multiplier = model, sims, multiplier
        self.products = draw_rates(model, sims, rate_seed)
        p = self.products
        # what M, and A and B together, are multiplied by; single precision: a normal item is a
        # sum of many entries, its outcome shown to the plan's rounding, never to 7 digits
        self.mean_of = p.astype(np.float32)
        self.spread_of = np.concatenate([p * p, p * (1 - p)]).astype(np.float32)
        self.thinned = np.array([bool(sig) for sig in model.signatures] or [False])
        self.att = np.random.Generator(np.random.PCG64(att_seed))
        self.counts = np.random.Generator(np.random.PCG64(count_seed))

    def exact(self, items: Ints) -> Floats:
        """Exact items: attainment per group, then a binomial count thinned by the rates."""
        m, sims = self.model, self.sims
        count = m.count[items, None] * self.multiplier
        vary = np.flatnonzero(m.att_sd[items] > 0)
        if vary.size == items.size:  # every group varies (the default): no repeat, no scatter
            noise = self.att.standard_normal((vary.size, sims), dtype=np.float32)
            attained = (count * m.att_sd[items, None]) * noise  # + mean: the same sum
            attained += count * m.att_mean[items, None]
        else:
            attained = np.repeat(count * m.att_mean[items, None], sims, axis=1)
            if vary.size:
                noise = self.att.standard_normal((vary.size, sims), dtype=np.float32)
                attained[vary] += count[vary] * m.att_sd[items[vary], None] * noise
        np.maximum(attained, 0.0, out=attained)
        np.rint(attained, out=attained)
        signature = m.signature[items]
        thinned = np.flatnonzero(self.thinned[signature])  # the others keep their count
        if thinned.size == items.size:  # all (a funnel with a rate): no gather, no scatter
            n = attained.astype(np.int64)
            # one signature: its products broadcast over the rows (drawn in the same order)
            one = signature.size and (signature == signature[0]).all()
            rates = self.products[signature[:1] if one else signature]
            return np.multiply(self.counts.binomial(n, rates), m.value[items, None])
        if thinned.size:
            n = attained[thinned].astype(np.int64)
            attained[thinned] = self.counts.binomial(n, self.products[signature[thinned]])
        attained *= m.value[items, None]
        return attained

    def normal(self, items: Ints) -> npt.NDArray[np.float32]:
        """Normal items: mean Σ P·M·k, variance Σ P²·A·k² + P(1 − P)·B·k (k the multiplier,
        folded into the items' moments rather than into the simulations' products)."""
        k = self.multiplier
        moments = self.model.moments[items]
        # einsum, not @: a product this thin (a few signatures) is no work for BLAS, whose
        # threads only burn the CPU time the simulation needs
        mean = np.einsum("is,sj->ij", (moments[:, 0] * k).astype(np.float32), self.mean_of)
        weights = np.concatenate([moments[:, 1] * (k * k), moments[:, 2] * k], axis=1)
        spread: npt.NDArray[np.float32] = np.einsum(
            "is,sj->ij", weights.astype(np.float32), self.spread_of
        )
        np.maximum(spread, 0.0, out=spread)
        np.sqrt(spread, out=spread)
        spread *= self.counts.standard_normal(mean.shape, dtype=np.float32)
        spread += mean
        np.maximum(spread, 0.0, out=spread)
        # whole counts where an item's entries share one value (20万 a deal): P(hit) of a
        # target of whole counts is then not off by half a count's probability
        steps = self.model.steps[items].astype(np.float32)
        whole = np.flatnonzero(steps > 0)
        if whole.size == steps.size:  # all (one price a deal): in place, the same values
            spread /= steps[:, None]
            np.rint(spread, out=spread)
            spread *= steps[:, None]
        elif whole.size:
            spread[whole] = np.rint(spread[whole] / steps[whole, None]) * steps[whole, None]
        return spread

    def block(self, lo: int, hi: int) -> Floats:
        """The outcomes (in the KPI's base unit) of items lo..hi: shape (hi − lo, sims)."""
        kind, index = self.model.kind[lo:hi], self.model.index[lo:hi]
        out = np.empty((hi - lo, self.sims))
        exact = np.flatnonzero(kind == 0)
        if exact.size:
            out[exact] = self.exact(index[exact])
        normal = np.flatnonzero(kind == 1)
        if normal.size:
            out[normal] = self.normal(index[normal])
        return out


def row_stats(outcomes: Floats, targets: Floats) -> list[RowStats]:
    """P(hit), P10/P50/P90 (simulated values, the lower one where a quantile falls between
    two) and the mean of each row of ``outcomes`` (shape rows × sims)."""
    tolerance = 1e-9 * np.maximum(np.abs(targets), 1.0)
    hit = (outcomes >= (targets - tolerance)[:, None]).mean(axis=1)
    mean = outcomes.mean(axis=1)
    # np.quantile's "lower" value, from a sort: numpy sorts floats faster than it partitions,
    # and single precision faster still (7 digits: a quantile is shown to 3 significant figures)
    ks = [int(np.floor(q * (outcomes.shape[1] - 1))) for q in QUANTILES]
    q = np.sort(outcomes.astype(np.float32), axis=1)[:, ks].T.astype(np.float64)
    # tolist: the same Python floats as float() of each element, without an index each
    return [
        RowStats(*values) for values in zip(hit.tolist(), *q.tolist(), mean.tolist(), strict=True)
    ]


def _prefixes(block: Floats, carry: Floats, b0: int, positions: set[int]) -> dict[int, Floats]:
    """The running sums of ``block``'s rows (its first at ``b0``), plus ``carry``, at each of
    ``positions`` (a position p: the sum of the items before p). Only these are made, not a
    running sum per item (the report asks for a few dozen rows): each stretch between two is
    added by np.add.reduce along the first axis, a row at a time in order, so the sums are
    the same as a row-by-row running sum's. ``block`` is overwritten."""
    found: dict[int, Floats] = {}
    total: Floats | None = None
    done = 0  # rows of the block summed into total
    for pos in sorted(positions):
        if pos - b0 > done:
            if total is not None:  # the next row plus the sum so far, as a running sum adds
                np.add(block[done], total, out=block[done])
            total = np.add.reduce(block[done : pos - b0], axis=0)
            done = pos - b0
        found[pos] = carry if total is None else total + carry
    return found


def _schedule(
    rows: Sequence[Row],
) -> tuple[dict[int, set[int]], dict[int, int], dict[int, list[int]]]:
    """By block: where rows that close in a later block start (their running sum is kept),
    how many rows need each such start, and the rows that close in the block."""
    starts: dict[int, set[int]] = {}
    users: dict[int, int] = {}
    closes: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        if r.hi == r.lo:
            continue
        block = (r.hi - 1) // BLOCK
        closes.setdefault(block, []).append(i)
        if r.lo // BLOCK != block:
            starts.setdefault(r.lo // BLOCK, set()).add(r.lo)
            users[r.lo] = users.get(r.lo, 0) + 1
    return starts, users, closes


def simulate(
    model: Model, *, sims: int, seed: int, multiplier: float = 1.0, rows: int | None = None
) -> Simulation:
    """Run the Monte Carlo.

    Parameters
    ----------
    model
        What to simulate (:func:`okrplan.forecast.model.build_model`).
    sims, seed
        How many simulations, and the seed that makes them reproducible.
    multiplier
        Every planned count times this (1: the plan as it is).
    rows
        Only the first ``rows`` rows (1: the company alone, for a search); all if None.

    Returns
    -------
    Simulation
        The stats of each row, in the model's order, and the first row's outcomes.
    """
    wanted = model.rows[: len(model.rows) if rows is None else rows]
    draws = _Draws(model, sims, seed, multiplier)
    carry = np.zeros(sims)
    saved: dict[int, Floats] = {}
    stats: dict[int, RowStats] = {}
    first = np.zeros(sims)
    starts, users, closes = _schedule(wanted)
    for i, r in enumerate(wanted):
        if r.hi == r.lo:  # a unit with a target and nothing selling below it
            stats[i] = row_stats(np.full((1, sims), r.done), np.array([r.target]))[0]
    for b0 in range(0, max(model.size, 1), BLOCK):
        b1 = min(b0 + BLOCK, model.size)
        closing = closes.get(b0 // BLOCK, [])
        asked = {b1, *starts.get(b0 // BLOCK, ())}
        asked.update(p for i in closing for p in (wanted[i].lo, wanted[i].hi) if p >= b0)
        sums = _prefixes(draws.block(b0, b1), carry, b0, asked) if b1 > b0 else {b0: carry}

        def at(pos: int, b0: int = b0, sums: dict[int, Floats] = sums) -> Floats:
            return sums[pos] if pos >= b0 else saved[pos]

        for pos in sorted(starts.get(b0 // BLOCK, ())):
            saved[pos] = at(pos).copy()
        if closing:
            outcomes = np.stack([at(wanted[i].hi) - at(wanted[i].lo) for i in closing])
            outcomes += np.array([wanted[i].done for i in closing])[:, None]
            targets = np.array([wanted[i].target for i in closing])
            if 0 in closing:  # before row_stats sorts them
                first = outcomes[closing.index(0)].copy()
            for i, s in zip(closing, row_stats(outcomes, targets), strict=True):
                stats[i] = s
            for i in closing:
                lo = wanted[i].lo
                if lo < b0:  # a row that spans blocks
                    users[lo] -= 1
                    if not users[lo]:
                        del saved[lo], users[lo]
        carry = sums[b1]
    return Simulation(tuple(stats[i] for i in range(len(wanted))), first)


def histogram(outcomes: Floats) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """:data:`HISTOGRAM_BINS` equal bins over the outcomes' range: (edges, counts)."""
    if outcomes.size == 0:
        return ((), ())
    counts, edges = np.histogram(outcomes, bins=HISTOGRAM_BINS)
    return (tuple(float(round(e, 2)) for e in edges), tuple(int(c) for c in counts))
