"""A worksheet's cells as plain values, written straight into the sheet's XML part.

openpyxl makes an object per cell and spends ~100 µs to create, style and serialise each; the
workbook of a thousand people has ~70,000 cells, which took most of its six seconds. A
:class:`Grid` keeps a sheet's cells as ``(kind, value, style)`` tuples and :func:`sheet_data`
writes them as the ``<sheetData>`` openpyxl itself would write for the same cells: the same
elements and attributes in the same order, numbers formatted alike, inline strings, styles
numbered in the workbook's own table in the order openpyxl's save numbers them. openpyxl still
writes everything else of the sheet (column widths, merged ranges, validations, print setup,
views) with an empty ``<sheetData>``, which :func:`splice` then fills in: the file is the one a
full openpyxl workbook would have been, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TEXT, NUMBER, FORMULA = "s", "n", "f"
MAX_TEXT = 32767  # Excel's limit on a cell's text; openpyxl truncates longer text to it

Cell = tuple[str, Any, Any]
"""A cell: its kind (TEXT, NUMBER, FORMULA), its value (None: empty), its StyleArray or None."""


class Grid:
    """One worksheet (``ws``, openpyxl's, for everything but the cells) and its cells."""

    __slots__ = ("cells", "heights", "links", "ws")

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.cells: dict[tuple[int, int], Cell] = {}
        self.heights: dict[int, float] = {}  # row → height in points
        self.links: list[tuple[str, str, str]] = []  # (cell, location, display) in row order

    def plain(self, row: int, column: int, value: str | int | float | None) -> None:
        """An unstyled value, typed as openpyxl types an assigned value (text starting with
        ``=`` is a formula); the cell keeps any style it has."""
        old = self.cells.get((row, column))
        style = None if old is None else old[2]
        if isinstance(value, str):
            value = value[:MAX_TEXT]
            kind = FORMULA if len(value) > 1 and value.startswith("=") else TEXT
            self.cells[(row, column)] = (kind, value, style)
        else:
            self.cells[(row, column)] = (NUMBER, value, style)

    def touch(self, row: int, column: int) -> None:
        """The cell exists (empty unless written): it counts in the sheet's dimension, as a
        cell openpyxl's ``ws.cell`` made does."""
        self.cells.setdefault((row, column), (NUMBER, None, None))

    def dimension(self) -> str:
        """The range the cells span (``A1:Q12``), as openpyxl computes it."""
        if not self.cells:
            return "A1:A1"
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return f"{letter(min(cols))}{min(rows)}:{letter(max(cols))}{max(rows)}"


class StyleIds:
    """The workbook's cell-format numbers (``s=``) of style arrays, registered in the
    workbook's table in first-use order, as openpyxl's save registers a cell's style."""

    def __init__(self, wb: Any) -> None:
        self.table = wb._cell_styles  # openpyxl's IndexedList of StyleArray
        self.ids: dict[Any, str] = {}

    def __call__(self, style: Any) -> str:
        """`` s="n"`` for a style, "" for none (an unstyled cell)."""
        if style is None:
            return ""
        found = self.ids.get(style)
        if found is None:
            found = self.ids[style] = f' s="{self.table.add(style)}"' if any(style) else ""
        return found


_LETTERS: list[str] = []


def letter(column: int) -> str:
    """A column's letters (1 → A, 28 → AB)."""
    while len(_LETTERS) < column:
        n, out = len(_LETTERS) + 1, ""
        while n:
            n, rest = divmod(n - 1, 26)
            out = chr(65 + rest) + out
        _LETTERS.append(out)
    return _LETTERS[column - 1]


def _text(value: str) -> str:
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def _attribute(value: str) -> str:
    value = _text(value)
    for char, entity in (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;")):
        if char in value:
            value = value.replace(char, entity)
    return value


def _cell(ref: str, cell: Cell, style: str) -> str:
    kind, value, _ = cell
    if kind == FORMULA:
        return f'<c r="{ref}"{style}><f>{_text(value[1:])}</f><v /></c>'
    if value is None or value == "":
        return f'<c r="{ref}"{style} t="{"inlineStr" if kind == TEXT else "n"}" />'
    if kind == TEXT:
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>'
    return f'<c r="{ref}"{style} t="n"><v>{value:.16g}</v></c>'


def sheet_data(grid: Grid, style_id: Callable[[Any], str]) -> str:
    """The sheet's ``<sheetData>`` element (rows in order, each row's cells in column order;
    an empty cell without a style is left out)."""
    rows: dict[int, list[tuple[int, Cell]]] = {r: [] for r in grid.heights}
    for (r, c), cell in grid.cells.items():
        rows.setdefault(r, []).append((c, cell))
    out = ["<sheetData>"]
    for r in sorted(rows):
        height = grid.heights.get(r)
        size = "" if height is None else f' ht="{float(height):.16g}" customHeight="1"'
        out.append(f'<row r="{r}"{size}>')
        for c, cell in sorted(rows[r], key=_first):
            style = style_id(cell[2])
            if cell[1] is None and not style:
                continue
            out.append(_cell(f"{letter(c)}{r}", cell, style))
        out.append("</row>")
    out.append("</sheetData>")
    return "".join(out)


def _first(item: tuple[int, Cell]) -> int:
    return item[0]


def hyperlinks(grid: Grid) -> str:
    """The sheet's ``<hyperlinks>`` element (links within the workbook), or ""."""
    if not grid.links:
        return ""
    links = "".join(
        f'<hyperlink ref="{ref}" location="{_attribute(location)}" '
        f'display="{_attribute(display)}" />'
        for ref, location, display in grid.links
    )
    return f"<hyperlinks>{links}</hyperlinks>"


# what follows <hyperlinks> in a worksheet part, in schema order
_AFTER_LINKS = (b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter", b"</worksheet>")


def splice(part: bytes, dimension: str, data: str, links: str) -> bytes:
    """A worksheet part openpyxl wrote without cells, with the grid's dimension, cells and
    links put in.

    Raises
    ------
    RuntimeError
        If the part is not as expected (an openpyxl that writes sheets otherwise).
    """
    empty_dimension, empty_data = b'<dimension ref="A1:A1" />', b"<sheetData></sheetData>"
    if empty_dimension not in part or empty_data not in part:
        raise RuntimeError("unexpected worksheet XML from openpyxl: cannot add the cells")
    part = part.replace(empty_dimension, f'<dimension ref="{dimension}" />'.encode(), 1)
    part = part.replace(empty_data, data.encode("utf-8"), 1)
    if links:
        at = min(i for i in (part.find(tag) for tag in _AFTER_LINKS) if i >= 0)
        part = part[:at] + links.encode("utf-8") + part[at:]
    return part
