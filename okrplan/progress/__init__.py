"""Progress through the year: check-ins stored beside the plan (:mod:`.store`) and each KR's
progress as of a date, paced against the plan's own period targets (:mod:`.pace`)."""

from okrplan.progress.pace import KrProgress, ObjectiveProgress, Pace, objective_progress, progress
from okrplan.progress.store import STORE_FILE, CheckIn, latest, record

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
