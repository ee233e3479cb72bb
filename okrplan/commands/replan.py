"""`okrplan replan PLAN --as-of DATE -o PLAN2`: re-plan the rest of the period from actuals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from okrplan.commands import SET_OPTION


@click.command("replan")
@click.argument("plan", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--as-of",
    "as_of",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The last day whose actuals count: months that ended by then are locked.",
)
@click.option(
    "-t",
    "--target",
    type=click.Path(dir_okay=False),
    help="The target file as it is now (KPI, who is there, who joins). Default: the one "
    "PLAN was re-planned with (and its --set overrides), if it is a re-plan.",
)
@SET_OPTION
@click.option("-o", "--output", required=True, type=click.Path(), help="The new plan directory.")
@click.option("--force", is_flag=True, help="Replace the plan in the output directory.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def command(
    plan: str,
    as_of: dt.datetime,
    target: str | None,
    sets: tuple[str, ...],
    output: str,
    force: bool,
    quiet: bool,
) -> None:
    """Re-plan the rest of PLAN's period from its actuals, into a new plan directory.

    Months that ended on or before --as-of keep their actuals from the plan's progress store
    (rolled up to the units); the KPI of the target file less what is done is planned over
    the remaining months by the same solver as decompose (capacity, ramps, hires, buffer,
    rounding), for the people the target file names now: someone no longer named has left,
    someone with `joined:` ramps from that month. The remaining quotas stay as close to the
    original plan's as capacity allows (each role's remaining quota in the original plan is
    the basis of the split). The new plan records its parent and the as-of date (see
    `okrplan log`), and its progress store starts with PLAN's check-ins. Exits 3 if the rest
    cannot be met, with what would fix it. --set KEY=VALUE overrides the target file, as in
    decompose.

    \b
    Example:
      okrplan replan plan/ --as-of 2015-06-30 --target target-h2.yaml -o plan-h2/
      okrplan diff plan/ plan-h2/
      okrplan replan plan/ --as-of 2015-06-30 -t target.yaml --set kpi.target=1000万 -o cut/
    """
    from okrplan import api
    from okrplan.errors import InfeasibleError
    from okrplan.model import Status
    from okrplan.progress import latest
    from okrplan.replan import replan, store_checkins, summary_text
    from okrplan.versions import file_record, parent_of, plan_file, with_history

    day = as_of.date()
    old = api.load_plan(plan_file(plan))
    target, sets = _target(old, plan, target, sets)
    result = replan(old, latest(plan, as_of=day), day, target, sets)
    new = with_history(
        result.plan,
        parent=parent_of(plan, output),
        target=file_record(target, output),
        as_of=day,
        overrides=sets,
    )
    path = api.write_plan(new, output, force=force, images=api.image_problem() is None)
    carried = store_checkins(plan, path)
    if not quiet:
        click.echo(summary_text(result, str(path), carried, day), err=True)
    if new.status is not Status.OPTIMAL:
        reasons = "\n".join(f"  - {r.message}" for r in new.solver.relaxations)
        raise InfeasibleError(
            f"the rest of the target cannot be met; any one of these would fix it:\n"
            f"{reasons}\n(the plan with the conflict is in {path}/)"
        )


def _target(
    old: Any, plan: str, target: str | None, sets: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """The target file to re-plan with and its overrides: ``--target``, or else the file
    and overrides the plan was re-planned with, if it is a re-plan."""
    from okrplan.errors import Issue, OptionError
    from okrplan.versions import recorded_target

    if not target and (found := recorded_target(old, plan)) is not None:
        # the file this plan was re-planned with, and the overrides it was re-planned with
        target, sets = str(found), (*old.meta.get("overrides", ()), *sets)
    if not target:
        raise OptionError(
            [
                Issue(
                    "--target FILE is needed: this plan does not record the target file it "
                    "was made from",
                    hint="pass the target file, edited for who left and who joined",
                )
            ]
        )
    return target, sets
