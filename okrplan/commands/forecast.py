"""`okrplan forecast`: how likely a plan is, per unit and for the company."""

from __future__ import annotations

from datetime import date, datetime

import click


def _percent(value: str | None) -> float | None:
    if value is None:
        return None
    text = value.strip().rstrip("%％")
    try:
        number = float(text)
    except ValueError:
        raise click.BadParameter(f"expected a percentage like 80%, got {value!r}") from None
    return number / 100 if value.strip()[-1:] in "%％" or number > 1 else number


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"expected a day like 2015-06-30, got {value!r}") from None


@click.command("forecast")
@click.argument("plan", type=click.Path(exists=True, dir_okay=True))
@click.option("--as-of", "as_of", metavar="DATE", help="Fix the check-ins up to this day.")
@click.option("--sims", type=int, default=10_000, show_default=True, help="Simulations.")
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Seed: same seed, same numbers."
)
@click.option(
    "--confidence", metavar="PERCENT", help="Also find the buffer that gives this P(hit), e.g. 80%."
)
@click.option("--unit", metavar="NAME", help="Only this unit and the units below it.")
@click.option("--depth", type=click.IntRange(min=0), help="Levels of units below the first shown.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "md", "json"]),
    default="table",
    show_default=True,
)
def command(
    plan: str,
    as_of: str | None,
    sims: int,
    seed: int,
    confidence: str | None,
    unit: str | None,
    depth: int | None,
    fmt: str,
) -> None:
    """How likely PLAN (a plan directory, plan.json or target file) is to hit its targets.

    A Monte Carlo over the plan's funnel: each conversion rate is drawn once per simulation and
    shared by everyone who uses it, each group's activity varies by its attainment, and counts
    are binomial. Per unit and for the company it prints P(hit its target) and the commit /
    median / stretch outcomes (P10 / P50 / P90). Rates take their evidence or spread from the
    target file ({rate: 25%, from: 50/200}), else a default spread the output names.

    Example:

        okrplan forecast plan/ --confidence 80%
    """
    from okrplan.forecast.present import to_json, to_markdown, to_table
    from okrplan.forecast.run import forecast

    result = forecast(
        plan, sims=sims, seed=seed, as_of=_day(as_of), confidence=_percent(confidence)
    )
    start = None
    if unit:  # the one rule of --unit, on a graph of the plan's units
        from okrplan.queries import unit_option

        start = unit_option(result.plan.unit_graph(), unit)
    if fmt == "json":
        click.echo(to_json(result), nl=False)
        return
    if depth is None and len(result.rows) > 40:
        depth = 2
    write = to_markdown if fmt == "md" else to_table
    click.echo(write(result, depth, start), nl=False)
