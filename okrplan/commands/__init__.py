"""Commands of the `okrplan` command line that live in modules of their own.

Each module here defines one click command named ``command`` and imports nothing heavy at
module level (pydantic, OR-Tools, networkx, numpy are imported inside the command), so that
`okrplan --help` stays fast. :func:`register` adds them to the `okrplan` group; add a module
by adding its name to :data:`MODULES`, one per line.
"""

from __future__ import annotations

from importlib import import_module

import click

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
