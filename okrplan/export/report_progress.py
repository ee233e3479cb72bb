"""The progress section of report.html: how the year is going against the plan.

Shown when the plan's progress store has check-ins (``okrplan checkin``), as of the last day
they cover (so the same store gives the same page):

- per unit (and role group), a **burn-up chart** of each derived KR: the plan's cumulative
  curve by month (its own seasons, ramps and start dates), the actual so far, and the projection
  to the end of the plan dashed;
- a **heat map** of pace, owners × metrics, coloured by status;
- the **KRs behind plan**, worst pace first.

Every name is escaped (:func:`html.escape`); the charts are inline SVG with no script.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from fractions import Fraction

from okrplan import queries
from okrplan.graph import node
from okrplan.model import KeyResult, KRKind, RoleGroup
from okrplan.periods import fiscal_start
from okrplan.plan import Plan
from okrplan.progress import calendar
from okrplan.progress.pace import KrProgress, Pace, expected_to, progress
from okrplan.progress.status import number, percent
from okrplan.progress.store import CheckIn, latest

MAX_OWNERS = 24
"""Owners whose burn-up charts are drawn (the first with data, in tree order)."""
MAX_ROWS = 60
"""Rows of the heat map and of the list of KRs behind plan."""

COLOURS = {
    Pace.DONE: "#1b5e20", Pace.ON_TRACK: "#43a047", Pace.BEHIND: "#f9a825",
    Pace.AT_RISK: "#c62828", Pace.NO_DATA: "#bdbdbd",
}  # fmt: skip

WORDS: dict[str, dict[object, str]] = {
    "zh": {
        "title": "进度（截至 {day}）", "burnup": "累计完成与计划", "heat": "各单位节奏",
        "behind_title": "落后于计划的关键结果", "plan": "计划累计", "actual": "实际累计",
        "projection": "预计", "owner": "负责", "kr": "关键结果", "pace": "节奏",
        "due": "应完成", "actual_col": "实际", "none": "没有落后于计划的关键结果。",
        "more": "另有 {n} 个单位未画出（okrplan status 查看）。",
        "partial": "部分数据 {n}/{of}",
        Pace.DONE: "已完成", Pace.ON_TRACK: "正常", Pace.BEHIND: "落后",
        Pace.AT_RISK: "有风险", Pace.NO_DATA: "无数据",
    },
    "en": {
        "title": "Progress (as of {day})", "burnup": "Done so far against the plan",
        "heat": "Pace by owner", "behind_title": "Key results behind plan", "plan": "plan to date",
        "actual": "actual", "projection": "projected", "owner": "Owner", "kr": "Key result",
        "pace": "Pace", "due": "Due", "actual_col": "Actual",
        "none": "No key result is behind plan.",
        "more": "{n} more owners are not drawn (see okrplan status).",
        "partial": "partial {n}/{of}",
        Pace.DONE: "done", Pace.ON_TRACK: "on track", Pace.BEHIND: "behind",
        Pace.AT_RISK: "at risk", Pace.NO_DATA: "no data",
    },
}  # fmt: skip

STYLE = """
<style>
#progress .burnups{display:flex;flex-wrap:wrap;gap:12px}
#progress figure{margin:0;border:1px solid #ddd;border-radius:6px;padding:6px;background:#fff}
#progress figcaption{font-size:13px;font-weight:600;margin-bottom:2px}
#progress table.heat td,#progress table.heat th{padding:3px 8px;font-size:13px;text-align:center}
#progress table.heat td.swatch{color:#fff;min-width:64px}
#progress table.behind td,#progress table.behind th{padding:3px 8px;font-size:13px}
#progress .legend span{display:inline-block;margin-right:12px;font-size:12px}
</style>
"""


def _words(locale: str) -> Mapping[object, str]:
    return WORDS["en" if locale.startswith("en") else "zh"]


def as_of_of(plan: Plan, checkins: Sequence[CheckIn]) -> date:
    """The last day the check-ins cover, within the plan."""
    last = max(calendar.span(c.period)[1] for c in checkins)
    months = plan.meta.get("months") or []
    return min(last, calendar.span(str(months[-1]))[1]) if months else last


def folder_section(plan: Plan, folder: str | os.PathLike[str]) -> str:
    """The section for the plan folder's store, or "" when it has no check-ins."""
    checkins = latest(os.fspath(folder))
    known = [c for c in checkins if c.kr in plan.graph]
    if not known:
        return ""
    return section(plan, known, as_of_of(plan, known))


def insert(page: str, part: str) -> str:
    """``page`` with ``part`` placed just before its ``</body>``."""
    if not part:
        return page
    at = page.rfind("</body>")
    return page + part if at < 0 else page[:at] + part + page[at:]


def section(plan: Plan, checkins: Sequence[CheckIn], as_of: date) -> str:
    """The progress section (HTML) for ``checkins`` as of ``as_of``."""
    words = _words(plan.locale)
    result = progress(plan, checkins, as_of)
    by_owner = _owners(plan, result)
    parts = [STYLE, '<section id="progress" class="progress">']
    parts.append(f"<h2>{_e(words['title'].format(day=as_of.isoformat()))}</h2>")
    parts.append(_legend(words))
    parts.append(f"<h3>{_e(words['burnup'])}</h3>")
    for owner, krs in list(by_owner.items())[:MAX_OWNERS]:
        parts.append(f'<h4>{_e(_owner_name(plan, owner))}</h4><div class="burnups">')
        for kr in krs:
            parts.append(burnup_svg(plan, kr, checkins, result[kr.id], as_of))
        parts.append("</div>")
    if len(by_owner) > MAX_OWNERS:
        parts.append(f"<p>{_e(words['more'].format(n=len(by_owner) - MAX_OWNERS))}</p>")
    parts.append(heat_map(plan, by_owner, result, words))
    parts.append(behind_list(plan, result, words))
    parts.append("</section>")
    return "\n".join(parts)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _owners(plan: Plan, result: Mapping[str, KrProgress]) -> dict[str, list[KeyResult]]:
    """Owners in tree order with their derived KRs that have data."""
    out: dict[str, list[KeyResult]] = {}
    for owner in queries.tree_order(plan.graph):
        krs = [
            kr
            for _, key_results in queries.sheet(plan.graph, owner)
            for kr in key_results
            if kr.kr_kind is KRKind.DERIVED and kr.periods
            and kr.id in result and result[kr.id].actual is not None
        ]  # fmt: skip
        if krs:
            out[owner] = krs
    return out


def _owner_name(plan: Plan, owner: str) -> str:
    record = node(plan.graph, owner)
    if isinstance(record, RoleGroup):
        return " / ".join((*record.path, record.label))
    return " / ".join(getattr(record, "path", ()) or (record.name,))


def _legend(words: Mapping[object, str]) -> str:
    items = "".join(
        f'<span><svg width="12" height="12"><rect width="12" height="12" fill="{COLOURS[p]}"/>'
        f"</svg> {_e(words[p])}</span>"
        for p in Pace
    )
    return f'<p class="legend">{items}</p>'


# ---------------------------------------------------------------------------------------------
# Burn-up chart.

W, H, PAD_L, PAD_B, PAD_T = 300.0, 150.0, 46.0, 20.0, 8.0


def burnup_svg(
    plan: Plan, kr: KeyResult, checkins: Sequence[CheckIn], got: KrProgress, as_of: date
) -> str:
    """One KR's burn-up: plan cumulative by month (line), actual (bold), projection (dashed)."""
    months = [str(m) for m in plan.meta.get("months") or []]
    ends = [calendar.span(m)[1] for m in months]
    planned, actual = _curves(kr, checkins, got, months, ends, as_of, fiscal_start(plan.meta))
    top = max([*planned, got.actual or Fraction(0), got.projection or Fraction(0), Fraction(1)])
    x_of = _x(len(months))

    def y(value: Fraction) -> float:
        return PAD_T + (H - PAD_T - PAD_B) * (1 - float(value / top))

    lines = [f'<svg class="burnup" viewBox="0 0 {W:.0f} {H:.0f}" width="{W:.0f}" '
             f'height="{H:.0f}" role="img">']  # fmt: skip
    lines.append(f"<title>{_e(kr.name)}</title>")
    lines += _axes(plan, months, top, x_of, y)
    points = " ".join(f"{x_of(i):.1f},{y(v):.1f}" for i, v in enumerate(planned))
    lines.append(f'<polyline class="plan" points="{points}" fill="none" stroke="#1e88e5"/>')
    colour = COLOURS[got.status]
    if actual:
        points = " ".join(f"{x_of(i):.1f},{y(v):.1f}" for i, v in enumerate(actual))
        lines.append(f'<polyline class="actual" points="{points}" fill="none" '
                     f'stroke="{colour}" stroke-width="2.5"/>')  # fmt: skip
    if got.actual is not None:  # where the KR stands (rolled up ones have no line)
        at = len(actual) - 1 if actual else _index_of(ends, as_of)
        if got.projection is not None:
            lines.append(
                f'<line class="projection" x1="{x_of(at):.1f}" y1="{y(got.actual):.1f}" '
                f'x2="{x_of(len(months) - 1):.1f}" y2="{y(got.projection):.1f}" '
                f'stroke="{colour}" stroke-dasharray="4 3"/>'
            )
        lines.append(f'<circle class="now" cx="{x_of(at):.1f}" cy="{y(got.actual):.1f}" r="3" '
                     f'fill="{colour}"/>')  # fmt: skip
    lines.append("</svg>")
    words = _words(plan.locale)
    caption = f"{kr.name} · {percent(got.pace)} · {words[got.status]}{_partial(got, words)}"
    return f"<figure><figcaption>{_e(caption)}</figcaption>{''.join(lines)}</figure>"


def _curves(
    kr: KeyResult,
    checkins: Sequence[CheckIn],
    got: KrProgress,
    months: Sequence[str],
    ends: Sequence[date],
    as_of: date,
    fiscal: int,
) -> tuple[list[Fraction], list[Fraction]]:
    """The plan's cumulative curve at each month's end, and the actual one up to ``as_of``
    (none for a KR rolled up from those aligned to it: it is one point, today); ``fiscal`` is
    the month the plan's year starts in (its KRs' quarters are fiscal quarters)."""
    scale = Fraction(max(got.people, 1))
    schedule = [
        (*_clip(calendar.plan_span(label, fiscal), ends), Fraction(value) * scale)
        for label, value in kr.periods.items()
    ]
    planned = [expected_to(schedule, end) for end in ends]
    own = [c for c in checkins if c.kr == kr.id]
    if not own:
        return planned, []
    actual = [
        # a quarter's check-in spread over its days, as the plan's curve is
        sum((c.value * calendar.elapsed(*calendar.span(c.period), end) for c in own), Fraction(0))
        for month, end in zip(months, ends, strict=True)
        if calendar.start(month) <= as_of
    ]
    return planned, actual


def _axes(
    plan: Plan,
    months: Sequence[str],
    top: Fraction,
    x_of: Callable[[int], float],
    y: Callable[[Fraction], float],
) -> list[str]:
    """The base line, two value labels and up to six month labels."""
    base = H - PAD_B
    lines = [f'<line x1="{PAD_L}" y1="{base}" x2="{W - 4}" y2="{base}" stroke="#999"/>']
    for value in (top, top / 2):
        lines.append(
            f'<text x="{PAD_L - 4}" y="{y(value) + 4:.1f}" font-size="10" text-anchor="end">'
            f"{_e(number(value, plan.locale))}</text>"
        )
    for i, month in enumerate(months):
        if i % max(1, len(months) // 6) == 0:
            lines.append(f'<text x="{x_of(i):.1f}" y="{H - 6}" font-size="10" '
                         f'text-anchor="middle">{_e(month[5:])}</text>')  # fmt: skip
    return lines


def _partial(got: KrProgress, words: Mapping[object, str]) -> str:
    """ " · 部分数据 2/8" where only some reported (the pace is theirs), else ""."""
    if not got.partial:
        return ""
    return " · " + words["partial"].format(n=got.reports[0], of=got.reports[1])


def _clip(span: tuple[date, date], ends: Sequence[date]) -> tuple[date, date]:
    first = date(ends[0].year, ends[0].month, 1)
    return max(span[0], first), min(span[1], ends[-1])


def _x(count: int) -> Callable[[int], float]:
    step = (W - PAD_L - 10) / max(count - 1, 1)

    def x(i: int) -> float:
        return PAD_L + 4 + i * step

    return x


def _index_of(ends: Sequence[date], day: date) -> int:
    return next((i for i, end in enumerate(ends) if day <= end), len(ends) - 1)


# ---------------------------------------------------------------------------------------------
# Heat map and the list of KRs behind plan.


def heat_map(
    plan: Plan,
    by_owner: Mapping[str, list[KeyResult]],
    result: Mapping[str, KrProgress],
    words: Mapping[object, str],
) -> str:
    """Owners × metrics, each cell the pace of the owner's KR of that metric."""
    metrics: dict[str, str] = {}
    for krs in by_owner.values():
        for kr in krs:
            metrics.setdefault(kr.metric or kr.name, kr.name)
    head = "".join(f"<th>{_e(name)}</th>" for name in metrics.values())
    rows = [f'<h3>{_e(words["heat"])}</h3><table class="heat"><thead><tr>'
            f'<th>{_e(words["owner"])}</th>{head}</tr></thead><tbody>']  # fmt: skip
    for owner, krs in list(by_owner.items())[:MAX_ROWS]:
        of_metric = {kr.metric or kr.name: result[kr.id] for kr in krs}
        cells = []
        for metric in metrics:
            got = of_metric.get(metric)
            if got is None:
                cells.append("<td></td>")
                continue
            title = _e(
                f"{words[got.status]}: {number(got.actual, plan.locale)}{_partial(got, words)}"
            )
            cells.append(f'<td class="swatch" style="background:{COLOURS[got.status]}" '
                         f'title="{title}">{_e(percent(got.pace))}</td>')  # fmt: skip
        rows.append(f"<tr><th>{_e(_owner_name(plan, owner))}</th>{''.join(cells)}</tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def behind_list(plan: Plan, result: Mapping[str, KrProgress], words: Mapping[object, str]) -> str:
    """The KRs behind or at risk, worst pace first."""
    late = [
        got for got in result.values()
        if got.status in (Pace.BEHIND, Pace.AT_RISK) and got.pace is not None
    ]  # fmt: skip
    late.sort(key=lambda got: (got.pace, got.kr))
    out = [f"<h3>{_e(words['behind_title'])}</h3>"]
    if not late:
        return out[0] + f"<p>{_e(words['none'])}</p>"
    heads = "".join(
        f"<th>{_e(words[k])}</th>" for k in ("owner", "kr", "pace", "due", "actual_col")
    )
    out.append(f'<table class="behind"><thead><tr>{heads}</tr></thead><tbody>')
    for got in late[:MAX_ROWS]:
        kr = queries.key_result(plan.graph, got.kr)
        out.append(
            f"<tr><td>{_e(_owner_name(plan, kr.owner))}</td><td>{_e(kr.name)}</td>"
            f'<td style="color:{COLOURS[got.status]}">{_e(percent(got.pace))}</td>'
            f"<td>{_e(number(got.expected, plan.locale))}</td>"
            f"<td>{_e(number(got.actual, plan.locale))}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)
