"""What the CLI and notebooks call: load, validate, describe, and write starter files.

Every function here raises :class:`~okrplan.errors.OkrplanError` subclasses for a user's
mistakes and returns values; printing is the caller's business.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okrplan import queries
from okrplan.api_sheets import MAX_WORKBOOK_SHEETS as MAX_WORKBOOK_SHEETS  # the sheets' API
from okrplan.api_sheets import SHEETS_DIR as SHEETS_DIR
from okrplan.api_sheets import export_sheets as export_sheets
from okrplan.api_sheets import import_actuals as import_actuals
from okrplan.api_sheets import score as score
from okrplan.api_sheets import sheet_files as sheet_files
from okrplan.choices import PLAN_FILE, TEMPLATES, TREE_FORMATS
from okrplan.errors import InputError, Issue, OptionError, OutputError
from okrplan.plandir import MARKDOWN_FILE as MARKDOWN_FILE  # the plan directory's API
from okrplan.plandir import REPORT_FILE as REPORT_FILE
from okrplan.plandir import TREE_DOT as TREE_DOT
from okrplan.plandir import TREE_PNG as TREE_PNG
from okrplan.plandir import TREE_SVG as TREE_SVG
from okrplan.plandir import folder_report
from okrplan.plandir import write_plan as write_plan
from okrplan.spec import Spec, load_spec

if TYPE_CHECKING:
    from collections.abc import Callable

    from okrplan.plan import Plan


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of validating one file: the spec, or the problems found."""

    file: str
    spec: Spec | None
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return self.spec is not None


def check_file(path: str | os.PathLike[str]) -> Checked:
    """Validate one target file without raising for its problems."""
    try:
        spec = load_spec(path)
    except InputError as exc:
        return Checked(os.fspath(path), None, exc.issues)
    return Checked(spec.file, spec, spec.warnings)


def summarize(spec: Spec) -> str:
    """A few lines that show a planner the file was understood, in the plan's language
    (:func:`okrplan.validate_text.summarize`)."""
    from okrplan.validate_text import summarize as summary

    return summary(spec)


def schema_text() -> str:
    """The target file's JSON Schema as stable, indented JSON."""
    from okrplan.spec import json_schema

    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def template_text(name: str) -> str:
    """The commented starter target file called ``name`` (see :data:`TEMPLATES`)."""
    if name not in TEMPLATES:
        raise InputError(
            [Issue(f"no template named {name!r}", hint=f"choose one of: {', '.join(TEMPLATES)}")]
        )
    return (resources.files("okrplan") / "templates" / f"{name}.yaml").read_text("utf-8")


def write_new_file(path: str | os.PathLike[str], text: str | bytes, *, force: bool = False) -> Path:
    """Write ``text`` (or bytes) to a new file atomically; refuse to replace an existing one
    unless forced."""
    from okrplan.export.output import write_files

    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target} is a folder; name a file to write")
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; pass --force to replace it")
    if not target.parent.is_dir():
        raise OutputError(f"the folder {target.parent} does not exist")
    write_files(target.parent, {target.name: text})
    return target


def load(path: str | os.PathLike[str]) -> Spec:
    """Load and validate a target file (see :func:`okrplan.spec.load_spec`)."""
    return load_spec(path)


def describe(checked: Checked) -> dict[str, Any]:
    """A JSON-friendly record of a validation, for `okrplan validate --json`."""
    return {
        "file": checked.file,
        "ok": checked.ok,
        "issues": [
            {
                "severity": str(i.severity),
                "line": i.line,
                "column": i.column,
                "path": i.path,
                "message": i.message,
                "hint": i.hint,
            }
            for i in checked.issues
        ],
    }


# ---------------------------------------------------------------------------------------------
# Plans.


def decompose(
    spec_or_path: Spec | str | os.PathLike[str], *, progress: Callable[[str], None] | None = None
) -> Plan:
    """Solve a target file (or a loaded :class:`Spec`) into a :class:`~okrplan.plan.Plan`.

    ``progress`` is called with each stage's name as it starts (``load``, then those of
    :func:`okrplan.plan.solve_plan`).
    """
    from okrplan.plan import bulk_work, solve_plan

    if isinstance(spec_or_path, Spec):
        spec = spec_or_path
    else:
        if progress is not None:
            progress("load")
        with bulk_work():
            spec = load_spec(spec_or_path)
    return solve_plan(spec, progress)


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """A plan from a plan.json, a plan directory, or a target file (decomposed in memory)."""
    from okrplan.export.planjson import read_plan_file

    source = Path(path)
    if source.is_dir() and (source / PLAN_FILE).is_file():
        source = source / PLAN_FILE
    if source.suffix.lower() == ".json":
        return read_plan_file(str(source))
    return decompose(source)


def image_problem() -> str | None:
    """Why goal-tree images cannot be drawn here (with how to fix it), or None if they can."""
    from okrplan.render import dot_problem

    return dot_problem()


def report_html(
    plan: Plan,
    *,
    tree_svg: bytes | str | None = None,
    draw: bool = True,
    unit: str | None = None,
    folder: str | os.PathLike[str] | None = None,
) -> str:
    """The plan as one self-contained HTML page (see :mod:`okrplan.export.report`): the goal
    tree, every unit's and role's OKRs, funnels, phasing and what the optimizer did.

    The tree is drawn with Graphviz unless ``tree_svg`` is given (or ``draw=False``); without
    ``dot`` the page says so and shows the rest. A large organisation's page shows its top
    levels (see :data:`okrplan.export.report.MAX_CARDS`); ``unit`` makes a page about one unit
    and what is below it.
    With ``folder`` (a plan folder) whose progress store has check-ins, the page ends with
    the progress section (:mod:`okrplan.export.report_progress`).

    Raises
    ------
    MissingDependencyError
        If Jinja2 is not installed.
    OptionError
        If ``unit`` names no unit of the plan, or several.
    """
    if unit is not None:
        queries.unit_option(plan.graph, unit)  # an unknown or ambiguous name: exit 2
    return folder_report(plan, tree_svg=tree_svg, draw=draw, unit=unit, folder=folder)


def tree_dot(
    plan: Plan,
    *,
    view: str = "org",
    unit: str | None = None,
    depth: int | None = None,
    fold: bool | None = None,
) -> str:
    """The goal tree as Graphviz DOT text (see :func:`okrplan.render.to_dot`).

    Raises
    ------
    OptionError
        If ``unit`` names no unit of the plan (or several), or ``depth`` is below 1.
    """
    from okrplan.render import to_dot

    if unit is not None:
        queries.unit_option(plan.graph, unit)  # an unknown or ambiguous name: exit 2
    try:
        return to_dot(plan, view=view, unit=unit, depth=depth, fold=fold)
    except ValueError as exc:  # --depth below 1
        raise OptionError([Issue(str(exc), path="--depth")]) from None


def render(
    plan: Plan,
    *,
    format: str = "svg",
    view: str = "org",
    unit: str | None = None,
    depth: int | None = None,
    fold: bool | None = None,
) -> bytes:
    """The goal tree as ``svg``, ``png`` or ``pdf`` bytes, or its DOT text (UTF-8) for ``dot``.

    Raises
    ------
    InputError
        For an unknown format, unit or depth.
    MissingDependencyError
        If an image is asked for and Graphviz's ``dot`` is not installed.
    """
    from okrplan.render import render_image

    if format not in TREE_FORMATS:
        raise InputError(
            [
                Issue(
                    f"unknown diagram format {format!r}",
                    hint=f"choose one of: {', '.join(TREE_FORMATS)}",
                )
            ]
        )
    text = tree_dot(plan, view=view, unit=unit, depth=depth, fold=fold)
    return text.encode("utf-8") if format == "dot" else render_image(text, format)


def tree_format(path: str | os.PathLike[str], format: str | None = None) -> str:
    """The diagram format to write ``path`` in: ``format`` if given, else its suffix's."""
    if format is not None:
        if format not in TREE_FORMATS:
            raise OptionError(
                [
                    Issue(
                        f"unknown diagram format {format!r}",
                        hint=f"choose one of: {', '.join(TREE_FORMATS)}",
                    )
                ]
            )
        return format
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = "dot" if suffix == "gv" else suffix
    if suffix not in TREE_FORMATS:
        raise OptionError(
            [
                Issue(
                    f"cannot tell the diagram format of {os.fspath(path)!r}",
                    hint=f"name it .{', .'.join(TREE_FORMATS)}, or pass --format",
                )
            ]
        )
    return suffix


def write_render(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    view: str = "org",
    unit: str | None = None,
    depth: int | None = None,
    fold: bool | None = None,
    force: bool = False,
) -> Path:
    """Write the goal tree to ``path`` (in the format its suffix names, unless ``format``).

    Raises
    ------
    MissingDependencyError
        If Graphviz's ``dot`` is missing; the DOT text is written next to ``path`` first
        (``tree.png`` → ``tree.dot``), so the work is not lost.
    """
    from okrplan.errors import MissingDependencyError
    from okrplan.render import render_image

    fmt = tree_format(path, format)
    text = tree_dot(plan, view=view, unit=unit, depth=depth, fold=fold)
    if fmt == "dot":
        return write_new_file(path, text, force=force)
    problem = image_problem()
    if problem is not None:
        written = write_new_file(Path(path).with_suffix(".dot"), text, force=force)
        raise MissingDependencyError(
            f"{problem}. The diagram's DOT text is in {written}; "
            f"after installing, run: dot -T{fmt} {written} -o {path}"
        )
    return write_new_file(path, render_image(text, fmt), force=force)


def explain(plan: Plan, unit: str | None = None) -> list[dict[str, Any]]:
    """For each quota: its basis, stretch, what binds it, and what more capacity is worth.

    ``unit`` (a name or a path, see :func:`okrplan.queries.find_unit`) keeps the quotas of that
    unit and the units below it.

    Raises
    ------
    InputError
        If ``unit`` names no unit of the plan, or several, or one without a quota.
    """
    from okrplan.model import RoleGroup, Unit

    graph = plan.graph
    within = None if unit is None else queries.unit(graph, queries.unit_option(graph, unit)).path
    rows = []
    for group in queries.records(graph):
        if not isinstance(group, RoleGroup) or group.selling is None:
            continue
        if within is not None and group.path[: len(within)] != within:
            continue
        selling = group.selling
        rows.append(
            {
                "id": group.id,
                "role": group.label,
                "unit": group.path[-1],
                "path": list(group.path),
                "headcount": group.headcount,
                "quota": selling.quota,
                "per_person": selling.per_person,
                "basis": selling.basis,
                "stretch": selling.stretch,
                "binding": list(selling.binding),
                "marginal": [
                    {"metric": m.metric, "per": m.per, "adds": m.adds} for m in selling.marginal
                ],
            }
        )
    if unit is not None and not rows:
        names = sorted({r.name for r in queries.records(graph) if isinstance(r, Unit)})
        raise InputError(
            [
                Issue(
                    f"no unit named {unit!r} carries a quota in this plan",
                    hint=f"units: {', '.join(names)}",
                )
            ]
        )
    return rows


def explain_text(plan: Plan, unit: str | None = None) -> str:
    """:func:`explain` as lines a planner reads, in the plan's locale
    (:func:`okrplan.explain.explain_lines`): the hires the KPI needs and those the buffer adds,
    the fixes of an infeasible plan, then each quota and what binds it."""
    from okrplan.explain import explain_lines, head_line

    return "\n".join([head_line(plan), *explain_lines(plan, explain(plan, unit))])
