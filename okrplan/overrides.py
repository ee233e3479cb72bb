"""What-if without editing the file: ``--set KEY=VALUE`` overrides of a target file.

``KEY`` is a dotted key path of the target file (``kpi.target``,
``metrics.deals.yields.revenue``, ``org.units[0].roles[1].headcount``); a list item is chosen
by its index (``[0]``, or ``.0``) or by its name (``units[销售部]``, ``roles[销售岗]``: the
first item whose ``name`` or ``role`` is that text). ``VALUE`` is read as YAML, as if written
in the file (``9000万``, ``3``, ``[20%, 30%, 20%, 30%]``, ``{min: 70%}``). The overrides are
applied to the loaded document in order, then it is validated like the file itself; a problem
in an overridden value names the ``--set`` instead of a line of the file.

A ``--set`` that cannot be applied (no ``=``, an empty or malformed key, a value that is not
YAML, a list index out of range) is a usage error (exit 2); a value the target file does not
allow is an input error (exit 1), like the same value in the file.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from okrplan.errors import InputError, Issue, OptionError
from okrplan.source import KeyPath, Source, format_path, load_yaml, parse_yaml

_SEGMENT = re.compile(r"([^.\[\]]+)?((?:\[[^\[\]]*\])*)")
_INDEX = re.compile(r"\[([^\[\]]*)\]")


@dataclass(frozen=True, slots=True)
class Override:
    """One ``--set``: the text as typed, its key path (list items by index or by name) and
    its value as YAML would read it."""

    text: str
    keys: tuple[str | int, ...]
    value: Any

    @property
    def label(self) -> str:
        """How an error names it: ``--set kpi.target=9000万``."""
        return f"--set {self.text}"


def parse_override(text: str) -> Override:
    """Read one ``KEY=VALUE``.

    >>> parse_override("kpi.target=9000万")
    Override(text='kpi.target=9000万', keys=('kpi', 'target'), value='9000万')
    >>> parse_override("org.units[0].roles[销售岗].headcount=12").keys
    ('org', 'units', 0, 'roles', '[销售岗]', 'headcount')

    Raises
    ------
    OptionError
        If the text is not ``KEY=VALUE`` with a well-formed key path and a YAML value.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise _bad(text, "expected KEY=VALUE, e.g. --set kpi.target=9000万")
    keys: list[str | int] = []
    for part in key.split("."):
        match = _SEGMENT.fullmatch(part.strip())
        if match is None or not part.strip() or (not match.group(1) and not keys):
            raise _bad(text, f"{key!r} is not a key path; write it like metrics.deals.yields")
        name, brackets = match.group(1), match.group(2)
        if name is not None:
            keys.append(int(name) if name.isdigit() and keys else name.strip())
        for item in _INDEX.findall(brackets):
            item = item.strip()
            if not item:
                raise _bad(text, f"{key!r} has an empty [ ]; write an index or a name")
            keys.append(int(item) if item.isdigit() else f"[{item}]")
    try:
        value = parse_yaml(raw, f"--set {text}").data if raw.strip() else None
    except InputError as exc:
        first = exc.issues[0].message if exc.issues else "not YAML"
        raise _bad(text, f"the value is not YAML: {first}") from None
    return Override(text, tuple(keys), value)


def _bad(text: str, hint: str) -> OptionError:
    return OptionError([Issue(f"cannot use --set {text!r}", hint=hint)])


def apply_overrides(source: Source, overrides: Sequence[Override]) -> tuple[Source, list[KeyPath]]:
    """The source with each override applied in order, and the key path each one set.

    Missing mapping keys on the way are created (``plan.buffer`` in a file without one); the
    positions the file had below an overridden key are dropped, so nothing points at a line
    that no longer holds the value.

    Raises
    ------
    OptionError
        If a key path goes through a value that is not a mapping or list, or names a list
        item there is not.
    """
    data = copy.deepcopy(source.data)
    paths: list[KeyPath] = []
    for override in overrides:
        data, path = _set(data, override)
        paths.append(path)
    values = {p: v for p, v in source.values.items() if not _below_any(p, paths)}
    keys = {p: v for p, v in source.keys.items() if not any(_strictly_below(p, q) for q in paths)}
    return replace(source, data=data, values=values, keys=keys), paths


def _set(data: Any, override: Override) -> tuple[Any, KeyPath]:
    if not isinstance(data, dict):
        raise _bad(override.text, "the file is not a mapping of keys")
    node: Any = data
    path: list[str | int] = []
    for i, key in enumerate(override.keys):
        last = i == len(override.keys) - 1
        where = format_path(path) if path else "the top level"
        if isinstance(node, list):
            index = _item(node, key)
            if index is None:
                raise _bad(override.text, _no_item(node, where, key))
            path.append(index)
            if last:
                node[index] = override.value
            else:
                node = node[index]
            continue
        if not isinstance(node, dict) or isinstance(key, int) or key.startswith("["):
            raise _bad(override.text, f"{where} is not a mapping, so it has no key {key!r}")
        path.append(key)
        if last:
            node[key] = override.value
        else:
            if node.get(key) is None:
                node[key] = {}  # a section the file leaves out
            node = node[key]
    return data, tuple(path)


_ITEM_NAMES = ("name", "role", "metric")  # what names a list item: a unit, a person, a target


def _item(items: list[Any], key: str | int) -> int | None:
    if isinstance(key, int):
        return key if 0 <= key < len(items) else None
    name = key[1:-1] if key.startswith("[") else key
    for index, item in enumerate(items):
        if isinstance(item, dict) and name in (item.get(k) for k in _ITEM_NAMES):
            return index
    return None


def _no_item(items: list[Any], where: str, key: str | int) -> str:
    """The message for a list item that is not there, with the items' names as a hint
    (``kpi`` as a list: ``kpi.0.target`` or ``kpi.revenue.target``)."""
    names = [
        str(next(item[k] for k in _ITEM_NAMES if k in item))
        for item in items
        if isinstance(item, dict) and any(k in item for k in _ITEM_NAMES)
    ]
    hint = f"; its items: 0–{len(items) - 1}" if items else ""
    if names:
        hint += f" or {', '.join(names[:8])}{', …' if len(names) > 8 else ''}"
    return f"{where} has no item {_key_text(key)}{hint}"


def _key_text(key: str | int) -> str:
    return f"[{key}]" if isinstance(key, int) else key if key.startswith("[") else f"[{key}]"


def _strictly_below(path: KeyPath, top: KeyPath) -> bool:
    return len(path) > len(top) and path[: len(top)] == top


def _below_any(path: KeyPath, tops: Iterable[KeyPath]) -> bool:
    return any(path[: len(top)] == top for top in tops)


def relabel(
    issues: Iterable[Issue], overrides: Sequence[Override], paths: Sequence[KeyPath]
) -> list[Issue]:
    """Issues at or below an overridden key name the ``--set`` (the last one that set it)
    instead of the file's line and column."""
    texts = [(format_path(p), o) for p, o in zip(paths, overrides, strict=True)]
    out = []
    for issue in issues:
        owner = None
        for text, override in texts:
            if issue.path == text or issue.path.startswith((f"{text}.", f"{text}[")):
                owner = override
        if owner is not None:
            issue = replace(issue, file=owner.label, line=None, column=None)
        out.append(issue)
    return out


def load_spec_with(path: str | os.PathLike[str], sets: Sequence[str]) -> Any:
    """Load and validate a target file with ``--set`` overrides (see the module docstring).

    Returns
    -------
    okrplan.spec.Spec
        The validated spec; its warnings about overridden keys name the ``--set``.

    Raises
    ------
    OptionError
        For a ``--set`` that cannot be applied (exit 2).
    InputError
        For every problem of the file with the overrides applied (exit 1).
    """
    from okrplan.spec import Spec, spec_from_source

    overrides = [parse_override(text) for text in sets]
    source, paths = apply_overrides(load_yaml(path), overrides)
    try:
        spec = spec_from_source(source)
    except InputError as exc:
        raise InputError(relabel(exc.issues, overrides, paths)) from None
    return Spec(spec.file, spec.target, tuple(relabel(spec.warnings, overrides, paths)))


def check_file(path: str | os.PathLike[str], sets: Sequence[str]) -> Any:
    """:func:`okrplan.api.check_file` with ``--set`` overrides: the
    :class:`~okrplan.api.Checked` of the file as overridden (an unusable ``--set`` still
    raises :class:`OptionError`)."""
    from okrplan.api import Checked

    try:
        spec = load_spec_with(path, sets)
    except OptionError:
        raise
    except InputError as exc:
        return Checked(os.fspath(path), None, exc.issues)
    return Checked(spec.file, spec, spec.warnings)
