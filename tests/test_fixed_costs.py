"""The fixed costs of a run: the collector paused for a command, and restored after it."""

from __future__ import annotations

import gc

import pytest

from okrplan.commands import collector_paused


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
