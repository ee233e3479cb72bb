"""`okrplan decompose`: a target file into a plan directory."""

from __future__ import annotations

import sys
from typing import Any, ClassVar

import click

from okrplan.commands import SET_OPTION, collector_paused, exit_without_teardown


@click.command("decompose")
@click.argument("target", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    default="plan",
    show_default=True,
    type=click.Path(),
    help="The plan directory to write.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the plan in the output directory if there is one (files okrplan did not "
    "write are kept).",
)
@click.option(
    "--discard-edits",
    is_flag=True,
    help="With --force: also overwrite okrplan's files that were edited since it wrote them.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@SET_OPTION
@collector_paused
def command(
    target: str, output: str, force: bool, discard_edits: bool, quiet: bool, sets: tuple[str, ...]
) -> None:
    """Decompose a target file into a balanced plan for every unit and role.

    Writes plan.json (the plan, input to every other command), plan.md (the whole tree), the
    goal-tree diagram (tree.svg, tree.png and its source tree.dot), the OKR sheets (sheets/: a
    workbook, CSV and Markdown; see `okrplan export`) and report.html (the plan as one page;
    see `okrplan report`) into the output directory, atomically. Without Graphviz's `dot`, it
    writes tree.dot only and warns. Exits 3 if the target cannot be met; the plan then says
    what would make it feasible.

    The directory's .okrplan-manifest.json lists what okrplan wrote. With --force over an
    earlier plan, okrplan replaces only its own unchanged files: files it did not write (the
    target file, notes) stay, actuals typed into the workbook are carried into the new one
    (those whose KR is gone are listed), and a file edited since stops the run (exit 1)
    unless --discard-edits.

    With --set KEY=VALUE (repeatable), a key of the target file is overridden for this run
    without editing the file, and checked like the file: a what-if.

    \b
    Example:
      okrplan decompose scenarios/a-company-2015.yaml -o plan/
      okrplan decompose scenarios/a-company-2015.yaml --set kpi.target=9000万 -o plan-b/
    """
    from okrplan import api
    from okrplan.choices import PLAN_FILE
    from okrplan.export.output import check_output

    check_output(output, force=force, marker=PLAN_FILE)  # before the work, not after it
    warnings: list[str] = []
    with Progress(enabled=not quiet) as progress:
        spec = _load(target, sets, progress)
        progress.locale = spec.target.plan.locale  # the stages from here on in the plan's language
        plan = api.decompose(spec, progress=progress, forecast=True)
        if sets:
            from okrplan.forecast.glance import hand_over
            from okrplan.versions import with_history

            solved, plan = plan, with_history(plan, overrides=sets)
            hand_over(solved, plan)
        problem = api.image_problem()
        path = api.write_plan(
            plan,
            output,
            force=force,
            images=problem is None,
            progress=progress,
            discard_edits=discard_edits,
            warn=warnings.append,
        )
    _warn(plan, warnings, problem)  # after the progress line is gone
    if not quiet:
        _summary(plan, path)
    _fail_unless_optimal(plan, path)
    exit_without_teardown()


def _warn(plan: Any, warnings: list[str], image_problem: str | None) -> None:
    """The warnings of writing the plan, and why the diagram has no images (on stderr)."""
    from okrplan import api
    from okrplan.wording import words

    for text in warnings:
        click.echo(words(plan.locale, "warning_line", text=text), err=True)
    if image_problem is not None:
        files = {"dot": api.TREE_DOT, "svg": api.TREE_SVG, "png": api.TREE_PNG}
        click.echo(words(plan.locale, "no_images", problem=image_problem, **files), err=True)


def _fail_unless_optimal(plan: Any, path: Any) -> None:
    """Exit 3 with what would make the plan feasible, unless it is optimal (it is written)."""
    from okrplan.errors import InfeasibleError
    from okrplan.model import Status

    if plan.status is not Status.OPTIMAL:
        reasons = "\n".join(f"  - {r.message}" for r in plan.solver.relaxations)
        raise InfeasibleError(
            f"the target cannot be met; any one of these would fix it:\n"
            f"{reasons}\n(the plan with the conflict is in {path}/)"
        )


def _summary(plan: Any, path: Any) -> None:
    """What was written, the solver's status, and the hires (on stderr)."""
    from okrplan.explain import summary_lines

    names = sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir() if p.name[0] != ".")
    for line in summary_lines(plan, f"{path}/", names, _hire_lines(plan)):
        click.echo(line, err=True)
    from okrplan.forecast.glance import summary_lines as p_hit_lines

    for line in p_hit_lines(plan, str(path)):  # the plan's P(hit) of the KPI
        click.echo(line, err=True)


def _load(target: str, sets: tuple[str, ...], progress: Progress) -> Any:
    """The target file's spec, with the ``--set`` overrides applied; loaded here rather than
    in :func:`okrplan.api.decompose` so that the progress line knows the plan's locale."""
    from okrplan import api, overrides
    from okrplan.plan import bulk_work

    progress("load")
    with bulk_work():
        return overrides.load_spec_with(target, sets) if sets else api.load(target)


def _hire_lines(plan: Any) -> list[tuple[int, str, str]]:
    """(count, role, where) for each group the plan hires into: where is the unit's name, or
    its path where its name is not unique."""
    from okrplan import queries
    from okrplan.model import Unit

    hires = plan.solver.hires
    if not hires:
        return []
    graph = plan.graph
    units = [r.name for r in queries.records(graph) if isinstance(r, Unit)]
    lines = []
    for gid, count in hires.items():
        role = queries.role(graph, gid) if gid in graph else None
        name, names = (role.name, list(role.path)) if role is not None else (gid, ["?"])
        where = names[-1] if units.count(names[-1]) <= 1 else "/".join(names[1:]) or names[-1]
        lines.append((count, name, where))
    return lines


class Progress:
    """Which stage `okrplan decompose` is at, as a spinner on stderr while it runs (a large
    organisation takes seconds); only on a terminal, and not with --quiet."""

    # the stages in English (and the names api.decompose and api.write_plan report)
    STAGES: ClassVar[dict[str, str]] = {
        "load": "reading the target file",
        "solve": "solving quotas and hires",
        "rounding": "rounding quotas and phasing them",
        "graph": "writing objectives and key results",
        "weights": "weighting key results",
        "plan.json": "writing plan.json",
        "plan.md": "writing plan.md",
        "tree.dot": "drawing the goal tree",
        "tree.svg": "drawing the goal tree",
        "sheets": "making the OKR sheets",
        "report.html": "making report.html",
        "write": "writing the files",
    }
    STAGES_ZH: ClassVar[dict[str, str]] = {
        "load": "读取目标文件",
        "solve": "求解任务额与招聘",
        "rounding": "任务额取整并分期",
        "graph": "生成目标与关键成果",
        "weights": "计算关键成果权重",
        "plan.json": "写入 plan.json",
        "plan.md": "写入 plan.md",
        "tree.dot": "绘制目标树",
        "tree.svg": "绘制目标树",
        "sheets": "生成 OKR 计划表",
        "report.html": "生成 report.html",
        "write": "写入文件",
    }

    def __init__(self, *, enabled: bool) -> None:
        self.status: Any = None
        self.enabled = enabled and sys.stderr.isatty()
        self.locale = ""  # unknown until the target file is read

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console

            # the spinner draws with escape sequences: on the terminal itself
            raw = getattr(sys.stderr, "raw", sys.stderr)
            self.status = Console(file=raw).status("okrplan decompose")
            self.status.start()
        return self

    def __call__(self, stage: str) -> None:
        if self.status is not None:
            self.status.update(f"okrplan decompose: {self.text(stage)} …")

    def text(self, stage: str) -> str:
        """The stage as the planner reads it, in the plan's language; in both before the
        target file is read (its first stage).

        >>> progress = Progress(enabled=False)
        >>> progress.text("load")
        '读取目标文件 / reading the target file'
        >>> progress.locale = "zh-CN"
        >>> progress.text("solve")
        '求解任务额与招聘'
        >>> progress.locale = "en"
        >>> progress.text("solve"), progress.text("other")
        ('solving quotas and hires', 'other')
        """
        if not self.locale:
            zh, en = self.STAGES_ZH.get(stage, stage), self.STAGES.get(stage, stage)
            return zh if zh == en else f"{zh} / {en}"
        words = self.STAGES if self.locale.startswith("en") else self.STAGES_ZH
        return words.get(stage, stage)

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()
