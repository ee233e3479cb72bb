"""The plan directory ``decompose`` writes: its files made (in two processes for a large plan,
see :data:`BESIDE_FROM`) and written atomically with their manifest.

:func:`write_plan` is the API's (``okrplan.api.write_plan``); the goal tree and the report are
the ``render`` and ``report`` commands' by default (see :func:`folder_report`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from okrplan import queries
from okrplan.api_sheets import MAX_WORKBOOK_SHEETS, SHEETS_DIR, sheet_files
from okrplan.choices import PLAN_FILE
from okrplan.export.manifest import MANIFEST_FILE, over_previous, plan_entries

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from okrplan.export.output import Content, Spooled
    from okrplan.plan import Plan


MARKDOWN_FILE = "plan.md"
TREE_DOT, TREE_SVG, TREE_PNG = "tree.dot", "tree.svg", "tree.png"
REPORT_FILE = "report.html"


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
    report ``report.html`` unless ``report=False`` (see :func:`okrplan.api.report_html`).

    With ``images=False`` the goal tree is written as ``tree.dot`` only, for a machine without
    Graphviz (check :func:`okrplan.api.image_problem` first: with images, a missing ``dot`` raises
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

    A large plan's report (made by a forked child, see :data:`BESIDE_FROM`) sends back the
    forecast of the plan it made, which :func:`okrplan.forecast.glance.glance` then gives
    without making it again (``decompose``'s summary), unless this process had it already
    (made beside the solver: :mod:`okrplan.forecast.early`).

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
    start at once, then its :data:`JSON_PIECES` further pieces, made by either process, each
    written as soon as those before it are (see :class:`_InOrder`)."""
    import functools
    from contextlib import nullcontext

    from okrplan.export.output import spool
    from okrplan.export.planjson import json_pieces
    from okrplan.forked import Beside, Shared
    from okrplan.render import render_image

    step(TREE_DOT)
    nodes = plan.graph.number_of_nodes()
    dot_text = _tree_dot(plan) if nodes < TREE_BESIDE_FROM else None
    large = nodes >= BESIDE_FROM
    # large: the child makes the report and tree.svg (all the tree from TREE_BESIDE_FROM), this
    # process plan.json's start; then each takes what is left of the sheets, plan.md and the
    # rest of plan.json when done (plan.json's pieces written in order as they come)
    start, pieces = json_pieces(plan, JSON_PIECES if large else 0)
    in_order = _InOrder(len(pieces))
    shared = _shared_parts(plan, sheets and large, pieces, in_order)
    side = functools.partial(
        _side_files, plan, dot_text, directory, images, sheets and not large, report
    )
    both_draw = large and images and dot_text is not None  # tree.png here, tree.svg there
    here = _before_fork(plan, sheets=dot_text is None, forecast=large and report, draw=both_draw)
    with (
        Shared(shared) as parts,
        Beside(lambda: {**side(), **parts.beside(), **_forecast_made(plan, report and not here)})
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
            in_order.start(spooled)
            files[PLAN_FILE] = spooled.copy_to
            if other is None:
                files.update(side(step))
            else:
                files.update(parts.take(step))
                step(REPORT_FILE)
                files.update(other.result())
                _keep_forecast(plan, files)
            in_order.finish(files)
        except BaseException:
            spooled.close()
            raise
    return files, spooled


JSON_PIECES = 7
"""A large plan's plan.json after its start is made in this many pieces, each by whichever
process of the fork takes it first (so that neither waits while the other works). Not more
for a larger plan: with a piece per 25,000 or 100,000 nodes (65 or 16 pieces at 1,000,000
people), the two processes' peak memory together was 250-350 MB higher (the child holds
what it makes until it sends it)."""


def _shared_parts(
    plan: Plan, sheets: bool, pieces: Sequence[Callable[[], Iterable[bytes]]], in_order: _InOrder
) -> list[tuple[str, Callable[[], dict[str, str | bytes]]]]:
    """The parts either process may make (see :func:`_plan_files`), the longer first: the
    sheets (if ``sheets``), plan.md, then plan.json's ``pieces`` (this process's written by
    ``in_order``, a child's sent back)."""
    import functools

    from okrplan.export.markdown import to_markdown

    shared: list[tuple[str, Callable[[], dict[str, str | bytes]]]] = []
    if sheets:
        shared.append((SHEETS_DIR, functools.partial(_sheet_dir, plan)))
    shared.append((MARKDOWN_FILE, lambda: {MARKDOWN_FILE: to_markdown(plan)}))
    shared += [
        (PLAN_FILE, functools.partial(_json_piece, i, f, in_order)) for i, f in enumerate(pieces)
    ]
    return shared


def _piece_name(index: int) -> str:
    """The name (no file's) of plan.json's ``index``-th piece among the parts made."""
    return f"\0{PLAN_FILE} {index}"


def _json_piece(
    index: int, make: Callable[[], Iterable[bytes]], in_order: _InOrder
) -> dict[str, str | bytes]:
    """plan.json's ``index``-th piece: in a forked child, its bytes to send back; here,
    handed to ``in_order`` (nothing to send)."""
    if in_order.elsewhere():
        return {_piece_name(index): b"".join(make())}
    in_order.add(index, make())
    return {}


class _InOrder:
    """plan.json's ``count`` pieces after its start, written to its file (:meth:`start`) in
    order as they are made (in any order, by this process or sent back by a forked child):
    each as soon as those before it are, the others held until then. A piece made here in its
    turn goes straight to the file a batch of lines at a time, never held whole (some 70 MB
    at 1,000,000 people)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.written = 0  # the pieces written, in order
        self.held: dict[int, bytes] = {}
        self.spooled: Spooled | None = None
        self.main = os.getpid()

    def elsewhere(self) -> bool:
        """Whether this is a process forked since (the child sends its pieces back)."""
        return os.getpid() != self.main

    def start(self, spooled: Spooled) -> None:
        """Write to ``spooled`` (the file's start written) from now on, first what is held."""
        self.spooled = spooled
        self._flush()

    def add(self, index: int, chunks: Iterable[bytes]) -> None:
        """The ``index``-th piece, written now if it is the next one, else held."""
        if self.spooled is not None and index == self.written:
            self.spooled.add(chunks)
            self.written += 1
            self._flush()
        else:
            self.held[index] = b"".join(chunks)

    def finish(self, files: dict[str, Content]) -> None:
        """The pieces a forked child sent back, taken out of ``files``, each written in its
        turn; raise unless every piece is written then."""
        for index in range(self.count):
            if (name := _piece_name(index)) in files:
                self.add(index, [_bytes(files.pop(name))])
        if self.written != self.count:
            raise RuntimeError(f"plan.json: {self.written} of {self.count} pieces written")

    def _flush(self) -> None:
        if self.spooled is None:
            return
        while self.written in self.held:
            self.spooled.add([self.held.pop(self.written)])
            self.written += 1


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
    return {_FORECAST: to_json(made[0])}


def _keep_forecast(plan: Plan, files: dict[str, Content]) -> None:
    """The child's forecast (see :func:`_forecast_made`) taken out of ``files`` and kept
    (it is read only if something asks for it)."""
    text = files.pop(_FORECAST, None)
    if isinstance(text, str):
        from okrplan.forecast.glance import known, remember

        if known(plan) is None:  # (made here already when the child's work was redone here)
            remember(plan, text)


def _before_fork(plan: Plan, *, sheets: bool, forecast: bool, draw: bool) -> bool:
    """What both processes of the fork read, made here first: with ``sheets``, every owner's
    sheet (and the organisation's children) asked for once, so that they are made once
    instead of by whichever asks first on each side (the goal tree asked first when it was
    made here), and the key results' period labels; with ``forecast``, the forecast made
    beside the solver (:mod:`okrplan.forecast.early`), if it was, received: the child's report
    reads it, and only this process can wait for the process that made it; with ``draw``
    (both processes draw with Graphviz), the graphviz package imported once. Whether this
    process has the forecast now (the child need not send it back)."""
    if sheets:
        queries.remember_sheets(plan.graph)
        queries.period_labels(plan.graph)  # the workbook's and the report's period columns
    if draw:
        import graphviz  # noqa: F401
    if not forecast:
        return False
    from okrplan.forecast.glance import known

    return known(plan) is not None


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
        step(TREE_DOT)
        dot_text = made[TREE_DOT] = _tree_dot(plan)
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
        made[REPORT_FILE] = folder_report(
            plan,
            tree_svg=svg if isinstance(svg, bytes) else None,
            draw=images,
            folder=directory,
        )
    return made


def _tree_dot(plan: Plan) -> str:
    """The whole goal tree as DOT text, as ``okrplan render`` draws it by default."""
    from okrplan.render import to_dot

    return to_dot(plan)


def folder_report(
    plan: Plan,
    *,
    tree_svg: bytes | str | None = None,
    draw: bool = True,
    unit: str | None = None,
    folder: str | os.PathLike[str] | None = None,
) -> str:
    """The HTML report of :func:`okrplan.api.report_html` (``unit`` a unit's id or path),
    ending with the progress section when ``folder`` is a plan folder whose progress store has
    check-ins (:mod:`okrplan.export.report_progress`)."""
    from okrplan.export.report import report_html

    page = report_html(plan, tree_svg=tree_svg, draw=draw, unit=unit)
    if folder is not None and (Path(folder) / "progress.sqlite").is_file():
        from okrplan.export.report_progress import folder_section, insert

        page = insert(page, folder_section(plan, folder))
    return page


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
