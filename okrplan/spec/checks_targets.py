"""Checks of the further targets (``kpi:`` as a list, its second and later items).

A further target is an amount of a metric of its own (collections 1.1亿, new customers 540),
split over the same organisation as the primary. It cannot be a metric the primary target
already plans: the primary's metric or base metric, a step of the funnel (the quotas work it
out), a metric that ``follows`` another (a fixed share of it), or a share.
"""

from __future__ import annotations

from decimal import Decimal

from okrplan.quantity import format_percent
from okrplan.source import KeyPath
from okrplan.spec.checks_objectives import ObjectiveChecks
from okrplan.spec.schema import Kpi, ShareTarget


class TargetChecks(ObjectiveChecks):
    """The further targets of ``kpi:``."""

    def check_targets(self, metrics_ok: bool) -> None:
        seen: dict[str, int] = {}
        for i, kpi in enumerate(self.spec.further_targets, start=1):
            path: KeyPath = ("kpi", i)
            if not self.known_metric((*path, "metric"), kpi.metric):
                continue
            if kpi.metric in seen:
                self.error(
                    (*path, "metric"),
                    f"kpi[{seen[kpi.metric]}] already targets {kpi.metric!r}",
                    "give each target its own metric, or drop one of them",
                )
                continue
            seen[kpi.metric] = i
            if metrics_ok:
                self.check_target_metric(path, kpi)
            self.check_target_amount(path, kpi)
            if kpi.basis in {"history", "potential"}:
                self.check_target_basis(path, kpi.basis)

    def check_target_metric(self, path: KeyPath, kpi: Kpi) -> None:
        """The metric is one the primary target does not plan already."""
        key, metrics = kpi.metric, self.target.metrics
        metric = metrics[key]
        primary = self.target.primary.metric
        feeders = sorted(k for k, m in metrics.items() if key in m.yields)
        problem, hint = "", ""
        if key in (primary, self.spec.base_metric):
            problem = f"{key!r} is the primary target's metric: the first target plans it"
            hint = "give a further target a metric of its own (collections, new_customers)"
        elif metric.follows:
            source, rate = next(iter(metric.follows.items()))
            problem = (
                f"{key!r} follows {source} ({format_percent(rate)} of it), so the plan works its "
                "target out; it cannot have a target of its own as well"
            )
            hint = f"drop follows from metrics.{key}, or drop this target"
        elif metric.yields or feeders:
            problem = (
                f"{key!r} is a step of the funnel ("
                + " → ".join([*feeders[:1], key, *metric.yields][:3])
                + "): the primary target's quotas work it out"
            )
            hint = "a further target names a metric outside the funnel (collections, customers)"
        elif metric.kind == "share" or metric.share_of:
            problem = f"{key!r} is a share; a further target is an amount"
            hint = "make the share the primary target, or target an amount metric"
        if problem:
            self.error((*path, "metric"), problem, hint)

    def check_target_amount(self, path: KeyPath, kpi: Kpi) -> None:
        if isinstance(kpi.target, ShareTarget):
            self.error(
                (*path, "target"),
                "a further target is an amount, not a share",
                "write the amount, e.g. target: 1.1亿 or target: 540",
            )
        elif kpi.target <= Decimal(0):
            self.error(
                (*path, "target"),
                "a target must be more than zero",
                "write the amount to reach, e.g. 1.1亿",
            )

    def check_target_basis(self, path: KeyPath, basis: str) -> None:
        for ref in self.spec.roles:
            sells = ref.role.sells and ref.unit.unit.supports is None
            if sells and getattr(ref.role, basis) is None:
                self.error(
                    (*path, "basis"),
                    f"basis is {basis}, but {ref.label} in {ref.unit.unit.name} has no {basis}",
                    f"add {basis}: to every selling role (or a {basis} column to the roster), "
                    "or split this target by quotas",
                )
                return
