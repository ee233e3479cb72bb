"""plan.json format 2 (no owns/measures edges: the nodes say them) and format 1, still read;
the graph's indexes follow its changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from okrplan import graph as g
from okrplan.errors import InputError
from okrplan.export.planjson import from_json, read_plan_file, to_json
from okrplan.model import EdgeKind

HERE = Path(__file__).resolve().parent
FORMAT1 = HERE / "data" / "plan-format1.json"  # a-company-2015 as format 1 wrote it
GOLDEN2 = HERE / "golden" / "scenarios" / "a-company-2015" / "plan.json"


def _edges(plan_graph: object) -> list[tuple[str, str, str]]:
    return sorted((s, t, str(d["kind"])) for s, t, d in plan_graph.edges(data=True))  # type: ignore[attr-defined]


def test_format_1_is_read_and_written_again_as_format_2() -> None:
    old = read_plan_file(str(FORMAT1))
    new = read_plan_file(str(GOLDEN2))
    # the same graph, edge for edge: format 2's owns and measures edges come from its nodes
    assert _edges(old.graph) == _edges(new.graph)
    assert to_json(old) == GOLDEN2.read_text("utf-8")
    assert json.loads(FORMAT1.read_text("utf-8"))["okrplan"] == 1


def test_format_2_leaves_out_what_the_nodes_say() -> None:
    data = json.loads(GOLDEN2.read_text("utf-8"))
    kinds = {e["kind"] for e in data["graph"]["edges"]}
    assert data["okrplan"] == 2
    assert kinds.isdisjoint({"owns", "measures"})
    plan = from_json(GOLDEN2.read_text("utf-8"))
    # every objective and KR is owned by its owner, every KR measures its objective
    old = json.loads(FORMAT1.read_text("utf-8"))
    owns = sum(1 for e in old["graph"]["edges"] if e["kind"] == "owns")
    items = sum(1 for n in data["graph"]["nodes"] if n["kind"] in ("objective", "kr"))
    assert owns == items
    assert sum(1 for _, _, k in plan.graph.edges(data="kind") if k == "owns") == items


def test_a_written_owns_edge_in_format_2_is_refused() -> None:
    data = json.loads(GOLDEN2.read_text("utf-8"))
    kr = next(n for n in data["graph"]["nodes"] if n["kind"] == "kr")
    data["graph"]["edges"].append({"kind": "owns", "source": kr["owner"], "target": kr["id"]})
    with pytest.raises(InputError) as caught:
        from_json(json.dumps(data, ensure_ascii=False))
    text = str(caught.value)
    assert "a format-2 plan has no owns edges" in text
    assert f"graph.edges[{len(data['graph']['edges']) - 1}].kind" in text


@pytest.mark.parametrize("version", [0, 3, True, 2.0, "2"])
def test_other_format_versions_are_refused(version: object) -> None:
    data = json.loads(GOLDEN2.read_text("utf-8"))
    data["okrplan"] = version
    with pytest.raises(InputError, match="format 1 or 2"):
        from_json(json.dumps(data, ensure_ascii=False))


def test_indexes_follow_the_graph_changes() -> None:
    graph = g.new_graph()
    g.add_edge(graph, "u:a", "u:b", EdgeKind.CONTAINS)
    assert g.children(graph, "u:a") == ["u:b"]
    g.add_edge(graph, "u:a", "u:c", EdgeKind.CONTAINS)
    assert g.children(graph, "u:a") == ["u:b", "u:c"]
    graph.remove_edge("u:a", "u:b")
    graph.add_edge("u:a", "u:d", kind=str(EdgeKind.CONTAINS))
    assert g.children(graph, "u:a") == ["u:c", "u:d"]
    graph.remove_node("u:c")
    assert g.children(graph, "u:a") == ["u:d"]
    # a copy is a PlanGraph with its own indexes
    copy = graph.copy()
    copy.add_edge("u:a", "u:e", kind=str(EdgeKind.CONTAINS))
    assert g.children(copy, "u:a") == ["u:d", "u:e"]
    assert g.children(graph, "u:a") == ["u:d"]
