"""Hires split into what the KPI needs and what the buffer adds; infeasible plans' fixes; what
`explain` says binds. Numbers by hand, the working in comments (1万 = 10,000 yuan)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.graph import node
from okrplan.plan import Plan

WAN = 10_000
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "a-company-2015.yaml"
HIRES = "r:A公司/销售部/销售岗 (2)+hires"

# a visit brings 20% × 10万 = 2万
VISIT_FUNNEL = {
    "revenue": {"name": "销售额", "kind": "money"},
    "deals": {"name": "成交项目", "unit": "个", "yields": {"revenue": "10万"}},
    "visits": {"name": "客户拜访", "unit": "家次", "yields": {"deals": "20%"}},
}


@pytest.fixture(scope="module")
def a_company() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    return loaded


def a_company_with(
    base: dict[str, Any], write: Callable[..., Path], *, max_hires: int, target: str = "8000万"
) -> Path:
    changed = copy.deepcopy(base)
    changed["org"]["units"][0]["roles"][1]["hire"] = {"by": "2015-03", "max": max_hires}
    changed["kpi"]["target"] = target
    return write(changed)


def test_a_company_hires_are_all_for_the_buffer() -> None:
    plan = api.decompose(SCENARIO)
    # Without hires the roles carry 10 × 550万 + 2 × 380万 + 3 × 15 × 60万 = 8960万.
    # With the 10% buffer per level: 8000万 → 销售部 8800万 → roles 9680万, 720万 short;
    # a hire carries 240万 (test_cases.test_a_company_2015) ⇒ 720 / 240 = 3 hires.
    # Without the buffer the roles need the KPI, 8000万 ≤ 8960万 ⇒ 0 hires: all 3 are the
    # buffer's.
    assert plan.solver.hires == {HIRES: 3}
    assert plan.solver.hires_without_buffer == {HIRES: 0}
    text = api.explain_text(plan)
    assert "新增招聘 3 人：KPI 本身需要 0 人，每级超额分配 10% 另需 3 人" in text


def test_the_decompose_summary_says_what_the_buffer_adds(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["decompose", str(SCENARIO), "-o", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "KPI 本身需要 0 人，每级超额分配 10% 另需 3 人" in result.output
    assert "按计划达成目标（8,000万）的概率：" in result.output  # the plan's P(hit)
    # decompose writes the report and says so (from test_report, on this same run)
    assert "report.html" in result.stderr
    page = (tmp_path / "p" / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_hire_max_2_states_capacity_on_the_targets_basis(
    a_company: dict[str, Any], write_target: Callable[..., Path]
) -> None:
    # in memory: the command line's exit 3 with the fixes listed is
    # test_cases.test_the_cli_exits_3_and_still_writes_the_plan
    plan = api.decompose(a_company_with(a_company, write_target, max_hires=2))
    assert plan.solver.status == "infeasible"
    # The roles with the 2 allowed hires: 8960万 + 2 × 240万 = 9440万. At the company, two
    # levels of 10% buffer above them: 9440万 / 1.1² = 7801.65万 ⇒ a KPI of at most 7800万.
    # Both figures are said, each on its own basis.
    assert (
        "A公司：各岗位最多能承担 9,440万，按每级超额分配 10% 折算，本级目标最多 7,800万；"
        "招满允许的 2 人，并把目标从 8,000万 降到不超过 7,800万"
    ) in [r.message for r in plan.solver.relaxations]


def test_hire_max_2_in_english(
    a_company: dict[str, Any], write_target: Callable[..., Path]
) -> None:
    changed = copy.deepcopy(a_company)
    changed["plan"]["locale"] = "en"
    plan = api.decompose(a_company_with(changed, write_target, max_hires=2))
    target = next(r for r in plan.solver.relaxations if r.quantity == "target")
    assert target.message == (
        "A公司: its roles can carry 94.4M, which with the 10% buffer per level covers a "
        "target of at most 78M at this level; hire the 2 allowed and lower the target from "
        "80M to at most 78M"
    )


def test_two_percent_over_with_five_hires_uses_them_all_and_offers_five_fixes(
    a_company: dict[str, Any], write_target: Callable[..., Path]
) -> None:
    # With all 5 hires: 8960万 + 5 × 240万 = 10160万 at the roles, 10160万 / 1.21 = 8396.7万
    # at the company; a KPI of 8570万 is 2.1% over.
    path = a_company_with(a_company, write_target, max_hires=5, target="8570万")
    plan = api.decompose(path)
    assert plan.solver.status == "infeasible"
    assert plan.solver.hires == {HIRES: 5}
    assert node(plan.graph, HIRES).headcount == 5  # type: ignore[union-attr]
    assert plan.solver.to_json()["relaxations"] == [r.to_json() for r in plan.solver.relaxations]
    fixes = [{**r.to_json(), "quantity": r.quantity} for r in plan.solver.relaxations]
    assert len(fixes) <= 5
    by_quantity = {f["quantity"]: f for f in fixes}
    # Target: 8396.7万 in whole 10万 ⇒ 8390万.
    assert by_quantity["target"]["needed"] == "8,390万"
    assert "招满允许的 5 人" in by_quantity["target"]["message"]
    # Buffer b: 8960万 + 1200万 = 10160万 ≥ 8570万 × (1 + b)² ⇔ (1 + b)² ≤ 1.1855
    # ⇔ b ≤ 8.88% ⇒ 8% in whole percent.
    assert by_quantity["buffer"]["needed"] == "8%"
    # Calls: the 销售岗 groups must carry 8570万 × 1.21 − 3 × 900万 = 7669.7万. Per person
    # their caps (551.02万, 385.7万, 247.96万; test_cases.test_a_company_2015) scale with the
    # calls, in whole 10万: × 1.035 gives 570万, 390万, 250万: 10 × 570万 + 2 × 390万 +
    # 5 × 250万 = 7730万 ≥ 7669.7万; × 1.034 gives 560万 for the 10 (7630万), too few.
    # 100 × 1.035 = 103.5 ⇒ 104 calls a week.
    assert by_quantity["capacity:calls"]["needed"] == "104/周; 104/周"
    # One more hire: 240万 / 1.21 = 198万 at the company ≥ the 173.3万 gap ⇒ max 6.
    assert by_quantity["hire max"]["needed"] == "6"
    for fix in fixes:
        if fix["kind"] == "capacity":
            for old, new in zip(fix["current"].split("; "), fix["needed"].split("; "), strict=True):
                assert int(new.split("/")[0]) <= 1.5 * int(old.split("/")[0])
    # Ranked: buffer (2 points of 110% = 1.8%), target (180万 of 8570万 = 2.1%), calls
    # (+4%), one more hire (1 of 20 people = 5%), channels (15 → 17: +13%).
    assert [f["quantity"] for f in fixes] == [
        "buffer",
        "target",
        "capacity:calls",
        "hire max",
        "capacity:channels",
    ]


def peak_team(target: str, headcount: int) -> dict[str, Any]:
    """Reps whose capacity binds in each month of Q4: 20 visits a month × 2万 = 40万 a
    month; Q4's months hold 40% / 3 of the year ⇒ at most 40万 / (40% / 3) = 300万 a year."""
    return minimal_target(
        plan={"seasonality": ["10%", "20%", "30%", "40%"]},
        kpi={"metric": "revenue", "target": target},
        metrics=VISIT_FUNNEL,
        org={
            "name": "公司",
            "units": [
                {
                    "name": "销售部",
                    "roles": [
                        {
                            "role": "销售",
                            "headcount": headcount,
                            "sells": "deals",
                            "capacity": {"visits": "20/月"},
                        }
                    ],
                }
            ],
        },
    )


def test_a_group_rounded_up_to_capacity_names_the_months(
    write_target: Callable[..., Path],
) -> None:
    # 3 reps, 890万: 296.67万 each. Whole 10万 steps in grains of 3 people: 870万 or 900万;
    # at least the target ⇒ 900万, 300万 each: exactly the capacity in Oct, Nov and Dec.
    plan = api.decompose(write_target(peak_team("890万", 3)))
    rep = node(plan.graph, "r:公司/销售部/销售")
    assert rep.selling.per_person == 300 * WAN  # type: ignore[union-attr]
    # Rounding moved it 300 − 296.67 = +3.33万 (1.1% of the split's quota).
    assert rep.selling.binding == (  # type: ignore[union-attr]
        "capacity visits 20/月 in 2015-10..2015-12",
        "rounding +33333 from level",
    )
    text = api.explain_text(plan)
    assert "约束：产能 客户拜访 20/月（2015-10–2015-12）" in text
    assert "取整：每人+3.33万（相对共同拉伸水平）" in text


def test_a_group_bound_only_by_rounding_says_so_with_its_size(
    write_target: Callable[..., Path],
) -> None:
    # One group of 3 with no capacity, 1000万 and no buffer: 333.33万 each ideally. Whole 10万
    # steps in grains of 3 people give 990万 or 1020万; at least the target ⇒ 1020万, 340万
    # each: rounding moved it +6.67万 (2%), and nothing else holds it.
    target = minimal_target(
        kpi={"metric": "revenue", "target": "1000万"},
        org={
            "name": "公司",
            "units": [
                {"name": "销售部", "roles": [{"role": "销售", "headcount": 3, "sells": "deals"}]}
            ],
        },
    )
    plan = api.decompose(write_target(target))
    rep = node(plan.graph, "r:公司/销售部/销售")
    assert rep.selling.per_person == 340 * WAN  # type: ignore[union-attr]
    assert rep.selling.binding == ("rounding +66667 from level",)  # type: ignore[union-attr]
    text = api.explain_text(plan)
    assert "约束：无，处于共同拉伸水平" in text
    assert "取整：每人+6.67万（相对共同拉伸水平）" in text


def test_explain_in_english(write_target: Callable[..., Path]) -> None:
    target = peak_team("890万", 3)
    target["plan"]["locale"] = "en"
    plan: Plan = api.decompose(write_target(target))
    text = api.explain_text(plan)
    # the first line: the plan's name, then the status and stretch in English punctuation
    name, _, rest = text.splitlines()[0].partition(": ")
    assert name == plan.meta["name"] and rest.startswith("feasible, largest stretch ")
    assert "  bound by: capacity 客户拜访 20/month (2015-10–2015-12)" in text  # not /月
    assert "  rounding: +¥33.3k per person against the common stretch level" in text


def test_a_group_rounded_below_capacity_is_not_bound_by_it() -> None:
    plan = api.decompose(Path(SCENARIO).with_name("sales-center-2021.yaml"))
    manager = node(plan.graph, "r:销售中心/北京销售团队/渠道团队/渠道经理")
    # 2 channels a quarter × 67万 a channel; Q4 holds 8 + 10 + 16 = 34% of the year ⇒ at most
    # 134万 / 34% = 394.12万 a year (390万 in whole 10万). The minimum share, 70% of the group's
    # proportional share, is above that, so the split holds it at capacity, not at the
    # minimum; the team's rounding then gives 350万: 88.8% of capacity. One more 10万 step
    # still fits (360万 < 394.12万), so capacity does not bind: rounding does, −44.12万.
    assert manager.selling.per_person == 350 * WAN  # type: ignore[union-attr]
    assert manager.selling.binding == ("rounding -441176 from capacity",)  # type: ignore[union-attr]
    assert (
        "渠道团队 渠道经理 × 2：任务额 700万（每人 350万）；基准 788万，拉伸 0.8881\n"
        "  约束：取整：每人-44.12万（相对产能上限）\n" in api.explain_text(plan)
    )


@pytest.mark.parametrize(
    ("locale", "count", "name"),
    [
        ("zh-CN", 3, "招聘 3 名销售岗，3月底前到岗"),
        ("en", 3, "Hire 3 AEs by the end of 2015-03"),
        ("en", 1, "Hire 1 AE by the end of 2015-03"),
    ],
)
def test_a_staffing_kr_counts_its_role_in_the_plans_language(
    a_company: dict[str, Any], write_target: Callable[..., Path], locale: str, count: int, name: str
) -> None:
    from okrplan.solve.objectives import Hire, staffing
    from okrplan.spec import load_spec

    target = copy.deepcopy(a_company)
    target["plan"]["locale"] = locale
    role = target["org"]["units"][0]["roles"][1]
    role["hire"] = {"by": "2015-03"}
    if locale == "en":
        role["role"] = "AE"
    spec = load_spec(write_target(target))
    ref = next(r for r in spec.roles if r.role.hire)
    drafts = staffing(spec, "u:A公司/销售部", 2, [Hire("h", ref, count)])
    assert [d.name for d in drafts[1:]] == [name]
