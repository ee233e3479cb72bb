"""复盘: the review pack a unit takes to its own meeting."""

from okrplan.review.funnel import Cause, Diagnosis, Factor, Stage, diagnose
from okrplan.review.periods import last_complete_month, review_period

__all__ = [
    "Cause",
    "Diagnosis",
    "Factor",
    "Stage",
    "diagnose",
    "last_complete_month",
    "review_period",
]
