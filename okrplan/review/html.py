"""The review pack as one printable HTML page, with a burn-up chart of each of the unit's
phased KRs and the funnel diagnosis as a picture (planned and actual bars per stage).

The page is self-contained (inline CSS and SVG, no script, no web fonts) and prints on A4.
"""

from __future__ import annotations

import html
from fractions import Fraction

from okrplan.numbers import Numbers
from okrplan.review.markdown import section_title
from okrplan.review.pack import LOW_CONFIDENCE, Burnup, Funnel, Pack
from okrplan.review.tables import (
    Table,
    activity_table,
    diagnosis_lines,
    funnel_table,
    funnel_title,
    hires_table,
    next_table,
    note_text,
    progress_tables,
    short_lines,
)
from okrplan.review.words import amount, words

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:24px;
color:#222;font-size:13px;line-height:1.45}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:22px 0 8px;border-bottom:2px solid #345;
padding-bottom:3px}h3{font-size:14px;margin:14px 0 6px}
.sub{color:#666;margin-bottom:10px}
table{border-collapse:collapse;margin:4px 0 12px}
th,td{border:1px solid #ccd;padding:3px 8px;text-align:right;white-space:nowrap}
th{background:#eef1f6}td:first-child,th:first-child{text-align:left;white-space:normal}
.st-at_risk{color:#b00020;font-weight:bold}.st-behind{color:#c06000}.st-on_track,.st-done{color:#176b2c}
.st-over{color:#b00020;font-weight:bold}td.text{text-align:left;white-space:normal}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.note{color:#555;font-style:italic}
ul{margin:4px 0 10px;padding-left:20px}
section{break-inside:auto}h2{break-after:avoid}table,svg{break-inside:avoid}
@media print{body{margin:0;font-size:11px}@page{size:A4;margin:14mm}section{break-before:page}
section:first-of-type{break-before:auto}}
"""

_PLAN_COLOUR, _ACTUAL_COLOUR = "#9db4d3", "#d9822b"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(table: Table) -> str:
    out = [f"<h3>{_e(table.title)}</h3>"] if table.title else []
    out.append("<table><thead><tr>")
    out += [f"<th>{_e(h)}</th>" for h in table.header]
    out.append("</tr></thead><tbody>")
    for row in table.rows:
        cells = []
        for cell in row:
            classes = [f"st-{cell.tag}" if cell.tag else "", "text" if cell.kind == "text" else ""]
            css = " ".join(c for c in classes if c)
            cells.append(
                f'<td class="{css}">{_e(cell.text)}</td>' if css else f"<td>{_e(cell.text)}</td>"
            )
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def burnup_svg(burnup: Burnup, fmt: Numbers) -> str:
    """Cumulative plan (line) and actual (line with dots) of a KR by month."""
    w = words(fmt.locale)
    width, height, left, top, bottom = 420.0, 220.0, 64.0, 26.0, 34.0
    plot_w, plot_h = width - left - 12, height - top - bottom
    values = [*burnup.plan, *(a for a in burnup.actual if a is not None)]
    peak = float(max(values, default=Fraction(1))) or 1.0
    n = len(burnup.months)

    def xy(i: int, v: Fraction) -> tuple[float, float]:
        x = left + plot_w * (i + 0.5) / max(n, 1)
        return x, top + plot_h * (1 - float(v) / peak)

    title = w["burnup"].format(name=burnup.name)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" role="img" aria-label="{_e(title)}">',
        f'<text x="{_f(left)}" y="16" font-size="13" font-weight="bold">{_e(title)}</text>',
        f'<line x1="{_f(left)}" y1="{_f(top + plot_h)}" x2="{_f(width - 12)}" '
        f'y2="{_f(top + plot_h)}" stroke="#889"/>',
        f'<text x="{_f(left - 4)}" y="{_f(top + 4)}" font-size="10" text-anchor="end">'
        f"{_e(amount(Fraction(peak), fmt, money=burnup.money))}</text>",
        f'<text x="{_f(left - 4)}" y="{_f(top + plot_h)}" font-size="10" '
        'text-anchor="end">0</text>',
    ]
    plan_points = " ".join("{},{}".format(*map(_f, xy(i, v))) for i, v in enumerate(burnup.plan))
    out.append(
        f'<polyline points="{plan_points}" fill="none" stroke="{_PLAN_COLOUR}" stroke-width="2.5"/>'
    )
    done = [(i, a) for i, a in enumerate(burnup.actual) if a is not None]
    if done:
        points = " ".join("{},{}".format(*map(_f, xy(i, a))) for i, a in done)
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{_ACTUAL_COLOUR}" '
            'stroke-width="2.5"/>'
        )
        out += [
            '<circle cx="{}" cy="{}" r="3" fill="{}"/>'.format(*map(_f, xy(i, a)), _ACTUAL_COLOUR)
            for i, a in done
        ]
    for i, month in enumerate(burnup.months):
        if n <= 12 or i % 3 == 0:
            x, _ = xy(i, Fraction(0))
            out.append(
                f'<text x="{_f(x)}" y="{_f(top + plot_h + 14)}" font-size="10" '
                f'text-anchor="middle">{_e(month[5:] if len(month) > 5 else month)}</text>'
            )
    out.append(_legend(fmt.locale, left, height - 6))
    out.append("</svg>")
    return "".join(out)


def _legend(locale: str, x: float, y: float) -> str:
    w = words(locale)
    return (
        f'<rect x="{_f(x)}" y="{_f(y - 9)}" width="14" height="8" fill="{_PLAN_COLOUR}"/>'
        f'<text x="{_f(x + 18)}" y="{_f(y)}" font-size="10">{_e(w["plan_word"])}</text>'
        f'<rect x="{_f(x + 70)}" y="{_f(y - 9)}" width="14" height="8" fill="{_ACTUAL_COLOUR}"/>'
        f'<text x="{_f(x + 88)}" y="{_f(y)}" font-size="10">{_e(w["actual_word"])}</text>'
    )


def funnel_svg(funnel: Funnel, fmt: Numbers) -> str:
    """Planned and actual volume of each stage, each stage on its own scale (calls and revenue
    share no unit), labelled with both numbers."""
    w = words(fmt.locale)
    stages = funnel.diagnosis.stages
    row, left, width = 34.0, 120.0, 520.0
    height = 30 + row * len(stages) + 16
    bar_w = width - left - 150
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" role="img" aria-label="{_e(w["funnel_chart"])}">',
        f'<text x="4" y="16" font-size="13" font-weight="bold">{_e(w["funnel_chart"])}</text>',
    ]
    for i, stage in enumerate(stages):
        y = 28 + row * i
        money = i == len(stages) - 1
        peak = float(max(stage.planned, stage.actual or Fraction(0))) or 1.0
        plan_len = bar_w * float(stage.planned) / peak
        out.append(f'<text x="4" y="{_f(y + 16)}" font-size="11">{_e(stage.name)}</text>')
        out.append(
            f'<rect x="{_f(left)}" y="{_f(y + 2)}" width="{_f(plan_len)}" height="12" '
            f'fill="{_PLAN_COLOUR}"/>'
        )
        label = f"{w['plan_word']} {amount(stage.planned, fmt, money=money)}"
        out.append(
            f'<text x="{_f(left + bar_w + 6)}" y="{_f(y + 12)}" font-size="10">{_e(label)}</text>'
        )
        if stage.actual is not None:
            actual_len = bar_w * float(stage.actual) / peak
            out.append(
                f'<rect x="{_f(left)}" y="{_f(y + 16)}" width="{_f(actual_len)}" height="12" '
                f'fill="{_ACTUAL_COLOUR}"/>'
            )
            label = f"{w['actual_word']} {amount(stage.actual, fmt, money=money)}"
            out.append(
                f'<text x="{_f(left + bar_w + 6)}" y="{_f(y + 26)}" font-size="10">'
                f"{_e(label)}</text>"
            )
    out.append(_legend(fmt.locale, left, height - 4))
    out.append("</svg>")
    return "".join(out)


def to_html(pack: Pack) -> str:
    """The pack as a self-contained, printable HTML page.

    Parameters
    ----------
    pack : Pack
        From :func:`okrplan.review.build_pack`.
    """
    w, loc = words(pack.locale), pack.locale
    title = w["title"].format(unit=pack.unit_name, period=pack.period)
    lang = "en" if loc.lower().startswith("en") else "zh-CN"
    days = f"{pack.span.first.isoformat()} – {pack.span.last.isoformat()}"
    out = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<div class="sub">{_e(pack.plan_name)} · {_e("/".join(pack.unit_path))} · '
        f"{_e(days)}</div>",
        f"<section><h2>{_e(section_title(pack, 1))}</h2>",
        "" if pack.objectives else f"<p>{_e(w['no_okr'])}</p>",
        *(_table(t) for t in progress_tables(pack)),
    ]
    if pack.burnups:
        out.append(
            '<div class="charts">'
            + "".join(burnup_svg(b, pack.numbers) for b in pack.burnups)
            + "</div>"
        )
    out.append(f"</section><section><h2>{_e(section_title(pack, 2))}</h2>")
    out.append(
        _table(activity_table(pack)) if pack.activities else f"<p>{_e(w['no_activity'])}</p>"
    )
    out.append(f"<h3>{_e(w['comments'])}</h3>")
    out.append(_items([note_text(n, loc) for n in pack.notes], w["no_comments"]))
    if pack.hires:
        out.append(_table(hires_table(pack)))
    out.append(f"</section><section><h2>{_e(section_title(pack, 3))}</h2>")
    out += [_table(next_table(item, pack.numbers)) for item in pack.next] or [
        f"<p>{_e(w['no_next'])}</p>"
    ]
    out += _diagnosis(pack)
    out.append("</section></body></html>\n")
    return "\n".join(out)


def _diagnosis(pack: Pack) -> list[str]:
    """Section 4: each funnel's table, picture and diagnosis, who fell short, the blockers."""
    w, loc = words(pack.locale), pack.locale
    out = [f"</section><section><h2>{_e(section_title(pack, 4))}</h2>"]
    for funnel in pack.funnels:
        out.append(f"<h3>{_e(funnel_title(pack, funnel))}</h3>")
        out.append(_table(funnel_table(funnel.diagnosis, pack.numbers)))
        out.append(funnel_svg(funnel, pack.numbers))
        out.append(
            "".join(
                f"<p>{_e(line)}</p>" for line in diagnosis_lines(funnel.diagnosis, pack.numbers)
            )
        )
    out.append(
        f'<p class="note">{_e(w["funnel_note"])}</p>'
        if pack.funnels
        else f"<p>{_e(w['no_funnel'])}</p>"
    )
    out.append(f"<h3>{_e(w['short_title'])}</h3>")
    out.append(_items(short_lines(pack), w["no_short"]))
    out.append(f"<h3>{_e(w['blockers'].format(low=LOW_CONFIDENCE))}</h3>")
    out.append(_items([note_text(n, loc) for n in pack.blockers], w["no_blockers"]))
    return out


def _items(lines: list[str], empty: str) -> str:
    if not lines:
        return f"<p>{_e(empty)}</p>"
    return "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"
