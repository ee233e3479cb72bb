"""The light status path (progress/light.py, progress/rollup.py): the view read from plan.json
(format 2 and 3) equal to the loaded plan's (light.of_plan), and a status from it equal to one
through the loaded plan (status_of), every unit's and every person's. Since pace.progress is
rollup.Progress of light.of_plan (one implementation), the numbers themselves are checked
against hand-computed values in test_progress_store.py, test_progress_kinds.py and
test_checkin.py; here the two ways into them must agree: the view read from plan.json and the
loaded plan's, and the store's sums by rollup.tally_rows and by store.tallies."""

from __future__ import annotations

import json
import os
import random
import shutil
from datetime import date
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest

from okrplan import api
from okrplan.export import planjson
from okrplan.model import (
    KeyResult,
    RoleGroup,
)
from okrplan.plan import Plan
from okrplan.progress import light, rollup
from okrplan.progress import status as report
from okrplan.progress.store import CheckIn, record, tallies

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
    # months edited away: the full reading names the problem (a traceback before)
    edited = json.loads(text)
    edited["plan"]["months"] = []
    (tmp_path / "plan.json").write_text(json.dumps(edited), encoding="utf-8")
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
