"""The tables ``okrplan score`` prints and writes to Markdown, in the plan's language, amounts
through the plan's formatter (:mod:`okrplan.numbers`): ``550万``, ``$530k``, never raw yuan.

The CSV (:func:`okrplan.score.to_csv`) keeps plain numbers in base units, for a spreadsheet.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from okrplan import queries
from okrplan.numbers import Numbers, money_scale, number_text, numbers_for
from okrplan.score import ScoreOptions, SheetScore

_HEADERS = {
    "zh-CN": ("目标", "关键成果", "权重", "考核目标", "实际完成", "得分", "O分值"),
    "en": ("Objective", "Key result", "Weight", "Scored against", "Actual", "Score", "O score"),
}
_TEXT = {
    "zh-CN": {"title": "{name}：合计 {total}", "deductions": "减分项：-{n}"},
    "en": {"title": "{name}: total {total}", "deductions": "deductions: -{n}"},
}


def headers(locale: str) -> tuple[str, ...]:
    """The score table's column headers in the plan's language."""
    return _HEADERS["en" if locale.startswith("en") else "zh-CN"]


def title(sheet: SheetScore, locale: str) -> str:
    """``销售岗 (销售部)：合计 79.48``."""
    text = _TEXT["en" if locale.startswith("en") else "zh-CN"]["title"]
    return text.format(name=sheet.name, total=_plain(sheet.total))


def table_rows(plan: Any, sheet: SheetScore, options: ScoreOptions) -> list[list[str]]:
    """One row per KR of a scored sheet: objective, KR, weight, target, actual, score, O分值.

    Money KRs' targets and actuals are amounts in one unit for the sheet (``550万`` beside
    ``523万``); counts carry their unit; scores and O分值 are plain to two places.
    """
    numbers = numbers_for(plan.meta)
    money = {kr.id: _kr_money(plan, kr.id) for o in sheet.objectives for kr in o.krs}
    amounts = [
        _decimal(v)
        for o in sheet.objectives
        for kr in o.krs
        if money[kr.id][0]
        for v in (kr.target, kr.actual)
        if v is not None
    ]
    scale = money_scale(amounts, numbers.locale, numbers.step)
    rows = []
    for objective in sheet.objectives:
        for kr in objective.krs:
            is_money, unit = money[kr.id]
            score = f"-{_plain(kr.deduction)}" if kr.deduction else _score_text(kr.score, options)
            rows.append(
                [
                    objective.name,
                    kr.name,
                    "" if kr.weight is None else f"{_plain(Fraction(kr.weight))}%",
                    _value(numbers, kr.target, is_money, unit, scale),
                    _value(numbers, kr.actual, is_money, unit, scale),
                    score,
                    _plain(objective.points),
                ]
            )
    return rows


def to_markdown(plan: Any, sheets: list[SheetScore], options: ScoreOptions) -> str:
    """The scores as Markdown, one table per sheet, in the plan's language."""
    locale = plan.locale
    heads = headers(locale)
    lines: list[str] = []
    for sheet in sheets:
        lines += [f"## {title(sheet, locale)}", ""]
        lines += ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        for row in table_rows(plan, sheet, options):
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
        if sheet.deductions:
            text = _TEXT["en" if locale.startswith("en") else "zh-CN"]["deductions"]
            lines += ["", text.format(n=_plain(sheet.deductions))]
        lines.append("")
    return "\n".join(lines)


def _kr_money(plan: Any, kr_id: str) -> tuple[bool, str]:
    if kr_id not in plan.graph:
        return False, ""
    kr = queries.key_result(plan.graph, kr_id)
    return bool(kr.money), "" if kr.money or kr.target_kind == "percent" else (kr.unit or "")


def _value(numbers: Numbers, value: Fraction | None, money: bool, unit: str, scale: Any) -> str:
    if value is None:
        return ""
    if money:
        return numbers.money(_decimal(value), scale)
    return numbers.count(_decimal(value, 2), unit)


def _decimal(value: Fraction, places: int = 6) -> Any:
    from decimal import Decimal

    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(1).scaleb(-places)
    )


def _score_text(score: Fraction | None, options: ScoreOptions) -> str:
    if score is None:
        return ""
    return f"{_plain(score * 100, 1)}%" if options.percent else _plain(score)


def _plain(value: Fraction, places: int = 2) -> str:
    """To at most ``places`` decimals, trailing zeros dropped: 79.48, 0.9, -10."""
    text = number_text(_decimal(Fraction(value), places))
    return text.replace(",", "")
