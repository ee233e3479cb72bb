"""The forecast at plan time: what ``decompose`` says and report.html draws of a new plan.

A small, fixed Monte Carlo (:data:`SIMS` simulations, seed :data:`SEED`: the same plan gives
the same numbers) of the plan in memory, for the company (or a report's unit) and the units
:data:`DEPTH` levels below it: the KPI's P(hit), P10 / P50 / P90 and the distribution of its
outcome. 2,000 simulations give P(hit) to about ±1 point (a standard error of at most
√(0.25 / 2000) = 1.1%); ``okrplan forecast`` runs more. Its cost grows with the plan's groups:
about a second of CPU at 100,000 people (beside some 45 s for the decomposition itself).

Computed once per plan and place (the summary and the report share it).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from okrplan.forecast.amounts import column
from okrplan.forecast.uncertainty import DEFAULT_ATTAINMENT, DEFAULT_RATE_SPREAD

if TYPE_CHECKING:  # the model and the simulation (NumPy) are imported only to make one
    from okrplan.forecast.org import Org
    from okrplan.forecast.rows import Row, RowStats
    from okrplan.plan import Plan

SIMS = 2000
SEED = 1
DEPTH = 1
"""Levels of units below the top whose P(hit) is computed (the report's bars: the level just
below; deeper rows would cost a sort of their outcomes each and be shown nowhere)."""


@dataclass(frozen=True)
class Glance:
    """A plan's forecast at plan time: its rows (the top first) and their stats, the top's
    outcomes as a histogram (edges, counts), and how many rates and selling groups took the
    default spread."""

    sims: int
    seed: int
    rows: tuple[Row, ...]
    stats: tuple[RowStats, ...]
    histogram: tuple[tuple[float, ...], tuple[int, ...]]
    default_rates: int
    default_attainment: int


Known = Glance | str | None | Callable[[], str]
"""A forecast as remembered: made; :func:`to_json`'s text of one (read when it is first asked
for); or what gives that text when first asked for (a forked child's, see
:mod:`okrplan.forecast.early`)."""

_LAST: list[tuple[weakref.ref[Plan], str | None, Known]] = []
"""The last two forecasts, by plan (held weakly: a cache must not keep a plan alive)."""


def glance(plan: Plan, top: str | None = None) -> Glance | None:
    """The plan-time forecast of ``plan`` from the unit ``top`` (an id; the company if None),
    or None when it has nothing to forecast (no selling group, no target, infeasible)."""
    made = known(plan, top)
    if made is not None:
        return made[0]
    result = _glance(plan, top)
    remember(plan, result, top)  # the summary and the report
    return result


def known(plan: Plan, top: str | None = None) -> tuple[Glance | None] | None:
    """The forecast of ``plan`` from ``top`` if it was made already or is being made beside
    the solver (in a 1-tuple: it may be None, nothing to forecast), else None. A forecast
    being made is waited for (and made here if the process making it failed)."""
    for at, (seen, where, result) in enumerate(_LAST):
        if seen() is plan and where == top:
            if callable(result):  # what gives the text: asked for once
                result = result()
                _LAST[at] = (seen, where, result)
            if isinstance(result, str):
                result = from_json(result)
                _LAST[at] = (seen, where, result)
            return (result,)
    return None


def remember(plan: Plan, result: Known, top: str | None = None) -> None:
    """Keep ``result`` as the forecast of ``plan`` from ``top``: a forecast, :func:`to_json`'s
    text of one (made by a forked child; read only if it is asked for), or what gives that
    text when it is first asked for."""
    _LAST[:] = [*_LAST[-1:], (weakref.ref(plan), top, result)]


def hand_over(plan: Plan, to: Plan) -> None:
    """Keep the forecast remembered for ``plan`` (from the company) as ``to``'s too: the same
    plan with other history keys (:func:`okrplan.versions.with_history`), which the forecast
    does not read."""
    for seen, where, result in _LAST:
        if seen() is plan and where is None:
            remember(to, result)
            return


def to_json(result: Glance | None) -> str:
    """A forecast as JSON text (data only; floats are written exactly), for :func:`from_json`."""
    if result is None:
        return "null"
    rows = [
        [r.id, r.name, list(r.path), r.depth, r.target, r.lo, r.hi, r.done] for r in result.rows
    ]
    stats = [[s.p_hit, s.p10, s.p50, s.p90, s.mean] for s in result.stats]
    edges, counts = result.histogram
    fields = [result.sims, result.seed, rows, stats, [list(edges), list(counts)]]
    fields += [result.default_rates, result.default_attainment]
    return json.dumps(fields)


def from_json(text: str) -> Glance | None:
    """The forecast of :func:`to_json`'s text."""
    from okrplan.forecast.rows import Row, RowStats

    data = json.loads(text)
    if data is None:
        return None
    sims, seed, rows, stats, (edges, counts), default_rates, default_attainment = data
    return Glance(
        sims=sims,
        seed=seed,
        rows=tuple(Row(i, n, tuple(p), d, t, lo, hi, done) for i, n, p, d, t, lo, hi, done in rows),
        stats=tuple(RowStats(*values) for values in stats),
        histogram=(tuple(edges), tuple(counts)),
        default_rates=default_rates,
        default_attainment=default_attainment,
    )


def _glance(plan: Plan, top: str | None) -> Glance | None:
    from okrplan.forecast.org import org_of
    from okrplan.model import Status
    from okrplan.plan import bulk_work

    if plan.solver.status is Status.INFEASIBLE:
        return None
    with bulk_work():  # a large plan's millions of objects: no collection while reading them
        org = org_of(plan)
    return forecast_of(org, top)


def forecast_of(org: Org, top: str | None = None) -> Glance | None:
    """The forecast of :func:`glance` made of a feasible plan's :class:`Org`."""
    from okrplan.forecast.model import build_model
    from okrplan.forecast.simulate import histogram, simulate
    from okrplan.plan import bulk_work

    with bulk_work():
        model = build_model(org)
    start = next((r for r in model.rows if top is None or r.id == top), None)
    if start is None or model.size == 0:
        return None
    rows = tuple(
        r
        for r in model.rows
        if r.path[: len(start.path)] == start.path and r.depth - start.depth <= DEPTH
    )
    run = simulate(replace(model, rows=rows), sims=SIMS, seed=SEED)
    return Glance(
        sims=SIMS,
        seed=SEED,
        rows=rows,
        stats=run.stats,
        histogram=histogram(run.first),
        default_rates=sum(b.source == "default" for b in model.rates),
        default_attainment=model.default_attainment,
    )


_WORDS = {
    "zh": {
        "p_hit": "按计划达成目标（{target}）的概率：{p}（{sims:,} 次模拟；P10 / P50 / P90："
        "{p10} / {p50} / {p90}）",
        "default": "未写不确定性的转化率按默认标准差（转化率的 ±{rel:.0%}）计，"
        "活动达成率按默认值（均值 {mean:.0%}，个人标准差 {sd:.0f}pp）计；"
        "可在目标文件中写 {{rate: 25%, from: 50/200}} 或 spread: 5pp",
        "rates": "未写不确定性的转化率按默认标准差（转化率的 ±{rel:.0%}）计；"
        "可在目标文件中写 {{rate: 25%, from: 50/200}} 或 spread: 5pp",
        "attain": "活动达成率按默认值（均值 {mean:.0%}，个人标准差 {sd:.0f}pp）计；"
        "可在目标文件中给岗位写 attainment",
        "more": "更多：okrplan forecast {folder} --confidence 80%",
    },
    "en": {
        "p_hit": "P(hit the target of {target}) as planned: {p} ({sims:,} simulations; "
        "P10 / P50 / P90: {p10} / {p50} / {p90})",
        "default": "rates without an uncertainty take the default spread (±{rel:.0%} of the "
        "rate), activity attainment the default (mean {mean:.0%}, {sd:.0f}pp per person); "
        "write {{rate: 25%, from: 50/200}} or spread: 5pp in the target file",
        "rates": "rates without an uncertainty take the default spread (±{rel:.0%} of the "
        "rate); write {{rate: 25%, from: 50/200}} or spread: 5pp in the target file",
        "attain": "activity attainment takes the default (mean {mean:.0%}, {sd:.0f}pp per "
        "person); give a role an attainment in the target file",
        "more": "more: okrplan forecast {folder} --confidence 80%",
    },
}


def words(locale: str) -> dict[str, str]:
    """The texts of the plan's language."""
    return _WORDS["en" if locale.lower().startswith("en") else "zh"]


def percent(value: float) -> str:
    """A probability to a whole percent (2,000 simulations tell no more)."""
    return f"{value:.0%}"


def summary_lines(plan: Plan, folder: str) -> list[str]:
    """The ``decompose`` summary's lines on the plan's P(hit) (none when there is nothing to
    forecast): the chance, the spread of outcomes, the defaults assumed."""
    seen = glance(plan)
    if seen is None:
        return []
    t = words(plan.locale)
    row, s = seen.rows[0], seen.stats[0]
    (target,) = column(plan.meta, plan.metrics, [row.target], simulated=False)
    p10, p50, p90 = column(plan.meta, plan.metrics, [s.p10, s.p50, s.p90], simulated=True)
    lines = [
        t["p_hit"].format(
            target=target, p=percent(s.p_hit), sims=seen.sims, p10=p10, p50=p50, p90=p90
        )
    ]
    mean, sd = DEFAULT_ATTAINMENT
    defaults = {"rel": DEFAULT_RATE_SPREAD, "mean": mean, "sd": sd * 100}
    if seen.default_rates and seen.default_attainment:
        lines.append("  " + t["default"].format(**defaults))
    elif seen.default_rates:
        lines.append("  " + t["rates"].format(**defaults))
    elif seen.default_attainment:
        lines.append("  " + t["attain"].format(**defaults))
    lines.append("  " + t["more"].format(folder=folder.rstrip("/") + "/"))
    return lines
