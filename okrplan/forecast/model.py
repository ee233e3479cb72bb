"""What the forecast simulates, read off a solved plan: entries, rates and rows.

A selling role group turns activity into the KPI along its funnel (calls → visits →
opportunities → deals → revenue). Given the rates of one simulation, every person's count in
every period is binomial, and binomials of one rate add up (Σ Bin(nᵢ, p) = Bin(Σ nᵢ, p)) and
thin along a chain (Bin(Bin(n, p₁), p₂) = Bin(n, p₁p₂)): so one draw per **entry** is exact,
where an entry is where counts enter a group's funnel — its own top activity (what the quota
needs of it, what its people source themselves) and each metric support units supply it
(市场部's opportunities). An entry's count is thinned by the product of its chain's rates (its
**signature**) and priced by the product of its amounts (20万 per deal).

A **row** is a unit with a target: the entries of the groups below it are a contiguous range in
the tree's display order, so a unit's outcome is a difference of prefix sums.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from okrplan.forecast.org import Org, Seller, Team
from okrplan.forecast.rows import Row as Row  # the model's rows
from okrplan.forecast.uncertainty import RateBelief, attainment_of, rate_belief

SHARE_CAP = 0.99
"""The most of a metric support units supply together (as the solver caps it)."""

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(slots=True)
class Model:
    """What to simulate: rates, signatures, items and rows.

    An **item** is one draw per simulation, in display order: a small entry drawn exactly
    (``exact``: its planned ``count``, ``value``, ``signature`` and attainment ``att_mean`` and
    ``att_sd``, the spread of the group's activity as a whole: per person over √headcount), or
    the large entries of one unit's own groups drawn together from their normal approximation
    (``normal``: per signature the sums M = Σ v·n·a, A = Σ (v·n·s)², B = Σ v²·n·a, so that given
    the rates' products P the outcome has mean Σ P·M and variance Σ P²·A + P(1 − P)·B).
    ``kind`` says which (0 exact, 1 normal) and ``index`` where in its arrays.
    """

    rates: tuple[RateBelief, ...]
    signatures: tuple[tuple[int, ...], ...]
    kind: Ints
    index: Ints
    count: Floats
    value: Floats
    signature: Ints
    att_mean: Floats
    att_sd: Floats
    moments: Floats  # normal items × 3 × signatures: M, A, B
    steps: Floats  # per normal item: the value of one count where all its entries share it, or 0
    groups: tuple[str, ...]
    rows: tuple[Row, ...]
    levels: int = 1
    default_attainment: int = 0
    activity: dict[str, float] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.kind.size)


def funnel_of(metrics: Mapping[str, Mapping[str, Any]], sells: str) -> list[str]:
    """Every metric of the funnel through ``sells``, upstream first (the rule of
    ``Spec.funnel``: the first feeder by key at each step)."""
    upstream: list[str] = []
    current = sells
    while True:
        feeders = sorted(k for k, m in metrics.items() if current in (m.get("yields") or {}))
        if not feeders or feeders[0] in upstream or len(upstream) > len(metrics):
            break
        current = feeders[0]
        upstream.append(current)
    chain = [sells]
    while metrics[chain[-1]].get("yields") and len(chain) <= len(metrics):
        chain.append(next(iter(metrics[chain[-1]]["yields"])))
    return [*reversed(upstream), *chain]


class _Builder:
    """Collects entries group by group in display order."""

    def __init__(self, org: Org, remaining: Mapping[str, float]) -> None:
        self.org = org
        self.remaining = remaining
        self.metrics = org.metrics
        self.rate_index: dict[tuple[str, str], int] = {}
        self.rates: list[RateBelief] = []
        self.sig_index: dict[tuple[int, ...], int] = {}
        # per entry (count, value, signature, att_mean, att_sd): one tuple, not five appends
        self.entries: list[tuple[float, float, int, float, float]] = []
        self.groups: list[str] = []
        self.defaults = 0
        self.activity: dict[str, float] = {}  # the planned count of each funnel's first metric
        self.supports = [
            (r.path[:-1], *r.supports)
            for r in org.records.values()
            if isinstance(r, Team) and r.supports is not None and len(r.path) > 1
        ]  # (scope, metric, share): a support unit supplies its parent's subtree
        self.funnels: dict[str, tuple[list[str], list[float]]] = {}
        self.chains: dict[tuple[str, int], tuple[int, float]] = {}
        self.firsts: dict[str, tuple[list[str], list[float], int, float]] = {}
        # a plan without attainment written: every group takes the default (no lookup each)
        self.attainment = None if org.meta.get("attainment") else attainment_of(org.meta, "")
        self.roots: dict[int, float] = {}  # √headcount by headcount

    def funnel(self, sells: str) -> tuple[list[str], list[float]]:
        """The funnel through ``sells`` and the yield of each of its steps (cached)."""
        if sells not in self.funnels:
            funnel = funnel_of(self.metrics, sells)
            steps = [float(self.metrics[a]["yields"][b]) for a, b in pairwise(funnel)]
            self.funnels[sells] = (funnel, steps)
        return self.funnels[sells]

    def step(self, metric: str, to: str) -> tuple[int | None, float]:
        """A funnel step as (rate index, 1) or (None, amount)."""
        value = float(self.metrics[metric]["yields"][to])
        if value <= 1 and self.metrics[to].get("kind", "count") == "count":
            key = (metric, to)
            if key not in self.rate_index:
                given = (self.metrics[metric].get("uncertainty") or {}).get(to)
                self.rate_index[key] = len(self.rates)
                self.rates.append(rate_belief(metric, to, value, given))
            return self.rate_index[key], 1.0
        return None, value

    def chain(self, sells: str, at: int) -> tuple[int, float]:
        """The signature and value per count of an entry at step ``at`` of the funnel
        through ``sells`` (cached)."""
        key = (sells, at)
        funnel = self.funnel(sells)[0]
        if key not in self.chains:
            rates: list[int] = []
            value = 1.0
            for metric, to in zip(funnel[at:], funnel[at + 1 :], strict=False):
                index, amount = self.step(metric, to)
                value *= amount
                if index is not None:
                    rates.append(index)
            sig = self.sig_index.setdefault(tuple(sorted(rates)), len(self.sig_index))
            self.chains[key] = (sig, value)
        return self.chains[key]

    def first(self, sells: str) -> tuple[list[str], list[float], int, float]:
        """The funnel through ``sells``, its yields, and the signature and value per count of
        its first step's entries (cached: 20,000 groups sell a few metrics)."""
        found = self.firsts.get(sells)
        if found is None:
            funnel, steps = self.funnel(sells)
            found = self.firsts[sells] = (funnel, steps, *self.chain(sells, 0))
        return found

    def entry(self, sells: str, at: int, count: float, att: tuple[float, float]) -> None:
        sig, value = self.chain(sells, at)
        self.entries.append((count, value, sig, att[0], att[1]))

    def shares(self, role: Seller, funnel: list[str]) -> dict[str, float]:
        """The share of each metric of its funnel that support units supply ``role``."""
        shares: dict[str, float] = {}
        for scope, metric, share in self.supports:
            if role.path[: len(scope)] == scope and metric in funnel:
                shares[metric] = min(shares.get(metric, 0.0) + share, SHARE_CAP)
        return shares

    def group(self, role: Seller) -> int:
        """The entries of one selling group (what its quota needs, supplied or its own); how
        many."""
        self.groups.append(role.id)
        funnel, steps, sig, value = self.first(role.sells)
        need = role.quota * self.remaining.get(role.id, 1.0)
        supplied: list[tuple[int, float]] = []
        shares = self.shares(role, funnel) if self.supports else None
        if shares:
            for at in range(len(funnel) - 2, -1, -1):
                need /= steps[at]
                share = shares.get(funnel[at], 0.0)
                if share:
                    supplied.append((at, need * share))
                    need *= 1 - share
        else:  # nothing supplied (most groups): the same divisions, last step first
            for step in reversed(steps):
                need /= step
        mean, spread, default = self.attainment or attainment_of(self.org.meta, role.id)
        self.defaults += default
        self.activity[funnel[0]] = self.activity.get(funnel[0], 0.0) + need
        root = self.roots.get(role.headcount)
        if root is None:
            root = self.roots[role.headcount] = max(role.headcount, 1) ** 0.5
        self.entries.append((need, value, sig, mean, spread / root))
        for at, count in reversed(supplied):
            self.entry(role.sells, at, count, (1.0, 0.0))
        return 1 + len(supplied)


NORMAL_FROM = 100.0
"""The planned variance in counts (n·p(1 − p), with attainment's) of a unit's own groups from
which they are drawn together from their normal approximation: there the two differ by less
than the Monte Carlo's own noise, and one draw replaces many."""


def build_model(
    org: Org,
    fixed: Mapping[str, float] | None = None,
    remaining: Mapping[str, float] | None = None,
) -> Model:
    """The forecast's model of a plan.

    Parameters
    ----------
    org
        A solved plan's units and selling groups (:mod:`okrplan.forecast.org`).
    fixed
        What each role group (by id) has already done, in the KPI's base unit.
    remaining
        The share of each role group's plan still ahead (by id; 1 where absent): its entries'
        counts are scaled by it.

    Returns
    -------
    Model
        Items in the display order of their groups, and a row per unit with a target.
    """
    builder = _Builder(org, remaining or {})
    fixed = fixed or {}
    rows: list[_Span] = []  # per unit with a target, in preorder: made a Row once, in _items
    runs: list[int] = []  # per entry: the unit whose own group it belongs to
    done: list[float] = [0.0]  # running sum of what the groups have done
    levels = 1  # the deepest selling group: how many levels a buffer is applied at
    units = 0

    def visit(unit: Team, depth: int) -> None:
        nonlocal levels, units
        lo, lo_done, index, me = len(runs), len(done) - 1, len(rows), units
        units += 1
        target = unit.target
        if target is not None:
            rows.append((unit.id, unit.name, unit.path, depth, target, 0, 0, 0.0))
        for child in org.children[unit.id]:
            record = org.records[child]
            if isinstance(record, Team):
                visit(record, depth + 1)
            elif record.quota > 0:
                runs.extend([me] * builder.group(record))
                levels = max(levels, depth + 1)
                done.append(done[-1] + fixed.get(record.id, 0.0))
        if target is not None:
            span = (lo, len(runs), done[-1] - done[lo_done])
            rows[index] = (unit.id, unit.name, unit.path, depth, target, *span)

    root = org.records[org.root]
    assert isinstance(root, Team)
    visit(root, 0)
    return replace(_items(builder, np.asarray(runs, dtype=np.int64), rows), levels=levels)


_Span = tuple[str, str, tuple[str, ...], int, float, int, int, float]
"""A row's fields, over entries (not yet items)."""


def _items(builder: _Builder, runs: Ints, rows: list[_Span]) -> Model:
    """Fold each unit's large entries into one normal item; remap the rows to items.

    A run is a unit's own entries (consecutive); a run whose variance in counts reaches
    :data:`NORMAL_FROM` becomes one normal item, placed at its first entry, and every other
    entry is an exact item of its own."""
    table = np.array(builder.entries, dtype=np.float64).reshape(-1, 5).T
    c = dict(zip(("count", "value", "signature", "att_mean", "att_sd"), table.copy(), strict=True))
    sig = c["signature"].astype(np.int64)
    means = [b.mean for b in builder.rates]
    planned = np.array([float(np.prod([means[i] for i in s])) for s in builder.sig_index])
    p = planned[sig] if sig.size else np.zeros(0)
    n, a, sd, v = c["count"], c["att_mean"], c["att_sd"], c["value"]
    spread = n * a * p * (1 - p) + (n * sd * p) ** 2  # an entry's variance in counts
    n_sig = max(len(builder.sig_index), 1)
    first = np.flatnonzero(np.diff(runs, prepend=-1)) if runs.size else runs  # each run's start
    run_of = np.cumsum(np.diff(runs, prepend=-1) != 0) - 1  # each entry's run
    big = (np.add.reduceat(spread, first) >= NORMAL_FROM)[run_of] if runs.size else runs > 0
    starts = ~big | np.isin(np.arange(runs.size), first)  # where an item starts
    item_of = np.cumsum(starts) - 1  # each entry's item
    kind = big[starts].astype(np.int64)
    index = np.zeros(kind.size, dtype=np.int64)
    index[kind == 0] = np.arange(int((kind == 0).sum()))
    index[kind == 1] = np.arange(int(kind.sum()))
    normal_of = index[item_of[big]]  # each big entry's normal item
    moments = np.zeros((int(kind.sum()), 3, n_sig))
    for k, term in enumerate((v * n * a, (v * n * sd) ** 2, v * v * n * a)):
        np.add.at(moments[:, k], (normal_of, sig[big]), term[big])
    low = np.full(moments.shape[0], np.inf)
    high = np.full(moments.shape[0], -np.inf)
    np.minimum.at(low, normal_of, v[big])
    np.maximum.at(high, normal_of, v[big])
    # entry boundary → item boundary (a list: 20,000 rows read it twice each)
    position: list[int] = np.concatenate([[0], np.cumsum(starts)]).tolist()
    take = np.flatnonzero(~big)
    return Model(
        rates=tuple(builder.rates),
        signatures=tuple(builder.sig_index),
        kind=kind,
        index=index,
        count=n[take],
        value=v[take],
        signature=sig[take],
        att_mean=a[take],
        att_sd=sd[take],
        moments=moments,
        steps=np.where(low == high, low, 0.0),
        groups=tuple(builder.groups),
        rows=tuple(
            Row(i, name, path, depth, target, position[lo], position[hi], done)
            for i, name, path, depth, target, lo, hi, done in rows
        ),
        default_attainment=builder.defaults,
        activity=builder.activity,
    )
