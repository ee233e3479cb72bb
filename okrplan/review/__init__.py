"""复盘: the review pack a unit takes to its own meeting (see :mod:`okrplan.review.pack`)."""

from okrplan.review.funnel import Cause, Diagnosis, Factor, Stage, diagnose
from okrplan.review.pack import Pack, build_pack
from okrplan.review.periods import last_complete_month, review_period

__all__ = [
    "Cause",
    "Diagnosis",
    "Factor",
    "Pack",
    "Stage",
    "build_pack",
    "diagnose",
    "last_complete_month",
    "review_period",
]
