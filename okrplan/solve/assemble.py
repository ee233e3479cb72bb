"""The goal graph, assembled from the plan's records at the end of solving.

Nodes are the records in tree order (units, role groups and roles, then each owner's objectives
each followed by its KRs); edges are ``contains`` (org tree), ``owns`` and ``measures`` (sheets),
``drives`` from a staffing KR to the hiring group it staffs, then :func:`alignment` edges. Both
are added in bulk.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

import networkx as nx

from okrplan.graph import adjacency_graph, built, edge_data
from okrplan.model import EdgeKind, KeyResult, KRKind, Objective, RoleGroup, Unit
from okrplan.queries import is_empty_hire_pool, remember_built
from okrplan.solve.records import Sheets, owner_sheets
from okrplan.spec import Spec

Kinded = list[tuple[str, str, str]]
K = TypeVar("K")  # what names a KR in krs_by_metric: its id, or its id with its dicts


def assemble(
    spec: Spec,
    owners: Sequence[Unit | RoleGroup],
    items: Sequence[Objective | KeyResult],
    sheets: Sheets | None = None,
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
    sheets
        :func:`~okrplan.solve.records.owner_sheets` of ``items``, if made already.

    Returns
    -------
    networkx.DiGraph
        Every node carries its record under ``"node"``; every edge its ``kind``.
    """
    # each edge's data is one read-only mapping per kind (graph.edge_data), and the graph's
    # dicts are filled in the edges' order from what the records say (see _filled)
    data = edge_data()
    parents = _parents(owners)  # the tree's edges, alignment and the children read them
    try:
        made = _filled(spec, owners, items, data, parents)
    except KeyError:  # an edge names a node not among the records, or a KR its later objective
        made = None
    graph = None if made is None else adjacency_graph(*made)
    if graph is not None:
        _remember(graph, owners, items, sheets, parents)
        return graph
    return built([*owners, *items], edges(spec, owners, items))


def edges(
    spec: Spec, owners: Sequence[Unit | RoleGroup], items: Sequence[Objective | KeyResult]
) -> Kinded:
    """Every edge of the goal graph (source, target, kind) in the order they are added: the
    org tree's, the sheets' and :func:`alignment`'s."""
    kinds = {kind: str(kind) for kind in EdgeKind}
    parents = _parents(owners)
    found = _tree_edges(owners, kinds, parents)
    found += _sheet_edges(owners, items, kinds)
    found += alignment(spec, owners, krs_by_metric(items), kinds, parents)
    return found


def _tree_edges(
    owners: Sequence[Unit | RoleGroup],
    kinds: Mapping[EdgeKind, Any],
    parents: Sequence[str | None],
) -> list[tuple[str, str, Any]]:
    """``contains``: each unit from its parent unit, then each role group from its unit
    (``parents`` is :func:`_parents` of the owners)."""
    contains = kinds[EdgeKind.CONTAINS]
    edges: list[tuple[str, str, Any]] = [
        (up, o.id, contains)
        for o, up in zip(owners, parents, strict=True)
        if up is not None and isinstance(o, Unit)
    ]
    edges += [
        (up, o.id, contains)
        for o, up in zip(owners, parents, strict=True)
        if up is not None and isinstance(o, RoleGroup)
    ]
    return edges


def _parents(owners: Sequence[Unit | RoleGroup]) -> list[str | None]:
    """Each owner's parent unit's id (a role group's unit, a unit's parent unit; None for
    the company), one string made per unit path (a unit's id is ``u:`` and its path), not
    one per owner: 30,000 owners below 9,000 units in a roster of 100,000 people."""
    ids: dict[tuple[str, ...], str] = {}
    out: list[str | None] = []
    append = out.append
    for owner in owners:
        if isinstance(owner, RoleGroup):
            path = owner.path
        elif len(owner.path) > 1:
            path = owner.path[:-1]
        else:
            append(None)
            continue
        found = ids.get(path)
        if found is None:
            found = ids[path] = "u:" + "/".join(path)
        append(found)
    return out


def _sheet_edges(
    owners: Sequence[Unit | RoleGroup],
    items: Sequence[Objective | KeyResult],
    kinds: dict[EdgeKind, str],
) -> Kinded:
    """``owns``, ``measures`` and a staffing KR's ``drives`` (to the group it hires for), in
    the items' order (what :func:`_filled` adds in place)."""
    hiring = _hiring(owners)
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


def _remember(
    graph: nx.DiGraph,
    owners: Sequence[Unit | RoleGroup],
    items: Sequence[Objective | KeyResult],
    sheets: Sheets | None,
    parents: Sequence[str | None],
) -> None:
    """Each owner's sheet and children handed to :mod:`okrplan.queries` as the edges just
    added say them (:func:`okrplan.queries.remember_built`), unless an item is of another
    type or names an owner or objective that is not one (the queries then read the edges)."""
    if not set(map(type, items)) <= {Objective, KeyResult}:
        return
    try:
        sheets = owner_sheets(items) if sheets is None else sheets
        kids = _children(owners, parents)
    except KeyError:
        return
    remember_built(graph, {o.id: sheets.get(o.id, []) for o in owners}, kids)


def _children(
    owners: Sequence[Unit | RoleGroup], parents: Sequence[str | None]
) -> dict[str, list[str]]:
    """Each owner's children as :func:`okrplan.queries.org_children` reads them from the
    ``contains`` edges of :func:`_tree_edges`: its role groups (but hire pools that hired
    nobody), then its sub-units, each in the owners' order."""
    kids: dict[str, list[str]] = {o.id: [] for o in owners}
    pairs = list(zip(owners, parents, strict=True))
    for owner, up in pairs:  # the role groups first: one list per owner, not two joined
        if up is not None and isinstance(owner, RoleGroup) and not is_empty_hire_pool(owner):
            kids[up].append(owner.id)
    for owner, up in pairs:
        if up is not None and isinstance(owner, Unit):
            kids[up].append(owner.id)
    return kids


def children_of(owners: Sequence[Unit | RoleGroup]) -> dict[str, list[str]]:
    """Each owner's children in display order, as :func:`okrplan.queries.org_children` will
    read them from the assembled graph (for what reads the organisation before it is)."""
    return _children(owners, _parents(owners))


def _hiring(owners: Sequence[Unit | RoleGroup]) -> set[str]:
    return {o.id for o in owners if isinstance(o, RoleGroup) and o.selling is not None}


Adjacency = dict[str, dict[str, Mapping[str, str]]]


def _filled(
    spec: Spec,
    owners: Sequence[Unit | RoleGroup],
    items: Sequence[Objective | KeyResult],
    data: Mapping[EdgeKind, Mapping[str, str]],
    parents: Sequence[str | None],
) -> tuple[dict[str, dict[str, Any]], Adjacency, Adjacency] | None:
    """networkx's node, successor and predecessor dicts of the graph that adding the records
    and then the edges of :func:`_tree_edges`, :func:`_sheet_edges` and :func:`alignment` in
    bulk makes: each dict gets its keys in the same order. The sheets' edges (two thirds of
    them) are put straight into the dicts of the item at hand, its owner's and its
    objective's (the items come sheet by sheet, each objective before its KRs), not looked up
    per edge; :func:`krs_by_metric` is found on the way (one pass over the items, not two),
    each KR in it with its own successor and predecessor dicts, so that :func:`alignment`'s
    240,000 edges (roster of 100,000 people) go straight into them too.

    None where two records share an id (the bulk adds then decide); a KeyError where an edge
    names a node not (yet) among the records."""
    nodes: dict[str, dict[str, Any]] = {}
    succ: Adjacency = {}
    pred: Adjacency = {}
    for owner in owners:
        nodes[owner.id] = {"node": owner}
        succ[owner.id] = {}
        pred[owner.id] = {}
    for source, target, mapping in _tree_edges(owners, data, parents):
        succ[source][target] = mapping
        pred[target][source] = mapping
    by_owner = _sheets_filled(nodes, succ, pred, items, _hiring(owners), data)
    _aligned_into(spec, owners, by_owner, data, parents)
    if len(nodes) != len(owners) + len(items):
        return None
    return nodes, succ, pred


Linked = tuple[str, dict[str, Mapping[str, str]], dict[str, Mapping[str, str]]]
"""A KR's id with its successor and predecessor dicts (see :func:`_filled`)."""


def _sheets_filled(
    nodes: dict[str, dict[str, Any]],
    succ: Adjacency,
    pred: Adjacency,
    items: Sequence[Objective | KeyResult],
    hiring: set[str],
    data: Mapping[EdgeKind, Mapping[str, str]],
) -> dict[str, dict[str, Linked]]:
    """The items' nodes and :func:`_sheet_edges` put into the dicts (see :func:`_filled`);
    returns :func:`krs_by_metric` of the items, each KR with its dicts."""
    owns, measures, drives = data[EdgeKind.OWNS], data[EdgeKind.MEASURES], data[EdgeKind.DRIVES]
    staffing = KRKind.STAFFING
    by_owner: dict[str, dict[str, Linked]] = {}
    owner_id: str | None = None
    owned: dict[str, Mapping[str, str]] = {}  # the item at hand's owner's succ
    metrics: dict[str, Linked] | None = None  # its by_owner entry (None: not looked up yet)
    objective_id: str | None = None
    measured: dict[str, Mapping[str, str]] = {}  # its objective's pred
    for item in items:
        iid, owner_id_now = item.id, item.owner
        if owner_id_now != owner_id:
            owner_id, owned, metrics = owner_id_now, succ[owner_id_now], None
        owned[iid] = owns
        nodes[iid] = {"node": item}
        if type(item) is KeyResult:
            into = pred[iid] = {owner_id: owns}
            objective = item.objective
            if objective != objective_id:
                objective_id, measured = objective, pred[objective]
            measured[iid] = measures
            if item.kr_kind is staffing and item.hires in hiring:
                out = succ[iid] = {objective: measures, item.hires: drives}
                pred[item.hires][iid] = drives
            else:
                out = succ[iid] = {objective: measures}
            metric = item.metric
            if metric:
                if metrics is None:
                    metrics = by_owner.get(owner_id)
                    if metrics is None:
                        metrics = by_owner[owner_id] = {}
                if metric not in metrics:
                    metrics[metric] = (iid, out, into)
        else:
            pred[iid] = {owner_id: owns}
            succ[iid] = {}
    return by_owner


def krs_by_metric(items: Sequence[Objective | KeyResult]) -> dict[str, dict[str, str]]:
    """Per owner (in the order of their first KR of a metric): each metric's first KR."""
    by_owner: dict[str, dict[str, str]] = {}
    for item in items:
        if type(item) is KeyResult and item.metric:
            krs_of = by_owner.get(item.owner)
            if krs_of is None:
                krs_of = by_owner[item.owner] = {}
            if item.metric not in krs_of:
                krs_of[item.metric] = item.id
    return by_owner


def alignment(
    spec: Spec,
    owners: Sequence[Unit | RoleGroup],
    by_owner: dict[str, dict[str, K]],
    label: Mapping[EdgeKind, Any],
    parents_of: Sequence[str | None],
) -> list[tuple[K, K, Any]]:
    """``aligns`` (a KR → the nearest KR of its metric up the tree; not from support units),
    ``drives`` (a KR → the next KR of its funnel on the same sheet) and ``supports`` (a support
    unit's KR → the KR of its metric in its parent, else of each role below the parent), each
    edge's third item ``label[kind]``; ``by_owner`` is :func:`krs_by_metric`'s (each KR as
    it names it there: its id, or its id with its dicts), ``parents_of`` :func:`_parents` of
    the owners."""
    aligns, drives = label[EdgeKind.ALIGNS], label[EdgeKind.DRIVES]
    edges: list[tuple[K, K, Any]] = []
    append = edges.append
    for krs, inherited, following, supported in _aligning(spec, owners, by_owner, parents_of):
        for (metric, kid), after in zip(krs.items(), following, strict=True):
            parent_kr = inherited.get(metric)
            if parent_kr is not None:
                append((kid, parent_kr, aligns))
            if after is not None:
                append((kid, krs[after], drives))
        edges += [(s, t, label[kind]) for s, t, kind in supported]
    return edges


def _aligned_into(
    spec: Spec,
    owners: Sequence[Unit | RoleGroup],
    by_owner: dict[str, dict[str, Linked]],
    data: Mapping[EdgeKind, Mapping[str, str]],
    parents_of: Sequence[str | None],
) -> None:
    """:func:`alignment`'s edges put straight into the KRs' successor and predecessor dicts
    (``by_owner`` as :func:`_sheets_filled` returns it), not gathered in a list of 240,000
    edges (roster of 100,000 people) to be read again: each dict gets its edges in the order
    :func:`alignment` lists them (``tests/test_assemble.py`` compares the graphs)."""
    aligns, drives = data[EdgeKind.ALIGNS], data[EdgeKind.DRIVES]
    for krs, inherited, following, supported in _aligning(spec, owners, by_owner, parents_of):
        for (metric, (kid, out, _)), after in zip(krs.items(), following, strict=True):
            parent_kr = inherited.get(metric)
            if parent_kr is not None:
                out[parent_kr[0]] = aligns
                parent_kr[2][kid] = aligns
            if after is not None:
                target = krs[after]
                out[target[0]] = drives
                target[2][kid] = drives
        for (kid, out, _), (target_id, _, target_pred), kind in supported:
            out[target_id] = target_pred[kid] = data[kind]


Aligning = tuple[dict[str, K], dict[str, K], list[str | None], list[tuple[K, K, EdgeKind]]]


def _aligning(
    spec: Spec,
    owners: Sequence[Unit | RoleGroup],
    by_owner: dict[str, dict[str, K]],
    parents_of: Sequence[str | None],
) -> Iterator[Aligning[K]]:
    """Per owner of ``by_owner`` (in its order), what :func:`alignment` reads: its KRs by
    metric, the KRs by metric its KRs align to, each metric's next metric down its funnel on
    the sheet (None: none), and its ``supports`` edges."""
    records = {o.id: o for o in owners}
    parents = dict(zip([o.id for o in owners], parents_of, strict=True))
    above = _Above(parents, by_owner)
    downstream = {m: spec.chain(m)[1:] for m in spec.target.metrics}
    empty: dict[str, K] = {}
    none: list[tuple[K, K, EdgeKind]] = []
    nexts: dict[tuple[str, ...], list[str | None]] = {}  # by a sheet's metrics, in order
    for owner, krs in by_owner.items():
        record = records[owner]
        supports = record.supports if isinstance(record, Unit) else None
        up = parents.get(owner)
        inherited = above.of(up) if up is not None and supports is None else empty
        metrics = tuple(krs)
        following = nexts.get(metrics)
        if following is None:
            following = nexts[metrics] = _following(metrics, downstream)
        supported = none
        if supports is not None and supports.metric in krs:
            supported = _supports(
                owner, krs[supports.metric], supports.metric, by_owner, records, up
            )
        yield krs, inherited, following, supported


def _following(metrics: Sequence[str], downstream: Mapping[str, Sequence[str]]) -> list[str | None]:
    """Each metric's next metric down its funnel among ``metrics`` (None: none of them)."""
    present = set(metrics)
    return [next((m for m in downstream[metric] if m in present), None) for metric in metrics]


class _Above(Generic[K]):
    """Per owner: each metric's KR on its own sheet, else on its nearest owner up the tree that
    has one (what walking up from the owner finds first), made once per unit."""

    def __init__(
        self, parents: Mapping[str, str | None], by_owner: dict[str, dict[str, K]]
    ) -> None:
        self.parents, self.by_owner = parents, by_owner
        self.found: dict[str, dict[str, K]] = {}

    def of(self, owner: str) -> dict[str, K]:
        found = self.found.get(owner)
        if found is not None:
            return found
        chain = [owner]  # the owners up to the first known one (or the root), bottom first
        up = self.parents.get(owner)
        while up is not None and up not in self.found:
            chain.append(up)
            up = self.parents.get(up)
        known: dict[str, K] = self.found[up] if up is not None else {}
        for node in reversed(chain):
            own = self.by_owner.get(node)
            known = {**known, **own} if own else known  # the nearer KR wins
            self.found[node] = known
        return known


def _supports(
    owner: str,
    kid: K,
    metric: str,
    by_owner: dict[str, dict[str, K]],
    records: dict[str, Unit | RoleGroup],
    scope: str | None,
) -> list[tuple[K, K, EdgeKind]]:
    """A support unit's KR → the KR it feeds: its parent's (``scope``), else each role's
    below it."""
    fed = by_owner.get(scope or "", {}).get(metric)
    if fed is not None:
        return [(kid, fed, EdgeKind.SUPPORTS)]
    scope_path = records[scope].path if scope else ()
    return [
        (kid, other_krs[metric], EdgeKind.SUPPORTS)
        for other, other_krs in sorted(by_owner.items())  # by owner id: unique, so the KRs'
        # entries (ids, or ids with their dicts) are never compared
        if other != owner
        and isinstance(records[other], RoleGroup)
        and records[other].path[: len(scope_path)] == scope_path
        and metric in other_krs
    ]
