"""How wide a text is on screen: the one rule every output that aligns or wraps text uses.

A wide (East Asian "W" or "F") character takes two columns, every other character one. The
diagram wraps key results by it, the report's charts size their labels by it, and the
spreadsheets size their columns by it.
"""

from __future__ import annotations

import unicodedata


def text_width(text: str) -> int:
    """Display columns: two for a wide (CJK) character, one otherwise.

    >>> text_width("销售岗 × 10"), text_width("销售额 ab")
    (11, 9)
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
