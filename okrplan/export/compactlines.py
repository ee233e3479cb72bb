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
from itertools import chain, islice
from json.encoder import encode_basestring as _quote
from operator import attrgetter
from typing import Any

from okrplan import queries
from okrplan.export.compact import NODE_EDGES, SKIPPED, span_of
from okrplan.graph import Kind
from okrplan.model import (
    Direction,
    KeyResult,
    KRKind,
    Marginal,
    Objective,
    RoleGroup,
    TargetKind,
    node_to_json,
)
from okrplan.plan import Plan

Encode = Callable[[Any], str]

_PERIODS = attrgetter("periods")
# the edges written on a KR, as _edges_of writes them
assert NODE_EDGES[str(Kind.KR)] == ("aligns", "drives", "supports")
_NO_EDGES = ("", "", "")
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
    # the KRs as the report and the sheets read them (kept per graph, made before the fork)
    periods = list(map(_PERIODS, queries.records_of(plan.graph, KeyResult)))
    # counted by the dicts first: the KRs of a group share their periods' dict
    by_id = dict(zip(map(id, periods), periods, strict=True))
    seen: Counter[tuple[str, ...]] = Counter()
    for key, count in Counter(map(id, periods)).items():
        if labels := tuple(by_id[key]):
            seen[labels] += count
    out: dict[str, list[str]] = {}
    for labels, _ in sorted(seen.items(), key=lambda item: (-item[1], item[0])):
        out.setdefault(span_of(labels[0]), list(labels))
    return dict(sorted(out.items()))


def plain_edges(plan: Plan) -> bool:
    """Whether every edge is a plain ``{"kind": k}`` of a kind written on its source node or
    left out (as decompose makes the graph); checked by dict comparison in C (a plan of
    100,000 people has 390,000 edges)."""
    graph = plan.graph
    by_kind: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for data, targets in zip(graph._node.values(), graph._succ.values(), strict=True):
        if targets:
            by_kind.setdefault(NODE_EDGES.get(data["node"].kind, ()), []).append(targets)
    for on_node, sources in by_kind.items():
        plain = [{"kind": kind} for kind in sorted(SKIPPED | set(on_node))]
        # each edge's data compared once: a plan's edges of a kind share theirs
        # (graph.built); the list holds them, so that their ids are no other's
        data = list(chain.from_iterable(map(dict.values, sources)))
        if not all(map(plain.__contains__, dict(zip(map(id, data), data, strict=True)).values())):
            return False
    return True


def listed_edges(plan: Plan, plain: bool) -> list[dict[str, Any]]:
    """The edges format 3 lists in ``graph.edges``: those with more than a kind, or of a kind
    not written on their source node (none where the edges are ``plain``)."""
    if plain:
        return []
    graph = plan.graph
    out: list[dict[str, Any]] = []
    for source, targets in graph._succ.items():
        on_node = NODE_EDGES.get(graph._node[source]["node"].kind, ())
        for target, edge in targets.items():
            kind = edge.get("kind")
            if kind not in SKIPPED and not (len(edge) == 1 and kind in on_node):
                out.append({**edge, "source": source, "target": target})
    return out


def node_lines(
    plan: Plan,
    encode: Encode,
    spans: dict[str, list[str]],
    start: int = 0,
    stop: int | None = None,
) -> Iterator[str]:
    """Each node of the plan (the ``start``-th to before the ``stop``-th) as its format-3
    line (without separators), in the graph's order, with the edges out of it that are
    written there. A line depends on its node alone (what is kept on the way only saves
    work), so the lines of a range are those of the whole run."""
    graph = plan.graph
    succ = graph._succ
    line = KrLine(plan.metrics, {tuple(labels): span for span, labels in spans.items()}, encode)
    owners = Owners(graph._node)
    role_line = RoleLine(encode)
    # a KR's objective and owner as its id names them, by the id up to its last dot: the
    # same for the KRs of an objective (see _named)
    by_stem: dict[str, tuple[str | None, str | None]] = {}
    for node_id, data in islice(graph._node.items(), start, stop):
        record = data["node"]
        cls = type(record)
        if cls is KeyResult:
            dot = node_id.rfind(".")
            if dot >= 2 and node_id.find("#", dot) < 0:
                stem = node_id[:dot]
                named = by_stem.get(stem)
                if named is None:
                    named = by_stem[stem] = _named(node_id, owners)
            else:
                named = _named(node_id, owners)
            objective, owner = named
            written = record.owner
            yield line.text(record, objective, None if written == owner else written, succ[node_id])
            continue
        if cls is RoleGroup:  # no edges written on a role
            yield role_line(record)
            continue
        if cls is Objective:
            yield _objective_line(record, _named(node_id, owners)[1], encode)
            continue
        out = node_to_json(record)
        on_node = NODE_EDGES.get(record.kind)
        if on_node is not None:
            for target, edge in succ[node_id].items():
                edge_kind = edge.get("kind")
                if edge_kind in on_node and len(edge) == 1:
                    out.setdefault(edge_kind, []).append(target)
        yield encode(out)


def _named(node_id: str, owners: Owners) -> tuple[str | None, str | None]:
    """The objective and the owner a KR's id ``k:SCOPE#i.j`` names, or the owner an
    objective's id ``o:SCOPE#i`` names (None for an id off those patterns); they follow from
    the id up to its last ``#`` (the objective: up to its last dot after that)."""
    sharp = node_id.rfind("#") if node_id[:2] in ("k:", "o:") else -1
    owner = owners[node_id[2:sharp]] if sharp >= 0 else None
    objective = None
    if sharp >= 0 and node_id[0] == "k":
        dot = node_id.rfind(".")
        objective = "o:" + node_id[2:dot] if dot > sharp else None
    return objective, owner


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


def _edges_of(targets: Mapping[str, Mapping[str, Any]]) -> tuple[str, str, str]:
    """The texts of the keys ``aligns``, ``drives`` and ``supports`` of a KR whose
    successors are ``targets`` (edge data by target id): json's text of each list of ids,
    made as they come (the quickest way for the two or three edges of a KR)."""
    aligns = drives = supports = ""
    for to, edge in targets.items():
        if len(edge) == 1:
            kind = edge.get("kind")
            if kind == "aligns":
                aligns += ("," if aligns else '"aligns":[') + _quote(to)
            elif kind == "drives":
                drives += ("," if drives else '"drives":[') + _quote(to)
            elif kind == "supports":
                supports += ("," if supports else '"supports":[') + _quote(to)
    return aligns and aligns + "],", drives and drives + "],", supports and supports + "],"


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
        self.quoted: dict[str, str] = {}

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
        encode, deduction = self.encode, kr.deduction
        # the fields read as attributes (quicker than an attrgetter's tuple); a deduction by
        # its text: 2 == 2.0 and 0.0 == -0.0 differ in it (most KRs have none)
        shape = (
            deduction if deduction is None else _number(deduction, encode),
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
            # the KRs of a group share their periods' dict: its texts are kept by its id (and
            # the dict with them, so that its id is no other's)
            found = self.by_id.get(id(periods))
            if found is None:
                found = self.by_id[id(periods)] = (periods, *self._periods(periods))
            _, months, quarters, weeks = found
        aligns, drives, supports = _edges_of(targets) if targets else _NO_EDGES
        # whole numbers go into the f-string as they are (their text is json's)
        own, target, weight = kr.objective, kr.target, kr.weight
        total, sourced = kr.total, kr.sourced
        target_text = target if type(target) is int else encode(target)
        weight_text = weight if type(weight) is int else encode(weight)
        tail = "" if total is None else f'"total":{_number(total, encode)},'
        if sourced is not None:
            supports = f'"sourced":{_number(sourced, encode)},{supports}'
        if owner is not None:  # an owner is one of some 10,000 units and roles: quoted once
            owner = self.quoted.get(owner) or self._quoted(owner)
        return (
            f'{{{aligns}{s0}{drives}{s1}"id":{_quote(kr.id)},"kind":"kr",{s2}{months}{s3}'
            f'{"" if own == objective else f""""objective":{encode(own)},"""}'
            f'{"" if owner is None else f""""owner":{owner},"""}{s4}{quarters}'
            f'{supports}"target":{target_text},{s5}{tail}{s6}{weeks}"weight":{weight_text}}}'
        )

    def _quoted(self, text: Any) -> str:
        """json's text of ``text``, kept if it is a string."""
        if type(text) is not str:
            return self.encode(text)
        quoted = self.quoted[text] = _quote(text)
        return quoted

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
        self.shapes[shape] = pieces
        return pieces


class RoleLine:
    """A role group's line: :func:`okrplan.model.node_to_json`'s dict encoded with sorted
    keys, made as text (its lists of names quoted one by one; its capacity, ramp, marginal
    gains and binding limits, alike in many groups, encoded once)."""

    def __init__(self, encode: Encode):
        self.encode = encode
        self.kept: dict[Any, str] = {}  # a capacity's text by its items (all text)
        self.by_id: dict[int, tuple[Any, str]] = {}  # ramp, marginal, binding by id

    def __call__(self, role: RoleGroup) -> str:
        try:
            return self._text(role)
        except TypeError:  # a name that is no text: as the encoder writes it
            return self.encode(node_to_json(role))

    def _text(self, role: RoleGroup) -> str:
        encode, number = self.encode, _number
        hires, sells = role.new_hires, role.sells
        new_hires = "true" if hires is True else "false" if hires is False else encode(hires)
        sells_text = _quote(sells) if type(sells) is str else encode(sells)
        items = tuple(role.capacity.items())
        capacity = self.kept.get(items)
        if capacity is None:
            capacity = encode(dict(role.capacity))
            if all(type(k) is str and type(v) is str for k, v in items):
                self.kept[items] = capacity
        head = (
            f'"capacity":{capacity},"headcount":{number(role.headcount, encode)},'
            f'"id":{_quote(role.id)},"kind":"role","label":{_quote(role.label)},'
        )
        tail = (
            f'"name":{_quote(role.name)},"new_hires":{new_hires},'
            f'"path":[{",".join(map(_quote, role.path))}],'
            f'"people":[{",".join(map(_quote, role.people))}],'
        )
        selling = role.selling
        if selling is None:
            return f'{{{head}{tail}"sells":{sells_text}}}'
        binding, marginal, ramp = (
            self._kept(selling.binding, list),
            self._kept(selling.marginal, _marginal),
            self._kept(selling.ramp, list),
        )
        return (
            f'{{"basis":{number(selling.basis, encode)},"binding":{binding},{head}'
            f'"marginal":{marginal},{tail}"per_person":{number(selling.per_person, encode)},'
            f'"quota":{number(selling.quota, encode)},"ramp":{ramp},'
            f'"sells":{sells_text},"stretch":{number(selling.stretch, encode)}}}'
        )

    def _kept(self, value: Any, plain: Callable[[Any], Any]) -> str:
        """``value`` made ``plain`` and encoded, once per object (kept with its text, so
        that its id is no other's)."""
        found = self.by_id.get(id(value))
        if found is None or found[0] is not value:
            found = self.by_id[id(value)] = (value, self.encode(plain(value)))
        return found[1]


def _marginal(gains: tuple[Marginal, ...]) -> list[dict[str, Any]]:
    """A role's marginal gains as :func:`okrplan.model.node_to_json` has them."""
    return [{"metric": m.metric, "per": m.per, "adds": m.adds} for m in gains]
