"""plan.json format 3: a large plan without what can be derived, one node per line.

A plan of 100,000 people has some 115,000 key results; written out in full, each repeats its
owner's and objective's ids (derivable from its own id), fields at their usual value, and the
labels of its periods. Format 3 (written for plans of more than
:data:`okrplan.export.planjson.ITEM_PER_LINE_FROM` nodes and edges; smaller plans are written
as format 2, indented) leaves them out, and :func:`expand` puts them back when reading:

- ``periods`` (top level) holds the period labels once: ``{"months": ["2025-01", …],
  "quarters": […], "weeks": […]}``; a KR whose periods are exactly one of these lists writes
  its values as ``"months": [v1, v2, …]`` (or ``quarters``, ``weeks``) instead of
  ``"periods": {label: value}``; other KRs keep ``periods`` (none: left out, ``{}``);
- a KR ``k:P#i.j`` leaves out ``objective`` when it is ``o:P#i``, and a KR or objective leaves
  out ``owner`` when it is ``u:P`` (a unit of the plan) or else ``r:P`` (a role);
- a KR leaves out the fields at their usual value (:data:`KR_USUAL`); ``text`` when it is its
  ``name``; a KR of a metric its ``name``, ``unit`` and ``money`` when they are the metric's;
- edges are written on their source node, as lists of target ids by kind (``"contains":
  [ids]`` on a unit, ``"aligns"``, ``"drives"``, ``"supports"`` on a KR), in the graph's
  order; ``graph.edges`` holds the edges with more than a kind (none, as decompose makes
  them). The ``owns`` and ``measures`` edges are left out as in format 2.

What is written is checked to expand to the same node, so a plan whose ids do not follow the
pattern is written with the fields in full.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from json.encoder import encode_basestring as _quote
from typing import Any

from okrplan.graph import Edge, Kind
from okrplan.model import Direction, KeyResult, KRKind, Objective, TargetKind, node_to_json
from okrplan.plan import Plan

FORMAT = 3
NODE_EDGES: dict[str, tuple[str, ...]] = {
    str(Kind.UNIT): (str(Edge.CONTAINS),),
    str(Kind.KR): (str(Edge.ALIGNS), str(Edge.DRIVES), str(Edge.SUPPORTS)),
}
"""The kinds of edge written on their source node, by the node's kind (in the order they are
read back); other edges are listed in ``graph.edges``."""
SKIPPED = frozenset({str(Edge.OWNS), str(Edge.MEASURES)})
"""Edges the nodes' ``owner`` and ``objective`` give (not written since format 2)."""
KR_USUAL: dict[str, Any] = {
    "kr_kind": str(KRKind.DERIVED),
    "direction": "increase",
    "deduction": None,
    "due": None,
    "fixed_weight": False,
    "target_kind": "number",
}
"""A KR's fields that format 3 leaves out at these values."""
SPANS = {"months": re.compile(r"[0-9]{4}-[0-9]{2}"), "quarters": re.compile(r".*-Q[1-4]")}
"""Which list of ``periods`` a label belongs to (a label of neither is a week's)."""
EXPANDED = "\0expansion problems"  # what expand found, for planjson's checks
PLACES = "\0edge places"  # where each edge on a node is, for planjson's checks (edge_place)


def _span(label: str) -> str:
    return next((name for name, pattern in SPANS.items() if pattern.fullmatch(label)), "weeks")


def calendar(plan: Plan) -> dict[str, list[str]]:
    """The period labels of the plan's KRs, one list per span: the labels most KRs of that
    span have (ties: the first in order), so that their periods are written as values only."""
    seen: Counter[tuple[str, ...]] = Counter()
    for data in plan.graph._node.values():
        record = data["node"]
        if isinstance(record, KeyResult) and record.periods:
            seen[tuple(record.periods)] += 1
    out: dict[str, list[str]] = {}
    for labels, _ in sorted(seen.items(), key=lambda item: (-item[1], item[0])):
        out.setdefault(_span(labels[0]), list(labels))
    return dict(sorted(out.items()))


def owner_by_id(node_id: Any, units: Mapping[str, Any], roles: Mapping[str, Any]) -> str | None:
    """The owner an objective's or KR's id ``o:P#…``/``k:P#…`` names: ``u:P`` if the plan has
    that unit, else ``r:P`` if it has that role; None if neither."""
    if not isinstance(node_id, str) or node_id[:2] not in ("k:", "o:") or "#" not in node_id:
        return None
    scope = node_id[2 : node_id.rindex("#")]
    for prefix, known in (("u:", units), ("r:", roles)):
        if prefix + scope in known:
            return prefix + scope
    return None


def objective_by_id(node_id: Any) -> str | None:
    """The objective a KR's id ``k:P#i.j`` names: ``o:P#i``; None for another id."""
    if not isinstance(node_id, str) or not node_id.startswith("k:") or "#" not in node_id:
        return None
    dot = node_id.rfind(".")
    return "o:" + node_id[2:dot] if dot > node_id.rindex("#") else None


def _kr_out(
    kr: KeyResult, metrics: Mapping[str, Any], spans: Mapping[Any, str], objective: str | None
) -> dict[str, Any]:
    """A KR's format-3 node dict: :func:`okrplan.model.node_to_json`'s without what
    :func:`_expand_kr` puts back (the owner: see :func:`node_lines`; ``objective`` is the one
    its id names). Built from the record (at 100,000 people there are some 115,000 KRs: a dict
    made whole and then pared down costs twice as much); the enums go in as they are (a
    StrEnum is written as its text)."""
    out: dict[str, Any] = {
        "id": kr.id,
        "kind": "kr",
        "metric": kr.metric,
        "per": kr.per,
        "target": kr.target,
        "weight": kr.weight,
    }
    if kr.objective != objective:
        out["objective"] = kr.objective
    derived = kr.kr_kind is KRKind.DERIVED
    if not derived:
        out["kr_kind"] = kr.kr_kind
        out["target_per"] = kr.target_per
    if kr.direction is not Direction.INCREASE:
        out["direction"] = kr.direction
    if kr.deduction is not None:
        out["deduction"] = kr.deduction
    if kr.due is not None:
        out["due"] = kr.due
    if kr.fixed_weight:
        out["fixed_weight"] = True
    if kr.target_kind is not TargetKind.NUMBER:
        out["target_kind"] = kr.target_kind
    metric = metrics.get(kr.metric) if kr.metric is not None else None
    metric = metric if isinstance(metric, dict) else _NO_METRIC
    if kr.name != metric.get("name"):
        out["name"] = kr.name
    if kr.text != kr.name:
        out["text"] = kr.text
    if derived and not (isinstance(metric.get("unit"), str) and kr.unit == metric["unit"]):
        out["unit"] = kr.unit
    if derived and not (metric and kr.money is (metric.get("kind") == "money")):
        out["money"] = kr.money
    if kr.total is not None:
        out["total"] = kr.total
    if kr.hires is not None:
        out["hires"] = kr.hires
    if kr.sourced is not None:
        out["sourced"] = kr.sourced
    periods = kr.periods
    if periods:
        span = spans.get(tuple(periods))
        if span is not None:
            out[span] = list(periods.values())
        else:
            out["periods"] = dict(periods)
    return out


_NO_METRIC: dict[str, Any] = {}


def listed_edges(plan: Plan) -> list[dict[str, Any]]:
    """The edges format 3 lists in ``graph.edges``: those with more than a kind, or of a kind
    not written on their source node (none, as decompose makes the graph)."""
    graph = plan.graph
    out: list[dict[str, Any]] = []
    nodes = graph._node
    for source, targets in graph._succ.items():
        if not targets:
            continue
        on_node = NODE_EDGES.get(nodes[source]["node"].kind, ())
        usual = _USUAL_EDGES.get(on_node)
        if usual is None:
            usual = _USUAL_EDGES[on_node] = frozenset(on_node) | SKIPPED
        for edge in targets.values():
            if len(edge) != 1 or edge.get("kind") not in usual:
                break
        else:
            continue  # the usual case: all of them on the node (or left out)
        for target, edge in targets.items():
            kind = edge.get("kind")
            if kind not in SKIPPED and not (len(edge) == 1 and kind in on_node):
                out.append({**edge, "source": source, "target": target})
    return out


_USUAL_EDGES: dict[tuple[str, ...], frozenset[str]] = {}


def node_lines(plan: Plan, encode: Any, spans: dict[str, list[str]]) -> Iterator[str]:
    """Each node of the plan as its format-3 line (without separators), in the graph's order,
    with the edges out of it that are written there."""
    graph = plan.graph
    units = {n: 1 for n, d in graph._node.items() if d["node"].kind == Kind.UNIT}
    roles = {n: 1 for n, d in graph._node.items() if d["node"].kind == Kind.ROLE}
    by_labels = {tuple(labels): span for span, labels in spans.items()}
    line = _KrLine(plan.metrics, by_labels, encode)
    owners: dict[str, str | None] = {}  # by the scope of an id (k:SCOPE#…): its owner's id
    succ = graph._succ
    for node_id, data in graph._node.items():
        record = data["node"]
        if isinstance(record, KeyResult):
            # owner_by_id and objective_by_id inlined, the owner once per scope: the
            # 115,000 KRs of 100,000 people share some 13,000 owners
            sharp = node_id.rfind("#") if node_id.startswith("k:") else -1
            if sharp < 0:
                objective = None
                owner = owner_by_id(node_id, units, roles)
            else:
                dot = node_id.rfind(".")
                objective = "o:" + node_id[2:dot] if dot > sharp else None
                scope = node_id[2:sharp]
                if scope in owners:
                    owner = owners[scope]
                else:
                    owner = owners[scope] = owner_by_id(node_id, units, roles)
            edges: dict[str, list[str]] | None = None
            targets = succ[node_id]
            if targets:
                for target, edge in targets.items():
                    kind = edge.get("kind") if len(edge) == 1 else None
                    if kind in _KR_EDGES:
                        if edges is None:
                            edges = {}
                        edges.setdefault(kind, []).append(target)
            yield line(record, objective, record.owner if record.owner != owner else None, edges)
            continue
        out = node_to_json(record)
        if isinstance(record, Objective) and record.owner == owner_by_id(record.id, units, roles):
            del out["owner"]
        on_node = NODE_EDGES.get(record.kind)
        if on_node is not None:
            for target, edge in succ[node_id].items():
                kind = edge.get("kind")
                if kind in on_node and len(edge) == 1:
                    out.setdefault(kind, []).append(target)
        yield encode(out)


class _KrLine:
    """A KR's format-3 line: ``encode(_kr_out(...))`` with the owner and the edges written on
    it, its text made here in the encoder's order of keys (sorted) rather than by encoding a
    dict (at 100,000 people, 115,000 dicts built and encoded took 1.5 of plan.json's 3.4 CPU
    s). Strings go through json's own quoting, whole numbers through ``int``'s text (as json
    writes them), any other value through ``encode``; the texts of a metric's fields are made
    once per metric. ``tests/test_planjson_format.py`` checks it against ``_kr_out``."""

    def __init__(self, metrics: Mapping[str, Any], spans: Mapping[Any, str], encode: Any):
        self.metrics, self.spans, self.encode = metrics, spans, encode
        self.texts: dict[Any, str] = {}

    def _number(self, value: Any) -> str:
        return str(value) if type(value) is int else self.encode(value)

    def _metric(self, kr: KeyResult) -> str:
        """The ``metric`` key's text (its value may be None)."""
        key = ("metric", kr.metric)
        found = self.texts.get(key)
        if found is None:
            found = self.texts[key] = '"metric":' + self.encode(kr.metric)
        return found

    def _to_owner(
        self,
        parts: list[str],
        kr: KeyResult,
        objective: str | None,
        owner: str | None,
        edges: dict[str, list[str]],
        metric: Mapping[str, Any],
        span: str | None,
    ) -> None:
        """The keys from ``aligns`` to ``owner``, in their order."""
        encode, number, add = self.encode, self._number, parts.append
        if "aligns" in edges:
            add('"aligns":' + encode(edges["aligns"]))
        if kr.deduction is not None:
            add('"deduction":' + number(kr.deduction))
        if kr.direction is not Direction.INCREASE:
            add('"direction":' + encode(kr.direction))
        if "drives" in edges:
            add('"drives":' + encode(edges["drives"]))
        if kr.due is not None:
            add('"due":' + encode(kr.due))
        if kr.fixed_weight:
            add('"fixed_weight":true')
        if kr.hires is not None:
            add('"hires":' + encode(kr.hires))
        add('"id":' + _quote(kr.id) + ',"kind":"kr"')
        derived = kr.kr_kind is KRKind.DERIVED
        if not derived:
            add('"kr_kind":' + encode(kr.kr_kind))
        add(self._metric(kr))
        if derived and not (metric and kr.money is (metric.get("kind") == "money")):
            add('"money":' + encode(kr.money))
        if span == "months":
            add('"months":' + encode(list(kr.periods.values())))
        if kr.name != metric.get("name"):
            add('"name":' + encode(kr.name))
        if kr.objective != objective:
            add('"objective":' + encode(kr.objective))
        if owner is not None:
            add('"owner":' + encode(owner))

    def _from_per(
        self,
        parts: list[str],
        kr: KeyResult,
        edges: dict[str, list[str]],
        metric: Mapping[str, Any],
        span: str | None,
    ) -> None:
        """The keys from ``per`` to ``weight``, in their order."""
        encode, number, add = self.encode, self._number, parts.append
        periods = kr.periods
        derived = kr.kr_kind is KRKind.DERIVED
        add('"per":' + encode(kr.per))
        if periods and span is None:
            add('"periods":' + encode(dict(periods)))
        if span == "quarters":
            add('"quarters":' + encode(list(periods.values())))
        if kr.sourced is not None:
            add('"sourced":' + number(kr.sourced))
        if "supports" in edges:
            add('"supports":' + encode(edges["supports"]))
        add('"target":' + number(kr.target))
        if kr.target_kind is not TargetKind.NUMBER:
            add('"target_kind":' + encode(kr.target_kind))
        if not derived:
            add('"target_per":' + encode(kr.target_per))
        if kr.text != kr.name:
            add('"text":' + encode(kr.text))
        if kr.total is not None:
            add('"total":' + number(kr.total))
        if derived and not (isinstance(metric.get("unit"), str) and kr.unit == metric["unit"]):
            add('"unit":' + encode(kr.unit))
        if span == "weeks":
            add('"weeks":' + encode(list(periods.values())))
        add('"weight":' + number(kr.weight))

    def __call__(
        self,
        kr: KeyResult,
        objective: str | None,
        owner: str | None,
        edges: dict[str, list[str]] | None,
    ) -> str:
        """``objective``: the one its id names; ``owner``: the owner to write (None: the one
        its id names); ``edges``: the target ids of its edges written on it, by kind."""
        parts: list[str] = []
        edges = edges if edges is not None else {}
        metric = self.metrics.get(kr.metric) if kr.metric is not None else None
        metric = metric if isinstance(metric, dict) else _NO_METRIC
        span = self.spans.get(tuple(kr.periods)) if kr.periods else None
        self._to_owner(parts, kr, objective, owner, edges, metric, span)
        self._from_per(parts, kr, edges, metric, span)
        return "{" + ",".join(parts) + "}"


_KR_EDGES = frozenset(NODE_EDGES[str(Kind.KR)])


# ---------------------------------------------------------------------------------------------
# Reading: a format-3 plan's nodes put back into format 2's (then checked as format 2 is).


def expand(data: dict[str, Any]) -> dict[str, Any]:
    """A format-3 plan as the format-2 plan it stands for: full node dicts, each node's edges
    in ``graph.edges`` (in node order, then the listed ones), with each edge's key path and
    what could not be expanded kept for :mod:`okrplan.export.planjson`'s checks. Anything not
    a list or object where one is expected is left for those checks to report. The node
    dicts are changed in place (they are the caller's fresh ``json.loads``)."""
    graph = data.get("graph")
    if not isinstance(graph, dict):
        return data
    nodes, listed = graph.get("nodes"), graph.get("edges")
    if not isinstance(nodes, list) or not isinstance(listed, list):
        return data
    problems: list[tuple[str, str]] = []
    spans = data.get("periods", {})
    if not isinstance(spans, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in spans.values()
    ):
        problems.append(("periods", "expected an object of lists of period labels"))
        spans = {}
    metrics: dict[str, Any] = data["metrics"] if isinstance(data.get("metrics"), dict) else {}
    units, roles = _members(nodes)
    full: list[Any] = []
    edges: list[Any] = []
    places: list[tuple[int, str, int]] = []
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            full.append(node)
            continue
        # the dicts are json.loads' own, made for this plan: changed in place
        for kind in NODE_EDGES.get(str(node.get("kind")), ()):
            if kind not in node:
                continue
            targets = node.pop(kind)
            if not isinstance(targets, list):
                problems.append((f"graph.nodes[{i}].{kind}", "expected a list of node ids"))
                continue
            for j, target in enumerate(targets):
                edges.append({"kind": kind, "source": node.get("id"), "target": target})
                places.append((i, kind, j))
        if node.get("kind") in (Kind.OBJECTIVE, Kind.KR) and "owner" not in node:
            owner = owner_by_id(node.get("id"), units, roles)
            if owner is not None:
                node["owner"] = owner
        if node.get("kind") == Kind.KR:
            _expand_kr(node, f"graph.nodes[{i}]", metrics, spans, problems)
        full.append(node)
    edges += listed
    rest = {k: v for k, v in data.items() if k != "periods"}
    return {
        **rest,
        "graph": {**graph, "nodes": full, "edges": edges},
        EXPANDED: problems,
        PLACES: places,
    }


def edge_place(places: Sequence[tuple[int, str, int]], index: int) -> str:
    """The key path of the edge at ``index`` of an expanded plan's edges: ``places`` says
    where the edges written on nodes are (node index, kind, position); the rest are
    ``graph.edges`` in order (in a format-2 plan, all of them)."""
    if index < len(places):
        node, kind, at = places[index]
        return f"graph.nodes[{node}].{kind}[{at}]"
    return f"graph.edges[{index - len(places)}]"


def _members(nodes: list[Any]) -> tuple[dict[str, int], dict[str, int]]:
    """The ids of the units and of the roles among ``nodes``."""
    units: dict[str, int] = {}
    roles: dict[str, int] = {}
    for node in nodes:
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            if node.get("kind") == Kind.UNIT:
                units[node["id"]] = 1
            elif node.get("kind") == Kind.ROLE:
                roles[node["id"]] = 1
    return units, roles


def _expand_kr(
    node: dict[str, Any],
    where: str,
    metrics: Mapping[str, Any],
    spans: Mapping[str, list[str]],
    problems: list[tuple[str, str]],
) -> None:
    """Put back the fields :func:`_compact_kr` leaves out of a KR's node dict."""
    if "objective" not in node and (objective := objective_by_id(node.get("id"))) is not None:
        node["objective"] = objective
    for key, usual in KR_USUAL.items():
        node.setdefault(key, usual)
    name = node.get("metric")
    metric = metrics.get(name) if isinstance(name, str) else None
    if isinstance(metric, dict):
        if "name" not in node and isinstance(metric.get("name"), str):
            node["name"] = metric["name"]
        if node["kr_kind"] == KRKind.DERIVED:
            if "unit" not in node and isinstance(metric.get("unit"), str):
                node["unit"] = metric["unit"]
            node.setdefault("money", metric.get("kind") == "money")
    if "text" not in node and "name" in node:
        node["text"] = node["name"]
    if "periods" in node:
        return
    node["periods"] = {}
    for span in ("months", "quarters", "weeks"):
        if span not in node:
            continue
        values, labels = node.pop(span), spans.get(span)
        if not isinstance(values, list) or labels is None or len(values) != len(labels):
            count = "a list" if labels is None else f"{len(labels)} values"
            problems.append(
                (f"{where}.{span}", f"expected {count}, one for each label of periods.{span}")
            )
        else:
            node["periods"] = dict(zip(labels, values, strict=True))
        return
