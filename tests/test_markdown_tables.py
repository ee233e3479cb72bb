"""plan.md makes each different table once and writes it for every owner that has it
(okrplan.export.markdown): an owner's table reads the same as the table written for that
owner alone, on the shipped scenarios, on random organisations, and where two owners' key
results differ in one field only."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_properties import PROPERTY, decompose, targets

from okrplan import api, queries
from okrplan.export import markdown
from okrplan.export.markdown import to_markdown
from okrplan.graph import node
from okrplan.model import KRKind, Per, RoleGroup

GOLDEN = Path(__file__).parent / "golden" / "scenarios"
SCENARIOS = sorted(p.name for p in GOLDEN.iterdir() if (p / "plan.json").exists())


def _alone(plan: api.Plan, monkeypatch: pytest.MonkeyPatch, method: str = "table") -> str:
    """plan.md with each of its texts made by ``method`` of :class:`markdown._Texts` (every
    owner's table, or every role group's heading) made by a writer of its own, nothing shared
    between owners."""
    made = getattr(markdown._Texts, method)
    with monkeypatch.context() as patch:
        patch.setattr(
            markdown._Texts, method, lambda self, *args: made(markdown._Texts(self.numbers), *args)
        )
        return to_markdown(plan)


@pytest.fixture(scope="module")
def golden_plan() -> api.Plan:
    """The first golden scenario's plan (each test changes a copy of its graph)."""
    return api.load_plan(GOLDEN / SCENARIOS[0] / "plan.json")


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_scenario_tables_read_as_each_owner_s_own(
    name: str, locale: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = api.load_plan(GOLDEN / name / "plan.json")
    plan = replace(plan, meta={**plan.meta, "locale": locale, "currency": "USD"})
    assert to_markdown(plan) == _alone(plan, monkeypatch)


@PROPERTY
@given(target=targets())
def test_random_organisations_tables_read_as_each_owner_s_own(
    target: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = decompose(target, tmp_path)
    assert to_markdown(plan) == _alone(plan, monkeypatch)


def _twins(plan: api.Plan) -> tuple[queries.Sheet, queries.Sheet]:
    """The sheets of two role groups with as many objectives and key results each."""
    seen: dict[tuple[int, ...], queries.Sheet] = {}
    for owner in queries.tree_order(plan.graph):
        if isinstance(node(plan.graph, owner), RoleGroup):
            okrs = queries.sheet(plan.graph, owner)
            shape = tuple(len(krs) for _, krs in okrs)
            if okrs and shape in seen:
                return seen[shape], okrs
            seen[shape] = okrs
    raise AssertionError("no two role groups with sheets of one shape")


# the fields of the first key result of each of the two owners (the rest are the same)
CHANGES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "the same": ({}, {}),
    "name": ({}, {"name": "另一个关键成果"}),
    "target": ({}, {"target": 123_457}),
    "target as a float": ({}, {"target": 30.0}),
    "weight": ({}, {"weight": 7}),
    "weight as a float": ({}, {"weight": 7.5}),
    "unit": ({}, {"unit": "次"}),
    "money": ({}, {"money": True}),
    "per": ({}, {"per": Per.QUARTER}),
    "sourced": ({"sourced": 3, "total": 12}, {"sourced": 6, "total": 12}),
    "total": ({"sourced": 3, "total": 12}, {"sourced": 3, "total": 24}),
    "kind": ({"deduction": 5}, {"deduction": 5, "kr_kind": KRKind.DEDUCTION}),
    "deduction": (
        {"kr_kind": KRKind.DEDUCTION, "deduction": 5, "target": None},
        {"kr_kind": KRKind.DEDUCTION, "deduction": 10, "target": None},
    ),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_owners_whose_key_results_differ_in_one_field_read_their_own(
    change: str, monkeypatch: pytest.MonkeyPatch, golden_plan: api.Plan
) -> None:
    plan = golden_plan
    first, second = _twins(plan)
    graph = plan.graph.copy()
    # both owners' key results made the first's, the first one of each given its fields
    for (_, theirs), (_, ours) in zip(first, second, strict=True):
        for index, (their, our) in enumerate(zip(theirs, ours, strict=True)):
            fields = CHANGES[change] if index == 0 else ({}, {})
            graph.nodes[their.id]["node"] = replace(their, **fields[0])
            graph.nodes[our.id]["node"] = replace(
                their, id=our.id, owner=our.owner, objective=our.objective, **fields[1]
            )
    twin = replace(plan, graph=graph)
    assert to_markdown(twin) == _alone(twin, monkeypatch)


@given(lines=st.lists(st.text(alphabet=st.sampled_from(["a", "|", " ", "\n", "\t", "\u3000"]))))
def test_the_text_ends_with_one_line_break_after_its_last_line(lines: list[str]) -> None:
    assert markdown._ending_once(list(lines)) == "\n".join(lines).rstrip() + "\n"


def _selling_pair(plan: api.Plan) -> tuple[RoleGroup, RoleGroup]:
    """Two role groups that sell, with people."""
    found = [
        record
        for owner in queries.tree_order(plan.graph)
        if isinstance(record := node(plan.graph, owner), RoleGroup)
        and record.selling is not None
        and record.headcount
    ]
    assert len(found) >= 2, "no two selling role groups"
    return found[0], found[1]


# the fields of the second role group, made the first's but for these
ROLE_CHANGES: dict[str, dict[str, Any]] = {
    "the same": {},
    "name": {"name": "另一个岗位"},
    "label": {"label": "另一个标签"},
    "headcount": {"headcount": 99},
    "new hires": {"new_hires": True},
    "no selling": {"selling": None},
    "per person": {"per_person": 123_457},
    "per person as a float": {"per_person": float},  # the first's amount as a float
}


@pytest.mark.parametrize("change", ROLE_CHANGES, ids=list(ROLE_CHANGES))
def test_role_groups_that_differ_in_one_field_read_their_own_heading(
    change: str, monkeypatch: pytest.MonkeyPatch, golden_plan: api.Plan
) -> None:
    plan = golden_plan
    first, second = _selling_pair(plan)
    graph = plan.graph.copy()
    fields = dict(ROLE_CHANGES[change])
    selling = first.selling
    assert selling is not None
    if "per_person" in fields:
        amount = fields.pop("per_person")
        amount = amount(selling.per_person) if callable(amount) else amount
        selling = replace(selling, per_person=amount)
    graph.nodes[second.id]["node"] = replace(
        first, id=second.id, path=second.path, **{"selling": selling, **fields}
    )
    twin = replace(plan, graph=graph)
    assert to_markdown(twin) == _alone(twin, monkeypatch, "role_head")
