"""The goal graph's assembly: its dicts filled in place equal the bulk adds of its edges."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from okrplan import api
from okrplan.graph import built, edge_data
from okrplan.model import KeyResult, NodeKind, Objective, RoleGroup, Unit
from okrplan.solve.assemble import assemble, edges

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ["a-company-2015.yaml", "saas-fy2027.yaml", "sales-center-2021.yaml"]


def _shape(graph: nx.DiGraph) -> tuple[Any, ...]:
    """Everything order-sensitive networkx holds: nodes, and each node's out- and in-edges
    with their kinds, in order."""

    def adjacency(dicts: Any) -> list[Any]:
        return [(n, [(t, d["kind"]) for t, d in a.items()]) for n, a in dicts.items()]

    return list(graph._node.items()), adjacency(graph._succ), adjacency(graph._pred)


@cache
def _records(
    name: str,
) -> tuple[Any, tuple[Unit | RoleGroup, ...], tuple[Objective | KeyResult, ...]]:
    spec = api.load(ROOT / "scenarios" / name)
    plan = api.decompose(spec)
    records = [data["node"] for _, data in plan.graph.nodes(data=True)]
    owners = [r for r in records if r.kind in (NodeKind.UNIT, NodeKind.ROLE)]
    items = [r for r in records if r.kind in (NodeKind.OBJECTIVE, NodeKind.KR)]
    return spec, tuple(owners), tuple(items)


def _bulk(spec: Any, owners: Any, items: Any) -> nx.DiGraph:
    """The graph of the records and edges added in bulk (graph.built), edge by edge."""
    return built([*owners, *items], edges(spec, owners, items))


@pytest.mark.parametrize("name", SCENARIOS)
def test_filled_graph_is_the_bulk_one(name: str) -> None:
    spec, owners, items = _records(name)
    graph = assemble(spec, owners, items)
    assert _shape(graph) == _shape(_bulk(spec, owners, items))
    # every edge of a kind shares its one read-only mapping
    shared = {str(kind): data for kind, data in edge_data().items()}
    assert all(data == shared[data["kind"]] for _, _, data in graph.edges(data=True))


def test_a_kr_before_its_objective_is_left_to_the_bulk_adds() -> None:
    spec, owners, items = _records(SCENARIOS[0])
    first_kr = next(n for n, i in enumerate(items) if type(i) is KeyResult)
    # the first objective's first KR moved before it: its "measures" edge then comes first
    moved = [items[first_kr], *items[:first_kr], *items[first_kr + 1 :]]
    graph = assemble(spec, owners, moved)
    assert _shape(graph) == _shape(_bulk(spec, owners, moved))
    objective = items[first_kr - 1].id
    assert next(iter(graph.pred[objective])) == items[first_kr].id
