"""plan.json: the plan's stable, versioned, deterministic serialisation (DESIGN.md's contract)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from okrplan.errors import InputError, Issue
from okrplan.graph import Kind, from_node_link, root_of, to_node_link
from okrplan.plan import Plan

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


def write_json(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write :func:`to_json`'s text to ``path``, a large plan a batch of lines at a time (its
    JSON is never held whole in memory)."""
    graph = plan.graph
    with open(path, "w", encoding="utf-8", newline="") as out:
        if graph.number_of_nodes() + graph.number_of_edges() <= ITEM_PER_LINE_FROM:
            out.write(to_json(plan))
            return
        batch: list[str] = []
        for part in _item_per_line_parts(plan):
            batch.append(part)
            if len(batch) >= 20_000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))


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
        yield ('\n],"graph":' + encode(graph.graph) + ',"multigraph":'
               + encode(graph.is_multigraph()) + ',"nodes":[')
        separator = "\n"
        for node, data in graph.nodes(data=True):
            yield separator + encode(data if data.get("id") == node else {**data, "id": node})
            separator = ",\n"
        rest = {"metrics": plan.metrics, "okrplan": FORMAT_VERSION, "plan": plan.meta,
                "solver": plan.solver}
        yield "\n]},\n" + ",\n".join(f"{encode(key)}:{encode(value)}"
                                       for key, value in rest.items()) + "}\n"


def from_json(text: str, file: str = "plan.json") -> Plan:
    """Read a plan written by :func:`to_json`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Issue(f"not valid JSON: {exc.msg}", file, exc.lineno, exc.colno,
                                hint="pass a plan.json written by okrplan decompose, or a "
                                "target .yaml file")]) from None
    except RecursionError:
        raise InputError([Issue("the JSON nests too deeply to be an okrplan plan", file)]
                         ) from None
    if not isinstance(data, dict) or data.get("okrplan") != FORMAT_VERSION or "graph" not in data:
        raise InputError([Issue("this JSON is not an okrplan plan (format 1)", file,
                                hint="pass a plan.json written by okrplan decompose")])
    problems = _shape_problems(data)
    if problems:
        raise InputError([Issue(f"{where}: {what}", file, hint="pass a plan.json written by "
                                "okrplan decompose, or decompose the target file again")
                          for where, what in problems[:20]])
    try:
        graph = from_node_link(data["graph"])
        root_of(graph)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError([Issue(f"the plan's graph cannot be read: {exc}", file)]) from None
    return Plan(data.get("plan", {}), data.get("solver", {}), graph, data.get("metrics", {}))


def _shape_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Where a plan's JSON lacks what every reader relies on: its sections, and every node's
    id, kind and name and every edge's ends and kind (a hand-edited plan.json)."""
    problems = [(key, "expected an object") for key in ("plan", "solver", "metrics")
                if not isinstance(data.get(key, {}), dict)]
    graph = data["graph"]
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    edges = graph.get("edges") if isinstance(graph, dict) else None
    if not isinstance(nodes, list) or not isinstance(edges, list):
        return [*problems, ("graph", "expected an object with the lists nodes and edges")]
    kinds = {str(kind) for kind in Kind}
    ids: set[str] = set()
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            problems.append((f"graph.nodes[{i}]", "expected an object"))
            continue
        node_id, kind = node.get("id"), node.get("kind")
        if not isinstance(node_id, str) or node_id in ids:
            problems.append((f"graph.nodes[{i}].id", "expected a text id no other node has"))
        if not isinstance(kind, str) or kind not in kinds:
            problems.append((f"graph.nodes[{i}].kind", f"expected one of {sorted(kinds)}"))
        if not isinstance(node.get("name"), str):
            problems.append((f"graph.nodes[{i}].name", "expected text"))
        if isinstance(node_id, str):
            ids.add(node_id)
    for i, edge in enumerate(edges):
        if not isinstance(edge, dict) or not isinstance(edge.get("kind"), str) or any(
                not isinstance(edge.get(end), str) or edge[end] not in ids
                for end in ("source", "target")):
            problems.append((f"graph.edges[{i}]", "expected an object with a kind and the ids "
                             "of two nodes as source and target"))
    return problems
