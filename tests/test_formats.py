"""One money format per locale in every text output (issue 18): amounts shown together in one
unit, never raw yuan, never more decimals than the money rounding step has in the unit."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from okrplan import api
from okrplan.export.markdown import to_markdown
from okrplan.export.report import report_html
from okrplan.export.sheetfiles import to_index_markdown, to_sheet_markdown
from okrplan.export.sheets import build_book
from okrplan.numbers import Numbers, Scale, money_scale, numbers_for, plural
from okrplan.render.dot import to_dot

GOLDEN = Path(__file__).parent / "golden" / "scenarios"
SCENARIOS = sorted(p.name for p in GOLDEN.iterdir() if (p / "plan.json").exists())

# An amount as okrplan writes it: 8,000万, 1.57亿, $530k, ¥18M.
ZH_MONEY = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})*(?:\.(\d+))?)(亿|万)")
EN_MONEY = re.compile(r"[$¥€£](\d{1,3}(?:,\d{3})*(?:\.(\d+))?)([MkB]?)")
RAW = re.compile(r"(?<![\d.,#:/-])(\d{7,}|\d{1,3}(?:,\d{3}){2,})(?![\d%])")


# ---------------------------------------------------------------------------------------------
# The formatter, by hand


def test_amounts_shown_together_share_one_unit() -> None:
    zh = Numbers("zh-CN", "CNY", Decimal(100_000))
    # 1.2亿 and 1.296亿: 1.296 needs three places in 亿, so both in 万
    assert zh.amounts([120_000_000, 129_600_000]) == ("12,000万", "12,960万")
    # 16亿 and 16.8亿: both in 亿
    assert zh.amounts([1_600_000_000, 1_680_000_000]) == ("16亿", "16.8亿")
    # 1.57亿 beside 5,800万: the smaller one decides
    assert zh.amounts([157_000_000, 58_000_000]) == ("15,700万", "5,800万")
    en = Numbers("en", "USD", Decimal(10_000))
    assert en.amounts([18_000_000, 19_800_000]) == ("$18M", "$19.8M")
    assert en.amounts([530_000, 3_900_000]) == ("$530k", "$3,900k")


def test_precision_is_the_rounding_step() -> None:
    # 95% of 550万 = 522.5万; a 10万 step has no decimals in 万: 523万 (half up)
    assert Numbers("zh-CN", step=Decimal(100_000)).money(5_225_000) == "523万"
    # a 1,000 step has one decimal in 万: 522.5万
    assert Numbers("zh-CN", step=Decimal(1_000)).money(5_225_000) == "522.5万"
    # 2,116,920 with a 10k step: 0.01M, so $2.12M (never 2,116.92k)
    assert Numbers("en", "USD", Decimal(10_000)).money(2_116_920) == "$2.12M"
    # below 1万 (10,000 in English): plain digits
    assert money_scale([5_000], "en") == Scale(0, "", 0)
    assert Numbers("en", "EUR").money(-5_000) == "-€5,000"


def test_english_counts_agree_with_their_number() -> None:
    en = Numbers("en")
    assert en.count(1, "meeting", "week") == "1 meeting/week"
    assert en.count(2, "meeting", "week") == "2 meetings/week"
    assert en.count(1_035, "opportunity") == "1,035 opportunities"
    assert (plural("person", 1), plural("person", 3)) == ("person", "people")
    assert Numbers("zh-CN").count(71, "个", "周") == "71 个/周"


# ---------------------------------------------------------------------------------------------
# Every text output of the shipped scenarios


def _plans() -> list[tuple[str, api.Plan]]:
    out = []
    for name in SCENARIOS:
        plan = api.load_plan(GOLDEN / name / "plan.json")
        out.append((f"{name}-zh", plan))
        english = {**plan.meta, "locale": "en", "currency": "USD"}
        out.append((f"{name}-en", replace(plan, meta=english)))
    return out


PLANS = _plans()


def _texts(plan: api.Plan) -> dict[str, str]:
    book = build_book(plan)
    texts = {"plan.md": to_markdown(plan), "index.md": to_index_markdown(book, {})}
    for sheet in book.sheets:
        texts[f"sheets/{sheet.file_stem}.md"] = to_sheet_markdown(sheet, book)
    page = report_html(plan, draw=False)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    texts["report.html"] = html.unescape(re.sub(r"<[^>]+>", " ", page))
    texts["tree.dot"] = html.unescape(re.sub(r"<[^>]+>", " ", to_dot(plan)))
    texts["explain"] = api.explain_text(plan)
    return texts


def _suffixes(text: str, locale: str) -> list[tuple[str, int]]:
    """(unit suffix, decimals) of each amount in ``text``."""
    pattern = EN_MONEY if locale == "en" else ZH_MONEY
    return [(m.group(3), len(m.group(2) or "")) for m in pattern.finditer(text)]


@pytest.mark.parametrize(("name", "plan"), PLANS, ids=[n for n, _ in PLANS])
def test_every_output_has_one_money_format(name: str, plan: api.Plan) -> None:
    locale = "en" if plan.locale == "en" else "zh"
    step = numbers_for(plan.meta).step
    exponent = {"亿": 8, "万": 4, "M": 6, "k": 3, "B": 9, "": 0}
    for where, text in _texts(plan).items():
        # what rounding moved is below one step, so it is shown finer (present.binding_text)
        text = re.sub(r"(取整：每人|rounding: )[-+][^ （]+", "", text)
        raw = [m.group(0) for m in RAW.finditer(text)]
        assert not raw, f"{name} {where}: raw amounts {raw[:5]}"
        for suffix, places in _suffixes(text, locale):
            allowed = max(0, -int(step.scaleb(-exponent[suffix]).normalize().as_tuple().exponent))
            assert places <= min(allowed, 2), f"{name} {where}: {places} places in {suffix}"
        if not where.endswith(".md"):
            continue
        for line in text.splitlines():
            if line.startswith("#"):  # a heading: its target and what it passes down
                units = {s for s, _ in _suffixes(line, locale)}
                assert len(units) <= 1, f"{name} {where}: {line}"
        for column in _table_columns(text):
            units = {s for cell in column for s, _ in _suffixes(cell, locale)}
            assert len(units) <= 1, f"{name} {where}: one column in {units}: {column}"


def _table_columns(text: str) -> list[list[str]]:
    """The columns of every Markdown table in ``text`` (header and rule rows left out)."""
    columns: list[list[str]] = []
    table: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            table.append([c.strip() for c in line.strip("|").split(" | ")])
            continue
        if len(table) > 2:
            body = [row for row in table[2:] if len(row) == len(table[0])]
            columns += [list(cells) for cells in zip(*body, strict=True)]
        table = []
    return columns
