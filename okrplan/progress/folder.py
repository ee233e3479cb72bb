"""Which folder a PLAN argument names, and the collector paused: what `checkin` and `status`
need first, in a module that imports nothing heavy (a status of a large plan reads its index
without pydantic or networkx)."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from okrplan.choices import PLAN_FILE
from okrplan.errors import Issue, OptionError

__all__ = ["plan_folder", "without_gc"]


@contextmanager
def without_gc() -> Iterator[None]:
    """Python's cycle collector paused (and restored after).

    A 100,000-person plan and a 10-million-row import make millions of small objects that
    live to the end; each full collection walks all of them again, which took half the
    import's time. What these commands make has no reference cycles to collect.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def plan_folder(path: str | os.PathLike[str]) -> Path:
    """The plan directory a PLAN argument names (the directory, or its plan.json).

    Raises
    ------
    OptionError
        If it is neither (a target file has no store: decompose it with -o first).
    """
    given = Path(path)
    if given.is_dir() and (given / PLAN_FILE).is_file():
        return given
    if given.name == PLAN_FILE and given.is_file():
        return given.parent
    hint = "pass the folder `okrplan decompose TARGET -o DIR` wrote; the check-ins live there"
    raise OptionError([Issue(f"{given} is not a plan folder (no {PLAN_FILE})", hint=hint)])
