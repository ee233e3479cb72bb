"""Which sheets an objective reaches: ``units:`` (the named units and the roles directly in
them), ``under:`` (whole subtrees), ``roles:``; support units only when named; and every
`okrplan init` template decomposes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from okrplan import api, queries
from okrplan.choices import TEMPLATES
from okrplan.graph import node
from okrplan.model import Objective, RoleGroup, Unit
from tests.conftest import minimal_target

ORG = {
    "name": "公司",
    "units": [
        {
            "name": "北京",
            "roles": [{"role": "经理", "headcount": 1, "sells": "deals"}],
            "units": [
                {"name": "一组", "roles": [{"role": "销售", "headcount": 3, "sells": "deals"}]},
                {"name": "二组", "roles": [{"role": "销售", "headcount": 2, "sells": "deals"}]},
            ],
        },
        {"name": "上海", "roles": [{"role": "销售", "headcount": 4, "sells": "deals"}]},
        {"name": "市场部", "supports": {"metric": "visits", "share": "20%"}},
    ],
}


def _objective(**where: Any) -> dict[str, Any]:
    return {
        "title": "专项",
        "at": ["company", "unit", "role"],
        **where,
        "key_results": [{"text": "专项工作", "target": 1}],
    }


def owners_with(plan: Any, title: str) -> set[str]:
    """Paths of the units and role groups whose sheet holds the objective ``title``."""
    out = set()
    for record in queries.records(plan.graph):
        if isinstance(record, Objective) and record.name == title:
            owner = node(plan.graph, record.owner)
            assert isinstance(owner, Unit | RoleGroup)
            out.add("/".join(owner.path) + ("" if isinstance(owner, Unit) else f"/{owner.label}"))
    return out


def decompose(write_target: Callable[..., Path], **where: Any) -> Any:
    base = {"title": "完成销售任务", "key_results": [{"metric": "revenue"}]}
    target = minimal_target(org=ORG, objectives=[base, _objective(**where)])
    return api.decompose(write_target(target))


def test_units_reach_the_named_unit_and_its_roles_not_sub_units(
    write_target: Callable[..., Path],
) -> None:
    # 北京 has a role of its own (经理) and two sub-units: only 北京 and 北京's 经理 get it
    plan = decompose(write_target, units=["北京"])
    assert owners_with(plan, "专项") == {"公司/北京", "公司/北京/经理"}


def test_under_reaches_a_whole_subtree(write_target: Callable[..., Path]) -> None:
    plan = decompose(write_target, under=["北京"])
    assert owners_with(plan, "专项") == {
        "公司/北京",
        "公司/北京/经理",
        "公司/北京/一组",
        "公司/北京/一组/销售",
        "公司/北京/二组",
        "公司/北京/二组/销售",
    }


def test_a_support_unit_gets_only_objectives_that_name_it(
    write_target: Callable[..., Path],
) -> None:
    everywhere = owners_with(decompose(write_target), "专项")
    assert "公司/市场部" not in everywhere and "公司/上海" in everywhere
    assert owners_with(decompose(write_target, units=["市场部"]), "专项") == {"公司/市场部"}


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_init_template_decomposes(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(api.template_text(name), encoding="utf-8")
    plan = api.decompose(path)
    assert plan.status.is_ok
