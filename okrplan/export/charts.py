"""Small SVG charts for the HTML report: pure functions from values to SVG text.

Every chart takes plain values already formatted for the plan's locale (names, ``550万``,
``71 个/周``) and returns one ``<svg>`` element as a string. All text goes through
:func:`svg_text`, so a name can hold ``<``, ``&`` or quotes; numbers are written with fixed
precision, so the same values give the same bytes.

- :func:`funnel_chart`: a role's reverse funnel, from its revenue quota down to the activities.
- :func:`phasing_chart`: targets by month (small multiples, one row per key result).
- :func:`stretch_chart`: stretch (quota ÷ basis) per unit and role group, with the basis line.
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from okrplan.text import text_width

#: The fonts the diagrams use (the set-up installs Noto Sans CJK), then common fallbacks.
FONT = "Noto Sans CJK SC,Source Han Sans SC,PingFang SC,Microsoft YaHei,sans-serif"
INK, MUTED, GRID = "#263238", "#5F6B73", "#CFD8DC"
GOAL, BAR, ROLE, WARN = "#1F4E79", "#5B8DB8", "#78909C", "#A85D00"
#: Colours of the rows of a phasing chart, in turn.
SERIES = ("#1F4E79", "#2E7D32", "#A85D00", "#6A1B9A", "#00695C", "#4E342E")


def svg_text(text: object) -> str:
    """Text for SVG content or an attribute value: escaped, control characters dropped.

    >>> svg_text('R&D <"x">\\x07')
    'R&amp;D &lt;&quot;x&quot;&gt;'
    """
    kept = "".join(
        c
        for c in str(text)
        if unicodedata.category(c) not in ("Cc", "Cs") and c not in "\ufffe\uffff"
    )
    return html.escape(kept, quote=True)


def _px(text: str, size: float) -> float:
    """About how wide ``text`` is at font ``size`` (a CJK character is one em)."""
    return text_width(text) * size * 0.55


def _fit(text: str, width: float, size: float) -> str:
    """``text`` cut with an ellipsis to about ``width`` pixels."""
    if _px(text, size) <= width:
        return text
    out = ""
    for c in text:
        if _px(out + c + "…", size) > width:
            break
        out += c
    return out + "…"


def _f(value: float) -> str:
    """A coordinate with at most one decimal: stable text for the same value.

    >>> _f(12.0), _f(3.14159), _f(-0.04)
    ('12', '3.1', '0')
    """
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _open(width: float, height: float, title: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" width="{_f(width)}" height="{_f(height)}" '
        f'role="img" aria-label="{svg_text(title)}" font-family="{FONT}" font-size="12" '
        f'fill="{INK}">',
        f"<title>{svg_text(title)}</title>",
    ]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: float = 12,
    fill: str | None = None,
    weight: str | None = None,
    italic: bool = False,
) -> str:
    attrs = f'x="{_f(x)}" y="{_f(y)}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if size != 12:
        attrs += f' font-size="{_f(size)}"'
    if fill:
        attrs += f' fill="{fill}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    if italic:
        attrs += ' font-style="italic"'
    return f"<text {attrs}>{svg_text(text)}</text>"


def _rect(
    x: float, y: float, w: float, h: float, fill: str, *, rx: float = 0, extra: str = ""
) -> str:
    radius = f' rx="{_f(rx)}"' if rx else ""
    return (
        f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(max(w, 0))}" height="{_f(max(h, 0))}"'
        f'{radius} fill="{fill}"{extra}/>'
    )


# ---------------------------------------------------------------------------------------------
# The reverse funnel


@dataclass(frozen=True, slots=True)
class FunnelStage:
    """One step of a role's funnel: what it is, how much, and how it converts upward."""

    name: str
    value: float  # in the stage's own unit (yuan for money, a count otherwise)
    value_text: str  # 3,667 个
    detail: str = ""  # the cadence target: 71 个/周
    step: str = ""  # how it turns into the stage above: 30%, 每个 20万
    derived: bool = False  # not on the sheet: worked out from the stage below or above
    money: bool = False


# The funnel's geometry: label column, bar column, value column, row height, gap between rows.
_LABEL_W, _BAR_W, _RIGHT_W, _ROW_H, _GAP = 150.0, 190.0, 160.0, 26.0, 18.0
_CENTRE = _LABEL_W + _BAR_W / 2


def funnel_chart(
    stages: Sequence[FunnelStage], *, title: str, note: str = "", derived_text: str = ""
) -> str:
    """A role's reverse funnel: the quota on top (a pill), then the activities that make it,
    widening as they go down (widths ∝ √count, so small stages stay visible).

    ``stages`` go from the quota (first) to the earliest activity (last); each stage's
    ``step`` says how it becomes the one above it and is drawn between the two.
    """
    width = _LABEL_W + _BAR_W + _RIGHT_W
    top = 8.0
    height = top + len(stages) * _ROW_H + max(len(stages) - 1, 0) * _GAP + (22 if note else 8)
    out = _open(width, height, title, "funnel")
    counts = [s.value for s in stages if not s.money and s.value > 0]
    largest = math.sqrt(max(counts)) if counts else 1.0
    y = top
    for index, stage in enumerate(stages):
        if index and stage.step:
            out.append(
                _text(
                    _CENTRE,
                    y - _GAP / 2 + 4,
                    f"↑ {stage.step}",
                    anchor="middle",
                    size=10,
                    fill=MUTED,
                )
            )
        name = _fit(stage.name, _LABEL_W - 12, 12)
        out.append(_text(_LABEL_W - 10, y + _ROW_H / 2 + 4, name, anchor="end"))
        if stage.money:
            out += _funnel_pill(stage, y)
        else:
            out += _funnel_bar(stage, y, largest, derived_text)
        y += _ROW_H + _GAP
    if note:
        out.append(_text(width - 6, height - 6, note, anchor="end", size=9.5, fill=MUTED))
    out.append("</svg>")
    return "\n".join(out)


def _funnel_pill(stage: FunnelStage, y: float) -> list[str]:
    """The quota: a pill with the amount on it."""
    return [
        _rect(_LABEL_W, y, _BAR_W, _ROW_H, GOAL, rx=_ROW_H / 2),
        _text(
            _CENTRE,
            y + _ROW_H / 2 + 4.5,
            stage.value_text,
            anchor="middle",
            size=13,
            fill="white",
            weight="bold",
        ),
    ]


def _funnel_bar(stage: FunnelStage, y: float, largest: float, derived_text: str) -> list[str]:
    """An activity: a centred bar (width ∝ √count), its count and detail to the right."""
    share = math.sqrt(max(stage.value, 0)) / largest if largest else 0.0
    w = max(_BAR_W * share, 4.0)
    fill = "#B0BEC5" if stage.derived else BAR
    text = stage.value_text + (f" ({derived_text})" if stage.derived and derived_text else "")
    out = [
        _rect(_CENTRE - w / 2, y + 2, w, _ROW_H - 4, fill, rx=2),
        _text(
            _LABEL_W + _BAR_W + 10,
            y + _ROW_H / 2 + 0.5,
            text,
            size=12,
            weight="bold",
            italic=stage.derived,
        ),
    ]
    if stage.detail:
        out.append(
            _text(
                _LABEL_W + _BAR_W + 10,
                y + _ROW_H / 2 + 12.5,
                _fit(stage.detail, _RIGHT_W - 12, 10),
                size=10,
                fill=MUTED,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Phasing by month


@dataclass(frozen=True, slots=True)
class PhasingCell:
    """A target drawn over ``span`` months from month ``start`` (a quarter spans three)."""

    start: int
    span: int
    value: float
    text: str


@dataclass(frozen=True, slots=True)
class PhasingRow:
    """One key result's targets across the plan's months."""

    name: str
    note: str  # how the values are counted: 月合计, 每季度
    cells: tuple[PhasingCell, ...]


def phasing_chart(
    rows: Sequence[PhasingRow], months: Sequence[str], *, title: str, breaks: Collection[int] = ()
) -> str:
    """Small multiples: a row of bars per key result, one bar per month (or one wide bar per
    quarter where the plan phases a target by quarter), each row on its own scale with every
    value written above its bar; month names along the bottom, and a stronger line before
    the columns in ``breaks`` (where a quarter starts)."""
    label_w, col_w, row_h = 140.0, max(34.0, min(46.0, 560.0 / max(len(months), 1))), 58.0
    width = label_w + col_w * len(months) + 8
    axis_h = 22.0
    height = len(rows) * row_h + axis_h + 4
    out = _open(width, height, title, "phasing")
    for index in range(len(months) + 1):  # light column lines; quarter lines darker
        x = label_w + index * col_w
        strong = index in (0, len(months)) or index in breaks
        out.append(
            f'<line x1="{_f(x)}" y1="0" x2="{_f(x)}" y2="{_f(len(rows) * row_h)}" '
            f'stroke="{GRID}" stroke-width="{"1" if strong else "0.5"}"/>'
        )
    for r, row in enumerate(rows):
        out += _phasing_row(row, SERIES[r % len(SERIES)], r * row_h, (label_w, col_w, row_h), width)
    for index, month in enumerate(months):
        out.append(
            _text(
                label_w + (index + 0.5) * col_w,
                len(rows) * row_h + 15,
                month,
                anchor="middle",
                size=10.5,
                fill=MUTED,
            )
        )
    out.append("</svg>")
    return "\n".join(out)


def _phasing_row(
    row: PhasingRow, colour: str, y0: float, grid: tuple[float, float, float], width: float
) -> list[str]:
    """One key result's row: its name (and note) at the left, a bar per cell with its value."""
    label_w, col_w, row_h = grid
    out: list[str] = []
    lines = _wrap_name(row.name, label_w - 14, 12)
    for i, line in enumerate(lines):
        out.append(_text(label_w - 10, y0 + 22 + i * 14, line, anchor="end", weight="bold"))
    if row.note:
        out.append(
            _text(
                label_w - 10,
                y0 + 22 + len(lines) * 14,
                row.note,
                anchor="end",
                size=10,
                fill=MUTED,
            )
        )
    top = max((c.value for c in row.cells), default=0.0)
    bar_h = row_h - 26
    base = y0 + row_h - 6
    out.append(
        f'<line x1="{_f(label_w)}" y1="{_f(base)}" x2="{_f(width - 8)}" '
        f'y2="{_f(base)}" stroke="{GRID}" stroke-width="1"/>'
    )
    for cell in row.cells:
        h = bar_h * cell.value / top if top > 0 else 0.0
        x = label_w + cell.start * col_w + col_w * 0.15
        w = col_w * cell.span - col_w * 0.3
        out.append(_rect(x, base - h, w, h, colour, rx=1.5))
        size = 10.0 if _px(cell.text, 10) <= col_w * cell.span - 2 else 8.5
        out.append(_text(x + w / 2, base - h - 3, cell.text, anchor="middle", size=size, fill=INK))
    return out


def _wrap_name(text: str, width: float, size: float, lines: int = 2) -> list[str]:
    """At most ``lines`` lines of ``text`` within ``width`` pixels, the last cut if need be."""
    out: list[str] = []
    rest = text
    while rest and len(out) < lines - 1:
        line = ""
        for c in rest:
            if _px(line + c, size) > width:
                break
            line += c
        if line == rest:
            break
        if " " in line and not line.endswith(" "):  # break Latin text at a space
            line = line[: line.rindex(" ") + 1]
        out.append(line.rstrip())
        rest = rest[len(line) :].lstrip()
    out.append(_fit(rest, width, size))
    return [line for line in out if line]


# ---------------------------------------------------------------------------------------------
# Stretch per unit and role


@dataclass(frozen=True, slots=True)
class StretchRow:
    """One bar: a unit (its groups' quota ÷ their basis) or a role group."""

    name: str
    value: float
    value_text: str
    depth: int = 0  # indentation: 0 for the company
    unit: bool = True
    largest: bool = False  # carries the plan's largest stretch


def stretch_chart(rows: Sequence[StretchRow], *, title: str, reference: str, note: str = "") -> str:
    """Horizontal bars of stretch (quota ÷ basis), units bold and their role groups indented
    below them, with a dashed line at 1.0 (quota = basis) and the largest stretch marked."""
    label_w, bar_w, value_w, row_h = 230.0, 360.0, 70.0, 22.0
    width = label_w + bar_w + value_w
    top = 22.0
    height = top + len(rows) * row_h + (24 if note else 10)
    out = _open(width, height, title, "stretch")
    scale = max([1.0, *(r.value for r in rows)]) * 1.1
    one = label_w + bar_w / scale
    for tick in _ticks(scale):
        x = label_w + bar_w * tick / scale
        out.append(
            f'<line x1="{_f(x)}" y1="{_f(top - 4)}" x2="{_f(x)}" '
            f'y2="{_f(top + len(rows) * row_h)}" stroke="{GRID}" stroke-width="0.5"/>'
        )
        out.append(_text(x, top - 8, _f(tick), anchor="middle", size=9.5, fill=MUTED))
    for index, row in enumerate(rows):
        y = top + index * row_h
        indent = 12.0 * row.depth
        name = _fit(row.name, label_w - 14 - indent, 12)
        out.append(
            _text(
                8 + indent,
                y + row_h / 2 + 4,
                name,
                weight="bold" if row.unit else None,
                fill=INK if row.unit else MUTED,
            )
        )
        fill = WARN if row.largest else (GOAL if row.unit else ROLE)
        w = bar_w * row.value / scale
        out.append(_rect(label_w, y + 4, w, row_h - 8, fill, rx=2))
        out.append(
            _text(
                label_w + w + 6,
                y + row_h / 2 + 4,
                row.value_text,
                size=11,
                weight="bold" if row.largest else None,
                fill=WARN if row.largest else INK,
            )
        )
    out.append(
        f'<line x1="{_f(one)}" y1="{_f(top - 4)}" x2="{_f(one)}" '
        f'y2="{_f(top + len(rows) * row_h)}" stroke="{INK}" stroke-width="1.2" '
        'stroke-dasharray="4 3"/>'
    )
    out.append(_text(one + 4, top + len(rows) * row_h + 13, reference, size=10, fill=INK))
    if note:
        out.append(_text(8, height - 6, note, size=9.5, fill=MUTED))
    out.append("</svg>")
    return "\n".join(out)


def _ticks(scale: float) -> list[float]:
    """Gridline values from 0 to ``scale``, at most six, in steps of 1, 2, 2.5 or 5 × 10ⁿ.

    >>> _ticks(1.1), _ticks(2.2), _ticks(2.2e6)[-1]
    ([0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.5, 1.0, 1.5, 2.0], 2000000.0)
    """
    if scale <= 0:
        return [0.0]
    power = 10.0 ** math.floor(math.log10(scale / 5))
    step = next(power * m for m in (1, 2, 2.5, 5, 10) if scale / (power * m) <= 5)
    return [i * step for i in range(int(scale / step + 1e-9) + 1)]
