"""The quickest way through a plain YAML file: its data straight from its lines.

A target file as okrplan writes it, and as most planners do, is block mappings and lists of
plain words and numbers, with one-line flow mappings (``{role: 销售岗, headcount: 8}``). For a
file made only of such lines, :func:`line_values` builds the data line by line (no event per
value, each distinct line read once) and gives up (returns None) on anything it does not
know for certain how libyaml reads: quotes, tags, anchors, block scalars, multi-line values,
keys without a value, tabs, a colon or ``#`` inside a word, a repeated key… The caller then
reads the file the full way (:mod:`okrplan.source_events`, then the composer), so every
message still comes from there. Positions are not made here: they are only looked at to
point at a problem, and then the events make them.

The words are resolved (int, float, bool, null or text) by the same resolver and constructor
as the event reader's (:class:`okrplan.source_events.Scalars`).
"""

from __future__ import annotations

import re
from typing import Any

from okrplan.source_events import GIVE_UP, Scalars
from okrplan.text import unsafe_character

# A plain word in a flow (and, more strictly than YAML needs, in a block): no indicator
# first, no flow indicator, colon, comment sign or quote anywhere. A word may start with "-"
# only as a negative number, and holds no tab (the whole text holds none).
_WORD = re.compile(r"(?:[^-?:,\[\]{}#&*!|>'\"%@` ]|-[0-9])[^,\[\]{}:#'\"]*")
_KEY = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@` .](?:[^,\[\]{}:#'\"]*[^,\[\]{}:#'\" ])?")
# a quoted text on one line: single quotes ('' is one quote), or double without escapes
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"[^\"\\]*\"")
# line breaks libyaml knows besides \n, and a BOM (a mark libyaml reads inside the text)
_ODD = re.compile("[\ufeff\u2028\u2029]")
_COLLECTIONS = (dict, list)
_MAX_KEY = 1000  # libyaml reads a key of one line up to 1024 characters


class _GiveUp(Exception):
    """The file is not one this reader knows for certain."""


def line_values(text: str, loader_cls: Any, max_depth: int, max_values: int) -> Any | None:
    """The data of a plain YAML mapping made of lines this module reads (see the module
    docstring), exactly as :func:`okrplan.source_events.plain_values` gives it; None for
    any other text."""
    if unsafe_character(text, name=True) is not None or _ODD.search(text):
        return None  # the event reader says what is wrong, or checks each value
    loader = loader_cls("")
    try:
        return _Reader(Scalars(loader), max_depth, max_values).read(text)
    except (_GiveUp, RecursionError):
        return None
    finally:
        loader.dispose()


class _Open:
    """An open block mapping or list: its indent, the container, and (a mapping) the key
    whose value is the block on the lines below."""

    __slots__ = ("container", "indent", "is_map", "pending")

    def __init__(self, indent: int, container: Any) -> None:
        self.indent = indent
        self.container = container
        self.is_map = type(container) is dict
        self.pending: str | None = None


# what a line says, read once per distinct line: (item?, key or None, value, values, depth,
# the column where an item's mapping starts past the dash)
_Line = tuple[bool, str | None, Any, int, int, int]
_NOTHING = object()  # a key line with no value: the block below is its value


class _Reader:
    def __init__(self, scalars: Scalars, max_depth: int, max_values: int) -> None:
        self.scalars = scalars
        self.max_depth = max_depth
        self.max_values = max_values
        self.lines: dict[str, _Line] = {}

    def read(self, text: str) -> Any:
        """The data of ``text``, a block mapping at the left margin; _GiveUp otherwise."""
        root: dict[str, Any] = {}
        stack = [_Open(0, root)]
        count = 1
        lines = self.lines
        for raw in text.split("\n"):
            content = raw.lstrip(" ")
            if not content or content[0] == "#":
                continue
            said = lines.get(content)
            if said is None:
                said = lines[content] = self._line(content)
            top = self._place(stack, len(raw) - len(content), said[0])
            count += self._enter(stack, top, len(raw) - len(content), said)
            if count > self.max_values:
                raise _GiveUp
        if stack[-1].pending is not None or not root:
            raise _GiveUp  # a key without a value at the end, or an empty file
        return root

    def _place(self, stack: list[_Open], indent: int, item: bool) -> _Open:
        """The open collection a line at ``indent`` belongs to (a new block if the line
        above was a key without a value)."""
        top = stack[-1]
        if top.pending is not None:
            # a block below its key, or a list at its key's indent (as PyYAML writes them)
            if indent < top.indent + (not item) or len(stack) >= self.max_depth - 1:
                raise _GiveUp  # an empty value, or too deep
            made: Any = [] if item else {}
            top.container[top.pending] = made
            top.pending = None
            top = _Open(indent, made)
            stack.append(top)
            return top
        while top.indent > indent or (top.indent == indent and not item and not top.is_map):
            stack.pop()  # a list at its key's indent ends at the next key
            top = stack[-1]
        if top.indent != indent or top.is_map == item:
            raise _GiveUp
        return top

    def _enter(self, stack: list[_Open], top: _Open, indent: int, said: _Line) -> int:
        """Put a line's value into ``top``; how many values it adds (a new block: 1)."""
        item, key, value, count, depth, column = said
        if len(stack) + depth + 1 >= self.max_depth:
            raise _GiveUp
        if type(value) in _COLLECTIONS:
            value = _clone(value)
        if item and key is not None:  # "- key: value": a mapping opens past the dash
            made: dict[str, Any] = {}
            top.container.append(made)
            top = _Open(indent + column, made)
            stack.append(top)
            count += 1
        elif item:
            top.container.append(value)
            return count
        assert key is not None
        if key in top.container:
            raise _GiveUp  # a repeated key: the full reader reports it
        if value is _NOTHING:
            top.pending = key  # the block below is made by _place, counted here
            return count
        top.container[key] = value
        return count

    def _line(self, content: str) -> _Line:
        """What a line (without its indent) says; _GiveUp for a line of another kind."""
        if "#" in content:
            at = content.index("#")
            if content[at - 1] != " ":
                raise _GiveUp  # a "#" inside a word
            content = content[:at]
        content = content.rstrip(" ")
        if content[0] != "-":
            return (False, *self._pair(content), 0)
        rest = content[1:].lstrip(" ")
        if len(content) < 2 or content[1] != " " or rest == "-" or rest.startswith("- "):
            raise _GiveUp  # "-" alone, "-5" at the margin of a list, or a list in a list
        if rest[0] in "[{" or ":" not in rest:
            value, count, depth = self._value(rest)
            return True, None, value, count, depth, 0
        return (True, *self._pair(rest), len(content) - len(rest))

    def _pair(self, content: str) -> tuple[str, Any, int, int]:
        """A ``key: value`` (or ``key:``): the key, the value, its values and depth."""
        at = content.find(":")
        key = content[:at]
        if at <= 0 or len(key) > _MAX_KEY or key == "<<" or not _KEY.fullmatch(key):
            raise _GiveUp
        if at + 1 < len(content) and content[at + 1] != " ":
            raise _GiveUp
        rest = content[at + 1 :].lstrip(" ")
        if not rest:
            return key, _NOTHING, 1, 1
        return (key, *self._value(rest))

    def _value(self, text: str) -> tuple[Any, int, int]:
        """A value written on one line: its data, how many values it holds, its depth."""
        if text[0] in "[{":
            flow = _Flow(self.scalars, text)
            value = flow.collection(0)
            if flow.at != len(text):
                raise _GiveUp  # more after the closing bracket
            return value, flow.count, flow.deepest
        if text[0] in "'\"":
            if not _QUOTED.fullmatch(text):
                raise _GiveUp
            return _unquoted(text), 1, 0
        if not _WORD.fullmatch(text):
            raise _GiveUp
        return _plain(self.scalars, text), 1, 0


class _Flow:
    """A flow mapping or list closed on its line, read from its start."""

    def __init__(self, scalars: Scalars, text: str) -> None:
        self.scalars = scalars
        self.text = text
        self.at = 0
        self.count = 0
        self.deepest = 0

    def collection(self, depth: int) -> Any:
        text = self.text
        self.count += 1
        self.deepest = max(self.deepest, depth + 1)
        closing = "}" if text[self.at] == "{" else "]"
        made: Any = {} if closing == "}" else []
        self._skip(1)
        if text[self.at] == closing:
            self.at += 1
            return made
        while True:
            if closing == "}":
                key = self._word(_KEY)
                if key in made or key == "<<" or text[self.at : self.at + 2] != ": ":
                    raise _GiveUp  # a repeated key, a merge, "a:b", "a :" or no value
                self._skip(2)
                made[key] = self._item(depth)
            else:
                made.append(self._item(depth))
            if self.at >= len(text):
                raise _GiveUp
            if text[self.at] == closing:
                self.at += 1
                return made
            if text[self.at] != ",":
                raise _GiveUp
            self._skip(1)

    def _item(self, depth: int) -> Any:
        if self.at < len(self.text) and self.text[self.at] in "[{":
            made = self.collection(depth + 1)
            self._skip(0)
            return made
        self.count += 1
        if self.at < len(self.text) and self.text[self.at] in "'\"":
            made = _unquoted(self._word(_QUOTED))
            self._skip(0)
            return made
        return _plain(self.scalars, self._word(_WORD).rstrip(" "))

    def _word(self, pattern: re.Pattern[str]) -> str:
        found = pattern.match(self.text, self.at)
        if found is None:
            raise _GiveUp  # an empty value, a trailing comma, a quote, a tag…
        self.at = found.end()
        return found.group()

    def _skip(self, past: int) -> None:
        """Move past ``past`` characters and the spaces after them; _GiveUp at the end."""
        at = self.at + past
        text = self.text
        while at < len(text) and text[at] == " ":
            at += 1
        if at >= len(text):
            raise _GiveUp
        self.at = at


def _plain(scalars: Scalars, word: str) -> Any:
    made = scalars.plain(word)
    if made is GIVE_UP:
        raise _GiveUp  # a tag the event reader does not take, or an invalid number
    return made


def _unquoted(text: str) -> str:
    """A quoted text's value: what is between the quotes (in single quotes, '' is one)."""
    inner = text[1:-1]
    return inner.replace("''", "'") if text[0] == "'" else inner


def _clone(value: Any) -> Any:
    """A fresh copy of a value read before (its words are shared: they cannot change)."""
    if type(value) is dict:
        return {k: _clone(v) if type(v) in _COLLECTIONS else v for k, v in value.items()}
    return [_clone(v) if type(v) in _COLLECTIONS else v for v in value]
