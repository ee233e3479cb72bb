"""The committed docs stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

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
