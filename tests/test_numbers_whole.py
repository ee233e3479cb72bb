"""Whole amounts are scaled and written in integer arithmetic (okrplan.numbers): the same unit,
decimals and text as the Decimal rule they stand for, and the hand-worked cases of the rule."""

from __future__ import annotations

import os
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from okrplan.numbers import Numbers, Scale, money_scale

# 100 derandomised examples by default (300 took 1.4 s a test for the same verdicts); a long
# run with OKRPLAN_FUZZ_EXAMPLES=N tries 25 × N
EXAMPLES = int(os.environ.get("OKRPLAN_FUZZ_EXAMPLES", "4")) * 25
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True)

# whole amounts from 1 yuan to 10万亿, some of them round (a plan's quotas mostly are)
amount = st.one_of(
    st.integers(-(10**13), 10**13),
    st.builds(lambda a, b: a * 10**b, st.integers(-999, 999), st.integers(0, 10)),
)
steps = st.sampled_from([None, 0, 1, 100, 5_000, 10_000, 100_000, 250_000, 10**6, 10**9])


def test_whole_amounts_by_hand():
    # 5,225,000 in 万 with no decimals: 522.5 rounds half up to 523万
    assert Scale(4, "万", 0).text(5_225_000) == "523万"
    # -5,225,000 rounds away from zero, like ROUND_HALF_UP: -523万; -4,000 in 万 is 0, not -0
    assert Scale(4, "万", 0).text(-5_225_000) == "-523万"
    assert Scale(4, "万", 0).text(-4_000) == "0万"
    # 1.7亿 with two fixed decimals beside 1.68亿: 1.70亿; 12,960万 keeps its separator
    assert Scale(8, "亿", 2, fixed=True).text(170_000_000) == "1.70亿"
    assert Scale(4, "万", 0).text(129_600_000) == "12,960万"
    # 1.2亿 and 1.32亿 need two decimals in 亿 (a 10万 step has three there, 1.296亿 would need
    # three, so that pair falls back to 万)
    assert money_scale([120_000_000, 132_000_000], "zh-CN") == Scale(8, "亿", 2)
    assert money_scale([120_000_000, 129_600_000], "zh-CN") == Scale(4, "万", 0)
    # a step of 1万 in 亿 has four decimals: alone, 3,000 yuan falls back to plain digits
    assert money_scale([3_000], "zh-CN", 10_000) == Scale(0, "", 0)


def test_uniform_counts_each_amount_once():
    # $1.70M and $1.675M round to 1.70 and 1.68 in M (two decimals); $530k has none in k
    en = Numbers("en", "USD", Decimal(10_000))
    many = [1_700_000, 1_675_000, 530_000] * 1_000 + [None, 0]
    assert en.uniform(many).places == (("M", 2), ("k", 0))
    assert en.uniform(many).money(3_000_000) == "$3.00M"


def test_uniform_places_each_amount_in_its_own_unit():
    # a step of 1万 in 亿: 1.2亿 needs one decimal, 1.296亿 would need three so it stays in 万
    # (12,960万) without raising 亿's decimals; 3,000 is below 万; 17亿 needs none
    zh = Numbers("zh-CN", "CNY", Decimal(10_000))
    amounts = [120_000_000, 129_600_000, 3_000, 1_700_000_000]
    assert [money_scale([a], "zh-CN", zh.step).suffix for a in amounts] == ["亿", "万", "", "亿"]
    assert zh.uniform(amounts).places == (("", 0), ("万", 0), ("亿", 1))
    assert zh.uniform(amounts).money(129_600_000) == "12,960万"


@SETTINGS
@given(st.lists(st.one_of(amount, st.none()), max_size=8), st.sampled_from(["zh-CN", "en"]), steps)
def test_whole_amounts_scale_as_decimals_do(values: list[int | None], locale: str, step: int):
    """Two properties of the same random amounts (one example drawn for both: drawing is most
    of the time). The Decimal rule is the reference: the same amounts as Decimals take that
    path. uniform's decimals per unit are the most that money_scale of any one amount picks
    there (its whole-amount path works each unit's constants out once; this is the rule)."""
    as_decimals = [None if v is None else Decimal(v) for v in values]
    scale = money_scale(values, locale, step)
    assert scale == money_scale(as_decimals, locale, step)
    for value in (v for v in values if v is not None):
        for shown in (scale, Scale(scale.exponent, scale.suffix, 2, True), Scale(3, "k", 1)):
            assert shown.text(value) == shown.text(Decimal(value))
    numbers = Numbers(locale, "USD", Decimal(step if step is not None else 100_000))
    places: dict[str, int] = {}
    for value in values:
        if value:
            one = money_scale([value], locale, numbers.step)
            places[one.suffix] = max(places.get(one.suffix, 0), one.places)
    assert numbers.uniform(values).places == tuple(sorted(places.items()))


counts = st.one_of(
    st.integers(-20_000, 20_000),
    st.integers(-(10**13), 10**13),
    st.decimals(min_value=-20_000, max_value=20_000, places=2, allow_nan=False),
    st.floats(min_value=-20_000, max_value=20_000).map(lambda f: round(f, 2)),
)


@settings(max_examples=EXAMPLES // 3, deadline=None, database=None, derandomize=True)
@given(counts, st.sampled_from(["zh-CN", "en"]))
def test_a_count_is_written_as_format_number_writes_it(value: object, locale: str) -> None:
    # present.count_text writes a whole count below 10,000 without decimals; the reference
    # is quantity.format_number of the value as a Decimal (9,999 → "9,999"; 12,000 → "1.2万")
    from okrplan.present import count_text
    from okrplan.quantity import format_number

    expected = format_number(Decimal(str(value)), locale)
    assert count_text(value, locale) == expected  # type: ignore[arg-type]


def test_column_decimals_by_hand():
    # a 10万 step in 亿 has three decimals: 1.5亿 and 2亿 read 1500 and 2000 thousandths, whose
    # fewest trailing zeros (two, of 1500) leave one decimal: 1.5亿, 2亿
    assert money_scale([150_000_000, 200_000_000], "zh-CN") == Scale(8, "亿", 1)
    # 123,456,789 rounds half up to 1235 thousandths of 亿 (1234.56789): three decimals is
    # more than two, so the column falls back to whole 万 (12,346万, 20,000万)
    assert money_scale([123_456_789, 200_000_000], "zh-CN") == Scale(4, "万", 0)
    # in 万 a 10万 step has no decimals at all, whatever the amounts
    assert money_scale([12_345_678, 55_555_555], "zh-CN") == Scale(4, "万", 0)
