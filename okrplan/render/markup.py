"""Text inside Graphviz HTML-like labels: escaping, wrapping by display width, styling.

Every user string goes into a label through :func:`escape_html`; lines wrap at
:func:`okrplan.text.text_width` columns, so a CJK character counts twice.
"""

from __future__ import annotations

import re
import unicodedata

from okrplan.text import text_width


def escape_html(text: str) -> str:
    """Text for an HTML-like label: ``& < > "`` as entities, line breaks as ``<BR/>``.

    ``]`` becomes ``&#93;`` too (Graphviz rejects a text that is only ``]``); control
    characters, bidirectional overrides and what XML cannot hold are dropped. Backslashes
    stay as they are: HTML-like labels have no backslash escapes.

    >>> escape_html('R&D <A> "x"\\nnext]')
    'R&amp;D &lt;A&gt; &quot;x&quot;<BR/>next&#93;'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('"', "&quot;").replace("]", "&#93;")
    lines = re.split(r"\r\n|[\r\n\v\f\x85\u2028\u2029]", text)
    return "<BR/>".join("".join(c for c in line if _xml_char(c)) for line in lines)


# Bidirectional embeddings, overrides and isolates: one unclosed in a name would reverse the
# numbers drawn after it (Trojan Source); zero-width joiners and marks stay.
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _xml_char(c: str) -> bool:
    return unicodedata.category(c) not in ("Cc", "Cs") and c not in "\ufffe\uffff" + (
        _BIDI_CONTROLS
    )


_NO_LINE_START = frozenset("，。、；：！？）》」』】%,.;:!?)]}…·")


def wrap(text: str, width: int) -> list[str]:
    """Break text into lines of at most ``width`` columns: between CJK characters, at spaces.

    >>> wrap("制定每周回款周报表：每周五提交本周回款情况", 16)
    ['制定每周回款周报', '表：每周五提交本', '周回款情况']
    >>> wrap("Deliver the sales target", 12)
    ['Deliver the', 'sales target']
    """
    lines: list[str] = []
    for paragraph in re.split(r"\r\n|[\r\n]", text):
        tokens = re.findall(r"[^\s\u2e80-\uffef]+\s*|[\u2e80-\uffef]\s*|\s+", paragraph)
        line = ""
        for token in tokens:
            candidate = line + token
            if line and text_width(candidate.rstrip()) > width and token[0] not in _NO_LINE_START:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = candidate
        lines.append(line.rstrip())
    return lines


def html_lines(text: str, width: int) -> str:
    return "<BR/>".join(escape_html(line) for line in wrap(text, width))


def styled(
    html: str, size: int | None = None, colour: str | None = None, bold: bool = False
) -> str:
    """``html`` in a FONT (and B) element; nothing for empty text (dot rejects empty B)."""
    if not html:
        return ""
    if bold:
        html = f"<B>{html}</B>"
    attrs = (f' POINT-SIZE="{size}"' if size else "") + (f' COLOR="{colour}"' if colour else "")
    return f"<FONT{attrs}>{html}</FONT>" if attrs else html


def pack(parts: list[str], width: int, sep: str = " · ") -> list[str]:
    """Short phrases joined into as few lines of ``width`` columns as they fit in.

    >>> pack(["每人 550万", "合计 5,500万", "爬坡 25% → 50% → 75% → 100%"], 30)
    ['每人 550万 · 合计 5,500万', '爬坡 25% → 50% → 75% → 100%']
    """
    lines: list[str] = []
    for part in parts:
        if lines and text_width(lines[-1] + sep + part) <= width:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines


def gap(text: str) -> str:
    """Room before a right-aligned number, so columns do not run together."""
    return f"  {text}" if text else ""


def circled(number: int) -> str:
    return chr(0x2460 + number - 1) if 1 <= number <= 20 else f"({number})"
