"""``basis: even`` splits among the people who work in the plan: someone who works no month of
it (left before it starts, or joined into a training ramp that lasts to its end) gets nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import minimal_target

from okrplan import api
from okrplan.graph import node as graph_node
from okrplan.model import node_to_json

WAN = 10_000


def test_even_gives_nothing_to_people_who_never_work_in_the_plan(
    write_target: Callable[..., Path],
) -> None:
    people = ["甲", "乙", {"name": "丙", "left": "2014-12"}, {"name": "丁", "joined": "2015-12"}]
    role = {"role": "销售", "sells": "deals", "people": people}
    target = minimal_target(
        kpi={"metric": "revenue", "target": "900万"},
        org={
            "name": "公司",
            "units": [
                {"name": "销售部", "roles": [{**role, "ramp": ["0%", "100%"], "ramp_per": "month"}]}
            ],
        },
        split={"basis": "even"},
    )
    plan = api.decompose(write_target(target))
    assert plan.solver.status == "optimal"

    def quota(node_id: str) -> tuple[int, int]:
        found = node_to_json(graph_node(plan.graph, node_id))
        return found["quota"], found["per_person"]

    # 丙 left in December 2014, before the plan; 丁 joins in December 2015 into a 0% first
    # month (training) and the plan ends with that month: neither works a month of 2015.
    assert quota("r:公司/销售部/销售~2014-12") == (0, 0)
    assert quota("r:公司/销售部/销售@2015-12") == (0, 0)
    # the 900万 is split evenly between the two who work all year: 450万 each (甲 and 乙 are
    # named without joined, so they are in the role at the start: the ramp is not theirs)
    assert quota("r:公司/销售部/销售") == (900 * WAN, 450 * WAN)
