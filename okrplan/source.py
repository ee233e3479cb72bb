"""Read a YAML file safely and remember where every key and value came from.

PyYAML composes the document into nodes (the safe loader: no Python tags, nothing executed);
this module turns the nodes into plain Python values and records the line and column of every
key and value by its key path, so that any later error can point at the place to fix.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from okrplan.errors import InputError, Issue, Severity
from okrplan.source_errors import reader_issue, syntax_issue
from okrplan.source_events import later_positions, plain_values
from okrplan.source_lines import line_values
from okrplan.tabular import read_input
from okrplan.text import describe_character, unsafe_character
from okrplan.textdecode import Kind, decode_text

KeyPath = tuple[str | int, ...]

MAX_BYTES = 64 * 1024 * 1024
"""Largest target file read (64 MiB); a synthetic organisation of a million people
(``benchmarks/synth.py``) is 18.2 MiB."""
MAX_VALUES = 2_500_000
"""Most values a file may hold or expand to, aliases included (stops "billion laughs" alias
bombs); a synthetic organisation of a million people has 1,195,615."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (an organisation of 20 levels needs about 45)."""

_DEPTH_HINT = "flatten the organisation or split it into several files"
# What a double-quoted escape ("\x1F") can put in a text, that no name may hold (see
# okrplan.text.unsafe_character), and how to mend it.
_UNSAFE_HINT = (
    "delete it: control characters are invisible, and sheets and diagrams cannot hold them"
)
_UNSAFE_HINTS = {
    "\t": "write a space instead: sheets and diagrams each show a tab differently",
    "\r": "delete it: a line break in a name is \\n",
    **dict.fromkeys(
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
        "delete it: it reorders the text on screen, so a name would show other than it is",
    ),
}
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
    # by key path; a plain file's are made the first time they are looked at (source_events)
    values: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)
    keys: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)
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
    """Decode a target file's bytes (:func:`okrplan.textdecode.decode_text`): UTF-8 (with or
    without BOM), UTF-16 with BOM, else GB18030 with a warning."""
    return decode_text(raw, file, _YAML_TEXT)


_YAML_TEXT = Kind(
    "text file",
    "pass a YAML target file, e.g. target.yaml",
    "UTF-8",
    "GB18030/GBK",
    "save the file as UTF-8 in your editor",
)


def load_yaml(path: str | os.PathLike[str]) -> Source:
    """Read and parse a YAML file; raise :class:`InputError` with every problem found."""
    name = os.fspath(path)
    raw = read_input(
        name,
        MAX_BYTES,
        hint="split the organisation into several target files",
        missing="check the path; `okrplan init FILE` writes a starter file",
    )
    text, warnings = decode(raw, name)
    return parse_yaml(text, name, warnings)


def parse_yaml(text: str, file: str = "<string>", warnings: Iterable[Issue] = ()) -> Source:
    """Parse YAML text into a :class:`Source`.

    >>> src = parse_yaml("plan:\\n  name: A公司\\n")
    >>> src.data, src.values[("plan", "name")]
    ({'plan': {'name': 'A公司'}}, (2, 9))
    """
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    warnings = tuple(warnings)
    quick = line_values(text, loader_cls, MAX_DEPTH, MAX_VALUES)
    if quick is not None:  # plain lines (see source_lines): positions made if looked at
        return Source(
            file,
            quick,
            *later_positions(text, loader_cls, MAX_DEPTH, MAX_VALUES),
            warnings=warnings,
        )
    plain = plain_values(text, loader_cls, MAX_DEPTH, MAX_VALUES)
    if plain is not None:  # a plain file without a problem: one pass (see source_events)
        return Source(file, *plain, warnings=warnings)
    node, aliased, tagged_keys = _compose(text, file, loader_cls, warnings)
    if node is None or (node.tag == "tag:yaml.org,2002:null" and node.value == ""):
        hint = "start from `okrplan init target.yaml`"
        raise InputError([Issue("the file is empty", file, 1, 1, hint=hint), *warnings])
    too_big = _too_big(node) if aliased else None
    if too_big:
        where, path = too_big
        raise InputError(
            [
                Issue(
                    f"this value expands to more than {MAX_VALUES:,} values",
                    file,
                    where.start_mark.line + 1,
                    where.start_mark.column + 1,
                    format_path(path),
                    "YAML aliases (*name) that repeat large blocks are not supported",
                ),
                *warnings,
            ]
        )
    builder = _Builder(file, loader_cls, tagged_keys)
    data = builder.build(node, ())
    if builder.issues:
        raise InputError([*builder.issues, *warnings])
    return Source(file, data, builder.values, builder.keys, warnings)


def _compose(
    text: str, file: str, loader_cls: Any, warnings: tuple[Issue, ...]
) -> tuple[yaml.Node | None, bool, set[int]]:
    """The composed document (None if empty), whether it has aliases, and where keys are
    written with a tag (see :func:`_scan`); an :class:`InputError` for a syntax error, or a
    file nested too deep or of too many values."""
    try:
        # libyaml's composer recurses in C and crashes on very deep nesting, and composing a
        # huge file takes long: check both on the event stream first.
        too_deep, too_many, aliased, tagged_keys = _scan(text, loader_cls)
        node = None if too_deep or too_many else yaml.compose(text, Loader=loader_cls)
    except yaml.MarkedYAMLError as exc:
        raise InputError([syntax_issue(exc, text, file), *warnings]) from None
    except yaml.reader.ReaderError as exc:
        raise InputError([reader_issue(exc, text, file, loader_cls), *warnings]) from None
    except yaml.YAMLError as exc:
        raise InputError([Issue(f"YAML error: {exc}", file), *warnings]) from None
    except RecursionError:
        too_deep, too_many = (0, 0), None  # no line: the parser gave none
    deep = f"the file nests deeper than {MAX_DEPTH} levels"
    if too_deep == (0, 0):
        raise InputError([Issue(deep, file, hint=_DEPTH_HINT), *warnings])
    if too_deep:
        raise InputError([Issue(deep, file, *too_deep, hint=_DEPTH_HINT), *warnings])
    if too_many:
        many = f"the file has more than {MAX_VALUES:,} values"
        hint = "split the organisation into several target files"
        raise InputError([Issue(many, file, *too_many, hint=hint), *warnings])
    return node, aliased, tagged_keys


def _scan(
    text: str, loader_cls: Any
) -> tuple[tuple[int, int] | None, tuple[int, int] | None, bool, set[int]]:
    """Line and column where the nesting first goes deeper than :data:`MAX_DEPTH`, where the
    file first has more than :data:`MAX_VALUES` values (an alias counted once here), whether
    it has aliases at all (only then can it expand to more, see :func:`_too_big`), and where
    (the character index) a key is written with a tag (``!!int 5:``, ``!foo name:``: only the
    event stream tells a written tag from the one a plain key resolves to).

    Reads the event stream and stops there, so even a megabyte of ``[[[[`` is refused at once.
    """
    values, aliased, tagged_keys = 0, False, set[int]()
    keys: list[bool | None] = []  # per open collection: a mapping's next node is a key (True)
    events = yaml.parse(text, Loader=loader_cls)
    event: yaml.Event | None = None
    while True:
        try:
            event = next(events, None)
        except yaml.MarkedYAMLError:
            # newer PyYAML stops deep flow nesting itself, in its own words, before the events
            # reach okrplan's limit: count the brackets from the last event so the message
            # is okrplan's, whichever PyYAML is installed
            start = event.end_mark.index if event is not None and event.end_mark else 0
            where = _flow_too_deep(text, start, len(keys))
            if where is None:
                raise
            return where, None, aliased, tagged_keys
        if event is None:
            return None, None, aliased, tagged_keys
        if isinstance(event, yaml.NodeEvent):
            is_key = bool(keys and keys[-1])
            if keys and keys[-1] is not None:
                keys[-1] = not is_key
            values += not is_key
            if values > MAX_VALUES:
                return None, _position(event), aliased, tagged_keys
            if is_key and isinstance(event, yaml.ScalarEvent) and event.tag and event.start_mark:
                tagged_keys.add(event.start_mark.index)
            if isinstance(event, yaml.CollectionStartEvent):
                keys.append(True if isinstance(event, yaml.MappingStartEvent) else None)
                if len(keys) > MAX_DEPTH:
                    return _position(event), None, aliased, tagged_keys
            aliased = aliased or isinstance(event, yaml.AliasEvent)
        elif isinstance(event, yaml.CollectionEndEvent):
            keys.pop()


def _flow_too_deep(text: str, start: int = 0, depth: int = 0) -> tuple[int, int] | None:
    """Line and column where ``[`` and ``{`` after ``text[start:]`` (already ``depth`` deep)
    first nest deeper than :data:`MAX_DEPTH`, quoted text and comments skipped; or None.

    >>> _flow_too_deep("a: " + "[" * 70, 0, 1)
    (1, 67)
    """
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1)
    quote, comment, previous = "", False, text[start - 1] if start else "\n"
    for char in text[start:]:
        column += 1
        if char == "\n":
            line, column, comment = line + 1, 0, False
        elif comment:
            pass
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and previous in " \t\n":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, column
        elif char in "]}":
            depth = max(depth - 1, 0)
        previous = char
    return None


def _position(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _children(node: yaml.Node) -> list[tuple[str | int | None, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        return [(None if k.tag == _MERGE_TAG else str(k.value), v) for k, v in node.value]
    if isinstance(node, yaml.SequenceNode):
        return list(enumerate(node.value))
    return []


def _too_big(root: yaml.Node) -> tuple[yaml.Node, KeyPath] | None:
    """The innermost node that expands to more than :data:`MAX_VALUES` values, and its path.

    Aliases share nodes, so sizes are counted once per node; a "billion laughs" file is refused
    before anything is expanded.
    """
    limit = MAX_VALUES + 1
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            total = 1 + sum(sizes.get(id(child), limit) for _, child in _children(node))
            sizes[id(node)] = min(total, limit)
            open_nodes.discard(id(node))
        elif id(node) not in sizes and id(node) not in open_nodes:  # open: a recursive alias
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for _, child in reversed(_children(node)))
    if sizes[id(root)] < limit:
        return None
    node, seen = root, set()
    path: KeyPath = ()
    while id(node) not in seen:
        seen.add(id(node))
        inner = next(
            (
                (key, child)
                for key, child in _children(node)
                if sizes.get(id(child), limit) >= limit
            ),
            None,
        )
        if inner is None:
            break
        node = inner[1]
        path = path if inner[0] is None else (*path, inner[0])
    return node, path


def _tag_name(tag: str) -> str:
    """Write a resolved tag the way it was written: !!python/object, !foo."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


class _Builder:
    """Turns composed YAML nodes into plain values, recording positions and problems."""

    def __init__(self, file: str, loader_cls: Any, tagged_keys: set[int]) -> None:
        self.file = file
        self.tagged_keys = tagged_keys  # where a key is written with a tag (see _scan)
        self.constructor = loader_cls("")
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.issues: list[Issue] = []
        self.merging = 0  # inside a merged (<<) mapping: its positions never replace the file's
        self.too_deep = False

    def _problem(self, node: yaml.Node, path: KeyPath, message: str, hint: str = "") -> None:
        mark = node.start_mark
        self.issues.append(
            Issue(message, self.file, mark.line + 1, mark.column + 1, format_path(path), hint)
        )

    def _record(
        self, where: dict[KeyPath, tuple[int, int]], path: KeyPath, node: yaml.Node
    ) -> None:
        position = (node.start_mark.line + 1, node.start_mark.column + 1)
        if self.merging:
            where.setdefault(path, position)
        else:
            where[path] = position

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        if len(path) > MAX_DEPTH:  # an alias can put an anchored block deeper than the text
            if not self.too_deep:
                self._problem(
                    node,
                    path[:2],
                    f"the file nests deeper than {MAX_DEPTH} levels through an alias",
                    _DEPTH_HINT,
                )
            self.too_deep = True
            return None
        self._record(self.values, path, node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self._problem(
                    node,
                    path,
                    f"the tag {_tag_name(node.tag)} is not allowed",
                    "okrplan reads plain YAML only: remove the tag",
                )
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag in _STR_TAGS:
            return self._text(node, path)
        if node.tag in _PLAIN_TAGS:
            try:
                return self.constructor.construct_object(node)
            except (ValueError, ArithmeticError, LookupError, yaml.YAMLError):
                self._problem(
                    node,
                    path,
                    f"{node.value!r} is not a valid {_tag_name(node.tag)} value",
                    "write the value without the tag, or fix it",
                )
                return None
        self._problem(
            node,
            path,
            f"the tag {_tag_name(node.tag)} is not allowed",
            "okrplan reads plain YAML only: remove the tag",
        )
        return None

    def _text(self, node: yaml.Node, path: KeyPath) -> str:
        value: str = node.value
        # every text in a target file is a name or a short text (the ends are stripped later):
        # control characters and bidi controls would reach the terminal, the sheets and the
        # diagrams, invisible or obeyed
        bad = unsafe_character(value.strip(" \t\r\n"), name=True)
        if bad is not None:
            self._problem(
                node,
                path,
                f"the text has the character {describe_character(bad)} in it",
                _UNSAFE_HINTS.get(bad, _UNSAFE_HINT),
            )
        return value

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            self._problem(
                node,
                path,
                f"the tag {_tag_name(node.tag)} is not allowed",
                "okrplan reads plain YAML only: remove the tag",
            )
        result: dict[str, Any] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(
                    key_node,
                    path,
                    "a key must be a plain name, not a list or mapping",
                    "write keys as plain names, e.g. headcount:",
                )
                continue
            if key_node.start_mark.index in self.tagged_keys:
                self._problem(
                    key_node,
                    (*path, str(key_node.value)),
                    f"the tag {_tag_name(key_node.tag)} is not allowed on a key",
                    "okrplan reads plain YAML only: remove the tag, a key is a plain name",
                )
            key = (
                self._text(key_node, path)
                if isinstance(key_node.value, str)
                else str(key_node.value)
            )
            if key in result:
                self._problem(
                    key_node,
                    (*path, key),
                    f"the key {key!r} appears twice",
                    "delete one of them; YAML keeps only the last",
                )
            child = (*path, key)
            self._record(self.keys, child, key_node)
            result[key] = self.build(value_node, child)
        self._merge(result, merges, path)
        return result

    def _merge(self, result: dict[str, Any], merges: list[yaml.Node], path: KeyPath) -> None:
        """Add the keys of ``<<`` merges to ``result``: keys written in the mapping win over
        merged ones, and earlier merged mappings over later ones."""
        self.merging += 1
        for merge in merges:
            parts = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for part in parts:
                if not isinstance(part, yaml.MappingNode):
                    self._problem(
                        part,
                        path,
                        "<< merges a mapping into this one",
                        "write <<: *name, where &name marks a mapping of keys",
                    )
                    continue
                for key, value in self._mapping(part, path).items():
                    result.setdefault(key, value)
        self.merging -= 1
