"""Tests write the same few workbooks again and again (every `decompose --force` of the same
scenario): a module-scoped fixture reuses the bytes of an equal book.

``workbook_bytes`` promises that equal books give equal bytes (test_sheets checks that with the
real function, across two calls): a cached call returns what a fresh one would. okrplan's own
code runs as ever up to the call; only the openpyxl writing of a book seen before is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest


def reuse_workbook_bytes() -> Iterator[None]:
    """Within the ``with``, ``sheetfiles.workbook_bytes`` writes each distinct book once."""
    from okrplan.export import sheetfiles

    real = sheetfiles.workbook_bytes
    made: dict[str, bytes] = {}

    def cached(book: Any) -> bytes:
        key = repr(book)  # a frozen dataclass of plain values: equal books, equal reprs
        if key not in made:
            made[key] = real(book)
        return made[key]

    with mock.patch.object(sheetfiles, "workbook_bytes", cached):
        yield


@pytest.fixture(scope="module")
def same_books_same_bytes() -> Iterator[None]:
    """Use with ``pytestmark = pytest.mark.usefixtures("same_books_same_bytes")``."""
    yield from reuse_workbook_bytes()
