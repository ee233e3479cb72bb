"""The goal tree on paper: an overview page of the units, then a page per unit with its roles.

Each page is its own Graphviz drawing, scaled (``size``) to fit A4 or A3 in the orientation
that shrinks it least. Where a headless Chromium is installed, the pages' SVGs are printed in
one go (:mod:`okrplan.export.handout_print`), so the PDF holds one subset of the CJK font: the
saas-fy2027 tree's 16 pages take 0.5 MB. Otherwise each page is drawn to PDF by cairo and the
pages are joined by poppler's ``pdfunite`` (no PDF library is in the project's dependencies;
``scripts/setup.sh`` installs poppler-utils): cairo embeds about 0.9 MB of the font in every
page, 16 MB in all.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from okrplan import queries
from okrplan.errors import MissingDependencyError, OutputError
from okrplan.export.handout_print import browser, print_pdf
from okrplan.export.report_svg import sanitize_svg
from okrplan.graph import node as record
from okrplan.graph import root_of
from okrplan.model import RoleGroup, Unit
from okrplan.plan import Plan
from okrplan.render.dot import to_dot
from okrplan.render.image import render_image

#: Paper sizes in inches, landscape (width, height).
PAPERS = {"A4": (11.69, 8.27), "A3": (16.54, 11.69)}
#: Printer margin on every side, inches.
MARGIN = 0.4
#: A page drawn smaller than this prints its 10 pt sheet text below 8 pt.
MIN_SCALE = 0.8

_BORDER = re.compile(r'margin="[\d.]+,[\d.]+"')
_SVG_SIZE = re.compile(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
_POPPLER = (
    "poppler's `pdfunite` is not installed, so the pages cannot be joined into one PDF; "
    "install it with `apt install poppler-utils` (or `bash scripts/setup.sh`), or pass "
    "`--paper none` for the whole tree on one page"
)


@dataclass(frozen=True, slots=True)
class Page:
    """One page: its DOT text (with ``size`` set) and the scale it is drawn at (1 = natural)."""

    title: str
    dot: str
    scale: float
    landscape: bool
    start: str = ""  # the unit the page is drawn from


def page_units(plan: Plan, unit: str | None = None) -> list[str]:
    """The units that get a page of their own: those with role groups, in tree order."""
    start = queries.find_unit(plan.graph, unit) if unit is not None else root_of(plan.graph)
    graph = plan.graph
    return [
        node
        for node in queries.tree_order(graph, start)
        if isinstance(record(graph, node), Unit)
        and any(isinstance(record(graph, c), RoleGroup) for c in queries.org_children(graph, node))
    ]


def _natural_size(dot_text: str) -> tuple[float, float]:
    """The drawing's width and height in inches (from its SVG: cheaper than drawing a PDF,
    with the same pango text metrics)."""
    found = _SVG_SIZE.search(render_image(dot_text, "svg"))
    if found is None:  # pragma: no cover - dot always writes the size
        raise OutputError("Graphviz drew an SVG without a size")
    return float(found.group(1)) / 72, float(found.group(2)) / 72


def fit(dot_text: str, title: str, paper: str) -> Page:
    """``dot_text`` scaled to the paper, in the orientation that shrinks it least."""
    width, height = _natural_size(dot_text)
    long, short = (side - 2 * MARGIN for side in PAPERS[paper])
    landscape = min(long / width, short / height)
    portrait = min(short / width, long / height)
    scale = min(1.0, max(landscape, portrait))
    across = landscape >= portrait
    paper_w, paper_h = PAPERS[paper] if across else PAPERS[paper][::-1]
    # `size` scales the drawing down to fit inside the margins; `margin` (cairo's page border,
    # 0.5 in by default) centres it on a page of exactly the paper's size.
    margin_x = max(MARGIN, (paper_w - width * scale) / 2)
    margin_y = max(MARGIN, (paper_h - height * scale) / 2)
    attrs = (
        f'size="{paper_w - 2 * MARGIN:.3f},{paper_h - 2 * MARGIN:.3f}" '
        f'margin="{margin_x:.3f},{margin_y:.3f}"'
    )
    sized = dot_text.replace("digraph okrplan {\n", f"digraph okrplan {{\n  graph [{attrs}]\n", 1)
    return Page(title, sized, scale, across)


def _sideways(dot_text: str) -> str:
    """An org drawing left to right: a wide level becomes a column (fits where a row cannot)."""
    return dot_text.replace('rankdir="TB"', 'rankdir="LR"', 1).replace(
        'tailport="s" headport="n"', 'tailport="e" headport="w"', 1
    )


def _best_fit(dot_text: str, title: str, paper: str) -> Page:
    """The page top-down if it is legible so, else whichever of top-down and left-to-right
    shrinks it less."""
    page = fit(dot_text, title, paper)
    if page.scale < MIN_SCALE:
        across = fit(_sideways(dot_text), title, paper)
        page = across if across.scale > page.scale else page
    return page


def _levels(plan: Plan, start: str) -> dict[str, int]:
    """The units under ``start`` by level (1 = ``start``), in display order."""
    out = {start: 1}
    for node in queries.tree_order(plan.graph, start):
        for child in queries.org_children(plan.graph, node):
            if node in out and isinstance(record(plan.graph, child), Unit):
                out[child] = out[node] + 1
    return {node: out[node] for node in queries.tree_order(plan.graph, start) if node in out}


def _unit_tree_pages(plan: Plan, start: str, paper: str) -> list[Page]:
    """The units from ``start`` on as few pages as fit: the deepest level that is legible on
    one page, then the same for each unit cut off below it."""
    levels = _levels(plan, start)
    deepest = max(levels.values())
    name = "/".join(queries.unit(plan.graph, start).path or (start,))
    for depth in range(deepest, 1, -1):
        page = _best_fit(to_dot(plan, unit=start, depth=depth, units_only=True), name, paper)
        if page.scale >= MIN_SCALE or depth == 2:
            break
    if deepest == 1:
        return []  # one unit alone: its roles page says it all
    pages = [replace(page, start=start)]
    for node, level in levels.items():
        if level == depth and len(_levels(plan, node)) > 1:
            pages += _unit_tree_pages(plan, node, paper)
    return pages


def paper_pages(plan: Plan, paper: str = "A4", unit: str | None = None) -> list[Page]:
    """The units on overview pages (cut where they would no longer be legible), then a page
    per unit with role groups, its roles and their OKRs on it."""
    start = queries.find_unit(plan.graph, unit) if unit is not None else root_of(plan.graph)
    pages = _unit_tree_pages(plan, start, paper)
    for node in page_units(plan, unit):
        owner = queries.unit(plan.graph, node)
        name = "/".join(owner.path or (owner.name,))
        page = _best_fit(to_dot(plan, unit=node, depth=2, units_only=False), name, paper)
        pages.append(replace(page, start=node))
    # In tree order: a unit's pages right after its parent's, its units before its roles.
    order = {node: n for n, node in enumerate(queries.tree_order(plan.graph, start))}
    return sorted(pages, key=lambda p: order[p.start])  # stable: units pages stay first


def join_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of the pages in ``parts`` (through ``pdfunite``; one part is returned as is)."""
    if len(parts) == 1:
        return parts[0]
    tool = shutil.which("pdfunite")
    if tool is None:
        raise MissingDependencyError(_POPPLER)
    with tempfile.TemporaryDirectory(prefix="okrplan-pages-") as folder:
        names = []
        for number, data in enumerate(parts, start=1):
            name = Path(folder) / f"page-{number:04d}.pdf"
            name.write_bytes(data)
            names.append(str(name))
        out = Path(folder) / "all.pdf"
        done = subprocess.run([tool, *names, str(out)], capture_output=True, check=False)
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            raise OutputError(f"pdfunite could not join the tree's pages: {detail}")
        return out.read_bytes()


def _page_svg(page: Page) -> str:
    """A page's drawing as inline SVG, without cairo's page border (the HTML page centres
    it)."""
    unbordered = _BORDER.sub('margin="0,0"', page.dot, count=1)
    return sanitize_svg(render_image(unbordered, "svg"))


def paper_html(pages: list[Page], paper: str) -> str:
    """Every page as HTML to print: a CSS page of the paper's size and orientation each, the
    drawing centred on it."""
    wide, tall = PAPERS[paper]
    style = (
        f"@page across {{ size: {wide}in {tall}in; margin: 0; }}"
        f"@page upright {{ size: {tall}in {wide}in; margin: 0; }}"
        "body { margin: 0; }"
        "section { display: flex; align-items: center; justify-content: center;"
        " break-after: page; overflow: hidden; }"
        "section:last-child { break-after: auto; }"
        f"section.across {{ page: across; width: {wide}in; height: {tall - 0.02}in; }}"
        f"section.upright {{ page: upright; width: {tall}in; height: {wide - 0.02}in; }}"
        "svg { display: block; }"
        # Graphviz sized the boxes with pango's hinted advances; Chromium sets the same text
        # about 2% wider, which would touch the boxes' right edges.
        "svg text { letter-spacing: -0.02em; }"
    )
    body = "".join(
        f'<section class="{"across" if page.landscape else "upright"}">{_page_svg(page)}</section>'
        for page in pages
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<style>{style}</style></head><body>{body}</body></html>"
    )


def render_paper(plan: Plan, paper: str = "A4", unit: str | None = None) -> bytes:
    """The goal tree as a PDF of pages that fit ``paper`` (``A4`` or ``A3``): printed by a
    headless Chromium where there is one, else drawn by cairo and joined by ``pdfunite``.

    Raises
    ------
    MissingDependencyError
        If Graphviz's ``dot`` is missing, or both Chromium and poppler's ``pdfunite`` are.
    """
    if browser() is None and shutil.which("pdfunite") is None:
        raise MissingDependencyError(_POPPLER)
    pages = paper_pages(plan, paper, unit)
    if browser() is not None:
        return print_pdf(paper_html(pages, paper))
    return join_pdfs([render_image(page.dot, "pdf") for page in pages])
