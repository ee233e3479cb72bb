"""A plan's history keys (okrplan/versions.py) and `okrplan log`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from conftest import minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.export.planjson import to_json
from okrplan.versions import history, parent_of, with_history


def _write(plan: object, directory: Path) -> Path:
    directory.mkdir()
    (directory / "plan.json").write_text(to_json(plan), encoding="utf-8")  # type: ignore[arg-type]
    return directory


def test_history_round_trip_and_log(write_target: Callable[..., Path], tmp_path: Path) -> None:
    plan = api.decompose(write_target(minimal_target()))
    first = _write(plan, tmp_path / "plan")
    assert "parent" not in json.loads((first / "plan.json").read_text("utf-8"))["plan"]
    parent = parent_of(first, tmp_path / "plan-h2")
    assert parent["path"] == "../plan/plan.json"
    second = _write(
        with_history(plan, parent=parent, as_of=date(2015, 6, 30), overrides=["kpi.target=9百万"]),
        tmp_path / "plan-h2",
    )
    again = api.load_plan(second)  # the keys are read back and checked
    assert again.meta["as_of"] == "2015-06-30"
    assert again.meta["parent"] == parent
    found = history(second)
    assert [(v.name, v.as_of, v.state) for v in found] == [
        ("test", "2015-06-30", "ok"),
        ("test", None, "ok"),
    ]
    result = CliRunner().invoke(cli, ["log", str(second)])
    assert result.exit_code == 0
    assert "截至 2015-06-30  --set kpi.target=9百万" in result.output.splitlines()[0]
    # the parent edited since: its line says so, and the history stops there
    (first / "plan.json").write_text(to_json(plan) + " ", encoding="utf-8")
    assert [v.state for v in history(second)] == ["ok", "changed"]
    (first / "plan.json").unlink()
    assert [v.state for v in history(second)] == ["ok", "missing"]
    assert "（已不存在）" in CliRunner().invoke(cli, ["log", str(second)]).output


def test_a_bad_parent_hash_is_an_input_error(
    write_target: Callable[..., Path], tmp_path: Path
) -> None:
    plan = with_history(api.decompose(write_target(minimal_target())), as_of=date(2015, 6, 30))
    text = to_json(plan).replace('"as_of": "2015-06-30"', '"as_of": "June"')
    (tmp_path / "plan.json").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", str(tmp_path / "plan.json")])
    assert result.exit_code == 1
    assert "plan.as_of" in result.output
