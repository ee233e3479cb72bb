"""`okrplan render`: draw the goal tree."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from okrplan.choices import TREE_FORMATS

if TYPE_CHECKING:
    from okrplan.plan import Plan


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
@click.option(
    "--paper",
    type=click.Choice(["A4", "A3", "none"], case_sensitive=False),
    help="PDF: pages that fit this paper (an overview of the units, then a page per unit "
    "with its roles and OKRs); none: the whole tree on one page [default: A4 for the org "
    "view without --depth, else none].",
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
    paper: str | None,
    force: bool,
) -> None:
    """Draw the goal tree of a plan (a plan.json, a plan directory, or a target file).

    The org view shows every unit and role with its objectives, key results, targets and
    weights; the kr view shows how activities become revenue (drives), roll up (aligns) and
    are supplied by support units (supports). Large organisations fold identical siblings and
    are cut at a readable depth (an image of more than 40 boxes shows the units only); the
    caption says what was left out. A PDF of the org view is printed on pages (--paper, A4 by
    default): the units, then a page per unit with its roles and OKRs. Needs Graphviz's `dot`
    (apt install graphviz) for images; `--format dot` does not.

    \b
    Example:
      okrplan render plan/ -o tree.png --depth 3
      okrplan render plan/ --view kr --unit 销售部 -o funnel.svg
      okrplan render plan/ -o tree.pdf --paper A3     # overview + a page per unit
    """
    from okrplan import api
    from okrplan.present import wrote_text

    plan = api.load_plan(plan_or_target)
    fmt = api.tree_format(output, fmt) if output is not None else fmt or "svg"
    sheet = _paper(fmt, view, depth, paper)
    if sheet is not None:
        _write_paper(plan, sheet, unit, output, force)
        return
    if output is not None:
        path = api.write_render(
            plan, output, format=fmt, view=view, unit=unit, depth=depth, fold=fold, force=force
        )
        click.echo(wrote_text(path, plan.locale), err=True)
        return
    if fmt in ("png", "pdf") and sys.stdout.isatty():
        raise click.UsageError(f"{fmt} is binary: pass -o FILE, or redirect stdout to a file")
    click.echo(api.render(plan, format=fmt, view=view, unit=unit, depth=depth, fold=fold), nl=False)


def _paper(fmt: str, view: str, depth: int | None, paper: str | None) -> str | None:
    """The paper to paginate a PDF for, or None for one drawing."""
    if paper is not None and paper.lower() != "none" and fmt != "pdf":
        raise click.UsageError("--paper is for --format pdf")
    if fmt != "pdf" or (paper or "").lower() == "none":
        return None
    if paper is None and (view != "org" or depth is not None):
        return None  # a kr view or a chosen depth stays one drawing unless a paper is asked for
    if view != "org":
        raise click.UsageError("--paper paginates the org view; use --paper none with --view kr")
    return paper.upper() if paper else "A4"


def _write_paper(plan: Plan, paper: str, unit: str | None, output: str | None, force: bool) -> None:
    from okrplan import api
    from okrplan.present import wrote_text
    from okrplan.queries import unit_option
    from okrplan.render.paper import render_paper

    start = unit_option(plan.graph, unit) if unit is not None else None
    data = render_paper(plan, paper, start)
    if output is None:
        if sys.stdout.isatty():
            raise click.UsageError("pdf is binary: pass -o FILE, or redirect stdout to a file")
        sys.stdout.buffer.write(data)
        return
    path = api.write_new_file(output, data, force=force)
    click.echo(wrote_text(path, plan.locale), err=True)
