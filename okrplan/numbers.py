"""Money, counts and rates as a planner reads them, in the plan's locale: the ONE formatter.

Every output (plan.md, sheets, workbook, report, diagrams, ``explain``, ``score``, the
``decompose`` summary) shows amounts through :func:`money_scale` and :class:`Numbers`, so one
amount reads the same everywhere and amounts shown together share one unit:

- ``zh-CN``: 亿 or 万 (plain digits below 1万), no currency symbol (the plan names its currency
  once, and sheet headers say 万元);
- ``en``: M or k with the currency symbol (``$18M``, ``$530k``); plain digits with thousands
  separators below 10,000.

The precision rule: amounts shown together (a column, one line) are in one unit, the largest
that every non-zero amount reaches and in which each shows to the plan's money rounding step
(``split.rounding.money``, 10万 by default) with at most two decimals; never more decimals than
that step has in the unit. So with a step of 10万: ``1.2亿, 下达 1.32亿`` but ``12,000万, 下达
12,960万``; ``550万`` and ``522.5万`` becomes ``523万`` (a 10万 step has no decimals in 万).

One exception: what rounding moved a quota by (``okrplan explain``) is less than a step by
definition, so it is shown to 100 yuan.

Babel's compact formats pick a unit per number, which is exactly what mixes 亿 and 万 in one
column, so the few rules here are written out instead.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

DEFAULT_STEP = Decimal(100_000)  # 10万: the default money rounding step (DESIGN.md)
MAX_PLACES = 2
_INT_OR_NONE = {int, type(None)}
"""The types of amounts that are whole numbers or missing (:meth:`Numbers.uniform`)."""

_Units = tuple[tuple[int, int, str], ...]
# (shown from 10**threshold, unit 10**exponent, suffix), largest first; the last is plain digits.
_UNITS: dict[str, _Units] = {
    "zh": ((8, 8, "亿"), (4, 4, "万"), (0, 0, "")),
    "en": ((6, 6, "M"), (4, 3, "k"), (0, 0, "")),
}
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "RMB": "¥", "JPY": "¥", "HKD": "HK$"}
_IRREGULAR = {"person": "people", "people": "people", "child": "children", "man": "men"}


def language(locale: str) -> str:
    """``zh`` or ``en`` (anything that is not English reads as Chinese, the default locale)."""
    return "en" if locale.lower().startswith("en") else "zh"


@dataclass(frozen=True, slots=True)
class Scale:
    """The unit a group of amounts is shown in: 10**exponent, its suffix and decimals."""

    exponent: int
    suffix: str
    places: int
    fixed: bool = field(default=False, repr=False)  # keep zeros to ``places``: 1.70M, 1.68M

    def text(self, value: Decimal | float | int) -> str:
        """One amount in this unit, trailing zeros dropped: ``1.3亿``, ``12,960万``, ``530k``.

        >>> Scale(4, "万", 0).text(5_225_000), Scale(8, "亿", 2).text(132_000_000)
        ('523万', '1.32亿')
        """
        if _whole_decimal(value):
            value = int(value)  # a whole Decimal (the sheets' amounts) reads as its int
        if type(value) is int:  # exact in integers, no Decimal (millions of cells)
            return _int_text(value, self.exponent, self.places, self.fixed) + self.suffix
        number = _decimal(value)
        with localcontext() as ctx:
            ctx.prec = 40
            scaled = number.scaleb(-self.exponent).quantize(
                Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP
            )
            if scaled == 0:
                scaled = abs(scaled)  # no "-0万"
            if self.fixed and self.places:
                return f"{scaled:,.{self.places}f}" + self.suffix
            return _digits(scaled) + self.suffix

    def parts(self, values: Sequence[Decimal | float | int | None]) -> list[Decimal | None]:
        """``values`` rounded to this unit's precision so that the shown parts add up to their
        shown sum (largest remainders: each part moves at most one last digit from its own
        rounding, the biggest fractions up first, ties to the earlier part).

        A year of 522.5万 in quarters of 78.8, 130.9, 130.4 and 182.4万, shown in whole 万,
        reads 79 + 131 + 131 + 182 = 523万: the three remainders that reach the total go to
        .9, .8 and the first .4 (the nearest values, 79 + 131 + 130 + 182 = 522, would be one
        short of the total shown beside them).

        >>> quarters = [788_000, 1_309_000, 1_304_000, 1_824_000]
        >>> [int(v) for v in Scale(4, "万", 0).parts(quarters)]
        [790000, 1310000, 1310000, 1820000]
        """
        quantum = Decimal(1).scaleb(self.exponent - self.places)
        given = [_decimal(v) for v in values if v is not None]
        with localcontext() as ctx:
            ctx.prec = 40
            target = _round_to(sum(given, Decimal(0)) / quantum, 0)
            floors = [(v / quantum).to_integral_value(rounding=ROUND_FLOOR) for v in given]
            extra = int(target - sum(floors, Decimal(0)))
            order = sorted(range(len(given)), key=lambda i: (-(given[i] / quantum - floors[i]), i))
            for i in order[: max(0, extra)]:
                floors[i] += 1
            rounded = iter(f * quantum for f in floors)
        return [None if v is None else next(rounded) for v in values]


def money_scale(
    values: Iterable[Decimal | float | int | None],
    locale: str,
    step: Decimal | float | int | None = None,
) -> Scale:
    """The one unit and precision for amounts shown together.

    The largest unit every non-zero amount reaches in which each amount, rounded to the step,
    needs at most two decimals; the smallest unit takes the step's decimals (at most two).

    >>> money_scale([120_000_000, 132_000_000], "zh-CN")
    Scale(exponent=8, suffix='亿', places=2)
    >>> money_scale([120_000_000, 129_600_000], "zh-CN")
    Scale(exponent=4, suffix='万', places=0)
    >>> money_scale([2_116_920], "en", 10_000), money_scale([5_000], "en")
    (Scale(exponent=6, suffix='M', places=2), Scale(exponent=0, suffix='', places=0))
    """
    given = [v for v in values if v is not None and v != 0]
    whole = [abs(v) for v in given if type(v) is int]
    if len(whole) != len(given):
        # whole Decimals (a sheet's amounts times their scale) as ints: the same values
        whole = [abs(int(v)) for v in given if type(v) is int or _whole_decimal(v)]
    if len(whole) == len(given):
        whole_grid = _whole_grid(step)
        if whole_grid is not None:
            return _int_scale(whole, _UNITS[language(locale)], whole_grid)
    grid = _decimal(DEFAULT_STEP if step is None else step)
    units = _UNITS[language(locale)]
    amounts = [abs(_decimal(v)) for v in given]
    for threshold, exponent, suffix in units[:-1]:
        if not amounts or min(amounts) < Decimal(10) ** threshold:
            continue
        step_places = _places(grid.scaleb(-exponent))
        shown = [_round_to(a.scaleb(-exponent), step_places) for a in amounts]
        places = max((_places(s) for s in shown), default=0)
        if places <= MAX_PLACES:
            return Scale(exponent, suffix, places)
    # Plain digits, or the smallest named unit the amounts reach when all are below 亿/M.
    for threshold, exponent, suffix in reversed(units[:-1]):
        if amounts and min(amounts) >= Decimal(10) ** threshold:
            places = min(_places(grid.scaleb(-exponent)), MAX_PLACES)
            return Scale(exponent, suffix, places)
    return Scale(0, "", min(_places(grid), MAX_PLACES))


@dataclass(frozen=True, slots=True)
class Numbers:
    """The plan's formatter: locale, currency and money rounding step.

    >>> en = Numbers("en", "USD", Decimal(10_000))
    >>> en.money(18_000_000), en.money(-5_225_000), en.money(2_116_920)
    ('$18M', '-$5.23M', '$2.12M')
    >>> en.amounts([530_000, 3_900_000])
    ('$530k', '$3,900k')
    >>> zh = Numbers("zh-CN", "CNY", Decimal(100_000))
    >>> zh.amounts([120_000_000, 129_600_000])
    ('12,000万', '12,960万')
    >>> en.count(1, "meeting"), en.count(3, "meeting", "week"), zh.count(71, "个", "周")
    ('1 meeting', '3 meetings/week', '71 个/周')
    >>> zh.count(3667, "个")
    '3,667个'
    """

    locale: str = "zh-CN"
    currency: str = ""  # "" shows no symbol
    step: Decimal = DEFAULT_STEP
    places: tuple[tuple[str, int], ...] = ()  # (suffix, decimals) every amount in it shows

    def uniform(self, values: Iterable[Decimal | float | int | None]) -> Numbers:
        """This formatter with one precision per unit for everything shown together (a
        diagram): each unit's decimals are the most any of ``values`` needs in it, and every
        amount in that unit shows them, so ``$1.70M`` stands beside ``$1.68M``, not ``$1.7M``.

        >>> en = Numbers("en", "USD", Decimal(10_000)).uniform([1_700_000, 1_675_000, 530_000])
        >>> en.money(1_700_000), en.money(1_675_000), en.money(530_000), en.money(3_000_000)
        ('$1.70M', '$1.68M', '$530k', '$3.00M')
        """
        places: dict[str, int] = {}
        # a large plan repeats its amounts (264,000 of them, 18,000 different, at 100,000
        # people): each different one is looked at once (equal amounts have one scale)
        given = values if isinstance(values, list) else list(values)
        other: set[tuple[type, Any]] = set()
        if set(map(type, given)) <= _INT_OR_NONE:  # a plan's amounts: whole yuan (C speed)
            whole = set(given)
            whole.discard(None)
        else:
            whole = {v for v in given if type(v) is int}
            # 1 and 1.0 apart, to be exact
            other = {(type(v), v) for v in given if type(v) is not int and v is not None}
        whole.discard(0)
        grid = _decimal(self.step)
        if grid == grid.to_integral_value():
            _whole_places(whole, _UNITS[language(self.locale)], int(grid), places)
            whole = set()
        for kept in (*whole, *(v for _, v in other if v != 0)):
            scale = money_scale([kept], self.locale, self.step)
            places[scale.suffix] = max(places.get(scale.suffix, 0), scale.places)
        return replace(self, places=tuple(sorted(places.items())))

    @property
    def language(self) -> str:
        return language(self.locale)

    def money(self, value: Decimal | float | int, scale: Scale | None = None) -> str:
        """One amount (in yuan/dollars) in ``scale`` or its own."""
        scale = scale or money_scale([value], self.locale, self.step)
        fixed = dict(self.places).get(scale.suffix)
        if fixed is not None and fixed >= scale.places:
            scale = Scale(scale.exponent, scale.suffix, fixed, fixed=True)
        text = scale.text(value)
        if self.language == "zh":
            return text
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        symbol = _SYMBOLS.get(self.currency.upper(), f"{self.currency} " if self.currency else "")
        return f"{sign}{symbol}{digits}"

    def amounts(self, values: Iterable[Decimal | float | int]) -> tuple[str, ...]:
        """Amounts shown together (one line, one column), in one unit."""
        values = tuple(values)
        scale = money_scale(values, self.locale, self.step)
        return tuple(self.money(v, scale) for v in values)

    def count(self, value: Decimal | float | int, unit: str = "", per: str = "") -> str:
        """A count with its unit and period: ``1 meeting``, ``3 meetings/week``, ``71 个/周``."""
        text = number_text(value, self.locale)
        if unit and self.language == "en":
            text += " " + plural(unit, value)
        elif unit:  # as a target reads in Chinese: 41家, but 71 个/周
            text += f" {unit}" if per else unit
        return f"{text}/{per}" if per else text


def numbers_for(meta: Mapping[str, Any] | None) -> Numbers:
    """The formatter of a plan, from ``plan.meta`` (locale, currency and rounding step)."""
    meta = meta or {}
    rounding = meta.get("rounding") or {}
    step = rounding.get("money") if isinstance(rounding, Mapping) else None
    return Numbers(
        str(meta.get("locale") or "zh-CN"),
        str(meta.get("currency") or "CNY"),
        _decimal(step) if step else DEFAULT_STEP,
    )


def number_text(value: Decimal | float | int, locale: str = "zh-CN") -> str:
    """A count or plain number with thousands separators, exact: ``1,035``, ``12.5``.

    >>> number_text(1035), number_text(12.5), number_text(Decimal("3.0"))
    ('1,035', '12.5', '3')
    """
    return _digits(_decimal(value))


def plural(noun: str, value: Decimal | float | int) -> str:
    """An English noun for a count: ``1 meeting`` but ``2 meetings``, ``1 person``.

    >>> plural("meeting", 1), plural("meeting", 2), plural("person", 3), plural("people", 1)
    ('meeting', 'meetings', 'people', 'person')
    >>> plural("opportunity", 2), plural("box", 2), plural("demos", 1), plural("个", 3)
    ('opportunities', 'boxes', 'demo', '个')
    """
    if not noun or not noun[-1].isascii() or not noun[-1].isalpha():
        return noun
    one = _decimal(value) == 1
    head, _, last = noun.rpartition(" ")
    prefix = f"{head} " if head else ""
    word = last.lower()
    if one:
        singular = {v: k for k, v in _IRREGULAR.items() if k != v}.get(word)
        if singular:
            return prefix + singular
        if word.endswith("ies") and len(word) > 3:
            return prefix + last[:-3] + "y"
        if word.endswith(("ches", "shes", "xes", "sses")):
            return prefix + last[:-2]
        if word.endswith("s") and not word.endswith("ss"):
            return prefix + last[:-1]
        return noun
    if word in _IRREGULAR:
        return prefix + _IRREGULAR[word]
    if word.endswith("s") and not word.endswith("ss"):
        return noun  # already plural
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return prefix + last[:-1] + "ies"
    if word.endswith(("ch", "sh", "x", "ss", "z")):
        return prefix + last + "es"
    return prefix + last + "s"


def counted(value: Decimal | float | int, singular: str, plural_form: str | None = None) -> str:
    """``1 person``, ``3 people``: a number and a noun that agrees with it (English)."""
    noun = singular if _decimal(value) == 1 else (plural_form or plural(singular, value))
    return f"{number_text(value)} {noun}"


@functools.cache
def _whole_grid(step: Decimal | float | int | None) -> int | None:
    """A money rounding step as a whole number, None if it has decimals (asked once per
    step: plan.md asks for the scale of 11,000 different columns on a roster)."""
    grid = _decimal(DEFAULT_STEP if step is None else step)
    return int(grid) if grid == grid.to_integral_value() else None


def _whole_decimal(value: object) -> bool:
    """Whether ``value`` is a Decimal with a whole value (``Decimal("7.9E+5")`` included)."""
    return type(value) is Decimal and value.is_finite() and value == int(value)


def _int_scale(amounts: list[int], units: _Units, grid: int) -> Scale:
    """:func:`money_scale` of whole amounts (absolute, non-zero) and a whole step, in integer
    arithmetic: the same choice, without a Decimal per amount."""
    least = min(amounts, default=0)
    for threshold, exponent, suffix in units[:-1]:
        if not amounts or least < 10**threshold:
            continue
        step_places = _int_places(grid, exponent)
        # each amount rounded half up to the step's decimals in the unit: n / 10**step_places
        unit = 10 ** (exponent - step_places)
        places = _most_places(amounts, unit, step_places)
        if places <= MAX_PLACES:
            return Scale(exponent, suffix, places)
    for threshold, exponent, suffix in reversed(units[:-1]):
        if amounts and least >= 10**threshold:
            return Scale(exponent, suffix, min(_int_places(grid, exponent), MAX_PLACES))
    return Scale(0, "", 0)


def _most_places(amounts: list[int], unit: int, step_places: int) -> int:
    """The most decimals any of ``amounts`` (whole) shows, rounded half up to a multiple of
    ``unit`` and written in units of ``unit * 10**step_places`` without trailing zeros.

    An amount's rounded value ``n`` shows ``step_places`` less its trailing zeros (at most
    ``step_places`` of them); the fewest trailing zeros among them are those of the greatest
    common divisor of all (a zero, which shows none, divides nothing away), so the answer is
    read from one ``gcd`` in C instead of a loop per amount."""
    if not step_places:
        return 0  # no decimals to show in this unit
    common = math.gcd(*amounts)
    if common % unit:  # some amount is not a multiple of the unit: round each first
        twice = 2 * unit
        common = math.gcd(*[(2 * a + unit) // twice for a in amounts])
    else:  # each amount is n * unit exactly: n rounds to itself
        common //= unit
    return _int_places(common, step_places)


def _whole_places(amounts: Iterable[int], units: _Units, grid: int, places: dict[str, int]) -> None:
    """``places`` (suffix → decimals) raised to what :func:`money_scale` of each one of
    ``amounts`` (whole, non-zero) picks: :func:`_int_scale` of one amount, with each unit's
    constants worked out once (18,000 different amounts in a diagram at 100,000 people)."""
    named = [
        (10**threshold, suffix, step_places, 10 ** (exponent - step_places))
        for threshold, exponent, suffix in units[:-1]
        for step_places in (_int_places(grid, exponent),)
    ]
    # below every named unit's threshold: the smallest unit reached, else plain digits
    fallback = [
        (10**threshold, suffix, min(_int_places(grid, exponent), MAX_PLACES))
        for threshold, exponent, suffix in reversed(units[:-1])
    ]
    # the amounts left at or above each named unit's threshold (largest first), at once: one
    # shows ``step_places`` less its trailing zeros once rounded, the most of them read from
    # one gcd (see _most_places); one that would show more than MAX_PLACES goes on down
    left = list(map(abs, amounts))
    for least, suffix, step_places, unit in named:
        here = [a for a in left if a >= least]
        if not here:
            continue
        left = [a for a in left if a < least]
        twice = 2 * unit
        rounded = [(2 * a + unit) // twice for a in here]
        if step_places > MAX_PLACES:
            too_fine = 10 ** (step_places - MAX_PLACES)
            left.extend([a for a, n in zip(here, rounded, strict=True) if n % too_fine])
            rounded = [n for n in rounded if not n % too_fine]
        if rounded:
            shown = _int_places(math.gcd(*rounded), step_places)
            places[suffix] = max(places.get(suffix, 0), shown)
    for value in left:  # below every named unit, or too fine for each
        suffix, shown = _fallback_scale(value, fallback)
        places[suffix] = max(places.get(suffix, 0), shown)


def _fallback_scale(amount: int, fallback: list[tuple[int, str, int]]) -> tuple[str, int]:
    """The suffix and decimals :func:`_int_scale` picks for an amount that no named unit
    shows within ``MAX_PLACES`` (see :func:`_whole_places`): the smallest unit it reaches,
    else plain digits."""
    for least, suffix, places in fallback:
        if amount >= least:
            return suffix, places
    return "", 0


def _int_places(number: int, exponent: int) -> int:
    """The decimals of ``number / 10**exponent`` written without trailing zeros."""
    if number == 0:
        return 0
    zeros = 0
    while zeros < exponent and number % 10 == 0:
        number //= 10
        zeros += 1
    return exponent - zeros


def _int_text(value: int, exponent: int, places: int, fixed: bool) -> str:
    """:meth:`Scale.text` of a whole amount: ``value / 10**exponent`` rounded half up (away
    from zero) to ``places`` decimals, with thousands separators; trailing zeros dropped
    unless ``fixed``."""
    if exponent >= places:
        unit = 10 ** (exponent - places)
        shown = (2 * abs(value) + unit) // (2 * unit)
    else:
        shown = abs(value) * 10 ** (places - exponent)
    sign = "-" if value < 0 and shown else ""  # no "-0万"
    whole, part = divmod(shown, 10**places)
    if not places or not (part or fixed):
        return f"{sign}{whole:,}"
    decimals = f"{part:0{places}d}"
    return f"{sign}{whole:,}.{decimals if fixed else decimals.rstrip('0')}"


def _decimal(value: Decimal | float | int | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _round_to(value: Decimal, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _digits(value: Decimal) -> str:
    """Thousands separators, no exponent, no trailing zeros: 1.2E+4 → 12,000; 12.50 → 12.5."""
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):,f}"
    return f"{value.normalize():,f}"
