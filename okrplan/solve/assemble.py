"""The goal graph, assembled from the plan's records at the end of solving.

Nodes are the records in tree order (units, role groups and roles, then each owner's objectives
each followed by its KRs); edges are ``contains`` (org tree), ``owns`` and ``measures`` (sheets),
``drives`` from a staffing KR to the hiring group it staffs, then :func:`alignment` edges. Both
are added in bulk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx

from okrplan.graph import built
from okrplan.model import EdgeKind, KeyResult, KRKind, Objective, RoleGroup, Unit
from okrplan.spec import Spec

EdgeList = list[tuple[str, str, EdgeKind]]
Kinded = list[tuple[str, str, str]]


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
    # each edge's kind as the plain string networkx's edge dicts hold (at 100,000 people
    # there are ~390,000 edges: one lookup of the string per kind, not per edge)
    kinds = {kind: str(kind) for kind in EdgeKind}
    edges = _tree_edges(owners, kinds)
    edges += _sheet_edges(owners, items, kinds)
    edges += alignment(spec, owners, items, kinds)
    return built([*owners, *items], edges)


def _tree_edges(owners: Sequence[Unit | RoleGroup], kinds: dict[EdgeKind, str]) -> Kinded:
    contains = kinds[EdgeKind.CONTAINS]
    edges: Kinded = [
        ("u:" + "/".join(o.path[:-1]), o.id, contains)
        for o in owners
        if isinstance(o, Unit) and len(o.path) > 1
    ]
    edges += [("u:" + "/".join(o.path), o.id, contains) for o in owners if isinstance(o, RoleGroup)]
    return edges


def _sheet_edges(
    owners: Sequence[Unit | RoleGroup],
    items: Sequence[Objective | KeyResult],
    kinds: dict[EdgeKind, str],
) -> Kinded:
    hiring = {o.id for o in owners if isinstance(o, RoleGroup) and o.selling is not None}
    owns, measures, drives = kinds[EdgeKind.OWNS], kinds[EdgeKind.MEASURES], kinds[EdgeKind.DRIVES]
    edges: Kinded = []
    append = edges.append
    for item in items:
        append((item.owner, item.id, owns))
        if type(item) is KeyResult:
            append((item.id, item.objective, measures))
            if item.kr_kind is KRKind.STAFFING and item.hires in hiring:
                append((item.id, item.hires, drives))
    return edges


def alignment(
    spec: Spec,
    owners: Sequence[Unit | RoleGroup],
    items: Sequence[Objective | KeyResult],
    label: Mapping[EdgeKind, Any],
) -> list[tuple[str, str, Any]]:
    """``aligns`` (a KR → the nearest KR of its metric up the tree; not from support units),
    ``drives`` (a KR → the next KR of its funnel on the same sheet) and ``supports`` (a support
    unit's KR → the KR of its metric in its parent, else of each role below the parent), each
    edge's third item ``label[kind]``."""
    by_owner: dict[str, dict[str, str]] = {}
    for item in items:
        if type(item) is KeyResult and item.metric:
            krs_of = by_owner.get(item.owner)
            if krs_of is None:
                krs_of = by_owner[item.owner] = {}
            if item.metric not in krs_of:
                krs_of[item.metric] = item.id
    records = {o.id: o for o in owners}
    parents = {o.id: _parent(o) for o in owners}
    downstream = {m: spec.chain(m)[1:] for m in spec.target.metrics}
    aligns, drives = label[EdgeKind.ALIGNS], label[EdgeKind.DRIVES]
    edges: list[tuple[str, str, Any]] = []
    append = edges.append
    empty: dict[str, str] = {}
    for owner, krs in by_owner.items():
        record = records[owner]
        supports = record.supports if isinstance(record, Unit) else None
        for metric, kid in krs.items():
            up = parents.get(owner)
            while up is not None and supports is None:
                parent_kr = by_owner.get(up, empty).get(metric)
                if parent_kr is not None:
                    append((kid, parent_kr, aligns))
                    break
                up = parents.get(up)
            for after in downstream[metric]:
                if after in krs:
                    append((kid, krs[after], drives))
                    break
        if supports is not None and supports.metric in krs:
            edges += [
                (s, t, label[kind])
                for s, t, kind in _supports(
                    owner, krs[supports.metric], supports.metric, by_owner, records
                )
            ]
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
