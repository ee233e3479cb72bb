"""The part of a plan the forecast needs: its units and role groups, metrics and meta.

A plan of 100,000 people has some 150,000 objective and KR nodes the forecast never reads;
validating them all into records takes most of :func:`okrplan.api.load_plan`'s time. This
reader keeps the units and role groups (validated as records, as ``load_plan`` does them) and
the ``contains`` edges between them. Anything it cannot read (a target file, a plan.json with a
problem) goes to ``load_plan``, which reads it fully and says what is wrong.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import networkx as nx

from okrplan.model import EdgeKind, NodeKind, node_from_json
from okrplan.plan import Plan

PLAN_FILE = "plan.json"
_KINDS = {str(NodeKind.UNIT), str(NodeKind.ROLE)}


def plan_file(path: str | os.PathLike[str]) -> Path | None:
    """The plan.json of ``path`` (a plan directory or a plan.json), or None (a target file)."""
    source = Path(path)
    if source.is_dir() and (source / PLAN_FILE).is_file():
        return source / PLAN_FILE
    return source if source.suffix.lower() == ".json" and source.is_file() else None


def _org_plan(file: Path, krs: bool) -> Plan:
    with file.open("rb") as handle:
        data = json.load(handle)
    if data.get("okrplan") != 1:
        raise ValueError("not an okrplan plan")
    graph = nx.DiGraph()
    nodes = data["graph"]["nodes"]
    base = data["plan"]["kpi"]["base"] if krs else None
    records = [
        node_from_json(n)
        for n in nodes
        if n.get("kind") in _KINDS or (krs and n.get("kind") == "kr" and n.get("metric") == base)
    ]
    graph.add_nodes_from((r.id, {"node": r}) for r in records)
    contains = str(EdgeKind.CONTAINS)
    graph.add_edges_from(
        (e["source"], e["target"], {"kind": EdgeKind.CONTAINS})
        for e in data["graph"]["edges"]
        if e.get("kind") == contains
    )
    if any("node" not in d for _, d in graph.nodes(data=True)):
        raise ValueError("an edge names a node the plan does not have")
    return Plan(data["plan"], data["solver"], graph, data["metrics"])


def load_org_plan(path: str | os.PathLike[str], *, krs: bool = False) -> Plan:
    """A plan with only its units and role groups in the graph (see the module's note), and
    with ``krs`` its KRs on the KPI's base metric."""
    from okrplan.api import load_plan

    file = plan_file(path)
    if file is not None:
        try:
            return _org_plan(file, krs)
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # load_plan reads it again and reports the problem
    return load_plan(path)
