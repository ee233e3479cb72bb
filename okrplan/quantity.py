"""Parse and format the quantities a planner writes: ``8000万``, ``1.2亿``, ``80M``, ``25%``,
``+5pp``, ``100/周``.

Values are exact :class:`~decimal.Decimal` numbers in base units (yuan or a count; a fraction for
percents and percentage points), so ``1.2亿`` is exactly ``Decimal('120000000')``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact, localcontext
from enum import StrEnum

from okrplan.errors import OkrplanError

_HINT_ANY = "write a quantity like 8000万, 1.2亿, 80M, 400k, 25%, +5pp or 100/周"
_HINT_AMOUNT = "write an amount like 8000万, 1.2亿, 80M or 400k"
_HINT_PERCENT = "write a percent like 25% or 12.5%"
_HINT_POINTS = "write a change in percentage points like +5pp, -3pp or +5个百分点"
_HINT_RATE = "write a rate like 100/周, 20/月 or 100/week"
_HINT_PER = "use one of 周/week, 月/month, 季度/quarter or 年/year"

# Unbounded precision makes every + and * exact; Inexact is trapped in case that ever fails.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact])
_MAX = Decimal(10) ** 18
_MAX_PLACES = 12


class QuantityKind(StrEnum):
    """What a quantity's value measures."""

    NUMBER = "number"
    PERCENT = "percent"
    POINTS = "points"  # percentage points: the change of a percent, +5pp


class Per(StrEnum):
    """The period a rate is counted over."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_HINTS_ZH = {
    _HINT_ANY: "请写数量，例如 8000万、1.2亿、80M、400k、25%、+5pp 或 100/周",
    _HINT_AMOUNT: "请写金额，例如 8000万、1.2亿、80M 或 400k",
    _HINT_PERCENT: "请写百分比，例如 25% 或 12.5%",
    _HINT_POINTS: "请写百分点的变化，例如 +5pp、-3pp 或 +5个百分点",
    _HINT_RATE: "请写频率，例如 100/周、20/月 或 100/week",
    _HINT_PER: "请用 周/week、月/month、季度/quarter 或 年/year 之一",
}


class QuantityError(OkrplanError, ValueError):
    """A value that is not a quantity; ``hint`` says what valid input looks like."""

    def __init__(self, message: str, hint: str = _HINT_ANY) -> None:
        super().__init__(message)
        self.hint = hint

    def hint_in(self, locale: str) -> str:
        """The hint in ``locale`` (zh-CN or en; a caller's own hint as it was given).

        >>> QuantityError("x").hint_in("zh-CN")
        '请写数量，例如 8000万、1.2亿、80M、400k、25%、+5pp 或 100/周'
        """
        return self.hint if locale.startswith("en") else _HINTS_ZH.get(self.hint, self.hint)


@dataclass(frozen=True, slots=True)
class Quantity:
    """An exact quantity in base units.

    Attributes
    ----------
    value : Decimal
        Yuan or a count (``8000万`` is 80000000); a fraction for percents and points (``25%`` is
        0.25, ``+5pp`` is 0.05); the amount per period for rates (``100/周`` is 100).
    kind : QuantityKind
        Number, percent or percentage points.
    per : Per or None
        The period of a rate, ``None`` for a plain quantity.
    text : str
        The text it was parsed from, for messages; not part of equality.
    """

    value: Decimal
    kind: QuantityKind = QuantityKind.NUMBER
    per: Per | None = None
    text: str = field(default="", compare=False)


_PERIODS: dict[str, Per] = {
    **dict.fromkeys(("周", "星期", "礼拜", "week", "weekly", "wk", "w"), Per.WEEK),
    **dict.fromkeys(("月", "个月", "month", "monthly", "mo"), Per.MONTH),
    **dict.fromkeys(("季度", "季", "quarter", "quarterly", "qtr", "q"), Per.QUARTER),
    **dict.fromkeys(("年", "年度", "year", "yearly", "annual", "annually", "yr", "y"), Per.YEAR),
}
_LABELS = {
    "zh": {Per.WEEK: "周", Per.MONTH: "月", Per.QUARTER: "季度", Per.YEAR: "年"},
    "en": {p: p.value for p in Per},
}
# (show from 10**threshold, scale 10**exponent, suffix), largest first.
_SCALES = {"zh": ((8, 8, "亿"), (4, 4, "万")), "en": ((9, 9, "B"), (6, 6, "M"), (4, 3, "k"))}

_DIGITS = {c: i % 10 for i, c in enumerate("零一二三四五六七八九〇壹贰叁肆伍陆柒捌玖")}
_DIGITS |= {"两": 2, "貳": 2}
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万亿": 10**12, "萬億": 10**12, "亿": 10**8, "億": 10**8, "万": 10**4, "萬": 10**4}
_NUMERALS = frozenset("".join(_DIGITS) + "".join(_SMALL) + "".join(_BIG))
_NUM = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_EN_NUMBER = re.compile(
    rf"({_NUM})(?:e([+-]?[0-9]{{1,3}}))?(k|mn|m|bn|b|thousand|million|billion)?", re.IGNORECASE
)
_EN_SCALE = {"k": 3, "thousand": 3, "m": 6, "mn": 6, "million": 6, "b": 9, "bn": 9, "billion": 9}
_CN_TOKEN = re.compile(
    rf"(?P<num>{_NUM})|(?P<digit>[{''.join(_DIGITS)}])"
    rf"|(?P<small>[{''.join(_SMALL)}])|(?P<big>万亿|萬億|[万萬亿億])"
)
_KIND_SUFFIXES = (
    *((suffix, QuantityKind.POINTS) for suffix in ("个百分点", "百分点", "p.p.", "pp")),
    *((suffix, QuantityKind.PERCENT) for suffix in ("%", "percent")),
)
_RATE = re.compile(r"\s*/\s*|\s+per\s+", re.IGNORECASE)
_EVERY = re.compile(r"每\s*(星期|礼拜|季度|个月|周|月|季|年)\s*(.+)")  # 每周100次 is 100次/周
# words right after a number that make it approximate: 几 some, 多/余 odd, 来 about (alone or
# before a measure word: 三十几, 30多家, 50余家, 三十来个), 左右/上下 or so (100左右); 来 or 下
# starting a word of its own (200次来访, 1万下载, 200来访) is not one
_VAGUE = frozenset("几多余来")
_MEASURES = frozenset("个家次人位名单件台套笔条张只项户")
_ROUGHLY = ("左右", "上下")
_CN_PERIODS = tuple(word for word in _PERIODS if not word.isascii())
# Spaces go unless they sit between two digits: "40 万" is 40万, "1 2" is not 12.
_SPACES = re.compile(r"(?<![0-9])\s+|\s+(?![0-9])")


def parse_quantity(raw: str | int | float | Decimal) -> Quantity:
    """Parse a quantity as a planner writes it, exactly.

    Parameters
    ----------
    raw : str, int, float or Decimal
        Text such as ``8000万``, ``一亿二千万``, ``80M``, ``1,200``, ``25%``, ``+5pp``,
        ``5个百分点``, ``100/周``, ``25家/月`` or ``100 per week``; or a number (a float goes
        through ``str``, so 0.1 stays 0.1).

    Returns
    -------
    Quantity
        The value in base units, its kind, and its period for a rate.

    Raises
    ------
    QuantityError
        If ``raw`` is not a quantity, is ambiguous (``8000万万``), beyond 10**18 in size, or has
        more than 12 decimal places.

    Examples
    --------
    >>> parse_quantity("1.2亿").value
    Decimal('120000000')
    >>> parse_quantity("三千五百万").value
    Decimal('35000000')
    >>> q = parse_quantity("+5pp")
    >>> q.value, q.kind
    (Decimal('0.05'), <QuantityKind.POINTS: 'points'>)
    >>> q = parse_quantity("100次/周")
    >>> q.value, q.per
    (Decimal('100'), <Per.WEEK: 'week'>)
    """
    if type(raw) is str:
        # a target file repeats a few quantities thousands of times (60/周 in every team):
        # each text is read once; a Quantity is immutable, so the same one can be shared
        known = _KNOWN.get(raw)
        if known is None:
            known = _parse_quantity(raw)
            if len(_KNOWN) >= _KNOWN_MAX:
                _KNOWN.clear()
            _KNOWN[raw] = known
        return known
    return _parse_quantity(raw)


_KNOWN: dict[str, Quantity] = {}
_KNOWN_MAX = 4096


def _parse_quantity(raw: str | int | float | Decimal) -> Quantity:
    if isinstance(raw, bool):
        raise QuantityError(f"{raw} is a yes/no value, not a quantity.")
    with localcontext(_EXACT):
        if not isinstance(raw, str):
            try:
                value = Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)
            except (TypeError, ValueError):
                raise QuantityError(f"A {type(raw).__name__} is not a quantity.") from None
            return Quantity(_checked(value, str(raw), _HINT_ANY), text=str(raw))
        text = unicodedata.normalize("NFKC", raw).strip()
        if not text:
            raise QuantityError("The quantity is empty.")
        if every := _EVERY.fullmatch(text):
            text = f"{every[2]}/{every[1]}"
        amount, *rest = _RATE.split(text)
        if len(rest) > 1:
            raise QuantityError(f"'{raw}' has more than one period.", _HINT_RATE)
        per = _parse_per(rest[0], raw) if rest else None
        kind, value, hint = _parse_amount(amount, raw, _HINT_RATE if rest else _HINT_ANY)
        return Quantity(_checked(value, raw, hint), kind, per, raw)


def parse_per(raw: str) -> Per:
    """Parse the period of a rate, in Chinese or English.

    Examples
    --------
    >>> parse_per("周"), parse_per("monthly"), parse_per("季度"), parse_per("annual")
    (<Per.WEEK: 'week'>, <Per.MONTH: 'month'>, <Per.QUARTER: 'quarter'>, <Per.YEAR: 'year'>)
    """
    return _parse_per(raw, raw)


def format_number(value: Decimal | int, locale: str = "zh-CN", *, money: bool = False) -> str:
    """Format a number the way a planner writes it, never losing exactness.

    In ``zh-CN``: plain below 1万, then 万, then 亿; in ``en``: plain below 10,000, then k, M, B.
    A unit is used only if the number needs at most 2 decimals in it; otherwise the next smaller
    unit, down to plain digits with thousands separators.

    Parameters
    ----------
    value : Decimal or int
        The number in base units.
    locale : str
        ``zh-CN`` or ``en``.
    money : bool
        Reserved: amounts carry no currency symbol yet, since the plan states its currency once.

    Examples
    --------
    >>> format_number(88_000_000), format_number(120_000_000), format_number(123_450_000)
    ('8,800万', '1.2亿', '12,345万')
    >>> format_number(12_345_678), format_number(Decimal("12.5"))
    ('12,345,678', '12.5')
    >>> format_number(88_000_000, "en"), format_number(400_000, "en"), format_number(1200, "en")
    ('88M', '400k', '1,200')
    """
    scales = _SCALES[_language(locale)]
    with localcontext(_EXACT):
        number = Decimal(value)
        sign, number = ("-" if number < 0 else ""), number.copy_abs()
        for threshold, exponent, suffix in scales:
            scaled = number.scaleb(-exponent)
            if number >= 10**threshold and _places(scaled) <= 2:
                return sign + _plain(scaled) + suffix
        return sign + _plain(number)


def format_percent(value: Decimal, locale: str = "zh-CN", *, points: bool = False) -> str:
    """Format a fraction as a percent, or as a signed change in percentage points.

    Examples
    --------
    >>> format_percent(Decimal("0.25")), format_percent(Decimal("0.125"))
    ('25%', '12.5%')
    >>> format_percent(Decimal("0.05"), points=True)
    '+5个百分点'
    >>> format_percent(Decimal("-0.03"), "en", points=True)
    '-3pp'
    """
    language = _language(locale)
    with localcontext(_EXACT):
        digits = _plain(value.copy_abs().scaleb(2))
        if not points:
            return ("-" if value < 0 else "") + digits + "%"
        sign = "+" if value > 0 else "-" if value < 0 else ""
        return sign + digits + ("个百分点" if language == "zh" else "pp")


def format_quantity(q: Quantity, locale: str = "zh-CN", *, money: bool = False) -> str:
    """Format a quantity so that :func:`parse_quantity` reads it back unchanged.

    Examples
    --------
    >>> format_quantity(parse_quantity("100/week")), format_quantity(parse_quantity("100/周"), "en")
    ('100/周', '100/week')
    >>> format_quantity(parse_quantity("8000万"), "en")
    '80M'
    """
    if q.kind is QuantityKind.NUMBER:
        text = format_number(q.value, locale, money=money)
    else:
        text = format_percent(q.value, locale, points=q.kind is QuantityKind.POINTS)
    return f"{text}/{per_label(q.per, locale)}" if q.per else text


def per_label(per: Per, locale: str = "zh-CN") -> str:
    """Name a period in the plan's language.

    Examples
    --------
    >>> per_label(Per.QUARTER), per_label(Per.QUARTER, "en")
    ('季度', 'quarter')
    """
    return _LABELS[_language(locale)][per]


def _language(locale: str) -> str:
    language = locale.replace("_", "-").split("-")[0].lower()
    if language not in _LABELS:
        raise QuantityError(f"The locale '{locale}' is not supported.", "use zh-CN or en")
    return language


def _parse_per(raw: str, text: str) -> Per:
    key = unicodedata.normalize("NFKC", raw).strip().lower().removeprefix("每")
    try:
        return _PERIODS[key]
    except KeyError:
        where = "" if raw == text else f" in '{text}'"
        raise QuantityError(f"The period '{raw}'{where} is not one I know.", _HINT_PER) from None


def _parse_amount(amount: str, text: str, hint: str) -> tuple[QuantityKind, Decimal, str]:
    """Read sign, currency, %/pp and a measure word around a number: -¥8000万元, +5pp, 100次."""
    body = _SPACES.sub("", amount)
    negative = body[:1] in ("-", "−")
    body = body[1:] if body[:1] in ("+", "-", "−") else body
    body = body[1:] if body[:1] in ("¥", "$") else body
    kind = QuantityKind.NUMBER
    for suffix, suffix_kind in _KIND_SUFFIXES:
        if body.lower().endswith(suffix):
            body, kind = body[: -len(suffix)], suffix_kind
            break
    if kind is QuantityKind.NUMBER and body.startswith("百分之"):
        body, kind = body[3:], QuantityKind.PERCENT
    hint = {QuantityKind.PERCENT: _HINT_PERCENT, QuantityKind.POINTS: _HINT_POINTS}.get(kind, hint)
    if kind is QuantityKind.NUMBER:
        word = ""
        while body and "\u4e00" <= body[-1] <= "\u9fff" and body[-1] not in _NUMERALS:
            body, word = body[:-1], body[-1] + word
        if word.endswith(_CN_PERIODS):
            raise QuantityError(f"'{text}' ends in a period but has no '/' before it.", _HINT_RATE)
        if _is_estimate(word):
            raise QuantityError(f"'{text}' is an estimate, not an exact number.", hint)
    if not body:
        raise QuantityError(f"'{text}' has no number.", hint)
    if match := _EN_NUMBER.fullmatch(body):
        digits, exponent, scale = match.groups()
        scaling = int(exponent or 0) + _EN_SCALE.get((scale or "").lower(), 0)
        value = Decimal(digits.replace(",", "")).scaleb(scaling)
    else:
        value = _parse_chinese(body, text, hint)
    if kind is not QuantityKind.NUMBER:
        value = value.scaleb(-2)
    return kind, -value if negative else value, hint


def _is_estimate(word: str) -> bool:
    """Whether the word after a number makes it approximate (see :data:`_VAGUE`)."""
    if word.startswith(_ROUGHLY):
        return True
    return word[:1] in _VAGUE and (len(word) == 1 or word[1] in _MEASURES)


def _parse_chinese(body: str, text: str, hint: str) -> Decimal:
    """Read Chinese numerals, alone or mixed with digits: 一亿二千万, 1亿2000万, 3千万, 三千五."""
    total = group = Decimal(0)
    pending: str | None = None  # a number not yet multiplied by a unit
    small_cap = big_cap = 10**13  # each unit must be smaller than the one before in its group
    last_unit, after_zero, position = 0, False, 0
    single = False  # the last unit counted a single digit, so 三千五 can mean 3500
    while position < len(body):
        match = _CN_TOKEN.match(body, position)
        if match is None or (pending is not None and match.lastgroup in ("num", "digit")):
            raise QuantityError(f"'{text}' is not a quantity I can read.", hint)
        position, token = match.end(), match.group()
        if match.lastgroup in ("num", "digit"):
            after_zero = after_zero or _DIGITS.get(token) == 0  # 零 keeps 一千零五 at 1005
            pending = None if _DIGITS.get(token) == 0 else token
            continue
        number = None if pending is None else _numeral(pending)
        if token in _SMALL:
            unit = _SMALL[token]
            if unit >= small_cap:
                raise QuantityError(f"'{text}' has the unit {token} out of order.", _HINT_AMOUNT)
            if number is None and (small_cap <= 1000 or total):
                raise QuantityError(f"'{text}' has no number before {token}.", _HINT_AMOUNT)
            group += (1 if number is None else number) * unit
            small_cap, single = unit, pending is None or len(pending) == 1
        else:
            unit = _BIG[token]
            if unit >= big_cap:
                raise QuantityError(
                    f"'{text}' repeats the unit {token} or puts it out of order, so it is unclear.",
                    _HINT_AMOUNT,
                )
            if number is None and small_cap > 1000:
                raise QuantityError(f"'{text}' has no number before {token}.", _HINT_AMOUNT)
            single = small_cap > 1000 and pending is not None and len(pending) == 1
            total += (group + (number or 0)) * unit
            group, small_cap, big_cap = Decimal(0), 10**13, unit
        pending, last_unit, after_zero = None, unit, False
    if pending is None:
        return total + group
    number = _numeral(pending)
    if last_unit and not after_zero and len(pending) == 1:
        if not single:
            raise QuantityError(f"'{text}' does not say the place of its last digit.", _HINT_AMOUNT)
        number *= last_unit // 10  # spoken shorthand: 三千五 is 3500, 一万二 is 12000
    elif last_unit and number >= last_unit:
        raise QuantityError(f"'{text}' ends in a number too large for its place.", _HINT_AMOUNT)
    return total + group + number


def _numeral(token: str) -> Decimal:
    return Decimal(_DIGITS[token]) if token in _DIGITS else Decimal(token.replace(",", ""))


def _checked(value: Decimal, text: str, hint: str) -> Decimal:
    if value.is_nan():
        raise QuantityError(f"'{text}' is not a number.", hint)
    if value.is_infinite() or value.copy_abs() > _MAX:
        raise QuantityError(f"'{text}' is too large: quantities stay within ±10^18.", hint)
    if _places(value) > _MAX_PLACES:
        raise QuantityError(
            f"'{text}' has more than {_MAX_PLACES} decimal places.",
            f"round it to at most {_MAX_PLACES} decimal places",
        )
    return _canonical(value)


def _places(value: Decimal) -> int:
    """How many decimal places ``value`` needs: 12.50 needs 1, 1.2E+8 needs none."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int), "only finite values have decimal places"
    return max(0, -exponent)


def _canonical(value: Decimal) -> Decimal:
    """The same value without exponent or trailing zeros: 1.2E+8 -> 120000000, 12.50 -> 12.5."""
    if value == 0:
        return Decimal(0)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _plain(value: Decimal) -> str:
    return f"{_canonical(value):,f}"
