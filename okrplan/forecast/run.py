"""The forecast of a plan: what `okrplan forecast` computes, as one value."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from okrplan.errors import Issue, OptionError
from okrplan.forecast.buffer import BufferNeed, search_buffer
from okrplan.forecast.model import Row, build_model
from okrplan.forecast.org import Org
from okrplan.forecast.simulate import RowStats, histogram, simulate
from okrplan.forecast.source import load_org, plan_file
from okrplan.forecast.uncertainty import RateBelief

MAX_SIMS = 1_000_000


@dataclass(frozen=True)
class Forecast:
    """A plan's forecast: per unit (``rows``, in display order) its stats; the company's
    outcomes as a histogram; the rates and attainment assumed; with ``as_of``, the groups
    without check-ins; with a confidence, the buffer it needs."""

    plan: Org
    sims: int
    seed: int
    rows: tuple[Row, ...]
    stats: tuple[RowStats, ...]
    histogram: tuple[tuple[float, ...], tuple[int, ...]]
    rates: tuple[RateBelief, ...]
    groups: int
    default_attainment: int
    activity: tuple[tuple[str, float], ...]
    as_of: date | None = None
    no_checkins: tuple[str, ...] = ()
    need: BufferNeed | None = None


def forecast(
    path: str | os.PathLike[str],
    *,
    sims: int = 10_000,
    seed: int = 1,
    as_of: date | None = None,
    confidence: float | None = None,
) -> Forecast:
    """Forecast a plan.

    Parameters
    ----------
    path
        A plan directory, a plan.json or a target file (decomposed in memory).
    sims, seed
        How many simulations (1 to :data:`MAX_SIMS`), and the seed: the same seed gives the
        same numbers.
    as_of
        Check-ins up to this day (the plan directory's progress store) are fixed; only the
        rest of the plan is simulated.
    confidence
        A P(hit) to reach (0 < c < 1): the forecast also says which buffer gives it.

    Returns
    -------
    Forecast
        Per unit with a target (the company first): P(hit), P10 / P50 / P90, the mean.
    """
    _check(sims, confidence)
    plan = load_org(path, krs=as_of is not None)
    done, ahead, missing = _to_date(path, plan, as_of)
    model = build_model(plan, done, ahead)
    run = simulate(model, sims=sims, seed=seed)
    need = None
    if confidence is not None and model.rows:
        buffer = float(plan.meta.get("buffer", 0))
        need = search_buffer(model, confidence=confidence, sims=sims, seed=seed, buffer=buffer)
    return Forecast(
        plan=plan,
        sims=sims,
        seed=seed,
        rows=model.rows,
        stats=run.stats,
        histogram=histogram(run.first),
        rates=model.rates,
        groups=len(model.groups),
        default_attainment=model.default_attainment,
        activity=tuple(model.activity.items()),
        as_of=as_of,
        no_checkins=tuple(missing),
        need=need,
    )


def _check(sims: int, confidence: float | None) -> None:
    """The options' ranges, as usage errors (exit 2)."""
    if not 1 <= sims <= MAX_SIMS:
        raise OptionError([Issue(f"must be from 1 to {MAX_SIMS:,}, got {sims}", path="--sims")])
    if confidence is not None and not 0 < confidence < 1:
        message = f"must be above 0% and below 100%, got {confidence:.0%}"
        raise OptionError([Issue(message, path="--confidence")])


def _to_date(
    path: str | os.PathLike[str], plan: Org, as_of: date | None
) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """With ``as_of``: what each group has done (from the plan directory's progress store),
    the share of its plan ahead, and the groups without check-ins; nothing without."""
    if as_of is None:
        return {}, {}, []
    from okrplan.forecast.actuals import done_to_date

    file = plan_file(path)
    if file is None:
        message = "needs a plan directory (its progress store), not a target file"
        raise OptionError([Issue(message, path="--as-of", hint="decompose -o DIR first")])
    return done_to_date(plan, file.parent, as_of)
