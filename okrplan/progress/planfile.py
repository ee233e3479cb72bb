"""Who is who in a large plan, read from plan.json without loading the whole plan.

A CRM import needs each person's role group and each owner's KR of a metric: of a plan of
100,000 people (format 3, one node per line) that is the role lines and the KR lines with a
metric. Those lines are found by their bytes and parsed in one ``json.loads``; the rest (the
units' KRs' periods, the objectives, the checks :func:`okrplan.api.load_plan` makes) is not
read. A plan.json in another layout, or one this reading finds anything wrong with, gives
None: the caller loads it fully, which says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrplan.choices import PLAN_FILE
from okrplan.export.lines import items_with, tail
from okrplan.progress.readers import Directory


@dataclass(frozen=True, slots=True)
class _Kr:
    """What a :class:`Directory` reads of a KR."""

    id: str
    name: str
    owner: str
    metric: str | None
    kind: str = "kr"


def light_directory(folder: Path) -> tuple[Directory, str] | None:
    """The :class:`Directory` of the plan in ``folder`` and the plan's locale, read from the
    role and KR lines of its plan.json; None if the file is not laid out one node per line
    (or anything in those lines is not as okrplan writes it)."""
    try:
        data = (folder / PLAN_FILE).read_bytes()
        return _directory(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def _directory(data: bytes) -> tuple[Directory, str] | None:
    from okrplan.export.compact import FORMAT, owner_by_id
    from okrplan.model import node_from_json

    found = tail(data)
    if found is None:
        return None
    rest, end = found
    if rest.get("okrplan") != FORMAT:
        return None
    metrics: dict[str, Any] = rest["metrics"]
    units = {u["id"]: 1 for u in items_with(data, end, [b'"kind":"unit"'])}
    roles = items_with(data, end, [b'"kind":"role"'])
    role_ids = {r["id"]: 1 for r in roles}
    krs = items_with(data, end, [b'"kind":"kr"'])
    records: list[Any] = [node_from_json(r) for r in roles]
    for kr in krs:
        if kr.get("kind") != "kr":
            continue
        owner = kr.get("owner") or owner_by_id(kr["id"], units, role_ids)
        metric = kr.get("metric")
        name = kr.get("name") or (metrics.get(metric) or {}).get("name")
        if not isinstance(owner, str) or not isinstance(name, str):
            return None
        records.append(_Kr(kr["id"], name, owner, metric if isinstance(metric, str) else None))
    people = Directory.__new__(Directory)
    people.fill(None, records)
    return people, str(rest["plan"].get("locale", "zh-CN"))
