"""Target-file field types: quantities, months and periods as a planner writes them, and the
limits every target file is held to."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from okrplan.periods import PERIOD_HINT, Month, PlanPeriod, parse_month, parse_period
from okrplan.quantity import (
    Quantity,
    QuantityError,
    QuantityKind,
    format_percent,
    format_quantity,
    parse_quantity,
)
from okrplan.spec.words import got

SCHEMA_VERSION = 1
ONE = Decimal(1)

MAX_UNITS = 100_000
"""Most units in one target file (each gets objectives, a sheet and a place in the diagrams): a
synthetic organisation of a million people (``benchmarks/synth.py``) has 61,664."""
MAX_ROLE_GROUPS = 200_000
"""Most role entries (groups of one role in one unit) in one target file: a million-person
synthetic organisation has 130,716."""
MAX_PEOPLE = 1_000_000
"""Most people in one target file: every role's headcount (or named people) together."""
MAX_PLANNED = 10**18
"""The largest number a plan may hold: what plan.json stores (``okrplan.model.MAX_NUMBER``).
The validator refuses a file whose KPI, funnel or capacities would plan beyond it."""

# ---------------------------------------------------------------------------------------------
# Quantity field types: a planner writes text ("8000万", "25%", "100/周"); the model holds exact
# Decimals or Quantities. Each type names its own hint, which errors repeat.


_V = TypeVar("_V")
_KNOWN_MAX = 4096  # distinct values kept per reader (a target file writes a few dozen)


def _once_per_value(read: Callable[[Any], _V]) -> Callable[[Any], _V]:
    """``read``, each distinct text or number read once: a large organisation writes its few
    capacities and ramps on thousands of role entries (24,000 capacities at 100,000 people).
    What ``read`` gives is a value nothing changes (a frozen Quantity, a Decimal); what it
    refuses is refused each time, with its own message. Only texts and ints are kept, by type
    and value (1, 1.0 and True are equal keys, and so are 0.0 and -0.0)."""
    known: dict[tuple[type, Any], _V] = {}

    def reader(value: Any) -> _V:
        kind = type(value)
        if kind is not str and kind is not int:
            return read(value)
        found = known.get((kind, value))
        if found is None:
            found = read(value)
            if len(known) < _KNOWN_MAX:
                known[kind, value] = found
        return found

    reader.__doc__ = read.__doc__
    return reader


def _quantity_error(message: str, hint: str) -> PydanticCustomError:
    return PydanticCustomError("quantity", message, {"hint": hint})


_ANY_QUANTITY_HINT = QuantityError("").hint


def _parse(value: Any, hint: str) -> Quantity:
    if isinstance(value, Quantity):
        return value
    if value is None:
        raise _quantity_error("the value is missing", hint)
    if isinstance(value, dict | list):
        raise _quantity_error(f"expected one value, got {got(value)}", hint)
    try:
        return parse_quantity(value)
    except QuantityError as exc:
        # quantity's messages are sentences; issues read "path: what is wrong", lower case.
        message = str(exc).rstrip(".")
        if message[:1].isupper() and message[1:2].islower():
            message = message[0].lower() + message[1:]
        specific = exc.hint and exc.hint != _ANY_QUANTITY_HINT
        raise _quantity_error(message, exc.hint if specific else hint) from None


AMOUNT_HINT = "write an amount like 8000万, 1.2亿, 40万, 3000, 80M or 400k"
PERCENT_HINT = "write a percentage like 25%"
RATE_HINT = (
    "write a count per period like 100/周, 25/月, 2/季度, 100/week, or a plain count per plan"
)


PLAIN_AMOUNT = re.compile(r"[1-9][0-9]{0,17}|0")
"""A plain whole number, as HR exports and roster sums write amounts: read without the
quantity parser (what it gives, a hundred times faster)."""


def _amount(value: Any) -> Decimal:
    if type(value) is str and PLAIN_AMOUNT.fullmatch(value):
        return Decimal(value)
    q = _parse(value, AMOUNT_HINT)
    if q.kind is not QuantityKind.NUMBER or q.per is not None:
        raise _quantity_error(f"expected an amount, got {value!r}", AMOUNT_HINT)
    if q.value < 0:
        raise _quantity_error(f"expected an amount of zero or more, got {value!r}", AMOUNT_HINT)
    return q.value


def _fraction(value: Any, *, low: Decimal, high: Decimal | None, low_open: bool) -> Decimal:
    q = _parse(value, PERCENT_HINT)
    if q.per is not None or q.kind is QuantityKind.POINTS:
        raise _quantity_error(f"expected a percentage, got {value!r}", PERCENT_HINT)
    if q.kind is QuantityKind.NUMBER and q.value > 1:
        raise _quantity_error(
            f"expected a percentage, got {value!r}", f"write {value}% if you mean percent"
        )
    too_low = q.value <= low if low_open else q.value < low
    if too_low or (high is not None and q.value > high):
        lowest = format_percent(low)
        highest = format_percent(high) if high is not None else ""
        if not too_low:
            message = f"{value!r} is more than {highest}"
        else:
            message = (
                f"{value!r} must be more than {lowest}"
                if low_open
                else (f"{value!r} is less than {lowest}")
            )
        allowed = (
            f"above {lowest} and up to {highest}"
            if low_open
            else f"from {lowest} to {highest}"
            if high is not None
            else f"of {lowest} or more"
        )
        raise _quantity_error(message, f"use a percentage {allowed}")
    return q.value


@_once_per_value
def _rate(value: Any) -> Decimal:
    """A conversion rate or share: more than 0%, at most 100%."""
    return _fraction(value, low=Decimal(0), high=ONE, low_open=True)


@_once_per_value
def _portion(value: Any) -> Decimal:
    """A portion that may be zero: 0% to 100%."""
    return _fraction(value, low=Decimal(0), high=ONE, low_open=False)


def _ratio(value: Any) -> Decimal:
    """A ratio that may exceed 100% (bounds such as max: 130%)."""
    return (
        _fraction(value, low=Decimal(0), high=None, low_open=False)
        if not (isinstance(value, str) and value.strip().endswith(("%", "％")))
        else _percent_any(value)
    )


def _percent_any(value: Any) -> Decimal:
    q = _parse(value, PERCENT_HINT)
    if q.kind is not QuantityKind.PERCENT or q.value < 0:
        raise _quantity_error(f"expected a percentage, got {value!r}", PERCENT_HINT)
    return q.value


def _points(value: Any) -> Decimal:
    q = _parse(value, "write a change in percentage points like +5pp or -3pp")
    if q.kind is not QuantityKind.POINTS:
        raise _quantity_error(
            f"expected a change in percentage points, got {value!r}",
            "write +5pp for five percentage points (5% would be ambiguous)",
        )
    return q.value


def _yield(value: Any) -> Decimal:
    """What one unit of a metric yields of the next: a rate (25%) or an amount (40万 each)."""
    q = _parse(value, "write a conversion rate like 25% or an amount per unit like 40万")
    if q.per is not None or q.kind is QuantityKind.POINTS:
        raise _quantity_error(
            f"expected a rate or an amount per unit, got {value!r}",
            "write a conversion rate like 25% or an amount per unit like 40万",
        )
    if q.kind is QuantityKind.PERCENT:
        return _rate(value)
    if q.value <= 0:
        raise _quantity_error(
            f"a yield must be more than zero, got {value!r}",
            "write a conversion rate like 25% or an amount per unit like 40万",
        )
    return q.value


class UncertainRate(Decimal):
    """A conversion rate (the Decimal itself) with what the forecast needs of its uncertainty:
    ``won`` of ``tried`` from ``{rate: 25%, from: 50/200}``, or ``spread`` (one standard
    deviation) from ``{rate: 25%, spread: 5pp}``."""

    __slots__ = ("spread", "tried", "won")
    won: int | None
    tried: int | None
    spread: Decimal | None


_UNCERTAIN_HINT = (
    "write {rate: 25%, from: 50/200} (50 won of 200 tried) or {rate: 25%, spread: 5pp}"
)


def _uncertain_yield(value: dict[Any, Any]) -> UncertainRate:
    """``{rate: 25%, from: 50/200}`` or ``{rate: 25%, spread: 5pp}``: a rate and its evidence."""
    if extra := sorted(str(k) for k in value if k not in ("rate", "from", "spread")):
        raise _quantity_error(f"unknown key {extra[0]!r} in a yield", _UNCERTAIN_HINT)
    if ("from" in value) == ("spread" in value):
        raise _quantity_error(
            "give a rate's evidence (from) or its spread, one of them", _UNCERTAIN_HINT
        )
    won = tried = spread = None
    if "from" in value:
        seen = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(value["from"]))
        if not seen or not 0 <= int(seen[1]) <= int(seen[2]) or int(seen[2]) == 0:
            raise _quantity_error(
                f"expected won/tried like 50/200, got {value['from']!r}", _UNCERTAIN_HINT
            )
        won, tried = int(seen[1]), int(seen[2])
    rate = _rate(value["rate"] if "rate" in value else f"{Decimal(won or 0) * 100 / (tried or 1)}%")
    if "spread" in value:
        spread = _points(value["spread"])
        if not 0 < spread * spread < rate * (1 - rate):
            raise _quantity_error(
                f"a spread of {value['spread']} does not fit a rate of {format_percent(rate)}",
                "a spread is one standard deviation: more than 0 and below √(rate × (1 − rate))",
            )
    out = UncertainRate(rate)
    out.won, out.tried, out.spread = won, tried, spread
    return out


def _yield_or_uncertain(value: Any) -> Decimal:
    return _uncertain_yield(value) if isinstance(value, dict) else _yield(value)


def _spread(value: Any) -> Decimal:
    """A spread in percentage points (one standard deviation), 0 or more: 10pp."""
    points = _points(value)
    if points < 0:
        raise _quantity_error(f"a spread is 0pp or more, got {value!r}", "write a spread like 10pp")
    return points


@_once_per_value
def _capacity(value: Any) -> Quantity:
    q = _parse(value, RATE_HINT)
    if q.kind is not QuantityKind.NUMBER or q.value <= 0:
        raise _quantity_error(f"expected a positive count per period, got {value!r}", RATE_HINT)
    return q


def amount_value(value: Any) -> Decimal:
    """An amount of zero or more (``40万``), as the schema reads it; raises the schema's
    ``PydanticCustomError`` (its ``hint`` in the context) for anything else."""
    return _amount(value)


def capacity_value(value: Any) -> Quantity:
    """A positive count per period (``100/周``), as the schema reads a capacity."""
    return _capacity(value)


def _any_target(value: Any) -> Quantity:
    return _parse(value, "write a number (10), a percentage (100%) or a count per period (2/月)")


def _month(value: Any) -> Month:
    text = value if type(value) is str else None
    month = _MONTHS.get(text) if text is not None else None
    if month is not None:
        return month  # a roster's 10,000 dated people have a dozen months
    try:
        month = parse_month(value)
    except ValueError as exc:  # the text after "; " repeats the hint
        raise _quantity_error(
            str(exc).split("; ")[0], "write a month as YYYY-MM, e.g. 2015-03"
        ) from None
    if text is not None and len(_MONTHS) < 1000:
        _MONTHS[text] = month  # a Month is frozen: one may stand for every equal one
    return month


_MONTHS: dict[str, Month] = {}


def _period(value: Any) -> PlanPeriod:
    try:
        return parse_period(value)
    except ValueError as exc:
        raise _quantity_error(str(exc).split("; ")[0], PERIOD_HINT) from None


def _text_of(value: Any) -> str:
    if isinstance(value, Quantity):
        return value.text or format_quantity(value)
    return str(value)


def _schema(description: str, *examples: Any, kind: str | list[str] = "string") -> WithJsonSchema:
    schema: dict[str, Any] = {"type": kind, "description": description}
    if examples:
        schema["examples"] = list(examples)
    return WithJsonSchema(schema)


_NUM_OR_STR = ["string", "number"]
_str = PlainSerializer(_text_of, return_type=str)
Amount = Annotated[
    Decimal,
    PlainValidator(_amount),
    _schema(AMOUNT_HINT, "8000万", "40万", "80M", kind=_NUM_OR_STR),
]
Rate = Annotated[
    Decimal,
    PlainValidator(_rate),
    _schema("A rate above 0% and at most 100%", "25%", "95%", kind=_NUM_OR_STR),
]
Portion = Annotated[
    Decimal,
    PlainValidator(_portion),
    _schema("A percentage from 0% to 100%", "10%", kind=_NUM_OR_STR),
]
Ratio = Annotated[
    Decimal,
    PlainValidator(_ratio),
    _schema("A percentage, may exceed 100%", "70%", "130%", kind=_NUM_OR_STR),
]
Points = Annotated[
    Decimal, PlainValidator(_points), _schema("A change in percentage points", "+5pp", "-3pp")
]
Yield = Annotated[
    Decimal,
    PlainValidator(_yield_or_uncertain),
    WithJsonSchema(
        {
            "description": "A conversion rate (25%) or an amount per unit (40万); a rate may "
            "carry its evidence {rate: 25%, from: 50/200} or spread {rate: 25%, spread: 5pp}, "
            "which okrplan forecast uses",
            "examples": ["25%", "40万", {"rate": "25%", "from": "50/200"}],
            "anyOf": [
                {"type": ["string", "number"]},
                {
                    "type": "object",
                    "properties": {
                        "rate": {"type": ["string", "number"]},
                        "from": {"type": "string", "description": "won/tried, e.g. 50/200"},
                        "spread": {"type": "string", "description": "one standard deviation, 5pp"},
                    },
                    "additionalProperties": False,
                },
            ],
        }
    ),
]
Spread = Annotated[
    Decimal, PlainValidator(_spread), _schema("A spread in percentage points", "10pp")
]
Capacity = Annotated[
    Quantity,
    PlainValidator(_capacity),
    _str,
    _schema(RATE_HINT, "100/周", "25/月", 60, kind=_NUM_OR_STR),
]
AnyTarget = Annotated[
    Quantity,
    PlainValidator(_any_target),
    _str,
    _schema(
        "A target: a number, a percentage or a count per period",
        "100%",
        2,
        "2/月",
        kind=_NUM_OR_STR,
    ),
]
MonthField = Annotated[Month, PlainValidator(_month), _str, _schema("A month, YYYY-MM", "2015-03")]
PeriodField = Annotated[
    PlanPeriod,
    PlainValidator(_period),
    PlainSerializer(lambda p: p.label, return_type=str),
    WithJsonSchema(
        {
            "description": PERIOD_HINT,
            "examples": [2015, "2015-Q3", "2015-03", {"from": "2015-01", "to": "2015-06"}],
            "anyOf": [
                {"type": "integer"},
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"from": {"type": "string"}, "to": {"type": "string"}},
                    "required": ["from", "to"],
                    "additionalProperties": False,
                },
            ],
        }
    ),
]
Count = Annotated[int, Strict(), Field(ge=0)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
MetricKey = Annotated[str, Field(min_length=1, max_length=100)]
Level = Literal["company", "unit", "role"]
PerName = Literal["plan", "quarter", "month", "week"]
