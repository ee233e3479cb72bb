"""Commands of the `okrplan` command line that live in modules of their own.

Each module here defines one click command named ``command`` and imports nothing heavy at
module level (pydantic, OR-Tools, networkx, numpy are imported inside the command), so that
`okrplan --help` stays fast. :func:`register` adds them to the `okrplan` group; add a module
by adding its name to :data:`MODULES`, one per line.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable
from importlib import import_module
from typing import ParamSpec, TypeVar

import click

P = ParamSpec("P")
R = TypeVar("R")

MODULES: tuple[str, ...] = (
    # one module name per line, e.g. "checkin",
    "validate",
    "schema",
    "init",
    "decompose",
    "explain",
    "score",
    "render",
    "export",
    "import_actuals",
    "report",
    "checkin",
    "status",
    "review",
    "diff",
    "log",
    "replan",
    "forecast",
)


SET_OPTION = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a key of the target file (repeatable): kpi.target=9000万.",
)
"""The ``--set KEY=VALUE`` what-if option of every command that reads a target file."""


def register(group: click.Group) -> None:
    """Add every command of :data:`MODULES` to ``group``, in the order listed."""
    for name in MODULES:
        command = import_module(f"{__name__}.{name}").command
        group.add_command(command)


def exit_without_teardown() -> None:
    """Exit 0 now, leaving a large plan's objects to the operating system: freeing them one
    by one at interpreter exit costs about a second per 100,000 people. Only when this
    process is the ``okrplan`` console script (never a test runner's or a notebook's), every
    file written and closed, stdout and stderr flushed."""
    import os
    from pathlib import Path

    if Path(sys.argv[0]).name != "okrplan":
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def collector_paused(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` (a command) run with Python's cyclic garbage collector paused, and resumed
    after it as it was.

    A command that reads a file and writes a plan makes no reference cycles worth collecting,
    but the collector still scans everything allocated since it started: the modules it
    imports (pydantic's schemas, networkx, the whole solver: about 0.1-0.2 CPU s) and the
    plan's records (see :func:`okrplan.plan.bulk_work`, which pauses it for the large steps;
    this covers the steps between them too).
    """

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused
