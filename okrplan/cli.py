"""The `okrplan` command line: thin click commands over :mod:`okrplan.api`.

Heavy libraries (pydantic, OR-Tools, networkx) are imported inside the commands so that
`okrplan --help` starts fast.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import click

from okrplan import __version__
from okrplan.errors import OkrplanError
from okrplan.text import EscapingStream

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INFEASIBLE = 0, 1, 2, 3


class OkrplanGroup(click.Group):
    """Turns okrplan's own errors into a message on stderr and their exit code, and shows
    control characters in what a command prints as escapes (see EscapingStream)."""

    def invoke(self, ctx: click.Context) -> Any:
        with _escaping_output():
            try:
                return super().invoke(ctx)
            except OkrplanError as exc:
                click.echo(f"Error: {exc}" if "\n" not in str(exc) else str(exc), err=True)
                ctx.exit(exc.exit_code)


@contextlib.contextmanager
def _escaping_output() -> Iterator[None]:
    """stdout and stderr through :class:`okrplan.text.EscapingStream` while a command runs."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = EscapingStream(sys.stdout), EscapingStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


@click.group(cls=OkrplanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="okrplan")
def cli() -> None:
    """Turn one top-level KPI into a balanced OKR plan for every level of an organisation.

    Write a target file (start with `okrplan init`), check it with `okrplan validate`, and
    decompose it into objectives and key results for every unit and role.

    Exit codes: 0 ok, 1 error in the input, 2 usage error, 3 plan infeasible.

    \b
    Example:
      okrplan init target.yaml
      okrplan validate target.yaml
    """


def main() -> None:  # pragma: no cover - console entry point alias
    cli()


def _register_commands() -> None:
    from okrplan.commands import register

    register(cli)


_register_commands()


if __name__ == "__main__":  # `python -m okrplan.cli …`, as the benchmarks run it
    main()
