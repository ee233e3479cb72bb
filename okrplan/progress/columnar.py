"""A large CSV export read as columns at C speed, for the CRM count (:mod:`.crm`).

Python's ``csv`` module makes a list of strings per row and the count then looks each cell up
in a dict: for 10 million rows that was most of an import. Here pandas' C reader parses the
file (quotes, doubled quotes and line breaks inside quotes as ``csv`` reads them) a million
rows at a time, and each column is factorised there, so a dict lookup is made once per
distinct text, not per row.

pandas fills a row that is too short with empty cells, where the row-by-row reading names the
row; so before anything is counted the file's bytes are scanned (NumPy, a block at a time) for
a row with fewer fields than the export's columns need, outside quotes. Such a file, one
pandas cannot read, or one not in an ASCII-compatible encoding is read row by row instead
(``None`` from :func:`csv_chunks`): that reading names every bad row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

ROWS = 2_500_000
"""Rows parsed at a time."""
_BLOCK = 2**25
"""Bytes scanned at a time for short rows."""
BLANK = -1
"""The key of the last chunk's column of empty rows, one cell each (counted as read)."""
_ASCII_SAFE = {"utf-8-sig", "utf-8", "gb18030"}  # a byte , " or \n is that character


def csv_chunks(
    path: str, encoding: str, delimiter: str, header: Sequence[str], columns: Sequence[int]
) -> Iterator[dict[int, Any]] | None:
    """The ``columns`` (indexes) of the data rows of ``path`` (after its header, the first
    row that is not blank), each chunk column index → NumPy object array of the cells as
    written (a last chunk with no rows may say how many empty rows there were, see
    :data:`BLANK`);
    None when the file must be read row by row (see the module's note)."""
    if encoding not in _ASCII_SAFE or len(delimiter) != 1:
        return None
    blank = _wide_enough(path, delimiter.encode(), 1 + max(columns))
    if blank is None:
        return None
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas comes with ortools
        return None
    return _frames(pd, path, encoding, delimiter, header, sorted(set(columns)), blank)


def _frames(
    pd: Any,
    path: str,
    encoding: str,
    delimiter: str,
    header: Sequence[str],
    columns: list[int],
    blank: int,
) -> Iterator[dict[int, Any]]:
    reader = pd.read_csv(
        path, sep=delimiter, encoding=encoding, header=0, usecols=columns, dtype="category",
        low_memory=False, na_filter=False, keep_default_na=False, engine="c", chunksize=ROWS,
        quotechar='"', doublequote=True, skip_blank_lines=True, index_col=False,
        encoding_errors="strict",
    )  # fmt: skip
    with reader:
        for frame in reader:
            names = [str(name).strip().casefold() for name in frame.columns]
            if names != [header[c] if c < len(header) else "" for c in columns]:
                raise ValueError("pandas read another header row")
            # usecols keeps the file's order (``columns`` is sorted)
            yield {c: _coded(frame.iloc[:, i]) for i, c in enumerate(columns)}
    if blank:
        none = (np.zeros(0, np.int64), np.zeros(0, object))
        yield {c: none for c in columns} | {BLANK: (np.zeros(blank, np.int64), none[1])}


def _coded(column: Any) -> tuple[Any, Any]:
    """A categorical column as (each cell's code, the texts coded): the C reader hashes the
    cells' bytes, so no Python string is made per cell, only per distinct text."""
    return column.cat.codes.to_numpy(np.int64), column.cat.categories.to_numpy(object)


def _wide_enough(path: str, delimiter: bytes, width: int) -> int | None:
    """The number of empty data rows (pandas skips them; the row-by-row reading counts them
    as read), or None if a data row that is not empty has fewer than ``width`` fields
    (delimiters and line ends inside quotes do not count)."""
    quote, comma = ord('"'), delimiter[0]
    inside = 0  # quotes seen so far, mod 2
    fields, length = 1, 0  # of the row being read: its fields and bytes so far
    header = True  # the header (the first row not empty) is not checked
    blank = 0
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            data = np.frombuffer(block, np.uint8)
            outside = np.ones(len(data), bool)
            if inside or quote in block:
                parity = (np.cumsum(data == quote, dtype=np.int64) + inside) & 1
                outside = parity == 0
                inside = int(parity[-1])
            ends = np.flatnonzero((data == ord("\n")) & outside)
            commas = np.flatnonzero((data == comma) & outside)
            if not len(ends):
                fields, length = fields + len(commas), length + len(data)
                continue
            before = np.searchsorted(commas, ends)  # delimiters before each row end
            counts = np.diff(before, prepend=0) + 1
            counts[0] += fields - 1
            lengths = np.diff(ends, prepend=-1) - 1
            lengths[0] += length
            cr = data[np.maximum(ends - 1, 0)] == ord("\r")
            empty = (lengths == 0) | ((lengths == 1) & cr)
            fields, length = len(commas) - int(before[-1]) + 1, len(data) - 1 - int(ends[-1])
            if header:
                filled = np.flatnonzero(~empty)
                if not len(filled):
                    continue
                header = False
                counts, empty = counts[filled[0] + 1 :], empty[filled[0] + 1 :]
            if np.any((counts < width) & ~empty):
                return None
            blank += int(np.count_nonzero(empty))
    return blank if header or length == 0 or fields >= width else None
