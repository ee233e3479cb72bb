"""The quick way through a plain YAML file: values and positions straight from libyaml's events.

:func:`okrplan.source.parse_yaml` reads a file in three passes: the event stream (limits and
written tags), the composed node tree, then the values. A target file of plain mappings, lists
and scalars — no tags, anchors, aliases or merges, no problem of any kind — needs only the
first: :func:`plain_values` builds the same values and positions from the events in one pass,
and gives up (returns None) on anything else, so that every message still comes from the full
reader, word for word and line for line.
"""

from __future__ import annotations

from typing import Any

import yaml

from okrplan.text import unsafe_character

KeyPath = tuple[str | int, ...]
Positions = dict[KeyPath, tuple[int, int]]

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
_GIVE_UP = object()


class _Scalars:
    """What a plain scalar resolves to (its tag) and constructs to, each text worked out once:
    a target file repeats the same few numbers and words many times."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.tags: dict[str, str] = {}
        self.constructed: dict[tuple[str, str], Any] = {}

    def tag(self, value: str) -> str:
        tag = self.tags.get(value)
        if tag is None:
            tag = self.tags[value] = self.loader.resolve(yaml.ScalarNode, value, (True, False))
        return tag

    def construct(self, tag: str, value: str) -> Any:
        """The int, float, bool or None a plain scalar stands for, or _GIVE_UP if invalid."""
        key = (tag, value)
        if key not in self.constructed:
            try:
                made = self.loader.construct_object(yaml.ScalarNode(tag, value))
            except (ValueError, ArithmeticError, LookupError, yaml.YAMLError):
                made = _GIVE_UP
            self.constructed[key] = made
        return self.constructed[key]


def plain_values(
    text: str, loader_cls: Any, max_depth: int, max_values: int
) -> tuple[Any, Positions, Positions] | None:
    """The data of a plain, problem-free YAML mapping and the line and column (1-based) of
    every value and key by key path, exactly as :func:`okrplan.source.parse_yaml` records
    them; None for any other file (the full reader then reads it and says what is wrong)."""
    loader = loader_cls(text)
    try:
        return _build(loader, text, max_depth, max_values)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


# one loop over the events, longer than most functions here: a call per event would cost more
def _build(
    loader: Any, text: str, max_depth: int, max_values: int
) -> tuple[Any, Positions, Positions] | None:
    get = loader.get_event
    if type(get()) is not yaml.StreamStartEvent or type(get()) is not yaml.DocumentStartEvent:
        return None
    scalars = _Scalars(loader)
    # the whole text holds no character a name may not: then only a double-quoted scalar
    # (whose escapes can write one) is checked on its own
    clean = unsafe_character(text, name=True) is None
    values: Positions = {}
    keys: Positions = {}
    # per open collection: the container, its path, and (mappings) the key awaiting its value
    containers: list[Any] = []
    paths: list[KeyPath] = []
    pending: list[str | None] = []
    root: Any = None
    count = 0
    while True:
        event = get()
        kind = type(event)
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            containers.pop()
            paths.pop()
            pending.pop()
            continue
        if kind is yaml.DocumentEndEvent:
            break
        if kind not in (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent):
            return None  # an alias
        if event.anchor is not None or event.tag is not None:
            return None
        mark = event.start_mark
        position = (mark.line + 1, mark.column + 1)
        if containers:
            parent = containers[-1]
            if type(parent) is dict:
                key = pending[-1]
                if key is None:  # this event is a key
                    if kind is not yaml.ScalarEvent:
                        return None
                    key = event.value
                    if key == "<<" and event.implicit[0]:
                        return None  # a merge
                    if (not clean or event.style == '"') and unsafe_character(
                        key.strip(" \t\r\n"), name=True
                    ):
                        return None
                    if key in parent:
                        return None
                    keys[(*paths[-1], key)] = position
                    pending[-1] = key
                    continue
                path: KeyPath = (*paths[-1], key)
                pending[-1] = None
            else:
                path = (*paths[-1], len(parent))
        else:
            if root is not None or kind is yaml.ScalarEvent:
                return None
            path = ()
        count += 1
        if count > max_values:
            return None
        values[path] = position
        if kind is yaml.ScalarEvent:
            value = event.value
            tag = scalars.tag(value) if event.implicit[0] else _STR_TAG
            if tag in _STR_TAGS:
                if (not clean or event.style == '"') and unsafe_character(
                    value.strip(" \t\r\n"), name=True
                ):
                    return None
                made: Any = value
            elif tag in _PLAIN_TAGS:
                made = scalars.construct(tag, value)
                if made is _GIVE_UP:
                    return None
            else:
                return None
        else:
            if len(containers) >= max_depth:
                return None
            made = {} if kind is yaml.MappingStartEvent else []
        if containers:
            parent = containers[-1]
            if type(parent) is dict:
                parent[path[-1]] = made
            else:
                parent.append(made)
        else:
            root = made
        if kind is not yaml.ScalarEvent:
            containers.append(made)
            paths.append(path)
            pending.append(None)
    if type(get()) is not yaml.StreamEndEvent:
        return None
    return root, values, keys
