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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from okrplan.forecast.uncertainty import RateBelief, attainment_of, rate_belief
from okrplan.graph import node, root_of
from okrplan.model import RoleGroup, Unit
from okrplan.plan import Plan
from okrplan.queries import org_children

SHARE_CAP = 0.99
"""The most of a metric support units supply together (as the solver caps it)."""

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Row:
    """A unit the forecast reports on: its target and its range of entries."""

    id: str
    name: str
    path: tuple[str, ...]
    depth: int
    target: float
    lo: int
    hi: int
    done: float = 0.0


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

    def __init__(self, plan: Plan, remaining: Mapping[str, float]) -> None:
        self.plan = plan
        self.remaining = remaining
        self.metrics = plan.metrics
        self.rate_index: dict[tuple[str, str], int] = {}
        self.rates: list[RateBelief] = []
        self.sig_index: dict[tuple[int, ...], int] = {}
        self.columns: dict[str, list[float]] = {
            k: [] for k in ("count", "value", "signature", "att_mean", "att_sd", "group")
        }
        self.groups: list[str] = []
        self.defaults = 0
        self.activity: dict[str, float] = {}  # the planned count of each funnel's first metric
        self.supports = _supports(plan)

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

    def entry(self, funnel: Sequence[str], at: int, count: float, att: tuple[float, float]) -> None:
        rates: list[int] = []
        value = 1.0
        for metric, to in zip(funnel[at:], funnel[at + 1 :], strict=False):
            index, amount = self.step(metric, to)
            value *= amount
            if index is not None:
                rates.append(index)
        sig = self.sig_index.setdefault(tuple(sorted(rates)), len(self.sig_index))
        values = (count, value, sig, *att, len(self.groups) - 1)
        for key, v in zip(self.columns, values, strict=True):
            self.columns[key].append(float(v))

    def group(self, role: RoleGroup) -> None:
        """The entries of one selling group: what its quota needs, supplied or its own."""
        assert role.selling is not None and role.sells is not None
        self.groups.append(role.id)
        funnel = funnel_of(self.metrics, role.sells)
        shares: dict[str, float] = {}
        for scope, metric, share in self.supports:
            if role.path[: len(scope)] == scope and metric in funnel:
                shares[metric] = min(shares.get(metric, 0.0) + share, SHARE_CAP)
        need = float(role.selling.quota) * self.remaining.get(role.id, 1.0)
        supplied: list[tuple[int, float]] = []
        for at in range(len(funnel) - 2, -1, -1):
            need /= float(self.metrics[funnel[at]]["yields"][funnel[at + 1]])
            share = shares.get(funnel[at], 0.0)
            if share:
                supplied.append((at, need * share))
                need *= 1 - share
        mean, spread, default = attainment_of(self.plan.meta, role.id)
        self.defaults += default
        self.activity[funnel[0]] = self.activity.get(funnel[0], 0.0) + need
        self.entry(funnel, 0, need, (mean, spread / max(role.headcount, 1) ** 0.5))
        for at, count in reversed(supplied):
            self.entry(funnel, at, count, (1.0, 0.0))


def _supports(plan: Plan) -> list[tuple[tuple[str, ...], str, float]]:
    """(scope, metric, share) of every support unit: it supplies its parent's subtree."""
    out = []
    for data in plan.graph._node.values():
        record = data["node"]
        if isinstance(record, Unit) and record.supports is not None and len(record.path) > 1:
            out.append((record.path[:-1], record.supports.metric, float(record.supports.share)))
    return out


NORMAL_FROM = 100.0
"""The planned variance in counts (n·p(1 − p), with attainment's) of a unit's own groups from
which they are drawn together from their normal approximation: there the two differ by less
than the Monte Carlo's own noise, and one draw replaces many."""


def build_model(
    plan: Plan,
    fixed: Mapping[str, float] | None = None,
    remaining: Mapping[str, float] | None = None,
) -> Model:
    """The forecast's model of ``plan``.

    Parameters
    ----------
    plan
        A solved plan (its graph, metrics and meta, as plan.json has them).
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
    builder = _Builder(plan, remaining or {})
    graph = plan.graph
    rows: list[Row] = []
    runs: list[int] = []  # per entry: the unit whose own group it belongs to
    done: list[float] = [0.0]  # running sum of what the groups have done

    def visit(node_id: str, depth: int, unit_index: int) -> None:
        record = node(graph, node_id)
        if isinstance(record, RoleGroup):
            if record.selling is not None and record.sells and record.selling.quota > 0:
                before = len(builder.columns["count"])
                builder.group(record)
                levels[0] = max(levels[0], depth)
                runs.extend([unit_index] * (len(builder.columns["count"]) - before))
                done.append(done[-1] + (fixed or {}).get(record.id, 0.0))
            return
        assert isinstance(record, Unit)
        lo, lo_done, index = len(runs), len(done) - 1, len(rows)
        if record.target is not None:
            rows.append(Row(record.id, record.name, record.path, depth, float(record.target), 0, 0))
        me = len(visited)
        visited.append(node_id)
        for child in org_children(graph, node_id):
            visit(child, depth + 1, me)
        if record.target is not None:
            rows[index] = replace(rows[index], lo=lo, hi=len(runs), done=done[-1] - done[lo_done])

    visited: list[str] = []
    levels = [1]  # the deepest selling group: how many levels a buffer is applied at
    visit(root_of(graph), 0, -1)
    return replace(_items(builder, runs, rows), levels=levels[0])


def _items(builder: _Builder, runs: list[int], rows: list[Row]) -> Model:
    """Fold each unit's large entries into one normal item; remap the rows to items."""
    c = {k: np.asarray(v, dtype=np.float64) for k, v in builder.columns.items()}
    sig = c["signature"].astype(np.int64)
    means = [b.mean for b in builder.rates]
    planned = np.array([float(np.prod([means[i] for i in s])) for s in builder.sig_index])
    p = planned[sig] if sig.size else np.zeros(0)
    n, a, sd = c["count"], c["att_mean"], c["att_sd"]
    spread = n * a * p * (1 - p) + (n * sd * p) ** 2  # an entry's variance in counts
    n_sig = max(len(builder.sig_index), 1)
    kinds: list[int] = []
    index: list[int] = []
    exact: list[int] = []
    moments: list[Floats] = []
    steps: list[float] = []
    position = [0] * (len(runs) + 1)  # entry boundary → item boundary
    e = 0
    while e < len(runs):
        end = e
        while end < len(runs) and runs[end] == runs[e]:
            end += 1
        big = list(range(e, end)) if spread[e:end].sum() >= NORMAL_FROM else []
        for i in range(e, end):
            position[i] = len(kinds)
            if not big:
                kinds.append(0)
                index.append(len(exact))
                exact.append(i)
        if big:
            block = np.zeros((3, n_sig))
            v, n, a, s = (c[k][big] for k in ("value", "count", "att_mean", "att_sd"))
            np.add.at(block[0], sig[big], v * n * a)
            np.add.at(block[1], sig[big], (v * n * s) ** 2)
            np.add.at(block[2], sig[big], v * v * n * a)
            kinds.append(1)
            index.append(len(moments))
            moments.append(block)
            steps.append(float(v[0]) if np.all(v == v[0]) else 0.0)
        e = end
        position[end] = len(kinds)
    take = np.asarray(exact, dtype=np.int64)
    return Model(
        rates=tuple(builder.rates),
        signatures=tuple(builder.sig_index),
        kind=np.asarray(kinds, dtype=np.int64),
        index=np.asarray(index, dtype=np.int64),
        count=c["count"][take],
        value=c["value"][take],
        signature=sig[take],
        att_mean=c["att_mean"][take],
        att_sd=c["att_sd"][take],
        moments=np.asarray(moments).reshape(len(moments), 3, n_sig),
        steps=np.asarray(steps, dtype=np.float64),
        groups=tuple(builder.groups),
        rows=tuple(replace(r, lo=position[r.lo], hi=position[r.hi]) for r in rows),
        default_attainment=builder.defaults,
        activity=builder.activity,
    )
