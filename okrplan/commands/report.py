"""`okrplan report`: the HTML report of a plan."""

from __future__ import annotations

import click


@click.command("report")
@click.argument("plan_or_target", type=click.Path())
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the page to this file (e.g. report.html); default stdout.",
)
@click.option(
    "--unit",
    metavar="NAME",
    help="A page about this unit and everything below it (a name, a path or the "
    "end of one: 华东区/上海).",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def command(plan_or_target: str, output: str | None, unit: str | None, force: bool) -> None:
    """Write the plan as one self-contained HTML page to open in a browser and mail around.

    The page has the goal tree (zoomable, with an outline beside it), every unit's and role's
    OKRs as tables with a search box, per role the funnel from its quota down to the
    activities and the phasing by month, and what the optimizer did: stretch per unit, binding
    constraints, hires, and for an infeasible plan the conflict and the changes that fix it.
    It needs no network to view and prints cleanly. `decompose` writes it as report.html too.
    Without Graphviz's `dot` the page says so in place of the tree. For a large organisation
    the page shows the top levels (at most 300 sheets); --unit makes the page of one unit.

    \b
    Example:
      okrplan report plan/ -o report.html
      okrplan report scenarios/a-company-2015.yaml > report.html
      okrplan report plan/ --unit 销售部 -o 销售部.html
    """
    from pathlib import Path

    from okrplan import api
    from okrplan.present import wrote_text

    plan = api.load_plan(plan_or_target)
    given = Path(plan_or_target)  # a plan folder's check-ins add the progress section
    folder = given if given.is_dir() else given.parent if given.suffix == ".json" else None
    text = api.report_html(plan, unit=unit, folder=folder)
    if output is None:
        click.echo(text, nl=False)
    else:
        written = api.write_new_file(output, text, force=force)
        click.echo(wrote_text(written, plan.locale), err=True)
