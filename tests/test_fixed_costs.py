"""The fixed costs of a run: the collector paused for a command, and restored after it."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from okrplan import api
from okrplan.commands import collector_paused

ROOT = Path(__file__).resolve().parent.parent


def test_collector_paused_while_the_command_runs_and_resumed_after() -> None:
    seen: list[bool] = []

    @collector_paused
    def command(value: int) -> int:
        seen.append(gc.isenabled())
        return value + 1

    assert gc.isenabled()
    assert command(1) == 2
    assert seen == [False]
    assert gc.isenabled()


def test_collector_resumed_after_an_error_and_left_off_if_it_was_off() -> None:
    @collector_paused
    def failing() -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        failing()
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(ValueError):
            failing()
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()


@pytest.fixture(scope="module")
def small_plan() -> Any:
    return api.decompose(ROOT / "scenarios" / "a-company-2015.yaml")


@pytest.mark.parametrize(("beside_from", "calls"), [(0, 1), (10**9, 0)])
def test_meanwhile_runs_only_while_a_child_makes_the_other_files(
    small_plan: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, beside_from: int, calls: int
) -> None:
    # decompose makes the summary's forecast while the child makes the sheets and the report;
    # without a child there is no idle wait to fill, and the files are the same either way
    monkeypatch.setattr(api, "BESIDE_FROM", beside_from)
    made: list[int] = []
    out = api.write_plan(
        small_plan,
        tmp_path / "plan",
        images=False,
        sheets=False,  # the child's work is not what is tested: a quick one
        report=False,
        meanwhile=lambda: made.append(1),
    )
    assert made == [1] * calls
    assert (out / "plan.json").is_file()
