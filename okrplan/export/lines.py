"""Chosen lines of a large plan.json, read without parsing the rest.

A plan.json in format 3 above :data:`okrplan.export.planjson.ITEM_PER_LINE_FROM` items is
written one node or edge per line, keys sorted, after which come the plan's other keys
(metrics, okrplan, periods, plan, solver). A reader that needs a few kinds of line (the
forecast its units and roles, a CRM import its roles and KRs) finds them by their bytes and
parses them in one ``json.loads``: a quote inside a JSON string is escaped, so
``"kind":"unit"`` in a line is the line's own kind. Only the standard library is imported
here, so that such readers stay light.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

ITEM_PER_LINE = b'{"graph":{"directed":true,"edges":['
"""How a plan.json written one item per line starts (the line before its first item)."""

_END = b"\n]},\n"  # after the last item


def tail(data: bytes) -> tuple[dict[str, Any], int] | None:
    """The plan's keys after its items, and where the items end; None if ``data`` is not
    laid out one item per line."""
    end = data.rfind(_END)
    if not data.startswith(ITEM_PER_LINE + b"\n") or end < 0:
        return None
    return json.loads(b"{" + data[end + len(_END) :]), end


def items_with(data: bytes, end: int, words: Sequence[bytes]) -> list[Any]:
    """The items (before ``end``) whose line holds any of ``words``, each once, in the file's
    order (the order of a unit's children)."""
    if len(words) == 1:  # already in the file's order, each once
        return _parsed(_lines_with(data, end, words[0])[1])
    found: dict[int, bytes] = {}
    for word in words:
        found.update(zip(*_lines_with(data, end, word), strict=True))
    return _parsed([found[s] for s in sorted(found)])


def _lines_with(data: bytes, end: int, word: bytes) -> tuple[list[int], list[bytes]]:
    """Where each line holding ``word`` starts (before ``end``), and the lines."""
    starts, lines = [], []
    at = data.find(word, 0, end)
    while at >= 0:
        start, stop = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at)
        starts.append(start)
        lines.append(data[start:stop].rstrip(b","))
        at = data.find(word, stop, end)
    return starts, lines


def _parsed(lines: list[bytes]) -> list[Any]:
    return list(json.loads(b"[" + b",".join(lines) + b"]"))
