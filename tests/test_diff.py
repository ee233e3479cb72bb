"""`okrplan diff`: what changed between two plans (okrplan/diff.py), with hand-computed values."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.diff import diff_json, diff_markdown, diff_plans, diff_text
from okrplan.overrides import load_spec_with

EVEN = {"seasonality": ["25%", "25%", "25%", "25%"]}


@pytest.fixture
def base(write_target: Callable[..., Path]) -> Path:
    # one team of 5 reps, 1000万, 10万 a deal, 20% of visits become deals, even seasons
    return write_target(minimal_target(plan=EVEN))


def test_a_plan_against_itself(base: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", str(base), str(base)])
    assert (result.exit_code, result.output) == (0, "无变化\n")
    plan = api.decompose(base)
    assert json.loads(diff_json(diff_plans(plan, plan))) == {"equal": True, "changes": []}


def test_a_higher_yield_changes_activities_only(base: Path) -> None:
    # 20万 a deal instead of 10万: each rep's 200万 needs 200万 / 20万 = 10 deals (was
    # 200万 / 10万 = 20) and 10 / 20% = 50 visits (was 100); the company's 1000万 needs
    # 50 deals (was 100) and 250 visits (was 500). No money KR and no quota changes.
    old = api.decompose(base)
    new = api.decompose(load_spec_with(base, ["metrics.deals.yields.revenue=20万"]))
    diff = diff_plans(old, new)
    totals = {(c.name, c.unit): (c.old, c.new) for c in diff.changes if c.field == "total"}
    assert totals == {
        ("公司 · 成交项目", "u:公司"): (100, 50),
        ("公司 · 客户拜访", "u:公司"): (500, 250),
        ("销售部 · 成交项目", "u:公司/销售部"): (100, 50),
        ("销售部 · 客户拜访", "u:公司/销售部"): (500, 250),
        ("销售 · 成交项目", "u:公司/销售部"): (20, 10),
        ("销售 · 客户拜访", "u:公司/销售部"): (100, 50),
    }
    assert {c.kind for c in diff.changes} == {"kr"}
    assert not [c for c in diff.changes if c.money or "销售额" in c.name]
    assert {c.field for c in diff.changes} == {"target", "total", "period"}
    # the changed months of the rep's visits add up to the change of its total: 50 − 100
    visits = [c for c in diff.changes if c.name == "销售 · 客户拜访" and c.field == "period"]
    assert sum(c.delta or 0 for c in visits) == -50
    # grouped by unit: the company's rows first, then 销售部's
    units = [c.unit for c in diff.changes]
    assert units == sorted(units, key=lambda u: u.count("/"))


def test_roles_people_and_quotas(write_target: Callable[..., Path], base: Path) -> None:
    # 销售部 gains a 2nd role group of 5 reps: each of 10 reps gets 1000万 / 10 = 100万
    target = minimal_target(plan=EVEN)
    roles = target["org"]["units"][0]["roles"]
    roles.append({"role": "大客户", "headcount": 5, "sells": "deals"})
    old, new = api.decompose(base), api.decompose(write_target(target, "two.yaml"))
    diff = diff_plans(old, new)
    added = {c.name for c in diff.changes if c.change == "added" and c.field == "node"}
    assert "大客户" in added and "大客户 · 销售额" in added
    quota = [c for c in diff.changes if c.node == "r:公司/销售部/销售" and c.field == "quota"]
    assert [(c.old, c.new, c.delta, c.ratio) for c in quota] == [
        (Decimal(10_000_000), Decimal(5_000_000), Decimal(-5_000_000), Decimal("-0.5"))
    ]
    # and back again: the same rows, removed instead of added
    back = diff_plans(new, old)
    removed = {c.name for c in back.changes if c.change == "removed" and c.field == "node"}
    assert removed == added


def test_unit_filter_and_formats(write_target: Callable[..., Path], base: Path) -> None:
    old = api.decompose(base)
    new = api.decompose(load_spec_with(base, ["kpi.target=1200万"]))
    whole, team = diff_plans(old, new), diff_plans(old, new, unit="u:公司/销售部")
    assert {c.unit for c in team.changes} == {"u:公司/销售部"}
    assert len(team.changes) < len(whole.changes)
    # 1000万 → 1200万 at the top: Δ +200万, Δ% +20.0%
    text = diff_text(whole)
    top = next(line for line in text.splitlines() if "公司 · 销售额" in line and "目标" in line)
    assert top.split()[-4:] == ["1,000万", "1,200万", "+200万", "+20.0%"]
    assert text.splitlines()[-1].startswith("共 ")
    assert diff_markdown(whole).startswith("| 单位 | 节点 |")
    assert diff_json(whole) == diff_json(diff_plans(old, new))  # deterministic


def test_cli_exit_codes_and_unit(base: Path, write_target: Callable[..., Path]) -> None:
    other = write_target(minimal_target(plan={**EVEN, "locale": "en"}), "en.yaml")
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", str(base), str(other), "--format", "json"])
    assert result.exit_code == 1
    assert {"kind": "plan", "name": "locale", "old": "zh-CN", "new": "en"}.items() <= next(
        c for c in json.loads(result.output)["changes"] if c["kind"] == "plan"
    ).items()
    kpi = {"metric": "revenue", "target": "2000万"}
    changed = write_target(minimal_target(plan=EVEN, kpi=kpi), "changed.yaml")
    result = runner.invoke(cli, ["diff", str(base), str(changed), "--unit", "销售部"])
    assert result.exit_code == 1
    assert "公司 / 销售部" in result.output
    result = runner.invoke(cli, ["diff", str(base), str(changed), "--unit", "市场部"])
    assert result.exit_code == 2
    assert "--unit" in result.output
