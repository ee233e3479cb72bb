"""Named people in YAML are checked as they were one by one: a name repeated in one role, a
person leaving before joining and one joining after the plan, each reported at its place and
in the order of the list (the check compares plain names at once, then the dated people)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_target

from okrplan.errors import InputError
from okrplan.spec import load_spec


def _target(people: list[Any]) -> dict[str, Any]:
    org = {"name": "公司", "roles": [{"role": "销售", "sells": "deals", "people": people}]}
    return minimal_target(plan={"period": 2026}, org=org)


def _errors(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_spec(path)
    return [f"{i.path}: {i.message}" for i in caught.value.issues if i.severity == "error"]


PEOPLE = "org.roles[0].people"


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        (  # every problem, in the list's order: [1] dated wrongly, [2] repeats [0], [3] late
            [
                "张三",
                {"name": "李四", "joined": "2026-05", "left": "2026-03"},
                "张三",
                {"name": "王五", "joined": "2027-02"},
            ],
            [
                f"{PEOPLE}[1].left: 李四 leaves (2026-03) before joining (2026-05)",
                f"{PEOPLE}[2]: '张三' is named twice in this role",
                f"{PEOPLE}[3].joined: 王五 joins after the plan ends",
            ],
        ),
        (  # no name repeated: only the dated people have problems
            [
                "张三",
                {"name": "王五", "joined": "2027-02"},
                "赵六",
                {"name": "李四", "left": "2026-03"},
            ],
            [f"{PEOPLE}[1].joined: 王五 joins after the plan ends"],
        ),
        (  # a plain name repeated by a dated person
            [{"name": "张三", "joined": "2026-02"}, "李四", {"name": "张三"}],
            [f"{PEOPLE}[2]: '张三' is named twice in this role"],
        ),
    ],
)
def test_people_problems_in_order(
    write_target: Callable[..., Path], people: list[Any], expected: list[str]
) -> None:
    assert _errors(write_target(_target(people))) == expected
