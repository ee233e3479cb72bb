"""The one reader of tabular inputs: a CSV or an .xlsx sheet, as rows of named text values.

People fill in actuals (and soon rosters) in whatever they have at hand, so a table is read as
Excel and editors save it:

- CSV in UTF-8, UTF-8 with a BOM, UTF-16 with a BOM or GB18030 (Chinese Excel's "CSV"), with
  any line ending (``\\n``, ``\\r\\n`` or the ``\\r`` of "CSV (Macintosh)"), separated by commas
  (or by tabs when the header has tabs and no commas, as Excel's "Unicode text" is);
- an .xlsx workbook's first sheet, read from its XML by :mod:`okrplan.xlsx_rows` as openpyxl's
  read-only mode reads it (ten times faster): the values a formula last computed (as Excel
  saved them), never the formula;
- the first non-empty row is the header; column names are matched without case or surrounding
  spaces; values come back as text with surrounding spaces dropped, and empty rows are skipped;
- an extra field beyond the header (``k:A公司#1.1,plan,7200万,``) is ignored when it is empty and
  an error naming its row and column when it is not.

Everything is bounded before it is built (:data:`MAX_TABLE_BYTES`, :data:`MAX_WORKBOOK_BYTES`,
and :mod:`okrplan.tabletext`'s ``MAX_FIELD_CHARS``, ``MAX_TABLE_CELLS``), only regular files are
read (standard input only as ``-``, where a command says it reads it), and whatever a damaged
file makes the csv module or openpyxl raise becomes an :class:`~okrplan.errors.InputError`
naming the file and line.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
import sys
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import repeat
from pathlib import Path
from typing import Any

from okrplan.errors import InputError, Issue, MissingDependencyError, Severity
from okrplan.tabletext import (
    MAX_FIELD_CHARS,
    MAX_TABLE_CELLS,
    csv_delimiter,
    csv_fields,
    csv_issue,
    decode_table,
    header_issues,
    not_text,
    plain_lines,
    scan_table,
    table_codec,
    too_many_cells,
)

MAX_TABLE_BYTES = 4 * 2**20
"""Most bytes a CSV may have: about 90,000 rows of actuals."""
MAX_WORKBOOK_BYTES = 64 * 2**20
"""Most a workbook may unpack to (okrplan's largest, 2,000 sheets, is about 18 MiB): a zip
bomb is refused before it is parsed."""

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a table: where it is and its values by column name (lower case)."""

    file: str  # as messages name it: ``actuals.csv`` or ``actuals.xlsx[Sheet1]``
    line: int  # the CSV line the row starts on, or the sheet's row number
    values: dict[str, str]

    def get(self, column: str) -> str:
        """The row's value in ``column`` ("" where it has none)."""
        return self.values.get(column, "")

    def issue(
        self,
        message: str,
        column: str = "",
        hint: str = "",
        severity: Severity = Severity.ERROR,
    ) -> Issue:
        """A problem with this row (in ``column``), located at its file and line."""
        return Issue(message, self.file, self.line, path=column, hint=hint, severity=severity)


@dataclass(frozen=True, slots=True)
class Table:
    """A table read by :func:`read_table`."""

    file: str
    columns: tuple[str, ...]  # the header's names, lower case, "" for a column without one
    rows: tuple[Row, ...]
    warnings: tuple[Issue, ...] = ()
    header_line: int = 1


@dataclass(frozen=True, slots=True)
class Columns:
    """A table read by :func:`read_columns`: each column's values in one tuple, for a reader
    that checks a large table column by column (a roster of 100,000 people) rather than row
    by row."""

    file: str
    columns: tuple[str, ...]  # as :class:`Table` has them
    lines: tuple[int, ...]  # the line (sheet row) each row starts on
    cells: tuple[tuple[str, ...], ...]  # cells[c][r]: column c of row r, "" where r is short
    warnings: tuple[Issue, ...] = ()
    header_line: int = 1

    def column(self, name: str) -> tuple[str, ...]:
        """The values of the column headed ``name``, one per row."""
        return self.cells[self.columns.index(name)]


def read_table(
    path: str | os.PathLike[str],
    *,
    allow_stdin: bool = False,
    max_bytes: int | None = None,
    hint: str = "keep the rows you need: okrplan reads about 90,000 rows of actuals",
) -> Table:
    """Read a CSV or .xlsx table (see the module docstring).

    Parameters
    ----------
    path : str or path-like
        The file; ``-`` is standard input (CSV) when ``allow_stdin``.
    allow_stdin : bool
        Whether the command reads standard input for ``-``.
    max_bytes : int
        The most bytes a CSV may have (default :data:`MAX_TABLE_BYTES`; a roster may be
        larger than actuals).
    hint : str
        What to do about a CSV over ``max_bytes``.

    Raises
    ------
    InputError
        If the file cannot be read or decoded, is over a limit, or a row has a value beyond
        the header or over :data:`MAX_FIELD_CHARS` (every such row is reported).
    """
    scanned = scan_table(*_numbered(os.fspath(path), allow_stdin, max_bytes, hint))
    columns, plain = scanned.columns, "" not in scanned.columns
    rows = [
        Row(scanned.file, line, dict(zip(columns, fields, strict=False)))
        if plain and len(fields) <= len(columns)  # the usual row
        else Row(scanned.file, line, {c: v for c, v in zip(columns, fields, strict=False) if c})
        for line, fields in zip(scanned.lines, scanned.rows, strict=True)
    ]
    return Table(scanned.file, columns, tuple(rows), scanned.warnings, scanned.header_line)


def read_columns(
    path: str | os.PathLike[str],
    *,
    max_bytes: int | None = None,
    hint: str = "split the table",
) -> Columns:
    """Read a CSV or .xlsx table as :func:`read_table` does (the same checks and errors), as
    columns: no dict per row, so a table of 100,000 rows is read in a few tenths of a second.

    Raises
    ------
    InputError
        As :func:`read_table` does.
    """
    file, lines, notes = _numbered(os.fspath(path), False, max_bytes, hint)
    text = lines if isinstance(lines, _CsvText) else None
    plain = plain_lines(text.text) if text is not None else None
    if text is not None and plain is not None:
        fast = _plain_columns(file, plain, csv_delimiter(text.text), notes)
        if fast is not None:
            return fast
    records = list(lines)
    fast = _scan_columns(file, records, notes)
    if fast is not None:
        return fast
    scanned = scan_table(file, records, notes)
    width = len(scanned.columns)
    rows = [f if len(f) == width else [*f, *[""] * width][:width] for f in scanned.rows]
    cells = tuple(zip(*rows, strict=True)) if rows else tuple(() for _ in range(width))
    return Columns(
        scanned.file,
        scanned.columns,
        scanned.lines,
        cells,
        scanned.warnings,
        scanned.header_line,
    )


def _scan_columns(
    file: str, records: list[tuple[int, list[str]]], notes: list[Issue]
) -> Columns | None:
    """:func:`read_columns` of the usual table, column by column: a header that names every
    column and rows no wider than it, no value over ``MAX_FIELD_CHARS`` (what
    :func:`~okrplan.tabletext.scan_table` finds no problem in); None for any other table,
    which ``scan_table`` then reads row by row (and reports)."""
    start = next((i for i, (_, f) in enumerate(records) if any(map(str.strip, f))), None)
    if start is None:
        return None
    header_line, header = records[start]
    columns = [f.strip().casefold() for f in header]
    while columns and not columns[-1]:
        columns.pop()
    width = len(columns)
    body = records[start + 1 :]
    rows = [f for _, f in body]
    lengths = set(map(len, rows))
    if "" in columns or max(lengths, default=0) > width:
        return None
    if lengths != {width}:
        rows = [f if len(f) == width else [*f, *[""] * (width - len(f))] for f in rows]
    cells = [tuple(map(str.strip, column)) for column in zip(*rows, strict=True)] if rows else []
    if any(len(c) > MAX_FIELD_CHARS for c in columns) or any(
        max(map(len, column), default=0) > MAX_FIELD_CHARS for column in cells
    ):
        return None
    lines = [line for line, _ in body]
    return _finish(file, header_line, columns, lines, cells, notes)


def _plain_columns(
    file: str, plain: list[str], delimiter: str, notes: list[Issue]
) -> Columns | None:
    """:func:`_scan_columns` of a CSV whose lines are its records (``plain``, from
    :func:`~okrplan.tabletext.plain_lines`), split without the csv module: a header on the
    first line that names every column and rows exactly as wide; None for any other text."""
    columns = [f.strip().casefold() for f in plain[0].split(delimiter)] if plain else [""]
    width = len(columns)
    if "" in columns:  # a blank first line, or an unnamed column
        return None
    rows = plain[1:]
    if rows and set(map(str.count, rows, repeat(delimiter, len(rows)))) != {width - 1}:
        return None
    flat = delimiter.join(rows).split(delimiter) if rows else []
    cells = [tuple(map(str.strip, flat[c::width])) for c in range(width)] if rows else []
    return _finish(file, 1, columns, list(range(2, len(plain) + 1)), cells, notes)


def _finish(
    file: str,
    header_line: int,
    columns: list[str],
    lines: list[int],
    cells: list[tuple[str, ...]],
    notes: list[Issue],
) -> Columns:
    """The table of ``cells`` (rows no wider than the header) without its rows of blanks, or
    the errors of its header."""
    width = len(columns)
    # a blank row is blank in the first column: most tables have none there (found in C)
    blank = [i for i, text in enumerate(cells[0]) if not text] if cells and "" in cells[0] else []
    for column in cells[1:]:
        blank = [i for i in blank if not column[i]]
    if blank:  # rows of blanks are empty rows
        keep = sorted(set(range(len(lines))) - set(blank))
        lines = [lines[i] for i in keep]
        cells = [tuple(column[i] for i in keep) for column in cells]
    issues = [*notes, *header_issues(file, header_line, columns)]
    if any(i.severity is Severity.ERROR for i in issues):
        raise InputError(issues)
    if not cells:
        cells = [() for _ in range(width)]
    return Columns(file, tuple(columns), tuple(lines), tuple(cells), tuple(issues), header_line)


def _numbered(
    name: str, allow_stdin: bool, max_bytes: int | None, hint: str
) -> tuple[str, Iterable[tuple[int, list[str]]], list[Issue]]:
    """The name messages give a table, its numbered lines of fields, and notes on reading it."""
    if Path(name).suffix.lower() in WORKBOOK_SUFFIXES and name != STDIN:
        sheet, lines = _sheet_rows(name)
        return f"{name}[{sheet}]", lines, []
    limit = MAX_TABLE_BYTES if max_bytes is None else max_bytes
    raw = read_input(name, limit, allow_stdin=allow_stdin, hint=hint)
    text, notes = decode_table(raw, name)
    return name, _CsvText(text, csv_fields(name, text)), notes


class _CsvText:
    """A CSV's numbered records (read by the csv module as they are iterated), and its text."""

    def __init__(self, text: str, records: Iterator[tuple[int, list[str]]]) -> None:
        self.text = text
        self.records = records

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self.records


def read_input(
    path: str,
    limit: int,
    *,
    allow_stdin: bool = False,
    hint: str = "",
    missing: str = "check the path",
) -> bytes:
    """A regular file's bytes (or standard input's, for ``-`` with ``allow_stdin``), refused
    unread when larger than ``limit`` (with ``hint``); ``missing`` is the hint for a path with
    no file. Every input okrplan reads goes through here: tables, target files, plan.json.

    A device, FIFO or socket (``/dev/zero``, ``/dev/stdin``, a named pipe) is refused at once,
    without opening it: it could block or never end.
    """
    if path == STDIN and allow_stdin:
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise InputError([Issue(_too_large(None, limit), "<stdin>", hint=hint)])
        return data
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([Issue("this is a directory, not a file", path)])
        if not stat.S_ISREG(info.st_mode):
            raise InputError([_not_regular(path, allow_stdin)])
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):  # swapped since the stat
                raise InputError([_not_regular(path, allow_stdin)])
            size = os.fstat(file.fileno()).st_size
            if size > limit:
                raise InputError([Issue(_too_large(size, limit), path, hint=hint)])
            data = file.read(limit + 1)
    except FileNotFoundError:
        raise InputError([Issue("no such file", path, hint=missing)]) from None
    except OSError as exc:
        detail = exc.strerror or type(exc).__name__
        raise InputError([Issue(f"cannot read the file: {detail}", path)]) from None
    if len(data) > limit:  # it grew while being read
        raise InputError([Issue(_too_large(None, limit), path, hint=hint)])
    return data


def _too_large(size: int | None, limit: int) -> str:
    shown = f"{size / 2**20:.1f} MiB" if size is not None else f"over {limit // 2**20} MiB"
    return f"the file is {shown}; okrplan reads at most {limit // 2**20} MiB"


def _not_regular(path: str, allow_stdin: bool) -> Issue:
    hint = "save the data to a file and pass that"
    if allow_stdin:
        hint += f", or pass {STDIN} to read standard input"
    return Issue("this is not a regular file (a device, pipe or socket)", path, hint=hint)


# ---------------------------------------------------------------------------------------------
# Workbooks.


def open_workbook(path: str, *, read_only: bool, data_only: bool) -> Any:
    """An openpyxl workbook from a regular file, size-checked by what it really unpacks to
    (:data:`MAX_WORKBOOK_BYTES`) before openpyxl parses it.

    Raises
    ------
    InputError
        If the file is not a workbook openpyxl can open.
    """
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise MissingDependencyError("reading .xlsx needs openpyxl: pip install openpyxl") from None
    # From memory: openpyxl leaves a file it failed to read open.
    data = _workbook_data(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            return load_workbook(data, read_only=read_only, data_only=data_only)
    except Exception as exc:  # openpyxl raises anything on a damaged file: not okrplan's bug
        raise InputError([_unreadable(path, exc)]) from None


_WORKBOOK_HINT = "pass an .xlsx written by okrplan or saved by Excel"


def _unreadable(path: str, exc: Exception) -> Issue:
    detail = str(exc) or type(exc).__name__
    return Issue(f"cannot read the workbook: {detail}", path, hint=_WORKBOOK_HINT)


def _workbook_data(path: str) -> io.BytesIO:
    """A workbook file's bytes, refused when it unpacks to more than
    :data:`MAX_WORKBOOK_BYTES` or is not a zip archive."""
    try:
        data = io.BytesIO(read_input(path, MAX_WORKBOOK_BYTES, hint=_WORKBOOK_HINT))
    except InputError as exc:
        raise InputError(
            [replace(i, message=f"cannot read the workbook: {i.message}") for i in exc.issues]
        ) from None
    try:
        size = _unpacked_size(data)
    except Exception as exc:  # not a zip archive, or a damaged one
        raise InputError([_unreadable(path, exc)]) from None
    if size > MAX_WORKBOOK_BYTES:
        message = f"the workbook unpacks to more than {MAX_WORKBOOK_BYTES // 2**20} MiB"
        raise InputError([Issue(message, path, hint=_WORKBOOK_HINT)])
    return data


def _unpacked_size(data: io.BytesIO) -> int:
    """How many bytes a workbook's archive unpacks to, counted (not as it claims) up to
    just past :data:`MAX_WORKBOOK_BYTES`."""
    total = 0
    with zipfile.ZipFile(data) as archive:
        for info in archive.infolist():
            with archive.open(info) as entry:
                while chunk := entry.read(2**20):
                    total += len(chunk)
                    if total > MAX_WORKBOOK_BYTES:
                        return total
    data.seek(0)
    return total


def sheet_names(path: str) -> list[str]:
    """The sheet names of a workbook (hidden ones too)."""
    workbook = open_workbook(path, read_only=True, data_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _sheet_rows(path: str) -> tuple[str, list[tuple[int, list[str]]]]:
    """The first sheet's name and its rows as text, numbered as Excel numbers them (rows of
    nothing but empty cells left out)."""
    from okrplan import xlsx_rows

    data = _workbook_data(path)
    try:
        sheet, rows = xlsx_rows.first_sheet(data)
    except Exception as exc:  # no workbook, no worksheet, a damaged part
        raise InputError([_unreadable(path, exc)]) from None
    lines: list[tuple[int, list[str]]] = []
    row_number, cells = 0, 0  # the last row read; cells so far, an empty row counting one
    try:
        for number, values in rows:
            cells += (len(values) or 1) + (number - row_number - 1)
            if cells > MAX_TABLE_CELLS:
                raise InputError([too_many_cells(f"{path}[{sheet}]")])
            row_number = number
            if any(values):
                lines.append((number, values))
    except InputError:
        raise
    except Exception as exc:  # a damaged sheet fails while it is read, at the row after
        detail = str(exc) or type(exc).__name__
        issue = Issue(f"cannot read the workbook: {detail}", f"{path}[{sheet}]", row_number + 1)
        raise InputError([issue]) from None
    return sheet, lines


# ---------------------------------------------------------------------------------------------
# Streaming a large export (a CRM's calls, visits and deals), row by row.

MAX_EXPORT_BYTES = 8 * 2**30
"""Most bytes a raw export streamed by :func:`stream_table` may have (about 200 million rows)."""


@dataclass(frozen=True, slots=True)
class Stream:
    """A table read row by row: its header and an iterator of (line, fields)."""

    file: str
    columns: tuple[str, ...]  # lower case, as :class:`Table` has them
    rows: Iterator[tuple[int, list[str]]]
    warnings: tuple[Issue, ...] = ()
    header_line: int = 1
    encoding: str = ""  # a CSV's, as read (a workbook's sheet: "")
    delimiter: str = ","


def stream_table(path: str | os.PathLike[str], *, limit: int = MAX_EXPORT_BYTES) -> Stream:
    """Read a large CSV (or an .xlsx sheet) row by row, as :func:`read_table` reads it, without
    holding it in memory: the encoding is judged from the first megabyte (UTF-8, UTF-16 with a
    BOM, else GB18030), fields are not stripped (the caller strips what it uses).

    Raises
    ------
    InputError
        If the file cannot be read, is larger than ``limit``, is empty, or is not text.
    """
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except OSError as exc:
        raise InputError([Issue(f"cannot read the file: {exc.strerror}", name)]) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError([_not_regular(name, False)])
    if info.st_size > limit:
        raise InputError([Issue(_too_large(info.st_size, limit), name)])
    if Path(name).suffix.lower() in WORKBOOK_SUFFIXES:
        sheet, lines = _sheet_rows(name)
        return _stream(f"{name}[{sheet}]", iter(lines), [])
    with open(name, "rb") as handle:
        head = handle.read(2**20)
    notes, encoding = table_codec(_whole_chars(head), name)
    first = head.decode(encoding, errors="replace").lstrip("\ufeff\r\n").partition("\n")[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    stream = _stream(name, _file_lines(name, encoding, delimiter), notes)
    return replace(stream, encoding=encoding, delimiter=delimiter)


def _whole_chars(head: bytes) -> bytes:
    """The first megabyte cut so that no character is cut in two: UTF-16 (a BOM) at a whole
    code unit, not after the first half of a surrogate pair; else at its last line break."""
    if len(head) < 2**20:
        return head
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        cut = len(head) - len(head) % 2
        last = head[cut - 2 : cut]
        high = last[1] if head.startswith(codecs.BOM_UTF16_LE) else last[0]
        return head[: cut - 2] if 0xD8 <= high <= 0xDB else head[:cut]
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut > 0 else head


def _file_lines(name: str, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    try:
        with open(name, encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            start = 1
            for fields in reader:
                yield start, fields
                start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError([csv_issue(name, start, str(exc))]) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            [not_text(name, f"not {encoding} after line {start}: {exc.reason}")]
        ) from None


def _stream(name: str, lines: Iterator[tuple[int, list[str]]], notes: list[Issue]) -> Stream:
    for line, fields in lines:
        if any(f.strip() for f in fields):
            columns = [f.strip().casefold() for f in fields]
            while columns and not columns[-1]:
                columns.pop()
            issues = header_issues(name, line, columns)
            if any(i.severity is Severity.ERROR for i in issues):
                raise InputError(issues)
            return Stream(name, tuple(columns), lines, (*notes, *issues), line)
    raise InputError([*notes, Issue("the table is empty", name, hint="write a header row")])
