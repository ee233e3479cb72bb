"""Role entries of one kind (what they sell, their capacities, hiring month) are checked once
when the first has no problem; entries with a problem are each reported where they are, as
when every entry was checked. The spec solving gets keeps what the checks worked out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_target

from okrplan.errors import InputError
from okrplan.spec import load_spec


def _unit(name: str, **role: Any) -> dict[str, Any]:
    return {"name": name, "roles": [{"role": "销售", "headcount": 2, "sells": "deals", **role}]}


def _errors(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_spec(path)
    return [f"{i.path}: {i.message}" for i in caught.value.issues if i.severity == "error"]


def test_each_entry_of_a_faulty_kind_is_reported(write_target: Callable[..., Path]) -> None:
    # a sound entry first, then two of another kind with an unknown capacity metric, then a
    # sound one again: both faulty entries are reported, at their own paths
    units = [
        _unit("一部", capacity={"visits": "20/月"}),
        _unit("二部", capacity={"calls": "20/月"}),
        _unit("三部", capacity={"calls": "20/月"}),
        _unit("四部", capacity={"visits": "20/月"}),
    ]
    org = {"name": "公司", "units": units}
    errors = _errors(write_target(minimal_target(org=org)))
    assert errors == [
        f"org.units[{i}].roles[0].capacity.calls: no metric 'calls' is defined under metrics"
        for i in (1, 2)
    ]


def test_a_kind_checked_sound_still_checks_each_entrys_people(
    write_target: Callable[..., Path],
) -> None:
    units = [_unit("一部"), _unit("二部", headcount=3, people=["张三", "李四"])]
    errors = _errors(write_target(minimal_target(org={"name": "公司", "units": units})))
    assert errors == ["org.units[1].roles[0].headcount: headcount is 3 but 2 people are named"]


def test_the_loaded_spec_keeps_its_units_and_roles(write_target: Callable[..., Path]) -> None:
    spec = load_spec(write_target(minimal_target()))
    known = vars(spec)  # worked out by the checks, not again by the first stage that asks
    assert {"units", "roles", "period"} <= known.keys()
    assert [ref.role.role for ref in spec.roles] == ["销售"]
