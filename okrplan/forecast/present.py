"""A forecast as text: an aligned table, Markdown, or JSON; in the plan's language."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from okrplan.forecast.amounts import column
from okrplan.forecast.run import Forecast
from okrplan.forecast.simulate import RowStats
from okrplan.forecast.uncertainty import DEFAULT_ATTAINMENT, DEFAULT_RATE_SPREAD, RateBelief
from okrplan.quantity import format_number
from okrplan.text import text_width

_TEXT = {
    "zh-CN": {
        "title": "{name} 的预测：{sims:,} 次模拟，种子 {seed}",
        "as_of": "截至 {day} 的实际已计入，只模拟其后的计划",
        "no_checkins": "{n} 个销售组截至当日没有销售额打卡，按 0 计",
        "rate": "转化率 {a}→{b} {rate}：{how}",
        "evidence": "Beta({alpha:g}, {beta:g})，依据 {won}/{tried}",
        "spread": "标准差 {sd}",
        "default": "默认标准差 ±{rel:.0%}（{sd}）",
        "fixed": "固定",
        "attain": "活动达成率：{d}/{n} 个销售组用默认值（均值 {mean:.0%}，个人标准差 {sd:.0f}pp）",
        "head": ("单位", "目标", "达成概率", "保底 P10", "中位 P50", "挑战 P90"),
        "need": "要使达成概率 ≥ {c}：活动量 ×{m:.3f}，即每级超额分配 {b2:.1%}（现为 {b}），"
        "达成概率 {p:.1%}",
        "never": "即使活动量 ×64，达成概率也到不了 {c}",
        "activity": "；计划活动量：",
        "sep": "，",
        "legend": "保底/中位/挑战：以 90%/50%/10% 的概率达到的结果",
    },
    "en": {
        "title": "Forecast of {name}: {sims:,} simulations, seed {seed}",
        "as_of": "actuals to {day} are fixed; only the rest of the plan is simulated",
        "no_checkins": "{n} selling groups have no check-ins of the KPI to date; counted as 0",
        "rate": "rate {a}→{b} {rate}: {how}",
        "evidence": "Beta({alpha:g}, {beta:g}) from {won}/{tried}",
        "spread": "standard deviation {sd}",
        "default": "default standard deviation ±{rel:.0%} ({sd})",
        "fixed": "fixed",
        "attain": "activity attainment: default (mean {mean:.0%}, spread {sd:.0f}pp per "
        "person) for {d} of {n} selling groups",
        "head": ("Unit", "Target", "P(hit)", "Commit P10", "Median P50", "Stretch P90"),
        "need": "For P(hit) ≥ {c}: activity ×{m:.3f}, a buffer of {b2:.1%} per level "
        "instead of {b} (P(hit) {p:.1%})",
        "never": "Not even activity ×64 reaches P(hit) {c}",
        "activity": "; planned activity: ",
        "sep": ", ",
        "legend": "commit / median / stretch: the outcomes reached with 90% / 50% / 10% "
        "probability",
    },
}


def _t(fc: Forecast) -> dict[str, Any]:
    return _TEXT["en" if fc.plan.locale == "en" else "zh-CN"]


def _pp(value: float) -> str:
    return f"{value * 100:.1f}pp".replace(".0pp", "pp")


def _rate_line(fc: Forecast, b: RateBelief) -> str:
    t, names = _t(fc), fc.plan.metrics
    how = {
        "evidence": lambda: t["evidence"].format(
            alpha=b.alpha, beta=b.beta, won=int(b.alpha - 1), tried=int(b.alpha + b.beta - 2)
        ),
        "spread": lambda: t["spread"].format(sd=_pp(b.sd)),
        "default": lambda: t["default"].format(rel=DEFAULT_RATE_SPREAD, sd=_pp(b.sd)),
        "fixed": lambda: t["fixed"],
    }[b.source]()
    return str(
        t["rate"].format(
            a=names[b.metric]["name"], b=names[b.to]["name"], rate=f"{b.rate * 100:.4g}%", how=how
        )
    )


def notes(fc: Forecast) -> list[str]:
    """The assumptions and what the output leaves out, one line each."""
    t = _t(fc)
    out = [_rate_line(fc, b) for b in fc.rates]
    if fc.default_attainment:
        mean, sd = DEFAULT_ATTAINMENT
        out.append(t["attain"].format(mean=mean, sd=sd * 100, d=fc.default_attainment, n=fc.groups))
    if fc.as_of is not None:
        out.append(t["as_of"].format(day=fc.as_of.isoformat()))
        if fc.no_checkins:
            out.append(t["no_checkins"].format(n=len(fc.no_checkins)))
    return out


def need_line(fc: Forecast) -> str | None:
    need = fc.need
    if need is None:
        return None
    t = _t(fc)
    c, b = _percent(need.confidence), _percent(need.buffer)
    if need.multiplier is None:
        return str(t["never"].format(c=c))
    line = str(t["need"].format(c=c, m=need.multiplier, b2=need.needed, b=b, p=need.p_hit))
    names, locale = fc.plan.metrics, fc.plan.locale
    steps = [
        f"{names[metric]['name']} {format_number(Decimal(round(count)), locale)} → "
        f"{format_number(Decimal(round(count * need.multiplier)), locale)}"
        for metric, count in fc.activity
    ]
    return line + (t["activity"] + t["sep"].join(steps) if steps else "")


def _percent(value: float) -> str:
    """A percentage to one decimal at most: 10%, 12.5%."""
    return f"{value * 100:.1f}".removesuffix(".0") + "%"


def cells(fc: Forecast, depth: int | None, start: str | None = None) -> list[list[str]]:
    """The table's rows of text: a unit (indented by depth), its target and its stats; the
    targets in one unit, the outcomes in one unit (:mod:`okrplan.forecast.amounts`)."""
    shown = []
    top = next((r for r in fc.rows if r.id == start), None)
    for row, s in zip(fc.rows, fc.stats, strict=True):
        if top is not None and row.path[: len(top.path)] != top.path:
            continue
        level = row.depth - (top.depth if top else 0)
        if depth is None or level <= depth:
            shown.append((level, row, s))
    meta, metrics = fc.plan.meta, fc.plan.metrics
    targets = column(meta, metrics, [r.target for _, r, _ in shown], simulated=False)
    # P10, P50 and P90 are one quantity: their three columns share a unit
    outcomes = column(
        meta, metrics, [v for _, _, s in shown for v in (s.p10, s.p50, s.p90)], simulated=True
    )
    return [
        ["  " * level + row.name, targets[i], f"{s.p_hit:.1%}", *outcomes[3 * i : 3 * i + 3]]
        for i, (level, row, s) in enumerate(shown)
    ]


def to_table(fc: Forecast, depth: int | None = None, start: str | None = None) -> str:
    """Plain text: the title, the table (aligned, CJK counted double) and the notes."""
    t = _t(fc)
    rows = [list(t["head"]), *cells(fc, depth, start)]
    widths = [max(text_width(r[i]) for r in rows) for i in range(len(rows[0]))]

    def line(r: list[str]) -> str:
        first = r[0] + " " * (widths[0] - text_width(r[0]))
        rest = [" " * (w - text_width(c)) + c for c, w in zip(r[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    lines = [t["title"].format(name=fc.plan.meta["name"], sims=fc.sims, seed=fc.seed), ""]
    lines += [line(r) for r in rows]
    lines += ["", t["legend"], *notes(fc)]
    if (need := need_line(fc)) is not None:
        lines.append(need)
    return "\n".join(lines) + "\n"


def to_markdown(fc: Forecast, depth: int | None = None, start: str | None = None) -> str:
    """Markdown: a heading, the table and the notes as a list."""
    t = _t(fc)
    head = t["head"]
    lines = [f"# {t['title'].format(name=fc.plan.meta['name'], sims=fc.sims, seed=fc.seed)}", ""]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * (len(head) - 1)]
    for r in cells(fc, depth, start):
        r[0] = "&nbsp;" * 2 * (len(r[0]) - len(r[0].lstrip())) + r[0].strip()
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    lines += ["", f"- {t['legend']}", *(f"- {n}" for n in notes(fc))]
    if (need := need_line(fc)) is not None:
        lines.append(f"- **{need}**")
    return "\n".join(lines) + "\n"


def _stats_json(s: RowStats) -> dict[str, Any]:
    return {
        "p_hit": round(s.p_hit, 4),
        "p10": round(s.p10),
        "p50": round(s.p50),
        "p90": round(s.p90),
        "mean": round(s.mean),
    }


def to_json(fc: Forecast) -> str:
    """JSON: every unit's stats, the company's histogram, the assumptions, the buffer."""
    data: dict[str, Any] = {
        "okrplan_forecast": 1,
        "plan": fc.plan.meta["name"],
        "sims": fc.sims,
        "seed": fc.seed,
        "as_of": fc.as_of.isoformat() if fc.as_of else None,
        "units": [
            {"id": r.id, "name": r.name, "target": round(r.target), "done": round(r.done)}
            | _stats_json(s)
            for r, s in zip(fc.rows, fc.stats, strict=True)
        ],
        "histogram": {"edges": list(fc.histogram[0]), "counts": list(fc.histogram[1])},
        "rates": [
            {
                "from": b.metric,
                "to": b.to,
                "rate": b.rate,
                "alpha": round(b.alpha, 6),
                "beta": round(b.beta, 6),
                "source": b.source,
            }
            for b in fc.rates
        ],
        "default_attainment": {"groups": fc.default_attainment, "of": fc.groups},
        "no_checkins": list(fc.no_checkins),
        "notes": notes(fc),
    }
    if fc.need is not None:
        n = fc.need
        data["confidence"] = {
            "confidence": n.confidence,
            "multiplier": n.multiplier,
            "p_hit": n.p_hit,
            "buffer": n.buffer,
            "buffer_needed": None if n.needed is None else round(n.needed, 4),
            "levels": n.levels,
            "activity": {
                metric: [
                    round(count),
                    None if n.multiplier is None else round(count * n.multiplier),
                ]
                for metric, count in fc.activity
            },
        }
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
