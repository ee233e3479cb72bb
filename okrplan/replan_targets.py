"""Re-planning a plan with several targets (``kpi:`` as a list): what of each further target
(collections, new customers …) is done to the as-of date, and what is left for the remaining
months.

A further target is re-planned like the primary: its target less its actuals to the as-of
date is split over the remaining months by the same solver, with the target's own ``basis``
(by default in proportion to the remaining primary quotas); its elapsed periods are its
actuals, 0 where none came in, so every unit's periods add up to its target.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from okrplan import queries
from okrplan.errors import InputError
from okrplan.model import KeyResult
from okrplan.solve.series import number

Series = dict[str, Fraction]


def amount_text(value: Fraction) -> str:
    """An amount as the target file writes it, exact to the cent."""
    cents = Decimal(value.numerator * 100 // value.denominator) / 100
    return format(cents.normalize(), "f")


def further_done(old: Any, actuals: Mapping[str, Series], metric: str) -> Fraction:
    """What the organisation did of ``metric`` to the as-of date: the actuals of its KRs that
    align to no KR above them (the top of each ``aligns`` chain, each counted once)."""
    total = Fraction(0)
    for record in queries.records(old.graph):
        if not isinstance(record, KeyResult) or record.metric != metric:
            continue
        parent = queries.aligned_parent(old.graph, record.id)
        if parent is None:
            total += sum(actuals.get(record.id, {}).values(), Fraction(0))
    return total


def further_left(
    old: Any, actuals: Mapping[str, Series], source: Any, spec: Any, as_of: date
) -> list[tuple[str, Fraction, Fraction]]:
    """Each further target's metric, what is done of it and what is left.

    Raises
    ------
    InputError
        If a further target's actuals are more than its target.
    """
    out = []
    issues = []
    for index, kpi in enumerate(spec.target.targets[1:], start=1):
        done = further_done(old, actuals, kpi.metric)
        left = Fraction(Decimal(str(kpi.target))) - done
        if left < 0:
            issues.append(
                source.issue(
                    ("kpi", index, "target"),
                    f"the {kpi.metric} actuals to {as_of} ({number(done)}) are more than its "
                    "target",
                    "raise the target in the target file, or re-plan a later period",
                )
            )
        out.append((kpi.metric, done, left))
    if issues:
        raise InputError(issues)
    return out


def set_targets(data: Any, remaining: str, further: list[tuple[str, Fraction, Fraction]]) -> None:
    """Write the remaining targets into the target file's data (``kpi:`` a mapping or a
    list): the primary's ``remaining``, each further target's left amount."""

    kpis = data["kpi"] if isinstance(data["kpi"], list) else [data["kpi"]]
    kpis[0]["target"] = remaining
    for item, (_, _, left) in zip(kpis[1:], further, strict=True):
        item["target"] = amount_text(left)


def meta_targets(spec: Any) -> list[dict[str, Any]]:
    """The further targets as plan.json's meta lists them, at their full (not remaining)
    values: the re-planned plan covers the whole period."""
    return [
        {"metric": k.metric, "target": number(Decimal(str(k.target))), "basis": k.basis or "quotas"}
        for k in spec.further_targets
    ]
