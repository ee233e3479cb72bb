"""okrplan forecast: closed forms, shared rates, determinism, the buffer search, --as-of, and
the target file's uncertainty keys. Small simulations; every expected value is worked by hand
(or by an exact sum written out here), never taken from the program's output."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from fractions import Fraction
from math import comb, exp, lgamma, log, sqrt
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrplan import api
from okrplan.cli import cli
from okrplan.errors import InputError
from okrplan.export.planjson import to_json
from okrplan.forecast.buffer import search_buffer
from okrplan.forecast.model import build_model
from okrplan.forecast.org import org_of
from okrplan.forecast.run import forecast
from okrplan.forecast.simulate import simulate
from okrplan.forecast.source import FORMATS, load_org

ROOT = Path(__file__).resolve().parent.parent

ONE_GROUP = """\
okrplan: 1
plan: {{name: One group, period: 2015, locale: en}}
kpi: {{metric: deals, target: {target}}}
metrics:
  deals: {{name: deals}}
  opportunities: {{name: opportunities, yields: {{deals: {yields}}}}}
org:
  name: Co
  units:
{units}
split: {{rounding: {{money: 1, count: 1}}}}
objectives:
  - title: Sell
    key_results: [{{metric: deals}}]
"""
TEAM = """\
    - name: {name}
      roles:
        - role: rep
          headcount: 1
          sells: deals
          capacity: {{opportunities: {capacity}}}
          attainment: {{mean: 100%, spread: 0pp}}
"""


def write_plan(
    tmp_path: Path, yields: str, *, target: int = 15, teams: int = 1, cap: int = 60
) -> Path:
    """A decomposed plan directory (plan.json only) of one or more one-person teams."""
    units = "".join(TEAM.format(name=f"T{i}", capacity=cap) for i in range(teams))
    source = tmp_path / "target.yaml"
    source.write_text(ONE_GROUP.format(target=target, yields=yields, units=units), "utf-8")
    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "plan.json").write_text(to_json(api.decompose(source)), "utf-8")
    return folder


def beta_binomial_tail(n: int, a: float, b: float, k: int) -> float:
    """P(X ≥ k) for X ~ BetaBinomial(n, a, b): Σ C(n, j) B(j + a, n − j + b) / B(a, b)."""

    def log_beta(x: float, y: float) -> float:
        return lgamma(x) + lgamma(y) - lgamma(x + y)

    return sum(
        comb(n, j) * exp(log_beta(j + a, n - j + b) - log_beta(a, b)) for j in range(k, n + 1)
    )


def binomial_tail(n: int, p: float, k: int) -> float:
    """P(X ≥ k) for X ~ Bin(n, p), each term in logs (C(1200, 600) is beyond a float)."""

    def log_comb(j: int) -> float:
        return lgamma(n + 1) - lgamma(j + 1) - lgamma(n - j + 1)

    return sum(exp(log_comb(j) + j * log(p) + (n - j) * log(1 - p)) for j in range(k, n + 1))


def test_closed_forms_of_the_issue() -> None:
    # 60 opportunities, a win rate from 50 won of 200: Beta(51, 151); P(at least 15 deals)
    assert beta_binomial_tail(60, 51, 151, 15) == pytest.approx(0.5537, abs=5e-5)
    # the rate known exactly (25%): Bin(60, 0.25)
    assert binomial_tail(60, 0.25, 15) == pytest.approx(0.5494, abs=5e-5)


@pytest.mark.parametrize(
    ("yields", "expected"),
    [
        ("{rate: 25%, from: 50/200}", 0.5537),  # beta-binomial, above
        ("{rate: 25%, spread: 0.01pp}", 0.5494),  # sd 0.0001: the rate is as good as known
    ],
    ids=["evidence", "known-rate"],
)
def test_one_group_agrees_with_the_closed_form(
    tmp_path: Path, yields: str, expected: float
) -> None:
    # quota 15 deals at 25% needs 15 / 0.25 = 60 opportunities, attainment fixed at 100%
    result = forecast(write_plan(tmp_path, yields), sims=8000, seed=3)
    p_hit = result.stats[0].p_hit
    # the Monte Carlo's standard error: √(p(1 − p)/n) = √(0.5537 × 0.4463 / 8000) ≈ 0.0056
    assert abs(p_hit - expected) <= 3 * sqrt(expected * (1 - expected) / 8000)


def test_a_shared_rate_widens_the_company(tmp_path: Path) -> None:
    # Two teams of 600 opportunities each at one Beta(51, 151) rate (variance 0.00093):
    # per team Var = 600 × 0.25 × 0.75 + 600² × 0.00093 = 112.5 + 335 ≈ 447 (sd 21.2);
    # the company, rate shared: 2 × 112.5 + 1200² × 0.00093 ≈ 1564 (sd 39.5, 1.87 × a team's);
    # were the draws independent: 2 × 447 = 894 (sd 29.9, √2 = 1.41 × a team's).
    plan = write_plan(tmp_path, "{rate: 25%, from: 50/200}", target=300, teams=2, cap=600)
    result = forecast(plan, sims=4000, seed=1)
    company, team = result.stats[0], result.stats[1]
    ratio = (company.p90 - company.p10) / (team.p90 - team.p10)
    assert ratio > 1.65  # between the independent 1.41 and the shared 1.87
    assert result.rows[0].target == 300 and result.rows[1].target == 150


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    plan = str(write_plan(tmp_path, "{rate: 25%, spread: 5pp}"))
    runner = CliRunner()
    runs = [
        runner.invoke(cli, ["forecast", plan, "--sims", "500", "--seed", s, "--format", "json"])
        for s in ("7", "7", "8")
    ]
    assert [r.exit_code for r in runs] == [0, 0, 0]
    assert runs[0].output == runs[1].output != runs[2].output
    data = json.loads(runs[0].output)
    # {rate: 25%, spread: 5pp}: α + β = 0.25 × 0.75 / 0.05² − 1 = 74 → Beta(18.5, 55.5)
    assert data["rates"] == [
        {
            "alpha": 18.5,
            "beta": 55.5,
            "from": "opportunities",
            "rate": 0.25,
            "source": "spread",
            "to": "deals",
        }
    ]
    assert sum(data["histogram"]["counts"]) == 500


def test_the_table_names_the_default_spread(tmp_path: Path) -> None:
    plan = str(write_plan(tmp_path, "25%"))
    result = CliRunner().invoke(cli, ["forecast", plan, "--sims", "200"])
    assert result.exit_code == 0
    # a plain 25% is Beta with sd 10% of it: 2.5pp
    assert "rate opportunities→deals 25%: default standard deviation ±10% (2.5pp)" in result.output
    assert result.output.splitlines()[2].split() == [
        "Unit",
        "Target",
        "P(hit)",
        "Commit",
        "P10",
        "Median",
        "P50",
        "Stretch",
        "P90",
    ]


def test_buffer_search_on_the_a_company(tmp_path: Path) -> None:
    plan = load_org(ROOT / "scenarios" / "a-company-2015.yaml")
    model = build_model(plan)
    need = search_buffer(model, confidence=0.8, sims=1500, seed=2, buffer=0.10)
    assert need.multiplier is not None and need.p_hit is not None

    def p_hit(m: float) -> float:
        return simulate(model, sims=1500, seed=2, multiplier=m, rows=1).stats[0].p_hit

    # re-run at the multiplier found: at least 80%; 0.2% less activity: below (the smallest)
    assert p_hit(need.multiplier) == need.p_hit >= 0.8
    assert p_hit(need.multiplier * 0.998) < 0.8
    # the activity the quotas need (what the multiplier scales): 销售岗 5,500万 / 20万 = 275
    # deals / 30% / 50% / 5% = 36,666.7 calls; 销售岗 (2) 760万 → 38 deals → 5,066.7 calls;
    # the hires 720万 → 36 deals → 4,800 calls; 渠道经理 2,700万 / 60万 = 45 channels
    assert model.activity == {
        "calls": pytest.approx(36_666.667 + 5_066.667 + 4_800, abs=0.01),
        "channels": pytest.approx(45),
    }
    # company and roles are two levels apart: (1 + b')² = m × 1.1²
    assert need.levels == 2
    assert need.needed is not None
    assert need.needed == pytest.approx(1.1 * need.multiplier**0.5 - 1)
    # and decomposed at that buffer (to 0.1%, up), the plan itself reaches 80%, within the
    # Monte Carlo's 3 standard errors (√(0.8 × 0.2 / 1500) = 0.0103) and what rounding and
    # hiring change
    text = (ROOT / "scenarios" / "a-company-2015.yaml").read_text("utf-8")
    buffer = f"buffer: {-(-need.needed * 1000 // 1) / 10:g}%"
    (tmp_path / "a.yaml").write_text(text.replace("buffer: 10%", buffer), "utf-8")
    again = forecast(tmp_path / "a.yaml", sims=1500, seed=2)
    assert again.stats[0].p_hit >= 0.8 - 3 * 0.0103


def test_as_of_fixes_what_is_done(tmp_path: Path) -> None:
    from okrplan.progress import CheckIn, record

    folder = write_plan(tmp_path, "{rate: 25%, from: 50/200}")
    kr = "k:Co/T0/rep#1.1"  # the rep's deals KR
    record(
        folder,
        [CheckIn(kr, "2015-Q1", Fraction(4)), CheckIn(kr, "2015-Q2", Fraction(6))],
        source="test",
    )
    result = forecast(folder, sims=8000, seed=5, as_of=date(2015, 6, 30))
    # done 4 + 6 = 10 deals; even seasonality: half the year ahead, 30 of the 60 opportunities;
    # P(10 + X ≥ 15) = P(X ≥ 5), X ~ BetaBinomial(30, 51, 151)
    expected = beta_binomial_tail(30, 51, 151, 5)
    assert result.rows[0].done == 10
    assert abs(result.stats[0].p_hit - expected) <= 3 * sqrt(expected * (1 - expected) / 8000)
    assert result.no_checkins == ()


@pytest.mark.parametrize(
    ("yields", "message"),
    [
        ("{rate: 25%, from: 50/200, spread: 5pp}", "one of them"),
        ("{rate: 25%, spread: 50pp}", "does not fit a rate of 25%"),
        ("{rate: 25%, from: 250/200}", "won/tried"),
        ("{rate: 25%, form: 50/200}", "unknown key 'form'"),
    ],
    ids=["both", "too-wide", "won-above-tried", "typo"],
)
def test_uncertainty_errors_name_the_key(tmp_path: Path, yields: str, message: str) -> None:
    source = tmp_path / "target.yaml"
    source.write_text(
        ONE_GROUP.format(target=15, yields=yields, units=TEAM.format(name="T", capacity=60)),
        "utf-8",
    )
    with pytest.raises(InputError) as caught:
        api.load(source)
    assert message in str(caught.value)
    assert "metrics.opportunities.yields.deals" in str(caught.value)


def test_evidence_alone_gives_the_rate(tmp_path: Path) -> None:
    source = tmp_path / "target.yaml"
    units = TEAM.format(name="T", capacity=60)
    source.write_text(ONE_GROUP.format(target=15, yields="{from: 50/200}", units=units), "utf-8")
    plan = api.decompose(source)
    # 50/200 = 25%, written to plan.json with its evidence
    assert plan.metrics["opportunities"]["yields"] == {"deals": 0.25}
    assert plan.metrics["opportunities"]["uncertainty"] == {"deals": {"from": [50, 200]}}
    assert plan.meta["attainment"] == {"r:Co/T/rep": {"mean": 1, "spread": 0}}


def test_a_large_plans_layout_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # plan.json of a large plan has one node or edge per line; the forecast reads only the
    # lines it needs there: the same units, in the same order, the same numbers
    from okrplan.export import planjson

    plan = api.load_plan(write_plan(tmp_path, "25%", target=40, teams=3, cap=60))
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "plan.json").write_text(planjson.to_json(plan), "utf-8")
    monkeypatch.setattr(planjson, "ITEM_PER_LINE_FROM", 0)
    (tmp_path / "large").mkdir()
    large = planjson.to_json(plan)
    assert large.startswith('{"graph":{"directed":true,"edges":[\n')
    (tmp_path / "large" / "plan.json").write_text(large, "utf-8")
    small_run, large_run = (forecast(tmp_path / n, sims=300, seed=4) for n in ("small", "large"))
    assert small_run.rows == large_run.rows and small_run.stats == large_run.stats
    assert len(small_run.rows) > 3
    # and the plan in memory (as decompose has it) makes the same model
    assert build_model(org_of(plan)).rows == small_run.rows
    assert set(planjson.READS) <= set(FORMATS)  # the fast reader reads what the full one does
    # --unit takes a unit by the one rule, on the fast reader's graph of units
    shown = CliRunner().invoke(cli, ["forecast", str(tmp_path / "large"), "--unit", "T1"])
    assert shown.exit_code == 0, shown.output
    assert "T1" in shown.output and "T0" not in shown.output


def test_a_broken_plan_json_is_reported_by_the_full_reader(tmp_path: Path) -> None:
    # the fast reader does not guess: a field it cannot read sends the file to load_plan,
    # which names the key
    folder = write_plan(tmp_path, "25%")
    text = (folder / "plan.json").read_text("utf-8")
    (folder / "plan.json").write_text(text.replace('"headcount": 1', '"headcount": "1"'), "utf-8")
    with pytest.raises(InputError) as caught:
        forecast(folder, sims=10)
    assert "headcount" in str(caught.value)


def test_the_forecast_imports_neither_pydantic_nor_networkx() -> None:
    # importing them (and the solver) cost more than a second of a large plan's forecast
    code = (
        "import sys, okrplan.commands.forecast, okrplan.forecast.run, okrplan.forecast.present;"
        "print(sorted({'pydantic', 'networkx', 'okrplan.plan'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"


def test_a_large_group_drawn_from_the_normal_keeps_whole_counts(tmp_path: Path) -> None:
    # 300 deals from 1200 opportunities at a rate as good as known (sd 0.01pp): the count's
    # variance 1200 × 0.25 × 0.75 = 225 ≥ 100, so it is drawn from its normal approximation,
    # rounded to whole deals: P(X ≥ 300) = P(Bin(1200, 0.25) ≥ 300) ≈ 0.5 + half a count's
    # probability (≈ 0.0133) — an unrounded normal would give 0.5
    plan = write_plan(tmp_path, "{rate: 25%, spread: 0.01pp}", target=300, cap=1200)
    expected = binomial_tail(1200, 0.25, 300)
    assert 0.51 < expected < 0.52
    result = forecast(plan, sims=20000, seed=6)
    assert abs(result.stats[0].p_hit - expected) <= 3 * sqrt(expected * (1 - expected) / 20000)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--confidence", "abc"], "expected a percentage like 80%"),
        (["--confidence", "100%"], "--confidence: must be above 0% and below 100%"),
        (["--as-of", "2015-13-01"], "expected a day like 2015-06-30"),
        (["--unit", "nope"], "--unit"),
        (["--sims", "0"], "--sims: must be from 1 to 1,000,000"),
    ],
    ids=["confidence-text", "confidence-100", "as-of", "unit", "sims"],
)
def test_a_bad_option_is_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    plan = str(write_plan(tmp_path, "25%"))
    result = CliRunner().invoke(cli, ["forecast", plan, *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_decompose_says_the_plans_p_hit(tmp_path: Path) -> None:
    # at plan time, 2,000 simulations with seed 1: the one group of the closed form above,
    # P(at least 15 deals of 60 opportunities at Beta(51, 151)) = 0.5537, within 3 standard
    # errors (√(0.5537 × 0.4463 / 2000) = 0.0111); rates and attainment are given: no default
    from okrplan.forecast.glance import SIMS, summary_lines

    (tmp_path / "plain").mkdir()
    plan = api.load_plan(write_plan(tmp_path, "{rate: 25%, from: 50/200}"))
    lines = summary_lines(plan, "plan")
    head = "P(hit the target of 15) as planned: "
    assert lines[0].startswith(head) and SIMS == 2000
    assert abs(float(lines[0][len(head) :].split("%")[0]) / 100 - 0.5537) <= 3 * 0.0111 + 0.005
    assert lines[1:] == ["  more: okrplan forecast plan/ --confidence 80%"]
    # a plain rate takes the default spread, and the summary says so
    plain = api.load_plan(write_plan(tmp_path / "plain", "25%"))
    assert "default spread (±10% of the rate)" in summary_lines(plain, "plan")[1]


def test_outcomes_share_one_unit_per_column() -> None:
    from okrplan.forecast.amounts import column

    meta = {"kpi": {"base": "revenue"}, "locale": "zh-CN", "rounding": {"money": 100_000}}
    metrics = {"revenue": {"kind": "money"}}
    # 3,278,661.8万 → 3 figures: 3,280亿; 40.13亿 → 40.1亿; both in 亿 (one decimal at most)
    assert column(meta, metrics, [327_866_180_000, 4_013_000_000], simulated=True) == (
        "3,280亿",
        "40.1亿",
    )
    # targets as the plan has them: 2,972.53亿 and 406.7409亿 (4 decimals) need 万 together
    assert column(meta, metrics, [297_253_000_000, 40_674_090_000], simulated=False) == (
        "29,725,300万",
        "4,067,409万",
    )


def test_the_reports_forecast_charts(tmp_path: Path) -> None:
    # the one-group plan's section: 20 bins holding the 2,000 simulations, the target (15
    # deals) and P10 / P50 / P90 marked; names escaped, valid SVG
    import xml.etree.ElementTree as ET

    from okrplan.export.report_forecast import bars_svg, forecast_html, histogram_svg

    plan = api.load_plan(write_plan(tmp_path, "{rate: 25%, from: 50/200}"))
    html = forecast_html(plan)
    histogram = html[html.index("<svg") : html.index("</svg>") + 6]
    root = ET.fromstring(histogram)
    ns = "{http://www.w3.org/2000/svg}"
    bins = [r for r in root.iter(f"{ns}rect")]
    assert len(bins) == 20
    assert sum(int(b.find(f"{ns}title").text.split()[0].replace(",", "")) for b in bins) == 2000
    labels = [t.text for t in root.iter(f"{ns}text")]
    assert "target 15" in labels and sum(label.startswith("P") for label in labels) == 3
    evil = '<script>alert(1)</script> & "x"'
    for chart in (
        histogram_svg([0, 1, 2], [3, 4], [(1.5, evil, True)], title=evil, axis=(evil, evil),
                      count_label=evil),
        bars_svg([(evil, 0.7, "70%")], title=evil, lines=(evil, evil)),
    ):  # fmt: skip
        assert "<script>" not in chart
        assert any(t.text == evil for t in ET.fromstring(chart).iter(f"{ns}text"))
