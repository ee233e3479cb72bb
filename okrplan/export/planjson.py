"""plan.json: the plan's stable, versioned, deterministic serialisation (DESIGN.md's contract)."""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from okrplan.errors import InputError, Issue
from okrplan.graph import Edge, Kind, from_node_link, root_of, to_node_link
from okrplan.model import node_to_json
from okrplan.plan import Plan, Status
from okrplan.spec import MAX_PEOPLE

FORMAT_VERSION = 1
ITEM_PER_LINE_FROM = 20_000
"""Graphs of more nodes and edges than this are written one node or edge per line."""


def to_json(plan: Plan) -> str:
    """The plan as JSON text: sorted keys, no timestamps, so equal plans give equal bytes.

    A small plan is indented (one value per line); a large one has one node or edge per line
    (compact JSON), several times smaller and quicker to write, and as easy to diff.
    """
    graph = plan.graph
    if graph.number_of_nodes() + graph.number_of_edges() > ITEM_PER_LINE_FROM:
        return _item_per_line(plan)
    data: dict[str, Any] = {
        "okrplan": FORMAT_VERSION,
        "plan": plan.meta,
        "solver": plan.solver,
        "metrics": plan.metrics,
        "graph": to_node_link(graph),
    }
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _item_per_line(plan: Plan) -> str:
    """The same JSON document as :func:`to_json`'s (node-link graph, sorted keys), with one
    node or edge per line."""
    return "".join(_item_per_line_parts(plan))


def json_chunks(plan: Plan) -> Iterator[bytes]:
    """:func:`to_json`'s text as UTF-8, a batch of lines at a time for a large plan (its text
    is never held whole: as bytes it takes a third of the memory)."""
    graph = plan.graph
    if graph.number_of_nodes() + graph.number_of_edges() <= ITEM_PER_LINE_FROM:
        yield to_json(plan).encode("utf-8")
        return
    batch: list[str] = []
    for part in _item_per_line_parts(plan):
        batch.append(part)
        if len(batch) >= 20_000:
            yield "".join(batch).encode("utf-8")
            batch.clear()
    yield "".join(batch).encode("utf-8")


def _item_per_line_parts(plan: Plan) -> Iterator[str]:
    from okrplan.plan import bulk_work

    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    graph = plan.graph
    with bulk_work():
        ids = {node: encode(node) for node in graph}  # each id is in several edges
        kinds: dict[str, str] = {}
        yield '{"graph":{"directed":' + encode(graph.is_directed()) + ',"edges":['
        separator = "\n"
        for source, target, data in graph.edges(data=True):
            kind = data.get("kind")
            if len(data) == 1 and isinstance(kind, str):  # {"kind", "source", "target"}
                text = kinds.get(kind)
                if text is None:
                    text = kinds[kind] = encode(kind)
                yield f'{separator}{{"kind":{text},"source":{ids[source]},"target":{ids[target]}}}'
            else:
                yield separator + encode({**data, "source": source, "target": target})
            separator = ",\n"
        yield (
            '\n],"graph":'
            + encode(graph.graph)
            + ',"multigraph":'
            + encode(graph.is_multigraph())
            + ',"nodes":['
        )
        separator = "\n"
        for data in graph._node.values():
            yield separator + encode(node_to_json(data["node"]))
            separator = ",\n"
        rest = {
            "metrics": plan.metrics,
            "okrplan": FORMAT_VERSION,
            "plan": plan.meta,
            "solver": plan.solver,
        }
        yield (
            "\n]},\n"
            + ",\n".join(f"{encode(key)}:{encode(value)}" for key, value in rest.items())
            + "}\n"
        )


# ---------------------------------------------------------------------------------------------
# Reading a plan back. plan.json is okrplan's own output, but people edit it by hand: every
# value the commands read is checked here, so that an edited plan is an input error naming the
# key, never a traceback in the command that happens to read the value.

MAX_NUMBER = 10**18
"""The largest magnitude of a number in a plan.json, as of a quantity in a target file (sheets
and reports compute with decimals of 28 digits: a KR's number times a headcount must fit)."""

REMAKE_HINT = (
    "re-make plan.json from its target file with `okrplan decompose TARGET -o DIR`, "
    "or undo the edit"
)
_SHOWN = 20  # problems listed; the summary counts them all


def from_json(text: str, file: str = "plan.json") -> Plan:
    """Read a plan written by :func:`to_json` (or :func:`json_chunks`).

    Everything the commands read from a plan is checked first (see :func:`plan_problems`), so
    that a plan.json edited by hand gives an error naming its key rather than a traceback
    later on.

    Raises
    ------
    InputError
        If ``text`` is not JSON, not an okrplan plan, or a plan with values of the wrong type,
        out of range, or referring to nodes or metrics it does not have; each problem names
        ``file`` and the key path.
    """
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Issue(
                    f"not valid JSON: {exc.msg}",
                    file,
                    exc.lineno,
                    exc.colno,
                    hint="pass a plan.json written by okrplan decompose, or a target .yaml file",
                )
            ]
        ) from None
    except RecursionError:
        raise InputError([Issue("the JSON nests too deeply to be an okrplan plan", file)]) from None
    except ValueError as exc:  # NaN or Infinity, or an integer of thousands of digits
        raise InputError(
            [Issue(f"not a plan okrplan wrote: {exc}", file, hint=REMAKE_HINT)]
        ) from None
    if not isinstance(data, dict) or data.get("okrplan") != FORMAT_VERSION or "graph" not in data:
        raise InputError(
            [
                Issue(
                    "this JSON is not an okrplan plan (format 1)",
                    file,
                    hint="pass a plan.json written by okrplan decompose",
                )
            ]
        )
    problems = plan_problems(data)
    if problems:
        count = len(problems)
        more = f" (the first {_SHOWN} shown)" if count > _SHOWN else ""
        raise InputError(
            [Issue(f"{where}: {what}", file) for where, what in problems[:_SHOWN]],
            summary=f"{count} problem{'s' if count != 1 else ''} found{more}\n"
            f"    hint: {REMAKE_HINT}",
        )
    try:
        graph = from_node_link(data["graph"])
        root_of(graph)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            [Issue(f"the plan's graph cannot be read: {exc}", file, hint=REMAKE_HINT)]
        ) from None
    return Plan(data["plan"], data["solver"], graph, data["metrics"])


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a plan holds")


@dataclass(frozen=True, slots=True)
class _Type:
    """What a value must be: a test, and the words for it in a message."""

    test: Callable[[Any], bool]
    text: str


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and -MAX_NUMBER <= value <= MAX_NUMBER
    )  # NaN fails the comparison


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PEOPLE


_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"[0-9]{4}-Q[1-4]")
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")


def _is_period(value: Any) -> bool:
    """A month (2015-03), quarter (2015-Q1) or ISO week (2015-W09) label, as KRs' periods
    are keyed."""
    return isinstance(value, str) and _is_period_label(value)


@functools.lru_cache(maxsize=4096)  # a plan has a few dozen labels, each in many KRs
def _is_period_label(value: str) -> bool:
    if _MONTH.fullmatch(value) or _QUARTER.fullmatch(value):
        return True
    week = _WEEK.fullmatch(value)
    if week is None:
        return False
    try:
        date.fromisocalendar(int(week[1]), int(week[2]), 4)
    except ValueError:
        return False
    return True


def _or_null(kind: _Type) -> _Type:
    return _Type(lambda v: v is None or kind.test(v), f"{kind.text} or null")


def _list_of(kind: _Type) -> _Type:
    return _Type(
        lambda v: isinstance(v, list) and all(kind.test(x) for x in v), f"a list of {kind.text}"
    )


def _map_of(kind: _Type, keys: _Type | None = None) -> _Type:
    return _Type(
        lambda v: (
            isinstance(v, dict)
            and all(kind.test(x) for x in v.values())
            and (keys is None or all(keys.test(k) for k in v))
        ),
        f"an object of {kind.text}" + (f" by {keys.text}" if keys else ""),
    )


def _one_of(*choices: str) -> _Type:
    return _Type(
        lambda v: isinstance(v, str) and v in choices,
        "one of " + ", ".join(repr(c) for c in choices),
    )


def _record(**fields: _Type) -> _Type:
    return _Type(
        lambda v: (
            isinstance(v, dict)
            and all(key in v and kind.test(v[key]) for key, kind in fields.items())
        ),
        "an object with " + ", ".join(f"{key} ({kind.text})" for key, kind in fields.items()),
    )


TEXT = _Type(lambda v: isinstance(v, str), "text")
FLAG = _Type(lambda v: isinstance(v, bool), "true or false")
NUMBER = _Type(_is_number, f"a number (at most 1e{len(str(MAX_NUMBER)) - 1} in size)")
COUNT = _Type(_is_count, f"a whole number from 0 to {MAX_PEOPLE:,}")
NAMES = _Type(
    lambda v: isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v),
    "a list of one or more names",
)
MONTHS = _Type(
    lambda v: (
        isinstance(v, list)
        and bool(v)
        and all(isinstance(m, str) and _MONTH.fullmatch(m) for m in v)
        and all(_month_index(b) == _month_index(a) + 1 for a, b in itertools.pairwise(v))
    ),
    "a list of consecutive months (YYYY-MM)",
)
PERIOD = _Type(_is_period, "a period (2015-03, 2015-Q1 or 2015-W09)")
PER = _one_of("plan", "quarter", "month", "week")


def _month_index(label: str) -> int:
    return int(label[:4]) * 12 + int(label[5:7])


#: The attributes of each kind of node: type, and whether every node of the kind has it.
NODE_FIELDS: dict[str, dict[str, tuple[_Type, bool]]] = {
    Kind.UNIT: {
        "path": (NAMES, True),
        "lead": (TEXT, True),
        "level": (_one_of("company", "unit"), True),
        "target": (NUMBER, False),
        "assigned": (NUMBER, False),
        "supports": (_record(metric=TEXT, share=NUMBER), False),
    },
    Kind.ROLE: {
        "label": (TEXT, True),
        "path": (NAMES, True),
        "headcount": (COUNT, True),
        "people": (_list_of(TEXT), True),
        "new_hires": (FLAG, True),
        "sells": (_or_null(TEXT), True),
        "capacity": (_map_of(TEXT), True),
        # a role group that sells has all of these, other roles none
        "quota": (NUMBER, False),
        "per_person": (NUMBER, False),
        "basis": (NUMBER, False),
        "stretch": (_or_null(NUMBER), False),
        "ramp": (_list_of(NUMBER), False),
        "binding": (_list_of(TEXT), False),
        "marginal": (_list_of(_record(metric=TEXT, per=TEXT, adds=NUMBER)), False),
    },
    Kind.OBJECTIVE: {
        "owner": (TEXT, True),
        "detail": (TEXT, True),
        "weight": (_or_null(NUMBER), False),
    },
    Kind.KR: {
        "owner": (TEXT, True),
        "objective": (TEXT, True),
        "metric": (_or_null(TEXT), True),
        "per": (PER, True),
        "weight": (_or_null(NUMBER), True),
        "fixed_weight": (FLAG, True),
        "direction": (_one_of("increase", "decrease"), True),
        "deduction": (_or_null(NUMBER), True),
        "due": (_or_null(TEXT), True),
        "kr_kind": (_one_of("derived", "manual", "deduction", "staffing"), True),
        "text": (_or_null(TEXT), True),
        "target": (_or_null(NUMBER), True),
        "target_kind": (_or_null(_one_of("number", "percent", "points")), True),
        "periods": (_map_of(NUMBER, PERIOD), True),
        "target_per": (_or_null(_one_of("week", "month", "quarter", "year")), False),
        "total": (NUMBER, False),
        "unit": (TEXT, False),
        "money": (FLAG, False),
        "hires": (TEXT, False),
    },
}
_SELLING = ("quota", "per_person", "basis", "stretch", "ramp", "binding", "marginal")
_DERIVED = ("unit", "money")  # what a KR of a metric has

#: The plan's other sections, key by key (every key is required).
SECTION_FIELDS: dict[str, dict[str, _Type]] = {
    "plan": {
        "name": TEXT,
        "period": TEXT,
        "locale": _one_of("zh-CN", "en"),
        "currency": TEXT,
        "kpi": _record(metric=TEXT, base=TEXT, target=NUMBER),
        "buffer": NUMBER,
        "months": MONTHS,
        "seasonality": _list_of(NUMBER),
        "rounding": _record(money=NUMBER, count=NUMBER),
        "weights": _record(rule=_one_of("leverage", "equal", "given"), step=NUMBER, min=NUMBER),
    },
    "solver": {
        "status": _one_of(*(str(s) for s in Status)),
        "stretch": NUMBER,
        "binding": _list_of(TEXT),
        "relaxations": _list_of(
            _record(kind=TEXT, subject=TEXT, message=TEXT, current=TEXT, needed=TEXT)
        ),
        "conflict": _list_of(TEXT),
        "hires": _map_of(COUNT),
        "levels": _map_of(NUMBER),
    },
}
METRIC_FIELDS: dict[str, _Type] = {
    "name": TEXT,
    "kind": _one_of("count", "money", "share"),
    "unit": TEXT,
    "yields": _map_of(NUMBER),
    "follows": _map_of(NUMBER),
    "share_of": _map_of(NUMBER),
}

#: Which kinds of node each kind of edge joins (source kinds, target kinds).
EDGE_ENDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Edge.CONTAINS: ((Kind.UNIT,), (Kind.UNIT, Kind.ROLE)),
    Edge.OWNS: ((Kind.UNIT, Kind.ROLE), (Kind.OBJECTIVE, Kind.KR)),
    Edge.MEASURES: ((Kind.KR,), (Kind.OBJECTIVE,)),
    Edge.ALIGNS: ((Kind.KR,), (Kind.KR,)),
    Edge.DRIVES: ((Kind.KR,), (Kind.KR, Kind.ROLE)),
    Edge.SUPPORTS: ((Kind.KR,), (Kind.KR,)),
}


def plan_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Where a plan's JSON differs from what the commands rely on, as (key path, what is
    expected): its sections key by key, every node's attributes by its kind, every edge's
    kind and ends, the one tree the ``contains`` edges make (each unit's and role's ``path``
    along it), each objective and KR with its owner and each KR with its objective, ``aligns``
    edges up the tree only, and every metric named where ``metrics`` has it."""
    problems: list[tuple[str, str]] = []
    for section, fields in SECTION_FIELDS.items():
        problems += _record_problems(data.get(section), section, fields)
    metrics = data.get("metrics")
    if not isinstance(metrics, dict):
        problems.append(("metrics", "expected an object of metrics by name"))
        metrics = {}
    for name, metric in metrics.items():
        where = f"metrics[{name!r}]"
        problems += _record_problems(metric, where, METRIC_FIELDS)
        if isinstance(metric, dict):
            problems += [
                (f"{where}.{key}", f"names {other!r}, which metrics does not have")
                for key in ("yields", "follows", "share_of")
                if isinstance(metric.get(key), dict)
                for other in metric[key]
                if other not in metrics
            ]
    meta = data.get("plan")
    kpi = meta.get("kpi") if isinstance(meta, dict) else None
    if isinstance(kpi, dict):
        problems += [
            (f"plan.kpi.{key}", f"names {kpi[key]!r}, which metrics does not have")
            for key in ("metric", "base")
            if isinstance(kpi.get(key), str) and kpi[key] not in metrics
        ]
    graph = data.get("graph")
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    edges = graph.get("edges") if isinstance(graph, dict) else None
    if not isinstance(graph, dict) or not isinstance(nodes, list) or not isinstance(edges, list):
        return [*problems, ("graph", "expected an object with the lists nodes and edges")]
    if graph.get("directed", True) is not True or graph.get("multigraph", False) is not False:
        problems.append(("graph", "expected directed: true and multigraph: false"))
    if not isinstance(graph.get("graph", {}), dict):
        problems.append(("graph.graph", "expected an object"))
    found, node_problems = _node_problems(nodes, metrics)
    problems += node_problems
    problems += _edge_problems(edges, found)
    solver = data.get("solver")
    hires = solver.get("hires") if isinstance(solver, dict) else None
    if isinstance(hires, dict):
        problems += [
            ("solver.hires", f"names {gid!r}, which is not a role of the plan")
            for gid in hires
            if found.get(gid, {}).get("kind") != Kind.ROLE
        ]
    return problems


def _record_problems(value: Any, where: str, fields: dict[str, _Type]) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return [(where, "expected an object with " + ", ".join(fields))]
    return [
        (
            f"{where}.{key}",
            f"expected {kind.text}" if key in value else f"missing (expected {kind.text})",
        )
        for key, kind in fields.items()
        if key not in value or not kind.test(value[key])
    ]


def _node_problems(
    nodes: list[Any], metrics: dict[str, Any]
) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """The nodes by id (those whose id and kind can be read), and the problems of each."""
    problems: list[tuple[str, str]] = []
    found: dict[str, dict[str, Any]] = {}
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            problems.append((f"graph.nodes[{i}]", "expected an object"))
            continue
        node_id, kind = node.get("id"), node.get("kind")
        if not isinstance(node_id, str) or node_id in found:
            problems.append((f"graph.nodes[{i}].id", "expected a text id no other node has"))
        if not isinstance(kind, str) or kind not in NODE_FIELDS:
            problems.append(
                (f"graph.nodes[{i}].kind", f"expected one of {', '.join(sorted(NODE_FIELDS))}")
            )
        where = f"graph.nodes[{i}]" + (f" ({node_id!r})" if isinstance(node_id, str) else "")
        if not isinstance(node.get("name"), str):
            problems.append((f"{where}.name", "expected text"))
        if isinstance(node_id, str) and node_id not in found:
            found[node_id] = node
        if not isinstance(kind, str) or kind not in NODE_FIELDS:
            continue
        for key, (expected, required) in NODE_FIELDS[kind].items():
            if key in node:
                if not expected.test(node[key]):
                    problems.append((f"{where}.{key}", f"expected {expected.text}"))
            elif required:
                problems.append((f"{where}.{key}", f"missing (expected {expected.text})"))
        if kind == Kind.ROLE and any(key in node for key in _SELLING):
            problems += [
                (f"{where}.{key}", f"missing (a role with a quota has {', '.join(_SELLING)})")
                for key in _SELLING
                if key not in node
            ]
        elif kind == Kind.KR and node.get("kr_kind") == "derived":
            problems += [
                (f"{where}.{key}", "missing (a KR of a metric has it)")
                for key in _DERIVED
                if key not in node
            ]
        named = (
            [node.get("metric")]
            if kind == Kind.KR
            else (
                [node["supports"].get("metric")] if isinstance(node.get("supports"), dict) else []
            )
        )
        if kind == Kind.ROLE and isinstance(node.get("marginal"), list):
            named += [m.get("metric") for m in node["marginal"] if isinstance(m, dict)]
        problems += [
            (where, f"names the metric {metric!r}, which metrics does not have")
            for metric in named
            if isinstance(metric, str) and metric not in metrics
        ]
    return found, problems


def _edge_problems(edges: list[Any], nodes: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """Each edge's kind and ends, and the structure the commands walk: the contains tree with
    the paths along it, objectives and KRs with their owners and objectives, aligns edges up
    the tree."""
    problems: list[tuple[str, str]] = []
    parent: dict[str, str] = {}
    owned: dict[str, list[str]] = {}
    measured: dict[str, list[str]] = {}
    aligns: list[tuple[int, str, str]] = []
    for i, edge in enumerate(edges):
        where = f"graph.edges[{i}]"
        if not isinstance(edge, dict) or any(
            not isinstance(edge.get(end), str) or edge[end] not in nodes
            for end in ("source", "target")
        ):
            problems.append(
                (
                    where,
                    "expected an object with a kind and the ids of two nodes as source and target",
                )
            )
            continue
        kind, source, target = edge.get("kind"), edge["source"], edge["target"]
        if not isinstance(kind, str) or kind not in EDGE_ENDS:
            problems.append((f"{where}.kind", f"expected one of {', '.join(sorted(EDGE_ENDS))}"))
            continue
        sources, targets = EDGE_ENDS[kind]
        if nodes[source].get("kind") not in sources or nodes[target].get("kind") not in targets:
            problems.append(
                (where, f"a {kind} edge joins a {'/'.join(sources)} to a {'/'.join(targets)}")
            )
            continue
        if kind == Edge.CONTAINS:
            if target in parent:
                problems.append((where, f"{target!r} is contained by two units"))
            parent[target] = source
        elif kind == Edge.OWNS:
            owned.setdefault(target, []).append(source)
        elif kind == Edge.MEASURES:
            measured.setdefault(source, []).append(target)
        elif kind == Edge.ALIGNS:
            aligns.append((i, source, target))
    if problems:
        return problems
    order = _tree_order(nodes, parent, problems)
    if order is None:
        return problems
    for node_id, node in nodes.items():
        kind = node.get("kind")
        if kind in (Kind.OBJECTIVE, Kind.KR):
            owner = node.get("owner")
            if _node(nodes, owner).get("kind") not in (Kind.UNIT, Kind.ROLE):
                problems.append((f"{node_id!r}.owner", "expected the id of a unit or role"))
            elif owned.get(node_id) != [owner]:
                problems.append((node_id, f"expected one owns edge, from its owner {owner!r}"))
        if kind == Kind.KR:
            objective = node.get("objective")
            target = _node(nodes, objective)
            if target.get("kind") != Kind.OBJECTIVE or target.get("owner") != node.get("owner"):
                problems.append(
                    (f"{node_id!r}.objective", "expected the id of an objective of the same owner")
                )
            elif measured.get(node_id) != [objective]:
                problems.append((node_id, f"expected one measures edge, to {objective!r}"))
            hires = node.get("hires")
            if hires is not None and _node(nodes, hires).get("kind") != Kind.ROLE:
                problems.append((f"{node_id!r}.hires", "expected the id of a role"))
    for i, source, target in aligns:
        low, high = (
            order.get(owner) if isinstance(owner, str) else None
            for owner in (nodes[source].get("owner"), nodes[target].get("owner"))
        )
        if low is None or high is None or not (high[0] < low[0] and low[1] <= high[1]):
            problems.append(
                (
                    f"graph.edges[{i}]",
                    "an aligns edge goes from a KR to a KR of a unit above its owner",
                )
            )
    return problems


def _node(nodes: dict[str, dict[str, Any]], ref: Any) -> dict[str, Any]:
    """The node ``ref`` names, or an empty dict (also for a ``ref`` that is not text)."""
    return nodes.get(ref, {}) if isinstance(ref, str) else {}


def _tree_order(
    nodes: dict[str, dict[str, Any]], parent: dict[str, str], problems: list[tuple[str, str]]
) -> dict[str, tuple[int, int]] | None:
    """Each unit's and role's (entry, exit) numbers in a walk of the contains tree from the
    one root unit (a node is above another if its numbers enclose the other's), having
    checked that the tree holds every unit and role and their paths follow it; None if not."""
    members = [n for n, d in nodes.items() if d.get("kind") in (Kind.UNIT, Kind.ROLE)]
    roots = [n for n in members if n not in parent]
    if len(roots) != 1 or nodes[roots[0]].get("kind") != Kind.UNIT:
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
    for node_id in members:
        node = nodes[node_id]
        above = nodes[parent[node_id]].get("path") if node_id in parent else []
        if not isinstance(above, list):
            continue  # a problem of the node above
        expected = above if node.get("kind") == Kind.ROLE else [*above, node.get("name")]
        if node.get("path") != expected:
            problems.append(
                (
                    f"{node_id!r}.path",
                    "expected the names of the units above it (and its own, for a unit)",
                )
            )
    return None if problems else order
