"""An .xlsx workbook's first sheet read straight from its XML, row by row, as text.

openpyxl builds a cell object (and a dict, and a style lookup) per cell: a roster of 100,000
people took about 16 CPU seconds to read. A sheet is a zip member of ``<row>`` elements of
``<c>`` cells; this module streams it with :func:`xml.etree.ElementTree.iterparse` and turns
each cell into the text a CSV would hold, the values openpyxl's read-only, ``data_only`` mode
gives (then :mod:`okrplan.tabular` turns those into text), so a table reads the same either way:

- a shared string (``t="s"``) is the string table's entry (its runs joined, phonetic guides
  left out, ``x005F_`` dropped as openpyxl drops it); an inline string (``t="inlineStr"``) its
  ``<is>`` runs; a formula's text result (``t="str"``) and an error (``t="e"``, ``#N/A``) as
  written; a boolean ``True`` or ``False``;
- a number is ``7200`` not ``7200.0`` (an integral float is written as an integer, others as
  Python writes a float); a number whose style's format is a date is the date it stands for
  (``2026-03-01``; a time ``09:30:00``; a ``[h]:mm`` duration as Python writes a timedelta),
  counted from 1899-12-30 (with Excel's 1900 leap-year bug) or 1904-01-01 (``date1904``);
- a formula gives the value Excel last computed and saved (never the formula);
- cells without a ``<v>`` are empty; rows are numbered by their ``r`` (else one more than the
  last), cells placed by their ``r`` column (else one more than the last), a row as wide as its
  last cell's column; a row numbered at or below an earlier one is skipped.

The archive is opened and size-checked by :mod:`okrplan.tabular`, which also counts cells
against its limit and turns any error raised here into an :class:`~okrplan.errors.InputError`.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, iterparse
from xml.parsers import expat

from okrplan.xlsx_formats import (
    BUILTIN_CODES,
    BUILTIN_DATES,
    BUILTIN_DURATIONS,
    MAC_EPOCH,
    WINDOWS_EPOCH,
    is_date_format,
    is_duration_format,
    iso_text,
    number_text,
    serial_text,
)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_R_ID_STRICT = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"

_COORDINATE = re.compile(r"^([A-Za-z]{1,3})(\d+)$")  # as openpyxl reads one: A0 is column A


def first_sheet(data: IO[bytes]) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """The first worksheet's name and its rows: ``(row number, cell texts)`` for each
    ``<row>`` of the sheet ("" for an empty cell), read as the iterator is consumed.

    Raises
    ------
    KeyError, ValueError, zipfile.BadZipFile, xml.etree.ElementTree.ParseError
        If the workbook or the sheet is damaged (:mod:`okrplan.tabular` reports it).
    """
    archive = zipfile.ZipFile(data)
    book = _workbook_part(archive)
    rels = _relationships(archive, book)
    root = _parse(archive, book)
    ns = _STRICT if root.tag.startswith(_STRICT) else _MAIN
    sheet_name, sheet_part = _first_worksheet(root, ns, rels, set(archive.namelist()))
    properties = root.find(f"{ns}workbookPr")
    mac = properties is not None and properties.get("date1904", "").lower() in ("1", "true")
    strings = _strings(archive, rels, ns)
    dates, durations = _date_styles(archive, rels, ns)
    reader = _SheetReader(strings, dates, durations, MAC_EPOCH if mac else WINDOWS_EPOCH, ns)
    return sheet_name, reader.rows(archive, sheet_part)


def _parse(archive: zipfile.ZipFile, part: str) -> Element:
    with archive.open(part) as member:
        return _tree(member)


def _tree(member: IO[bytes]) -> Element:
    root: Element | None = None
    for _, element in iterparse(member, events=("end",)):
        root = element
    if root is None:  # pragma: no cover - iterparse raises on an empty document
        raise ValueError("an empty XML part")
    return root


def _workbook_part(archive: zipfile.ZipFile) -> str:
    """The workbook's part, as the package's relationships name it."""
    for rel in _parse(archive, "_rels/.rels").iter(_REL):
        if rel.get("Type", "").endswith("/officeDocument"):
            return _resolve("", rel.get("Target", ""))
    raise KeyError("the package names no workbook")


def _resolve(base: str, target: str) -> str:
    """A relationship's target as a zip member name (relative to ``base``'s folder)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (type, member name)."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", f"{name}.rels")
    if path not in archive.namelist():
        return {}
    return {
        rel.get("Id", ""): (rel.get("Type", ""), _resolve(part, rel.get("Target", "")))
        for rel in _parse(archive, path).iter(_REL)
    }


def _first_worksheet(
    root: Element, ns: str, rels: dict[str, tuple[str, str]], names: set[str]
) -> tuple[str, str]:
    """The first worksheet's name and part, as openpyxl finds it: chart sheets are not
    worksheets, and a sheet whose part is missing from the archive is passed over."""
    for sheet in root.iter(f"{ns}sheet"):
        relation = sheet.get(_R_ID) or sheet.get(_R_ID_STRICT) or ""
        if relation not in rels:
            raise KeyError(f"the workbook names a sheet it has no part for ({relation})")
        kind, part = rels[relation]
        if part in names and "chartsheet" not in kind:
            return sheet.get("name", ""), part
    raise KeyError("the workbook has no worksheet")


def _of_type(rels: dict[str, tuple[str, str]], suffix: str) -> str | None:
    return next((part for kind, part in rels.values() if kind.endswith(suffix)), None)


def _strings(archive: zipfile.ZipFile, rels: dict[str, tuple[str, str]], ns: str) -> list[str]:
    """The shared string table (empty without one)."""
    part = _of_type(rels, "/sharedStrings")
    if part is None or part not in archive.namelist():
        return []
    raw = archive.read(part)
    text = _plain_part(raw, "sst")
    if text is not None:
        return [_item_text(item).replace("x005F_", "") for item in _SI.findall(text)]
    strings: list[str] = []
    for _, element in iterparse(io.BytesIO(raw), events=("end",)):
        if element.tag == f"{ns}si":
            strings.append(_runs(element, ns).replace("x005F_", ""))
            element.clear()
    return strings


def _runs(element: Element, ns: str) -> str:
    """The text of a string item (``<si>`` or ``<is>``): its ``<t>`` and its runs' ``<t>``,
    not its phonetic guides (``<rPh>``)."""
    texts = [element.findtext(f"{ns}t") or ""]
    texts += [run.findtext(f"{ns}t") or "" for run in element.iterfind(f"{ns}r")]
    return "".join(texts)


def _date_styles(
    archive: zipfile.ZipFile, rels: dict[str, tuple[str, str]], ns: str
) -> tuple[frozenset[int], frozenset[int]]:
    """The cell styles (indices into ``cellXfs``) whose number format shows a date or time,
    and those that show a duration."""
    part = _of_type(rels, "/styles")
    if part is None or part not in archive.namelist():
        return frozenset(), frozenset()
    root = _parse(archive, part)
    custom = {
        int(f.get("numFmtId", "-1")): f.get("formatCode", "")
        for f in root.iterfind(f"{ns}numFmts/{ns}numFmt")
    }
    builtin = {code: number for number, code in BUILTIN_CODES.items()}
    dates, durations = set(), set()
    for index, xf in enumerate(root.iterfind(f"{ns}cellXfs/{ns}xf")):
        number = int(xf.get("numFmtId", "0"))
        code = custom.get(number)
        if code is None:
            date, duration = number in BUILTIN_DATES, number in BUILTIN_DURATIONS
        elif code in builtin:
            number = builtin[code]
            date, duration = number in BUILTIN_DATES, number in BUILTIN_DURATIONS
        else:
            date, duration = is_date_format(code), is_duration_format(code)
        if date:
            dates.add(index)
        if duration:
            durations.add(index)
    return frozenset(dates), frozenset(durations)


def column_number(letters: str) -> int:
    """A column's number from its letters: A → 1, Z → 26, AA → 27.

    >>> column_number("A"), column_number("az"), column_number("XFD")
    (1, 52, 16384)
    """
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


class _SheetReader:
    """Turns a worksheet's rows into rows of text."""

    def __init__(
        self,
        strings: list[str],
        dates: frozenset[int],
        durations: frozenset[int],
        epoch: dt.datetime,
        ns: str,
    ) -> None:
        self.strings = strings
        self.dates = dates
        self.durations = durations
        self.epoch = epoch
        self.ns = ns
        self.plain = _PlainStyles(dates)

    def rows(self, archive: zipfile.ZipFile, part: str) -> Iterator[tuple[int, list[str]]]:
        """Each ``<row>``'s number and cell texts, in the sheet's order."""
        raw = archive.read(part)
        body = _plain_part(raw, "worksheet")
        if body is not None:
            return _fast_rows(self, body)
        return self._tree_rows(raw)

    def _tree_rows(self, raw: bytes) -> Iterator[tuple[int, list[str]]]:
        """:meth:`rows` by ElementTree, for any part the fast path does not read."""
        ns = self.ns
        row_tag, data_tag = f"{ns}row", f"{ns}sheetData"
        numbers = _RowNumbers()
        parent: Element | None = None
        for event, element in iterparse(io.BytesIO(raw), events=("start", "end")):
            if event == "start":
                if element.tag == data_tag:
                    parent = element
                continue
            if element.tag != row_tag:
                continue
            number = numbers.next(element.get("r"))
            cells = self._cells(element)
            if number is not None:
                yield number, cells
            element.clear()
            if parent is not None:
                parent.clear()  # the parsed rows are not kept

    def _cells(self, row: Element) -> list[str]:
        """A row's cell texts, from column A to its last cell's column."""
        ns = self.ns
        placed: list[tuple[int, str]] = []
        column = 0
        for cell in row.iterfind(f"{ns}c"):
            coordinate = cell.get("r")
            column = _column(coordinate) if coordinate else column + 1
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                inline = cell.find(f"{ns}is")
                text = "" if inline is None else _runs(inline, ns)
            else:
                raw = cell.findtext(f"{ns}v")
                text = self.value(raw, kind, cell.get("s")) if raw else ""
            placed.append((column, text))
        return _placed_row(placed)

    def text(self, kind: str, style: str, content: str) -> str:
        """A cell's text from its type, style and inner XML (the fast path)."""
        if not content:
            return ""
        if kind == "inlineStr":
            plain = content.startswith("<is><t>") and content.endswith("</t></is>")
            if plain and content.count("<") == 4:
                return _unescape(content[7:-9])
            inline = _INLINE.search(content)
            return _pieces(inline.group(1) or "") if inline is not None else ""
        if content.startswith("<v>") and content.endswith("</v>") and content.count("<") == 2:
            raw = content[3:-4]
        else:
            found = _VALUE.search(content)
            raw = found.group(1) if found is not None else ""
        return self.value(_unescape(raw), kind, style) if raw else ""

    def value(self, raw: str, kind: str, style: str | None) -> str:
        """The text of a cell's ``<v>`` of type ``kind`` in style ``style``."""
        if kind == "n":
            text, value = number_text(raw)
            if style and int(style) in self.dates:
                try:
                    return serial_text(value, self.epoch, int(style) in self.durations)
                except (OverflowError, ValueError):
                    return "#VALUE!"  # a serial beyond the dates there are, as openpyxl says
            return text
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "b":
            return str(bool(int(raw)))
        if kind == "d":
            return iso_text(raw)
        return raw  # "str" (a formula's text), "e" (an error such as #N/A)


class _PlainStyles(dict[str, bool]):
    """Whether a cell style (as written) shows numbers as numbers (not as dates), each
    style worked out once."""

    def __init__(self, dates: frozenset[int]) -> None:
        super().__init__()
        self.dates = dates

    def __missing__(self, style: str) -> bool:
        plain = self[style] = int(style) not in self.dates
        return plain


class _RowNumbers:
    """Numbers rows as openpyxl does: by ``r``, else one more than the row before; a row
    numbered at or above one already read is skipped (None)."""

    def __init__(self) -> None:
        self.previous = 0
        self.last = 0

    def next(self, text: str | None) -> int | None:
        if text is None:
            number = self.previous + 1
        else:
            try:
                number = int(text)
            except ValueError:
                value = float(text)
                if not value.is_integer():
                    raise ValueError(f"{text} is not a valid row number") from None
                number = int(value)
        self.previous = number
        if number <= self.last:
            return None
        self.last = number
        return number


def _column(coordinate: str) -> int:
    """The column number of a cell reference (``B12`` → 2)."""
    match = _COORDINATE.match(coordinate)
    if match is None:
        raise ValueError(f"invalid cell coordinates ({coordinate})")
    return column_number(match.group(1))


# ---------------------------------------------------------------------------------------------
# The fast path: a part as plain text, its elements found by regular expressions.
#
# ElementTree makes an object per element and a Python event per tag: most of the time of a
# large sheet. A part that expat has found well-formed, that declares no DTD (so has no
# entities but the five predefined ones and character references), with no comment, CDATA
# section or processing instruction and no namespace prefix or declaration inside its root
# element's content, can only spell its cells as the expressions below read them; any other
# part is read by ElementTree.

_ROOT_OPEN = re.compile(r"<(\w+)\b[^>]*>")
_CELL = re.compile(
    r"(<row\b[^>]*>)"
    r'|<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?(?: t="(\w+)")?\s*'
    r"(?:/>|><v>([^<]*)</v></c>|><is><t>([^<]*)</t></is></c>|>(.*?)</c>)"
    r"|<c\b([^>]*?)(?:/>|>(.*?)</c>)",
    re.DOTALL,
)
"""A row's start tag, or a cell: as Excel and openpyxl write one (its column letters, style,
type, then a lone ``<v>``'s text, a lone inline ``<t>``'s, or its inner XML), else any other
(its attributes, inner XML)."""
_ATTRIBUTE = re.compile(r"""(?:^|\s)(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ROW_NUMBER = re.compile(r"""\sr\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_VALUE = re.compile(r"<v(?:\s[^>]*?)?(?:/>|>(.*?)</v>)", re.DOTALL)
_INLINE = re.compile(r"<is(?:\s[^>]*?)?(?:/>|>(.*?)</is>)", re.DOTALL)
_SI = re.compile(r"<si(?:\s[^>]*?)?(?:/>()|>(.*?)</si>)", re.DOTALL)
_PIECE = re.compile(
    r"<r(?:\s[^>]*?)?(?:/>|>(.*?)</r>)|<rPh\b[^>]*?(?:/>|>.*?</rPh>)"
    r"|<t(?:\s[^>]*?)?(/>|>(.*?)</t>)",
    re.DOTALL,
)
_RUN_TEXT = re.compile(r"<t(?:\s[^>]*?)?(?:/>|>(.*?)</t>)", re.DOTALL)
_PREFIXED = re.compile(r"</?[A-Za-z_][\w.-]*:")
_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _plain_part(raw: bytes, root: str) -> str | None:
    """A part's text if the fast path may read it (see above), else None."""
    try:
        expat.ParserCreate().Parse(raw, True)
        text = raw.decode("utf-8")
    except (expat.ExpatError, UnicodeDecodeError, ValueError):
        return None  # ElementTree reads it (and says what is wrong, where)
    match = _ROOT_OPEN.search(text, text.find("<" + root))
    if match is None or match.group(1) != root or "<!DOCTYPE" in text[: match.start()]:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as XML reads line ends
    body = text[match.end() :]
    for mark in ("<!--", "<![CDATA[", "<?", "xmlns"):
        if mark in body:
            return None
    if _PREFIXED.search(body):
        return None
    return body


def _unescape(text: str) -> str:
    """Character and predefined entity references replaced (a well-formed part has no other)."""
    if "&" not in text:
        return text
    return _ENTITY.sub(_character, text)


def _character(match: re.Match[str]) -> str:
    hexadecimal, decimal, named = match.groups()
    if named:
        return _NAMED[named]
    return chr(int(hexadecimal, 16) if hexadecimal else int(decimal))


def _item_text(match: tuple[str, str]) -> str:
    """A ``<si>``'s text (see :func:`_runs`): its first own ``<t>`` and each run's."""
    return _pieces(match[1])


def _pieces(content: str) -> str:
    if "<" not in content:
        return ""
    if content.startswith("<t>") and content.endswith("</t>") and content.count("<") == 2:
        return _unescape(content[3:-4])  # the usual item: one plain <t>
    own: str | None = None
    runs: list[str] = []
    for match in _PIECE.finditer(content):
        run, t_tag, t_text = match.groups()
        if match.group(0).startswith("<r") and not match.group(0).startswith("<rPh"):
            found = _RUN_TEXT.search(run or "")
            runs.append(_unescape(found.group(1) or "") if found else "")
        elif t_tag and own is None:
            own = _unescape(t_text or "")
    return (own or "") + "".join(runs)


def _fast_rows(reader: _SheetReader, body: str) -> Iterator[tuple[int, list[str]]]:
    """Each ``<row>``'s number and cell texts, read from the sheet's text."""
    start, end = body.find("<sheetData"), body.find("</sheetData>")
    if start < 0 or end < 0:
        return  # an empty sheet (<sheetData/>) or none
    numbers, columns = _RowNumbers(), _Columns()
    number: int | None = None
    row: list[str] = []
    placed: list[tuple[int, str]] | None = None  # (column, text) once a cell is out of place
    column = 0
    text, value, plain, strings = reader.text, reader.value, reader.plain, reader.strings
    for tag, letters, style, kind, v, inline, inner, attributes, other in _CELL.findall(
        body, start, end
    ):
        if letters:  # the usual cell: its <v> or inline <t> found by the expression
            column = columns[letters]
            if v:
                if kind == "s":
                    cell = strings[int(v)]
                elif kind and kind != "n":
                    cell = "" if kind == "inlineStr" else value(_unescape(v), kind, style)
                elif v.isascii() and v.isdigit() and v[0] != "0" and (not style or plain[style]):
                    cell = v  # a whole number, written as int() would write it
                else:
                    cell = value(_unescape(v), "n", style)
            elif inline:
                cell = _unescape(inline) if kind == "inlineStr" else ""
            else:
                cell = text(kind or "n", style, inner)
        elif tag:
            if number is not None:
                yield number, row if placed is None else _placed_row(placed)
            number = numbers.next(_row_attribute(tag))
            row, placed, column = [], None, 0
            continue
        else:  # a cell not written as Excel and openpyxl write one
            coordinate, style, kind = _attributes(attributes)
            column = _column(coordinate) if coordinate else column + 1
            cell = text(kind, style, other)
        if placed is None and column == len(row) + 1:
            row.append(cell)
            continue
        if placed is None:
            placed = list(enumerate(row, 1))
        placed.append((column, cell))
    if number is not None:
        yield number, row if placed is None else _placed_row(placed)


def _row_attribute(tag: str) -> str | None:
    """The ``r`` of a row's start tag (None without one)."""
    if tag.startswith('<row r="'):
        return tag[8 : tag.index('"', 8)]
    found = _ROW_NUMBER.search(tag)
    return None if found is None else found.group(1) or found.group(2)


class _Columns(dict[str, int]):
    """Column numbers by letters, each worked out once."""

    def __missing__(self, letters: str) -> int:
        number = self[letters] = column_number(letters)
        return number


def _attributes(text: str) -> tuple[str, str, str]:
    """A cell's reference, style and type from its attributes."""
    values = {
        m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _ATTRIBUTE.finditer(text)
    }
    return values.get("r", ""), values.get("s", ""), values.get("t", "n")


def _placed_row(placed: list[tuple[int, str]]) -> list[str]:
    if not placed:
        return []
    width = placed[-1][0]
    if len(placed) == width and all(c == i for i, (c, _) in enumerate(placed, 1)):
        return [text for _, text in placed]
    cells = [""] * width
    for place, text in placed:
        if place <= width:
            cells[place - 1] = text
    return cells
