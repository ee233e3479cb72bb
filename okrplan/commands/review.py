"""``okrplan review``: the 复盘 pack a unit takes to its own review meeting (issue 20)."""

from __future__ import annotations

import click


@click.command("review")
@click.argument("plan_path", metavar="PLAN", type=click.Path())
@click.option("-u", "--unit", help="The unit to review: a name or a path (default: the company).")
@click.option("--all", "every", is_flag=True, help="One pack per unit, with an index (needs -o).")
@click.option(
    "--period", help="A month (2015-06) or quarter (2015-Q2); default: the last complete month."
)
@click.option(
    "-o", "--output", type=click.Path(file_okay=False), help="Write the pack into this folder."
)
@click.option(
    "--format", "formats", help="md, xlsx, html, comma-separated (default: all three with -o)."
)
@click.option("--force", is_flag=True, help="Replace review files that exist.")
def command(
    plan_path: str,
    unit: str | None,
    every: bool,
    period: str | None,
    output: str | None,
    formats: str | None,
    force: bool,
) -> None:
    """Write the review (复盘) of one unit for one period: 1 its OKRs' progress, 2 what was
    done in the period against plan, 3 what each KR now needs per remaining period, 4 why the
    funnel is behind (activity volume or conversion) and what resources are short.

    PLAN is a plan directory (or its plan.json); check-ins come from its progress store.
    Without -o the Markdown goes to standard output.

    \b
    Example:
      okrplan review plan/ --unit 北京销售团队 --period 2021-06 -o reviews/
    """
    from datetime import date
    from pathlib import Path

    from okrplan import api
    from okrplan.errors import Issue, OptionError
    from okrplan.graph import root_of
    from okrplan.present import wrote_files_text, wrote_text
    from okrplan.queries import unit_option
    from okrplan.review import run

    if every and unit is not None:
        raise OptionError([Issue("--all reviews every unit; leave out --unit", path="--all")])
    if every and output is None:
        raise OptionError(
            [Issue("--all writes one pack per unit", path="--all", hint="add -o DIR")]
        )
    plan = api.load_plan(plan_path)
    chosen = run.choose_formats(formats, output is not None)
    label = run.choose_period(plan, period, date.today())
    folder = run.store_folder(plan_path)
    if every:
        written = run.write_review(
            output or ".", run.all_files(plan, folder, label, chosen), force=force
        )
        click.echo(wrote_files_text(len(written), output, plan.locale), err=True)
        return
    unit_id = unit_option(plan.graph, unit) if unit is not None else root_of(plan.graph)
    pack = run.review_pack(plan, folder, unit_id, label)
    stem = run.file_stem(pack)
    if output is not None:
        run.check_free(Path(output), [f"{stem}.{suffix}" for suffix in chosen], force=force)
    files = run.pack_files(pack, stem, chosen)
    if output is None:
        click.echo(next(iter(files.values())), nl=False)
        return
    for path in run.write_review(output, files, force=force):
        click.echo(wrote_text(path, plan.locale), err=True)
