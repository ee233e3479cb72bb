"""How decompose builds its records and goal graph fast, checked against the slow way."""

from __future__ import annotations

import dataclasses

from okrplan.model import KeyResult
from okrplan.solve.objectives import KR_ORDER


def test_kr_order_is_the_records_field_order() -> None:
    # KeyResult records are made positionally: KR_ORDER must be the dataclass's field
    # order, up to its last field (kind, left at its default)
    names = [f.name for f in dataclasses.fields(KeyResult)]
    assert names == [*KR_ORDER, "kind"]


def test_record_makers_make_the_dataclasss_records() -> None:
    import pytest

    from okrplan.model import Direction, KRKind, NodeKind, Objective, Per, TargetKind
    from okrplan.solve.records import new_kr, new_kr_later, new_objective

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
    # the same from its first four fields and a tuple of the rest (what sheet_records passes)
    first = list(values.values())
    later = new_kr_later(*first[:4], tuple(first[4:]))
    assert type(later) is KeyResult
    assert later == made and dataclasses.asdict(later) == values
    objective = new_objective("o:a#1", "完成销售任务", "u:a", "", 40, NodeKind.OBJECTIVE)
    assert type(objective) is Objective
    assert objective == Objective("o:a#1", "完成销售任务", "u:a", "", 40)
    assert hash(objective) == hash(Objective("o:a#1", "完成销售任务", "u:a", "", 40))


def test_role_group_maker_makes_the_dataclasss_record() -> None:
    from okrplan.model import NodeKind, RoleGroup, Selling
    from okrplan.solve.records import new_role_group

    selling = Selling(1200000, 120000, 1000000, 1.2, (0, 0.5, 1), ("bounds.max",), ())
    values = {
        "id": "r:a/b/销售",
        "name": "销售",
        "label": "销售",
        "path": ("a", "b"),
        "headcount": 10,
        "people": ("张三",),
        "new_hires": False,
        "sells": "deals",
        "capacity": {"calls": "60/周"},
        "selling": selling,
        "kind": NodeKind.ROLE,
    }
    made = new_role_group(*values.values())
    assert type(made) is RoleGroup
    assert made == RoleGroup(**values)  # type: ignore[arg-type]
    assert dataclasses.asdict(made) == dataclasses.asdict(RoleGroup(**values))  # type: ignore[arg-type]


def test_unit_maker_makes_the_dataclasss_record() -> None:
    from okrplan.model import Level, NodeKind, Supports, Unit
    from okrplan.solve.records import new_unit

    values = {
        "id": "u:a/b",
        "name": "b",
        "path": ("a", "b"),
        "lead": "王五",
        "level": Level.UNIT,
        "target": 1200000,
        "assigned": 1260000,
        "supports": Supports("meetings", 0.5),
        "kind": NodeKind.UNIT,
    }
    made = new_unit(*values.values())
    assert type(made) is Unit
    assert made == Unit(**values)  # type: ignore[arg-type]
    assert hash(made) == hash(Unit(**values))  # type: ignore[arg-type]
    assert dataclasses.asdict(made) == dataclasses.asdict(Unit(**values))  # type: ignore[arg-type]


def test_records_made_without_their_init_have_nothing_it_would_check() -> None:
    # solve/records.py makes KeyResult, Objective and RoleGroup records without running their
    # dataclass __init__: a __post_init__ added to one of them would be skipped silently
    from okrplan.model import Objective, RoleGroup, Unit

    for record in (KeyResult, Objective, RoleGroup, Unit):
        assert not hasattr(record, "__post_init__"), record.__name__
