"""A field reader that reads each distinct text once gives what reading it again gives, and
refuses a bad value every time with the same message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from okrplan.quantity import Per
from okrplan.spec.fields import capacity_value
from okrplan.spec.schema import Role


def test_capacity_read_once_is_the_same() -> None:
    first = capacity_value("100/周")
    again = capacity_value("100/周")
    assert again is first  # kept: a frozen Quantity
    assert (first.value, first.per, first.text) == (Decimal(100), Per.WEEK, "100/周")


def test_bad_capacity_refused_each_time() -> None:
    messages = []
    for _ in range(2):
        with pytest.raises(ValidationError) as info:
            Role.model_validate({"role": "销售", "capacity": {"calls": "-5/周"}, "headcount": 1})
        messages.append([e["msg"] for e in info.value.errors()])
    assert messages[0] == messages[1]
    assert messages[0] == ["expected a positive count per period, got '-5/周'"]


def test_ramp_values_by_type() -> None:
    # 1 is 100%, True is no portion: equal keys to a dict, told apart by their type
    role = Role.model_validate({"role": "销售", "headcount": 1, "ramp": [1, "50%"]})
    assert role.ramp == (Decimal(1), Decimal("0.5"))
    with pytest.raises(ValidationError):
        Role.model_validate({"role": "销售", "headcount": 1, "ramp": [True]})
    again = Role.model_validate({"role": "销售", "headcount": 1, "ramp": [1, "50%"]})
    assert again.ramp == role.ramp
