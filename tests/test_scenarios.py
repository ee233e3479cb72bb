"""Every example in scenarios/ validates, opens with what it shows, and reads back as intended."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrplan import api
from okrplan.cli import cli
from okrplan.errors import Severity

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
SCENARIOS = sorted(SCENARIOS_DIR.glob("*.yaml"))


def _summary(file: Path) -> str:
    checked = api.check_file(file)
    assert checked.spec is not None, [str(i) for i in checked.issues]
    return api.summarize(checked.spec)


def test_there_are_scenarios() -> None:
    names = {path.name for path in SCENARIOS}
    assert {"a-company-2015.yaml", "sales-center-2021.yaml", "chip-market-share.yaml"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_validates_without_errors(path: Path) -> None:
    checked = api.check_file(path)
    errors = [str(i) for i in checked.issues if i.severity is Severity.ERROR]
    assert checked.ok, errors
    assert errors == []


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_opens_with_a_comment(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines, f"{path.name} is empty"
    assert lines[0].startswith("#")
    # Beyond an editor directive, the opening comment says what the scenario shows.
    opening = [line for line in lines if line.startswith("#")][:20]
    prose = [line for line in opening if "yaml-language-server" not in line and line.strip("# ")]
    assert len(prose) >= 3, f"{path.name} should open with a few lines on what it shows"


def test_validate_all_scenarios_on_the_command_line() -> None:
    result = CliRunner().invoke(cli, ["validate", *map(str, SCENARIOS)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok — ") == len(SCENARIOS)
    for path in SCENARIOS:
        assert f"{path}: ok — " in result.stdout


def test_a_company_summary() -> None:
    result = CliRunner().invoke(cli, ["validate", str(SCENARIOS_DIR / "a-company-2015.yaml")])
    assert result.exit_code == 0, result.output
    summary = result.stdout
    # In the plan's language (zh-CN): 10 + 2 reps + 3 channel managers = 15 people.
    assert "KPI：销售额 (revenue) 8,000万" in summary
    assert "15 人" in summary
    assert "漏斗（销售岗）：有效电话 → 拜访新客户 → 新增项目机会 → 成交项目 → 销售额" in summary


def test_sales_center_summary() -> None:
    summary = _summary(SCENARIOS_DIR / "sales-center-2021.yaml")
    assert "KPI：销售业绩 (revenue) 1亿" in summary
    assert "支持部门：推广部" in summary
    assert "漏斗（渠道经理、资深渠道销售）：新增有效渠道 → 销售业绩" in summary


def test_the_summary_in_english() -> None:
    checked = api.check_file(SCENARIOS_DIR / "a-company-2015.yaml")
    assert checked.spec is not None
    spec = checked.spec
    english = replace(
        spec,
        target=spec.target.model_copy(
            update={"plan": spec.target.plan.model_copy(update={"locale": "en"})}
        ),
    )
    summary = api.summarize(english)
    assert "KPI: 销售额 (revenue) ¥80M; buffer 10% per level" in summary
    assert "org: 2 units, 3 role groups, 15 people, 1 group may hire" in summary
    assert "objectives: 11 with 33 key results; weights: leverage" in summary


def test_sales_center_channel_team_carries_the_seed_numbers() -> None:
    spec = api.load(SCENARIOS_DIR / "sales-center-2021.yaml")
    target = spec.target
    channel_team = next(u.unit for u in spec.units if u.unit.name == "渠道团队")
    assert channel_team.quota == Decimal("20000000")
    per_channel = target.metrics["channels"].yields["revenue"]
    # The seed's 30 new channels carry its 2000万: about 60–70万 a channel.
    assert Decimal("600000") <= per_channel <= Decimal("700000")
    assert abs(30 * per_channel - channel_team.quota) <= per_channel / 2
    assert target.plan.seasonality is not None
    assert len(target.plan.seasonality) == 12
    assert sum(target.plan.seasonality) == 1


def test_chip_market_share_kpi_is_revenue_over_the_market() -> None:
    spec = api.load(SCENARIOS_DIR / "chip-market-share.yaml")
    market = Decimal("4000000000")  # 40亿, the market size the file states
    assert spec.target.metrics["market_share"].share_of == {"revenue": market}
    assert spec.base_metric == "revenue"
    assert spec.kpi_value == (Decimal("0.35") + Decimal("0.05")) * market
    assert spec.kpi_value == Decimal("1600000000")


def test_chip_market_share_splits_by_history_with_named_people() -> None:
    spec = api.load(SCENARIOS_DIR / "chip-market-share.yaml")
    assert spec.target.split.basis == "history"
    sellers = [ref for ref in spec.roles if ref.role.sells]
    assert sellers
    assert all(ref.role.history is not None for ref in sellers)
    joined = [
        p
        for ref in sellers
        for p in ref.role.people
        if not isinstance(p, str) and p.joined is not None
    ]
    assert joined, "someone should join mid-year"


def test_sales_center_explain_leaves_out_a_stretch_it_has_not() -> None:
    # 资深渠道销售 keeps no one (its quota went to the hires): no basis, no stretch.
    text = api.explain_text(api.decompose(SCENARIOS_DIR / "sales-center-2021.yaml"), "渠道团队")
    assert "渠道团队 资深渠道销售 × 0：任务额 0（每人 0）；基准 0\n" in text
    assert "None" not in text
