"""Where the forecast's :class:`~okrplan.forecast.org.Org` comes from: plan.json read fast.

A plan of 100,000 people has some 250,000 objective and KR nodes the forecast never reads;
validating them all into records takes most of :func:`okrplan.api.load_plan`'s time, and
importing what it needs (pydantic, networkx, the solver) more than a second. This reader keeps
the units and selling groups, and the ``contains`` edges between them, as plain records
(:mod:`okrplan.forecast.org`). Anything it cannot read (a target file, a plan.json with a
problem) goes to ``load_plan``, which reads it fully and says what is wrong.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from okrplan.choices import PLAN_FILE
from okrplan.export.lines import items_with, tail
from okrplan.forecast.org import Org, org_from_nodes, org_of

FORMATS = (1, 2, 3)
"""The plan.json formats read here (:data:`okrplan.export.planjson.READS`, which a test
checks: importing it would import pydantic)."""

_KINDS = {"unit", "role"}


def plan_file(path: str | os.PathLike[str]) -> Path | None:
    """The plan.json of ``path`` (a plan directory or a plan.json), or None (a target file)."""
    source = Path(path)
    if source.is_dir() and (source / PLAN_FILE).is_file():
        return source / PLAN_FILE
    return source if source.suffix.lower() == ".json" and source.is_file() else None


_WANTED = (b'"kind":"contains"', b'"kind":"unit"', b'"kind":"role"')


def _item_per_line(file: Path, krs: bool) -> dict[str, Any] | None:
    """A large plan.json (one node or edge per line) read for its units, roles, ``contains``
    edges (and KRs) only (:mod:`okrplan.export.lines`): the other lines are not parsed. None
    if the file is not in that layout."""
    data = file.read_bytes()
    found = tail(data)
    if found is None:
        return None
    rest, end = found
    words = list(_WANTED)
    if krs:  # the KRs of the base metric
        words.append(b'"metric":' + json.dumps(rest["plan"]["kpi"]["base"]).encode())
    items = items_with(data, end, words)
    rest["graph"] = {
        "nodes": [i for i in items if "source" not in i],
        "edges": [i for i in items if "source" in i],
    }
    return dict(rest)


def _contains(data: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """The ``contains`` edges: listed (formats 1 and 2) or on their units (format 3)."""
    for edge in data["graph"]["edges"]:
        if edge.get("kind") == "contains":
            yield edge["source"], edge["target"]
    for item in data["graph"]["nodes"]:
        if item.get("kind") == "unit":
            for target in item.get("contains") or ():
                yield item["id"], target


def _krs(data: Mapping[str, Any], units: set[str]) -> list[tuple[str, str]]:
    """(id, owner) of the KRs on the KPI's base metric; format 3 leaves out an owner that the
    KR's id ``k:P#i.j`` names (``u:P`` if that unit exists, else ``r:P``)."""
    base = data["plan"]["kpi"]["base"]
    out = []
    for item in data["graph"]["nodes"]:
        if item.get("kind") == "kr" and item.get("metric") == base:
            owner = item.get("owner")
            if owner is None:
                scope = item["id"][2 : item["id"].rindex("#")]
                owner = f"u:{scope}" if f"u:{scope}" in units else f"r:{scope}"
            out.append((str(item["id"]), str(owner)))
    return out


def _read(file: Path, krs: bool) -> Org:
    data = _item_per_line(file, krs)
    if data is None:
        with file.open("rb") as handle:
            data = json.load(handle)
    if data.get("okrplan") not in FORMATS:
        raise ValueError("not an okrplan plan")
    nodes = [n for n in data["graph"]["nodes"] if n.get("kind") in _KINDS]
    units = {n["id"] for n in nodes if n["kind"] == "unit"}
    return org_from_nodes(data, nodes, _contains(data), _krs(data, units) if krs else ())


def load_org(path: str | os.PathLike[str], *, krs: bool = False) -> Org:
    """The units and selling groups of a plan (see the module's note), and with ``krs`` its
    KRs on the KPI's base metric.

    Parameters
    ----------
    path
        A plan directory, a plan.json, or a target file (decomposed in memory).
    krs
        Also read the (id, owner) of each KR on the KPI's base metric.
    """
    file = plan_file(path)
    if file is not None:
        try:
            return _read(file, krs)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            pass  # load_plan reads it again and reports the problem
    from okrplan.api import load_plan

    return org_of(load_plan(path), krs=krs)
