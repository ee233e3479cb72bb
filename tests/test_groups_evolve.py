"""evolve() copies every field of a group and applies the changes (it names each field)."""

from __future__ import annotations

from dataclasses import fields
from fractions import Fraction

import pytest

from okrplan.solve.groups import Group, evolve


def _distinct() -> Group:
    """A group whose every field holds its own object, so a copy of the wrong field shows."""
    values = {f.name: object() for f in fields(Group)}
    return Group(**values)  # type: ignore[arg-type]


def test_evolve_copies_every_field() -> None:
    group = _distinct()
    copy = evolve(group)
    assert copy is not group
    for f in fields(Group):
        assert getattr(copy, f.name) is getattr(group, f.name), f.name


@pytest.mark.parametrize("name", [f.name for f in fields(Group)])
def test_evolve_changes_one_field(name: str) -> None:
    group = _distinct()
    new = Fraction(7)
    changed = evolve(group, **{name: new})
    for f in fields(Group):
        expected = new if f.name == name else getattr(group, f.name)
        assert getattr(changed, f.name) is expected, f.name
    assert getattr(group, name) is not new  # the original is untouched


def test_evolve_rejects_an_unknown_field() -> None:
    with pytest.raises(AttributeError):
        evolve(_distinct(), nonsense=1)
