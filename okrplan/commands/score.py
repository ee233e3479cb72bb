"""`okrplan score`: score actuals against a plan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from okrplan.plan import Plan
    from okrplan.score import ScoreOptions, SheetScore


def _stretch_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--stretch checked while the options are parsed: a bad value is a usage error (exit 2)."""
    if value is None:
        return None
    from okrplan.quantity import QuantityError
    from okrplan.score import parse_stretch

    try:
        parse_stretch(value)
    except QuantityError as exc:
        raise click.BadParameter(f"{exc} ({exc.hint})") from None
    return value


def _print_tables(plan: Plan, sheets: Sequence[SheetScore], options: ScoreOptions) -> None:
    """Each sheet's scores as a table on standard output."""
    from rich.table import Table

    from okrplan import score_table
    from okrplan.terminal import console_for

    tables = []
    for sheet in sheets:
        table = Table(
            *score_table.headers(plan.locale),
            title=score_table.title(sheet, plan.locale),
            title_justify="left",
        )
        for row in score_table.table_rows(plan, sheet, options):
            table.add_row(*row)
        tables.append(table)
    console = console_for(*tables)
    for table in tables:
        console.print(table)


@click.command("score")
@click.argument("plan_or_target", type=click.Path())
@click.argument("actuals", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Also write the scores to this .md or .csv file.",
)
@click.option(
    "--stretch",
    metavar="PERCENT",
    callback=_stretch_option,
    help="Credit overachievement up to this level, e.g. 120% (default: capped at 100%).",
)
@click.option("--percent", is_flag=True, help="Show KR scores as percents instead of 0–1.0.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def command(
    plan_or_target: str,
    actuals: str | None,
    output: str | None,
    stretch: str | None,
    percent: bool,
    force: bool,
) -> None:
    """Score every role's and unit's sheet from a table of actuals, or an OKR workbook.

    The table (CSV, or .xlsx with it on the first sheet; - reads a CSV from standard input) has
    columns kr (a KR id from plan.json, or the KR's name with unit and role), period (plan, a
    quarter, month or ISO week; default plan) and actual (380万, 1.2亿, 25%, 7200; a plain
    number of money is yuan). A workbook written by `okrplan export` or `decompose` is read
    directly: the actuals typed into it. Without ACTUALS the check-ins stored by `okrplan
    checkin` in the plan folder are scored (and agree with `okrplan status`). A KR score is
    actual ÷ target (target ÷ actual for KRs where less is better), capped at 1.0; an
    objective's O分值 is Σ weight × score; deductions (减分项) subtract points per case.

    \b
    Example:
      okrplan score plan/ actuals.csv -o scores.md
    """
    from okrplan import api, score_table
    from okrplan.present import label, wrote_text
    from okrplan.score import to_csv

    plan = api.load_plan(plan_or_target)
    folder = None
    if actuals is None:  # no table: the check-ins of the plan folder (okrplan checkin)
        from okrplan.progress.intake import plan_folder

        folder = plan_folder(plan_or_target)
    sheets, options, warnings = api.score(
        plan, actuals, store_folder=folder, stretch=stretch, percent=percent, allow_stdin=True
    )
    for warning in warnings:
        click.echo(str(warning), err=True)
    _print_tables(plan, sheets, options)
    if not sheets:
        click.echo(label(plan.locale, "no_scores"), err=True)
    if output is not None:
        text = (
            to_csv(sheets, options)
            if output.lower().endswith(".csv")
            else score_table.to_markdown(plan, sheets, options)
        )
        written = api.write_new_file(output, text, force=force)
        click.echo(wrote_text(written, plan.locale), err=True)
