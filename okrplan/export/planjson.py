"""plan.json: the plan's stable, versioned, deterministic serialisation (DESIGN.md's contract)."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from itertools import islice
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from okrplan import model, planmeta
from okrplan.errors import InputError, Issue
from okrplan.export import compact, compactlines
from okrplan.export.planchecks import Problem, edge_problems
from okrplan.graph import Edge, Kind, new_graph, to_node_link
from okrplan.model import (
    MAX_NUMBER,
    Direction,
    KeyResult,
    KRKind,
    Level,
    Node,
    Per,
    RoleGroup,
    Selling,
    Status,
    TargetKind,
    TargetPer,
    Unit,
    node_from_json,
)
from okrplan.plan import Plan
from okrplan.planmeta import METRICS, PLAN_META, SOLVER_REPORT, Locale, MetricKind, WeightRule
from okrplan.spec import MAX_PEOPLE
from okrplan.tabular import read_input

FORMAT_VERSION = 2
"""plan.json's format of a small plan: 2 leaves out the ``owns`` and ``measures`` edges (each
objective's and KR's ``owner`` and each KR's ``objective`` say the same; they are added back on
reading); a large plan is written as format 3 (:mod:`okrplan.export.compact`: what can be
derived left out as well); format 1, which has every edge, is still read."""
READS = (1, 2, compact.FORMAT)
DERIVED_EDGES = compact.SKIPPED
"""Edges plan.json leaves out since format 2: its nodes' fields give them."""
ITEM_PER_LINE_FROM = 20_000
"""Graphs of more nodes and edges than this are written one node or edge per line."""


def to_json(plan: Plan) -> str:
    """The plan as JSON text: sorted keys, no timestamps, so equal plans give equal bytes.

    A small plan is indented (one value per line); a large one has one node or edge per line
    (compact JSON), several times smaller and quicker to write, and as easy to diff.
    """
    graph = plan.graph
    if _large(plan):
        return _item_per_line(plan)
    data: dict[str, Any] = {
        "okrplan": FORMAT_VERSION,
        "plan": plan.meta,
        "solver": plan.solver.to_json(),
        "metrics": plan.metrics,
        "graph": to_node_link(graph, leave_out=DERIVED_EDGES),
    }
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _item_per_line(plan: Plan) -> str:
    """The same JSON document as :func:`to_json`'s (node-link graph, sorted keys), with one
    node or edge per line."""
    spans = functools.cache(lambda: compactlines.calendar(plan))
    return "".join(_text(plan, line_encoder(), spans, 0, len(plan.graph), first=True, last=True))


def json_chunks(plan: Plan) -> Iterator[bytes]:
    """:func:`to_json`'s text as UTF-8, a batch of lines at a time for a large plan (its text
    is never held whole: as bytes it takes a third of the memory)."""
    return json_pieces(plan, 0)[0]


def json_pieces(
    plan: Plan, pieces: int
) -> tuple[Iterator[bytes], list[Callable[[], Iterator[bytes]]]]:
    """:func:`json_chunks`' bytes in two: the chunks of the file's start (for a plan written
    one node per line its edges and the first of ``pieces + 1`` equal runs of nodes, with the
    file's end if ``pieces`` is 0; another plan's whole text) and a function per further run
    of nodes giving its chunks (the last with the end of the file), a batch of lines at a
    time as the start's.
    A function reads only the plan, so either process of a fork may call it; the pieces'
    bytes, in order, follow the start's."""
    if not _large(plan):
        return _whole(plan), []
    count = plan.graph.number_of_nodes()
    cuts = [count * i // (pieces + 1) for i in range(pieces + 2)]
    spans = functools.cache(lambda: compactlines.calendar(plan))  # once in each process
    encode = line_encoder()
    last = len(cuts) - 2

    def run(index: int) -> Iterator[str]:
        stop = cuts[index + 1]
        return _text(plan, encode, spans, cuts[index], stop, first=index == 0, last=index == last)

    def piece(index: int) -> Iterator[bytes]:
        return _batched(run(index))

    return _batched(run(0)), [functools.partial(piece, i) for i in range(1, last + 1)]


def _text(
    plan: Plan,
    encode: Callable[[Any], str],
    spans: Callable[[], dict[str, list[str]]],
    start: int,
    stop: int,
    *,
    first: bool,
    last: bool,
) -> Iterator[str]:
    """The lines of the nodes from the ``start``-th to before the ``stop``-th, after the
    file's start (``first``) and before its end (``last``); the periods (``spans``) asked for
    when the nodes are."""
    from okrplan.plan import bulk_work

    with bulk_work():
        if first:
            yield from _start_parts(plan, encode)
        yield from _node_parts(plan, encode, spans(), start, stop)
        if last:
            yield _end_part(plan, encode, spans())


def _whole(plan: Plan) -> Iterator[bytes]:
    """A small plan's text, made when it is first asked for (as the start of a large one)."""
    yield to_json(plan).encode("utf-8")


def _batched(parts: Iterator[str]) -> Iterator[bytes]:
    """``parts`` as UTF-8, some :data:`_BATCH` lines' worth at a time."""
    batch: list[str] = []
    size = 0
    for part in parts:
        batch.append(part)
        size += len(part)
        if size >= _BATCH * 100:
            yield "".join(batch).encode("utf-8")
            batch.clear()
            size = 0
    yield "".join(batch).encode("utf-8")


_BATCH = 20_000  # lines of nodes joined at a time (some 100 characters each)


def _large(plan: Plan) -> bool:
    """Whether the plan is written one item per line (its edges counted only if need be:
    networkx counts them node by node)."""
    graph = plan.graph
    nodes: int = graph.number_of_nodes()
    return nodes > ITEM_PER_LINE_FROM or nodes + int(graph.number_of_edges()) > ITEM_PER_LINE_FROM


def line_encoder() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``, its
    C encoder made once (json makes one per call: a third of plan.json's time at 100,000
    people, whose nodes are encoded one by one). No check for circular values: a plan's are
    plain trees."""
    from json import encoder

    plain = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    make = getattr(encoder, "c_make_encoder", None)  # not in json's type stubs
    if make is None:  # a Python without json's C speedups
        return plain.encode
    chunks = make(None, plain.default, encoder.encode_basestring, None, ":", ",", True, False, True)
    return lambda value: "".join(chunks(value, 0))


# A large plan as format 3 (okrplan.export.compact), one node per line: the same layout as a
# format-2 document's, with sorted keys: its start (the edges), its nodes, its end.


def _start_parts(plan: Plan, encode: Callable[[Any], str]) -> Iterator[str]:
    graph = plan.graph
    plain = compactlines.plain_edges(plan)
    yield '{"graph":{"directed":' + encode(graph.is_directed()) + ',"edges":['
    separator = "\n"
    for edge in compactlines.listed_edges(plan, plain):
        yield separator + encode(edge)
        separator = ",\n"
    yield (
        '\n],"graph":'
        + encode(graph.graph)
        + ',"multigraph":'
        + encode(graph.is_multigraph())
        + ',"nodes":['
    )


def _node_parts(
    plan: Plan, encode: Callable[[Any], str], spans: dict[str, list[str]], start: int, stop: int
) -> Iterator[str]:
    """The lines of the nodes from the ``start``-th to before the ``stop``-th, each after its
    separator (none before the first node's newline)."""
    lines = compactlines.node_lines(plan, encode, spans, start, stop)
    separator = "\n" if start == 0 else ",\n"
    while batch := list(islice(lines, _BATCH)):
        yield separator + ",\n".join(batch)
        separator = ",\n"


def _end_part(plan: Plan, encode: Callable[[Any], str], spans: dict[str, list[str]]) -> str:
    rest = {
        "metrics": plan.metrics,
        "okrplan": compact.FORMAT,
        "periods": spans,
        "plan": plan.meta,
        "solver": plan.solver.to_json(),
    }
    return (
        "\n]},\n"
        + ",\n".join(f"{encode(key)}:{encode(value)}" for key, value in rest.items())
        + "}\n"
    )


# ---------------------------------------------------------------------------------------------
# Reading a plan back. plan.json is okrplan's own output, but people edit it by hand: every
# value the commands read is checked here, so that an edited plan is an input error naming the
# key, never a traceback in the command that happens to read the value. Each node is validated
# into its record (okrplan.model), the sections by their records; what needs several nodes (the
# tree, owners, alignment, metric names) is checked here.

REMAKE_HINT = (
    "re-make plan.json from its target file with `okrplan decompose TARGET -o DIR`, "
    "or undo the edit"
)
_SHOWN = 20  # problems listed; the summary counts them all


def read_plan_file(path: str) -> Plan:
    """Read a plan.json file: a regular file within :data:`MAX_PLAN_BYTES`, UTF-8 text.

    Raises
    ------
    InputError
        As :func:`from_json`, or if ``path`` is no regular file (a device or FIFO is refused
        unopened), too large, or not UTF-8.
    """
    raw = read_input(path, MAX_PLAN_BYTES, hint=REMAKE_HINT)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = "pass a plan.json written by okrplan decompose"
        message = f"this is not UTF-8 text (byte {exc.start} is not UTF-8)"
        raise InputError([Issue(message, path, hint=hint)]) from None
    return from_json(text, path)


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
    data = _document(text, file)
    if data["okrplan"] == compact.FORMAT:
        data = compact.expand(data)
    if data["okrplan"] != 1:
        data = _with_derived_edges(data)
    records, problems = _read(data)
    if problems:
        count = len(problems)
        more = f" (the first {_SHOWN} shown)" if count > _SHOWN else ""
        raise InputError(
            [Issue(f"{where}: {what}", file) for where, what in problems[:_SHOWN]],
            summary=f"{count} problem{'s' if count != 1 else ''} found{more}\n"
            f"    hint: {REMAKE_HINT}",
        )
    graph = new_graph()
    graph.graph.update(data["graph"].get("graph", {}))
    graph.add_nodes_from((record.id, {"node": record}) for record in records)
    graph.add_edges_from(
        (edge["source"], edge["target"], {k: v for k, v in edge.items() if k not in _ENDS})
        for edge in data["graph"]["edges"]
    )
    return Plan(data["plan"], SOLVER_REPORT.validate_python(data["solver"]), graph, data["metrics"])


class _NotAPlanNumber(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotAPlanNumber(f"{name} is not a number a plan holds")


def _document(text: str, file: str) -> dict[str, Any]:
    """``text`` parsed, if it is JSON and says it is an okrplan plan of this format."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        hint = "pass a plan.json written by okrplan decompose, or a target .yaml file"
        raise InputError(
            [Issue(f"not valid JSON: {exc.msg}", file, exc.lineno, exc.colno, hint=hint)]
        ) from None
    except RecursionError:
        raise InputError([Issue("the JSON nests too deeply to be an okrplan plan", file)]) from None
    except ValueError as exc:  # NaN or Infinity, or an integer of thousands of digits
        what = (
            str(exc)
            if isinstance(exc, _NotAPlanNumber)
            else f"a number has more than {sys.get_int_max_str_digits()} digits"
        )
        raise InputError(
            [Issue(f"not a plan okrplan wrote: {what}", file, hint=REMAKE_HINT)]
        ) from None
    if _SURROGATE.search(text) and _has_lone_surrogate(data):
        raise InputError(
            [
                Issue(
                    "not a plan okrplan wrote: a text holds half of a UTF-16 pair "
                    "(an escape \\ud800 to \\udfff on its own), which is no character",
                    file,
                    hint=REMAKE_HINT,
                )
            ]
        )
    version = data.get("okrplan") if isinstance(data, dict) else None
    if not isinstance(data, dict) or type(version) is not int or version not in READS:
        version = None
    if version is None or "graph" not in data:
        raise InputError(
            [
                Issue(
                    "this JSON is not an okrplan plan (format 1, 2 or 3)",
                    file,
                    hint="pass a plan.json written by okrplan decompose",
                )
            ]
        )
    plan: dict[str, Any] = data
    return plan


def _with_derived_edges(data: dict[str, Any]) -> dict[str, Any]:
    """A format-2 plan with the ``owns`` and ``measures`` edges its nodes imply added after
    its own edges (in node order, as decompose adds them), where both ends are nodes of the
    kinds such an edge joins; an ``owner`` or ``objective`` naming anything else is reported
    by the checks of owners. An owns or measures edge written in the file is refused there."""
    graph = data["graph"]
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    edges = graph.get("edges") if isinstance(graph, dict) else None
    if not isinstance(nodes, list) or not isinstance(edges, list):
        return data
    kinds = {
        n["id"]: n.get("kind")
        for n in nodes
        if isinstance(n, dict) and isinstance(n.get("id"), str)
    }
    owners, objectives = (Kind.UNIT, Kind.ROLE), (Kind.OBJECTIVE,)
    derived: list[dict[str, Any]] = []
    for n in nodes:
        if not isinstance(n, dict) or n.get("kind") not in (Kind.OBJECTIVE, Kind.KR):
            continue
        node_id, owner, objective = n.get("id"), n.get("owner"), n.get("objective")
        if not isinstance(node_id, str) or kinds.get(node_id) != n.get("kind"):
            continue
        if isinstance(owner, str) and kinds.get(owner) in owners:
            derived.append({"kind": str(Edge.OWNS), "source": owner, "target": node_id})
        if n["kind"] == Kind.KR and kinds.get(objective) in objectives:
            derived.append({"kind": str(Edge.MEASURES), "source": node_id, "target": objective})
    return {**data, "graph": {**graph, "edges": [*edges, *derived]}, _WRITTEN: len(edges)}


_WRITTEN = "\0written edges"  # how many edges a format-2 file itself has (the rest derived)


MAX_PLAN_BYTES = 2 * 2**30
"""Largest plan.json read (2 GiB): the plan of a million people (format 3, about 530 MiB) fits
with room for weekly key results."""

MAX_MONTHS = 36
"""Most months a plan covers, as a target file's period (:func:`okrplan.periods.parse_period`)."""

_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _has_lone_surrogate(data: Any) -> bool:
    """Whether a text in ``data`` holds a surrogate that no pair completes (no file, sheet or
    terminal can write it). Only called when the JSON has a surrogate escape at all."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def plan_problems(data: dict[str, Any]) -> list[Problem]:
    """Where a plan's JSON differs from what the commands rely on, as (key path, what is
    wrong); see :func:`from_json`."""
    return _read(data)[1]


def _read(data: dict[str, Any]) -> tuple[list[Node], list[Problem]]:
    """The plan's node records, and its problems: its sections by their records, every node
    by its record, every edge's kind and ends, the one tree the ``contains`` edges make (each
    unit's and role's ``path`` along it), each objective and KR with its owner and each KR
    with its objective, ``aligns`` edges up the tree only, and every metric named where
    ``metrics`` has it."""
    problems: list[Problem] = []
    plan = data.get("plan")
    months = plan.get("months") if isinstance(plan, dict) else None
    if isinstance(months, list) and len(months) > MAX_MONTHS:
        # every sheet, series and chart is per month: refuse before building any of them
        return [], [("plan.months", f"{len(months):,} months; a plan covers at most {MAX_MONTHS}")]
    for section, adapter in (("plan", PLAN_META), ("solver", SOLVER_REPORT), ("metrics", METRICS)):
        if section not in data:
            problems.append((section, "missing"))
            continue
        try:
            adapter.validate_python(data[section])
        except ValidationError as exc:
            problems += validation_problems(exc, section, keyed=section == "metrics")
    metrics = data.get("metrics")
    metrics = metrics if isinstance(metrics, dict) else {}
    problems += _metric_name_problems(data, metrics)
    graph = data["graph"]
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    edges = graph.get("edges") if isinstance(graph, dict) else None
    if not isinstance(graph, dict) or not isinstance(nodes, list) or not isinstance(edges, list):
        return [], [*problems, ("graph", "expected an object with the lists nodes and edges")]
    if graph.get("directed", True) is not True or graph.get("multigraph", False) is not False:
        problems.append(("graph", "expected directed: true and multigraph: false"))
    if not isinstance(graph.get("graph", {}), dict):
        problems.append(("graph.graph", "expected an object"))
    kinds, records, node_problems = _nodes(nodes, metrics)
    problems += node_problems
    problems += data.get(compact.EXPANDED, [])
    places = data.get(compact.PLACES, ())
    problems += edge_problems(edges, kinds, records, data.get(_WRITTEN, -1), places)
    solver = data.get("solver")
    hires = solver.get("hires") if isinstance(solver, dict) else None
    if isinstance(hires, dict):
        problems += [
            ("solver.hires", f"names {gid!r}, which is not a role of the plan")
            for gid in hires
            if kinds.get(gid) != Kind.ROLE
        ]
    return list(records.values()), problems


def _metric_name_problems(data: dict[str, Any], metrics: dict[str, Any]) -> list[Problem]:
    """Metrics and the KPI naming metrics that ``metrics`` does not have."""
    problems = [
        (f"metrics[{name!r}].{key}", f"names {other!r}, which metrics does not have")
        for name, metric in metrics.items()
        if isinstance(metric, dict)
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
    return problems


_DERIVED = ("unit", "money")  # what a KR of a metric has
_ENDS = ("source", "target")


def _nodes(
    nodes: list[Any], metrics: dict[str, Any]
) -> tuple[dict[str, str], dict[str, Node], list[Problem]]:
    """Each node's kind by its id (of those whose id and kind can be read), the records of
    the valid nodes by id, and the problems of each node."""
    problems: list[Problem] = []
    kinds: dict[str, str] = {}
    records: dict[str, Node] = {}
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            problems.append((f"graph.nodes[{i}]", "expected an object"))
            continue
        node_id, kind = node.get("id"), node.get("kind")
        if not isinstance(node_id, str) or node_id in kinds:
            problems.append((f"graph.nodes[{i}].id", "expected a text id no other node has"))
        if not isinstance(kind, str) or kind not in _NODE_KINDS:
            problems.append((f"graph.nodes[{i}].kind", f"expected one of {_NODE_KINDS_TEXT}"))
            continue
        if isinstance(node_id, str) and node_id not in kinds:
            kinds[node_id] = kind
        where = f"graph.nodes[{i}]" + (f" ({node_id!r})" if isinstance(node_id, str) else "")
        try:
            record = node_from_json(node)
        except ValidationError as exc:
            problems += [p for p in validation_problems(exc, where) if p[0] != f"{where}.id"]
            continue
        named = (
            [record.metric]
            if isinstance(record, KeyResult)
            else [record.supports.metric]
            if isinstance(record, Unit) and record.supports is not None
            else [m.metric for m in record.selling.marginal]
            if isinstance(record, RoleGroup) and record.selling is not None
            else []
        )
        problems += [
            (where, f"names the metric {metric!r}, which metrics does not have")
            for metric in named
            if metric is not None and metric not in metrics
        ]
        if isinstance(record, KeyResult) and record.kr_kind is KRKind.DERIVED:
            problems += [
                (f"{where}.{key}", "missing (a KR of a metric has it)")
                for key in _DERIVED
                if getattr(record, key) is None
            ]
        records.setdefault(record.id, record)
    return kinds, records, problems


_NODE_KINDS = frozenset(str(k) for k in Kind)
_NODE_KINDS_TEXT = ", ".join(sorted(_NODE_KINDS))
NUMBER = f"a number (at most 1e{len(str(MAX_NUMBER)) - 1} in size)"
COUNT = f"a whole number from 0 to {MAX_PEOPLE:,}"
#: The fields whose values are one of a few words, by name (each name means one thing).
_CHOICES: dict[str, type[StrEnum]] = {
    "level": Level,
    "per": Per,
    "kr_kind": KRKind,
    "direction": Direction,
    "target_kind": TargetKind,
    "target_per": TargetPer,
    "locale": Locale,
    "rule": WeightRule,
    "status": Status,
    "kind": MetricKind,
}
_MAPS = frozenset({"periods", "capacity", "hires", "levels", "yields", "follows", "share_of"})
_NUMBER_MEMBERS = frozenset({"constrained-int", "constrained-float"})  # Number's two types
_SELLING = tuple(f.name for f in dataclasses.fields(Selling))  # flat in plan.json
_TEXT = {
    "string_type": "text",
    "bool_type": "true or false",
    "dict_type": "an object",
    "list_type": "a list",
    "tuple_type": "a list",
}


def validation_problems(error: ValidationError, where: str, keyed: bool = False) -> list[Problem]:
    """pydantic's problems of one value of a plan.json in okrplan's words (the one place they
    are translated), each with its key path from ``where`` (``keyed``: the value is an object
    by name, as ``metrics`` is; a ``where`` of a node: the value is a node dict)."""
    found: dict[tuple[str, str, bool], list[ErrorDetails]] = {}  # by key path, in order
    for item in error.errors(include_url=False):
        found.setdefault(_key_path(where, item["loc"], keyed), []).append(item)
    problems: list[Problem] = []
    for (path, field, key), items in found.items():
        kinds = {item["type"] for item in items}
        first, ctx = items[0], items[0].get("ctx") or {}
        bounds = {
            abs(v)
            for item in items
            for k, v in (item.get("ctx") or {}).items()
            if k in ("ge", "le")
        }
        if "float_type" in kinds or MAX_NUMBER in bounds:
            what = f"expected {NUMBER}"
        elif kinds & {"int_type", "greater_than_equal", "less_than_equal"}:
            what = f"expected {COUNT}"
        elif first["type"] in _TEXT:
            what = f"expected {_TEXT[first['type']]}"
        elif first["type"] == "missing":
            selling = field in _SELLING and where.startswith("graph.nodes")
            what = (
                f"missing (a role with a quota has {', '.join(_SELLING)})" if selling else "missing"
            )
        elif first["type"] == "enum" and field in _CHOICES:
            what = "expected one of " + ", ".join(repr(str(c)) for c in _CHOICES[field])
        elif first["type"] in ("dataclass_type", "dataclass_args_type"):
            name = ctx.get("class_name", "")
            record = getattr(model, name, None) or getattr(planmeta, name, None)
            names = ", ".join(_json_keys(record)) if record else ""
            what = "expected an object" + (f" with {names}" if names else "")
        elif first["type"] == "value_error":  # okrplan's own validators say what they expect
            what = f"expected {ctx['error']}"
        elif first["type"] == "too_short":
            what = f"expected at least {ctx['min_length']} of them"
        elif first["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
            what = "not a key plan.json has here"
        else:
            what = f"not a value plan.json has here ({first['type']})"
        problems.append((path, f"{what} as the key" if key else what))
    return problems


def _json_keys(record: Any) -> list[str]:
    """A record's keys as plan.json has them."""
    keys: tuple[str, ...] | None = getattr(record, "JSON_KEYS", None)
    return list(keys) if keys else [f.name for f in dataclasses.fields(record)]


def _key_path(where: str, loc: tuple[int | str, ...], keyed: bool) -> tuple[str, str, bool]:
    """A pydantic error's place as a plan.json key path from ``where``, the name of the field
    it is in, and whether the error is of a key of an object rather than its value."""
    parts = list(loc[1:] if where.startswith("graph.nodes") else loc)  # a node's kind first
    if parts and parts[-1] in _NUMBER_MEMBERS:
        parts.pop()
    path, field, key, by_name = where, "", False, keyed
    for part in parts:
        if part == "[key]":
            key = True
        elif isinstance(part, int):
            path += f"[{part}]"
        elif by_name:
            path += f"[{part!r}]"
        elif part != "selling" or not where.startswith("graph.nodes"):  # flat in plan.json
            path, field = f"{path}.{part}", part
        by_name = isinstance(part, str) and part == field and part in _MAPS
    return path, field, key
