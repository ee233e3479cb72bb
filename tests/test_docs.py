"""The committed docs stay true to the code."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from okrplan.api import schema_text
from okrplan.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "docs" / "target.schema.json").read_text(encoding="utf-8")
    hint = "regenerate: okrplan schema -o docs/target.schema.json --force"
    assert committed == schema_text(), hint


def test_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert re.search(rf"`okrplan {name}\b", readme), f"README does not show okrplan {name}"


def test_readme_commands_are_the_scripts() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/setup.sh\n" in readme and "bash scripts/test.sh\n" in readme
    assert (ROOT / ".ci" / "run").read_text().count("scripts/test.sh") == 1


def test_version_option() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("okrplan, version ")


def test_the_readmes_path_to_a_weekly_calls_target(monkeypatch: Any, tmp_path: Path) -> None:
    # The README names the calls from `okrplan decompose` to the function that makes a
    # 销售岗's weekly calls target; the stack at its first call says the same, link by link.
    from okrplan.solve import krcounts

    stacks = []

    class Seen(Exception):
        """Stops the run at the first call: the rest of the plan is not this test's."""

    def traced(*args: Any, **kwargs: Any) -> Any:
        stacks.append([(f.frame.f_globals["__name__"], f.function) for f in inspect.stack()])
        raise Seen

    monkeypatch.setattr(krcounts, "count_targets", traced)
    target = ROOT / "scenarios" / "a-company-2015.yaml"
    CliRunner().invoke(cli, ["decompose", str(target), "-o", str(tmp_path / "p"), "-q"])
    assert stacks, "count_targets was never called"
    stack = stacks[0][1:]  # innermost first, without the tracer itself
    start = stack.index(("okrplan.commands.decompose", "command"))
    chain = [*reversed(stack[:start]), ("okrplan.solve.series", "count_targets")]
    assert chain == [
        ("okrplan.api", "decompose"),
        ("okrplan.plan", "solve_plan"),
        ("okrplan.solve.objectives", "sheet_records"),
        ("okrplan.solve.objectives", "sheet"),
        ("okrplan.solve.objectives", "_shape"),
        ("okrplan.solve.objectives", "<listcomp>"),
        ("okrplan.solve.objectives", "kr"),
        ("okrplan.solve.objectives", "_numbers"),
        ("okrplan.solve.krcounts", "get"),
        ("okrplan.solve.series", "count_targets"),
    ]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (
        "in five calls: `commands.decompose.command` → `api.decompose` → `plan.solve_plan` → "
        "`solve.objectives.sheet_records`" in readme
    )
    assert (
        "a KR at a time: `_KRMaker.sheet`, `_shape`, `kr`, `_numbers`) → `CountNumbers.get`"
        in readme
    )
    assert "→ `CountNumbers.get`" in readme and "→ `solve.series.count_targets`" in readme
