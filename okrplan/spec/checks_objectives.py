"""Checks of a target file's objectives and weights, and what every check shares: where an
issue goes, whether a metric is known, whether one metric feeds another."""

from __future__ import annotations

import difflib
from decimal import Decimal

from okrplan.errors import Issue, Severity
from okrplan.quantity import (
    format_percent,
)
from okrplan.source import KeyPath, Source
from okrplan.spec.refs import Spec
from okrplan.spec.schema import KeyResult, Objective
from okrplan.spec.words import suggest
from okrplan.wording import words


class CheckerBase:
    """The issues found so far, and the questions every check asks of the file."""

    def __init__(self, spec: Spec, source: Source) -> None:
        self.spec = spec
        self.target = spec.target
        self.source = source
        self.issues: list[Issue] = []
        self.metric_keys = sorted(self.target.metrics)
        self.factors: dict[str, Decimal] = {}
        self.funnels: dict[str, tuple[str, ...]] = {}
        self.per_plan: dict[str | None, Decimal] = {}  # periods of a capacity in the plan's months
        self.carried: dict[tuple[object, ...], Decimal] = {}  # by (sells, capacity)
        self.sound_kinds: set[tuple[object, ...]] = set()  # role entries checked without a problem

    def error(self, path: KeyPath, message: str, hint: str = "", *, key: bool = False) -> None:
        self.issues.append(self.source.issue(path, message, hint, key=key))

    @property
    def locale(self) -> str:
        """The plan's language: what okrplan says of the file is said in it."""
        return str(self.target.plan.locale)

    def warn(self, path: KeyPath, message: str, hint: str = "") -> None:
        self.issues.append(self.source.issue(path, message, hint, severity=Severity.WARNING))

    def known_metric(self, path: KeyPath, key: str, *, at_key: bool = False) -> bool:
        if key in self.target.metrics:
            return True
        close = difflib.get_close_matches(key, self.metric_keys, n=1, cutoff=0.6)
        hint = (f"did you mean {close[0]!r}? " if close else "") + (
            f"metrics defined: {', '.join(self.metric_keys)}"
        )
        self.error(path, f"no metric {key!r} is defined under metrics", hint, key=at_key)
        return False

    def feeds(self, key: str, metric: str) -> bool:
        """Whether ``key`` is upstream of ``metric`` (its chain of yields passes through it)."""
        return key in self.target.metrics and metric in self.spec.chain(key)


class ObjectiveChecks(CheckerBase):
    """Objectives (their units, roles and key results) and weights."""

    def check_objectives(self) -> None:
        unit_names = {u.unit.name for u in self.spec.units}
        role_names = {r.role.role for r in self.spec.roles}
        for i, objective in enumerate(self.target.objectives):
            path: KeyPath = ("objectives", i)
            counts: dict[str, int] = {}
            for unit in self.spec.units:
                counts[unit.unit.name] = counts.get(unit.unit.name, 0) + 1
            for key in ("units", "under"):
                for j, name in enumerate(getattr(objective, key)):
                    if counts.get(name, 0) > 1:
                        self.warn(
                            (*path, key, j),
                            words(self.locale, "same_name_units", n=counts[name], name=name),
                            words(self.locale, "same_name_units_hint"),
                        )
                    if name not in unit_names:
                        self.error(
                            (*path, key, j),
                            f"no unit named {name!r} under org",
                            suggest(name, unit_names, "units"),
                        )
            for j, name in enumerate(objective.roles):
                if name not in role_names:
                    self.error(
                        (*path, "roles", j),
                        f"no role named {name!r} under org",
                        suggest(name, role_names, "roles"),
                    )
            for j, kr in enumerate(objective.key_results):
                self.check_key_result((*path, "key_results", j), kr)
            self.check_support_krs(path, objective)

    def check_support_krs(self, path: KeyPath, objective: Objective) -> None:
        """A metric KR on a support unit's sheets counts what it supplies or a metric upstream
        of it (an SDR group's calls); any other metric has nothing to count there and is left
        off its sheets, with a warning (one template may serve several support units, each
        taking the KRs of its own metric)."""
        named = {*objective.units, *objective.under}
        for unit in self.spec.units:
            support = unit.unit.supports
            if support is None or not ({"unit", "role"} & set(objective.at)):
                continue
            roles = {ref.role.role for ref in self.spec.roles if ref.unit.path == unit.path}
            if unit.unit.name not in named and not roles & set(objective.roles):
                continue
            for j, kr in enumerate(objective.key_results):
                metric = kr.metric
                if metric is None or metric not in self.target.metrics:
                    continue
                if metric != support.metric and not self.feeds(metric, support.metric):
                    said = {"unit": unit.unit.name, "supplies": support.metric}
                    self.warn(
                        (*path, "key_results", j, "metric"),
                        words(self.locale, "support_kr_off", metric=metric, **said),
                        words(self.locale, "support_kr_off_hint", **said),
                    )

    def check_key_result(self, path: KeyPath, kr: KeyResult) -> None:
        if (kr.metric is None) == (kr.text is None):
            self.error(
                path,
                "a key result has metric (derived) or text (manual), not both"
                if kr.metric
                else "a key result needs metric (derived) or text (manual)",
                "e.g. {metric: visits, per: month} or {text: 每周五提交回款周报表, target: 100%}",
            )
            return
        if kr.metric is not None:
            self.known_metric((*path, "metric"), kr.metric)
            if kr.target is not None:
                self.error(
                    (*path, "target"),
                    "a derived key result takes its target from the plan",
                    "remove target, or write a manual KR with text:",
                    key=True,
                )
            if kr.deduction is not None:
                self.error(
                    (*path, "deduction"),
                    "a deduction item is a manual KR with text",
                    "write {text: 有效投诉案例, deduction: 5}",
                    key=True,
                )
        if kr.deduction is not None and (kr.target is not None or kr.weight is not None):
            self.error(
                path,
                "a deduction item has no target or weight; it subtracts "
                f"{kr.deduction} points per case",
                "remove target and weight",
            )
        if (
            kr.per not in (None, "plan")
            and kr.target is not None
            and kr.target.per is not None
            and str(kr.target.per) != kr.per
        ):
            self.error(
                (*path, "per"),
                f"per: {kr.per} disagrees with the target's own period ({kr.target.per})",
                f"write the target per {kr.per}, or drop per",
            )
        period = self.spec.period
        if kr.due is not None and not period.first <= kr.due <= period.last:
            self.error(
                (*path, "due"),
                f"{kr.due} is outside the plan period {period.label}",
                f"use a month from {period.first} to {period.last}",
            )

    def check_weights(self) -> None:
        weights = self.target.weights
        step = format_percent(weights.step)
        percents = weights.step * 100  # weights are whole percents
        if percents <= 0 or percents % 1 or 100 % percents:
            self.error(
                ("weights", "step"),
                f"the step {step} is not a whole percent that divides 100% evenly",
                "use 1%, 2%, 5% or 10%",
            )
            return  # every weight would be off the step; the step is what to fix
        if weights.min % weights.step:
            self.error(
                ("weights", "min"),
                f"the minimum {format_percent(weights.min)} is not a multiple of the step {step}",
                f"use a multiple of {step}",
            )
        for i, objective in enumerate(self.target.objectives):
            for j, kr in enumerate(objective.key_results):
                if kr.weight is not None and kr.weight % weights.step:
                    self.error(
                        ("objectives", i, "key_results", j, "weight"),
                        f"{format_percent(kr.weight)} is not a multiple of the weight step {step}",
                        "change the weight or weights.step",
                    )
