"""A book's sheets listed for an index alone, none of them made: a plan of 100,000 people
has 19,000 sheets, and making them is most of the sheets' time.

:func:`build_outline` lists what :func:`okrplan.export.sheets.build_book` would make (the
same builder, :class:`~okrplan.export.sheets.SheetBuilder`, decides who gets which sheet) as
the :class:`~okrplan.export.sheetmodel.Listed` entries of an
:class:`~okrplan.export.sheetmodel.Outline`; :func:`okrplan.export.sheetfiles.outline_index`
writes its index.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from okrplan import queries
from okrplan.graph import node
from okrplan.model import RoleGroup, Unit
from okrplan.plan import Plan
from okrplan.present import label

from .sheetgrid import filter_sheets
from .sheetmodel import Listed, Outline
from .sheets import (
    KRS,
    SheetBuilder,
    book_of,
    group_quota,
    objective_shares,
    sheet_builder,
    tab_names,
)

__all__ = ["build_outline"]


def build_outline(
    plan: Plan, *, per_person: bool = False, unit: str | None = None, role: str | None = None
) -> Outline:
    """The sheets :func:`~okrplan.export.sheets.build_book` would make, listed for an index
    alone: each one's key, kind, tab, path, role, person, headcount, quota and objectives, the
    same values as its :class:`~okrplan.export.sheetmodel.Sheet`'s, with the book around them
    (its ``sheets`` empty). No sheet is made.

    Raises
    ------
    InputError
        As :func:`~okrplan.export.sheets.build_book`.
    """
    builder = sheet_builder(plan, per_person, unit, role, False, None, True)
    listed = filter_sheets(_listed(builder), plan, builder.within, unit, role)
    tabs = tab_names(
        [s.context for s in listed], [s.least for s in listed], label(plan.locale, "summary")
    )
    return Outline(book_of(plan, [], builder.row_maker.periods, unit, role), listed, tabs)


def _listed(builder: SheetBuilder) -> list[Listed]:
    """The sheets :meth:`SheetBuilder.build` makes, listed in one pass over the tree: a
    unit's, then each of its role groups' or their people's (who gets which asked of
    ``builder``). The tree lists a unit's role groups right after it, in its children's
    order, so each group is met once there (no unit's children asked for and read again)."""
    graph = builder.plan.graph
    order = queries.tree_order(graph)
    listed: list[Listed] = []
    append, decimals, decimal = listed.append, builder.decimals, builder.decimal
    # a large book repeats its objectives' shares (19,000 sheets, five different ones): each
    # different one is kept once (the index looks each row's up: one object, not thousands)
    shared: dict[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]] = {}
    share = shared.setdefault
    unit_id, named, counters = "", set[str](), dict[tuple[str, bool], int]()
    # each owner's record and sheet read first, in one pass each (see queries.records_at)
    records, sheets = queries.records_at(graph, order), queries.sheets(graph, order)
    for owner, record, okrs in zip(order, records, sheets, strict=True):
        if isinstance(record, Unit):
            unit_id, named, counters = owner, _UNKNOWN, {}
            if any(map(KRS, okrs)):
                value, path = record.target, record.path
                if (quota := decimals.get(str(value))) is None:  # builder.decimal's, inline
                    quota = decimal(value)
                shares = share(made := objective_shares(okrs), made)
                append(_row((owner, "unit", path, None, None, None, 1, quota, shares, path, 1)))
            continue
        if not isinstance(record, RoleGroup) or not record.headcount:
            continue  # a group of no one (a hire pool that hired no one): no sheet
        if not any(map(KRS, okrs)):
            continue
        group, heads = record, record.headcount
        shares = share(made := objective_shares(okrs), made)
        if group.people or builder.per_person or group.new_hires:  # else no person sheets
            if named is _UNKNOWN:  # the unit's role names that name people, once per unit
                named = _named_roles(graph, unit_id)
            if builder.gets_person_sheets(group, named):
                people = builder.people_of(group, heads, named, counters)
                if people:
                    each = group_quota(group.selling, each=True, decimal=decimal)
                    listed += _people(group, people, each, shares)
                    continue
        path, role, selling = group.path, group.label, group.selling
        if selling is None:
            quota = _NO_QUOTA  # group_quota's for a group that does not sell
        elif (quota := decimals.get(str(value := selling.quota))) is None:
            quota = decimal(value)
        context = (*path, role)  # the group's sheet (also past the limits)
        append(
            _row((owner, "role", path, role, group.name, None, heads, quota, shares, context, 2))
        )
    return listed


_NO_QUOTA = group_quota(None)

_row = partial(tuple.__new__, Listed)
"""``Listed(*fields)`` of a tuple of the fields, without the Python-level ``__new__`` of a
named tuple (a tenth of the listing's time at 100,000 people)."""


_UNKNOWN: set[str] = set()  # a unit's named roles not asked for yet (see _listed)


def _named_roles(graph: Any, unit_id: str) -> set[str]:
    """The names of a unit's role groups that name their people."""
    return {
        r.name
        for c in queries.org_children(graph, unit_id)
        if isinstance(r := node(graph, c), RoleGroup) and r.people
    }


def _people(
    group: RoleGroup, people: list[str], each: Decimal, objectives: tuple[tuple[str, int], ...]
) -> list[Listed]:
    """The sheets of a group's people, one each (as SheetBuilder.add_person_sheets makes)."""
    path, role, name, key = group.path, group.label, group.name, group.id
    return [
        Listed(
            f"{key}@{index}",
            "person",
            path,
            role,
            name,
            person,
            1,
            each,
            objectives,
            (*path, person),
            2,
        )
        for index, person in enumerate(people, start=1)
    ]
