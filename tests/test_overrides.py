"""`--set KEY=VALUE`: what-if overrides of a target file (okrplan/overrides.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.errors import InputError, OptionError
from okrplan.export.planjson import to_json
from okrplan.overrides import load_spec_with, parse_override


@pytest.mark.parametrize(
    ("text", "keys", "value"),
    [
        ("kpi.target=9000万", ("kpi", "target"), "9000万"),
        ("metrics.deals.yields.revenue=25万", ("metrics", "deals", "yields", "revenue"), "25万"),
        ("org.units[0].roles[1].headcount=3", ("org", "units", 0, "roles", 1, "headcount"), 3),
        ("org.units.0.name=甲", ("org", "units", 0, "name"), "甲"),
        ("org.units[销售部].name = 甲", ("org", "units", "[销售部]", "name"), "甲"),
        ("plan.seasonality=[10%, 20%]", ("plan", "seasonality"), ["10%", "20%"]),
        ("split.bounds={min: 70%}", ("split", "bounds"), {"min": "70%"}),
        ("plan.name=a=b", ("plan", "name"), "a=b"),
    ],
    ids=["kpi", "yield", "indices", "dot-index", "by-name", "list", "mapping", "equals-in-value"],
)
def test_parse(text: str, keys: tuple[str | int, ...], value: object) -> None:
    override = parse_override(text)
    assert (override.keys, override.value) == (keys, value)


@pytest.mark.parametrize(
    "text", ["kpi.target", "=9000万", "kpi..target=1", "kpi.target[]=1", "kpi.target=[1", ".a=1"]
)
def test_malformed_set_is_a_usage_error(text: str) -> None:
    with pytest.raises(OptionError) as caught:
        parse_override(text)
    assert caught.value.exit_code == 2
    assert repr(text) in str(caught.value)


def test_overrides_equal_an_edited_file(write_target: Callable[..., Path]) -> None:
    # 5 reps at 10万 a deal, 1000万; --set gives the same plan as the file written with
    # 1200万 and 12万 a deal (same text apart from those two values).
    base = minimal_target()
    edited = minimal_target(kpi={"metric": "revenue", "target": "1200万"})
    edited["metrics"] = {**edited["metrics"], "deals": {**edited["metrics"]["deals"]}}
    edited["metrics"]["deals"]["yields"] = {"revenue": "12万"}
    spec = load_spec_with(
        write_target(base), ["kpi.target=1200万", "metrics.deals.yields.revenue=12万"]
    )
    assert spec.kpi_value == 12_000_000
    expected = api.decompose(write_target(edited, "edited.yaml"))
    assert to_json(api.decompose(spec)) == to_json(expected)


def test_set_creates_missing_sections(write_target: Callable[..., Path]) -> None:
    spec = load_spec_with(write_target(minimal_target()), ["split.bounds.max=120%"])
    assert spec.target.split.bounds.max == Decimal("1.2")


def test_invalid_value_names_the_set(write_target: Callable[..., Path]) -> None:
    with pytest.raises(InputError) as caught:
        load_spec_with(write_target(minimal_target()), ["kpi.target=lots", "plan.buffer=5%"])
    (issue,) = caught.value.issues
    assert caught.value.exit_code == 1
    assert (issue.file, issue.line, issue.path) == ("--set kpi.target=lots", None, "kpi.target")


def test_unknown_key_names_the_set(write_target: Callable[..., Path]) -> None:
    with pytest.raises(InputError) as caught:
        load_spec_with(write_target(minimal_target()), ["kpi.goal=1"])
    assert [i.file for i in caught.value.issues] == ["--set kpi.goal=1"]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("org.units[3].name=x", "org.units has no item [3]"),
        ("org.units[市场部].name=x", "org.units has no item [市场部]"),
        ("kpi.target.amount=1", "kpi.target is not a mapping"),
    ],
)
def test_unusable_path_is_a_usage_error(
    write_target: Callable[..., Path], text: str, hint: str
) -> None:
    with pytest.raises(OptionError) as caught:
        load_spec_with(write_target(minimal_target()), [text])
    assert hint in caught.value.issues[0].hint


def test_cli_exit_codes(write_target: Callable[..., Path]) -> None:
    path = str(write_target(minimal_target()))
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", path, "--set", "kpi.target=900万"])
    assert ok.exit_code == 0, ok.output
    assert "900万" in ok.output
    bad = runner.invoke(cli, ["validate", path, "--set", "kpi.target=lots"])
    assert bad.exit_code == 1
    assert "--set kpi.target=lots: error: kpi.target:" in bad.output
    usage = runner.invoke(cli, ["decompose", path, "--set", "kpi.target", "-o", "x"])
    assert usage.exit_code == 2
    assert "Traceback" not in usage.output


def test_a_kpi_list_item_is_named_by_its_metric(write_target: Callable[..., Path]) -> None:
    # kpi: as a list (several targets): an item is named by index or by its metric, and a key
    # that names no item says which items there are
    path = write_target(minimal_target(kpi=[{"metric": "revenue", "target": "1000万"}]))
    spec = load_spec_with(path, ["kpi.revenue.target=900万"])
    assert spec.kpi_value == 9_000_000
    with pytest.raises(OptionError) as caught:
        load_spec_with(path, ["kpi.target=900万"])
    assert "kpi has no item [target]; its items: 0–0 or revenue" in caught.value.issues[0].hint
