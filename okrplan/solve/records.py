"""Unit, role group, objective and KR records made fast: a large plan makes 150,000 to
180,000 of them.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (about 4.4 µs
a KR); setting each slot through its descriptor from C (as this module's forerunner did) still
calls a method wrapper per field (about 2.5 µs). Here a plain "twin" class with the very same
``__slots__`` (so the very same memory layout) sets its fields as ordinary attributes, which
Python specialises into direct slot stores, and then becomes the record: assigning
``__class__`` between two classes of one layout is what Python allows (it checks the layout,
and raises where it differs), about 1 µs a KR in all. The record is then an ordinary
:class:`~okrplan.model.KeyResult` (its type, equality, hash and frozenness); its dataclass
``__init__`` is not run (RoleGroup's was, before): nothing in those checks a value, and
``tests/test_graph_build.py`` checks that the records have no ``__post_init__`` that would be
skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from okrplan.model import KeyResult, Objective, RoleGroup, Unit

_set = object.__setattr__  # the frozen dataclass's own __setattr__ refuses every assignment


class _KeyResultTwin:
    """A :class:`KeyResult`'s fields in its slots' order; made, it is a :class:`KeyResult`."""

    __slots__ = KeyResult.__slots__

    def __init__(
        self,
        id: str,
        name: str,
        owner: str,
        objective: str,
        kr_kind: Any,
        metric: Any,
        text: Any,
        per: Any,
        target: Any,
        target_kind: Any,
        periods: Any,
        weight: Any,
        fixed_weight: Any,
        direction: Any,
        deduction: Any,
        due: Any,
        target_per: Any,
        total: Any,
        unit: Any,
        money: Any,
        hires: Any,
        sourced: Any,
        kind: Any,
    ) -> None:
        self.id = id
        self.name = name
        self.owner = owner
        self.objective = objective
        self.kr_kind = kr_kind
        self.metric = metric
        self.text = text
        self.per = per
        self.target = target
        self.target_kind = target_kind
        self.periods = periods
        self.weight = weight
        self.fixed_weight = fixed_weight
        self.direction = direction
        self.deduction = deduction
        self.due = due
        self.target_per = target_per
        self.total = total
        self.unit = unit
        self.money = money
        self.hires = hires
        self.sourced = sourced
        self.kind = kind
        _set(self, "__class__", KeyResult)


class _KeyResultLaterTwin:
    """A :class:`KeyResult` from its first four fields and a tuple of the rest (``later``, in
    the slots' order, ``kind`` last): KRs alike share that tuple, and unpacking it into the
    slots costs less than spreading it over as many arguments."""

    __slots__ = KeyResult.__slots__

    def __init__(self, id: str, name: str, owner: str, objective: str, later: Any) -> None:
        self.id = id
        self.name = name
        self.owner = owner
        self.objective = objective
        (
            self.kr_kind,
            self.metric,
            self.text,
            self.per,
            self.target,
            self.target_kind,
            self.periods,
            self.weight,
            self.fixed_weight,
            self.direction,
            self.deduction,
            self.due,
            self.target_per,
            self.total,
            self.unit,
            self.money,
            self.hires,
            self.sourced,
            self.kind,
        ) = later
        _set(self, "__class__", KeyResult)


class _ObjectiveTwin:
    """An :class:`Objective`'s fields in its slots' order; made, it is an :class:`Objective`."""

    __slots__ = Objective.__slots__

    def __init__(
        self,
        id: str,
        name: str,
        owner: str,
        detail: str,
        weight: Any,
        kind: Any,
    ) -> None:
        self.id = id
        self.name = name
        self.owner = owner
        self.detail = detail
        self.weight = weight
        self.kind = kind
        _set(self, "__class__", Objective)


class _RoleGroupTwin:
    """A :class:`RoleGroup`'s fields in its slots' order; made, it is a :class:`RoleGroup`."""

    __slots__ = RoleGroup.__slots__

    def __init__(
        self,
        id: str,
        name: str,
        label: str,
        path: Any,
        headcount: Any,
        people: Any,
        new_hires: Any,
        sells: Any,
        capacity: Any,
        selling: Any,
        kind: Any,
    ) -> None:
        self.id = id
        self.name = name
        self.label = label
        self.path = path
        self.headcount = headcount
        self.people = people
        self.new_hires = new_hires
        self.sells = sells
        self.capacity = capacity
        self.selling = selling
        self.kind = kind
        _set(self, "__class__", RoleGroup)


class _UnitTwin:
    """A :class:`Unit`'s fields in its slots' order; made, it is a :class:`Unit`."""

    __slots__ = Unit.__slots__

    def __init__(
        self,
        id: str,
        name: str,
        path: Any,
        lead: Any,
        level: Any,
        target: Any,
        assigned: Any,
        supports: Any,
        kind: Any,
    ) -> None:
        self.id = id
        self.name = name
        self.path = path
        self.lead = lead
        self.level = level
        self.target = target
        self.assigned = assigned
        self.supports = supports
        self.kind = kind
        _set(self, "__class__", Unit)


new_kr = cast(Callable[..., KeyResult], _KeyResultTwin)
"""A :class:`KeyResult` from the values of all its fields (``kind`` too), in order, unchecked."""

new_kr_later = cast(Callable[..., KeyResult], _KeyResultLaterTwin)
"""A :class:`KeyResult` from its id, name, owner and objective and a tuple of its other fields
(``kind`` too), in order, unchecked."""

new_objective = cast(Callable[..., Objective], _ObjectiveTwin)
"""An :class:`Objective` from the values of all its fields (``kind`` too), in order, unchecked."""


new_unit = cast(Callable[..., Unit], _UnitTwin)
"""A :class:`Unit` from the values of all its fields (``kind`` too), in order, unchecked."""

new_role_group = cast(Callable[..., RoleGroup], _RoleGroupTwin)
"""A :class:`RoleGroup` from the values of all its fields (``kind`` too), in order, unchecked."""


def weight_setter(record: type[Any]) -> Callable[[Any, Any], None]:
    """The setter of the ``weight`` slot of a slotted ``record`` (its member descriptor's):
    :func:`okrplan.solve.weighting.weigh` sets the weights of records not yet seen."""
    setter: Callable[[Any, Any], None] = record.weight.__set__
    return setter


Sheets = dict[str, list[tuple[Objective, list[KeyResult]]]]


def owner_sheets(items: Sequence[Objective | KeyResult]) -> Sheets:
    """Each owner's objectives in the items' order, each with its KRs in the items' order:
    the sheets as weighing reads them and as the goal graph's edges say them (see
    :func:`okrplan.queries.sheet`). Owners without objectives are not in it.

    Raises
    ------
    KeyError
        For a KR whose objective is not on its owner's sheet before it.
    """
    sheets: Sheets = {}
    oid, krs = "", list[KeyResult]()  # the last objective: its KRs follow it
    for item in items:
        if type(item) is Objective:
            sheet = sheets.get(item.owner)
            if sheet is None:
                sheet = sheets[item.owner] = []
            oid, krs = item.id, []
            sheet.append((item, krs))
        elif type(item) is KeyResult:
            if item.objective == oid:
                krs.append(item)
            else:  # a KR apart from its objective (none is made so): found on its owner's sheet
                found = [ks for o, ks in sheets[item.owner] if o.id == item.objective]
                if not found:
                    raise KeyError(item.objective)
                found[0].append(item)
    return sheets
