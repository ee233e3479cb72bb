"""plan.json's solver section: binding and conflict entries are records that write the same
strings they are read from."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from okrplan.planmeta import SOLVER_REPORT, Binding, Conflict

SECTION = {
    "status": "infeasible",
    "stretch": 1.0,
    "binding": [
        "r:A公司/销售部/销售岗: capacity calls 100/周 in 2015-11",
        "r:A公司/销售部/渠道经理: bounds.max",
    ],
    "relaxations": [],
    "conflict": [
        "capacity:r:A公司/销售部/销售岗",
        "hire-max:r:A公司/销售部/销售岗 (2)+hires",
        "target:A公司/销售部",
    ],
    "hires": {},
    "levels": {},
}


def test_binding_and_conflict_read_into_records_and_write_the_same_bytes() -> None:
    report = SOLVER_REPORT.validate_python(SECTION)
    assert report.binding[0] == Binding("r:A公司/销售部/销售岗", "capacity calls 100/周 in 2015-11")
    assert report.conflict[1] == Conflict("hire-max", "r:A公司/销售部/销售岗 (2)+hires")
    assert json.dumps(report.to_json(), ensure_ascii=False) == json.dumps(
        SECTION, ensure_ascii=False
    )


def test_a_binding_entry_must_be_a_string() -> None:
    with pytest.raises(ValidationError):
        SOLVER_REPORT.validate_python({**SECTION, "binding": [3]})
