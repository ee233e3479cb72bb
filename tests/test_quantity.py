"""Tests for okrplan.quantity: parsing and formatting planner quantities exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okrplan.errors import OkrplanError
from okrplan.quantity import (
    Per,
    Quantity,
    QuantityError,
    QuantityKind,
    format_number,
    format_percent,
    format_quantity,
    parse_per,
    parse_quantity,
    per_label,
)

N, PCT, PP = QuantityKind.NUMBER, QuantityKind.PERCENT, QuantityKind.POINTS

ACCEPTED = [
    # Chinese units with digits
    ("8000万", "80000000", N, None),
    ("1.2亿", "120000000", N, None),
    ("3千", "3000", N, None),
    ("3千万", "30000000", N, None),
    ("1.5千万", "15000000", N, None),
    ("1亿2000万", "120000000", N, None),
    ("8,800万", "88000000", N, None),
    ("12,345万", "123450000", N, None),
    ("2万亿", "2000000000000", N, None),
    ("15百万", "15000000", N, None),
    # measure words that start with a character an estimate also uses (来, 下, 上)
    ("1万下载", "10000", N, None),
    ("200次来访", "200", N, None),
    ("200来访", "200", N, None),
    ("30家上线门店", "30", N, None),
    # Chinese numerals
    ("八千万", "80000000", N, None),
    ("两百", "200", N, None),
    ("一亿二千万", "120000000", N, None),
    ("三千五百万", "35000000", N, None),
    ("十", "10", N, None),
    ("十五", "15", N, None),
    ("二十五", "25", N, None),
    ("一百一十", "110", N, None),
    ("零", "0", N, None),
    ("〇", "0", N, None),
    ("一千零五", "1005", N, None),
    ("一亿零五百万", "105000000", N, None),
    ("三千五", "3500", N, None),
    ("一万二", "12000", N, None),
    ("两百五", "250", N, None),
    ("9万9", "99000", N, None),
    ("1亿2", "120000000", N, None),
    ("1万2000", "12000", N, None),
    ("百万", "1000000", N, None),
    ("一千二百三十四万五千六百七十八", "12345678", N, None),
    ("壹佰贰拾", "120", N, None),
    ("叁仟伍佰万", "35000000", N, None),
    # English suffixes and plain digits
    ("80M", "80000000", N, None),
    ("400k", "400000", N, None),
    ("400K", "400000", N, None),
    ("1.5B", "1500000000", N, None),
    ("2bn", "2000000000", N, None),
    ("1.5 million", "1500000", N, None),
    ("1,200", "1200", N, None),
    ("1，200", "1200", N, None),
    ("1,234,567.5", "1234567.5", N, None),
    ("3000", "3000", N, None),
    ("0.1", "0.1", N, None),
    ("1e6", "1000000", N, None),
    ("-200", "-200", N, None),
    ("0.000000000001", "0.000000000001", N, None),
    # full-width characters, currency, measure words, spaces
    ("８０００万", "80000000", N, None),
    ("¥8000万", "80000000", N, None),
    ("￥8000万", "80000000", N, None),
    ("8000万元", "80000000", N, None),
    ("1.2亿元", "120000000", N, None),
    ("40 万", "400000", N, None),
    ("  8000万  ", "80000000", N, None),
    # percents and percentage points
    ("25%", "0.25", PCT, None),
    ("25％", "0.25", PCT, None),
    ("12.5%", "0.125", PCT, None),
    ("100%", "1", PCT, None),
    ("-5%", "-0.05", PCT, None),
    ("百分之二十五", "0.25", PCT, None),
    ("+5pp", "0.05", PP, None),
    ("-3pp", "-0.03", PP, None),
    ("+5 pp", "0.05", PP, None),
    ("＋５ｐｐ", "0.05", PP, None),
    ("5个百分点", "0.05", PP, None),
    ("-3个百分点", "-0.03", PP, None),
    # rates
    ("100/周", "100", N, Per.WEEK),
    ("20/月", "20", N, Per.MONTH),
    ("2/季度", "2", N, Per.QUARTER),
    ("12/年", "12", N, Per.YEAR),
    ("100/week", "100", N, Per.WEEK),
    ("20/month", "20", N, Per.MONTH),
    ("2/quarter", "2", N, Per.QUARTER),
    ("12/year", "12", N, Per.YEAR),
    ("100次/周", "100", N, Per.WEEK),
    ("25家/月", "25", N, Per.MONTH),
    ("25家次/月", "25", N, Per.MONTH),
    ("100 per week", "100", N, Per.WEEK),
    ("100 / 周", "100", N, Per.WEEK),
    ("100／周", "100", N, Per.WEEK),
    ("10万/月", "100000", N, Per.MONTH),
    ("5%/月", "0.05", PCT, Per.MONTH),
    ("每周100次", "100", N, Per.WEEK),
    ("每个月25家", "25", N, Per.MONTH),
    ("每季度 2", "2", N, Per.QUARTER),
]


@pytest.mark.parametrize(
    ("text", "value", "kind", "per"), ACCEPTED, ids=[row[0].strip() for row in ACCEPTED]
)
def test_parse_quantity_accepts(text: str, value: str, kind: QuantityKind, per: Per | None) -> None:
    q = parse_quantity(text)
    assert (q.value, q.kind, q.per, q.text) == (Decimal(value), kind, per, text)
    assert str(q.value) == str(Decimal(value))  # canonical: no needless exponent or trailing 0


NON_TEXT = [
    (3000, "3000"),
    (-5, "-5"),
    (0.1, "0.1"),
    (1e8, "100000000"),
    (Decimal("1.2E+8"), "120000000"),
    (Decimal("12.50"), "12.5"),
]


@pytest.mark.parametrize(("raw", "value"), NON_TEXT, ids=[repr(raw) for raw, _ in NON_TEXT])
def test_parse_quantity_accepts_numbers(raw: int | float | Decimal, value: str) -> None:
    q = parse_quantity(raw)
    assert q == Quantity(Decimal(value))
    assert str(q.value) == value


REJECTED = [
    ("", "empty"),
    ("   ", "empty"),
    ("abc", "not a quantity I can read"),
    ("8000万万", "repeats the unit 万"),
    ("一亿亿", "repeats the unit 亿"),
    ("一万三千万", "repeats the unit 万"),
    ("三百千", "unit 千 out of order"),
    ("万", "no number before 万"),
    ("1亿万", "no number before 万"),
    ("1万20000", "too large for its place"),
    ("十万五", "does not say the place of its last digit"),
    ("1.5万2", "does not say the place of its last digit"),
    ("千百", "no number before 百"),
    ("一万十", "no number before 十"),
    ("100周", "ends in a period but has no '/'"),
    ("3个月", "ends in a period but has no '/'"),
    ("100次每周", "ends in a period but has no '/'"),
    ("三十几", "an estimate"),
    ("30多家", "an estimate"),
    ("50余家", "an estimate"),
    ("30多家门店", "an estimate"),
    ("50余万", "not a quantity I can read"),
    ("三十来个", "an estimate"),
    ("100左右", "an estimate"),
    ("1.2.3", "not a quantity I can read"),
    ("12,00", "not a quantity I can read"),
    ("1 2", "not a quantity I can read"),
    ("%", "has no number"),
    ("pp", "has no number"),
    ("元", "has no number"),
    ("/周", "has no number"),
    ("100/fortnight", "period 'fortnight'"),
    ("100/2周", "period '2周'"),
    ("1/2/3", "more than one period"),
    ("nan", "not a quantity I can read"),
    ("inf", "not a quantity I can read"),
    ("1e400", "too large"),
    ("100000000000亿", "too large"),
    ("0.0000000000001", "more than 12 decimal places"),
    ("0.00000000001%", "more than 12 decimal places"),
    (True, "yes/no value"),
    (False, "yes/no value"),
    (float("nan"), "not a number"),
    (float("inf"), "too large"),
    (10**19, "too large"),
    (Decimal("1e400"), "too large"),
    (Decimal("NaN"), "not a number"),
    (1e-13, "more than 12 decimal places"),
    ([1], "list is not a quantity"),
]


@pytest.mark.parametrize(("raw", "fragment"), REJECTED, ids=[repr(raw) for raw, _ in REJECTED])
def test_parse_quantity_rejects(raw: object, fragment: str) -> None:
    with pytest.raises(QuantityError, match=fragment) as error:
        parse_quantity(raw)  # type: ignore[arg-type]
    assert str(error.value).endswith(".")
    assert error.value.hint


HINTS = [
    ("abc", "8000万, 1.2亿, 80M, 400k"),
    ("8000万万", "write an amount like 8000万, 1.2亿, 80M or 400k"),
    ("%", "write a percent like 25%"),
    ("pp", "+5pp"),
    ("/周", "write a rate like 100/周"),
    ("100周", "write a rate like 100/周"),
    ("100/fortnight", "周/week, 月/month, 季度/quarter or 年/year"),
    ("0.0000000000001", "at most 12 decimal places"),
]


@pytest.mark.parametrize(("raw", "hint"), HINTS, ids=[raw for raw, _ in HINTS])
def test_errors_carry_hints(raw: str, hint: str) -> None:
    with pytest.raises(QuantityError) as error:
        parse_quantity(raw)
    assert hint in error.value.hint


def test_quantity_error_is_a_value_error_under_the_project_root() -> None:
    assert issubclass(QuantityError, ValueError)
    assert issubclass(QuantityError, OkrplanError)


def test_text_is_not_part_of_equality() -> None:
    assert parse_quantity("8000万") == parse_quantity("80M") == parse_quantity("八千万")
    assert hash(parse_quantity("25%")) == hash(parse_quantity("25％"))
    assert parse_quantity("25%") != parse_quantity("0.25")
    assert parse_quantity("100/周") != parse_quantity("100/月")


PERIODS = [
    *[(word, Per.WEEK) for word in ("周", "每周", "星期", "week", "Weekly", "wk")],
    *[(word, Per.MONTH) for word in ("月", "每月", "month", "monthly")],
    *[(word, Per.QUARTER) for word in ("季度", "季", "quarter", "quarterly", "Q")],
    *[(word, Per.YEAR) for word in ("年", "年度", "year", "yearly", "annual", "annually")],
]


@pytest.mark.parametrize(("word", "per"), PERIODS, ids=[word for word, _ in PERIODS])
def test_parse_per(word: str, per: Per) -> None:
    assert parse_per(word) is per


def test_parse_per_rejects_unknown_periods() -> None:
    with pytest.raises(QuantityError, match="'fortnight' is not one I know") as error:
        parse_per("fortnight")
    assert "季度/quarter" in error.value.hint


NUMBERS = [
    (3000, "zh-CN", "3,000"),
    (Decimal("12.5"), "zh-CN", "12.5"),
    (Decimal("12.50"), "zh-CN", "12.5"),
    (9999, "zh-CN", "9,999"),
    (10000, "zh-CN", "1万"),
    (400_000, "zh-CN", "40万"),
    (125_000, "zh-CN", "12.5万"),
    (88_000_000, "zh-CN", "8,800万"),
    (100_000_000, "zh-CN", "1亿"),
    (120_000_000, "zh-CN", "1.2亿"),
    (1_600_000_000, "zh-CN", "16亿"),
    (123_450_000, "zh-CN", "12,345万"),
    (12_345_678, "zh-CN", "12,345,678"),
    (Decimal("12345.67"), "zh-CN", "12,345.67"),
    (Decimal("1.2E+8"), "zh-CN", "1.2亿"),
    (Decimal("0.001"), "zh-CN", "0.001"),
    (0, "zh-CN", "0"),
    (Decimal("-0"), "zh-CN", "0"),
    (-400_000, "zh-CN", "-40万"),
    (10**12, "zh-CN", "10,000亿"),
    (88_000_000, "en", "88M"),
    (1_500_000_000, "en", "1.5B"),
    (400_000, "en", "400k"),
    (12_000, "en", "12k"),
    (1200, "en", "1,200"),
    (1_250_000, "en", "1.25M"),
    (1_234_567, "en", "1,234,567"),
    (123_456_000, "en", "123,456k"),
    (-88_000_000, "en", "-88M"),
    (10**12, "en", "1,000B"),
]


@pytest.mark.parametrize(
    ("value", "locale", "text"), NUMBERS, ids=[f"{v}-{loc}" for v, loc, _ in NUMBERS]
)
def test_format_number(value: Decimal | int, locale: str, text: str) -> None:
    assert format_number(value, locale) == text
    assert format_number(value, locale, money=True) == text


PERCENTS = [
    ("0.25", "zh-CN", False, "25%"),
    ("0.125", "zh-CN", False, "12.5%"),
    ("1", "en", False, "100%"),
    ("0", "en", False, "0%"),
    ("-0.05", "zh-CN", False, "-5%"),
    ("12.5", "en", False, "1,250%"),
    ("0.05", "zh-CN", True, "+5个百分点"),
    ("-0.03", "zh-CN", True, "-3个百分点"),
    ("0.05", "en", True, "+5pp"),
    ("-0.005", "en", True, "-0.5pp"),
    ("0", "en", True, "0pp"),
]


@pytest.mark.parametrize(
    ("value", "locale", "points", "text"),
    PERCENTS,
    ids=[f"{v}-{loc}-{'pp' if pp else 'pct'}" for v, loc, pp, _ in PERCENTS],
)
def test_format_percent(value: str, locale: str, points: bool, text: str) -> None:
    assert format_percent(Decimal(value), locale, points=points) == text


QUANTITIES = [
    (Quantity(Decimal(100), per=Per.WEEK), "zh-CN", "100/周"),
    (Quantity(Decimal(100), per=Per.WEEK), "en", "100/week"),
    (Quantity(Decimal(2), per=Per.QUARTER), "zh-CN", "2/季度"),
    (Quantity(Decimal(80_000_000)), "zh-CN", "8,000万"),
    (Quantity(Decimal(80_000_000)), "en", "80M"),
    (Quantity(Decimal("0.25"), PCT), "zh-CN", "25%"),
    (Quantity(Decimal("0.05"), PCT, Per.MONTH), "zh-CN", "5%/月"),
    (Quantity(Decimal("0.05"), PP), "zh-CN", "+5个百分点"),
    (Quantity(Decimal("-0.03"), PP), "en", "-3pp"),
]


@pytest.mark.parametrize(("q", "locale", "text"), QUANTITIES, ids=[t for _, _, t in QUANTITIES])
def test_format_quantity(q: Quantity, locale: str, text: str) -> None:
    assert format_quantity(q, locale) == text
    assert parse_quantity(text) == q


@pytest.mark.parametrize("per", list(Per), ids=[p.value for p in Per])
def test_per_label(per: Per) -> None:
    labels = {Per.WEEK: "周", Per.MONTH: "月", Per.QUARTER: "季度", Per.YEAR: "年"}
    assert per_label(per) == labels[per]
    assert per_label(per, "en") == per.value
    assert parse_per(per_label(per)) is per


def test_unknown_locale_is_an_error() -> None:
    with pytest.raises(QuantityError, match="locale 'fr' is not supported"):
        format_number(1, "fr")


@given(
    cents=st.integers(min_value=-(10**14), max_value=10**14),
    kind=st.sampled_from(QuantityKind),
    per=st.none() | st.sampled_from(Per),
    locale=st.sampled_from(["zh-CN", "en"]),
)
def test_format_then_parse_round_trips(
    cents: int, kind: QuantityKind, per: Per | None, locale: str
) -> None:
    value = Decimal(cents).scaleb(-2)
    if kind is not QuantityKind.NUMBER:
        value = value.scaleb(-2)  # a percent shown with up to 2 decimals: 12.34%
    q = Quantity(value, kind, per)
    assert parse_quantity(format_quantity(q, locale)) == q


SOUP = "0123456789.,零一二两三四五六七八九十百千万亿+-%/周kM "


@given(st.text(max_size=20) | st.text(alphabet=SOUP, max_size=12))
def test_any_text_parses_or_raises_quantity_error(text: str) -> None:
    try:
        q = parse_quantity(text)
    except QuantityError as error:
        assert error.hint
    else:
        assert abs(q.value) <= 10**18
