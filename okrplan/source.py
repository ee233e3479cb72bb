"""Read a YAML file safely and remember where every key and value came from.

PyYAML composes the document into nodes (the safe loader: no Python tags, nothing executed);
this module turns the nodes into plain Python values and records the line and column of every
key and value by its key path, so that any later error can point at the place to fix.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from okrplan.errors import InputError, Issue, Severity

KeyPath = tuple[str | int, ...]

MAX_BYTES = 10 * 1024 * 1024
"""Largest target file read (10 MiB); a real organisation of 100,000 people fits in a few MiB."""
MAX_VALUES = 2_000_000
"""Most values a file may expand to, aliases included (stops "billion laughs" alias bombs)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (an organisation of 20 levels needs about 45)."""

_PLAIN_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_STR_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def format_path(path: Iterable[str | int]) -> str:
    """Write a key path the way a planner reads it.

    >>> format_path(("org", "units", 0, "roles", 1, "headcount"))
    'org.units[0].roles[1].headcount'
    >>> format_path(())
    '(top level)'
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


@dataclass(frozen=True, slots=True)
class Source:
    """A parsed YAML file: its data and the position of every key and value."""

    file: str
    data: Any
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    warnings: tuple[Issue, ...] = ()

    def locate(self, path: KeyPath, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of ``path``, or of its nearest ancestor that exists."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if key and prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return None, None

    def issue(
        self,
        path: KeyPath,
        message: str,
        hint: str = "",
        *,
        key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> Issue:
        line, column = self.locate(path, key=key)
        return Issue(message, self.file, line, column, format_path(path), hint, severity)


def decode(raw: bytes, file: str) -> tuple[str, list[Issue]]:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    Chinese Windows editors often save GBK/GB18030; such files are read, with a warning.
    """
    if b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError([Issue("this is not a text file (it contains NUL bytes)", file,
                                hint="pass a YAML target file, e.g. target.yaml")])
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding), [_encoding_warning(file, "UTF-16")]
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputError([Issue(f"the file is neither UTF-8 nor GB18030 text (byte {exc.start})",
                                file, hint="save the file as UTF-8 in your editor")]) from None
    return text, [_encoding_warning(file, "GB18030/GBK")]


def _encoding_warning(file: str, encoding: str) -> Issue:
    return Issue(f"the file is not UTF-8; read it as {encoding}", file,
                 hint="save it as UTF-8 to silence this warning", severity=Severity.WARNING)


def load_yaml(path: str | os.PathLike[str]) -> Source:
    """Read and parse a YAML file; raise :class:`InputError` with every problem found."""
    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
        if size > MAX_BYTES:
            raise InputError([Issue(f"the file is {size / 2**20:.1f} MiB; okrplan reads at most "
                                    f"{MAX_BYTES // 2**20} MiB", name,
                                    hint="split the organisation into several target files")])
        raw = Path(name).read_bytes()
    except IsADirectoryError:
        raise InputError([Issue("this is a directory, not a file", name)]) from None
    except FileNotFoundError:
        raise InputError([Issue("no such file", name,
                                hint="check the path; `okrplan init FILE` writes a starter file")]
                         ) from None
    except OSError as exc:
        raise InputError([Issue(f"cannot read the file: {exc.strerror}", name)]) from None
    text, warnings = decode(raw, name)
    return parse_yaml(text, name, warnings)


def parse_yaml(text: str, file: str = "<string>", warnings: Iterable[Issue] = ()) -> Source:
    """Parse YAML text into a :class:`Source`.

    >>> src = parse_yaml("plan:\\n  name: A公司\\n")
    >>> src.data, src.values[("plan", "name")]
    ({'plan': {'name': 'A公司'}}, (2, 9))
    """
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader_cls)
    except yaml.MarkedYAMLError as exc:
        raise InputError([_syntax_issue(exc, file), *warnings]) from None
    except yaml.YAMLError as exc:
        raise InputError([Issue(f"YAML error: {exc}", file), *warnings]) from None
    except RecursionError:
        raise InputError([Issue("the file nests too deeply to read", file,
                                hint=f"okrplan reads at most {MAX_DEPTH} levels of nesting")]
                         ) from None
    if node is None:
        raise InputError([Issue("the file is empty", file, line=1, column=1,
                                hint="start from `okrplan init target.yaml`"), *warnings])
    builder = _Builder(file, loader_cls)
    data = builder.build(node, ())
    if builder.issues:
        raise InputError([*builder.issues, *warnings])
    return Source(file, data, builder.values, builder.keys, tuple(warnings))


def _syntax_issue(exc: yaml.MarkedYAMLError, file: str) -> Issue:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "YAML syntax error"
    hint = "check the indentation and quoting on this line and the one before"
    if "\t" in problem or "tab" in problem:
        hint = "YAML indents with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        hint = "a value that contains ': ' must be quoted, or the indentation is off"
    elif "could not find expected ':'" in problem:
        hint = "every key needs a ':' after it; a text value that spans lines needs quotes"
    elif "found character '%'" in problem or "found character '@'" in problem:
        hint = "quote values that start with % or @"
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return Issue(f"YAML syntax error: {problem}", file, line, column, hint=hint)


class _Builder:
    """Turns composed YAML nodes into plain values, recording positions and problems."""

    def __init__(self, file: str, loader_cls: Any) -> None:
        self.file = file
        self.constructor = loader_cls("")
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.issues: list[Issue] = []
        self.count = 0

    def _problem(self, node: yaml.Node, path: KeyPath, message: str, hint: str = "") -> None:
        mark = node.start_mark
        self.issues.append(Issue(message, self.file, mark.line + 1, mark.column + 1,
                                 format_path(path), hint))

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            if self.count == MAX_VALUES + 1:
                self._problem(node, path, f"the file expands to more than {MAX_VALUES:,} values",
                              "YAML aliases (*name) that repeat large blocks are not supported")
            return None
        if len(path) > MAX_DEPTH:
            self._problem(node, path, f"the file nests deeper than {MAX_DEPTH} levels",
                          "flatten the organisation or split it into several files")
            self.count = MAX_VALUES + 1  # report once, then stop building
            return None
        self.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self._problem(node, path, f"the tag {node.tag} is not allowed", "remove the tag")
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag in _STR_TAGS:
            return node.value
        if node.tag in _PLAIN_TAGS:
            return self.constructor.construct_object(node)
        self._problem(node, path, f"the tag {node.tag} is not allowed",
                      "okrplan reads plain YAML only: remove the !tag")
        return None

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            self._problem(node, path, f"the tag {node.tag} is not allowed", "remove the tag")
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                value = self.build(value_node, path)
                for part in value if isinstance(value, list) else [value]:
                    if isinstance(part, dict):
                        for k, v in part.items():
                            merged.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, path, "a key must be a plain name, not a list or mapping")
                continue
            key = str(key_node.value)
            if key in result:
                self._problem(key_node, (*path, key), f"the key {key!r} appears twice",
                              "delete one of them; YAML keeps only the last")
            child = (*path, key)
            self.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child)
        for k, v in merged.items():
            result.setdefault(k, v)
        return result
