"""`okrplan validate`: check target files."""

from __future__ import annotations

import sys
from typing import Any

import click

from okrplan.commands import SET_OPTION
from okrplan.errors import OkrplanError

EXIT_ERROR = 1


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems, no summaries.")
@SET_OPTION
def command(files: tuple[str, ...], as_json: bool, quiet: bool, sets: tuple[str, ...]) -> None:
    """Check target files and print what was understood, or every problem found.

    Each problem names the file, line, column and key path, with a hint. Exits 1 if any file
    has an error.

    \b
    Example:
      okrplan validate scenarios/*.yaml
    """
    import json

    from okrplan import api, overrides, validate_text
    from okrplan.wording import words

    results = [
        _decomposes(overrides.check_file(f, sets) if sets else api.check_file(f)) for f in files
    ]
    if as_json:
        click.echo(json.dumps([api.describe(r) for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            for issue in result.issues:
                click.echo(str(issue), err=True)
            if result.spec is None:
                errors = sum(1 for i in result.issues if i.severity == "error")
                locale = validate_text.file_locale(result.file)
                click.echo(
                    words(locale, "file_problems", file=result.file, n=errors),
                    err=True,
                )
            elif not quiet:
                click.echo(f"{result.file}: ok — {api.summarize(result.spec)}")
    if not all(r.ok for r in results):
        sys.exit(EXIT_ERROR)


def _decomposes(checked: Any) -> Any:
    """What validates, decomposes: a valid file is solved too (nothing is written), and what
    only the solver can see (a sheet whose fixed weights cannot reach 100%) is a problem of
    the file, at the line it is about. A plan that cannot be met is valid (decompose says
    why, exit 3)."""
    from okrplan import api
    from okrplan.errors import InputError

    if checked.spec is None:
        return checked
    try:
        api.decompose(checked.spec)
    except InputError as exc:
        found = tuple(_located(issue) for issue in exc.issues)
        return api.Checked(checked.file, None, (*checked.issues, *found))
    return checked


def _located(issue: Any) -> Any:
    """``issue`` at the line of its key in its file (the solver's issues name a key only)."""
    import dataclasses

    from okrplan.source import format_path, load_yaml

    if issue.line is not None or not issue.file or not issue.path:
        return issue
    try:
        source = load_yaml(issue.file)
    except OkrplanError:
        return issue
    path: tuple[str | int, ...] = (issue.path,)
    if path not in source.keys and issue.path == "weights":
        # no weights: section: the first weight a KR fixes is what to look at
        path = next((p for p in source.keys if p[-1] == "weight"), path)
    if path not in source.keys:
        return issue
    line, column = source.keys[path]
    return dataclasses.replace(issue, line=line, column=column, path=format_path(path))
