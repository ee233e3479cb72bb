"""The goal graph: units, roles, objectives and key results, and how they relate.

One networkx ``DiGraph`` is the plan's spine. Node ids are readable and stable:
``u:A公司/销售部`` (unit), ``r:A公司/销售部/销售岗`` (role group), ``o:A公司/销售部#1`` (its first
objective), ``k:A公司/销售部#1.2`` (that objective's second key result). Edge kinds are in
:class:`Edge`; every edge has a ``kind`` attribute.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from okrplan.lazy_networkx import nx
from okrplan.model import EdgeKind, Node, NodeKind, node_from_json, node_to_json

Edge = EdgeKind
Kind = NodeKind


class PlanGraph(nx.DiGraph):  # type: ignore[misc]
    """A ``DiGraph`` that counts its changes of nodes and edges (``version``), so that the
    indexes :func:`children`, :func:`objectives_of` and :func:`krs_of` answer from are built
    once per version instead of rescanning a node's edges on every call (at 100,000 people
    the outputs ask about 40,000 owners several times each).

    Changing an edge's ``kind`` in place is not seen: replace the edge instead.
    """

    def __init__(self, incoming_graph_data: Any = None, **attr: Any) -> None:
        self.version = 0
        self.indexes: dict[str, tuple[int, dict[str, list[str]]]] = {}
        super().__init__(incoming_graph_data, **attr)

    def _made(self) -> dict[Any, Any]:
        """networkx's factory of the node dict and of the two adjacency dicts (in that order
        its ``__init__`` asks for them): the dicts :func:`built` filled, else empty ones."""
        made: list[dict[Any, Any]] | None = self.__dict__.get("_filled")
        return made.pop(0) if made else {}

    # networkx's documented hooks for a subclass's own dicts ("Subclasses (Advanced)" in the
    # DiGraph docstring): asked for in __init__ only, so other graphs get new empty dicts
    node_dict_factory = adjlist_outer_dict_factory = _made


def _counting(name: str) -> Any:
    method = getattr(nx.DiGraph, name)

    def changed(self: PlanGraph, *args: Any, **kwargs: Any) -> Any:
        self.version += 1
        return method(self, *args, **kwargs)

    changed.__name__ = changed.__qualname__ = name
    changed.__doc__ = method.__doc__
    return changed


for _name in (
    "add_node",
    "add_nodes_from",
    "remove_node",
    "remove_nodes_from",
    "add_edge",
    "add_edges_from",
    "remove_edge",
    "remove_edges_from",
    "clear",
    "clear_edges",
):
    setattr(PlanGraph, _name, _counting(_name))


def new_graph() -> nx.DiGraph:
    return PlanGraph()


def _index(graph: nx.DiGraph, name: str) -> dict[str, list[str]] | None:
    """The index ``name`` of a :class:`PlanGraph` as of its current version (built now if it
    is missing or stale); None for another graph (the callers then scan)."""
    if not isinstance(graph, PlanGraph):
        return None
    known = graph.indexes.get(name)
    if known is not None and known[0] == graph.version:
        return known[1]
    index = _BUILD[name](graph)
    graph.indexes[name] = (graph.version, index)
    return index


# The index builders read networkx's adjacency dicts behind its public views (as node() reads
# its node dicts): through ``graph.succ`` each neighbour is a view lookup, and the three
# indexes took 2.5 CPU s at 100,000 people (now about 0.4 s). A list is made only for a node
# that has such an edge (most nodes have none of a given kind).


def _grouped(
    adjacency: Any, kind: Edge, keep: Callable[[str], bool] | None = None
) -> dict[str, list[str]]:
    """Each node's neighbours in ``adjacency`` over edges of ``kind`` (those ``keep`` keeps),
    in the graph's order."""
    out: dict[str, list[str]] = {}
    wanted = str(kind)
    for key, others in adjacency.items():
        for other, data in others.items():
            if data["kind"] == wanted and (keep is None or keep(other)):
                found = out.get(key)
                if found is None:
                    out[key] = [other]
                else:
                    found.append(other)
    return out


def _build_children(graph: nx.DiGraph) -> dict[str, list[str]]:
    return _grouped(graph._succ, Edge.CONTAINS)


def _build_objectives(graph: nx.DiGraph) -> dict[str, list[str]]:
    records = graph._node
    return _grouped(
        graph._succ, Edge.OWNS, lambda target: records[target]["node"].kind == Kind.OBJECTIVE
    )


def _build_krs(graph: nx.DiGraph) -> dict[str, list[str]]:
    return _grouped(graph._pred, Edge.MEASURES)


_BUILD = {"children": _build_children, "objectives": _build_objectives, "krs": _build_krs}


def add_node(graph: nx.DiGraph, node_id: str, kind: Kind, name: str, **attrs: Any) -> None:
    """Add a node from its plan.json attributes (give it its record with
    :func:`attach_records`)."""
    graph.add_node(node_id, id=node_id, kind=str(kind), name=name, **attrs)


def add_edge(graph: nx.DiGraph, source: str, target: str, kind: Edge) -> None:
    graph.add_edge(source, target, kind=str(kind))


def edge_attrs() -> dict[Edge, dict[str, str]]:
    """One attribute dict per edge kind, ``{"kind": "owns"}``, to add edges with
    (:func:`add_records`): networkx copies it into each edge, so one dict serves them all."""
    return {kind: {"kind": str(kind)} for kind in Edge}


def add_records(
    graph: nx.DiGraph,
    records: Iterable[Node],
    edges: Iterable[tuple[str, str, Edge]] = (),
    *,
    attributed: Iterable[tuple[str, str, dict[str, str]]] = (),
) -> None:
    """Add nodes carrying ``records`` (in their order) and then ``edges``, in bulk.

    Every node's attribute dict holds its record under ``"node"``; every edge its ``kind``.
    ``attributed`` edges come with their attribute dicts already (of :func:`edge_attrs`), the
    way a large plan's are made: added as they are, after ``edges``.
    """
    # networkx's own bulk adds, not its private dicts (which it may change; #13). Filling
    # those dicts directly was measured at 1.3-1.6 against 1.9-2.5 CPU s at 100,000 people.
    graph.add_nodes_from((record.id, {"node": record}) for record in records)
    if edges:
        attrs = edge_attrs()
        graph.add_edges_from((source, target, attrs[kind]) for source, target, kind in edges)
    graph.add_edges_from(attributed)


def edge_data() -> dict[Edge, Mapping[str, str]]:
    """One read-only attribute mapping per edge kind, ``{"kind": "owns"}``, that every edge of
    the kind shares (in the graphs :func:`built` and :func:`adjacency_graph` make)."""
    return {kind: MappingProxyType({"kind": str(kind)}) for kind in Edge}


def built(records: Iterable[Node], edges: Iterable[tuple[str, str, str]]) -> nx.DiGraph:
    """A new graph of ``records`` (nodes, in their order) and ``edges`` (source, target and
    kind, in their order): the graph :func:`add_records` makes of them on an empty one, but
    that the edges of one kind share one read-only attribute mapping, ``{"kind": ...}``.

    Its dicts are filled here and handed to networkx by its factories (:class:`PlanGraph`):
    networkx's bulk adds check each node and edge and copy each edge's dict (2.4 against 1.1
    CPU s at 100,000 people: 167,000 nodes and 388,000 edges, whose dicts would also take
    71 MB). Shared read-only mappings are networkx's own "ThinGraph" way; read-only, so that
    changing an edge's attributes in place fails loudly instead of changing every edge of
    its kind (re-add the edge after removing it). An edge that names a node not among
    ``records`` (networkx would add it bare), or a kind not in :class:`Edge`, is left to the
    bulk adds.
    """
    records = list(records)
    edges = list(edges)
    nodes: dict[str, dict[str, Node]] = {r.id: {"node": r} for r in records}
    succ: dict[str, dict[str, Mapping[str, str]]] = {n: {} for n in nodes}
    pred: dict[str, dict[str, Mapping[str, str]]] = {n: {} for n in nodes}
    shared = {str(kind): data for kind, data in edge_data().items()}
    try:
        for source, target, kind in edges:
            data = shared[kind]
            succ[source][target] = data
            pred[target][source] = data
    except KeyError:
        return _bulk(records, edges)
    graph = adjacency_graph(nodes, succ, pred)
    return graph if graph is not None else _bulk(records, edges)


def adjacency_graph(
    nodes: dict[str, dict[str, Node]],
    succ: dict[str, dict[str, Mapping[str, str]]],
    pred: dict[str, dict[str, Mapping[str, str]]],
) -> nx.DiGraph | None:
    """A :class:`PlanGraph` that holds these dicts as its own: each node's attribute dict
    (``{"node": record}``) and its out- and in-edges (the mappings of :func:`edge_data`).
    They must agree as networkx's do: the same nodes in the same order in all three, each
    edge in both ``succ[source]`` and ``pred[target]``. None when this networkx makes its
    dicts otherwise than :class:`PlanGraph` expects (then add the records in bulk)."""
    graph = PlanGraph.__new__(PlanGraph)
    graph._filled = [nodes, succ, pred]
    PlanGraph.__init__(graph)
    del graph._filled
    if graph._node is not nodes or graph._succ is not succ or graph._pred is not pred:
        return None
    return graph


def _bulk(records: list[Node], edges: list[tuple[str, str, str]]) -> nx.DiGraph:
    graph = new_graph()
    add_records(graph, records, attributed=[(s, t, {"kind": k}) for s, t, k in edges])
    return graph


def children(graph: nx.DiGraph, node_id: str, kind: Edge = Edge.CONTAINS) -> list[str]:
    """Targets of ``kind`` edges out of ``node_id``, in insertion order."""
    if kind == Edge.CONTAINS and (index := _index(graph, "children")) is not None:
        return list(index.get(node_id, ()))
    return [t for t, data in graph.succ[node_id].items() if data["kind"] == kind]


def objectives_of(graph: nx.DiGraph, owner: str) -> list[str]:
    """The objectives ``owner`` owns, in its sheet order."""
    if (index := _index(graph, "objectives")) is not None:
        return list(index.get(owner, ()))
    return [
        t
        for t, data in graph.succ[owner].items()
        if data["kind"] == Edge.OWNS and node(graph, t).kind == Kind.OBJECTIVE
    ]


def krs_of(graph: nx.DiGraph, objective: str) -> list[str]:
    """Key results measuring an objective, in their sheet order."""
    if (index := _index(graph, "krs")) is not None:
        return list(index.get(objective, ()))
    return [s for s, data in graph.pred[objective].items() if data["kind"] == Edge.MEASURES]


def root_of(graph: nx.DiGraph) -> str:
    """The company: the one unit nothing contains."""
    for node_id, data in graph.nodes(data=True):
        if data["node"].kind == Kind.UNIT and not any(
            graph.edges[p, node_id]["kind"] == Edge.CONTAINS for p in graph.predecessors(node_id)
        ):
            return str(node_id)
    raise ValueError("the graph has no root unit")


def node(graph: nx.DiGraph, node_id: str) -> Node:
    """The record a node carries."""
    # the one read of networkx's node dicts behind its public view: this is called millions of
    # times at 100,000 people, and ``graph.nodes[...]`` adds a view lookup to each
    record: Node = graph._node[node_id]["node"]
    return record


def attach_records(graph: nx.DiGraph) -> None:
    """Turn nodes added with :func:`add_node` (plan.json attribute dicts) into nodes that carry
    their validated record, and nothing else."""
    for node_id, data in graph.nodes(data=True):
        record = node_from_json(data if "id" in data else {**data, "id": node_id})
        data.clear()
        data["node"] = record


def to_node_link(graph: nx.DiGraph, leave_out: Collection[str] = ()) -> dict[str, Any]:
    """networkx node-link data with edges under ``edges`` (readable by ``node_link_graph``):
    each node as its record's plan.json dict; edges of the kinds in ``leave_out`` are left
    out."""
    return {
        "directed": graph.is_directed(),
        "multigraph": graph.is_multigraph(),
        "graph": graph.graph,
        "nodes": [node_to_json(record) for _, record in graph.nodes(data="node")],
        "edges": [
            {**data, "source": source, "target": target}
            for source, target, data in graph.edges(data=True)
            if data.get("kind") not in leave_out
        ],
    }
