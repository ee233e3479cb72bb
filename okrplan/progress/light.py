"""What `okrplan status` reads of a plan, without the goal graph.

:func:`okrplan.api.load_plan` of a 100,000-person plan checks every node and edge, validates
some 167,000 records and builds the networkx graph: most of what a status of the whole plan
cost. Status needs less: the units and role groups (the org tree), each owner's objectives,
the KRs with their owner, objective, numbers and the KR each aligns to. :func:`read` takes
those from plan.json as written by okrplan (format 2 or 3) in one ``json.loads``: units and
role groups are validated as records as usual, KRs are made as records directly from their
fields (their enums looked up; no other checks), objectives only when shown. A file this
reading finds anything odd in gives None: the caller then loads it fully, which checks it and
says what is wrong. :func:`of_plan` makes the same view of a plan already loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okrplan.choices import PLAN_FILE

if TYPE_CHECKING:
    from okrplan.model import KeyResult


@lru_cache(maxsize=1)
def _enums() -> dict[str, dict[Any, Any]]:
    """Each enum field's values by their text (the model imported only by a reading of
    plan.json, never by a status from the index)."""
    from okrplan.model import Direction, KRKind, Per, TargetKind, TargetPer

    return {
        "kr_kind": {str(e): e for e in KRKind},
        "per": {str(e): e for e in Per},
        "target_kind": {None: None, **{str(e): e for e in TargetKind}},
        "direction": {str(e): e for e in Direction},
        "target_per": {None: None, **{str(e): e for e in TargetPer}},
    }


class KrFacts:
    """What progress reads of a KR (a :class:`~okrplan.model.KeyResult`'s fields of those
    names; its periods as ``labels`` and ``values``, the labels shared by the KRs of a span).
    Plain slots: made 115,000 times at 100,000 people, where a frozen record costs more."""

    __slots__ = (
        "direction",
        "due",
        "hires",
        "id",
        "kr_kind",
        "labels",
        "money",
        "name",
        "objective",
        "owner",
        "per",
        "target",
        "target_kind",
        "target_per",
        "total",
        "values",
        "weight",
    )  # fmt: skip

    def __init__(
        self, id: str, owner: str, objective: str, kr_kind: Any, per: Any, target: Any,
        target_kind: Any, target_per: Any, direction: Any, total: Any, due: str | None,
        hires: str | None, weight: Any, labels: tuple[str, ...], values: list[Any],
        name: str = "", money: bool | None = None,
    ) -> None:  # fmt: skip
        self.id, self.owner, self.objective, self.kr_kind = id, owner, objective, kr_kind
        self.per, self.target, self.target_kind, self.target_per = (
            per,
            target,
            target_kind,
            target_per,
        )
        self.direction, self.total, self.due, self.hires = direction, total, due, hires
        self.weight, self.labels, self.values = weight, labels, values
        self.name, self.money = name, money

    @classmethod
    def of(cls, kr: KeyResult) -> KrFacts:
        return cls(
            kr.id, kr.owner, kr.objective, kr.kr_kind, kr.per, kr.target, kr.target_kind,
            kr.target_per, kr.direction, kr.total, kr.due, kr.hires, kr.weight,
            tuple(kr.periods), list(kr.periods.values()), kr.name, kr.money,
        )  # fmt: skip


class Owner:
    """A unit's or role group's fields a status reads, as the status index keeps them (read
    like the :class:`~okrplan.model.Unit` and :class:`~okrplan.model.RoleGroup` records:
    ``kind`` says which; a unit's ``label`` is its name, its headcount 0)."""

    __slots__ = ("headcount", "id", "kind", "label", "name", "new_hires", "path", "people",
                 "selling")  # fmt: skip

    def __init__(
        self, id: str, kind: str, name: str, label: str, path: tuple[str, ...], headcount: int,
        new_hires: bool, people: tuple[str, ...], ramp: tuple[Any, ...] | None = None,
    ) -> None:  # fmt: skip
        self.id, self.kind, self.name, self.label, self.path = id, kind, name, label, path
        self.headcount, self.new_hires, self.people = headcount, new_hires, people
        self.selling = Ramp(ramp) if ramp is not None else None


class Ramp:
    """A role group's selling, as far as a status reads it: its ramp."""

    __slots__ = ("ramp",)

    def __init__(self, ramp: tuple[Any, ...]) -> None:
        self.ramp = ramp


class Named:
    """An objective as a status shows it: its id and name."""

    __slots__ = ("id", "name")

    def __init__(self, id: str, name: str) -> None:
        self.id, self.name = id, name


def is_role(record: Any) -> bool:
    """Whether an owner (a record or an :class:`Owner`) is a role group."""
    return bool(record.kind == "role")


@dataclass(slots=True)
class LightPlan:
    """The org tree, objectives and KRs of a plan, by id, in the file's order."""

    meta: dict[str, Any]
    root: str
    owners: dict[str, Any] = field(default_factory=dict)  # Unit | RoleGroup | Owner
    krs: dict[str, KrFacts] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)  # KR id → record, node dict or facts
    contains: dict[str, list[str]] = field(default_factory=dict)  # unit → units and roles
    aligned: dict[str, list[str]] = field(default_factory=dict)  # KR → the KRs aligned to it
    objectives: dict[str, list[str]] = field(default_factory=dict)  # owner → its objectives
    measures: dict[str, list[str]] = field(default_factory=dict)  # objective → its KRs
    objective_data: dict[str, Any] = field(default_factory=dict)  # id → dict, record or Named
    format3: _Format3 | None = None
    specs: dict[str, Any] | None = None  # KR id → what it is measured against (the index's)

    @property
    def locale(self) -> str:
        return str(self.meta.get("locale", "zh-CN"))

    def org_children(self, owner: str) -> list[str]:
        """:func:`okrplan.queries.org_children` of this view."""
        kids = self.contains.get(owner, [])
        roles = [
            k
            for k in kids
            if is_role(r := self.owners[k]) and not (r.new_hires and not r.headcount)
        ]
        return roles + [k for k in kids if not is_role(self.owners[k])]

    def objective(self, objective_id: str) -> Any:
        """The objective's record (a :class:`Named` from the index)."""
        found = self.objective_data[objective_id]
        if isinstance(found, dict):
            from okrplan.model import node_from_json

            found = self.objective_data[objective_id] = node_from_json(found)
        return found

    def key_result(self, kr_id: str) -> Any:
        """The KR's record (its :class:`KrFacts` from the index)."""
        found = self.records[kr_id]
        if not isinstance(found, dict):
            return found
        assert self.format3 is not None
        made = self.records[kr_id] = self.format3.record(found)
        return made

    def sheet(self, owner: str) -> list[tuple[Any, list[Any]]]:
        """:func:`okrplan.queries.sheet` of this view."""
        return [
            (self.objective(o), [self.key_result(k) for k in self.measures.get(o, ())])
            for o in self.objectives.get(owner, ())
        ]

    def has(self, node_id: str) -> bool:
        """Whether the plan has a node of this id."""
        return node_id in self.krs or node_id in self.owners or node_id in self.objective_data

    def units(self) -> Iterator[Any]:
        for record in self.owners.values():
            if not is_role(record):
                yield record


def read(folder: Path) -> LightPlan | None:
    """The :class:`LightPlan` of the plan.json in ``folder``; None if it is not as okrplan
    writes it (format 2 or 3, every node where this reading expects it)."""
    try:
        data = json.loads((folder / PLAN_FILE).read_bytes())
        return _light(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def _light(data: dict[str, Any]) -> LightPlan | None:
    from okrplan.export import compact
    from okrplan.model import node_from_json

    three = data.get("okrplan") == compact.FORMAT
    if not three and data.get("okrplan") != 2:
        return None
    nodes, edges = data["graph"]["nodes"], data["graph"]["edges"]
    if three and edges:  # edges of more than a kind: not as decompose writes them
        return None
    months = data["plan"].get("months")
    if not isinstance(months, list) or not months or not all(type(m) is str for m in months):
        return None  # a plan.json edited by hand: the full reading says what is wrong
    plan = LightPlan(dict(data["plan"]), "")
    krs: list[dict[str, Any]] = []
    for item in nodes:
        kind = item["kind"]
        if kind in ("unit", "role"):
            contains = item.pop("contains", None) if three else None
            record = node_from_json(item)
            plan.owners[record.id] = record
            if contains is not None:
                edges.extend({"kind": "contains", "source": record.id, "target": t}
                             for t in contains)  # fmt: skip
        elif kind == "objective":
            plan.objective_data[item["id"]] = item
        elif kind == "kr":
            krs.append(item)
        else:
            return None
    made = plan.format3 = _Format3(plan, data) if three else None
    for item in krs:
        full: Any = item  # a format-3 KR's record is made when it is shown
        if made is None:
            full = _kr(item)
            facts = KrFacts.of(full)
        else:
            facts = made.facts(item, edges)
        if facts.owner not in plan.owners or facts.objective not in plan.objective_data:
            return None
        plan.krs[facts.id], plan.records[facts.id] = facts, full
    for item in plan.objective_data.values():
        if made is not None and "owner" not in item:
            item["owner"] = made.owner(item["id"])
        if item.get("owner") not in plan.owners:
            return None
        plan.objectives.setdefault(item["owner"], []).append(item["id"])
    for kr in plan.krs.values():
        plan.measures.setdefault(kr.objective, []).append(kr.id)
    return _edges(plan, edges)


class _Format3:
    """A format-3 KR's record: what :func:`okrplan.export.compact.expand` puts back, put
    straight into the record (the owner once per id scope; the metric's name, unit and
    money; the fields at their usual values; the periods' labels)."""

    def __init__(self, plan: LightPlan, data: dict[str, Any]) -> None:
        self.plan = plan
        self.metrics: Mapping[str, Any] = data["metrics"]
        self.spans: Mapping[str, list[str]] = data.get("periods", {})
        self.labels = {span: tuple(labels) for span, labels in self.spans.items()}
        self.owners: dict[str, str] = {}

    def owner(self, node_id: str) -> str:
        scope = node_id[2 : node_id.rindex("#")]
        found = self.owners.get(scope)
        if found is None:
            found = "u:" + scope if "u:" + scope in self.plan.owners else "r:" + scope
            self.owners[scope] = found
        return found

    def facts(self, item: dict[str, Any], edges: list[dict[str, Any]]) -> KrFacts:
        kr_id = item["id"]
        for kind in ("aligns", "drives", "supports"):
            if kind in item:
                edges.extend({"kind": kind, "source": kr_id, "target": t} for t in item[kind])
        get = item.get
        labels: tuple[str, ...] = ()
        values: list[Any] = []
        periods = get("periods")
        if periods is not None:
            labels, values = tuple(periods), list(periods.values())
        else:
            for span in ("months", "quarters", "weeks"):
                if span in item:
                    labels, values = self.labels[span], item[span]
                    if len(labels) != len(values):
                        raise ValueError("periods of another length")
                    break
        owner = get("owner") or self.owner(kr_id)
        objective = get("objective") or "o:" + kr_id[2 : kr_id.rfind(".")]
        enums = _enums()
        kind = enums["target_kind"][get("target_kind", "number")]
        direction = enums["direction"][get("direction", "increase")]
        kr_kind = enums["kr_kind"][get("kr_kind", "derived")]
        name, money, metric_id = get("name"), get("money"), get("metric")
        metric = self.metrics.get(metric_id) if isinstance(metric_id, str) else None
        if isinstance(metric, dict):  # what compact.expand puts back of the metric
            if name is None and isinstance(metric.get("name"), str):
                name = metric["name"]
            if kr_kind == "derived" and "money" not in item:
                money = metric.get("kind") == "money"
        return KrFacts(
            kr_id, owner, objective, kr_kind, enums["per"][item["per"]], item["target"], kind,
            enums["target_per"][get("target_per")], direction, get("total"), get("due"),
            get("hires"), item["weight"], labels, values, name or "", money,
        )  # fmt: skip

    def record(self, item: dict[str, Any]) -> KeyResult:
        """The KR's full record, validated (for the KRs a status shows)."""
        from okrplan.export.compact import expand
        from okrplan.model import KeyResult, node_from_json

        node = {k: v for k, v in item.items() if k not in ("aligns", "drives", "supports")}
        data = {"graph": {"nodes": [node], "edges": []}, "periods": self.spans,
                "metrics": self.metrics}  # fmt: skip
        node.setdefault("owner", self.owner(item["id"]))
        full = expand(data)["graph"]["nodes"][0]
        record = node_from_json(full)
        assert isinstance(record, KeyResult)
        return record


def _kr(item: dict[str, Any]) -> KeyResult:
    """A KR's record from its format-2 node dict, its enums looked up."""
    from okrplan.model import KeyResult

    if not frozenset(KeyResult.__slots__).issuperset(item):
        raise KeyError("a KR with a field okrplan does not write")
    fields = dict(item)
    for key, values in _enums().items():
        if key in fields:
            fields[key] = values[fields[key]]
    fields.pop("kind", None)
    if not isinstance(fields.get("periods"), dict) or not isinstance(fields["id"], str):
        raise TypeError("a KR without periods")
    return KeyResult(**fields)


def _edges(plan: LightPlan, edges: list[dict[str, Any]]) -> LightPlan | None:
    """The contains and aligns edges; None for an edge this reading does not expect."""
    contained: set[str] = set()
    for edge in edges:
        kind, source, target = edge["kind"], edge["source"], edge["target"]
        if len(edge) != 3:
            return None
        if kind == "contains":
            if source not in plan.owners or target not in plan.owners:
                return None
            plan.contains.setdefault(source, []).append(target)
            contained.add(target)
        elif kind == "aligns":
            if source not in plan.krs or target not in plan.krs:
                return None
            plan.aligned.setdefault(target, []).append(source)
        elif kind not in ("drives", "supports"):
            return None
    roots = [i for i, r in plan.owners.items() if not is_role(r) and i not in contained]
    if not roots:
        return None
    plan.root = roots[0]
    return plan


def of_plan(plan: Any) -> LightPlan:
    """The :class:`LightPlan` of a loaded :class:`~okrplan.plan.Plan` (a small plan, or one
    :func:`read` gives None for)."""
    from okrplan import queries
    from okrplan.graph import children, krs_of, objectives_of, root_of
    from okrplan.model import EdgeKind, KeyResult, Objective, RoleGroup, Unit

    graph = plan.graph
    out = LightPlan(dict(plan.meta), root_of(graph))
    for record in queries.records(graph):
        if isinstance(record, Unit | RoleGroup):
            out.owners[record.id] = record
        elif isinstance(record, KeyResult):
            out.krs[record.id], out.records[record.id] = KrFacts.of(record), record
        elif isinstance(record, Objective):
            out.objective_data[record.id] = record
    for owner in out.owners:
        kids = children(graph, owner, EdgeKind.CONTAINS)
        if kids:
            out.contains[owner] = kids
        objectives = objectives_of(graph, owner)
        if objectives:
            out.objectives[owner] = objectives
    for objective in out.objective_data:
        krs = krs_of(graph, objective)
        if krs:
            out.measures[objective] = krs
    for kr in out.krs:
        aligned = queries.aligned_children(graph, kr)
        if aligned:
            out.aligned[kr] = aligned
    return out


def unit_option(plan: LightPlan, name: str) -> str:
    """:func:`okrplan.queries.unit_option` (THE rule of every ``--unit``) of this view: asked
    of a graph of the plan's units alone."""
    import networkx as nx

    from okrplan import queries
    from okrplan.model import Level, Unit

    units = nx.DiGraph()
    for u in plan.units():
        if not isinstance(u, Unit):  # the index's: a record of what the rule reads of it
            u = Unit(u.id, u.name, tuple(u.path), "", next(iter(Level)))
        units.add_node(u.id, node=u)
    return queries.unit_option(units, name)
