"""Rich tables on standard output, whole when it is not a terminal.

Rich lays a table out for 80 columns when standard output is a file or a pipe, so
``okrplan status PLAN > status.txt`` would cut names and numbers to "关键…". Written to a
file or a pipe (and no ``COLUMNS`` set), a table is laid out as wide as its widest row needs.
"""

from __future__ import annotations

import os
from typing import Any


def console_for(*renderables: Any) -> Any:
    """A :class:`rich.console.Console` for printing ``renderables``: the terminal's width on a
    terminal (or ``COLUMNS``), else wide enough that none is cut (at least 80 columns)."""
    from rich.console import Console
    from rich.measure import Measurement

    console = Console()
    if console.is_terminal or "COLUMNS" in os.environ or not renderables:
        return console
    wide = console.options.update_width(10_000)
    widest = max(Measurement.get(console, wide, r).maximum for r in renderables)
    return Console(width=max(80, widest))
