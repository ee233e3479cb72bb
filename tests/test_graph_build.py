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


def test_record_makers_make_the_dataclasss_records() -> None:
    import pytest

    from okrplan.model import Direction, KRKind, NodeKind, Objective, Per, TargetKind
    from okrplan.solve.records import new_kr, new_objective

    values = {
        "id": "k:a#1.1",
        "name": "销售额",
        "owner": "u:a",
        "objective": "o:a#1",
        "kr_kind": KRKind.DERIVED,
        "metric": "revenue",
        "text": "销售额",
        "per": Per.MONTH,
        "target": 5,
        "target_kind": TargetKind.NUMBER,
        "periods": {"2015-01": 5},
        "weight": 35,
        "fixed_weight": False,
        "direction": Direction.INCREASE,
        "deduction": None,
        "due": None,
        "target_per": None,
        "total": 60,
        "unit": "元",
        "money": True,
        "hires": None,
        "sourced": 12.5,
        "kind": NodeKind.KR,
    }
    made = new_kr(*values.values())
    assert type(made) is KeyResult
    assert made == KeyResult(**values)  # type: ignore[arg-type]
    assert dataclasses.asdict(made) == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.target = 6  # type: ignore[misc]
    objective = new_objective("o:a#1", "完成销售任务", "u:a", "", 40, NodeKind.OBJECTIVE)
    assert type(objective) is Objective
    assert objective == Objective("o:a#1", "完成销售任务", "u:a", "", 40)
    assert hash(objective) == hash(Objective("o:a#1", "完成销售任务", "u:a", "", 40))
