"""The plan-time forecast made beside the solver, on the other core.

The forecast (:mod:`okrplan.forecast.glance`) reads a plan's units and selling groups only,
which are known as soon as the plan's organisation is (the start of its ``graph`` stage),
long before its objectives, key results and weights. For a large plan (:data:`EARLY_FROM`),
``decompose`` forks a child there that makes the forecast while this process goes on solving
and sends it back as text (:func:`~okrplan.forecast.glance.to_json`): the solved plan then has
its forecast (the same numbers: the same records, the same seeded draws) for the summary and
the report, which no longer make it, nor import NumPy for it, after the plan is solved. A
child that fails has the forecast made here when it is first asked for.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from okrplan.forked import Beside
    from okrplan.model import RoleGroup, Unit
    from okrplan.plan import Plan

EARLY_FROM = 500
"""A plan of this many units and role groups or more (about 2,000 people) has its forecast
made beside the solver; a smaller one's takes less than a fork's worth of bother."""

_TEXT = "forecast"


def start(
    owners: Sequence[Unit | RoleGroup],
    meta: Mapping[str, Any],
    metrics: Mapping[str, Mapping[str, Any]],
) -> Callable[[Plan], None] | None:
    """The forecast of a large plan started beside the solver (a ``beside`` of
    :func:`okrplan.plan.solve_plan`): what gives it to the solved plan; None for a small
    plan (its forecast is made when it is asked for)."""
    return Early(owners, meta, metrics).keep if len(owners) >= EARLY_FROM else None


class Early:
    """The forecast of a plan being solved, made by a forked child (see the module): start it
    with the plan's ``owners`` (units and role groups in the plan's order), its ``meta`` and
    ``metrics``; :meth:`keep` gives it to the solved plan."""

    def __init__(
        self,
        owners: Sequence[Unit | RoleGroup],
        meta: Mapping[str, Any],
        metrics: Mapping[str, Mapping[str, Any]],
    ) -> None:
        from okrplan.forked import Beside

        made = functools.partial(_made, owners, meta, metrics)
        self._child: Beside = Beside(lambda: {_TEXT: made()})  # (not self: no cycle)
        # a forecast nobody will read (an error after the start, a plan dropped unasked):
        # its child stopped and reaped as soon as this object is let go
        weakref.finalize(self, self._child.cancel)

    def keep(self, plan: Plan) -> None:
        """Remember the child's forecast as ``plan``'s (read when it is first asked for),
        unless the plan is infeasible: then it has no forecast, and the child is stopped."""
        from okrplan.forecast.glance import remember
        from okrplan.model import Status

        if plan.solver.status is Status.INFEASIBLE:
            self._child.cancel()
            return
        remember(plan, self._text)

    def _text(self) -> str:
        text = self._child.result()[_TEXT]  # (made here in a process forked since)
        if not isinstance(text, str):  # (what was sent as text is read back as text)
            raise TypeError("the forecast is text")
        return text


def _made(
    owners: Sequence[Unit | RoleGroup],
    meta: Mapping[str, Any],
    metrics: Mapping[str, Mapping[str, Any]],
) -> str:
    from okrplan.forecast.glance import forecast_of, to_json
    from okrplan.forecast.org import org_from_owners

    return to_json(forecast_of(org_from_owners(owners, meta, metrics)))
