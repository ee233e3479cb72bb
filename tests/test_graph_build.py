"""How decompose builds its records and goal graph fast, checked against the slow way."""

from __future__ import annotations

import dataclasses

from okrplan.model import KeyResult
from okrplan.solve.objectives import KR_ORDER


def test_freeze_passes_a_krs_fields_in_the_records_order() -> None:
    # freeze makes KeyResult records positionally: KR_ORDER must be the dataclass's field
    # order, up to its last field (kind, left at its default)
    names = [f.name for f in dataclasses.fields(KeyResult)]
    assert names == [*KR_ORDER, "kind"]


def test_the_positional_constructors_make_the_records_the_dataclass_makes() -> None:
    from okrplan.model import (
        Direction,
        KRKind,
        Objective,
        Per,
        TargetKind,
        make_key_result,
        make_objective,
    )

    values = ("k:A#1.1", "销售额", "u:A", "o:A#1", KRKind.DERIVED, "revenue", "销售额")
    values += (Per.PLAN, 100, TargetKind.NUMBER, {"2015-Q1": 100}, 35, False)
    values += (Direction.INCREASE, None, None, None, 100, "元", True, None, 60)
    made = make_key_result(*values)
    assert made == KeyResult(*values)
    assert made.kind == "kr" and made.sourced == 60
    assert make_objective("o:A#1", "完成任务", "u:A", "", 100) == Objective(
        "o:A#1", "完成任务", "u:A", "", 100
    )
