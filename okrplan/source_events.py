"""The quick way through a plain YAML file: values and positions straight from libyaml's events.

:func:`okrplan.source.parse_yaml` reads a file in three passes: the event stream (limits and
written tags), the composed node tree, then the values. A target file of plain mappings, lists
and scalars — no tags, anchors, aliases or merges, no problem of any kind — needs only the
first: :func:`plain_values` builds the same values and positions from the events in one pass,
and gives up (returns None) on anything else, so that every message still comes from the full
reader, word for word and line for line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from okrplan.text import unsafe_character

KeyPath = tuple[str | int, ...]
Positions = Mapping[KeyPath, tuple[int, int]]

_STR_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"})
_PLAIN_TAGS = frozenset(
    {
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
    }
)
_STR_TAG = "tag:yaml.org,2002:str"
GIVE_UP = object()
_MISSING = object()


class Scalars:
    """What a plain scalar resolves to (its tag) and constructs to, each text worked out once:
    a target file repeats the same few numbers and words many times."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.tags: dict[str, str] = {}
        self.constructed: dict[tuple[str, str], Any] = {}
        self.plains: dict[str, Any] = {}

    def tag(self, value: str) -> str:
        tag = self.tags.get(value)
        if tag is None:
            tag = self.tags[value] = self.loader.resolve(yaml.ScalarNode, value, (True, False))
        return tag

    def plain(self, value: str) -> Any:
        """What a plain scalar (no quotes, no tag) reads as: its text, or the int, float, bool
        or None it stands for; GIVE_UP for an invalid one or a tag not known here."""
        made = self.plains.get(value, _MISSING)
        if made is _MISSING:
            tag = self.tag(value)
            if tag in _STR_TAGS:
                made = value
            else:
                made = self.construct(tag, value) if tag in _PLAIN_TAGS else GIVE_UP
            self.plains[value] = made
        return made

    def construct(self, tag: str, value: str) -> Any:
        """The int, float, bool or None a plain scalar stands for, or GIVE_UP if invalid."""
        key = (tag, value)
        if key not in self.constructed:
            try:
                made = self.loader.construct_object(yaml.ScalarNode(tag, value))
            except (ValueError, ArithmeticError, LookupError, yaml.YAMLError):
                made = GIVE_UP
            self.constructed[key] = made
        return self.constructed[key]


def plain_values(
    text: str, loader_cls: Any, max_depth: int, max_values: int
) -> tuple[Any, Positions, Positions] | None:
    """The data of a plain, problem-free YAML mapping and the line and column (1-based) of
    every value and key by key path, exactly as :func:`okrplan.source.parse_yaml` records
    them; None for any other file (the full reader then reads it and says what is wrong).

    The positions are only looked at to point at a problem: they are kept as the events'
    marks in one list, and become the two mappings by key path when first asked for."""
    loader = loader_cls(text)
    try:
        built = _build(loader, text, max_depth, max_values)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    if built is None:
        return None
    root, trace = built
    marks = _Marks(trace, len(text) + 1)
    return root, _Positions(marks, keys=False), _Positions(marks, keys=True)


def later_positions(
    text: str, loader_cls: Any, max_depth: int, max_values: int
) -> tuple[Positions, Positions]:
    """The positions of a file's values and keys (as :func:`plain_values` gives them), made
    from its events only when first looked at: for data read another way
    (:mod:`okrplan.source_lines`), which a file without a problem never needs them for."""
    later = _Later(text, loader_cls, max_depth, max_values)
    return _Positions(later, keys=False), _Positions(later, keys=True)


class _Later:
    """:class:`_Marks` made by reading the events the first time they are asked for."""

    def __init__(self, text: str, loader_cls: Any, max_depth: int, max_values: int) -> None:
        self.args: tuple[str, Any, int, int] | None = (text, loader_cls, max_depth, max_values)
        self.marks = _Marks([], 1)

    def made(self) -> _Marks:
        if self.args is not None:
            plain = plain_values(*self.args)
            self.args = None
            # never None: the lines reader reads no file the events reader gives up on
            marks = (
                plain[1].marks if plain is not None and isinstance(plain[1], _Positions) else None
            )
            if isinstance(marks, _Marks):
                self.marks = marks
        return self.marks.made()


# what the trace holds besides marks and keys: where a mapping or list starts and ends
_MAP, _SEQ, _END = object(), object(), object()
_NO_KEY: Any = object()  # a mapping awaiting its next key


def _build(loader: Any, text: str, max_depth: int, max_values: int) -> tuple[Any, list[Any]] | None:
    """The data, and the trace the positions are made from (see :class:`_Marks`): per
    value its mark (``line * width + column``), preceded by ``_MAP`` or ``_SEQ`` where it
    opens a mapping or list; per mapping key the key, then its mark; ``_END`` where a mapping
    or list closes."""
    get = loader.get_event
    if type(get()) is not yaml.StreamStartEvent or type(get()) is not yaml.DocumentStartEvent:
        return None
    # the whole text holds no character a name may not: then only a double-quoted scalar
    # (whose escapes can write one) is checked on its own
    clean = unsafe_character(text, name=True) is None
    width = len(text) + 1  # more than any column or line number
    built = _document(get, Scalars(loader), clean, width, max_depth, max_values)
    if built is None or type(get()) is not yaml.StreamEndEvent:
        return None
    return built


# one loop over the events: a call per event would cost more (one per key and value is paid)
def _document(
    get: Any, scalars: Scalars, clean: bool, width: int, max_depth: int, max_values: int
) -> tuple[Any, list[Any]] | None:
    """:func:`_build`'s data and trace from the events of one document, up to its end."""
    trace: list[Any] = []
    note = trace.append
    containers: list[Any] = []  # per open collection: the container
    pending: list[Any] = []  # per open collection: (mappings) the key read, its value not yet
    root: Any = None
    count = 0
    while True:
        event = get()
        kind = type(event)
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            containers.pop()
            pending.pop()
            note(_END)
            continue
        if kind is yaml.DocumentEndEvent:
            return root, trace
        if kind not in _NODE_EVENTS or event.anchor is not None or event.tag is not None:
            return None  # an alias, an anchor or a tag
        if containers:
            parent = containers[-1]
            if type(parent) is dict and pending[-1] is _NO_KEY:  # this event is a key
                key = _key(event, parent, clean)
                if key is None:
                    return None
                pending[-1] = key
                note(key)
                note(event.start_mark.line * width + event.start_mark.column)
                continue
        elif root is not None or kind is yaml.ScalarEvent:
            return None
        count += 1
        if count > max_values:
            return None
        made = _value(event, scalars, clean, note, width, len(containers) >= max_depth)
        if made is GIVE_UP:
            return None
        if not containers:
            root = made
        elif type(parent) is dict:
            parent[pending[-1]] = made
            pending[-1] = _NO_KEY
        else:
            parent.append(made)
        if kind is not yaml.ScalarEvent:
            containers.append(made)
            pending.append(_NO_KEY)


_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)


def _key(event: Any, parent: dict[str, Any], clean: bool) -> str | None:
    """A mapping key's text, or None where the full reader must read the file: a key that is
    not a plain scalar, a merge (``<<``), a character a name may not hold, a repeated key."""
    if type(event) is not yaml.ScalarEvent:
        return None
    key: str = event.value
    if key == "<<" and event.implicit[0]:
        return None
    if (not clean or event.style == '"') and unsafe_character(key.strip(" \t\r\n"), name=True):
        return None
    return None if key in parent else key


def _value(event: Any, scalars: Scalars, clean: bool, note: Any, width: int, too_deep: bool) -> Any:
    """A value's data (a new empty dict or list for a collection), its mark noted in the
    trace (after ``_MAP`` or ``_SEQ`` for a collection); GIVE_UP where the full reader must
    read the file (a tag it does not know, a character a name may not hold, a collection
    deeper than allowed)."""
    mark = event.start_mark
    if type(event) is yaml.ScalarEvent:
        note(mark.line * width + mark.column)
        value = event.value
        tag = (scalars.tags.get(value) or scalars.tag(value)) if event.implicit[0] else _STR_TAG
        if tag in _STR_TAGS:
            if (not clean or event.style == '"') and unsafe_character(
                value.strip(" \t\r\n"), name=True
            ):
                return GIVE_UP
            return value
        if tag in _PLAIN_TAGS:
            return scalars.construct(tag, value)  # GIVE_UP if invalid
        return GIVE_UP
    if too_deep:
        return GIVE_UP
    made: Any = {} if type(event) is yaml.MappingStartEvent else []
    note(_MAP if type(made) is dict else _SEQ)
    note(mark.line * width + mark.column)
    return made


class _Marks:
    """The positions of a file's values and keys by key path, made from its trace (see
    :func:`_build`) the first time either is asked for, once for both."""

    def __init__(self, trace: list[Any], width: int) -> None:
        self.trace: list[Any] | None = trace
        self.width = width
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.keys: dict[KeyPath, tuple[int, int]] = {}

    def made(self) -> _Marks:
        if self.trace is not None:
            self._replay(self.trace)
            self.trace = None
        return self

    def _replay(self, trace: list[Any]) -> None:
        width, values, keys = self.width, self.values, self.keys
        # per open collection: its path, whether a mapping, and its next item's key or index
        paths: list[KeyPath] = []
        maps: list[bool] = []
        nexts: list[Any] = []
        items = iter(trace)
        for item in items:
            if item is _END:
                paths.pop()
                maps.pop()
                nexts.pop()
                continue
            if type(item) is str:  # a key, then its mark
                mark = next(items)
                nexts[-1] = item
                keys[(*paths[-1], item)] = (mark // width + 1, mark % width + 1)
                continue
            opens = item is _MAP or item is _SEQ
            mark = next(items) if opens else item
            if paths:
                step = nexts[-1]
                if not maps[-1]:
                    nexts[-1] = step + 1
                path: KeyPath = (*paths[-1], step)
            else:
                path = ()
            values[path] = (mark // width + 1, mark % width + 1)
            if opens:
                paths.append(path)
                maps.append(item is _MAP)
                nexts.append(0)


class _Positions(Mapping[KeyPath, tuple[int, int]]):
    """The positions of a file's values (or keys) by key path, as a mapping made on first
    use (a file without a problem never asks)."""

    def __init__(self, marks: _Marks | _Later, *, keys: bool) -> None:
        self.marks = marks
        self._keys = keys

    def _made(self) -> dict[KeyPath, tuple[int, int]]:
        marks = self.marks.made()
        return marks.keys if self._keys else marks.values

    def __getitem__(self, path: KeyPath) -> tuple[int, int]:
        return self._made()[path]

    def __contains__(self, path: object) -> bool:
        return path in self._made()

    def __iter__(self) -> Iterator[KeyPath]:
        return iter(self._made())

    def __len__(self) -> int:
        return len(self._made())

    def __repr__(self) -> str:
        return repr(self._made())
