"""A YAML file's syntax and encoding errors in okrplan's words, with where and how to fix
them (used by :func:`okrplan.source.parse_yaml`)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from okrplan.errors import Issue

_INDENT_HINT = "check the indentation and quoting on this line and the one before"

#: A YAML syntax error in okrplan's words: (what the parser's context or problem says, the
#: message, the hint), the first that matches; {at} is the character at the error, {name} the
#: anchor's or alias's name there.
_SYNTAX_WORDS = (
    (
        "another document",
        "a second document starts here",
        "a target file is one YAML document: remove the --- line, or split the file",
    ),
    ("tab", "a tab in the indentation", "YAML indents with spaces, not tabs"),
    (
        "mapping values are not allowed",
        "a ':' here starts a key where a value is expected",
        "a value that contains ': ' must be quoted, or the indentation is off",
    ),
    (
        "could not find expected ':'",
        "a key without ':' after it",
        "every key needs a ':' after it; a text value that spans lines needs quotes",
    ),
    (
        "cannot start any token",
        "a value cannot start with {at}",
        "quote values that start with %, @ or `",
    ),
    (
        "undefined alias",
        "*{name} names no anchor above it",
        "an alias *name must come after its anchor &name",
    ),
    ("duplicate anchor", "the anchor &{name} is defined twice", "give each anchor its own name"),
    (
        "alphabetic or numeric",
        "a name must follow & or * here",
        "write &name on a value to name it, and *name to repeat it",
    ),
    ("block mapping", "the indentation of this line matches no key above it", _INDENT_HINT),
    ("block collection", "the indentation of this line matches no item above it", _INDENT_HINT),
)


def syntax_issue(exc: yaml.MarkedYAMLError, text: str, file: str) -> Issue:
    """A YAML syntax error in okrplan's words, the same whichever parser read the file.

    libyaml and PyYAML's pure-Python parser word the same mistake differently (and a release
    may reword it), so the mistake is recognised from the parser's error and said here
    (:data:`_SYNTAX_WORDS`); one that is not known keeps the parser's words.
    """
    mark, start = exc.problem_mark or exc.context_mark, exc.context_mark
    problem, context = exc.problem or "", exc.context or ""
    at = text[mark.index : mark.index + 1] if mark else ""
    said, hint = problem or "YAML syntax error", _INDENT_HINT
    bracket = "[]" if "sequence" in context else "{}"
    if start and "quoted scalar" in context and "end of stream" in problem:
        said, mark = "this quoted text is never closed", start
        hint = "end it with the same quote it starts with, on the same line"
    elif "escape character" in problem:
        if mark and at != "\\":  # the pure-Python parser points past the backslash
            mark = yaml.Mark(mark.name, mark.index - 1, mark.line, mark.column - 1, None, 0)
        said = "a backslash here starts an escape that YAML does not know"
        hint = "a backslash in double quotes starts an escape: use single quotes, or write \\\\"
    elif context.startswith("while parsing a flow") and start and mark:
        if start.line != mark.line:
            said, mark = f"the {bracket[0]} here is not closed before line {mark.line + 1}", start
        else:
            said = f"a comma or {bracket[1]} is missing before this"
        hint = f"close it with {bracket[1]} on the same line, and separate the items with commas"
    else:
        found = f"{context}\n{problem}" + ("\ntab" if at == "\t" else "")
        anchor = re.match(r"[*&]([^\s,\[\]{}]*)", text[mark.index :] if mark else "")
        for needle, words, why in _SYNTAX_WORDS:
            if needle in found:
                said = words.format(at=at, name=anchor[1] if anchor else "")
                hint = why
                break
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return Issue(f"YAML syntax error: {said}", file, line, column, hint=hint)


def reader_issue(exc: yaml.reader.ReaderError, text: str, file: str, loader_cls: Any) -> Issue:
    position = exc.position if isinstance(exc.position, int) else 0
    if loader_cls is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes, not characters
        position = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return Issue(
        f"the character U+{ord(character):04X} is not allowed in a YAML file",
        file,
        line,
        column,
        hint="delete it; control characters are invisible in most editors",
    )
