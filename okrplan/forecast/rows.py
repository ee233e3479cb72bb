"""A forecast's rows and their stats, as plain records (no NumPy): what a forecast made in
another process is read back into (:func:`okrplan.forecast.glance.from_json`).
"""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class RowStats:
    """One unit's forecast: P(outcome ≥ target), P10/P50/P90 and the mean outcome."""

    p_hit: float
    p10: float
    p50: float
    p90: float
    mean: float
