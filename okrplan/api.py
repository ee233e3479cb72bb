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
from okrplan.export.manifest import MANIFEST_FILE, over_previous, plan_entries
from okrplan.spec import Spec, load_spec

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from okrplan.export.output import Content, Spooled
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

MARKDOWN_FILE = "plan.md"
TREE_DOT, TREE_SVG, TREE_PNG = "tree.dot", "tree.svg", "tree.png"
REPORT_FILE = "report.html"


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


def write_plan(
    plan: Plan,
    directory: str | os.PathLike[str],
    *,
    force: bool = False,
    images: bool = True,
    sheets: bool = True,
    report: bool = True,
    progress: Callable[[str], None] | None = None,
    discard_edits: bool = False,
    warn: Callable[[str], None] | None = None,
) -> Path:
    """Write a plan directory atomically (see :mod:`okrplan.export.output`), with the OKR
    sheets in ``sheets/`` unless ``sheets=False`` (see :func:`sheet_files`), and the HTML
    report ``report.html`` unless ``report=False`` (see :func:`report_html`).

    With ``images=False`` the goal tree is written as ``tree.dot`` only, for a machine without
    Graphviz (check :func:`image_problem` first: with images, a missing ``dot`` raises
    :class:`~okrplan.errors.MissingDependencyError` before anything is written).

    ``progress`` is called with the name of each part as this process starts it (``tree.dot``,
    ``plan.md``, ``plan.json``, ``tree.svg``, ``sheets``, ``report.html``; for a large plan,
    ``plan.json`` again for each piece of it made here and ``report.html`` when it waits for
    the forked child, whose own parts are not told) and ``write``.

    The directory gets a manifest of what okrplan wrote (see :mod:`okrplan.export.manifest`).
    Over an existing plan (``force``), only okrplan's own unchanged files are replaced or
    deleted; files okrplan did not write (the target file, notes) are kept; actuals typed into
    the previous workbook are carried into the new one where their sheet and KR still exist
    (``warn`` is called with those that could not be, and other notices). A file okrplan wrote
    that was edited since stops the run, unless ``discard_edits``.

    A large plan's report (made by a forked child, see :data:`BESIDE_FROM`) sends back its
    forecast of the plan, which :func:`okrplan.forecast.glance.glance` then gives without
    making it again (``decompose``'s summary).

    Raises
    ------
    OutputError
        If the directory exists (without ``force``), or holds edited files or files of the
        names okrplan writes that it did not write.
    """
    from okrplan.plan import bulk_work

    step = progress or (lambda name: None)
    with bulk_work():
        made = _plan_files(
            plan,
            directory,
            images=images,
            sheets=sheets,
            report=report,
            step=step,
        )
    step("write")
    return _write(directory, *made, force=force, discard_edits=discard_edits, warn=warn)


def _write(
    directory: str | os.PathLike[str],
    files: dict[str, Content],
    spooled: Spooled,
    *,
    force: bool,
    discard_edits: bool,
    warn: Callable[[str], None] | None,
) -> Path:
    """The plan directory written (see :func:`write_plan`): ``files`` with plan.json named
    (or copied) from ``spooled``, and the manifest."""
    from okrplan.export.output import write_dir

    with spooled:
        replace = over_previous(
            directory,
            files,
            force=force,
            discard=discard_edits,
            warn=warn or (lambda text: None),
            marker=PLAN_FILE,
        )
        files[MANIFEST_FILE] = plan_entries(files, {PLAN_FILE: spooled.sha256})
        return write_dir(directory, files, force=force, replace=replace)


def _plan_files(
    plan: Plan,
    directory: str | os.PathLike[str],
    *,
    images: bool,
    sheets: bool,
    report: bool,
    step: Callable[[str], None],
) -> tuple[dict[str, Content], Spooled]:
    """The files of a plan directory by name (see :func:`write_plan`); plan.json is written
    to a temporary file, named (or copied) in by its writer: for a plan written one node per
    line (:data:`okrplan.export.planjson.ITEM_PER_LINE_FROM`) that a child helps make, its
    start at once, then its :data:`JSON_PIECES` further pieces, made by either process and
    held until all are made (plan.json less its start, some 45 MB at 100,000 people)."""
    import functools
    from contextlib import nullcontext

    from okrplan.export.output import spool
    from okrplan.export.planjson import json_pieces
    from okrplan.forked import Beside, Shared
    from okrplan.render import render_image

    step(TREE_DOT)
    nodes = plan.graph.number_of_nodes()
    dot_text = tree_dot(plan) if nodes < TREE_BESIDE_FROM else None
    large = nodes >= BESIDE_FROM
    # large: the child makes the tree and the report, this process plan.json's start; then
    # each takes what is left of the sheets, plan.md and the rest of plan.json as soon as it
    # is done (the longer first; plan.json's pieces are written in order when all are made)
    start, pieces = json_pieces(plan, JSON_PIECES if large else 0)
    shared = _shared_parts(plan, sheets and large, pieces)
    side = functools.partial(
        _side_files, plan, dot_text, directory, images, sheets and not large, report
    )
    if dot_text is None:
        _share(plan)
    with (
        Shared(shared) as parts,
        Beside(lambda: {**side(), **parts.beside(), **_forecast_made(plan, report)})
        if large
        else nullcontext() as other,
    ):
        files: dict[str, Content] = {}
        if not large:
            files.update(parts.take(step))
        if dot_text is not None:
            files[TREE_DOT] = dot_text
            if images:  # here: at this size the child's report is the longer side
                files[TREE_PNG] = render_image(dot_text, "png")
        step(PLAN_FILE)
        spooled = spool(start, directory)
        try:
            files[PLAN_FILE] = spooled.copy_to
            if other is None:
                files.update(side(step))
            else:
                files.update(parts.take(step))
                step(REPORT_FILE)
                files.update(other.result())
                _keep_forecast(plan, files)
            spooled.add(_bytes(files.pop(_piece_name(i))) for i in range(len(pieces)))
        except BaseException:
            spooled.close()
            raise
    return files, spooled


JSON_PIECES = 7
"""A large plan's plan.json after its start is made in this many pieces, each by whichever
process of the fork takes it first (so that neither waits while the other works)."""


def _shared_parts(
    plan: Plan, sheets: bool, pieces: Sequence[Callable[[], bytes]]
) -> list[tuple[str, Callable[[], dict[str, str | bytes]]]]:
    """The parts either process may make (see :func:`_plan_files`), the longer first: the
    sheets (if ``sheets``), plan.md, then plan.json's ``pieces``."""
    import functools

    from okrplan.export.markdown import to_markdown

    shared: list[tuple[str, Callable[[], dict[str, str | bytes]]]] = []
    if sheets:
        shared.append((SHEETS_DIR, functools.partial(_sheet_dir, plan)))
    shared.append((MARKDOWN_FILE, lambda: {MARKDOWN_FILE: to_markdown(plan)}))
    shared += [(PLAN_FILE, functools.partial(_json_piece, i, f)) for i, f in enumerate(pieces)]
    return shared


def _piece_name(index: int) -> str:
    """The name (no file's) of plan.json's ``index``-th piece among the parts made."""
    return f"\0{PLAN_FILE} {index}"


def _json_piece(index: int, make: Callable[[], bytes]) -> dict[str, str | bytes]:
    return {_piece_name(index): make()}


def _bytes(content: Content) -> bytes:
    if not isinstance(content, bytes):
        raise TypeError("a piece of plan.json is bytes")
    return content


_FORECAST = "\0forecast"
"""The name (no file's) under which a forked child sends the forecast its report made."""


def _forecast_made(plan: Plan, report: bool) -> dict[str, str | bytes]:
    """The plan-time forecast of the whole plan as text, if this process made it for the
    report, so that the summary of ``decompose`` need not make it again; else nothing."""
    if not report:
        return {}
    from okrplan.forecast.glance import known, to_json

    made = known(plan)
    if made is None:
        return {}
    try:
        return {_FORECAST: to_json(made[0])}
    except (TypeError, ValueError):  # not sendable: the parent makes it if asked (not the files)
        return {}


def _keep_forecast(plan: Plan, files: dict[str, Content]) -> None:
    """The child's forecast (see :func:`_forecast_made`) taken out of ``files`` and kept
    (it is read only if something asks for it)."""
    text = files.pop(_FORECAST, None)
    if isinstance(text, str):
        from okrplan.forecast.glance import known, remember

        if known(plan) is None:  # (made here already when the child's work was redone here)
            remember(plan, text)


def _share(plan: Plan) -> None:
    """Every owner's sheet (and the organisation's children) asked for once before the fork,
    so that they are made once and read by both processes, instead of by whichever asks first
    on each side (the goal tree asked first when it was made here); the same for the key
    results' period labels."""
    queries.remember_sheets(plan.graph)
    queries.period_labels(plan.graph)  # the workbook's and the report's period columns


def _side_files(
    plan: Plan,
    dot_text: str | None,
    directory: str | os.PathLike[str],
    images: bool,
    sheets: bool,
    report: bool,
    step: Callable[[str], None] = lambda name: None,
) -> dict[str, str | bytes]:
    """tree.svg, the sheets (if ``sheets``: a small plan's; a large plan's are shared, see
    :func:`_plan_files`) and the report (in a forked child for a large plan); for a very large
    plan (``dot_text`` None, see :data:`TREE_BESIDE_FROM`) tree.dot and tree.png too, the two
    images from one run of ``dot`` (its layout made once)."""
    from okrplan.render.image import render_images

    made: dict[str, str | bytes] = {}
    formats: tuple[str, ...] = ("svg",)
    if dot_text is None:
        dot_text = made[TREE_DOT] = tree_dot(plan)
        formats = ("png", "svg")
    if images:
        step(TREE_SVG)
        names = {"png": TREE_PNG, "svg": TREE_SVG}
        made.update({names[fmt]: image for fmt, image in render_images(dot_text, formats).items()})
    if sheets:
        step(SHEETS_DIR)
        made.update(_sheet_dir(plan))
    if report:
        step(REPORT_FILE)
        svg = made.get(TREE_SVG)
        made[REPORT_FILE] = report_html(
            plan,
            tree_svg=svg if isinstance(svg, bytes) else None,
            draw=images,
            folder=directory,
        )
    return made


def _sheet_dir(plan: Plan) -> dict[str, str | bytes]:
    """The files of ``sheets/`` by their names in the plan directory."""
    made = sheet_files(plan, max_workbook=MAX_WORKBOOK_SHEETS)
    return {f"{SHEETS_DIR}/{name}": content for name, content in made.items()}


BESIDE_FROM = 2_000
"""A plan of this many nodes or more (about 1,000 people) has its tree.svg and report made in a
forked child on the other core while tree.png (below :data:`TREE_BESIDE_FROM`) and plan.json
(for a plan written one node per line, its start) are made here; the sheets, plan.md and
plan.json's further pieces are then made by whichever side is done first
(:class:`okrplan.forked.Shared`; plan.json's pieces last, so that the two sides end within a
piece of each other). The files are the same either way."""

TREE_BESIDE_FROM = 50_000
"""A plan of this many nodes or more (about 30,000 people) has its goal tree (tree.dot,
tree.png) made in the forked child too, not here, and every owner's sheet is asked for here
before the fork instead (as the tree did), so that both processes read them."""


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
    from okrplan.export.report import report_html as render_report

    if unit is not None:
        queries.unit_option(plan.graph, unit)  # an unknown or ambiguous name: exit 2
    page = render_report(plan, tree_svg=tree_svg, draw=draw, unit=unit)
    if folder is not None and (Path(folder) / "progress.sqlite").is_file():
        from okrplan.export.report_progress import folder_section, insert

        page = insert(page, folder_section(plan, folder))
    return page


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
