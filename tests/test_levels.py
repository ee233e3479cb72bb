"""Levels: a unit's KRs are what its own target needs; its children's add up to it × (1 +
buffer) where the rounding grid allows, to the nearest grid point where not, never below it;
every sheet shows the pass-down."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from okrplan import api, queries
from okrplan.export.markdown import to_markdown
from tests.conftest import minimal_target


def test_three_levels_with_a_buffer_the_grid_cannot_hit(
    write_target: Callable[..., Path],
) -> None:
    # 公司 1000万 → 销售部 → 3 reps; buffer 10% per level, money in whole 10万, split by
    # headcount. A deal is 10万, a visit wins a deal 20% of the time: a visit is worth 2万.
    target = minimal_target(
        plan={"buffer": "10%"},
        kpi={"metric": "revenue", "target": "1000万"},
        org={
            "name": "公司",
            "units": [
                {"name": "销售部", "roles": [{"role": "销售", "headcount": 3, "sells": "deals"}]}
            ],
        },
        split={"basis": "headcount", "rounding": {"money": "10万", "count": 1}},
        objectives=[
            {"title": "完成销售任务", "key_results": [{"metric": "revenue"}, {"metric": "visits"}]}
        ],
    )
    plan = api.decompose(write_target(target))
    graph = plan.graph
    company, dept = queries.unit(graph, "u:公司"), queries.unit(graph, "u:公司/销售部")
    rep = queries.role(graph, "r:公司/销售部/销售")
    # 公司: target 1000万, passes down 1000万 × 1.1 = 1100万 (110 steps of 10万: exact).
    assert (company.target, company.assigned) == (10_000_000, 11_000_000)
    # 销售部: 1100万 × 1.1 = 1210万 wanted, but 3 reps in whole 10万 each make multiples of
    # 30万: 1200万 (400万 each) or 1230万; the nearest is 1200万 (+9.1%), above 1100万.
    assert (dept.target, dept.assigned) == (11_000_000, 12_000_000)
    assert rep.selling is not None and rep.selling.per_person == 4_000_000
    # Visits: a rep needs 400万 / 2万 = 200. 销售部 needs what its own 1100万 needs:
    # 1100万 / 2万 = 550 (its reps' 3 × 200 = 600 carry the pass-down, 550 × 1.091);
    # 公司 needs 1000万 / 2万 = 500, and 销售部's 550 = 500 × 1.1 exactly.
    visits = {
        owner: next(
            k for _, krs in queries.sheet(graph, owner) for k in krs if k.metric == "visits"
        )
        for owner in ("u:公司", "u:公司/销售部", "r:公司/销售部/销售")
    }
    assert [visits[o].total for o in visits] == [500, 550, 200]
    text = to_markdown(plan)
    assert "## 公司 — 1,000万, 下达 1,100万 (+10%)" in text
    assert "### 销售部 — 1,100万, 下达 1,200万 (+9.1%)" in text
