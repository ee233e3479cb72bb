"""`okrplan diff PLAN_A PLAN_B`: what changed between two plans."""

from __future__ import annotations

import sys
from typing import Any

import click

FORMATS = ("table", "md", "json")


@click.command("diff")
@click.argument("plan_a", type=click.Path())
@click.argument("plan_b", type=click.Path())
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="How to print the changes.",
)
@click.option("-u", "--unit", help="Only changes in this unit (and below): a name or a path.")
def command(plan_a: str, plan_b: str, fmt: str, unit: str | None) -> None:
    """Show what changed from PLAN_A to PLAN_B, keyed by unit, node, KR and period.

    Each plan is a plan directory, a plan.json or a target file (decomposed in memory). Lists
    units, roles, people and KRs added and removed, every changed number (old, new, Δ, Δ%),
    each changed period of a KR, and the solver's changes (status, largest stretch, hires,
    binding constraints), in PLAN_B's language. Prints "no changes" and exits 0 when the plans
    are equal; exits 1 when they differ, as `diff` does.

    \b
    Example:
      okrplan diff plan/ plan-b/
      okrplan diff plan/ plan-b/ --unit 销售部 --format md
    """
    from okrplan import api, queries
    from okrplan.diff import diff_json, diff_markdown, diff_plans, diff_text

    old, new = api.load_plan(plan_a), api.load_plan(plan_b)
    top = None
    if unit is not None:
        graph = new.graph if _names_unit(new.graph, unit) else old.graph
        top = queries.unit_option(graph, unit)
    diff = diff_plans(old, new, unit=top)
    write = {"table": diff_text, "md": diff_markdown, "json": diff_json}[fmt]
    click.echo(write(diff), nl=False)
    sys.exit(0 if diff.equal else 1)


def _names_unit(graph: Any, unit: str) -> bool:
    """Whether ``unit`` names one unit of ``graph`` (else the older plan is asked: a unit
    the newer plan removed)."""
    from okrplan import queries

    try:
        queries.find_unit(graph, unit)
    except LookupError:
        return False
    return True
