"""Who is who in a large plan, read from plan.json without loading the whole plan.

A CRM import needs each person's role group and each owner's KR of a metric: of a plan of
100,000 people (format 3, one node per line) that is the role lines and the KR lines with a
metric. Those lines are found by their bytes and parsed in one ``json.loads``; the rest (the
units' KRs' periods, the objectives, the checks :func:`okrplan.api.load_plan` makes) is not
read. A plan.json in another layout, or one this reading finds anything wrong with, gives
None: the caller loads it fully, which says what is wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrplan.choices import PLAN_FILE
from okrplan.progress.readers import Directory

_ITEM_PER_LINE = b'{"graph":{"directed":true,"edges":['


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


def _lines(data: bytes, end: int, word: bytes) -> list[bytes]:
    """The lines of ``data`` (before ``end``) that hold ``word`` (a quote inside a JSON
    string is escaped, so ``"kind":"role"`` in a line is the line's own kind)."""
    found = []
    at = data.find(word, 0, end)
    while at >= 0:
        start, stop = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at)
        found.append(data[start:stop].rstrip(b","))
        at = data.find(word, stop, end)
    return found


def _directory(data: bytes) -> tuple[Directory, str] | None:
    from okrplan.export.compact import FORMAT, owner_by_id
    from okrplan.model import node_from_json

    end = data.rfind(b"\n]},\n")  # after the last node: metrics, okrplan, periods, plan, solver
    if not data.startswith(_ITEM_PER_LINE + b"\n") or end < 0:
        return None
    rest = json.loads(b"{" + data[end + 5 :])
    if rest.get("okrplan") != FORMAT:
        return None
    metrics: dict[str, Any] = rest["metrics"]
    units = {
        u["id"]: 1 for u in json.loads(b"[" + b",".join(_lines(data, end, b'"kind":"unit"')) + b"]")
    }
    roles = json.loads(b"[" + b",".join(_lines(data, end, b'"kind":"role"')) + b"]")
    role_ids = {r["id"]: 1 for r in roles}
    krs = json.loads(b"[" + b",".join(_lines(data, end, b'"kind":"kr"')) + b"]")
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
