"""With --as-of: what each selling group has done to date (fixed) and how much of its plan is
still ahead (simulated).

Done is the latest check-ins (:func:`okrplan.progress.latest`) of the group's KRs on the KPI's
base metric (revenue), added over periods; where people are named, their values, else the
group's own. Ahead is the group's share of the plan in the days after ``as_of``: each month
weighs its seasonality × the group's ramp, a month under way counts by its days left.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from okrplan.forecast.org import Org, Seller


def month_ahead(month: str, as_of: date) -> float:
    """The share of ``month`` (YYYY-MM) after ``as_of``.

    >>> month_ahead("2015-06", date(2015, 6, 10)), month_ahead("2015-05", date(2015, 6, 10))
    (0.6666666666666666, 0.0)
    """
    year, number = int(month[:4]), int(month[5:7])
    days = calendar.monthrange(year, number)[1]
    start, end = date(year, number, 1), date(year, number, days)
    if as_of < start:
        return 1.0
    if as_of >= end:
        return 0.0
    return (end - as_of).days / days


def ahead(org: Org, role: Seller, as_of: date) -> float:
    """The share of a group's plan after ``as_of`` (seasonality × ramp per month)."""
    months: Sequence[str] = org.meta["months"]
    season: Sequence[float] = org.meta["seasonality"]
    ramp = role.ramp
    weights = [
        float(season[i]) * (float(ramp[i]) if i < len(ramp) else 1.0) for i in range(len(months))
    ]
    total = sum(weights)
    if total <= 0:
        return 0.0
    return sum(w * month_ahead(m, as_of) for w, m in zip(weights, months, strict=True)) / total


def done_to_date(
    org: Org, plan_dir: Path, as_of: date
) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """(done per group id, share ahead per group id, the selling groups with no check-in);
    ``org`` read with its KRs (``krs=True``)."""
    from okrplan.progress import latest

    owner_of = dict(org.krs)
    groups = [r for r in org.records.values() if isinstance(r, Seller)]
    values: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for check in latest(plan_dir, as_of=as_of):
        if check.kr in owner_of:
            values[(owner_of[check.kr], check.period)][check.person] = float(check.value)
    done: dict[str, float] = defaultdict(float)
    for (owner, _), by_person in sorted(values.items()):
        named = [v for p, v in by_person.items() if p]
        done[owner] += sum(named) if named else by_person.get("", 0.0)
    missing = sorted(g.id for g in groups if g.id not in done)
    return dict(done), {g.id: ahead(org, g, as_of) for g in groups}, missing
