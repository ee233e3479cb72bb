"""The goal graph, assembled from the plan's records at the end of solving.

Nodes are the records in tree order (units, role groups and roles, then each owner's objectives
each followed by its KRs); edges are ``contains`` (org tree), ``owns`` and ``measures`` (sheets),
``drives`` from a staffing KR to the hiring group it staffs, then :func:`alignment` edges. Both
are added in bulk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import networkx as nx

from okrplan.graph import add_records, new_graph
from okrplan.model import EdgeKind, KeyResult, KRKind, Node, Objective, RoleGroup, Unit
from okrplan.spec import Spec

EdgeList = list[tuple[str, str, EdgeKind]]


def assemble(
    spec: Spec, owners: Sequence[Unit | RoleGroup], items: Sequence[Objective | KeyResult]
) -> nx.DiGraph:
    """The goal graph of a plan's records.

    Parameters
    ----------
    spec
        The validated target file (for the funnel chains).
    owners
        Unit and role records, in tree order.
    items
        Objective and KR records, each objective followed by its KRs.

    Returns
    -------
    networkx.DiGraph
        Every node carries its record under ``"node"``; every edge its ``kind``.
    """
    records: list[Node] = [*owners, *items]
    edges = list(_tree_edges(owners))
    edges += _sheet_edges(owners, items)
    edges += alignment(spec, owners, items)
    graph = new_graph()
    add_records(graph, records, edges)
    return graph


def _tree_edges(owners: Sequence[Unit | RoleGroup]) -> Iterator[tuple[str, str, EdgeKind]]:
    for owner in owners:
        if isinstance(owner, Unit) and len(owner.path) > 1:
            yield "u:" + "/".join(owner.path[:-1]), owner.id, EdgeKind.CONTAINS
    for owner in owners:
        if isinstance(owner, RoleGroup):
            yield "u:" + "/".join(owner.path), owner.id, EdgeKind.CONTAINS


def _sheet_edges(
    owners: Sequence[Unit | RoleGroup], items: Sequence[Objective | KeyResult]
) -> EdgeList:
    hiring = {o.id for o in owners if isinstance(o, RoleGroup) and o.selling is not None}
    edges: EdgeList = []
    for item in items:
        edges.append((item.owner, item.id, EdgeKind.OWNS))
        if isinstance(item, KeyResult):
            edges.append((item.id, item.objective, EdgeKind.MEASURES))
            if item.kr_kind is KRKind.STAFFING and item.hires in hiring:
                edges.append((item.id, item.hires, EdgeKind.DRIVES))
    return edges


def alignment(
    spec: Spec, owners: Sequence[Unit | RoleGroup], items: Sequence[Objective | KeyResult]
) -> EdgeList:
    """``aligns`` (a KR → the nearest KR of its metric up the tree; not from support units),
    ``drives`` (a KR → the next KR of its funnel on the same sheet) and ``supports`` (a support
    unit's KR → the KR of its metric in its parent, else of each role below the parent)."""
    by_owner: dict[str, dict[str, str]] = {}
    for item in items:
        if isinstance(item, KeyResult) and item.metric:
            by_owner.setdefault(item.owner, {}).setdefault(item.metric, item.id)
    records = {o.id: o for o in owners}
    parents = {o.id: _parent(o) for o in owners}
    edges: EdgeList = []
    for owner, krs in by_owner.items():
        record = records[owner]
        supports = record.supports if isinstance(record, Unit) else None
        for metric, kid in krs.items():
            up = parents.get(owner)
            while up is not None and supports is None:
                parent_kr = by_owner.get(up, {}).get(metric)
                if parent_kr is not None:
                    edges.append((kid, parent_kr, EdgeKind.ALIGNS))
                    break
                up = parents.get(up)
            for downstream in spec.chain(metric)[1:]:
                if downstream in krs:
                    edges.append((kid, krs[downstream], EdgeKind.DRIVES))
                    break
        if supports is not None and supports.metric in krs:
            edges += _supports(owner, krs[supports.metric], supports.metric, by_owner, records)
    return edges


def _parent(owner: Unit | RoleGroup) -> str | None:
    if isinstance(owner, RoleGroup):
        return "u:" + "/".join(owner.path)
    return "u:" + "/".join(owner.path[:-1]) if len(owner.path) > 1 else None


def _supports(
    owner: str,
    kid: str,
    metric: str,
    by_owner: dict[str, dict[str, str]],
    records: dict[str, Unit | RoleGroup],
) -> EdgeList:
    """A support unit's KR → the KR it feeds: its parent's, else each role's below it."""
    record = records[owner]
    scope = _parent(record)
    fed = by_owner.get(scope or "", {}).get(metric)
    if fed is not None:
        return [(kid, fed, EdgeKind.SUPPORTS)]
    scope_path = records[scope].path if scope else ()
    return [
        (kid, other_krs[metric], EdgeKind.SUPPORTS)
        for other, other_krs in sorted(by_owner.items())
        if other != owner
        and isinstance(records[other], RoleGroup)
        and records[other].path[: len(scope_path)] == scope_path
        and metric in other_krs
    ]
