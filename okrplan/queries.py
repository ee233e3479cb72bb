"""Questions every output asks of the goal graph, answered in one place.

The graph's nodes carry typed records (:mod:`okrplan.model`); these functions return records or
node ids in the order a planner reads them. Renderers and exporters use them instead of walking
the graph themselves.
"""

from __future__ import annotations

import difflib
import weakref
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Any, TypeVar, cast

from okrplan.graph import PlanGraph, node, root_of
from okrplan.lazy_networkx import nx
from okrplan.model import (
    EdgeKind,
    KeyResult,
    Node,
    NodeKind,
    Objective,
    RoleGroup,
    Unit,
    node_to_json,
)

R = TypeVar("R", Unit, RoleGroup, Objective, KeyResult)


def _typed(graph: nx.DiGraph, node_id: str, kind: type[R]) -> R:
    """The record of ``node_id`` if it is a ``kind`` (a :class:`TypeError` if not)."""
    record = node(graph, node_id)
    if not isinstance(record, kind):
        raise TypeError(f"{node_id} is a {record.kind}, not a {kind.__name__}")
    return record


def unit(graph: nx.DiGraph, node_id: str) -> Unit:
    """The unit record of ``node_id``."""
    return _typed(graph, node_id, Unit)


def role(graph: nx.DiGraph, node_id: str) -> RoleGroup:
    """The role group record of ``node_id``."""
    return _typed(graph, node_id, RoleGroup)


def objective(graph: nx.DiGraph, node_id: str) -> Objective:
    """The objective record of ``node_id``."""
    return _typed(graph, node_id, Objective)


def key_result(graph: nx.DiGraph, node_id: str) -> KeyResult:
    """The key result record of ``node_id``."""
    return _typed(graph, node_id, KeyResult)


def records(graph: nx.DiGraph) -> Iterator[Node]:
    """Every node's record, in insertion order."""
    for _, record in graph.nodes(data="node"):
        yield record


def records_of(graph: nx.DiGraph, kind: type[R]) -> list[R]:
    """The records of one kind (exactly that class), in insertion order.

    All kinds are sorted out in one pass, made once per graph as it is now (see
    :func:`sheet`): the report and its forecast read the units, role groups or key results
    of 167,000 records at 100,000 people five times. The list is the caller's. As with
    :func:`sheet`, a record replaced in place (``graph.nodes[n]["node"] = ...``) is not seen
    until the graph's version changes: replace records on a copy, as replan does."""
    known = _known(graph, "records_of")
    if known is None:
        return [r for r in records(graph) if type(r) is kind]
    if not known:
        # networkx's node dicts read as okrplan.graph.node reads them (its node view would
        # add a generator step per record)
        for data in graph._node.values():
            record = data["node"]
            found = known.get(type(record))
            if found is None:
                found = known[type(record)] = []
            found.append(record)
    return list(known.get(kind, ()))


_PERIODS = attrgetter("periods")


def period_labels(graph: nx.DiGraph) -> frozenset[str]:
    """Every period label some key result of ``graph`` has a target for (kept as
    :func:`records_of` keeps its answers: the report and the workbook both ask, and at
    100,000 people 115,000 key results hold 3 million labels, 0.2 CPU s each time)."""
    known = _known(graph, "period_labels")
    if known and "all" in known:
        found: frozenset[str] = known["all"]
        return found
    # the labels of every key result's periods gathered in C (no list of them per record)
    found = frozenset(map(str, set().union(*map(_PERIODS, records_of(graph, KeyResult)))))
    if known is not None:
        known["all"] = found
    return found


def is_empty_hire_pool(record: Node) -> bool:
    """A cohort of hires the plan did not need (headcount 0): outputs leave it out."""
    return isinstance(record, RoleGroup) and record.new_hires and not record.headcount


# Answers already given about one graph as of its version (see okrplan.graph.PlanGraph): the
# tree, plan.md, the report and the workbook each walk the whole organisation and read every
# owner's sheet (20,000 owners at 100,000 people; each walk cost 0.1 and the sheets 0.3 CPU s
# every time). One graph at a time (the one being written), held weakly: a graph dropped
# takes its answers with it.
_KNOWN: list[Any] = [None, -1, {}]  # weak reference to the graph, its version, the answers


def _known(graph: nx.DiGraph, question: str) -> dict[Any, Any] | None:
    """The answers to ``question`` given on ``graph`` as it is now (None for a graph that does
    not count its changes: each question is then answered afresh)."""
    held, version, answers = _KNOWN
    if held is None or held() is not graph or version != getattr(graph, "version", None):
        if not isinstance(graph, PlanGraph):
            return None
        answers = {}
        _KNOWN[:] = [weakref.ref(graph), graph.version, answers]
    found: dict[Any, Any] | None = answers.get(question)
    if found is None:
        found = answers[question] = {}
    return found


def org_children(graph: nx.DiGraph, node_id: str) -> list[str]:
    """A unit's role groups, then its sub-units, in the target file's order; hire pools that
    hired nobody are left out. This is the display order of every output.

    Made once per node while the graph's nodes and edges stay the same (see :func:`sheet`)."""
    known = _known(graph, "org_children")
    if known is not None and (found := known.get(node_id)) is not None:
        return list(found)
    made = _org_children(graph, node_id)
    if known is not None:
        known[node_id] = made
        return list(made)
    return made


def _org_children(graph: nx.DiGraph, node_id: str) -> list[str]:
    # one pass over the node's edges, each child's record read once (tree_order asks for
    # every unit and role group: 29,000 of them on a roster of 100,000 people)
    records = graph._node
    roles: list[str] = []
    units: list[str] = []
    for kid in contained(graph, node_id):
        record = records[kid]["node"]
        if isinstance(record, RoleGroup):
            if not is_empty_hire_pool(record):
                roles.append(kid)
        elif isinstance(record, Unit):
            units.append(kid)
    return roles + units


def tree_order(graph: nx.DiGraph, start: str | None = None) -> list[str]:
    """Units and role groups depth first from ``start`` (the company), in display order."""
    known = _known(graph, "tree_order")
    if known is not None and (found := known.get(start)) is not None:
        return list(found)
    # each node's children kept as org_children keeps them, without its copy per node
    kids = _known(graph, "org_children")
    out: list[str] = []
    stack = [start if start is not None else root_of(graph)]
    while stack:
        current = stack.pop()
        out.append(current)
        made = kids.get(current) if kids is not None else None
        if made is None:
            made = _org_children(graph, current)
            if kids is not None:
                kids[current] = made
        stack.extend(reversed(made))
    if known is not None:
        known[start] = out
        return list(out)
    return out


Sheet = list[tuple[Objective, list[KeyResult]]]


def sheet(graph: nx.DiGraph, owner: str) -> Sheet:
    """An owner's OKR sheet: its objectives in order, each with its key results in order.

    The answer is made once per owner while the graph's nodes and edges stay the same (a
    :class:`~okrplan.graph.PlanGraph` counts their changes): a record replaced in place
    (``graph.nodes[n]["node"] = ...``) after its sheet was asked for is not seen, and the
    graph :func:`~okrplan.solve.assemble.assemble` makes has every sheet given already
    (:func:`remember_built`): replace records only in a copy of it (as ``replan`` does). The
    outer list is the caller's; the key result lists are shared (do not change them)."""
    known = _known(graph, "sheet")
    if known is None:
        return _sheet(graph, owner)
    return list(_kept_sheet(graph, known, owner))


def records_at(graph: nx.DiGraph, node_ids: Iterable[str]) -> list[Node]:
    """The record of each of ``node_ids`` (:func:`okrplan.graph.node`), read in one pass
    (the sheets' index of 100,000 people reads its 20,000 owners' records first: read one
    by one amid its other work, they took a third of its listing's time)."""
    return [data["node"] for data in map(graph._node.__getitem__, node_ids)]


def sheets(graph: nx.DiGraph, owners: Iterable[str]) -> list[Sheet]:
    """:func:`sheet` of each of ``owners``, asked for at once (the sheets' index of 100,000
    people reads 20,000). The lists are the kept ones, not copies: do not change them."""
    known = _known(graph, "sheet")
    if known is None:
        return [_sheet(graph, owner) for owner in owners]
    return [_kept_sheet(graph, known, owner) for owner in owners]


def _kept_sheet(graph: nx.DiGraph, known: dict[Any, Any], owner: str) -> Sheet:
    """``owner``'s sheet as ``known`` keeps it, made and kept if it is not there yet."""
    found: Sheet | None = known.get(owner)
    if found is None:
        found = known[owner] = _sheet(graph, owner)
    return found


# The sheets and the children are read here from networkx's adjacency dicts behind its public
# views (as okrplan.graph.node reads its node dicts), one owner's edges at a time: the graph's
# own indexes (okrplan.graph.children, objectives_of, krs_of) scan all 388,000 edges of
# 100,000 people three times to answer the first question, and every answer is kept here
# anyway. The order and the edges chosen are theirs: insertion order, by edge kind.
_CONTAINS, _OWNS, _MEASURES = str(EdgeKind.CONTAINS), str(EdgeKind.OWNS), str(EdgeKind.MEASURES)
_NONE: dict[str, Any] = {}


def contained(graph: nx.DiGraph, node_id: str) -> list[str]:
    """What a unit contains (its role groups and sub-units, hire pools that hired nobody
    included), in insertion order: :func:`okrplan.graph.children` of ``contains`` edges."""
    # a node not in the graph has no children (as the graph's index answered)
    return [t for t, data in graph._succ.get(node_id, _NONE).items() if data["kind"] == _CONTAINS]


def remember_sheets(graph: nx.DiGraph) -> None:
    """Every unit's and role group's sheet and children made now, kept as :func:`sheet` and
    :func:`org_children` keep them (for a graph that counts its changes; else nothing)."""
    known = _known(graph, "sheet")
    if known is None:
        return
    for owner in tree_order(graph):
        if owner not in known:
            known[owner] = _sheet(graph, owner)


def remember_built(
    graph: nx.DiGraph, sheets: dict[str, Sheet], children: dict[str, list[str]]
) -> None:
    """Every owner's sheet and children as the graph's maker knew them while adding its edges
    (:func:`okrplan.solve.assemble.assemble`), kept as :func:`sheet` and :func:`org_children`
    keep their answers: the same lists they would read from the edges, without reading
    177,000 nodes' edges again (``tests/test_assemble.py`` compares the two)."""
    known = _known(graph, "sheet")
    kids = _known(graph, "org_children")
    if known is not None and kids is not None:
        known.update(sheets)
        kids.update(children)


def _sheet(graph: nx.DiGraph, owner: str) -> Sheet:
    records, pred = graph._node, graph._pred
    out = []
    for o, data in graph._succ.get(owner, _NONE).items():
        if data["kind"] != _OWNS:
            continue
        record = records[o]["node"]
        if record.kind != NodeKind.OBJECTIVE:
            continue
        found = [records[k]["node"] for k, edge in pred[o].items() if edge["kind"] == _MEASURES]
        # the types checked once per list, in C (plan.md and the tree ask for 20,000 sheets
        # at 100,000 people); anything else (a subclass too) goes the checked way
        if set(map(type, found)) == _KR_ONLY:
            krs = cast(list[KeyResult], found)
        else:  # raises, naming the node
            krs = [key_result(graph, k) for k, e in pred[o].items() if e["kind"] == _MEASURES]
        out.append((record if type(record) is Objective else objective(graph, o), krs))
    return out


_KR_ONLY = {KeyResult}


def find_unit(graph: nx.DiGraph, name: str) -> str:
    """The id of the unit ``name`` names: its node id, its name, or its path (``A公司/销售部``)
    or the end of its path (``北京销售团队/直销组``). Every ``--unit`` option uses this rule.

    Raises
    ------
    LookupError
        With a message naming the candidates, if no unit or more than one matches.
    """
    units = [r for r in records(graph) if isinstance(r, Unit)]
    wanted = [part.strip() for part in name.strip().strip("/").split("/")]
    found = [u for u in units if name == u.id or list(u.path[-len(wanted) :]) == wanted]
    if len(found) == 1:
        return found[0].id
    if found:
        paths = ", ".join("/".join(u.path) for u in found[:10])
        raise LookupError(
            f"more than one unit is called {name!r}: {paths}"
            f"{', …' if len(found) > 10 else ''}; pass more of its path"
        )
    names = sorted({u.name for u in units})
    close = difflib.get_close_matches(wanted[-1], names, n=3)
    hint = (
        f"did you mean {', '.join(map(repr, close))}?"
        if close
        else f"units: {', '.join(names[:12])}{', …' if len(names) > 12 else ''}"
    )
    raise LookupError(f"no unit named {name!r} in this plan; {hint}")


def aligned_children(graph: nx.DiGraph, kr_id: str) -> list[str]:
    """The KRs that align to ``kr_id`` (its children's share of it), in insertion order."""
    return [s for s, d in graph.pred[kr_id].items() if d["kind"] == EdgeKind.ALIGNS]


def aligned_parent(graph: nx.DiGraph, kr_id: str) -> str | None:
    """The KR that ``kr_id`` aligns to, if any."""
    for t, d in graph.succ[kr_id].items():
        if d["kind"] == EdgeKind.ALIGNS:
            return str(t)
    return None


# -- render helper --


def funnel_chain(graph: nx.DiGraph, kr_id: str) -> list[KeyResult]:
    """The key results that drive ``kr_id`` along ``drives`` edges, the earliest activity
    first, ending with ``kr_id`` itself (a role's 有效电话 → 拜访 → 商机 → 销售额)."""
    chain = [key_result(graph, kr_id)]
    seen = {kr_id}
    while True:
        source = next(
            (
                s
                for s, d in graph.pred[chain[0].id].items()
                if d["kind"] == EdgeKind.DRIVES
                and s not in seen
                and isinstance(node(graph, s), KeyResult)
            ),
            None,
        )
        if source is None:
            return chain
        seen.add(source)
        chain.insert(0, key_result(graph, source))


def below(graph: nx.DiGraph, owner: str) -> Iterator[str]:
    """Everything a unit contains, at any depth (hire pools that hired nobody included)."""
    # depth first, parents before children, without nested generators (each level of
    # ``yield from`` would pass every node up once more: a report asks for 100,000 people)
    stack = [iter(contained(graph, owner))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        else:
            yield child
            stack.append(iter(contained(graph, child)))


def people_below(graph: nx.DiGraph, owner: str) -> int:
    """The headcount of every role group under ``owner``."""
    return sum(
        r.headcount for n in below(graph, owner) if isinstance(r := node(graph, n), RoleGroup)
    )


# -- sheets helper --


def unit_option(graph: nx.DiGraph, name: str, option: str = "--unit") -> str:
    """:func:`find_unit` for a command's ``option``: the unit's id, or an
    :class:`~okrplan.errors.OptionError` (exit 2) that names the option and the candidates.

    Raises
    ------
    OptionError
        If no unit or more than one matches ``name``.
    """
    from okrplan.errors import Issue, OptionError

    try:
        return find_unit(graph, name)
    except LookupError as exc:
        message, _, hint = str(exc).partition("; ")
        raise OptionError([Issue(message, path=option, hint=hint)]) from None


def as_json(graph: nx.DiGraph, node_id: str) -> dict[str, Any]:
    """A node as plan.json writes it (a plain dict): for notebooks, tests and ad-hoc tables."""
    return node_to_json(node(graph, node_id))


def json_nodes(graph: nx.DiGraph) -> dict[str, dict[str, Any]]:
    """Every node as plan.json writes it, by id, in insertion order."""
    return {record.id: node_to_json(record) for record in records(graph)}
