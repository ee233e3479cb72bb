"""`okrplan status PLAN`: progress as of a date, from the plan's progress store."""

from __future__ import annotations

from typing import Any

import click

from okrplan.commands import exit_without_teardown
from okrplan.commands.checkin import parse_day


@click.command("status")
@click.argument("plan", type=click.Path(exists=True))
@click.option("--as-of", "as_of", help="The day to measure at (default today), e.g. 2015-06-30.")
@click.option("--unit", help="A unit's status (its name or path) instead of the company's.")
@click.option("--person", help="One person's status on their role's KRs.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "md", "csv", "json"]),
    default="table",
    show_default=True,
)
def command(plan: str, as_of: str | None, unit: str | None, person: str | None, fmt: str) -> None:
    """Show progress against the plan: each KR's actual, what the plan expected by now (its
    own seasons, ramps and start dates), pace, projection and status (done, on track ≥95%,
    behind 75–95%, at risk <75%, no data), each objective's progress, and a line per direct
    child. Unit KRs without check-ins of their own roll up from the KRs aligned to them.

    \b
    Example:
      okrplan status plan/ --as-of 2015-06-30 --unit 销售部
    """
    from okrplan.errors import Issue, OptionError
    from okrplan.progress.folder import plan_folder, without_gc
    from okrplan.wording import words

    folder = plan_folder(plan)
    if unit and person:
        locale = _locale(folder)
        raise OptionError([Issue(words(locale, "st_unit_or_person"), locale=locale)])
    day = _day(as_of, folder)
    # the collector paused to the end: a large plan's objects have no cycles to collect,
    # and a collection once it is back on walks all of them (0.3 s at 100,000 people)
    with without_gc():
        result, fresh = _status(folder, day, unit, person)
        if person and not any(line.kind == "kr" for line in result.lines):
            message = words(result.locale, "st_no_person", person=person)
            hint = words(result.locale, "st_no_person_hint")
            raise OptionError([Issue(message, hint=hint, locale=result.locale)])
        _show(result, fmt)
        if fresh is not None:  # the next status reads the index: after the output
            from okrplan.progress import index

            index.refresh(folder, fresh)  # best effort: else plan.json is read next time
    exit_without_teardown()  # the 100,000 KRs' facts are not freed one by one


def _status(folder: Any, day: Any, unit: str | None, person: str | None) -> tuple[Any, Any]:
    """The status, and the light view read from plan.json where the index was not of it."""
    from concurrent.futures import ThreadPoolExecutor

    from okrplan.progress import light, rollup
    from okrplan.progress import status as report

    with ThreadPoolExecutor(1) as pool:
        # the plan's status index where it is of this plan.json, else the light view where
        # plan.json reads as okrplan writes it, else the plan loaded and checked in full,
        # which says what is wrong. SQLite adds up the store (its sort of 2 million
        # check-ins lets go of the GIL) on a second core while the plan is read on this one.
        sums = pool.submit(rollup.tally_rows, folder, day)
        view = _view(folder)
        if view is None:
            return _full(folder, day, unit, person), None
        owner = light.unit_option(view, unit) if unit else None
        rows = sums.result()
        result = report.light_status(view, folder, day, owner=owner, rows=rows, person=person)
        return result, view if view.specs is None else None


def _show(result: Any, fmt: str) -> None:
    from okrplan.progress import status as report

    if fmt == "table":
        from okrplan.terminal import console_for

        table = report.to_rich(result)
        console = console_for(table)
        console.print(table)
        for warning in result.warnings:
            console.print(warning, style="yellow", markup=False, highlight=False)
    else:
        render = {"md": report.to_markdown, "csv": report.to_csv, "json": report.to_json}[fmt]
        click.echo(render(result), nl=False)
        for warning in result.warnings if fmt != "md" else ():
            click.echo(warning, err=True)


def _view(folder: Any) -> Any:
    """The plan's light view: from its status index where that is of this plan.json, else
    read from plan.json (None where that is not as okrplan writes it)."""
    from okrplan.progress import index, light

    return index.load(folder) or light.read(folder)


def _day(as_of: str | None, folder: Any) -> Any:
    """``--as-of`` as a date; a bad one is said in the plan's language (read only then)."""
    from okrplan.errors import OptionError

    try:
        return parse_day(as_of)
    except OptionError:
        return parse_day(as_of, locale=_locale(folder))


def _locale(folder: Any) -> str:
    """The plan's locale, for a problem with the options (read only then)."""
    from okrplan.progress.storefile import plan_locale

    return plan_locale(folder)


def _full(folder: Any, day: Any, unit: str | None, person: str | None) -> Any:
    """The status through the loaded plan (its graph)."""
    from okrplan import api
    from okrplan.progress import status as report
    from okrplan.queries import unit_option

    loaded = api.load_plan(folder)
    owner = unit_option(loaded.graph, unit) if unit else None
    return report.status_of(loaded, folder, day, owner=owner, person=person)
