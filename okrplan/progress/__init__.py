"""Progress through the year: check-ins stored beside the plan (:mod:`.store`) and each KR's
progress as of a date, paced against the plan's own period targets (:mod:`.pace`).

The names are imported on first use, so the target-file model can import
:mod:`okrplan.progress.config` without the rest of the package.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from okrplan.progress.pace import (
        KrProgress,
        ObjectiveProgress,
        Pace,
        objective_progress,
        progress,
    )
    from okrplan.progress.store import STORE_FILE, CheckIn, latest, record

_WHERE = {
    "STORE_FILE": "store",
    "CheckIn": "store",
    "latest": "store",
    "record": "store",
    "KrProgress": "measure",
    "ObjectiveProgress": "measure",
    "Pace": "measure",
    "objective_progress": "pace",
    "progress": "pace",
}

__all__ = [
    "STORE_FILE",
    "CheckIn",
    "KrProgress",
    "ObjectiveProgress",
    "Pace",
    "latest",
    "objective_progress",
    "progress",
    "record",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
