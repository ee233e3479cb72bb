"""plan.json's structure checks: each edge's kind and ends, the one tree of ``contains``
edges with the paths along it, owners and objectives, ``aligns`` edges up the tree (used by
:mod:`okrplan.export.planjson` when reading a plan)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from okrplan.export.compact import SKIPPED as DERIVED_EDGES
from okrplan.export.compact import edge_place
from okrplan.graph import Edge, Kind
from okrplan.model import KeyResult, Node, Objective, RoleGroup, Unit

Problem = tuple[str, str]
"""Where in a plan.json (its key path), and what is wrong there."""


#: Which kinds of node each kind of edge joins (source kinds, target kinds).
EDGE_ENDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Edge.CONTAINS: ((Kind.UNIT,), (Kind.UNIT, Kind.ROLE)),
    Edge.OWNS: ((Kind.UNIT, Kind.ROLE), (Kind.OBJECTIVE, Kind.KR)),
    Edge.MEASURES: ((Kind.KR,), (Kind.OBJECTIVE,)),
    Edge.ALIGNS: ((Kind.KR,), (Kind.KR,)),
    Edge.DRIVES: ((Kind.KR,), (Kind.KR, Kind.ROLE)),
    Edge.SUPPORTS: ((Kind.KR,), (Kind.KR,)),
}


def edge_problems(
    edges: list[Any],
    kinds: dict[str, str],
    records: dict[str, Node],
    written: int = -1,
    places: Sequence[tuple[int, str, int]] = (),
) -> list[Problem]:
    """Each edge's kind and ends, and the structure the commands walk: the contains tree with
    the paths along it, objectives and KRs with their owners and objectives, aligns edges up
    the tree (of the nodes that are valid: ``records``). ``places``: where the edges written
    on nodes are (format 3, :func:`okrplan.export.compact.edge_place`); the rest are
    ``graph.edges[i]``."""
    problems: list[Problem] = []
    parent: dict[str, str] = {}
    owned: dict[str, list[str]] = {}
    measured: dict[str, list[str]] = {}
    aligns: list[tuple[str, str, str]] = []
    for i, edge in enumerate(edges):
        where = edge_place(places, i)
        problem = _edge_problem(edge, kinds, i < written)
        if problem is not None:
            problems.append((where + problem[0], problem[1]))
            continue
        kind, source, target = edge["kind"], edge["source"], edge["target"]
        if kind == Edge.CONTAINS:
            if target in parent:
                problems.append((where, f"{target!r} is contained by two units"))
            parent[target] = source
        elif kind == Edge.OWNS:
            owned.setdefault(target, []).append(source)
        elif kind == Edge.MEASURES:
            measured.setdefault(source, []).append(target)
        elif kind == Edge.ALIGNS:
            aligns.append((where, source, target))
    if problems:
        return problems
    order = _tree_order(kinds, records, parent, problems)
    if order is None:
        return problems
    problems += _owner_problems(records, kinds, owned, measured)
    for where, source, target in aligns:
        low, high = (order.get(_owner(records.get(node_id))) for node_id in (source, target))
        if source not in records or target not in records:
            continue  # a problem of the node
        if low is None or high is None or not (high[0] < low[0] and low[1] <= high[1]):
            problems.append(
                (where, "an aligns edge goes from a KR to a KR of a unit above its owner")
            )
    return problems


def _edge_problem(edge: Any, kinds: dict[str, str], written: bool) -> Problem | None:
    """What is wrong with one edge by itself (the key below the edge's path, and what), or
    None: its ends are nodes, its kind is known and joins nodes of their kinds, and it is no
    edge that plan.json leaves out since format 2 (``written``: the file has it)."""
    source = edge.get("source") if isinstance(edge, dict) else None
    target = edge.get("target") if isinstance(edge, dict) else None
    if not (isinstance(source, str) and isinstance(target, str)) or not (
        source in kinds and target in kinds
    ):
        return "", "expected an object with a kind and the ids of two nodes as source and target"
    kind = edge.get("kind")
    if not isinstance(kind, str) or kind not in EDGE_ENDS:
        return ".kind", f"expected one of {', '.join(sorted(EDGE_ENDS))}"
    if written and kind in DERIVED_EDGES:
        return (
            ".kind",
            f"a plan of format 2 or later has no {kind} edges (its nodes' owner and "
            "objective give them); remove the edge",
        )
    sources, targets = EDGE_ENDS[kind]
    if kinds[source] not in sources or kinds[target] not in targets:
        return "", f"a {kind} edge joins a {'/'.join(sources)} to a {'/'.join(targets)}"
    return None


def _owner(record: Node | None) -> str:
    return record.owner if isinstance(record, Objective | KeyResult) else ""


def _owner_problems(
    records: dict[str, Node],
    kinds: dict[str, str],
    owned: dict[str, list[str]],
    measured: dict[str, list[str]],
) -> list[Problem]:
    """Each objective and KR with one owns edge from its owner, a unit or role; each KR with
    one measures edge to an objective of the same owner; a KR's hires naming a role."""
    problems: list[Problem] = []
    for node_id, record in records.items():
        if not isinstance(record, Objective | KeyResult):
            continue
        owner = record.owner
        if kinds.get(owner) not in (Kind.UNIT, Kind.ROLE):
            problems.append((f"{node_id!r}.owner", "expected the id of a unit or role"))
        elif owned.get(node_id) != [owner]:
            problems.append((node_id, f"expected one owns edge, from its owner {owner!r}"))
        if not isinstance(record, KeyResult):
            continue
        objective = records.get(record.objective)
        if record.objective in kinds and objective is None:
            pass  # a problem of the objective
        elif not isinstance(objective, Objective) or objective.owner != owner:
            problems.append(
                (f"{node_id!r}.objective", "expected the id of an objective of the same owner")
            )
        elif measured.get(node_id) != [record.objective]:
            problems.append((node_id, f"expected one measures edge, to {record.objective!r}"))
        if record.hires is not None and kinds.get(record.hires) != Kind.ROLE:
            problems.append((f"{node_id!r}.hires", "expected the id of a role"))
    return problems


def _tree_order(
    kinds: dict[str, str],
    records: dict[str, Node],
    parent: dict[str, str],
    problems: list[Problem],
) -> dict[str, tuple[int, int]] | None:
    """Each unit's and role's (entry, exit) numbers in a walk of the contains tree from the
    one root unit (a node is above another if its numbers enclose the other's), having
    checked that the tree holds every unit and role and their paths follow it; None if not."""
    members = [n for n, kind in kinds.items() if kind in (Kind.UNIT, Kind.ROLE)]
    roots = [n for n in members if n not in parent]
    if len(roots) != 1 or kinds[roots[0]] != Kind.UNIT:
        problems.append(
            (
                "graph",
                "the graph has no root unit"
                if not roots
                else f"expected one unit that nothing contains, found {len(roots)}",
            )
        )
        return None
    below: dict[str, list[str]] = {}
    for child, up in parent.items():
        below.setdefault(up, []).append(child)
    order: dict[str, tuple[int, int]] = {}
    clock = 0
    stack: list[tuple[str, bool]] = [(roots[0], False)]
    while stack:
        node_id, done = stack.pop()
        if done:
            order[node_id] = (order[node_id][0], clock)
            continue
        order[node_id] = (clock, clock)
        clock += 1
        stack.append((node_id, True))
        stack.extend((child, False) for child in below.get(node_id, ()))
    missed = [n for n in members if n not in order]
    if missed:
        problems.append(
            (
                "graph",
                f"{len(missed)} units or roles are not in the tree of "
                f"contains edges from {roots[0]!r}, e.g. {missed[0]!r}",
            )
        )
        return None
    problems += _path_problems(members, records, parent)
    return None if problems else order


def _path_problems(
    members: list[str], records: dict[str, Node], parent: dict[str, str]
) -> list[Problem]:
    """Each unit's and role's ``path`` against the tree: the names of the units above it (and
    its own, for a unit)."""
    problems: list[Problem] = []
    for node_id in members:
        record = records.get(node_id)
        above = records.get(parent[node_id]) if node_id in parent else None
        if not isinstance(record, Unit | RoleGroup) or (node_id in parent and above is None):
            continue  # a problem of the node or the one above
        path = above.path if isinstance(above, Unit | RoleGroup) else ()
        expected = path if isinstance(record, RoleGroup) else (*path, record.name)
        if record.path != expected:
            problems.append(
                (
                    f"{node_id!r}.path",
                    "expected the names of the units above it (and its own, for a unit)",
                )
            )
    return problems
