"""networkx imported in two parts: its graph classes at once, the rest when first asked for.

Import networkx from here (``from okrplan.lazy_networkx import nx``) in a module that may be
the first to import it (the goal graph's modules are).

``import networkx`` runs the whole package (its algorithms, generators, readers and writers,
linear algebra and drawing: some 0.17 CPU s of the 0.25 s it takes), while ``decompose`` uses
only :class:`networkx.DiGraph`. :func:`install` runs the first part of networkx's own
``__init__`` (its exceptions, utilities, backends' configuration, graph classes and
``convert``) now and leaves a module ``__getattr__`` behind that runs the rest, the same
code in the same order into the same module object, the first time a name that is not yet
there is asked for (``nx.find_cycle``, ``from networkx import ...``, ``hasattr``). Every
``import networkx`` then gets that one module: nothing differs but when the rest is run.

Only a networkx whose first part is the one this was written against is split; any other is
left to the ordinary import.
"""

from __future__ import annotations

import sys
import threading
from importlib.machinery import ModuleSpec, SourceFileLoader
from types import CodeType
from typing import Any

__all__ = ["install", "nx", "splits"]

_SPLIT = "\nfrom networkx import convert_matrix\n"
"""The first line of networkx's ``__init__`` that is left for later."""

_FIRST_PART = (777, 1380717572)
"""Length and CRC-32 of networkx 3.6.1's ``__init__`` up to :data:`_SPLIT` (its version
number included): the part run now."""


class _Part(SourceFileLoader):
    """A loader of networkx's ``__init__`` that runs one part of it (``code``, compiled from
    that file) into the module, as the import system runs a module's code."""

    def __init__(self, path: str, code: CodeType) -> None:
        super().__init__("networkx", path)
        self.code = code

    def get_code(self, fullname: str) -> CodeType:
        return self.code


def splits() -> bool:
    """Whether the networkx installed is the one the split was written for (else
    :func:`install` leaves it to the ordinary import)."""
    return _parts() is not None


def _parts() -> tuple[ModuleSpec, str, str, str] | None:
    """networkx's spec, its ``__init__``'s path and that file's two parts, if it is the one
    the split was written for."""
    import importlib.util
    import zlib
    from pathlib import Path

    spec = importlib.util.find_spec("networkx")
    if spec is None or spec.origin is None or not isinstance(spec.loader, SourceFileLoader):
        return None
    try:
        source = Path(spec.origin).read_text(encoding="utf-8")
    except (OSError, UnicodeError):  # no source to split (a frozen or compiled install)
        return None
    first, split, rest = source.partition(_SPLIT)
    if not split or (len(first), zlib.crc32(first.encode("utf-8"))) != _FIRST_PART:
        return None
    return spec, spec.origin, first, rest


def install() -> None:
    """networkx's graph classes imported now, the rest of the package when first asked for
    (see the module's docstring). Nothing is done if networkx is imported already, missing
    or another version than the one the split was written for."""
    import importlib.util

    if "networkx" in sys.modules:
        return
    parts = _parts()
    if parts is None:
        return
    spec, origin, first, rest = parts
    module = importlib.util.module_from_spec(spec)
    sys.modules["networkx"] = module
    try:
        _Part(origin, compile(first, origin, "exec")).exec_module(module)
    except BaseException:
        for name in [n for n in sys.modules if n == "networkx" or n.startswith("networkx.")]:
            del sys.modules[name]  # as a failed ordinary import leaves it
        raise
    # the rest keeps its line numbers in tracebacks
    lines = "\n" * (first.count("\n") + 1)
    rest_part = _Part(origin, compile(lines + _SPLIT.lstrip("\n") + rest, origin, "exec"))

    lock, started = threading.RLock(), [False]

    def run_rest(name: str) -> Any:
        # once, whichever thread asks first; the others wait for it, as for an import (a
        # name asked for by the rest itself while it runs is looked up as in a module
        # being imported: there or not)
        with lock:
            if not started[0]:
                started[0] = True
                try:
                    rest_part.exec_module(module)
                finally:
                    if module.__dict__.get("__getattr__") is run_rest:  # (unless the rest
                        del module.__dict__["__getattr__"]  # defines its own)
        if name in module.__dict__:
            return module.__dict__[name]
        own = module.__dict__.get("__getattr__")
        if own is not None and own is not run_rest:
            return own(name)
        raise AttributeError(f"module 'networkx' has no attribute {name!r}")

    module.__dict__["__getattr__"] = run_rest


install()
import networkx as nx  # noqa: E402  (after install(): the graph classes only, the rest on demand)
