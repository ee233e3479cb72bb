"""The `okrplan` command line: thin click commands over :mod:`okrplan.api`.

Heavy libraries (pydantic, OR-Tools, networkx) are imported inside the commands so that
`okrplan --help` starts fast.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any, ClassVar

import click

from okrplan import __version__
from okrplan.choices import SHEET_FORMATS, TEMPLATES, TREE_FORMATS
from okrplan.errors import OkrplanError
from okrplan.text import EscapingStream

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INFEASIBLE = 0, 1, 2, 3


class OkrplanGroup(click.Group):
    """Turns okrplan's own errors into a message on stderr and their exit code, and shows
    control characters in what a command prints as escapes (see EscapingStream)."""

    def invoke(self, ctx: click.Context) -> Any:
        with _escaping_output():
            try:
                return super().invoke(ctx)
            except OkrplanError as exc:
                click.echo(f"Error: {exc}" if "\n" not in str(exc) else str(exc), err=True)
                ctx.exit(exc.exit_code)


@contextlib.contextmanager
def _escaping_output() -> Iterator[None]:
    """stdout and stderr through :class:`okrplan.text.EscapingStream` while a command runs."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = EscapingStream(sys.stdout), EscapingStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


@click.group(cls=OkrplanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="okrplan")
def cli() -> None:
    """Turn one top-level KPI into a balanced OKR plan for every level of an organisation.

    Write a target file (start with `okrplan init`), check it with `okrplan validate`, and
    decompose it into objectives and key results for every unit and role.

    Exit codes: 0 ok, 1 error in the input, 2 usage error, 3 plan infeasible.

    \b
    Example:
      okrplan init target.yaml
      okrplan validate target.yaml
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems, no summaries.")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a key of the target file (repeatable): kpi.target=9000万.",
)
def validate(files: tuple[str, ...], as_json: bool, quiet: bool, sets: tuple[str, ...]) -> None:
    """Check target files and print what was understood, or every problem found.

    Each problem names the file, line, column and key path, with a hint. Exits 1 if any file
    has an error.

    \b
    Example:
      okrplan validate scenarios/*.yaml
    """
    import json

    from okrplan import api, overrides

    results = [
        _decomposes(overrides.check_file(f, sets) if sets else api.check_file(f)) for f in files
    ]
    if as_json:
        click.echo(json.dumps([api.describe(r) for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            for issue in result.issues:
                click.echo(str(issue), err=True)
            if result.spec is None:
                errors = sum(1 for i in result.issues if i.severity == "error")
                click.echo(f"{result.file}: {errors} problem{'s' if errors != 1 else ''}", err=True)
            elif not quiet:
                click.echo(f"{result.file}: ok — {api.summarize(result.spec)}")
    if not all(r.ok for r in results):
        sys.exit(EXIT_ERROR)


def _decomposes(checked: Any) -> Any:
    """What validates, decomposes: a valid file is solved too (nothing is written), and what
    only the solver can see (a sheet whose fixed weights cannot reach 100%) is a problem of
    the file, at the line it is about. A plan that cannot be met is valid (decompose says
    why, exit 3)."""
    from okrplan import api
    from okrplan.errors import InputError

    if checked.spec is None:
        return checked
    try:
        api.decompose(checked.spec)
    except InputError as exc:
        found = tuple(_located(issue) for issue in exc.issues)
        return api.Checked(checked.file, None, (*checked.issues, *found))
    return checked


def _located(issue: Any) -> Any:
    """``issue`` at the line of its key in its file (the solver's issues name a key only)."""
    import dataclasses

    from okrplan.source import format_path, load_yaml

    if issue.line is not None or not issue.file or not issue.path:
        return issue
    try:
        source = load_yaml(issue.file)
    except OkrplanError:
        return issue
    path: tuple[str | int, ...] = (issue.path,)
    if path not in source.keys and issue.path == "weights":
        # no weights: section: the first weight a KR fixes is what to look at
        path = next((p for p in source.keys if p[-1] == "weight"), path)
    if path not in source.keys:
        return issue
    line, column = source.keys[path]
    return dataclasses.replace(issue, line=line, column=column, path=format_path(path))


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the schema to this file instead of stdout.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def schema(output: str | None, force: bool) -> None:
    """Print the JSON Schema of the target file, for editors and other tools.

    Point an editor's YAML language server at it with a first line such as
    `# yaml-language-server: $schema=target.schema.json`.

    \b
    Example:
      okrplan schema -o target.schema.json
    """
    from okrplan import api

    text = api.schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {api.write_new_file(output, text, force=force)}", err=True)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "-t",
    "--template",
    type=click.Choice(TEMPLATES),
    default="sales",
    show_default=True,
    help="Which starter to write.",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def init(file: str, template: str, force: bool) -> None:
    """Write a commented starter target file that validates.

    \b
    Example:
      okrplan init --template sales target.yaml
    """
    from okrplan import api

    path = api.write_new_file(file, api.template_text(template), force=force)
    click.echo(f"wrote {path}; edit it, then run: okrplan validate {path}", err=True)


def main() -> None:  # pragma: no cover - console entry point alias
    cli()


class _Progress:
    """Which stage `okrplan decompose` is at, as a spinner on stderr while it runs (a large
    organisation takes seconds); only on a terminal, and not with --quiet."""

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

    def __init__(self, *, enabled: bool) -> None:
        self.status: Any = None
        self.enabled = enabled and sys.stderr.isatty()

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console

            # the spinner draws with escape sequences: on the terminal itself
            raw = getattr(sys.stderr, "raw", sys.stderr)
            self.status = Console(file=raw).status("okrplan decompose")
            self.status.start()
        return self

    def __call__(self, stage: str) -> None:
        if self.status is not None:
            self.status.update(f"okrplan decompose: {self.STAGES.get(stage, stage)} …")

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()


@cli.command()
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
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a key of the target file (repeatable): kpi.target=9000万.",
)
def decompose(
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
    from okrplan.errors import InfeasibleError
    from okrplan.present import summary_lines

    warnings: list[str] = []
    with _Progress(enabled=not quiet) as progress:
        plan = api.decompose(_with_sets(target, sets), progress=progress)
        if sets:
            from okrplan.versions import with_history

            plan = with_history(plan, overrides=sets)
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
    for text in warnings:  # after the progress line is gone
        click.echo(f"warning: {text}", err=True)
    if problem is not None:
        click.echo(
            f"warning: {problem}; wrote {api.TREE_DOT} without {api.TREE_SVG} and {api.TREE_PNG}",
            err=True,
        )
    if not quiet:
        names = sorted(
            p.name + ("/" if p.is_dir() else "") for p in path.iterdir() if p.name[0] != "."
        )
        for line in summary_lines(plan, f"{path}/", names, _hire_lines(plan)):
            click.echo(line, err=True)
    if plan.solver["status"] != "optimal":
        reasons = "\n".join(f"  - {r['message']}" for r in plan.solver["relaxations"])
        raise InfeasibleError(
            f"the target cannot be met; any one of these would fix it:\n"
            f"{reasons}\n(the plan with the conflict is in {path}/)"
        )
    _exit_without_teardown()


def _exit_without_teardown() -> None:
    """Exit 0 now, leaving the plan's objects to the operating system: freeing them one by
    one at interpreter exit costs about a second per 100,000 people. Only when this process
    is the ``okrplan`` console script (never a test runner's or a notebook's), every file
    written and closed, stdout and stderr flushed."""
    import os
    from pathlib import Path

    if Path(sys.argv[0]).name != "okrplan":
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_OK)


def _with_sets(target: str, sets: tuple[str, ...]) -> Any:
    """The target file's path, or its spec with the ``--set`` overrides applied."""
    from okrplan import overrides

    return overrides.load_spec_with(target, sets) if sets else target


def _hire_lines(plan: Any) -> list[tuple[int, str, str]]:
    """(count, role, where) for each group the plan hires into: where is the unit's name, or
    its path where its name is not unique."""
    from okrplan import queries
    from okrplan.model import Unit

    hires = plan.solver.get("hires", {})
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


@cli.command()
@click.argument("plan_or_target", type=click.Path())
@click.option("-u", "--unit", help="Only quotas in this unit (and below): a name or a path.")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def explain(plan_or_target: str, unit: str | None, as_json: bool) -> None:
    """Say why every quota is what it is: basis, stretch, binding limits, and what more
    capacity would be worth.

    \b
    Example:
      okrplan explain plan/plan.json --unit 销售部
    """
    import json

    from okrplan import api

    plan = api.load_plan(plan_or_target)
    if as_json:
        click.echo(json.dumps(api.explain(plan, unit), ensure_ascii=False, indent=2))
    else:
        click.echo(api.explain_text(plan, unit))


def _stretch_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--stretch checked while the options are parsed: a bad value is a usage error (exit 2)."""
    if value is None:
        return None
    from okrplan.quantity import QuantityError
    from okrplan.score import parse_stretch

    try:
        parse_stretch(value)
    except QuantityError as exc:
        raise click.BadParameter(f"{exc} ({exc.hint})") from None
    return value


@cli.command()
@click.argument("plan_or_target", type=click.Path())
@click.argument("actuals", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Also write the scores to this .md or .csv file.",
)
@click.option(
    "--stretch",
    metavar="PERCENT",
    callback=_stretch_option,
    help="Credit overachievement up to this level, e.g. 120% (default: capped at 100%).",
)
@click.option("--percent", is_flag=True, help="Show KR scores as percents instead of 0–1.0.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def score(
    plan_or_target: str,
    actuals: str | None,
    output: str | None,
    stretch: str | None,
    percent: bool,
    force: bool,
) -> None:
    """Score every role's and unit's sheet from a table of actuals, or an OKR workbook.

    The table (CSV, or .xlsx with it on the first sheet; - reads a CSV from standard input) has
    columns kr (a KR id from plan.json, or the KR's name with unit and role), period (plan, a
    quarter, month or ISO week; default plan) and actual (380万, 1.2亿, 25%, 7200; a plain
    number of money is yuan). A workbook written by `okrplan export` or `decompose` is read
    directly: the actuals typed into it. Without ACTUALS the check-ins stored by `okrplan
    checkin` in the plan folder are scored (and agree with `okrplan status`). A KR score is
    actual ÷ target (target ÷ actual for KRs where less is better), capped at 1.0; an
    objective's O分值 is Σ weight × score; deductions (减分项) subtract points per case.

    \b
    Example:
      okrplan score plan/ actuals.csv -o scores.md
    """
    from rich.console import Console
    from rich.table import Table

    from okrplan import api, score_table
    from okrplan.score import to_csv

    plan = api.load_plan(plan_or_target)
    folder = None
    if actuals is None:  # no table: the check-ins of the plan folder (okrplan checkin)
        from okrplan.progress.intake import plan_folder

        folder = plan_folder(plan_or_target)
    sheets, options, warnings = api.score(
        plan, actuals, store_folder=folder, stretch=stretch, percent=percent, allow_stdin=True
    )
    for warning in warnings:
        click.echo(str(warning), err=True)
    console = Console()
    for sheet in sheets:
        table = Table(
            *score_table.headers(plan.locale),
            title=score_table.title(sheet, plan.locale),
            title_justify="left",
        )
        for row in score_table.table_rows(plan, sheet, options):
            table.add_row(*row)
        console.print(table)
    if not sheets:
        click.echo("no actual matched a KR with a target", err=True)
    if output is not None:
        text = (
            to_csv(sheets, options)
            if output.lower().endswith(".csv")
            else score_table.to_markdown(plan, sheets, options)
        )
        click.echo(f"wrote {api.write_new_file(output, text, force=force)}", err=True)


@cli.command()
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
def render(
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


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in SHEET_FORMATS]
    if unknown or not formats:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(SHEET_FORMATS)} (comma-separated)"
        )
    return formats


@cli.command("export")
@click.argument("plan_or_target", type=click.Path())
@click.option(
    "-o",
    "--output",
    default="sheets",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The folder to write the sheets into.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    default=",".join(SHEET_FORMATS),
    show_default=True,
    callback=_formats,
    help=f"Which files, comma-separated: {', '.join(SHEET_FORMATS)}.",
)
@click.option(
    "-u", "--unit", help="Only this unit's sheets and those of the units and roles below it."
)
@click.option("-r", "--role", help="Only the sheets of this role (its name or group label).")
@click.option(
    "--per-person",
    is_flag=True,
    help="A sheet for every person, numbering people who are not named.",
)
@click.option(
    "--force",
    "--discard-edits",
    "force",
    is_flag=True,
    help="Replace okrplan's sheets even if they were edited or actuals were typed in.",
)
def export(
    plan_or_target: str,
    output: str,
    formats: tuple[str, ...],
    unit: str | None,
    role: str | None,
    per_person: bool,
    force: bool,
) -> None:
    """Write the OKR sheets each unit, role and person works in.

    One .xlsx workbook (a summary, then a sheet per unit and role group, or per person where
    people are named, with new hires as 新人1, 新人2 …) in the layout of the seed tables:
    序号, 目标 (O), 目标详细描述, 关键成果 (KRs), KR权重, O分值, then target, unit, period, the
    value actuals are scored against, the target of each period, and the actual and score
    columns. Type actuals into the workbook and the scores, O分值 and totals recompute (in
    Excel and LibreOffice). Also a .csv (UTF-8 with BOM) and .md per sheet. The folder's
    .okrplan-manifest.json lists what okrplan wrote: a sheet edited since (text changed, a row
    added, actuals or a formula typed in) is not replaced without --force (or
    --discard-edits), and a file okrplan did not write never is.

    \b
    Example:
      okrplan export plan/ -o sheets/
      okrplan export plan/plan.json --unit 销售部 --role 销售岗 --format xlsx
    """
    from okrplan import api

    plan = api.load_plan(plan_or_target)
    written = api.export_sheets(
        plan, output, formats=formats, unit=unit, role=role, per_person=per_person, force=force
    )
    click.echo(
        f"wrote {len(written)} file{'s' if len(written) != 1 else ''} to {output}/: "
        + ", ".join(p.name for p in written if p.suffix == ".xlsx" or len(written) < 8)
        + ("" if len(written) < 8 else ", …"),
        err=True,
    )


@cli.command("import-actuals")
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "-p",
    "--plan",
    "plan_path",
    type=click.Path(),
    help="Check every KR against this plan (plan.json, plan folder or target file).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the actuals CSV to this file instead of stdout.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def import_actuals(
    workbooks: tuple[str, ...], plan_path: str | None, output: str | None, force: bool
) -> None:
    """Read the actuals typed into OKR workbooks, as the CSV `okrplan score` reads.

    Pass one workbook, or the copies several people filled in: their actuals are merged (the
    same cell must agree). Per-person sheets of one group become the group's per-person
    average, so units roll up what everyone typed. `okrplan score` also reads a workbook
    directly.

    \b
    Example:
      okrplan import-actuals sheets/A公司2015年度OKR.xlsx -o actuals.csv
      okrplan score plan/ actuals.csv
    """
    from okrplan import api

    plan = api.load_plan(plan_path) if plan_path is not None else None
    actuals, text = api.import_actuals(list(workbooks), plan)
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {api.write_new_file(output, text, force=force)}", err=True)
    click.echo(
        f"read {len(actuals)} actual{'s' if len(actuals) != 1 else ''} from "
        f"{len(workbooks)} workbook{'s' if len(workbooks) != 1 else ''}",
        err=True,
    )


@cli.command()
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
def report(plan_or_target: str, output: str | None, unit: str | None, force: bool) -> None:
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

    plan = api.load_plan(plan_or_target)
    given = Path(plan_or_target)  # a plan folder's check-ins add the progress section
    folder = given if given.is_dir() else given.parent if given.suffix == ".json" else None
    text = api.report_html(plan, unit=unit, folder=folder)
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {api.write_new_file(output, text, force=force)}", err=True)


def _register_commands() -> None:
    from okrplan.commands import register

    register(cli)


_register_commands()
