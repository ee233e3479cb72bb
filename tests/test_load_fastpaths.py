"""A role entry completed from its catalogue entry (spec.refs.with_template): what it
inherits, its own fields kept, its fields set."""

from __future__ import annotations

from okrplan.spec.refs import with_template
from okrplan.spec.schema import Role, RoleTemplate


def test_template_copy_is_model_copy() -> None:
    template = RoleTemplate.model_validate(
        {"sells": "deals", "capacity": {"calls": "100/周"}, "ramp": ["50%", "100%"]}
    )
    role = Role.model_validate({"role": "销售", "people": ["张三", "李四"], "history": 5})
    update = {"sells": template.sells, "capacity": template.capacity, "ramp": template.ramp}
    expected = role.model_copy(update=update)
    got = with_template(role, template)
    assert got == expected
    assert got.model_fields_set == expected.model_fields_set
    assert got.model_fields_set == {"role", "people", "history", "sells", "capacity", "ramp"}
    assert role.model_fields_set == {"role", "people", "history"}  # the entry is not changed
    assert role.sells is None


def test_template_own_capacity_wins() -> None:
    template = RoleTemplate.model_validate(
        {"sells": "deals", "capacity": {"calls": "100/周", "visits": "20/月"}}
    )
    role = Role.model_validate({"role": "销售", "capacity": {"calls": "80/周"}})
    got = with_template(role, template)
    assert [(m, q.text) for m, q in got.capacity.items()] == [
        ("calls", "80/周"),
        ("visits", "20/月"),
    ]
    assert got.sells == "deals"
