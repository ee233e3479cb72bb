"""`okrplan log PLAN`: the versions a plan descends from."""

from __future__ import annotations

import click


@click.command("log")
@click.argument("plan", type=click.Path())
def command(plan: str) -> None:
    """List a plan and the plans it was re-planned from, newest first.

    Each line: the first 12 hex digits of the plan.json's SHA-256, its path, the plan's name,
    the date it was re-planned as of and the --set overrides it was made with. A parent that
    is gone or was changed since it was re-planned from says so.

    \b
    Example:
      okrplan log plan-h2/
    """
    from okrplan import api, versions

    locale = api.load_plan(versions.plan_file(plan)).locale
    click.echo(versions.history_text(versions.history(plan), locale), nl=False)
