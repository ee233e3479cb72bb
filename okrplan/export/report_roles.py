"""What the HTML report shows of a role group beside its sheet: its reverse funnel, its targets
by month (or week), and why its quota is what it is. The numbers are the plan's, read from the
key results of the role's sheet."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import networkx as nx

from okrplan import queries
from okrplan.export.charts import FunnelStage, PhasingCell, PhasingRow, funnel_chart, phasing_chart
from okrplan.export.sheetmodel import fiscal_start, quarter_of, week_month
from okrplan.model import KeyResult, Per, RoleGroup
from okrplan.numbers import numbers_for
from okrplan.plan import Plan
from okrplan.present import binding_text, label, money_text, per_text
from okrplan.quantity import format_number, format_percent
from okrplan.render.labels import kr_cadence, owner_title

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_name(month: str, locale: str, *, year: bool = False) -> str:
    """``2015-03`` → ``3月`` (``2015年3月`` with the year), ``Mar`` (``Mar 2015``)."""
    number = int(month[5:7])
    if locale.startswith("en"):
        return f"{MONTHS_EN[number - 1]}{' ' + month[:4] if year else ''}"
    return f"{month[:4] + '年' if year else ''}{number}月"


def _role_krs(graph: nx.DiGraph, owner: str) -> list[KeyResult]:
    return [kr for _, krs in queries.sheet(graph, owner) for kr in krs]


# ---------------------------------------------------------------------------------------------
# The reverse funnel


def _metric_funnel(metrics: dict[str, dict[str, Any]], sells: str) -> list[str]:
    """The metrics from the earliest activity that feeds ``sells`` along ``yields`` to where
    the chain ends: calls → visits → opportunities → deals → revenue."""
    chain = [sells]
    while metrics[chain[-1]].get("yields") and len(chain) <= len(metrics):
        chain.append(next(iter(metrics[chain[-1]]["yields"])))
    current = sells
    while True:
        feeders = sorted(k for k, m in metrics.items() if current in (m.get("yields") or {}))
        if not feeders or feeders[0] in chain:
            return chain
        current = feeders[0]
        chain.insert(0, current)


def _funnel_krs(graph: nx.DiGraph, owner: str, base: str) -> dict[str, KeyResult]:
    """The role's key results along the ``drives`` edges into its base KR, by metric (those
    with a plan total)."""
    outcome = next((kr for kr in _role_krs(graph, owner) if kr.metric == base), None)
    if outcome is None:
        return {}
    found: dict[str, KeyResult] = {}
    for kr in queries.funnel_chain(graph, outcome.id):
        if kr.metric and kr.total is not None:
            found.setdefault(kr.metric, kr)
    return found


def _step_text(plan: Plan, above: str, rate: Fraction) -> str:
    value, locale = Decimal(rate.numerator) / Decimal(rate.denominator), plan.locale
    if plan.metrics[above].get("kind") == "money":
        numbers = numbers_for(plan.meta)
        return label(locale, "r_each").format(value=money_text(value, locale, numbers))
    return format_percent(value, locale)


def funnel_stages(plan: Plan, owner: str) -> list[FunnelStage]:
    """The role's funnel from its per-person quota (first) to its earliest activity: the plan
    totals of the key results of its sheet that drive the quota.

    A metric of the chain the sheet has no key result for (成交 between 商机 and 销售额) is
    worked out through the conversion rates, rounded up, and marked as derived: the plan does
    not hold that number (TRANSITIONAL, until it does).
    """
    graph, metrics, locale = plan.graph, plan.metrics, plan.locale
    group = queries.role(graph, owner)
    base = str(plan.meta.get("kpi", {}).get("base") or "revenue")
    if not group.sells or group.sells not in metrics or group.selling is None:
        return []
    chain = _metric_funnel(metrics, group.sells)
    if chain[-1] != base:
        return []
    krs = _funnel_krs(graph, owner, base)
    quota = group.selling.per_person
    need = Fraction(str(quota))
    stages = [
        FunnelStage(
            metrics[base].get("name", base),
            float(need),
            money_text(quota, locale, numbers_for(plan.meta)),
            money=True,
        )
    ]
    for metric, above in zip(reversed(chain[:-1]), reversed(chain[1:]), strict=True):
        rate = Fraction(str(metrics[metric]["yields"][above]))
        need = need / rate if rate else Fraction(0)
        kr = krs.get(metric)
        value = Decimal(str(kr.total)) if kr else Decimal(math.ceil(need))
        unit = str(metrics[metric].get("unit") or "")
        detail = (
            kr_cadence(kr, locale, numbers_for(plan.meta)) if kr and kr.per is not Per.PLAN else ""
        )
        stages.append(
            FunnelStage(
                str(metrics[metric].get("name", metric)),
                float(value),
                format_number(value, locale) + (f" {unit}" if unit else ""),
                detail,
                _step_text(plan, above, rate),
                kr is None,
            )
        )
    return stages


def funnel_svg(plan: Plan, owner: str) -> str:
    stages = funnel_stages(plan, owner)
    if len(stages) < 2:
        return ""
    locale = plan.locale
    title = (
        f"{owner_title(queries.role(plan.graph, owner), plan.locale)}: {label(locale, 'r_funnel')}"
    )
    return funnel_chart(
        stages,
        title=title,
        note=label(locale, "r_sqrt_note"),
        derived_text=label(locale, "r_derived"),
    )


# ---------------------------------------------------------------------------------------------
# Phasing


def _phasing_columns(plan: Plan) -> tuple[list[str], bool]:
    """The phasing chart's columns: the plan's months, or its ISO weeks for a one-month plan
    (then True)."""
    months = [str(m) for m in plan.meta.get("months") or []]
    if len(months) > 1:
        return months, False
    weeks = sorted(
        {
            p
            for kr in queries.records(plan.graph)
            if isinstance(kr, KeyResult)
            for p in kr.periods
            if "-W" in p
        }
    )
    return (weeks, True) if weeks else (months, False)


def _phasing_cell(
    key: str, index: dict[str, int], columns: list[str], weekly: bool, start: int = 1
) -> tuple[tuple[int, int], str] | None:
    """Where a period's value goes (first column, columns spanned) and what that makes the
    row's note; None for a period outside the chart."""
    if key in index:
        return (index[key], 1), ""
    if weekly:  # a month or quarter over the weeks of a one-month plan
        return (0, len(columns)), "r_per_month"
    if "-W" in key:
        month = min(max(week_month(key), columns[0]), columns[-1])
        return (index[month], 1), "r_month_sum"
    if "-Q" in key:
        inside = [i for m, i in index.items() if quarter_of(m, start) == key]
        return ((min(inside), len(inside)), "r_per_quarter") if inside else None
    return None


def _phasing_rows(plan: Plan, owner: str, columns: list[str], weekly: bool) -> list[PhasingRow]:
    """The role's derived key results per column: months (or weeks) as they are, weeks
    summed into the month of their Thursday, quarters (or a month, by weeks) as one bar over
    their columns."""
    locale = plan.locale
    index = {c: i for i, c in enumerate(columns)}
    rows = []
    for kr in _role_krs(plan.graph, owner):
        if not kr.metric or not kr.periods:
            continue
        sums: dict[tuple[int, int], Decimal] = {}
        note = "r_per_week" if weekly else "r_per_month"
        for key, value in kr.periods.items():
            placed = (
                _phasing_cell(key, index, columns, weekly, fiscal_start(plan.meta))
                if value is not None
                else None
            )
            if placed is None:
                continue
            cell, changed = placed
            note = changed or note
            sums[cell] = sums.get(cell, Decimal(0)) + Decimal(str(value))
        cells = tuple(
            PhasingCell(
                start,
                span,
                float(v),
                money_text(v, locale, numbers_for(plan.meta))
                if kr.money
                else format_number(v, locale),
            )
            for (start, span), v in sorted(sums.items())
        )
        unit = "" if kr.money else str(kr.unit or "")
        name = f"{kr.name}" + (
            f" ({unit})" if unit and locale.startswith("en") else f"（{unit}）" if unit else ""
        )
        rows.append(PhasingRow(name, label(locale, note), cells))
    return rows


def phasing_svg(plan: Plan, owner: str) -> tuple[str, str]:
    """The phasing chart of a role and its caption (by month, or by week)."""
    columns, weekly = _phasing_columns(plan)
    rows = _phasing_rows(plan, owner, columns, weekly) if columns else []
    if not rows:
        return "", ""
    locale = plan.locale
    if weekly:
        names = [c.split("-", 1)[1] for c in columns]
    else:
        years = len({m[:4] for m in columns}) > 1
        names = [
            month_name(m, locale, year=years and (i == 0 or m.endswith("-01")))
            for i, m in enumerate(columns)
        ]
    caption = label(locale, "r_phasing_week" if weekly else "r_phasing")
    breaks = (
        [] if weekly else [i for i, m in enumerate(columns) if m[5:7] in ("01", "04", "07", "10")]
    )
    title = f"{owner_title(queries.role(plan.graph, owner), plan.locale)}: {caption}"
    return phasing_chart(rows, names, title=title, breaks=breaks), caption


# ---------------------------------------------------------------------------------------------
# Why the quota is what it is


def why(plan: Plan, group: RoleGroup) -> list[str]:
    """Why the role's quota is what it is: basis and stretch, what binds it, what more
    capacity is worth."""
    locale, metrics, selling = plan.locale, plan.metrics, group.selling
    if selling is None:
        return []
    lines = []
    if selling.stretch is not None:
        lines.append(
            label(locale, "r_basis_line").format(
                basis=money_text(rounded(selling.basis, locale), locale, numbers_for(plan.meta)),
                stretch=selling.stretch,
            )
        )
    binds = [str(r) for r in selling.binding if not str(r).startswith("rounding ")]
    rounding = [str(r) for r in selling.binding if str(r).startswith("rounding ")]
    if not binds and rounding and not rounding[0].endswith(" from level"):
        binds, rounding = rounding, []  # held at a bound, then rounded off it
    reasons = [binding_text(r, metrics, locale) for r in binds]
    if reasons:
        colon = ": " if locale.startswith("en") else "："
        lines.append(
            label(locale, "r_constraint") + colon + join_texts(merge_spans(reasons), locale)
        )
    else:
        lines.append(label(locale, "r_common"))
    lines += [binding_text(r, metrics, locale) for r in rounding]
    for gain in selling.marginal:
        if not gain.adds:
            continue
        metric = metrics.get(gain.metric, {})
        per = str(gain.per or "plan")
        if locale.startswith("en"):
            when = "over the plan" if per == "plan" else f"per {per_text(per, locale)}"
        else:
            when = "全期" if per == "plan" else f"每{per_text(per, locale)}"
        lines.append(
            label(locale, "r_marginal").format(
                per=when,
                unit=metric.get("unit") or "",
                metric=metric.get("name", gain.metric),
                adds=money_text(gain.adds, locale, numbers_for(plan.meta)),
            )
        )
    return lines


def rounded(value: Any, locale: str) -> Decimal:
    """A computed amount to the precision a planner reads: whole 万 (thousands in English).

    >>> rounded(78214286, "zh-CN"), rounded(78214286, "en")
    (Decimal('78210000'), Decimal('78214000'))
    """
    step = Decimal(1000 if locale.startswith("en") else 10_000)
    return (Decimal(str(value)) / step).quantize(Decimal(1)) * step


def join_texts(parts: list[str], locale: str) -> str:
    return ("; " if locale.startswith("en") else "；").join(parts)


def merge_spans(reasons: list[str]) -> list[str]:
    """The same constraint in several months said once: ``… (2015-10, 2015-11)``, runs of
    more than two months as ``2015-01–2015-12``.

    >>> merge_spans(["产能 a 1/月（2015-01）", "产能 a 1/月（2015-02）", "产能 a 1/月（2015-03）"])
    ['产能 a 1/月（2015-01–2015-03）']
    """
    order: dict[str, list[str]] = {}
    for reason in reasons:
        found = re.fullmatch(r"(.*)([（(])([^（()）]+)([)）])", reason)
        key, span = (
            (found.group(1) + found.group(2) + "\0" + found.group(4), found.group(3))
            if found
            else (reason, "")
        )
        spans = order.setdefault(key, [])
        if span and span not in spans:
            spans.append(span)
    out = []
    for key, spans in order.items():
        if "\0" not in key:
            out.append(key)
            continue
        out.append(key.replace("\0", _runs(spans)))
    return out


def _runs(spans: list[str]) -> str:
    months = [s for s in spans if re.fullmatch(r"\d{4}-\d{2}", s)]
    if len(months) != len(spans) or len(months) < 3:
        return ", ".join(spans)
    numbers = sorted(int(m[:4]) * 12 + int(m[5:]) - 1 for m in months)
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])

    def name(n: int) -> str:
        return f"{n // 12:04d}-{n % 12 + 1:02d}"

    return ", ".join(
        name(r[0])
        if len(r) == 1
        else f"{name(r[0])}, {name(r[1])}"
        if len(r) == 2
        else f"{name(r[0])}–{name(r[-1])}"
        for r in runs
    )
