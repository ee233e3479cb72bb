"""plan.json format 3's lines (:mod:`okrplan.export.compact`), made as text.

At 100,000 people a plan has some 167,000 nodes, 115,000 of them key results; building each
node's dict and encoding it took most of plan.json's time. A KR's line is made here as text
in the encoder's order of keys (sorted), from pieces made once and reused: the keys that
follow from a KR's kind, metric and rules (its *shape*: a few hundred in a plan) once per
shape, the values of its periods once per list of values (83,000 lists, 5,800 of them
different at 100,000 people), an owner once per scope of ids. Strings go through json's own
quoting, whole numbers through ``int``'s text (as json writes them), any other value through
the encoder. ``tests/test_planjson_format.py`` checks each line against the node's dict
encoded.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from itertools import chain
from json.encoder import encode_basestring as _quote
from operator import attrgetter
from typing import Any

from okrplan.export.compact import NODE_EDGES, SKIPPED, span_of
from okrplan.graph import Kind
from okrplan.model import Direction, KeyResult, KRKind, Objective, TargetKind, node_to_json
from okrplan.plan import Plan

Encode = Callable[[Any], str]

_PERIODS = attrgetter("periods")
_KR_EDGES = frozenset(NODE_EDGES[str(Kind.KR)])
_NO_METRIC: dict[str, Any] = {}


class Owners(dict[str, str | None]):
    """The owner an id ``k:SCOPE#…`` or ``o:SCOPE#…`` names, by its scope: ``u:SCOPE`` if
    the plan has that unit, else ``r:SCOPE`` if it has that role (as
    :func:`okrplan.export.compact.owner_by_id`), found once per scope: the 150,000
    objectives and KRs of 100,000 people have some 13,000 owners."""

    def __init__(self, nodes: Mapping[str, Mapping[str, Any]]) -> None:
        super().__init__()
        self.nodes = nodes

    def __missing__(self, scope: str) -> str | None:
        found = None
        for prefix, kind in (("u:", Kind.UNIT), ("r:", Kind.ROLE)):
            data = self.nodes.get(prefix + scope)
            if data is not None and data["node"].kind == kind:
                found = prefix + scope
                break
        self[scope] = found
        return found


def calendar(plan: Plan) -> dict[str, list[str]]:
    """The period labels of the plan's KRs, one list per span: the labels most KRs of that
    span have (ties: the first in order), so that their periods are written as values only."""
    records = [data["node"] for data in plan.graph._node.values()]
    krs = [record for record in records if type(record) is KeyResult]
    seen = Counter(filter(None, map(tuple, map(_PERIODS, krs))))
    out: dict[str, list[str]] = {}
    for labels, _ in sorted(seen.items(), key=lambda item: (-item[1], item[0])):
        out.setdefault(span_of(labels[0]), list(labels))
    return dict(sorted(out.items()))


def listed_edges(plan: Plan) -> list[dict[str, Any]]:
    """The edges format 3 lists in ``graph.edges``: those with more than a kind, or of a kind
    not written on their source node (none, as decompose makes the graph)."""
    graph = plan.graph
    succ = graph._succ
    by_kind: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for data, targets in zip(graph._node.values(), succ.values(), strict=True):
        if targets:
            by_kind.setdefault(NODE_EDGES.get(data["node"].kind, ()), []).append(targets)
    usual = True
    for on_node, sources in by_kind.items():
        # every edge a dict {"kind": k} of a kind written on its node or left out: checked
        # by dict comparison in C (each edge of a plan of 100,000 people, 390,000 of them)
        plain = [{"kind": kind} for kind in sorted(SKIPPED | set(on_node))]
        edges = chain.from_iterable(map(dict.values, sources))
        usual = usual and all(map(plain.__contains__, edges))
    if usual:
        return []
    out: list[dict[str, Any]] = []
    for source, targets in succ.items():
        on_node = NODE_EDGES.get(graph._node[source]["node"].kind, ())
        for target, edge in targets.items():
            kind = edge.get("kind")
            if kind not in SKIPPED and not (len(edge) == 1 and kind in on_node):
                out.append({**edge, "source": source, "target": target})
    return out


def node_lines(plan: Plan, encode: Encode, spans: dict[str, list[str]]) -> Iterator[str]:
    """Each node of the plan as its format-3 line (without separators), in the graph's order,
    with the edges out of it that are written there."""
    graph = plan.graph
    succ = graph._succ
    line = KrLine(plan.metrics, {tuple(labels): span for span, labels in spans.items()}, encode)
    owners = Owners(graph._node)
    for node_id, data in graph._node.items():
        record = data["node"]
        cls = type(record)
        if cls is KeyResult or cls is Objective:
            sharp = node_id.rfind("#") if node_id[:2] in ("k:", "o:") else -1
            owner = owners[node_id[2:sharp]] if sharp >= 0 else None
            if cls is Objective:
                yield _objective_line(record, owner, encode)
                continue
            objective = None
            if sharp >= 0 and node_id[0] == "k":
                dot = node_id.rfind(".")
                objective = "o:" + node_id[2:dot] if dot > sharp else None
            written = None if record.owner == owner else record.owner
            yield line.text(record, objective, written, succ[node_id])
            continue
        out = node_to_json(record)
        on_node = NODE_EDGES.get(record.kind)
        if on_node is not None:
            for target, edge in succ[node_id].items():
                edge_kind = edge.get("kind")
                if edge_kind in on_node and len(edge) == 1:
                    out.setdefault(edge_kind, []).append(target)
        yield encode(out)


def _objective_line(objective: Objective, owner: str | None, encode: Encode) -> str:
    """An objective's line: its dict's text (keys sorted), without the owner its id names."""
    if not all(type(text) is str for text in (objective.id, objective.name, objective.detail)):
        out = node_to_json(objective)
        if objective.owner == owner:
            del out["owner"]
        return encode(out)
    weight = objective.weight
    return (
        '{"detail":'
        + _quote(objective.detail)
        + ',"id":'
        + _quote(objective.id)
        + ',"kind":"objective","name":'
        + _quote(objective.name)
        + ("," if objective.owner == owner else ',"owner":' + encode(objective.owner) + ",")
        + '"weight":'
        + (str(weight) if type(weight) is int else encode(weight))
        + "}"
    )


def _number(value: Any, encode: Encode) -> str:
    """json's text of a number (or null)."""
    return str(value) if type(value) is int else encode(value)


class KrLine:
    """A KR's format-3 line: its dict (:func:`okrplan.model.node_to_json` less what format 3
    leaves out, see :mod:`okrplan.export.compact`) with the owner and edges written on it,
    encoded with sorted keys, made as text. ``metrics``: the plan's; ``spans``: the span
    (months, quarters, weeks) of each list of labels written once in ``periods``."""

    def __init__(self, metrics: Mapping[str, Any], spans: Mapping[Any, str], encode: Encode):
        self.metrics, self.spans, self.encode = metrics, spans, encode
        self.shapes: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self.values: dict[tuple[Any, ...], str] = {}  # a list of whole numbers' text
        self.by_id: dict[int, tuple[Any, str, str, str]] = {}

    def __call__(
        self,
        kr: KeyResult,
        objective: str | None,
        owner: str | None,
        edges: dict[str, list[str]] | None,
    ) -> str:
        """``objective``: the one its id names; ``owner``: the owner to write (None: the one
        its id names); ``edges``: the target ids of its edges written on it, by kind."""
        targets = {t: {"kind": kind} for kind, ids in (edges or {}).items() for t in ids}
        return self.text(kr, objective, owner, targets)

    def text(
        self,
        kr: KeyResult,
        objective: str | None,
        owner: str | None,
        targets: Mapping[str, Mapping[str, Any]],
    ) -> str:
        """As :meth:`__call__`, with the edges out of the KR (``targets``: the graph's
        successors of the KR, edge data by target id)."""
        # the fields read as attributes (quicker than an attrgetter's tuple)
        shape = (
            kr.deduction,
            kr.direction,
            kr.due,
            kr.fixed_weight,
            kr.hires,
            kr.kr_kind,
            kr.metric,
            kr.money,
            kr.name,
            kr.per,
            kr.target_kind,
            kr.target_per,
            kr.text,
            kr.unit,
        )
        pieces = self.shapes.get(shape)
        if pieces is None:
            pieces = self._shape(kr, shape)
        s0, s1, s2, s3, s4, s5, s6 = pieces
        periods = kr.periods
        months = quarters = weeks = ""
        if periods:
            # the KRs of a group share their periods' dict: its texts are kept by its id
            # (and the dict with them, so that its id is no other's)
            found = self.by_id.get(id(periods))
            if found is None or found[0] is not periods:
                found = self.by_id[id(periods)] = (periods, *self._periods(periods))
            _, months, quarters, weeks = found
        aligns = drives = supports = ""
        edges: dict[str, list[str]] | None = None
        for to, edge in targets.items():
            kind = edge.get("kind") if len(edge) == 1 else None
            if kind in _KR_EDGES:
                if edges is None:
                    edges = {}
                edges.setdefault(kind, []).append(to)
        if edges is not None:
            if "aligns" in edges:
                aligns = '"aligns":[' + ",".join(map(_quote, edges["aligns"])) + "],"
            if "drives" in edges:
                drives = '"drives":[' + ",".join(map(_quote, edges["drives"])) + "],"
            if "supports" in edges:
                supports = '"supports":[' + ",".join(map(_quote, edges["supports"])) + "],"
        encode = self.encode
        own, target, weight = kr.objective, kr.target, kr.weight
        total, sourced = kr.total, kr.sourced
        tail = "" if total is None else '"total":' + _number(total, encode) + ","
        if sourced is not None:
            supports = '"sourced":' + _number(sourced, encode) + "," + supports
        return (
            f'{{{aligns}{s0}{drives}{s1}"id":{_quote(kr.id)},"kind":"kr",{s2}{months}{s3}'
            f'{"" if own == objective else f""""objective":{encode(own)},"""}'
            f'{"" if owner is None else f""""owner":{encode(owner)},"""}{s4}{quarters}'
            f'{supports}"target":{str(target) if type(target) is int else encode(target)},{s5}'
            f'{tail}{s6}{weeks}"weight":{str(weight) if type(weight) is int else encode(weight)}}}'
        )

    def _periods(self, periods: Mapping[str, Any]) -> tuple[str, str, str]:
        """The texts of the keys ``months``, ``periods`` or ``quarters``, and ``weeks``: a
        KR's periods as values alone where their labels are a list of ``periods``."""
        span = self.spans.get(tuple(periods))
        if span is None:
            return "", '"periods":' + self.encode(dict(periods)) + ",", ""
        values = tuple(periods.values())
        try:
            # whole numbers alone are looked up (1 == 1.0, but their texts differ); a plan's
            # numbers are never bools (model.Number)
            whole = type(sum(values)) is int
        except TypeError:
            whole = False
        text = self.values.get(values) if whole else None
        if text is None:
            text = self.encode(list(values))
            if whole:
                self.values[values] = text
        text = '"' + span + '":' + text + ","
        if span == "months":
            return text, "", ""
        return ("", text, "") if span == "quarters" else ("", "", text)

    def _shape(self, kr: KeyResult, shape: tuple[Any, ...]) -> tuple[str, ...]:
        """The text between the KR's own values (id, owner, periods, numbers, edges): the
        keys before ``drives``, before ``id``, after ``kind``, before ``objective``, from
        ``per``, after ``target`` and before ``weeks``; kept for the KRs of its shape."""
        encode = self.encode
        number = functools.partial(_number, encode=encode)
        derived = kr.kr_kind is KRKind.DERIVED
        metric = self.metrics.get(kr.metric) if kr.metric is not None else None
        metric = metric if isinstance(metric, dict) else _NO_METRIC
        pieces = (
            ("" if kr.deduction is None else f'"deduction":{number(kr.deduction)},')
            + (
                "" if kr.direction is Direction.INCREASE else f'"direction":{encode(kr.direction)},'
            ),
            ("" if kr.due is None else f'"due":{encode(kr.due)},')
            + ('"fixed_weight":true,' if kr.fixed_weight else "")
            + ("" if kr.hires is None else f'"hires":{encode(kr.hires)},'),
            ("" if derived else f'"kr_kind":{encode(kr.kr_kind)},')
            + f'"metric":{encode(kr.metric)},'
            + (
                f'"money":{encode(kr.money)},'
                if derived and not (metric and kr.money is (metric.get("kind") == "money"))
                else ""
            ),
            "" if kr.name == metric.get("name") else f'"name":{encode(kr.name)},',
            f'"per":{encode(kr.per)},',
            (
                ""
                if kr.target_kind is TargetKind.NUMBER
                else f'"target_kind":{encode(kr.target_kind)},'
            )
            + ("" if derived else f'"target_per":{encode(kr.target_per)},')
            + ("" if kr.text == kr.name else f'"text":{encode(kr.text)},'),
            f'"unit":{encode(kr.unit)},'
            if derived and not (isinstance(metric.get("unit"), str) and kr.unit == metric["unit"])
            else "",
        )
        if kr.deduction is None or type(kr.deduction) is int:  # 1 == 1.0: see _periods
            self.shapes[shape] = pieces
        return pieces
