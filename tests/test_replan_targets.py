"""`okrplan replan` of a plan with several targets (``kpi:`` as a list): each further target
is re-planned from its own actuals.

The team of tests/test_replan.py (1,200万 over A, B, C, D; C leaves on 1 July; E joins on 1
August with a monthly ramp 25/50/75/100%; money rounds to 1万, no buffer) with a second
target, collections 900万, split in proportion to the revenue quotas (the default).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from fractions import Fraction
from pathlib import Path

from test_replan import TEAM as ONE_TARGET

from okrplan import api, queries
from okrplan.export.planjson import to_json
from okrplan.progress import CheckIn, latest, record
from okrplan.replan import replan

# test_replan's team, its one target made a list with collections added
TEAM = ONE_TARGET.replace(
    "kpi: {metric: revenue, target: 1200万}\n",
    "kpi:\n  - {metric: revenue, target: 1200万}\n  - {metric: collections, target: 900万}\n",
).replace(
    "  revenue: {name: 销售额, kind: money}\n",
    "  revenue: {name: 销售额, kind: money}\n  collections: {name: 回款额, kind: money}\n",
)
assert TEAM.count("collections") == 2
REVENUE, COLLECTIONS = "k:公司/销售部/销售#1.1", "k:公司/销售部/销售#1.2"
AS_OF = date(2015, 6, 30)
WAN = 10_000


def test_a_further_target_is_replanned_from_its_own_actuals(
    write_target: Callable[..., Path], tmp_path: Path
) -> None:
    before = write_target(TEAM.replace("PEOPLE", "[A, B, C, D]"), "v1.yaml")
    after = write_target(TEAM.replace("PEOPLE", "[A, B, D, {name: E, joined: 2015-08}]"), "v2.yaml")
    directory = tmp_path / "plan"
    directory.mkdir()
    (directory / "plan.json").write_text(to_json(api.decompose(before)), encoding="utf-8")
    sold = {"A": 75, "B": 75, "C": 50, "D": 100}  # 万 per quarter, Q1 and Q2
    rows = [
        CheckIn(kr, quarter, Fraction(value * WAN), person=person)
        for person, revenue in sold.items()
        for kr, value in ((REVENUE, revenue), (COLLECTIONS, 50))
        for quarter in ("2015-Q1", "2015-Q2")
    ]
    record(directory, rows, source="h1.csv")
    old = api.load_plan(directory)
    result = replan(old, latest(directory, as_of=AS_OF), AS_OF, after)
    graph = result.plan.graph
    # revenue as in test_replan: 600万 left, A, B, D 167万 each and E 99万 from July
    assert result.remaining == 600 * WAN
    # collections: 4 people × 50万 × 2 quarters = 400万 done, 900 − 400 = 500万 left, split
    # like the remaining revenue quotas 167 : 167 : 167 : 99 (of 600): × 500/600 = 139.17万
    # each for A, B, D (the group 417.5万) and 82.5万 for E. In whole 1万 a person the group
    # moves by 3万: A, B, D 139万 (417万), E the rest, 500 − 417 = 83万.
    rep = queries.key_result(graph, COLLECTIONS)
    joiner = queries.key_result(graph, "k:公司/销售部/销售@2015-08#1.2")
    # the rep's elapsed quarters are the actuals, 200万 a quarter over the group's 4 people
    assert (rep.periods["2015-Q1"], rep.periods["2015-Q2"]) == (50 * WAN, 50 * WAN)
    assert rep.periods["2015-Q3"] + rep.periods["2015-Q4"] == 139 * WAN
    assert rep.target == (50 + 50 + 139) * WAN
    assert sum(joiner.periods.values()) == 83 * WAN
    # the company's year stays 900万: 200 + 200 done, 500 planned
    company = queries.key_result(graph, "k:公司#1.2")
    assert (company.periods["2015-Q1"], company.periods["2015-Q2"]) == (200 * WAN, 200 * WAN)
    assert sum(company.periods.values()) == 900 * WAN == company.target
    assert result.plan.meta["targets"] == [
        {"metric": "collections", "target": 900 * WAN, "basis": "quotas"}
    ]
