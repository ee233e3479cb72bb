"""The part of a plan the forecast reads: its units and selling groups in display order.

A plan of 100,000 people has some 20,000 units and role groups and 250,000 objectives and key
results; the forecast needs only the first, and only a few fields of them. :class:`Org` holds
those as plain records, made either from plan.json's node dicts (:func:`org_from_nodes`, by
:mod:`okrplan.forecast.source` without pydantic or networkx: importing and validating the whole
plan would cost more than the forecast's simulations) or from a solved plan in memory
(:func:`org_of`, at ``decompose`` time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from okrplan.model import RoleGroup, Unit
    from okrplan.plan import Plan


@dataclass(frozen=True, slots=True)
class Team:
    """A unit: its target (None: it has none) and, for a support unit, what it supplies."""

    id: str
    name: str
    path: tuple[str, ...]
    target: float | None
    supports: tuple[str, float] | None = None


@dataclass(frozen=True, slots=True)
class Seller:
    """A selling role group: what it sells, its quota (in the KPI's base unit) and its ramp."""

    id: str
    name: str
    path: tuple[str, ...]
    headcount: int
    sells: str
    quota: float
    ramp: tuple[float, ...] = ()


@dataclass(frozen=True)
class Org:
    """Units and selling groups (``records``) under ``root``, each unit's ``children`` in
    display order (its groups, then its sub-units), the plan's ``meta`` and ``metrics``; with
    ``krs``, the (id, owner) of each KR on the KPI's base metric (for ``--as-of``).
    ``units`` keeps each unit's plan.json dict for :meth:`unit_graph`."""

    meta: Mapping[str, Any]
    metrics: Mapping[str, Mapping[str, Any]]
    root: str
    records: Mapping[str, Team | Seller]
    children: Mapping[str, tuple[str, ...]]
    krs: tuple[tuple[str, str], ...] = ()
    units: tuple[Mapping[str, Any], ...] = ()
    plan: Plan | None = field(default=None, repr=False)

    @property
    def locale(self) -> str:
        return str(self.meta.get("locale", "zh-CN"))

    def unit_graph(self) -> Any:
        """A graph of the plan's units (networkx, their records), for ``--unit``'s rule
        (:func:`okrplan.queries.unit_option`)."""
        if self.plan is not None:
            return self.plan.graph
        import networkx as nx

        from okrplan.model import node_from_json

        graph = nx.DiGraph()
        graph.add_nodes_from(  # without format 3's edges on the node (``contains``)
            (u["id"], {"node": node_from_json({k: v for k, v in u.items() if k != "contains"})})
            for u in self.units
        )
        return graph


_NUMBERS = {int, float}


def _number(value: Any) -> float:
    """A plan.json number (never a bool or a string)."""
    if type(value) not in _NUMBERS:
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _numbers(values: Any) -> tuple[float, ...]:
    """A list of plan.json numbers (checked by type in one pass: a ramp per group adds up)."""
    if type(values) is not list or not set(map(type, values)) <= _NUMBERS:
        raise TypeError(f"expected a list of numbers, got {values!r}")
    return tuple(map(float, values))


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _path(value: Any) -> tuple[str, ...]:
    if type(value) is not list or not set(map(type, value)) <= {str}:
        raise TypeError(f"expected a path, got {value!r}")
    return tuple(value)


def team_of(data: Mapping[str, Any]) -> Team:
    """A unit's record from its plan.json dict."""
    target = data.get("target")
    given = data.get("supports")
    supports = None if given is None else (_text(given["metric"]), _number(given["share"]))
    return Team(
        _text(data["id"]),
        _text(data["name"]),
        _path(data["path"]),
        None if target is None else _number(target),
        supports,
    )


def seller_of(data: Mapping[str, Any]) -> Seller | None:
    """A role group's record from its plan.json dict; None when it sells nothing or is a
    cohort of hires the plan did not need."""
    headcount, sells, quota = data["headcount"], data.get("sells"), data.get("quota")
    if isinstance(headcount, bool) or not isinstance(headcount, int) or headcount < 0:
        raise TypeError(f"expected a headcount, got {headcount!r}")
    if sells is None or quota is None or (data.get("new_hires") and not headcount):
        return None
    return Seller(
        _text(data["id"]),
        _text(data["name"]),
        _path(data["path"]),
        headcount,
        _text(sells),
        _number(quota),
        _numbers(data.get("ramp") or []),
    )


def org_from_nodes(
    data: Mapping[str, Any],
    nodes: Iterable[Mapping[str, Any]],
    contains: Iterable[tuple[str, str]],
    krs: Sequence[tuple[str, str]] = (),
) -> Org:
    """An :class:`Org` from plan.json's sections (``data``: ``plan``, ``metrics``), its unit
    and role node dicts and its ``contains`` edges (source, target), in the file's order.

    Raises
    ------
    KeyError, TypeError, ValueError
        If a node or edge is not as okrplan writes it (the caller reads the plan fully then,
        and that says what is wrong).
    """
    records: dict[str, Team | Seller] = {}
    units: list[Mapping[str, Any]] = []
    known: set[str] = set()
    for item in nodes:
        known.add(_text(item["id"]))
        if item["kind"] == "unit":
            units.append(item)
            records[item["id"]] = team_of(item)
        elif (seller := seller_of(item)) is not None:
            records[seller.id] = seller
    kids: dict[str, list[str]] = {u["id"]: [] for u in units}
    parents: set[str] = set()
    for source, target in contains:
        if source not in kids or target not in known:
            raise ValueError(f"an edge names a node the plan does not have: {source} → {target}")
        parents.add(target)
        if target in records:
            kids[source].append(target)
    roots = [u["id"] for u in units if u["id"] not in parents]
    if len(roots) != 1:
        raise ValueError("the plan has no single top unit")
    return Org(
        meta=data["plan"],
        metrics=data["metrics"],
        root=roots[0],
        records=records,
        children={u: _display(records, k) for u, k in kids.items()},
        krs=tuple(krs),
        units=tuple(units),
    )


def _display(records: Mapping[str, Team | Seller], kids: Sequence[str]) -> tuple[str, ...]:
    """A unit's children in display order: its groups, then its sub-units."""
    return tuple(
        [k for k in kids if isinstance(records[k], Seller)]
        + [k for k in kids if isinstance(records[k], Team)]
    )


def org_of(plan: Plan, *, krs: bool = False) -> Org:
    """The :class:`Org` of a solved plan in memory (its graph's units and selling groups)."""
    from okrplan.graph import root_of
    from okrplan.model import KeyResult, RoleGroup, Unit
    from okrplan.queries import org_children, records_of

    graph = plan.graph
    base = plan.meta["kpi"]["base"]
    # the units, then the selling groups (each kind in the plan's order; what reads the
    # records in order reads one kind): not the 150,000 objectives and key results between
    records = _records(records_of(graph, Unit), records_of(graph, RoleGroup))
    kr_owners = (
        [(r.id, r.owner) for r in records_of(graph, KeyResult) if r.metric == base] if krs else []
    )
    children: dict[str, tuple[str, ...]] = {}
    kept = records.__contains__  # (filter: the test per child in C, 40,000 at roster)
    for unit_id, record in records.items():
        if isinstance(record, Team):
            children[unit_id] = tuple(filter(kept, org_children(graph, unit_id)))
    return Org(
        meta=plan.meta,
        metrics=plan.metrics,
        root=root_of(graph),
        records=records,
        children=children,
        krs=tuple(kr_owners),
        plan=plan,
    )


def org_from_owners(
    owners: Sequence[Unit | RoleGroup],
    meta: Mapping[str, Any],
    metrics: Mapping[str, Mapping[str, Any]],
) -> Org:
    """The :class:`Org` of a plan being solved, the same as :func:`org_of` will read of it once
    solved: its ``owners`` (units and role groups in the plan's order, each unit's children
    in display order as :func:`okrplan.solve.assemble.children_of` finds them), and the
    plan's ``meta`` and ``metrics``. The company is the unit at the top of the paths."""
    from okrplan.model import RoleGroup, Unit
    from okrplan.solve.assemble import children_of

    kids = children_of(owners)

    units = [o for o in owners if isinstance(o, Unit)]
    records = _records(units, [o for o in owners if isinstance(o, RoleGroup)])
    return Org(
        meta=meta,
        metrics=metrics,
        root=next(u.id for u in units if len(u.path) == 1),
        records=records,
        children={
            unit_id: tuple(filter(records.__contains__, kids[unit_id]))
            for unit_id, record in records.items()
            if isinstance(record, Team)
        },
    )


def _records(units: Iterable[Unit], groups: Iterable[RoleGroup]) -> dict[str, Team | Seller]:
    """The units, then the selling groups, each kind in the order given."""
    records: dict[str, Team | Seller] = {}
    for unit in units:
        supports = unit.supports
        records[unit.id] = Team(
            unit.id,
            unit.name,
            unit.path,
            None if unit.target is None else float(unit.target),
            None if supports is None else (supports.metric, float(supports.share)),
        )
    for group in groups:
        if group.selling is not None and group.sells:
            records[group.id] = Seller(
                group.id,
                group.name,
                group.path,
                group.headcount,
                group.sells,
                float(group.selling.quota),
                group.selling.ramp,  # floats where read (actuals.ahead): 240,000 at roster
            )
    return records
