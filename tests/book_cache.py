"""Tests write the same few workbooks again and again (every `decompose --force` of the same
scenario): a module-scoped fixture reuses the bytes of an equal book.

``workbook_bytes`` promises that equal books give equal bytes (test_sheets checks that with the
real function, across two calls): a cached call returns what a fresh one would. okrplan's own
code runs as ever up to the call; only the openpyxl writing of a book seen before is skipped.

Likewise carrying typed actuals into a new workbook opens the new bytes with openpyxl (most of
that time binding merged cells): a second opening of the same bytes is unpickled from the
first (as ``conftest.open_xlsx`` does for the tests' own loads).
"""

from __future__ import annotations

import contextlib
import pickle
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

    with mock.patch.object(sheetfiles, "workbook_bytes", cached), reuse_new_workbook_loads():
        yield


@contextlib.contextmanager
def reuse_new_workbook_loads() -> Iterator[None]:
    """Within the ``with``, ``carry_actuals`` loads each distinct new workbook once."""
    from okrplan import actuals

    real = actuals.open_workbook_bytes
    loaded: dict[bytes, bytes] = {}

    def cached(data: bytes) -> Any:
        if data not in loaded:
            loaded[data] = pickle.dumps(real(data))  # real() raises for a damaged file
        return pickle.loads(loaded[data])

    with mock.patch.object(actuals, "open_workbook_bytes", cached):
        yield


@pytest.fixture(scope="module")
def same_books_same_bytes() -> Iterator[None]:
    """Use with ``pytestmark = pytest.mark.usefixtures("same_books_same_bytes")``."""
    yield from reuse_workbook_bytes()
