"""A table's text, checked: how it is decoded (UTF-8, UTF-16 with a BOM, GB18030), its CSV
fields line by line, and the problems of its header and rows, each with its file and line.

:mod:`okrplan.tabular` (the one reader of tables) reads files and workbooks through these.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from okrplan import textdecode
from okrplan.errors import InputError, Issue, Severity
from okrplan.textdecode import Kind, decode_text, decoded

MAX_FIELD_CHARS = 10_000
"""Most characters in one value; a KR id or name is far shorter."""
MAX_TABLE_CELLS = 2_000_000
"""Most cells in a table, counting empty ones up to each row's last: a row of a million commas
or a sheet whose cells reach column XFD is refused before it fills memory."""
_TEXT_HINT = "save the table as CSV (UTF-8) or .xlsx"
_TABLE = Kind("CSV text file", _TEXT_HINT, "CSV UTF-8", "GB18030", _TEXT_HINT)


def decode_table(raw: bytes, file: str) -> tuple[str, list[Issue]]:
    """A table's text (:func:`okrplan.textdecode.decode_text`).

    >>> decode_table("销售额".encode("gb18030"), "a.csv")[0]
    '销售额'
    """
    return decode_text(raw, file, _TABLE)


def table_codec(raw: bytes, file: str) -> tuple[list[Issue], str]:
    """The warnings of reading a table's first bytes, and the codec to read it with."""
    _, notes, codec = decoded(raw, file, _TABLE)
    return notes, codec


def not_text(file: str, why: str) -> Issue:
    """The problem of a file that is not a CSV text file, and why."""
    return textdecode.not_text(file, why, _TABLE)


def csv_fields(name: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV's text, each with the line it starts on."""
    # An upper bound on the cells, known before csv builds a row of a million empty fields.
    if text.count(",") + text.count("\t") + text.count("\n") + text.count("\r") > MAX_TABLE_CELLS:
        raise InputError([too_many_cells(name)])
    return _csv_lines(name, text, csv_delimiter(text))


def csv_delimiter(text: str) -> str:
    """A CSV's separator: a tab when its first line has tabs and no commas, else a comma."""
    first = text.lstrip("\r\n").partition("\n")[0]
    return "\t" if "\t" in first and "," not in first else ","


def plain_lines(text: str) -> list[str] | None:
    r"""A CSV's lines, when each line is a record whose fields are its text between separators
    (no quote, no NUL, no line over ``MAX_FIELD_CHARS``): as the csv module reads them, with
    ``\r\n``, ``\r`` and ``\n`` ending a line; None for any other text (csv reads it).

    >>> plain_lines("a,b\r\nc,d\re\n\n"), plain_lines('a,"b"')
    (['a,b', 'c,d', 'e', ''], None)
    """
    if '"' in text or "\x00" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()  # the end of the last line, or of an empty text
    if max(map(len, lines), default=0) > MAX_FIELD_CHARS:
        return None
    return lines


def _csv_lines(name: str, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on (a quoted line break spans lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError([csv_issue(name, reader.line_num or 1, str(exc))]) from None


def csv_issue(name: str, line: int, detail: str) -> Issue:
    """What the csv module found wrong at ``line`` (``detail``), as okrplan says it."""
    if "field larger than field limit" in detail:
        return Issue(_long_value(), name, line, hint=_LONG_HINT)
    return Issue(
        f"this line is not valid CSV ({detail})",
        name,
        line,
        hint='a value with a comma, quote or line break is written in quotes: "a, b" '
        '(a quote inside it doubled: "say ""hi""")',
    )


def _long_value() -> str:
    return f"a value is longer than {MAX_FIELD_CHARS:,} characters, the most okrplan reads"


_LONG_HINT = "is a closing quote missing? otherwise shorten the value"


def too_many_cells(name: str) -> Issue:
    """The problem of a table with more than :data:`MAX_TABLE_CELLS` cells."""
    return Issue(
        f"the table has more than {MAX_TABLE_CELLS:,} cells, the most okrplan reads",
        name,
        hint="delete empty columns and rows beyond the table, or split it",
    )


@dataclass(frozen=True, slots=True)
class Scanned:
    """A table scanned (:func:`scan_table`): its header, each row's line and fields, and the
    warnings to show."""

    file: str
    columns: tuple[str, ...]
    lines: tuple[int, ...]
    rows: list[list[str]]  # each row's fields, stripped, as long as the record was
    warnings: tuple[Issue, ...]
    header_line: int


def scan_table(file: str, lines: Iterable[tuple[int, list[str]]], notes: list[Issue]) -> Scanned:
    """The header and the non-empty rows of numbered lines of fields, every problem reported
    at once; the first non-empty line is the header."""
    issues = list(notes)
    header_line, columns = 0, []
    numbers, rows = [], []
    plain = False  # every header column has a name: a row within it has no problem to look for
    for line, fields in lines:
        stripped = list(map(str.strip, fields))
        longest = max(map(len, stripped), default=0)
        if not longest:
            continue  # a row of blanks is an empty row
        if not header_line:
            header_line, columns = line, [f.casefold() for f in stripped]
            while columns and not columns[-1]:
                columns.pop()
            issues += header_issues(file, header_line, columns)
            plain = "" not in columns
            continue
        if not (plain and len(stripped) <= len(columns)) or longest > MAX_FIELD_CHARS:
            issues += _row_issues(file, line, columns, stripped, header_line)
        numbers.append(line)
        rows.append(stripped)
    if not header_line:
        raise InputError([*issues, Issue("the table is empty", file, hint="write a header row")])
    if any(i.severity is Severity.ERROR for i in issues):
        raise InputError(issues)
    return Scanned(file, tuple(columns), tuple(numbers), rows, tuple(issues), header_line)


def _row_issues(
    file: str, line: int, columns: list[str], fields: list[str], header_line: int
) -> list[Issue]:
    """A row's over-long values and values in columns the header does not name."""
    issues = []
    for index, value in enumerate(fields):
        column = columns[index] if index < len(columns) else ""
        if len(value) > MAX_FIELD_CHARS:
            issues.append(Issue(_long_value(), file, line, path=column, hint=_LONG_HINT))
        elif value and not column:
            issues.append(_unnamed(file, line, index, value, header_line))
    return issues


def header_issues(file: str, line: int, columns: list[str]) -> list[Issue]:
    """The problems of a header row's ``columns`` (lower case): too long, or named twice."""
    issues = []
    for index, column in enumerate(columns):
        if len(column) > MAX_FIELD_CHARS:
            issues.append(Issue(_long_value(), file, line, hint=_LONG_HINT))
        elif column and column in columns[:index]:
            issues.append(
                Issue(
                    f"the column {column!r} is in the header twice "
                    f"(columns {columns.index(column) + 1} and {index + 1})",
                    file,
                    line,
                    hint="keep one of them",
                )
            )
    return issues


def _unnamed(file: str, line: int, index: int, value: str, header_line: int) -> Issue:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return Issue(
        f"{shown!r} is in a column the header does not name",
        file,
        line,
        path=f"column {index + 1}",
        hint=f"name the column on line {header_line}, or delete the value",
    )
