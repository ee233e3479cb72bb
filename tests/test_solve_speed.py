"""The fast paths of the decompose stage give what the plain ones give."""

from __future__ import annotations

import networkx as nx

from okrplan.graph import Edge, add_records, children, new_graph
from okrplan.model import Objective
from okrplan.solve.phasing import apportion, apportion_ints


def _objective(oid: str, owner: str) -> Objective:
    return Objective(id=oid, name=oid, owner=owner, detail="")


def test_add_records_is_networkx_bulk_add() -> None:
    records = [_objective("o:a#1", "u:a"), _objective("o:a#2", "u:a"), _objective("o:b#1", "u:b")]
    edges = [
        ("u:a", "o:a#1", Edge.OWNS),
        ("u:a", "o:a#2", Edge.OWNS),
        ("o:a#2", "o:a#1", Edge.DRIVES),
        ("o:a#2", "o:a#1", Edge.ALIGNS),  # the same edge again: its kind is replaced
        ("u:a", "u:b", Edge.CONTAINS),
    ]
    fast = new_graph()
    add_records(fast, records, edges)
    plain = nx.DiGraph()
    plain.add_nodes_from((r.id, {"node": r}) for r in records)
    plain.add_edges_from((s, t, {"kind": str(k)}) for s, t, k in edges)
    assert list(fast.nodes(data=True)) == list(plain.nodes(data=True))
    assert list(fast.edges(data=True)) == list(plain.edges(data=True))
    assert list(fast.pred["o:a#1"]) == list(plain.pred["o:a#1"]) == ["u:a", "o:a#2"]
    assert fast.edges["o:a#2", "o:a#1"]["kind"] == "aligns"
    assert fast.nodes["u:a"] == {}  # named by an edge only: a bare node, as networkx adds it
    assert children(fast, "u:a") == ["u:b"]  # the index sees the change


def test_apportion_ints_largest_remainder_within_caps() -> None:
    # 10 over three equal weights is 3⅓ each; the third is capped at 0, so the two others
    # take one unit each in a first round (4, 4) and one more each in a second (5, 5)
    assert apportion_ints(10, [1, 1, 1], [5, 5, 0]) == [5, 5, 0]
    # 7 over 2:1:0 is 4⅔, 2⅓, 0 → floors 4, 2, 0 and the one left goes to the ⅔
    assert apportion_ints(7, [2, 1, 0], None) == [5, 2, 0]
    # ties go to the earlier index: 5 over four equal weights is 1¼ each
    assert apportion_ints(5, [1, 1, 1, 1], None) == [2, 1, 1, 1]
    assert apportion(5, [1, 1, 1, 1]) == [2, 1, 1, 1]
