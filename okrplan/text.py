"""Text on screen: how wide it is, and which characters no name may hold.

A wide (East Asian "W" or "F") character takes two columns, every other character one. The
diagram wraps key results by it, the report's charts size their labels by it, and the
spreadsheets size their columns by it.

Control characters and bidi controls are refused in target files (:func:`unsafe_character`,
used by okrplan.source) and written as escapes on the terminal (:class:`EscapingStream`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any


def text_width(text: str) -> int:
    """Display columns: two for a wide (CJK) character, one otherwise.

    >>> text_width("销售岗 × 10"), text_width("销售额 ab")
    (11, 9)
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# Characters no name should hold: C0 controls but tab and line feed, DEL and the C1 controls
# (ESC and CSI start terminal escape sequences), the bidi embeddings, overrides and isolates
# (they make a name show other than it is), lone surrogates and non-characters.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_UNSAFE_IN_NAMES = re.compile(f"{_UNSAFE.pattern[:-1]}\t]")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe_character(text: str, *, name: bool = False) -> str | None:
    """The first character of ``text`` that no name may hold, or None; in a ``name`` a tab is
    unsafe too (a line break is not: a name on two lines is drawn on two lines).

    >>> unsafe_character("销售部"), unsafe_character("a\\x1b[31m"), unsafe_character("a\\nb")
    (None, '\\x1b', None)
    >>> unsafe_character("a\\tb", name=True), unsafe_character("张\\u202e三")
    ('\\t', '\\u202e')
    """
    found = (_UNSAFE_IN_NAMES if name else _UNSAFE).search(text)
    return found.group() if found else None


def describe_character(char: str) -> str:
    """``U+001B (a control character)``: how a message names an unsafe character.

    >>> describe_character("\\u202e"), describe_character("\\t")
    ('U+202E (a bidi control)', 'U+0009 (a tab)')
    """
    kind = (
        "a bidi control"
        if char in _BIDI
        else "a tab"
        if char == "\t"
        else "a carriage return"
        if char == "\r"
        else "a control character"
        if unicodedata.category(char) == "Cc"
        else "not a character"
    )
    return f"U+{ord(char):04X} ({kind})"


def escape_unsafe(text: str) -> str:
    """``text`` with every character of :func:`unsafe_character` written as an escape
    (``\\u001b``, ``\\u202e``), for a terminal: what a hand-edited plan.json holds is shown,
    never obeyed. Tabs and line feeds stay; JSON output stays JSON (the escape is JSON's own).

    >>> print(escape_unsafe("红\\x1b[2J队\\u202e"), escape_unsafe("a\\tb") == "a\\tb")
    红\\u001b[2J队\\u202e True
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class EscapingStream:
    """A text stream that writes through :func:`escape_unsafe`: stdout and stderr while an
    okrplan command runs, so that a name from a hand-edited plan.json (which no target-file
    check saw) is shown on the terminal, never obeyed as an escape sequence or a bidi
    reordering. Bytes (a PNG to stdout) and every other attribute pass to the stream it wraps,
    ``raw``; a spinner that draws with escape sequences writes to ``raw``.
    """

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def write(self, text: Any) -> Any:
        return self.raw.write(escape_unsafe(text) if isinstance(text, str) else text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)
