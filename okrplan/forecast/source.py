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
from typing import Any

import networkx as nx

from okrplan.choices import PLAN_FILE
from okrplan.export import compact
from okrplan.export.planjson import READS
from okrplan.model import SOLVER_REPORT, EdgeKind, NodeKind, node_from_json
from okrplan.plan import Plan

_KINDS = {str(NodeKind.UNIT), str(NodeKind.ROLE)}


def plan_file(path: str | os.PathLike[str]) -> Path | None:
    """The plan.json of ``path`` (a plan directory or a plan.json), or None (a target file)."""
    source = Path(path)
    if source.is_dir() and (source / PLAN_FILE).is_file():
        return source / PLAN_FILE
    return source if source.suffix.lower() == ".json" and source.is_file() else None


_ITEM_PER_LINE = b'{"graph":{"directed":true,"edges":['
_WANTED = (b'"kind":"contains"', b'"kind":"unit"', b'"kind":"role"')


def _item_per_line(file: Path, krs: bool) -> dict[str, Any] | None:
    """A large plan.json (one node or edge per line, keys sorted) read for its units, roles,
    ``contains`` edges (and KRs) only: the other lines are not parsed. None if the file is
    not in that layout. A quote inside a JSON string is escaped, so ``"kind":"unit"`` in a
    line is the line's own kind."""
    data = file.read_bytes()
    end = data.rfind(b"\n]},\n")  # after the last node: metrics, okrplan, plan, solver
    if not data.startswith(_ITEM_PER_LINE + b"\n") or end < 0:
        return None
    rest = json.loads(b"{" + data[end + 5 :])
    words = list(_WANTED[:3])
    if krs:  # the KRs of the base metric
        words.append(b'"metric":' + json.dumps(rest["plan"]["kpi"]["base"]).encode())
    found: dict[int, bytes] = {}
    for word in words:
        at = data.find(word, 0, end)
        while at >= 0:
            start, stop = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at)
            found[start] = data[start:stop]
            at = data.find(word, stop, end)
    edges: list[Any] = []
    nodes: list[Any] = []
    for start in sorted(found):  # in the file's order: the order of a unit's children
        item = json.loads(found[start].rstrip(b","))
        (edges if "source" in item else nodes).append(item)
    rest["graph"] = {"nodes": nodes, "edges": edges}
    if rest.get("okrplan") == compact.FORMAT:  # edges on their nodes, derivable fields left out
        rest = compact.expand(rest)
    return dict(rest)


def _org_plan(file: Path, krs: bool) -> Plan:
    data = _item_per_line(file, krs)
    if data is None:
        with file.open("rb") as handle:
            data = json.load(handle)
    if data.get("okrplan") not in READS:  # format 2 leaves out owns/measures: not read here
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
    return Plan(data["plan"], SOLVER_REPORT.validate_python(data["solver"]), graph, data["metrics"])


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
