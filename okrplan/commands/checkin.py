"""`okrplan checkin PLAN FILE...`: record actuals in the plan's progress store."""

from __future__ import annotations

from datetime import date

import click


def parse_day(text: str | None, option: str = "--as-of", locale: str = "en") -> date:
    """``--as-of`` as a date (today when not given); a problem in ``locale``."""
    from okrplan.errors import Issue, OptionError
    from okrplan.wording import words

    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        message = words(locale, "ck_not_a_day", option=option, text=text)
        hint = words(locale, "ck_day_hint")
        raise OptionError([Issue(message, hint=hint, locale=locale)]) from None


@click.command("checkin")
@click.argument("plan", type=click.Path(exists=True))
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--cumulative", is_flag=True, help="The tables hold year-to-date values.")
@click.option("--as-of", "as_of", help="The day workbook actuals stand at (default today).")
@click.option(
    "--target",
    type=click.Path(exists=True, dir_okay=False),
    help="Read the raw CRM exports described under actuals: in this target file.",
)
def command(
    plan: str, files: tuple[str, ...], cumulative: bool, as_of: str | None, target: str | None
) -> None:
    """Record actuals in PLAN's progress store (progress.sqlite beside plan.json).

    FILES are long tables (CSV or .xlsx: kr or person/unit/role and metric, period or date,
    value such as 380万, optional confidence 0-10 and comment) or okrplan workbooks with
    actuals typed in. With --target (or, with no FILES, the target used before) the raw CRM
    exports its actuals: section describes are counted per person, metric and month.
    Importing the same file again changes nothing; a corrected file replaces its values.

    \b
    Example:
      okrplan checkin plan/ actuals-2015-03.csv
      okrplan checkin plan/ --target target.yaml --as-of 2015-03-31
    """
    from okrplan import api
    from okrplan.progress import index
    from okrplan.progress.intake import check_in, plan_folder, warnings_of, without_gc
    from okrplan.progress.planfile import light_directory
    from okrplan.progress.store import store_path
    from okrplan.wording import words

    folder = plan_folder(plan)
    with without_gc():
        # CRM exports alone need only who is who: a large plan's role and KR lines
        light = None if files else light_directory(folder)
        if light is None:
            loaded = api.load_plan(folder)
            people, locale = None, loaded.locale
        else:
            loaded, (people, locale) = None, light
            people.locale = locale
        day = parse_day(as_of, locale=locale)
        imported = check_in(
            loaded,
            folder,
            list(files),
            as_of=day,
            cumulative=cumulative,
            target=target,
            people=people,
        )
    for issue in warnings_of(imported):
        click.echo(str(issue), err=True)
    for item in imported:
        batch = item.batch
        read, rows, changed = batch.read, len(batch.rows), item.changed
        click.echo(
            words(locale, "ck_file", file=batch.source, read=read, rows=rows, changed=changed)
        )
        if batch.unmatched:
            names = ", ".join(f"{n} ({c})" for n, c in sorted(batch.unmatched.items()))
            click.echo(words(locale, "ck_unmatched", file=batch.source, names=names), err=True)
    changed = sum(item.changed for item in imported)
    click.echo(words(locale, "ck_total", changed=changed, store=store_path(folder)))
    with without_gc():
        # the status index, so that the status after an import reads it, not plan.json
        # (about 5 CPU s at 100,000 people, once per plan.json: see progress/index.py)
        index.refresh(folder)
