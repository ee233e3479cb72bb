"""The forecast section of report.html: how likely the plan is to hit its targets.

From the plan-time forecast (:mod:`okrplan.forecast.glance`: 2,000 simulations, seed 1, the
same numbers as ``decompose`` prints):

- a **histogram** of the KPI's simulated outcome (of the page's top unit), with its target
  marked and P10 / P50 / P90 as dashed lines;
- per unit one level below it, **P(hit)** as a bar, with the 50% and 80% lines.

Inline SVG, no script; every name goes through :func:`okrplan.export.charts.svg_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from okrplan.export.charts import FONT, GRID, INK, MUTED, svg_text
from okrplan.text import text_width

if TYPE_CHECKING:
    from okrplan.forecast.glance import Glance
    from okrplan.plan import Plan

MAX_BARS = 30
"""Units drawn in the P(hit) chart (the first, in display order)."""
HIT, NEAR, MISS = "#2E7D32", "#F9A825", "#C62828"
"""Bar colours: P(hit) at least 80%, at least 50%, below 50%."""
BINS, TARGET = "#5B8DB8", "#C62828"

_WORDS = {
    "zh": {
        "title": "达成目标的可能性",
        "lead": "按计划，{name}达成目标（{target}）的概率为 {p}（{sims:,} 次模拟，种子 {seed}；"
        "转化率与活动达成率按其不确定性抽样，同一转化率在一次模拟中对所有人相同）。",
        "histogram": "{name}的结果分布",
        "bars": "各单位达成概率",
        "target": "目标",
        "count": "模拟次数",
        "line": "{p} 线",
        "defaults": "未写不确定性的转化率按默认标准差（转化率的 ±10%）计，"
        "未写 attainment 的岗位按默认活动达成率（均值 100%，个人标准差 10pp）计。",
        "more": "另有 {n} 个单位未画出。",
        "command": "更多（含达到 80% 所需的超额分配）：okrplan forecast plan/ --confidence 80%",
    },
    "en": {
        "title": "How likely the plan is",
        "lead": "As planned, {name} hits its target of {target} with probability {p} "
        "({sims:,} simulations, seed {seed}; conversion rates and activity attainment are "
        "drawn from their uncertainty, one rate shared by everyone in a simulation).",
        "histogram": "Outcomes of {name}",
        "bars": "P(hit) by unit",
        "target": "target",
        "count": "simulations",
        "line": "{p} line",
        "defaults": "Rates without an uncertainty take the default spread (±10% of the rate); "
        "roles without an attainment the default (mean 100%, 10pp per person).",
        "more": "{n} more units are not drawn.",
        "command": "More (and the buffer 80% needs): okrplan forecast plan/ --confidence 80%",
    },
}


def _words(locale: str) -> dict[str, str]:
    return _WORDS["en" if locale.lower().startswith("en") else "zh"]


def _f(value: float) -> str:
    """A coordinate with at most one decimal (the same value, the same text)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: float = 11, **attrs: str
) -> str:
    more = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="{_f(size)}"{more}>'
        f"{svg_text(text)}</text>"
    )


def _fit(text: str, width: float, size: float = 12) -> str:
    """``text`` cut with an ellipsis to about ``width`` pixels (a CJK character is one em).

    >>> _fit("销售部", 100), _fit("Northern Europe and the Baltics", 100)
    ('销售部', 'Northern Europ…')
    """
    if text_width(text) * size * 0.55 <= width:
        return text
    out = ""
    for c in text:
        if text_width(out + c + "…") * size * 0.55 > width:
            break
        out += c
    return out + "…"


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, dash: str = "") -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" stroke="{colour}" '
        f'stroke-width="1.3"{dashes}/>'
    )


def _open(width: float, height: float, title: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" viewBox="0 0 {_f(width)} '
        f'{_f(height)}" width="{_f(width)}" height="{_f(height)}" role="img" '
        f'aria-label="{svg_text(title)}" font-family="{FONT}" fill="{INK}">'
        f"<title>{svg_text(title)}</title>"
    )


def histogram_svg(
    edges: Sequence[float],
    counts: Sequence[int],
    marks: Sequence[tuple[float, str, bool]],
    *,
    title: str,
    axis: tuple[str, str],
    count_label: str,
) -> str:
    """Bars of ``counts`` over the bins ``edges``, with vertical ``marks`` (value, label,
    solid: the target; dashed: P10 / P50 / P90); ``axis`` labels the first and last edge."""
    width, height, left, right, top, bottom = 640.0, 262.0, 16.0, 16.0, 56.0, 30.0
    low, high = float(edges[0]), float(edges[-1])
    span = (high - low) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(max(counts), 1)

    def x(value: float) -> float:
        return left + plot_w * (min(max(value, low), high) - low) / span

    out = [_open(width, height, title, "forecast-histogram")]
    base = top + plot_h
    for i, count in enumerate(counts):
        x0, x1 = x(edges[i]), x(edges[i + 1])
        h = plot_h * count / peak
        out.append(
            f'<rect x="{_f(x0 + 0.5)}" y="{_f(base - h)}" width="{_f(max(x1 - x0 - 1, 0.5))}" '
            f'height="{_f(h)}" fill="{BINS}"><title>{count:,} {svg_text(count_label)}</title>'
            "</rect>"
        )
    out.append(_line(left, base, width - right, base, GRID))
    out.append(_text(left, base + 16, axis[0], size=11, fill=MUTED))
    out.append(_text(width - right, base + 16, axis[1], anchor="end", size=11, fill=MUTED))
    ends: list[float] = []  # per label row, where its last label ends
    for value, label, solid in sorted(marks, key=lambda m: m[0]):
        at = x(value)
        w = text_width(label) * 10.5 * 0.55
        anchor = "end" if at + 4 + w > width else "start"
        start = at - 4 - w if anchor == "end" else at + 4
        row = next((i for i, end in enumerate(ends) if end + 6 < start), len(ends))
        ends[row : row + 1] = [start + w]  # a new row, or this row's new end
        y = top - 9 - 13 * row
        colour = TARGET if solid else INK
        out.append(_line(at, y + 3, at, base, colour, "" if solid else "4 3"))
        weight = {"font_weight": "bold"} if solid else {}
        out.append(_text(start, y, label, anchor="start", size=10.5, fill=colour, **weight))
    out.append("</svg>")
    return "".join(out)


def bars_svg(rows: Sequence[tuple[str, float, str]], *, title: str, lines: tuple[str, str]) -> str:
    """Horizontal bars of P(hit) per unit (name, probability, its text), coloured by
    :data:`HIT` / :data:`NEAR` / :data:`MISS`, with dashed lines at 50% and 80%."""
    label_w, bar_w, value_w, row_h, top = 200.0, 360.0, 56.0, 22.0, 24.0
    width, height = label_w + bar_w + value_w, top + row_h * len(rows) + 8
    out = [_open(width, height, title, "forecast-bars")]
    for i, (name, p, text) in enumerate(rows):
        y = top + i * row_h
        out.append(f"<g><title>{svg_text(name)}</title>")  # the whole name on hover
        out.append(_text(label_w - 8, y + row_h / 2 + 4, _fit(name, label_w - 12), anchor="end"))
        out.append("</g>")
        colour = HIT if p >= 0.8 else (NEAR if p >= 0.5 else MISS)
        out.append(
            f'<rect x="{_f(label_w)}" y="{_f(y + 4)}" width="{_f(bar_w * p)}" '
            f'height="{_f(row_h - 8)}" rx="2" fill="{colour}"/>'
        )
        out.append(_text(label_w + bar_w * p + 5, y + row_h / 2 + 4, text, size=11))
    for p, label in ((0.5, lines[0]), (0.8, lines[1])):
        at = label_w + bar_w * p
        out.append(_line(at, top - 4, at, height - 6, MUTED, "4 3"))
        out.append(_text(at, top - 9, label, anchor="middle", size=10, fill=MUTED))
    out.append("</svg>")
    return "".join(out)


def section(plan: Plan, seen: Glance) -> str:
    """The forecast section (HTML) of a plan's page from its plan-time forecast."""
    from okrplan.forecast.amounts import column

    t = _words(plan.locale)
    top, stats = seen.rows[0], seen.stats[0]
    meta, metrics = plan.meta, plan.metrics
    (target,) = column(meta, metrics, [top.target], simulated=False)
    edges, counts = seen.histogram
    values = (stats.p10, stats.p50, stats.p90)
    quantiles = column(meta, metrics, values, simulated=True)
    first, last = column(meta, metrics, [edges[0], edges[-1]], simulated=True)
    marks = [(top.target, f"{t['target']} {target}", True)]
    marks += [
        (value, f"P{q} {text}", False)
        for value, q, text in zip(values, (10, 50, 90), quantiles, strict=True)
    ]
    lead = t["lead"].format(
        name=top.name, target=target, p=f"{stats.p_hit:.0%}", sims=seen.sims, seed=seen.seed
    )
    caption = t["histogram"].format(name=top.name)
    parts = [
        '<section class="panel" id="forecast">',
        f"<h2>{svg_text(t['title'])}</h2>",
        f"<p>{svg_text(lead)}</p>",
        '<div class="charts">',
        f'<figure class="forecast"><figcaption>{svg_text(caption)}</figcaption>',
        histogram_svg(
            edges, counts, marks, title=caption, axis=(first, last), count_label=t["count"]
        ),
        "</figure>",
    ]
    below = [
        (r.name, s.p_hit, f"{s.p_hit:.0%}")
        for r, s in zip(seen.rows, seen.stats, strict=True)
        if r.depth == top.depth + 1
    ]
    if below:
        lines = (t["line"].format(p="50%"), t["line"].format(p="80%"))
        parts += [
            f'<figure class="forecast"><figcaption>{svg_text(t["bars"])}</figcaption>',
            bars_svg(below[:MAX_BARS], title=t["bars"], lines=lines),
            "</figure>",
        ]
    parts.append("</div>")
    if len(below) > MAX_BARS:
        parts.append(f"<p>{svg_text(t['more'].format(n=len(below) - MAX_BARS))}</p>")
    if seen.default_rates or seen.default_attainment:
        parts.append(f'<p class="empty">{svg_text(t["defaults"])}</p>')
    parts += [f'<p class="empty">{svg_text(t["command"])}</p>', "</section>"]
    return "\n".join(parts)


def forecast_html(plan: Plan, top: str | None = None) -> str:
    """The section for the page about ``top`` (a unit id; the company if None), or "" when
    the plan has nothing to forecast there."""
    from okrplan.forecast.glance import glance

    seen = glance(plan, top)
    return "" if seen is None else section(plan, seen)


def insert(page: str, part: str) -> str:
    """``page`` with ``part`` as the last section of its ``<main>`` (or before ``</body>``)."""
    if not part:
        return page
    for end in ("</main>", "</body>"):
        at = page.rfind(end)
        if at >= 0:
            return page[:at] + part + "\n" + page[at:]
    return page + part
