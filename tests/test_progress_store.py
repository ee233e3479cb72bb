"""The progress store and pace: hand-computed numbers (working in the comments)."""

from __future__ import annotations

import sqlite3
from datetime import date
from fractions import Fraction as F
from pathlib import Path

import pytest
from progress_plans import company, kr, team

from okrplan.graph import add_records
from okrplan.model import Direction, EdgeKind, Objective, RoleGroup
from okrplan.progress import CheckIn, Pace, latest, objective_progress, progress, record
from okrplan.progress.store import STORE_FILE, imports
from okrplan.progress.storefile import SCHEMA_VERSION

# 8,000 phased 20/20/20/40% by quarter
SEASONAL = {"2015-Q1": 1600, "2015-Q2": 1600, "2015-Q3": 1600, "2015-Q4": 3200}


def test_seasonal_plan_says_behind_where_a_straight_line_says_at_risk() -> None:
    plan = company(kr("k:C#1.1", "u:C", "o:C#1", SEASONAL))
    done = [CheckIn("k:C#1.1", "2015-Q1", F(1500)), CheckIn("k:C#1.1", "2015-Q2", F(1300))]
    got = progress(plan, done, date(2015, 6, 30))["k:C#1.1"]
    # expected 1,600 + 1,600 = 3,200 (linear: 8,000 × 181/365 ≈ 3,967, pace 0.71: at risk)
    assert (got.total, got.expected, got.actual) == (8000, 3200, 2800)
    assert got.pace == F(7, 8) and got.status is Pace.BEHIND  # 2,800 ÷ 3,200 = 0.875
    assert got.progress == F(2800, 8000)  # 35%
    assert got.projection == 7000  # 0.875 × 8,000


def test_current_period_is_pro_rated_by_days() -> None:
    plan = company(kr("k:C#1.1", "u:C", "o:C#1", SEASONAL))
    got = progress(plan, [CheckIn("k:C#1.1", "2015-Q1", F(1600))], date(2015, 5, 15))
    # Q2 is 91 days (1 April .. 30 June); 15 May is day 45: 1,600 + 1,600 × 45/91
    assert got["k:C#1.1"].expected == 1600 + F(1600 * 45, 91)


def test_a_hire_starting_in_april_is_not_behind_in_march() -> None:
    ramp = {"2015-Q1": 0, "2015-Q2": 300, "2015-Q3": 600, "2015-Q4": 900}
    plan = team([], ramp, hires=True)
    rows = [CheckIn("k:T#1.1", "2015-03", F(0))]
    got = progress(plan, rows, date(2015, 3, 31))["k:T#1.1"]
    assert got.expected == 0 and got.pace is None
    assert got.status is Pace.ON_TRACK
    # in May the three hires owe 3 × 300 × 61/91 (1 April .. 31 May of a 91-day quarter)
    may = progress(plan, [*rows, CheckIn("k:T#1.1", "2015-04", F(0))], date(2015, 5, 31))
    assert may["k:T#1.1"].expected == F(3 * 300 * 61, 91)
    assert may["k:T#1.1"].status is Pace.AT_RISK


def test_two_of_eight_reporting_is_their_partial_total_not_an_average() -> None:
    people = [f"rep{i}" for i in range(1, 9)]
    plan = team(people, {"2015-Q1": 100, "2015-Q2": 100, "2015-Q3": 100, "2015-Q4": 100})
    rows = [
        CheckIn("k:T#1.1", "2015-Q1", F(90), person="rep1"),
        CheckIn("k:T#1.1", "2015-Q1", F(100), person="rep2"),
    ]
    got = progress(plan, rows, date(2015, 3, 31))
    rep = got["k:T#1.1"]
    # the group: 8 × 400 = 3,200 over the year, 8 × 100 = 800 due by March; 2 reported 190
    assert (rep.total, rep.expected, rep.actual) == (3200, 800, 190)
    assert (rep.reported, rep.people) == (2, 8)
    assert rep.missing == ("rep3", "rep4", "rep5", "rep6", "rep7", "rep8")
    # paced on those who reported, against their own share of the plan: 2 × 100 = 200 due,
    # 190 ÷ 200 = 95%: on track (not 190 ÷ 800 = 23.75% "at risk" because six did not report,
    # nor an average over 8); the actual shown stays the partial total 190
    assert rep.partial and rep.pace == F(190, 200) and rep.status is Pace.ON_TRACK
    assert rep.reporters_pace == rep.pace
    assert rep.projection == F(190, 200) * 3200  # 3,040: the reporters' pace × the total
    assert rep.progress == F(190, 3200)  # the partial total of the whole, never padded
    unit = got["k:C#1.1"]  # rolled up along aligns: the same partial total, the same pace
    assert unit.actual == 190 and unit.pace == F(190, 200) and unit.partial
    assert unit.reporters_pace == F(190, 200)  # the one group's reporters' due: 2 × 100


def test_a_unit_where_one_group_of_two_reported_is_paced_on_the_reporter() -> None:
    # Two groups under C: T (2 people × 100 a quarter) reported 250 in Q1; U (1 × 100) did not.
    # C's plan: 300 a quarter, 300 due by 31 March. C is paced on what reported: T's 250 of
    # T's own 2 × 100 = 200 due, 125%: on track, partial 1/2 with U named (250 ÷ 300 = 83.3%
    # would read U's silence as a shortfall).
    quarters = {"2015-Q1": 100, "2015-Q2": 100, "2015-Q3": 100, "2015-Q4": 100}
    plan = team(["a", "b"], quarters)
    plan.graph.nodes["k:C#1.1"]["node"] = kr("k:C#1.1", "u:C", "o:C#1", {q: 300 for q in quarters})
    other = RoleGroup(
        id="r:U", name="rep", label="rep U", path=("C",), headcount=1, people=("c",),
        new_hires=False, sells="deals", capacity={},
    )  # fmt: skip
    add_records(
        plan.graph,
        [other, Objective(id="o:U#1", name="sell", owner="r:U", detail=""),
         kr("k:U#1.1", "r:U", "o:U#1", quarters)],
        [("u:C", "r:U", EdgeKind.CONTAINS), ("r:U", "o:U#1", EdgeKind.OWNS),
         ("r:U", "k:U#1.1", EdgeKind.OWNS), ("k:U#1.1", "o:U#1", EdgeKind.MEASURES),
         ("k:U#1.1", "k:C#1.1", EdgeKind.ALIGNS)],
    )  # fmt: skip
    rows = [CheckIn("k:T#1.1", "2015-Q1", F(250))]
    unit = progress(plan, rows, date(2015, 3, 31))["k:C#1.1"]
    assert (unit.expected, unit.actual, unit.partial) == (300, 250, True)
    assert unit.pace == F(250, 200) and unit.status is Pace.ON_TRACK  # T's due: 2 × 100
    assert unit.projection == F(250, 200) * 1200  # 1,500 of 1,200: the pace × the total
    assert unit.missing == ("k:U#1.1",) and unit.reported == 1


def test_a_unit_with_its_own_check_in_shows_both() -> None:
    plan = team(["a", "b"], {"2015-Q1": 100, "2015-Q2": 100, "2015-Q3": 100, "2015-Q4": 100})
    rows = [
        CheckIn("k:T#1.1", "2015-Q1", F(100), person="a"),
        CheckIn("k:T#1.1", "2015-Q1", F(80), person="b"),
        CheckIn("k:C#1.1", "2015-Q1", F(200)),
    ]
    unit = progress(plan, rows, date(2015, 3, 31))["k:C#1.1"]
    assert unit.actual == 200 and unit.rolled == 180 and unit.pace == 1


def test_objective_progress_is_the_weight_average_over_krs_with_data() -> None:
    krs = [
        kr(f"k:C#1.{i}", "u:C", "o:C#1", {"2015-Q1": 100}, weight=w)
        for i, w in enumerate((10, 15, 15, 20, 40), start=1)
    ]
    plan = company(*krs)
    rows = [CheckIn(f"k:C#1.{i}", "2015-Q1", F(v)) for i, v in enumerate((100, 50, 80, 60), 1)]
    result = objective_progress(plan, progress(plan, rows, date(2015, 3, 31)))["o:C#1"]
    # (10 × 1 + 15 × 0.5 + 15 × 0.8 + 20 × 0.6) ÷ (10 + 15 + 15 + 20) = 41.5 ÷ 60 = 69.17%
    assert result.progress == F(415, 600)
    assert result.missing == ("k:C#1.5",)  # weight 40 without data: left out, not zero


def test_decrease_mirrors() -> None:
    costs = kr("k:C#1.1", "u:C", "o:C#1", SEASONAL, direction=Direction.DECREASE)
    plan = company(costs)
    rows = [CheckIn("k:C#1.1", "2015-Q1", F(2000)), CheckIn("k:C#1.1", "2015-Q2", F(2000))]
    got = progress(plan, rows, date(2015, 6, 30))["k:C#1.1"]
    assert got.pace == F(3200, 4000) and got.status is Pace.BEHIND  # spent more than due
    under = progress(plan, rows[:1], date(2015, 3, 31))["k:C#1.1"]
    assert under.pace == F(1600, 2000)


def test_no_check_in_is_no_data_and_stale_data_too() -> None:
    plan = company(kr("k:C#1.1", "u:C", "o:C#1", SEASONAL))
    assert progress(plan, [], date(2015, 6, 30))["k:C#1.1"].status is Pace.NO_DATA
    old = [CheckIn("k:C#1.1", "2015-01", F(600))]
    # a quarterly KR: the last check-in ended 31 January, more than 92 days before 30 June
    assert progress(plan, old, date(2015, 6, 30))["k:C#1.1"].status is Pace.NO_DATA


def test_thresholds_come_from_tracking() -> None:
    plan = company(kr("k:C#1.1", "u:C", "o:C#1", SEASONAL))
    plan.meta["tracking"] = {"on_track": "85%", "behind": "50%"}
    done = [CheckIn("k:C#1.1", "2015-Q1", F(1500)), CheckIn("k:C#1.1", "2015-Q2", F(1300))]
    assert progress(plan, done, date(2015, 6, 30))["k:C#1.1"].status is Pace.ON_TRACK


def test_latest_counts_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    rows = [CheckIn("k:1", "2015-03", F(5)), CheckIn("k:1", "2015-04", F(7), person="a")]
    assert record(tmp_path, rows, source="a.csv") == 2
    assert record(tmp_path, rows, source="a.csv") == 0
    assert len(imports(tmp_path)) == 1
    assert latest(tmp_path) == sorted(rows, key=lambda c: (c.kr, c.person, c.period))
    assert latest(tmp_path, as_of=date(2015, 3, 31)) == rows[:1]


def test_a_corrected_file_replaces_that_sources_values(tmp_path: Path) -> None:
    record(tmp_path, [CheckIn("k:1", "2015-03", F(5)), CheckIn("k:1", "2015-04", F(7))], source="a")
    record(tmp_path, [CheckIn("k:2", "2015-03", F(1))], source="b")
    # a.csv corrected: March is 6, April gone
    assert record(tmp_path, [CheckIn("k:1", "2015-03", F(6))], source="a") == 2
    assert [(c.kr, c.period, c.value) for c in latest(tmp_path)] == [
        ("k:1", "2015-03", 6),
        ("k:2", "2015-03", 1),
    ]
    assert len(imports(tmp_path)) == 3  # the history keeps every import


def test_an_interrupted_import_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    record(tmp_path, [CheckIn("k:1", "2015-03", F(5))], source="a")
    bad = [CheckIn("k:1", "2015-04", F(1)), CheckIn("k:1", "not a period", F(2))]
    with pytest.raises(ValueError, match="not a period"):
        record(tmp_path, bad, source="a")
    assert [c.value for c in latest(tmp_path)] == [5]
    with sqlite3.connect(tmp_path / STORE_FILE) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_no_store_is_no_check_ins(tmp_path: Path) -> None:
    assert latest(tmp_path) == [] and not (tmp_path / STORE_FILE).exists()


def test_the_store_adds_up_as_progress_does(tmp_path: Path) -> None:
    from okrplan.progress.pace import stored_progress

    plan = company(kr("k:C#1.1", "u:C", "o:C#1", SEASONAL))
    first = [CheckIn("k:C#1.1", "2015-Q1", F(1500)), CheckIn("k:C#1.1", "2015-04", F(1, 3))]
    record(tmp_path, first, source="a")
    record(tmp_path, [CheckIn("k:C#1.1", "2015-Q1", F(1400)), CheckIn("k:C#1.1", "2015-05", F(7))],
           source="b")  # fmt: skip
    day = date(2015, 6, 30)
    # b is later: Q1 1,400 (not 1,500) + April 1/3 + May 7
    assert stored_progress(plan, tmp_path, day) == progress(plan, latest(tmp_path), day)
    assert stored_progress(plan, tmp_path, day)["k:C#1.1"].actual == 1407 + F(1, 3)


def test_a_version_1_store_is_migrated_with_every_value(tmp_path: Path) -> None:
    from okrplan.progress.store import tallies
    from okrplan.progress.storefile import MIGRATIONS

    with sqlite3.connect(tmp_path / STORE_FILE) as db:  # a store okrplan wrote before
        MIGRATIONS[0](db)
        db.execute("PRAGMA user_version = 1")
        for number, source in ((1, "a"), (2, "b"), (3, "a")):
            db.execute("INSERT INTO imports VALUES (?, ?, 'h', 't', 1)", (number, source))
        v1 = "INSERT INTO checkins VALUES (?, 1, ?, ?, ?, ?, ?, ?, 1, NULL, '')"
        db.executemany(v1, [
            (1, "k:1", "", "2015-03", "2015-03-01", "2015-03-31", 5),  # replaced by import 3
            (2, "k:1", "x", "2015-Q1", "2015-01-01", "2015-03-31", 2),
            (3, "k:1", "", "2015-03", "2015-03-01", "2015-03-31", 6),
            (3, "k:2", "", "2015-04", "2015-04-01", "2015-04-30", 7),
        ])  # fmt: skip
    assert [(c.kr, c.person, c.period, c.value) for c in latest(tmp_path)] == [
        ("k:1", "", "2015-03", 6), ("k:1", "x", "2015-Q1", 2), ("k:2", "", "2015-04", 7),
    ]  # fmt: skip
    assert [(i.source, i.rows) for i in imports(tmp_path)] == [("a", 1), ("b", 1), ("a", 1)]
    # as of 31 March: k:1 March 6 (one period), k:1 x Q1 2; April not begun
    assert [(t.kr, t.person, t.total, t.count) for t in tallies(tmp_path, date(2015, 3, 31))] == [
        ("k:1", "", 6, 1), ("k:1", "x", 2, 1),
    ]  # fmt: skip
    # a new import after the migration runs on from the migrated rows
    assert record(tmp_path, [CheckIn("k:2", "2015-04", F(8))], source="b") == 2  # Q1 x gone
    assert [c.value for c in latest(tmp_path)] == [6, 8]
