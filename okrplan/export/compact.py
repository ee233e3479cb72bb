"""plan.json format 3: a large plan without what can be derived, one node per line.

A plan of 100,000 people has some 115,000 key results; written out in full, each repeats its
owner's and objective's ids (derivable from its own id), fields at their usual value, and the
labels of its periods. Format 3 (written for plans of more than
:data:`okrplan.export.planjson.ITEM_PER_LINE_FROM` nodes and edges; smaller plans are written
as format 2, indented) leaves them out, and :func:`expand` puts them back when reading:

- ``periods`` (top level) holds the period labels once: ``{"months": ["2025-01", …],
  "quarters": […], "weeks": […]}``; a KR whose periods are exactly one of these lists writes
  its values as ``"months": [v1, v2, …]`` (or ``quarters``, ``weeks``) instead of
  ``"periods": {label: value}``; other KRs keep ``periods`` (none: left out, ``{}``);
- a KR ``k:P#i.j`` leaves out ``objective`` when it is ``o:P#i``, and a KR or objective leaves
  out ``owner`` when it is ``u:P`` (a unit of the plan) or else ``r:P`` (a role);
- a KR leaves out the fields at their usual value (:data:`KR_USUAL`); ``text`` when it is its
  ``name``; a KR of a metric its ``name``, ``unit`` and ``money`` when they are the metric's;
- edges are written on their source node, as lists of target ids by kind (``"contains":
  [ids]`` on a unit, ``"aligns"``, ``"drives"``, ``"supports"`` on a KR), in the graph's
  order; ``graph.edges`` holds the edges with more than a kind (none, as decompose makes
  them). The ``owns`` and ``measures`` edges are left out as in format 2.

What is written is checked to expand to the same node, so a plan whose ids do not follow the
pattern is written with the fields in full.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from okrplan.graph import Edge, Kind
from okrplan.model import KRKind

FORMAT = 3
NODE_EDGES: dict[str, tuple[str, ...]] = {
    str(Kind.UNIT): (str(Edge.CONTAINS),),
    str(Kind.KR): (str(Edge.ALIGNS), str(Edge.DRIVES), str(Edge.SUPPORTS)),
}
"""The kinds of edge written on their source node, by the node's kind (in the order they are
read back); other edges are listed in ``graph.edges``."""
SKIPPED = frozenset({str(Edge.OWNS), str(Edge.MEASURES)})
"""Edges the nodes' ``owner`` and ``objective`` give (not written since format 2)."""
KR_USUAL: dict[str, Any] = {
    "kr_kind": str(KRKind.DERIVED),
    "direction": "increase",
    "deduction": None,
    "due": None,
    "fixed_weight": False,
    "target_kind": "number",
}
"""A KR's fields that format 3 leaves out at these values."""
SPANS = {"months": re.compile(r"[0-9]{4}-[0-9]{2}"), "quarters": re.compile(r".*-Q[1-4]")}
"""Which list of ``periods`` a label belongs to (a label of neither is a week's)."""
EXPANDED = "\0expansion problems"  # what expand found, for planjson's checks
PLACES = "\0edge places"  # where each edge on a node is, for planjson's checks (edge_place)


def span_of(label: str) -> str:
    """Which list of ``periods`` a period label belongs to."""
    return next((name for name, pattern in SPANS.items() if pattern.fullmatch(label)), "weeks")


def owner_by_id(node_id: Any, units: Mapping[str, Any], roles: Mapping[str, Any]) -> str | None:
    """The owner an objective's or KR's id ``o:P#…``/``k:P#…`` names: ``u:P`` if the plan has
    that unit, else ``r:P`` if it has that role; None if neither."""
    if not isinstance(node_id, str) or node_id[:2] not in ("k:", "o:") or "#" not in node_id:
        return None
    scope = node_id[2 : node_id.rindex("#")]
    for prefix, known in (("u:", units), ("r:", roles)):
        if prefix + scope in known:
            return prefix + scope
    return None


def objective_by_id(node_id: Any) -> str | None:
    """The objective a KR's id ``k:P#i.j`` names: ``o:P#i``; None for another id."""
    if not isinstance(node_id, str) or not node_id.startswith("k:") or "#" not in node_id:
        return None
    dot = node_id.rfind(".")
    return "o:" + node_id[2:dot] if dot > node_id.rindex("#") else None


# ---------------------------------------------------------------------------------------------
# Reading: a format-3 plan's nodes put back into format 2's (then checked as format 2 is).


def expand(data: dict[str, Any]) -> dict[str, Any]:
    """A format-3 plan as the format-2 plan it stands for: full node dicts, each node's edges
    in ``graph.edges`` (in node order, then the listed ones), with each edge's key path and
    what could not be expanded kept for :mod:`okrplan.export.planjson`'s checks. Anything not
    a list or object where one is expected is left for those checks to report. The node
    dicts are changed in place (they are the caller's fresh ``json.loads``)."""
    graph = data.get("graph")
    if not isinstance(graph, dict):
        return data
    nodes, listed = graph.get("nodes"), graph.get("edges")
    if not isinstance(nodes, list) or not isinstance(listed, list):
        return data
    problems: list[tuple[str, str]] = []
    spans = data.get("periods", {})
    if not isinstance(spans, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in spans.values()
    ):
        problems.append(("periods", "expected an object of lists of period labels"))
        spans = {}
    metrics: dict[str, Any] = data["metrics"] if isinstance(data.get("metrics"), dict) else {}
    units, roles = _members(nodes)
    full: list[Any] = []
    edges: list[Any] = []
    places: list[tuple[int, str, int]] = []
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            full.append(node)
            continue
        # the dicts are json.loads' own, made for this plan: changed in place
        for kind in NODE_EDGES.get(str(node.get("kind")), ()):
            if kind not in node:
                continue
            targets = node.pop(kind)
            if not isinstance(targets, list):
                problems.append((f"graph.nodes[{i}].{kind}", "expected a list of node ids"))
                continue
            for j, target in enumerate(targets):
                edges.append({"kind": kind, "source": node.get("id"), "target": target})
                places.append((i, kind, j))
        if node.get("kind") in (Kind.OBJECTIVE, Kind.KR) and "owner" not in node:
            owner = owner_by_id(node.get("id"), units, roles)
            if owner is not None:
                node["owner"] = owner
        if node.get("kind") == Kind.KR:
            _expand_kr(node, f"graph.nodes[{i}]", metrics, spans, problems)
        full.append(node)
    edges += listed
    rest = {k: v for k, v in data.items() if k != "periods"}
    return {
        **rest,
        "graph": {**graph, "nodes": full, "edges": edges},
        EXPANDED: problems,
        PLACES: places,
    }


def edge_place(places: Sequence[tuple[int, str, int]], index: int) -> str:
    """The key path of the edge at ``index`` of an expanded plan's edges: ``places`` says
    where the edges written on nodes are (node index, kind, position); the rest are
    ``graph.edges`` in order (in a format-2 plan, all of them)."""
    if index < len(places):
        node, kind, at = places[index]
        return f"graph.nodes[{node}].{kind}[{at}]"
    return f"graph.edges[{index - len(places)}]"


def _members(nodes: list[Any]) -> tuple[dict[str, int], dict[str, int]]:
    """The ids of the units and of the roles among ``nodes``."""
    units: dict[str, int] = {}
    roles: dict[str, int] = {}
    for node in nodes:
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            if node.get("kind") == Kind.UNIT:
                units[node["id"]] = 1
            elif node.get("kind") == Kind.ROLE:
                roles[node["id"]] = 1
    return units, roles


def _expand_kr(
    node: dict[str, Any],
    where: str,
    metrics: Mapping[str, Any],
    spans: Mapping[str, list[str]],
    problems: list[tuple[str, str]],
) -> None:
    """Put back the fields format 3 leaves out of a KR's node dict (see the module's text)."""
    if "objective" not in node and (objective := objective_by_id(node.get("id"))) is not None:
        node["objective"] = objective
    for key, usual in KR_USUAL.items():
        node.setdefault(key, usual)
    name = node.get("metric")
    metric = metrics.get(name) if isinstance(name, str) else None
    if isinstance(metric, dict):
        if "name" not in node and isinstance(metric.get("name"), str):
            node["name"] = metric["name"]
        if node["kr_kind"] == KRKind.DERIVED:
            if "unit" not in node and isinstance(metric.get("unit"), str):
                node["unit"] = metric["unit"]
            node.setdefault("money", metric.get("kind") == "money")
    if "text" not in node and "name" in node:
        node["text"] = node["name"]
    if "periods" in node:
        return
    node["periods"] = {}
    for span in ("months", "quarters", "weeks"):
        if span not in node:
            continue
        values, labels = node.pop(span), spans.get(span)
        if not isinstance(values, list) or labels is None or len(values) != len(labels):
            count = "a list" if labels is None else f"{len(labels)} values"
            problems.append(
                (f"{where}.{span}", f"expected {count}, one for each label of periods.{span}")
            )
        else:
            node["periods"] = dict(zip(labels, values, strict=True))
        return
