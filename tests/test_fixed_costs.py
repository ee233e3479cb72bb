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


def test_the_childs_forecast_is_kept_not_made_again(
    small_plan: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # decompose's summary gives the forecast the child's report made: the parent does not
    # simulate again, and what it gives is the forecast itself (its floats sent exactly)
    from okrplan.forecast import glance

    expected = glance._glance(small_plan, None)
    assert expected is not None
    monkeypatch.setattr(api, "BESIDE_FROM", 0)
    made_here: list[object] = []
    real = glance._glance
    monkeypatch.setattr(glance, "_glance", lambda *a: made_here.append(a) or real(*a))
    glance._LAST.clear()
    api.write_plan(small_plan, tmp_path / "plan", images=False, sheets=False)
    assert glance.glance(small_plan) == expected
    assert made_here == []  # made in the child only
