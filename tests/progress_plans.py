"""Tiny hand-made plans for the progress tests: every number in them is written here, not
solved, so the expected progress can be worked out by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from okrplan.graph import add_records, new_graph
from okrplan.model import (
    Direction,
    EdgeKind,
    KeyResult,
    KRKind,
    Level,
    Node,
    Objective,
    Per,
    RoleGroup,
    Status,
    TargetKind,
    Unit,
)
from okrplan.plan import Plan
from okrplan.planmeta import SolverReport

OPTIMAL = SolverReport(Status.OPTIMAL, 0, (), (), (), {}, {})
"""A hand-made plan's solver report: optimal, nothing binding, no hires."""

MONTHS = [f"2015-{m:02d}" for m in range(1, 13)]


def kr(
    kr_id: str,
    owner: str,
    objective: str,
    periods: Mapping[str, int],
    *,
    weight: int = 10,
    metric: str = "revenue",
    direction: Direction = Direction.INCREASE,
) -> KeyResult:
    total = sum(periods.values())
    return KeyResult(
        id=kr_id,
        name=kr_id,
        owner=owner,
        objective=objective,
        kr_kind=KRKind.DERIVED,
        metric=metric,
        text=None,
        per=Per.PLAN,
        target=total,
        target_kind=TargetKind.NUMBER,
        periods=dict(periods),
        weight=weight,
        fixed_weight=False,
        direction=direction,
        deduction=None,
        due=None,
        total=total,
        unit="",
        money=True,
    )


def plan_of(records: Sequence[Node], edges: Sequence[tuple[str, str, EdgeKind]]) -> Plan:
    graph = new_graph()
    add_records(graph, records, edges)
    meta = {"name": "t", "period": "2015", "locale": "en", "months": MONTHS}
    return Plan(meta=meta, solver=OPTIMAL, graph=graph)


def company(*krs: KeyResult, objectives: Sequence[str] = ("o:C#1",)) -> Plan:
    """One unit ``u:C`` owning ``objectives`` and ``krs``."""
    records: list[Node] = [Unit(id="u:C", name="C", path=("C",), lead="", level=Level.COMPANY)]
    edges: list[tuple[str, str, EdgeKind]] = []
    for o in objectives:
        records.append(Objective(id=o, name=o, owner="u:C", detail=""))
        edges.append(("u:C", o, EdgeKind.OWNS))
    for k in krs:
        records.append(k)
        edges += [(k.id, k.objective, EdgeKind.MEASURES), ("u:C", k.id, EdgeKind.OWNS)]
    return plan_of(records, edges)


def team(people: Sequence[str], per_person: Mapping[str, int], hires: bool = False) -> Plan:
    """A company KR ``k:C#1.1`` with a sales team's per-person KR ``k:T#1.1`` aligned to it."""
    headcount = len(people) or 3
    unit_periods = {label: value * headcount for label, value in per_person.items()}
    records: list[Node] = [
        Unit(id="u:C", name="C", path=("C",), lead="", level=Level.COMPANY),
        RoleGroup(
            id="r:T",
            name="rep",
            label="rep",
            path=("C",),
            headcount=headcount,
            people=tuple(people),
            new_hires=hires,
            sells="deals",
            capacity={},
        ),
        Objective(id="o:C#1", name="grow", owner="u:C", detail=""),
        Objective(id="o:T#1", name="sell", owner="r:T", detail=""),
        kr("k:C#1.1", "u:C", "o:C#1", unit_periods),
        kr("k:T#1.1", "r:T", "o:T#1", per_person),
    ]
    edges = [
        ("u:C", "r:T", EdgeKind.CONTAINS),
        ("u:C", "o:C#1", EdgeKind.OWNS),
        ("r:T", "o:T#1", EdgeKind.OWNS),
        ("k:C#1.1", "o:C#1", EdgeKind.MEASURES),
        ("k:T#1.1", "o:T#1", EdgeKind.MEASURES),
        ("u:C", "k:C#1.1", EdgeKind.OWNS),
        ("r:T", "k:T#1.1", EdgeKind.OWNS),
        ("k:T#1.1", "k:C#1.1", EdgeKind.ALIGNS),
    ]
    return plan_of(records, edges)
