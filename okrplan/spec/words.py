"""How errors quote what a planner wrote: ``text '10'``, ``true``, a did-you-mean."""

from __future__ import annotations

import difflib
from typing import Any


def got(value: Any) -> str:
    """What a planner wrote, for "expected …, got …": text '10', a list ['a'], nothing."""
    return f"{type_name(value)} {short(value)}".strip()


def written(value: Any) -> str:
    """A scalar as YAML writes it: ``true``, ``1.0``, ``'2'``.

    >>> written(True), written(1.0), written("2")
    ('true', '1.0', "'2'")
    """
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value)


def suggest(name: str, names: set[str], what: str) -> str:
    """A did-you-mean hint, or the names there are (the first few of a large organisation)."""
    close = difflib.get_close_matches(name, sorted(names), n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    shown = sorted(names)[:10]
    return f"{what} in the file: {', '.join(shown)}" + (", …" if len(names) > 10 else "")


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        int: "a number",
        float: "a number",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def short(value: Any) -> str:
    """A value as a planner wrote it, briefly (the type name comes before it)."""
    if value is None or isinstance(value, bool):
        return ""
    text = f"with the keys {', '.join(map(str, value))}" if isinstance(value, dict) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
