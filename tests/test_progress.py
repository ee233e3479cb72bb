"""Progress of long runs: the stages `okrplan decompose` reports, the spinner on a terminal,
and silence with --quiet or when stderr is not a terminal."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import minimal_target

from okrplan import api
from okrplan.cli import cli
from okrplan.commands.decompose import Progress

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "scenarios" / "a-company-2015.yaml"


def test_decompose_reports_each_stage_in_order(tmp_path: Path) -> None:
    seen: list[str] = []
    plan = api.decompose(TARGET, progress=seen.append)
    assert seen == ["load", "solve", "rounding", "graph", "weights"]
    seen.clear()
    api.write_plan(plan, tmp_path / "plan", images=False, progress=seen.append)
    assert seen == ["tree.dot", "plan.md", "plan.json", "sheets", "report.html", "write"]
    assert set(seen) <= set(Progress.STAGES) == set(Progress.STAGES_ZH)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_the_stage_being_worked_on(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with Progress(enabled=True) as progress:
        progress.locale = "en"
        progress("solve")
        time.sleep(0.3)  # the spinner redraws a dozen times a second
    assert "solving quotas and hires" in screen.getvalue()
    chinese = _Terminal()
    monkeypatch.setattr(sys, "stderr", chinese)
    with Progress(enabled=True) as progress:
        progress.locale = "zh-CN"
        progress("solve")
        time.sleep(0.3)
    assert "求解任务额与招聘" in chinese.getvalue() and "solving" not in chinese.getvalue()
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    with Progress(enabled=False) as progress:
        progress("solve")
        time.sleep(0.1)
    assert quiet.getvalue() == ""


def test_no_spinner_when_stderr_is_not_a_terminal(
    write_target: Callable[..., Path], tmp_path: Path
) -> None:
    target = str(write_target(minimal_target()))  # any plan: the smallest is quickest
    done = CliRunner().invoke(cli, ["decompose", target, "-o", str(tmp_path / "p")])
    assert done.exit_code == 0, done.output
    assert "okrplan decompose:" not in done.stderr  # a log file gets no spinner frames
    quiet = CliRunner().invoke(cli, ["decompose", target, "-o", str(tmp_path / "q"), "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
