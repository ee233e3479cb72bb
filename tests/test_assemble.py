"""The goal graph's assembly: its dicts filled in place equal the bulk adds of its edges."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml

from okrplan import api, queries
from okrplan.graph import built, children, edge_data, krs_of, objectives_of
from okrplan.model import KeyResult, NodeKind, Objective, RoleGroup, Unit
from okrplan.queries import is_empty_hire_pool
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


def as_read_from_edges(graph: nx.DiGraph, owner: str) -> tuple[Any, list[str]]:
    """An owner's sheet and children as the graph's own indexes read them from its edges:
    the answers queries.sheet and queries.org_children must give."""
    record = {n: d["node"] for n, d in graph.nodes(data=True)}
    sheet = [
        (record[o], [record[k] for k in krs_of(graph, o)]) for o in objectives_of(graph, owner)
    ]
    kids = children(graph, owner)
    roles = [k for k in kids if isinstance(record[k], RoleGroup)]
    units = [k for k in kids if isinstance(record[k], Unit)]
    return sheet, [k for k in roles if not is_empty_hire_pool(record[k])] + units


@pytest.mark.parametrize("name", [*SCENARIOS, "chip-market-share.yaml"])
def test_the_sheets_the_assembly_remembers_are_those_its_edges_say(name: str) -> None:
    # the assembly hands each owner's sheet and children to queries as it adds the edges
    # (not read again from 177,000 nodes' edges before the fork): the same lists, in order
    spec, owners, items = _records(name)
    graph = assemble(spec, owners, items)
    for owner in owners:
        sheet, kids = as_read_from_edges(graph, owner.id)
        assert queries.sheet(graph, owner.id) == sheet, owner.id
        assert queries.org_children(graph, owner.id) == kids, owner.id


def test_a_unit_with_roles_and_sub_units_and_an_unused_hire_pool(tmp_path: Path) -> None:
    # 销售部 gets a sub-unit beside its roles (its children: the roles, then the sub-unit),
    # and its second group of sellers is made a hire pool that hired nobody: left out
    target = yaml.safe_load((ROOT / "scenarios" / SCENARIOS[0]).read_text(encoding="utf-8"))
    roles = target["org"]["units"][0]["roles"]
    copied = [dict(roles[0], headcount=4), dict(roles[2], headcount=1)]  # 销售岗, 渠道经理
    target["org"]["units"][0]["units"] = [{"name": "直销组", "roles": copied}]
    path = tmp_path / "target.yaml"
    path.write_text(yaml.safe_dump(target, allow_unicode=True), encoding="utf-8")
    plan = api.decompose(path)
    records = [data["node"] for _, data in plan.graph.nodes(data=True)]
    pool = "r:A公司/销售部/销售岗 (2)"  # made a hire pool that hired nobody
    owners = [
        dataclasses.replace(r, headcount=0, new_hires=True) if r.id == pool else r
        for r in records
        if r.kind in (NodeKind.UNIT, NodeKind.ROLE)
    ]
    assert sum(map(is_empty_hire_pool, owners)) == 1
    items = [r for r in records if r.kind in (NodeKind.OBJECTIVE, NodeKind.KR)]
    graph = assemble(api.load(path), owners, items)
    department = "u:A公司/销售部"
    roles_at = department.replace("u:", "r:")
    assert queries.org_children(graph, department) == [
        f"{roles_at}/销售岗",
        f"{roles_at}/渠道经理",
        f"{department}/直销组",
    ]
    for owner in owners:
        sheet, children_read = as_read_from_edges(graph, owner.id)
        assert queries.sheet(graph, owner.id) == sheet, owner.id
        assert queries.org_children(graph, owner.id) == children_read, owner.id
