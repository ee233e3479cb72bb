"""queries answers each question once per graph version: the tree, plan.md, the report and the
workbook share the walks and sheets, and a change of the graph's nodes or edges is seen."""

from __future__ import annotations

import networkx as nx

from okrplan import queries
from okrplan.graph import add_records, new_graph
from okrplan.model import EdgeKind, Level, Objective, RoleGroup, Unit, node_from_json


def _kr(kr_id: str, owner: str, objective: str) -> object:
    return node_from_json(
        {"kind": "kr", "id": kr_id, "name": kr_id, "owner": owner, "objective": objective,
         "kr_kind": "manual", "metric": None, "text": None, "per": "plan", "target": 1,
         "target_kind": "number", "periods": {}, "weight": None, "fixed_weight": False,
         "direction": "increase", "deduction": None, "due": None}
    )  # fmt: skip


def _group(group_id: str, headcount: int, new_hires: bool = False) -> RoleGroup:
    return RoleGroup(
        id=group_id, name="rep", label="rep", path=("A",), headcount=headcount, people=(),
        new_hires=new_hires, sells=None, capacity={},
    )  # fmt: skip


def _company(graph: nx.DiGraph) -> None:
    # A with one group of 2 (one objective, one KR), a hire pool that hired no one, and B
    records = [
        Unit("u:A", "A", ("A",), "", Level.UNIT),
        _group("r:A/rep", 2),
        _group("r:A/rep+hires", 0, new_hires=True),
        Unit("u:A/B", "B", ("A", "B"), "", Level.UNIT),
        Objective(id="o:rep#1", name="sell", owner="r:A/rep", detail=""),
        _kr("k:rep#1.1", "r:A/rep", "o:rep#1"),
    ]
    edges = [
        ("u:A", "r:A/rep", EdgeKind.CONTAINS),
        ("u:A", "r:A/rep+hires", EdgeKind.CONTAINS),
        ("u:A", "u:A/B", EdgeKind.CONTAINS),
        ("r:A/rep", "o:rep#1", EdgeKind.OWNS),
        ("k:rep#1.1", "o:rep#1", EdgeKind.MEASURES),
    ]
    add_records(graph, records, edges)  # type: ignore[arg-type]


def test_answers_follow_the_graph_and_stay_the_callers() -> None:
    graph = new_graph()
    _company(graph)
    # display order: groups (the empty hire pool left out), then units; depth first
    assert queries.tree_order(graph) == ["u:A", "r:A/rep", "u:A/B"]
    kids = queries.org_children(graph, "u:A")
    assert kids == ["r:A/rep", "u:A/B"]
    kids.append("x")  # the caller's list: the next answer is unchanged
    assert queries.org_children(graph, "u:A") == ["r:A/rep", "u:A/B"]
    sheet = queries.sheet(graph, "r:A/rep")
    assert [(o.id, [k.id for k in krs]) for o, krs in sheet] == [("o:rep#1", ["k:rep#1.1"])]
    sheet.clear()
    assert len(queries.sheet(graph, "r:A/rep")) == 1
    # a second KR and a second group: the graph's version moves on, the answers with it
    add_records(
        graph,
        [_kr("k:rep#1.2", "r:A/rep", "o:rep#1"), _group("r:A/B/rep", 1)],
        [("k:rep#1.2", "o:rep#1", EdgeKind.MEASURES), ("u:A/B", "r:A/B/rep", EdgeKind.CONTAINS)],
    )  # fmt: skip
    assert [k.id for _, krs in queries.sheet(graph, "r:A/rep") for k in krs] == [
        "k:rep#1.1",
        "k:rep#1.2",
    ]
    assert queries.tree_order(graph) == ["u:A", "r:A/rep", "u:A/B", "r:A/B/rep"]


def test_a_plain_digraph_is_asked_afresh() -> None:
    graph = nx.DiGraph()
    _company(graph)
    assert queries.tree_order(graph) == ["u:A", "r:A/rep", "u:A/B"]
    graph.add_edge("u:A/B", "r:A/rep+hires", kind=str(EdgeKind.CONTAINS))
    graph.remove_edge("u:A", "u:A/B")
    assert queries.tree_order(graph) == ["u:A", "r:A/rep"]


def test_remembered_sheets_are_the_sheets_and_the_graph_s_own_answers() -> None:
    from okrplan.graph import children, krs_of, objectives_of

    graph = new_graph()
    _company(graph)
    # the group also owns its KR (as a plan's owners do): not an objective, not on the sheet
    add_records(graph, [], [("r:A/rep", "k:rep#1.1", EdgeKind.OWNS)])
    queries.remember_sheets(graph)
    for owner in ["u:A", "r:A/rep", "r:A/rep+hires", "u:A/B"]:
        made = [(o.id, [k.id for k in krs]) for o, krs in queries.sheet(graph, owner)]
        # the graph's indexes answer the same, edge by edge
        assert made == [(o, krs_of(graph, o)) for o in objectives_of(graph, owner)]
        assert queries.contained(graph, owner) == children(graph, owner)
    assert queries.sheet(graph, "r:A/rep")[0][0].id == "o:rep#1"
    assert queries.contained(graph, "u:A") == ["r:A/rep", "r:A/rep+hires", "u:A/B"]
    assert queries.contained(graph, "no such node") == []
    assert queries.sheet(graph, "no such node") == []


def test_period_labels_follow_the_graph() -> None:
    import dataclasses
    from fractions import Fraction

    graph = new_graph()
    _company(graph)
    assert queries.period_labels(graph) == frozenset()  # the one KR has no periods
    kr = queries.key_result(graph, "k:rep#1.1")
    two = dataclasses.replace(
        kr, id="k:rep#1.2", periods={"2015-01": Fraction(1), "2015-W10": Fraction(2)}
    )
    add_records(graph, [two], [("k:rep#1.2", "o:rep#1", EdgeKind.MEASURES)])
    # the new KR's two labels, asked again after the change (and the same answer twice)
    assert queries.period_labels(graph) == {"2015-01", "2015-W10"}
    assert queries.period_labels(graph) == {"2015-01", "2015-W10"}
    plain = nx.DiGraph(graph)  # a graph that does not count its changes: asked afresh
    assert queries.period_labels(plain) == {"2015-01", "2015-W10"}


def test_many_owners_at_once_are_each_owner_asked_alone() -> None:
    from okrplan.graph import node

    for graph in (new_graph(), nx.DiGraph()):  # answers kept, and a graph asked afresh
        _company(graph)
        owners = ["u:A", "r:A/rep", "r:A/rep+hires", "u:A/B"]
        assert queries.records_at(graph, owners) == [node(graph, o) for o in owners]
        assert queries.sheets(graph, owners) == [queries.sheet(graph, o) for o in owners]
        assert queries.sheets(graph, ["no such node"]) == [[]]
