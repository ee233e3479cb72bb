"""The goal graph: units, roles, objectives and key results, and how they relate.

One networkx ``DiGraph`` is the plan's spine. Node ids are readable and stable:
``u:A公司/销售部`` (unit), ``r:A公司/销售部/销售岗`` (role group), ``o:A公司/销售部#1`` (its first
objective), ``k:A公司/销售部#1.2`` (that objective's second key result). Edge kinds are in
:class:`Edge`; every edge has a ``kind`` attribute.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

import networkx as nx


class Edge(StrEnum):
    CONTAINS = "contains"  # unit → unit/role
    ALIGNS = "aligns"  # child KR → parent KR of the same metric
    DRIVES = "drives"  # process KR → the outcome KR it feeds (same owner)
    SUPPORTS = "supports"  # support unit's KR → the KR it feeds
    MEASURES = "measures"  # KR → objective
    OWNS = "owns"  # unit/role → objective/KR


class Kind(StrEnum):
    UNIT = "unit"
    ROLE = "role"
    OBJECTIVE = "objective"
    KR = "kr"


def new_graph() -> nx.DiGraph:
    return nx.DiGraph()


def add_node(graph: nx.DiGraph, node_id: str, kind: Kind, name: str, **attrs: Any) -> None:
    graph.add_node(node_id, id=node_id, kind=str(kind), name=name, **attrs)


def add_edge(graph: nx.DiGraph, source: str, target: str, kind: Edge) -> None:
    graph.add_edge(source, target, kind=str(kind))


def nodes_of(graph: nx.DiGraph, kind: Kind) -> Iterator[dict[str, Any]]:
    """Node attribute dicts of one kind, in insertion order."""
    for _, data in graph.nodes(data=True):
        if data["kind"] == kind:
            yield data


def children(graph: nx.DiGraph, node_id: str, kind: Edge = Edge.CONTAINS) -> list[str]:
    """Targets of ``kind`` edges out of ``node_id``, in insertion order."""
    return [t for t in graph.successors(node_id) if graph.edges[node_id, t]["kind"] == kind]


def objectives_of(graph: nx.DiGraph, owner: str) -> list[str]:
    return [t for t in children(graph, owner, Edge.OWNS)
            if graph.nodes[t]["kind"] == Kind.OBJECTIVE]


def krs_of(graph: nx.DiGraph, objective: str) -> list[str]:
    """Key results measuring an objective, in their sheet order."""
    return [s for s in graph.predecessors(objective)
            if graph.edges[s, objective]["kind"] == Edge.MEASURES]


def root_of(graph: nx.DiGraph) -> str:
    """The company: the one unit nothing contains."""
    for node_id, data in graph.nodes(data=True):
        if data["kind"] == Kind.UNIT and not any(
                graph.edges[p, node_id]["kind"] == Edge.CONTAINS
                for p in graph.predecessors(node_id)):
            return str(node_id)
    raise ValueError("the graph has no root unit")


def to_node_link(graph: nx.DiGraph) -> dict[str, Any]:
    """networkx node-link data with edges under ``edges`` (readable by ``node_link_graph``)."""
    data: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    return data


def from_node_link(data: dict[str, Any]) -> nx.DiGraph:
    graph: nx.DiGraph = nx.node_link_graph(data, edges="edges")
    return graph
