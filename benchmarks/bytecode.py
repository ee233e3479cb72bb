"""okrplan compiled to bytecode before anything is timed.

An installed okrplan has its bytecode (pip compiles it); a checkout run with
``PYTHONDONTWRITEBYTECODE=1`` (or with modules edited since their bytecode was written) compiles
every changed module again in each process, which a benchmark would count as okrplan's time.
"""

from __future__ import annotations

import compileall
from pathlib import Path

OKRPLAN = Path(__file__).resolve().parent.parent / "okrplan"


def compile_okrplan() -> None:
    """Write the bytecode of okrplan's modules that lack an up-to-date one (quietly)."""
    compileall.compile_dir(str(OKRPLAN), quiet=1)
