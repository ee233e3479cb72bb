"""graph.built: a new graph with its dicts filled at once is the graph networkx's bulk adds
make of the same records and edges."""

from __future__ import annotations

import networkx as nx
import pytest

from okrplan.graph import Edge, PlanGraph, add_records, built, children, krs_of, new_graph
from okrplan.model import Objective


def _objective(oid: str, owner: str) -> Objective:
    return Objective(id=oid, name=oid, owner=owner, detail="")


RECORDS = [
    _objective("u:a", "u:a"),
    _objective("u:b", "u:a"),
    _objective("o:a#1", "u:a"),
    _objective("o:a#2", "u:a"),
]
EDGES = [
    ("u:a", "o:a#1", Edge.OWNS),
    ("u:a", "o:a#2", Edge.OWNS),
    ("o:a#2", "o:a#1", Edge.DRIVES),
    ("o:a#2", "o:a#1", Edge.ALIGNS),  # the same edge again: its kind is replaced
    ("u:a", "u:b", Edge.CONTAINS),
    ("o:a#2", "u:a", Edge.MEASURES),
]


def _same(made: nx.DiGraph, plain: nx.DiGraph) -> None:
    assert list(made.nodes(data=True)) == list(plain.nodes(data=True))
    assert list(made.edges(data=True)) == list(plain.edges(data=True))
    for n in plain:  # each node's neighbours in the same order both ways
        assert list(made.succ[n]) == list(plain.succ[n])
        assert list(made.pred[n]) == list(plain.pred[n])


def test_built_is_the_bulk_adds_graph() -> None:
    made = built(RECORDS, [(s, t, str(k)) for s, t, k in EDGES])
    plain = new_graph()
    add_records(plain, RECORDS, EDGES)
    assert isinstance(made, PlanGraph)
    _same(made, plain)
    assert made.edges["o:a#2", "o:a#1"] == {"kind": "aligns"}
    # the same mapping from both ends, as networkx keeps them; one read-only mapping per kind
    assert made.succ["u:a"]["o:a#1"] is made.pred["o:a#1"]["u:a"]
    assert made.succ["u:a"]["o:a#1"] is made.succ["u:a"]["o:a#2"]
    with pytest.raises(TypeError):
        made.edges["u:a", "o:a#1"]["kind"] = "drives"  # would change every owns edge
    assert made.edges["u:a", "o:a#2"]["kind"] == "owns"
    assert children(made, "u:a") == ["u:b"]
    assert krs_of(made, "u:a") == ["o:a#2"]
    # a graph made afterwards starts empty (the filled dicts were this graph's only)
    assert new_graph().number_of_nodes() == 0 and PlanGraph().number_of_edges() == 0
    # it is an ordinary networkx graph: changes, copies and the index of children
    made.add_edge("u:b", "o:a#2", kind=str(Edge.CONTAINS))
    assert children(made, "u:b") == ["o:a#2"]
    copied = made.copy()  # a copy's edges have dicts of their own, to change
    assert list(copied.edges(data=True)) == list(made.edges(data=True))
    copied.edges["u:a", "o:a#1"]["kind"] = "drives"
    assert made.edges["u:a", "o:a#1"]["kind"] == "owns"
    copied.remove_node("u:b")
    assert "u:b" in made and "u:b" not in copied


def test_built_with_an_edge_to_an_unknown_node_adds_it_bare() -> None:
    edges = [("u:a", "o:z#9", "owns"), ("u:a", "o:a#1", "rates")]  # and a kind of its own
    made = built(RECORDS, edges)
    plain = nx.DiGraph()
    plain.add_nodes_from((r.id, {"node": r}) for r in RECORDS)
    plain.add_edges_from((s, t, {"kind": k}) for s, t, k in edges)
    _same(made, plain)
    assert made.nodes["o:z#9"] == {}
