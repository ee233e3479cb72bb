"""`okrplan render`: draw the goal tree."""

from __future__ import annotations

import sys

import click

from okrplan.choices import TREE_FORMATS


@click.command("render")
@click.argument("plan_or_target", type=click.Path())
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the diagram to this file (its suffix picks the format); default stdout.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(TREE_FORMATS),
    help="svg, png, pdf, or the Graphviz DOT text [default: from -o, else svg].",
)
@click.option(
    "--view",
    type=click.Choice(["org", "kr"]),
    default="org",
    show_default=True,
    help="org: units and roles with their OKRs; kr: how key results feed each other.",
)
@click.option("-u", "--unit", help="Draw only the subtree under this unit (a name or a path).")
@click.option(
    "-d",
    "--depth",
    type=click.IntRange(min=1),
    help="Draw this many levels (1 = the top unit alone).",
)
@click.option(
    "--fold/--no-fold",
    default=None,
    help="Fold identical sibling units and roles into one node [default: when large].",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def command(
    plan_or_target: str,
    output: str | None,
    fmt: str | None,
    view: str,
    unit: str | None,
    depth: int | None,
    fold: bool | None,
    force: bool,
) -> None:
    """Draw the goal tree of a plan (a plan.json, a plan directory, or a target file).

    The org view shows every unit and role with its objectives, key results, targets and
    weights; the kr view shows how activities become revenue (drives), roll up (aligns) and
    are supplied by support units (supports). Large organisations fold identical siblings and
    are cut at a readable depth; the caption says what was left out. Needs Graphviz's `dot`
    (apt install graphviz) for images; `--format dot` does not.

    \b
    Example:
      okrplan render plan/ -o tree.png --depth 3
      okrplan render plan/ --view kr --unit 销售部 -o funnel.svg
    """
    from okrplan import api

    plan = api.load_plan(plan_or_target)
    if output is not None:
        path = api.write_render(
            plan, output, format=fmt, view=view, unit=unit, depth=depth, fold=fold, force=force
        )
        click.echo(f"wrote {path}", err=True)
        return
    fmt = fmt or "svg"
    if fmt in ("png", "pdf") and sys.stdout.isatty():
        raise click.UsageError(f"{fmt} is binary: pass -o FILE, or redirect stdout to a file")
    click.echo(api.render(plan, format=fmt, view=view, unit=unit, depth=depth, fold=fold), nl=False)
