"""`okrplan import-actuals`: actuals typed into OKR workbooks, as a CSV."""

from __future__ import annotations

import click


@click.command("import-actuals")
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "-p",
    "--plan",
    "plan_path",
    type=click.Path(),
    help="Check every KR against this plan (plan.json, plan folder or target file).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the actuals CSV to this file instead of stdout.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def command(
    workbooks: tuple[str, ...], plan_path: str | None, output: str | None, force: bool
) -> None:
    """Read the actuals typed into OKR workbooks, as the CSV `okrplan score` reads.

    Pass one workbook, or the copies several people filled in: their actuals are merged (the
    same cell must agree). Per-person sheets of one group become the group's per-person
    average, so units roll up what everyone typed. `okrplan score` also reads a workbook
    directly.

    \b
    Example:
      okrplan import-actuals sheets/A公司2015年度OKR.xlsx -o actuals.csv
      okrplan score plan/ actuals.csv
    """
    from okrplan import api
    from okrplan.actuals import workbook_locale
    from okrplan.present import wrote_text
    from okrplan.wording import words

    plan = api.load_plan(plan_path) if plan_path is not None else None
    actuals, text = api.import_actuals(list(workbooks), plan)
    locale = plan.locale if plan is not None else workbook_locale(workbooks[0])
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(wrote_text(api.write_new_file(output, text, force=force), locale), err=True)
    click.echo(words(locale, "read_actuals", n=len(actuals), books=len(workbooks)), err=True)
