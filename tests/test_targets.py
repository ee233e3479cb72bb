"""Several targets (``kpi:`` as a list): further targets split over the same organisation, by
hand. One decompose serves every assertion about the split."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan.api import decompose
from okrplan.errors import InputError
from okrplan.model import KeyResult
from okrplan.plan import Plan
from okrplan.queries import records
from okrplan.solve.targets import nearest_grains
from okrplan.spec import load_spec
from okrplan.validate_text import summarize

WAN = 10_000

TARGET = """\
okrplan: 1
plan: {name: test, period: 2015, locale: zh-CN, buffer: 10%}
kpi:
  - {metric: revenue, target: 1000万}
  - {metric: collections, target: 800万, basis: history}
  - {metric: customers, target: 540}
metrics:
  revenue: {name: 销售额, kind: money}
  deals: {name: 成交项目, unit: 个, yields: {revenue: 10万}}
  visits: {name: 客户拜访, unit: 家次, yields: {deals: 20%}}
  collections: {name: 回款额, kind: money}
  customers: {name: 新客户, unit: 家}
org:
  name: 公司
  units:
    - name: 华东
      roles: [{role: 销售, headcount: 3, sells: deals, history: 600万}]
    - name: 华南
      roles: [{role: 销售, headcount: 2, sells: deals, history: 200万}]
split: {basis: headcount}
"""


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    path = tmp_path_factory.mktemp("targets") / "target.yaml"
    path.write_text(TARGET, encoding="utf-8")
    return decompose(path)


def _krs(plan: Plan, metric: str) -> dict[str, KeyResult]:
    return {
        kr.owner: kr
        for kr in records(plan.graph)
        if isinstance(kr, KeyResult) and kr.metric == metric
    }


def test_a_second_target_split_by_its_own_basis_has_exact_totals(plan: Plan) -> None:
    # collections 800万 by history (华东 600万, 华南 200万), buffer 10%, step 10万:
    # the company passes down 800 × 1.1 = 880万 = 88 steps; 600 : 200 → 66 and 22 steps.
    # 华东 660万 × 1.1 = 72.6 steps, in grains of its 3 people: 72 (nearer than 75, ≥ 66)
    #   → 24 steps = 240万 each (3 × 240 = 720万).
    # 华南 220万 × 1.1 = 24.2 steps, grains of 2: 24 → 12 steps = 120万 each (2 × 120 = 240万).
    krs = _krs(plan, "collections")
    assert krs["u:公司"].total == 800 * WAN
    assert krs["u:公司/华东"].total == 660 * WAN
    assert krs["u:公司/华南"].total == 220 * WAN
    assert krs["r:公司/华东/销售"].total == 240 * WAN
    assert krs["r:公司/华南/销售"].total == 120 * WAN
    # each person's 240万 over 12 even months: 20万 a month, 60万 a quarter
    assert dict(krs["r:公司/华东/销售"].periods) == {f"2015-Q{q}": 60 * WAN for q in range(1, 5)}
    for kr in krs.values():  # periods add up to totals
        assert sum(kr.periods.values()) == kr.total
    # the primary is split by headcount as before: 24 steps = 240万 each in both units
    assert _krs(plan, "revenue")["r:公司/华南/销售"].total == 240 * WAN


def test_a_count_target_split_by_the_primary_quotas(plan: Plan) -> None:
    # customers 540 (count step 1) in proportion to the primary's unit targets 660万 : 440万
    # (1000万 by headcount 3 : 2, × 1.1): 540 × 1.1 = 594 → 356.4 and 237.6 → 356 + 238
    # (the larger remainder, 0.6, gets the last one).
    # 华东 356 × 1.1 = 391.6 in grains of 3: 393 (nearer than 390) → 131 each;
    # 华南 238 × 1.1 = 261.8 in grains of 2: 262 → 131 each.
    krs = _krs(plan, "customers")
    assert krs["u:公司"].total == 540
    assert (krs["u:公司/华东"].total, krs["u:公司/华南"].total) == (356, 238)
    assert krs["r:公司/华东/销售"].total == krs["r:公司/华南/销售"].total == 131
    for kr in krs.values():
        assert sum(kr.periods.values()) == kr.total
    assert plan.meta["targets"] == [
        {"metric": "collections", "target": 800 * WAN, "basis": "history"},
        {"metric": "customers", "target": 540, "basis": "quotas"},
    ]


def _errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_spec(path)
    return [f"{i.line}:{i.path}: {i.message} | {i.hint}" for i in caught.value.issues]


BAD = (
    TARGET.replace("target: 1000万}", "target: 1000万, basis: history}")
    .replace(
        "  - {metric: customers, target: 540}\n",
        "  - {metric: deals, target: 540}\n"
        "  - {metric: revenue, target: 5}\n"
        "  - {metric: collections, target: 3}\n"
        "  - {metric: share, target: 3}\n"
        "  - {metric: customers, target: 0}\n",
    )
    .replace(
        "  customers: {name: 新客户, unit: 家}\n",
        "  customers: {name: 新客户, unit: 家}\n"
        "  share: {name: 回款, kind: money, follows: {revenue: 95%}}\n",
    )
)


def test_further_targets_that_cannot_be_planned_are_errors(tmp_path: Path) -> None:
    assert _errors(tmp_path, BAD) == [
        "4:kpi[0].basis: the primary target is split by split.basis; basis is for further "
        "targets | write split: {basis: history}, or drop basis here",
        "6:kpi[2].metric: 'deals' is a step of the funnel (visits → deals → revenue): the "
        "primary target's quotas work it out | a further target names a metric outside the "
        "funnel (collections, customers)",
        "7:kpi[3].metric: 'revenue' is the primary target's metric: the first target plans it"
        " | give a further target a metric of its own (collections, new_customers)",
        "8:kpi[4].metric: kpi[1] already targets 'collections' | give each target its own "
        "metric, or drop one of them",
        "9:kpi[5].metric: 'share' follows revenue (95% of it), so the plan works its target "
        "out; it cannot have a target of its own as well | drop follows from metrics.share, "
        "or drop this target",
        "10:kpi[6].target: a target must be more than zero | write the amount to reach, e.g. 1.1亿",
    ]


def test_a_history_basis_needs_every_selling_role_s_history(tmp_path: Path) -> None:
    text = TARGET.replace(", history: 200万", "")
    assert _errors(tmp_path, text) == [
        "5:kpi[1].basis: basis is history, but 销售 in 华南 has no history | add history: to "
        "every selling role (or a history column to the roster), or split this target by "
        "quotas",
    ]


EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "12")) * 10  # no decompose: cheap


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.tuples(st.integers(1, 12), st.integers(0, 5_000)), min_size=1, max_size=12).map(
        lambda items: [(1, items[0][1]), *items[1:]]
    ),  # a unit (grain 1) among the children
    st.integers(0, 3),
)
def test_nearest_grains_always_adds_up(children: list[tuple[int, int]], slack: int) -> None:
    # Whatever the ideals, a split with a single-step child sums exactly to the total, no
    # count is negative, and ideals that are whole multiples of their grains are kept as they
    # are when they already add up.
    grains = [g for g, _ in children]
    ideals = [Fraction(x) for _, x in children]
    total = int(sum(ideals)) + slack
    counts = nearest_grains(total, ideals, grains)
    assert counts is not None
    assert sum(k * g for k, g in zip(counts, grains, strict=True)) == total
    assert min(counts) >= 0
    whole = [Fraction(g * (int(x) // g)) for g, x in zip(grains, ideals, strict=True)]
    assert nearest_grains(int(sum(whole)), whole, grains) == [
        int(x) // g for x, g in zip(whole, grains, strict=True)
    ]


def test_validate_summarises_the_further_targets(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TARGET, encoding="utf-8")
    lines = summarize(load_spec(path)).splitlines()
    assert lines[2] == (
        "  另有目标：回款额 800万（按历史业绩分解）；新客户 540家（按主目标配额分解）"
    )
