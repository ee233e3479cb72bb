"""What a KR's progress is made of, without the plan it came from: the statuses
(:class:`Pace`), the thresholds, a KR's and an objective's progress, and the rules that give a
KR its status and an objective its share. The working is in :mod:`okrplan.progress.pace`'s
docstring; both the graph's and the light path's numbers end here, and importing this module
costs no pydantic or networkx (a status of 100,000 people starts in a fraction of a second).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any, Protocol


class Pace(StrEnum):
    DONE = "done"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    AT_RISK = "at_risk"
    NO_DATA = "no_data"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Pace at or above ``on_track`` is on track, at or above ``behind`` behind, else at risk."""

    on_track: Fraction = Fraction(95, 100)
    behind: Fraction = Fraction(75, 100)

    @classmethod
    def of(cls, plan: Any) -> Thresholds:
        """The thresholds under ``tracking:`` in the plan's meta, else the defaults."""
        from okrplan.quantity import parse_quantity

        tracking = plan.meta.get("tracking") or {}
        values = {}
        for key in ("on_track", "behind"):
            if key in tracking:
                values[key] = Fraction(parse_quantity(str(tracking[key])).value)
        return cls(**values)


@dataclass(frozen=True, slots=True)
class KrProgress:
    """A KR's progress as of a date (see :mod:`okrplan.progress.pace` for each number)."""

    kr: str
    total: Fraction
    expected: Fraction
    actual: Fraction | None
    progress: Fraction | None
    pace: Fraction | None
    projection: Fraction | None
    status: Pace
    people: int = 0  # a role group's headcount (0 for a unit's KR)
    reported: int = 0  # people (or aligned KRs) whose check-ins make up the actual
    missing: tuple[str, ...] = ()  # aligned KRs with no data, where the actual is rolled up
    rolled: Fraction | None = None  # the roll-up of the aligned KRs, where the KR has its own
    last: date | None = None  # the last day of the latest period checked in
    partial: bool = False  # only some people (or aligned KRs) reported: actual is their total
    reporters_pace: Fraction | None = None  # where partial: actual ÷ the reporters' own due
    reports: tuple[int, int] = (0, 0)  # who reported of who should: people, where role groups
    # are below (a roll-up adds its aligned KRs' counts), else KRs


class Measured(Protocol):
    """What a KR's status needs of its plan: its cadence, kind, direction and total."""

    @property
    def cadence_days(self) -> int: ...
    @property
    def level(self) -> bool: ...
    @property
    def decrease(self) -> bool: ...
    @property
    def total(self) -> int | Fraction: ...


def kr_status(
    thresholds: Thresholds,
    as_of: date,
    end: date,
    measure: Measured,
    value: Fraction,
    pace: Fraction | None,
    last: date,
) -> Pace:
    """A KR's status as of ``as_of`` (the plan ends on ``end``): no recent data when its last
    check-in is older than its cadence; done when a total is reached (a decrease: at the end,
    at or below it); else by pace against the thresholds."""
    today = min(as_of, end)
    if (today - last).days > measure.cadence_days:
        return Pace.NO_DATA
    if not measure.level:
        if not measure.decrease and value >= measure.total:
            return Pace.DONE
        if measure.decrease and as_of >= end and value <= measure.total:
            return Pace.DONE
    if pace is None or pace >= thresholds.on_track:
        return Pace.ON_TRACK
    return Pace.BEHIND if pace >= thresholds.behind else Pace.AT_RISK


@dataclass(frozen=True, slots=True)
class ObjectiveProgress:
    """An objective's progress: the weight-average of its KRs' progress (each capped at 100%)
    over the KRs with data, weights renormalised; ``missing`` names the KRs without data."""

    objective: str
    progress: Fraction | None
    missing: tuple[str, ...]


def objective_share(
    objective: str, key_results: Sequence[Any], krs: Mapping[str, KrProgress]
) -> ObjectiveProgress:
    """One objective's progress: the weight-average of its KRs' progress (each capped at
    100%) over the KRs with data, weights renormalised; KRs without data are named."""
    weighted, weights, missing = Fraction(0), Fraction(0), []
    for kr in key_results:
        result = krs.get(kr.id)
        if result is None:
            continue
        if result.progress is None:
            missing.append(kr.id)
            continue
        weight = Fraction(kr.weight) if kr.weight is not None else Fraction(1)
        weighted += weight * min(result.progress, Fraction(1))
        weights += weight
    share = weighted / weights if weights else None
    return ObjectiveProgress(objective, share, tuple(missing))
