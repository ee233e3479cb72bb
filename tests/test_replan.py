"""`okrplan replan`: the rest of the year re-planned from actuals (okrplan/replan.py).

The hand-computed case of issue 21: a team target of 1,200万 with four reps A, B, C, D at
300万 each and even seasonality; actuals to 30 June of 150万, 150万, 100万 and 200万 (half in
each quarter); C leaves on 1 July; E joins on 1 August with a monthly ramp of 25/50/75/100%.
A deal is worth 1万 and a rep can close 100 a month (capacity never binds); money rounds to
1万, no buffer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner

from okrplan import api, queries
from okrplan.cli import cli
from okrplan.diff import diff_plans
from okrplan.errors import InputError
from okrplan.export.planjson import to_json
from okrplan.model import RoleGroup
from okrplan.progress import CheckIn, latest, record
from okrplan.replan import replan
from okrplan.versions import history

TEAM = """\
okrplan: 1
plan: {name: team, period: 2015, locale: zh-CN, buffer: 0%}
kpi: {metric: revenue, target: 1200万}
metrics:
  revenue: {name: 销售额, kind: money}
  deals: {name: 成交项目, unit: 个, yields: {revenue: 1万}}
org:
  name: 公司
  units:
    - name: 销售部
      roles:
        - role: 销售
          sells: deals
          people: PEOPLE
          capacity: {deals: 100/月}
          ramp: [25%, 50%, 75%, 100%]
          ramp_per: month
split:
  rounding: {money: 1万}
"""
REP = "k:公司/销售部/销售#1.1"  # a rep's 销售额 (per person)
JOINER = "k:公司/销售部/销售@2015-08#1.1"
AS_OF = date(2015, 6, 30)


@pytest.fixture
def no_images() -> Iterator[None]:
    """The CLI tests write plans without drawing the tree (Graphviz takes seconds)."""
    with mock.patch("okrplan.api.image_problem", return_value="no images in these tests"):
        yield


@pytest.fixture
def team(write_target: Callable[..., Path], tmp_path: Path) -> tuple[Path, Path]:
    """The original plan's directory (with the H1 check-ins) and the target file as of July."""
    before = write_target(TEAM.replace("PEOPLE", "[A, B, C, D]"), "v1.yaml")
    after = write_target(TEAM.replace("PEOPLE", "[A, B, D, {name: E, joined: 2015-08}]"), "v2.yaml")
    directory = tmp_path / "plan"
    directory.mkdir()
    (directory / "plan.json").write_text(to_json(api.decompose(before)), encoding="utf-8")
    done = {"A": 75, "B": 75, "C": 50, "D": 100}  # 万 per quarter, Q1 and Q2
    rows = [
        CheckIn(REP, quarter, Fraction(value * 10_000), person=person)
        for person, value in done.items()
        for quarter in ("2015-Q1", "2015-Q2")
    ]
    record(directory, rows, source="h1.csv")
    return directory, after


def _replan(team: tuple[Path, Path]) -> Any:
    directory, after = team
    old = api.load_plan(directory)
    return old, replan(old, latest(directory, as_of=AS_OF), AS_OF, after)


def test_the_hand_computed_replan(team: tuple[Path, Path]) -> None:
    _, result = _replan(team)
    graph = result.plan.graph
    # done: 150 + 150 + 100 + 200 = 600万; left: 1200 − 600 = 600万 over July..December
    assert (result.done, result.remaining) == (6_000_000, 6_000_000)
    assert result.elapsed == tuple(f"2015-{m:02d}" for m in range(1, 7))
    assert (result.leavers, result.joiners) == (("C",), ("E",))
    # C has no quota from July: nobody's group holds C any more
    groups = [r for r in queries.records(graph) if isinstance(r, RoleGroup)]
    assert sorted((g.id, g.people) for g in groups) == [
        ("r:公司/销售部/销售", ("A", "B", "D")),
        ("r:公司/销售部/销售@2015-08", ("E",)),
    ]
    # The split's basis is each one's remaining quota in the original plan: A, B, D 150万
    # each (300万 × 6/12); E, joining in August, what an established rep still had to bring
    # times E's ramped share of July..December: 150万 × (0 + .25 + .5 + .75 + 1 + 1)/6 =
    # 87.5万. Bases 3 × 150 + 87.5 = 537.5万 for 600万: everyone × 600/537.5 = 48/43 →
    # A, B, D 167.44万 each, E 97.67万. Rounded to 1万 with the total exact: A, B, D round
    # down to 167万 (a step for the group of three is 3万), E takes the rest, 600 − 501 =
    # 99万.
    rep, joiner = queries.key_result(graph, REP), queries.key_result(graph, JOINER)
    assert {k: rep.periods[k] for k in ("2015-Q3", "2015-Q4")} == {
        "2015-Q3": 835_000,
        "2015-Q4": 835_000,
    }
    assert sum(joiner.periods.values()) == 990_000
    assert 3 * 1_670_000 + 990_000 == 6_000_000
    # the elapsed quarters are the actuals: the group's 600万 over its 4 people, 75万 a
    # quarter each; the rep's year is 150 + 167 = 317万
    assert (rep.periods["2015-Q1"], rep.periods["2015-Q2"], rep.target) == (
        750_000,
        750_000,
        3_170_000,
    )
    # the company's quarters: the actuals 300万 + 300万, then 600万 left; the year stays
    # 1,200万 exactly
    company = queries.key_result(graph, "k:公司#1.1")
    assert company.periods["2015-Q1"] == company.periods["2015-Q2"] == 3_000_000
    assert sum(company.periods.values()) == 12_000_000 == company.target
    assert company.periods["2015-Q3"] + company.periods["2015-Q4"] == 6_000_000
    # E's 99 deals over August..December by the ramp 25/50/75/100/100% (3.5 months' worth):
    # 7.07, 14.14, 21.21, 28.29, 28.29 → 7, 14, 21, 29, 28 (one more where most is cut off)
    deals = queries.key_result(graph, "k:公司/销售部/销售@2015-08#1.2")
    assert [deals.periods[f"2015-{m:02d}"] for m in range(7, 13)] == [0, 7, 14, 21, 29, 28]


def test_the_diff_lists_exactly_the_changed_krs_and_months(team: tuple[Path, Path]) -> None:
    old, result = _replan(team)
    diff = diff_plans(old, result.plan)
    changed = {(c.node, c.period) for c in diff.changes if c.kind == "kr" and c.field == "period"}
    second_half = {f"2015-{m:02d}" for m in range(7, 13)}
    # the reps' and the units' money by quarter, Q3 and Q4; their deals by month, July on
    money = {
        (kr, q) for kr in ("k:公司#1.1", "k:公司/销售部#1.1", REP) for q in ("2015-Q3", "2015-Q4")
    }
    counts = {
        (kr, m)
        for kr in ("k:公司#1.2", "k:公司/销售部#1.2", "k:公司/销售部/销售#1.2")
        for m in second_half
    }
    assert changed == money | counts
    added = {c.node for c in diff.changes if c.change == "added" and c.field == "node"}
    assert added == {
        "r:公司/销售部/销售@2015-08",
        "o:公司/销售部/销售@2015-08#1",
        JOINER,
        "k:公司/销售部/销售@2015-08#1.2",
    }
    people = [(c.name, c.change) for c in diff.changes if c.field == "person"]
    assert people == [("销售 · C", "removed")]
    # nothing before July changed
    assert not [c for c in diff.changes if c.period and c.period < "2015-07" and c.kind == "kr"]


def test_the_same_replan_twice_is_byte_identical(team: tuple[Path, Path]) -> None:
    assert to_json(_replan(team)[1].plan) == to_json(_replan(team)[1].plan)


@pytest.mark.usefixtures("no_images")
def test_cli(team: tuple[Path, Path], tmp_path: Path) -> None:
    directory, after = team
    runner = CliRunner()
    out = tmp_path / "plan-h2"
    args = ["replan", str(directory), "--as-of", "2015-06-30", "--target", str(after)]
    result = runner.invoke(cli, [*args, "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    again = api.load_plan(out)
    assert again.meta["as_of"] == "2015-06-30"
    assert again.meta["parent"]["path"] == "../plan/plan.json"
    assert len(latest(out)) == 8  # the check-ins carried over
    late = runner.invoke(cli, [*args[:3], "2016-01-31", *args[4:], "-o", str(tmp_path / "x")])
    assert late.exit_code == 2 and "after the plan's last month" in late.output
    bare = runner.invoke(cli, ["replan", str(directory), "--as-of", "2015-06-30", "-o", "y"])
    assert bare.exit_code == 2 and "--target" in bare.output
    # a re-plan of the re-plan needs no --target: it records its own; nothing was reported
    # for Q3, so Q3's 销售额 is 0 and Q4 has the whole 600万 left
    q4 = tmp_path / "plan-q4"
    chained = runner.invoke(cli, ["replan", str(out), "--as-of", "2015-09-30", "-o", str(q4)])
    assert chained.exit_code == 0, chained.output
    assert "：可行；" in chained.output and "optimal" not in chained.output  # the plan's words
    company = queries.key_result(api.load_plan(q4).graph, "k:公司#1.1")
    assert (company.periods["2015-Q3"], company.periods["2015-Q4"]) == (0, 6_000_000)
    assert [v.as_of for v in history(q4)] == ["2015-09-30", "2015-06-30", None]


def test_infeasible_rest_exits_3(
    team: tuple[Path, Path], write_target: Callable[..., Path], tmp_path: Path
) -> None:
    # 10 deals a month each: A, B, D and E can close at most 3 × 6 × 10 + 10 × 3.5 = 215
    # deals = 215万 of the 600万 left
    directory, _ = team
    small = TEAM.replace("PEOPLE", "[A, B, D, {name: E, joined: 2015-08}]")
    small = small.replace("100/月", "10/月")
    target = write_target(small, "small.yaml")
    old = api.load_plan(directory)
    result = replan(old, latest(directory, as_of=AS_OF), AS_OF, target)
    assert result.plan.solver.status == "infeasible"
    assert result.plan.solver.relaxations
    out = tmp_path / "h2"
    out.mkdir()
    args = ["replan", str(directory), "--as-of", "2015-06-30", "-t", str(target), "-o", str(out)]
    with mock.patch("okrplan.api.write_plan", return_value=out):  # the writing is decompose's
        printed = CliRunner().invoke(cli, [*args, "-q"])
    assert printed.exit_code == 3, printed.output
    assert "the rest of the target cannot be met" in printed.output


def test_set_overrides_the_target(team: tuple[Path, Path]) -> None:
    # the KPI cut to 1,100万: 1100 − 600 done = 500万 left; the year still adds up
    directory, after = team
    old = api.load_plan(directory)
    rows = latest(directory, as_of=AS_OF)
    result = replan(old, rows, AS_OF, after, ["kpi.target=1100万"])
    company = queries.key_result(result.plan.graph, "k:公司#1.1")
    assert result.remaining == 5_000_000
    assert sum(company.periods.values()) == 11_000_000 == company.target
    with pytest.raises(InputError) as caught:
        replan(old, rows, AS_OF, after, ["kpi.target=lots"])
    assert caught.value.issues[0].file == "--set kpi.target=lots"
    with pytest.raises(InputError) as other:
        replan(old, rows, AS_OF, after, ["plan.period=2016"])
    assert "the plan 2015" in other.value.issues[0].message


def test_a_leaver_by_left_is_one_no_longer_named(
    team: tuple[Path, Path], write_target: Callable[..., Path]
) -> None:
    # C still listed, with left: 2015-06 (the last month C works): the same re-plan
    directory, after = team
    listed = TEAM.replace(
        "PEOPLE", "[A, B, {name: C, left: 2015-06}, D, {name: E, joined: 2015-08}]"
    )
    old = api.load_plan(directory)
    rows = latest(directory, as_of=AS_OF)
    with_c = replan(old, rows, AS_OF, write_target(listed, "listed.yaml"))
    assert with_c.leavers == ("C",)
    assert to_json(with_c.plan) == to_json(replan(old, rows, AS_OF, after).plan)
