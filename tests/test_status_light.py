"""The light status path (progress/light.py, progress/rollup.py): the view read from plan.json
(format 2 and 3) equal to the loaded plan's (light.of_plan), and a status from it equal to one
through the loaded plan (status_of), every unit's and every person's. Since pace.progress is
rollup.Progress of light.of_plan (one implementation), the numbers themselves are checked
against hand-computed values in test_progress_store.py, test_progress_kinds.py and
test_checkin.py; here the two ways into them must agree."""

from __future__ import annotations

import os
import random
import shutil
from datetime import date
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from progress_plans import MONTHS, kr, plan_of

from okrplan import api
from okrplan.export import planjson
from okrplan.graph import EdgeKind
from okrplan.model import (
    Direction,
    KeyResult,
    KRKind,
    Level,
    Node,
    Objective,
    Per,
    RoleGroup,
    TargetKind,
    Unit,
)
from okrplan.plan import Plan
from okrplan.progress import light, rollup
from okrplan.progress import status as report
from okrplan.progress.pace import tallied_progress
from okrplan.progress.store import CheckIn, Tally, record, tallies

GOLDEN = Path(__file__).resolve().parent / "golden" / "scenarios"
SCENARIOS = sorted(p.name for p in GOLDEN.iterdir() if (p / "plan.json").is_file())
EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "6")) * 3


def _same_view(a: light.LightPlan, b: light.LightPlan) -> None:
    assert (a.root, a.meta, a.owners) == (b.root, b.meta, b.owners)
    assert (a.contains, a.aligned, a.objectives, a.measures) == (
        b.contains,
        b.aligned,
        b.objectives,
        b.measures,
    )
    assert list(a.krs) == list(b.krs)
    for kr_id, facts in a.krs.items():
        other = b.krs[kr_id]
        assert [getattr(facts, s) for s in facts.__slots__] == [
            getattr(other, s) for s in other.__slots__
        ], kr_id
        assert a.key_result(kr_id) == b.key_result(kr_id)
    for objective in a.objective_data:
        assert a.objective(objective) == b.objective(objective)


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("item_per_line", [False, True], ids=["format2", "format3"])
def test_light_view_of_plan_json_is_the_loaded_plans(
    name: str, item_per_line: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = api.load_plan(GOLDEN / name / "plan.json")
    if item_per_line:  # written as a plan of 100,000 people is: one node per line
        monkeypatch.setattr(planjson, "ITEM_PER_LINE_FROM", 0)
    (tmp_path / "plan.json").write_text(planjson.to_json(plan), encoding="utf-8")
    assert (
        (tmp_path / "plan.json")
        .read_text(encoding="utf-8")
        .startswith('{"graph"' if item_per_line else "{")
    )
    view = light.read(tmp_path)
    assert view is not None
    _same_view(view, light.of_plan(api.load_plan(tmp_path)))


def test_a_plan_json_not_as_okrplan_writes_it_is_left_to_the_full_reading(tmp_path: Path) -> None:
    plan = api.load_plan(GOLDEN / SCENARIOS[0] / "plan.json")
    text = planjson.to_json(plan)
    (tmp_path / "plan.json").write_text(text.replace('"kind": "kr"', '"kind": "krx"', 1))
    assert light.read(tmp_path) is None
    (tmp_path / "plan.json").write_text("{")
    assert light.read(tmp_path) is None


def _checkins(plan: Plan, rng: random.Random) -> list[CheckIn]:
    """Check-ins for about two thirds of the KRs: a person's of a named group's KR, else the
    owner's; monthly values, some fractional, some weeks and quarters."""
    rows = []
    for record_ in plan.graph.nodes(data="node"):
        node = record_[1]
        if not isinstance(node, KeyResult) or rng.random() < 0.35:
            continue
        owner = plan.graph.nodes[node.owner]["node"]
        who = [""]
        if isinstance(owner, RoleGroup) and owner.people:
            who = rng.sample(list(owner.people), rng.randint(1, len(owner.people)))
        for person in who:
            for month in rng.sample(range(1, 13), rng.randint(1, 6)):
                value = F(rng.randint(0, 5_000), rng.choice([1, 1, 1, 3]))
                period = rng.choice([f"2015-{month:02d}", f"2015-Q{(month + 2) // 3}"])
                rows.append(CheckIn(node.id, period, value, person))
    return rows


def _store(plan: Plan, folder: Path, seed: int) -> None:
    (folder / "plan.json").write_text(planjson.to_json(plan), encoding="utf-8")
    rows = _checkins(plan, random.Random(seed))
    # the year of the plan's months: a scenario of 2021 or FY2027 gets its own year's dates
    year = plan.meta["months"][0][:4]
    rows = [CheckIn(r.kr, r.period.replace("2015", year), r.value, r.person) for r in rows]
    record(folder, rows, source="a.csv")


@pytest.mark.parametrize("name", SCENARIOS)
def test_status_of_each_unit_is_the_references(name: str, tmp_path: Path) -> None:
    plan = api.load_plan(GOLDEN / name / "plan.json")
    _store(plan, tmp_path, len(name))
    view = light.read(tmp_path)
    assert view is not None
    year = int(plan.meta["months"][0][:4])
    for day in (date(year, 6, 17), date(year + 1, 2, 1)):
        for owner in [view.root, *view.contains.get(view.root, ())][:3]:
            ours = report.light_status(view, tmp_path, day, owner=owner)
            theirs = report.status_of(plan, tmp_path, day, owner=owner)
            assert report.to_json(ours) == report.to_json(theirs)
            assert report.to_markdown(ours) == report.to_markdown(theirs)


def test_tally_rows_agree_with_the_store_where_a_period_has_two_values(tmp_path: Path) -> None:
    rows = [CheckIn("k:C#1.1", "2015-01", F(5)), CheckIn("k:C#1.1", "2015-02", F(7, 2))]
    record(tmp_path, rows, source="a.csv")
    assert rollup.tally_rows(tmp_path, date(2015, 6, 30)) == [
        ("k:C#1.1", "", F(5) + F(7, 2), 2, date(2015, 2, 28))
    ]
    # a second source for January: the store's latest value counts (5 → 9)
    record(tmp_path, [CheckIn("k:C#1.1", "2015-01", F(9))], source="b.csv")
    expected = [
        (t.kr, t.person, t.total, t.count, t.last) for t in tallies(tmp_path, date(2015, 6, 30))
    ]
    assert rollup.tally_rows(tmp_path, date(2015, 6, 30)) == expected
    assert expected[0][2] == 9 + F(7, 2)


def test_tally_rows_read_the_store_in_one_pass_from_a_relative_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two people's months of one KR, one value each: 5 + 7/2 = 17/2 for 王, 4 for 李.
    rows = [
        CheckIn("k:C#1.1", "2015-01", F(5), "王"),
        CheckIn("k:C#1.1", "2015-02", F(7, 2), "王"),
        CheckIn("k:C#1.1", "2015-03", F(4), "李"),
    ]
    record(tmp_path, rows, source="a.csv")
    monkeypatch.chdir(tmp_path.parent)  # `okrplan status plan/` names the plan relatively

    def slow_path(*_: object) -> None:
        raise AssertionError("the store's own query ran: the one-pass sums were not used")

    monkeypatch.setattr("okrplan.progress.store.tallies", slow_path)
    found = sorted(rollup.tally_rows(Path(tmp_path.name), date(2015, 6, 30)))
    assert found == [
        ("k:C#1.1", "李", F(4), 1, date(2015, 3, 31)),
        ("k:C#1.1", "王", F(17, 2), 2, date(2015, 2, 28)),
    ]


# ---------------------------------------------------------------------------------------------
# Random organisations: units, role groups (named or not, partial reporters), KRs of months,
# quarters or weeks (whole or fractional targets), decreasing and level KRs, aligned in a tree.


@st.composite
def organisations(draw: st.DrawFn) -> tuple[Plan, list[Tally], date]:
    rng = random.Random(draw(st.integers(0, 2**32)))
    records: list[Node] = []
    edges: list[tuple[str, str, EdgeKind]] = []
    labels = {
        "months": MONTHS,
        "quarters": [f"2015-Q{q}" for q in range(1, 5)],
        "weeks": [f"2015-W{w:02d}" for w in range(1, 54)],
    }

    def add_kr(owner: str, parent: str | None, index: int, people: int) -> str:
        objective = f"o:{owner[2:]}#1"
        kr_id = f"k:{owner[2:]}#1.{index}"
        if index == 1:
            records.append(Objective(id=objective, name=objective, owner=owner, detail=""))
            edges.append((owner, objective, EdgeKind.OWNS))
        if rng.random() < 0.1:  # a level: 90% satisfaction
            record_ = KeyResult(
                id=kr_id, name=kr_id, owner=owner, objective=objective,
                kr_kind=KRKind.MANUAL, metric=None, text=None, per=Per.PLAN,
                target=rng.choice([0.9, 95, 0.75]), target_kind=TargetKind.PERCENT,
                periods={}, weight=rng.randint(1, 20), fixed_weight=False,
                direction=Direction.INCREASE, deduction=None, due=None,
            )  # fmt: skip
        else:
            span = rng.choice(list(labels))
            values = [
                rng.choice([rng.randint(0, 900), round(rng.uniform(0, 90), 2)])
                for _ in labels[span]
            ]
            direction = Direction.DECREASE if rng.random() < 0.15 else Direction.INCREASE
            record_ = kr(kr_id, owner, objective, dict(zip(labels[span], values, strict=True)),
                         weight=rng.randint(1, 20), direction=direction)  # fmt: skip
        records.append(record_)
        edges.append((kr_id, objective, EdgeKind.MEASURES))
        edges.append((owner, kr_id, EdgeKind.OWNS))
        if parent is not None:
            edges.append((kr_id, parent, EdgeKind.ALIGNS))
        return kr_id

    def unit(path: tuple[str, ...], depth: int, parents: list[str | None]) -> None:
        unit_id = "u:" + "/".join(path)
        level = Level.COMPANY if len(path) == 1 else Level.UNIT
        records.append(Unit(id=unit_id, name=path[-1], path=path, lead="", level=level))
        own = [add_kr(unit_id, parents[i % len(parents)], i + 1, 0) for i in range(2)]
        for i in range(rng.randint(1, 3) if depth else 0):
            child = (*path, f"U{i}")
            edges.append((unit_id, "u:" + "/".join(child), EdgeKind.CONTAINS))
            unit(child, depth - 1, [*own, None])
        for i in range(rng.randint(0, 2)):
            role_id = f"r:{'/'.join(path)}/R{i}"
            named = rng.random() < 0.6
            people = (
                tuple(f"P{len(records)}.{j}" for j in range(rng.randint(1, 5))) if named else ()
            )
            headcount = len(people) or rng.randint(0, 4)
            records.append(RoleGroup(
                id=role_id, name=f"R{i}", label=f"R{i}", path=path, headcount=headcount,
                people=people, new_hires=not named and rng.random() < 0.3, sells=None,
                capacity={},
            ))  # fmt: skip
            edges.append((unit_id, role_id, EdgeKind.CONTAINS))
            for j in range(rng.randint(1, 2)):
                add_kr(role_id, own[j % 2], j + 1, headcount)

    unit(("C",), rng.randint(1, 3), [None])
    plan = plan_of(records, edges)
    tally_rows: list[Tally] = []
    for node in records:
        if not isinstance(node, KeyResult) or rng.random() < 0.4:
            continue
        group = plan.graph.nodes[node.owner]["node"]
        who = [""]
        if isinstance(group, RoleGroup) and group.people and rng.random() < 0.8:
            who = rng.sample(list(group.people), rng.randint(1, len(group.people)))
        for person in who:
            total = F(rng.randint(0, 3_000), rng.choice([1, 1, 7]))
            last = date(2015, rng.randint(1, 12), rng.randint(1, 28))
            tally_rows.append(Tally(node.id, person, total, rng.randint(1, 6), last))
    as_of = draw(st.dates(date(2014, 12, 1), date(2016, 1, 31)))
    return plan, tally_rows, as_of


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(organisations())
def test_rollup_of_a_random_organisation_is_paces(case: tuple[Plan, list[Tally], date]) -> None:
    plan, rows, as_of = case
    theirs = tallied_progress(plan, rows, as_of)
    view = light.of_plan(plan)
    ours = rollup.Progress(view, [(t.kr, t.person, t.total, t.count, t.last) for t in rows], as_of)
    assert ours.of_all(view.krs) == theirs  # every field, exactly
    for person in sorted({t.person for t in rows if t.person})[:2]:  # one person's, per person
        theirs = tallied_progress(plan, rows, as_of, person)
        tallied = [(t.kr, t.person, t.total, t.count, t.last) for t in rows]
        assert rollup.Progress(view, tallied, as_of, person).of_all(view.krs) == theirs


def test_status_command_takes_the_light_path_and_says_the_same(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from okrplan.cli import cli

    name = SCENARIOS[0]
    plan = api.load_plan(GOLDEN / name / "plan.json")
    _store(plan, tmp_path, 1)
    shutil.copy(tmp_path / "plan.json", tmp_path / "copy.json")
    year = plan.meta["months"][0][:4]
    args: list[Any] = ["status", str(tmp_path), "--as-of", f"{year}-06-30", "--format", "json"]
    shown = CliRunner().invoke(cli, args)
    assert shown.exit_code == 0, shown.output
    reference = report.status_of(plan, tmp_path, date(int(year), 6, 30))
    assert shown.stdout == report.to_json(reference)


def test_tally_rows_of_a_store_with_more_periods_than_bits(tmp_path: Path) -> None:
    # 53 ISO weeks of 2015 and its 12 months: 65 periods, more than a 64-bit sum's bits, so
    # the store's own query adds them up: 53 × 1 + 12 × 2 = 77 in 65 check-ins.
    weeks = [CheckIn("k:C#1.1", f"2015-W{w:02d}", F(1)) for w in range(1, 54)]
    months = [CheckIn("k:C#1.2", f"2015-{m:02d}", F(2)) for m in range(1, 13)]
    record(tmp_path, weeks + months, source="a.csv")
    found = rollup.tally_rows(tmp_path, date(2016, 1, 31))
    assert sorted((kr, total, count) for kr, _, total, count, _ in found) == [
        ("k:C#1.1", 53, 53),
        ("k:C#1.2", 24, 12),
    ]
    expected = [
        (t.kr, t.person, t.total, t.count, t.last) for t in tallies(tmp_path, date(2016, 1, 31))
    ]
    assert sorted(found) == sorted(expected)


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_persons_status_is_the_references(name: str, tmp_path: Path) -> None:
    plan = api.load_plan(GOLDEN / name / "plan.json")
    _store(plan, tmp_path, len(name) + 1)
    view = light.read(tmp_path)
    assert view is not None
    people = [p for o in view.owners.values() if isinstance(o, RoleGroup) for p in o.people]
    year = int(plan.meta["months"][0][:4])
    for person in [*people[:: max(1, len(people) // 3)], "nobody"]:
        ours = report.light_status(view, tmp_path, date(year, 6, 17), person=person)
        theirs = report.status_of(plan, tmp_path, date(year, 6, 17), person=person)
        assert report.to_json(ours) == report.to_json(theirs), person
