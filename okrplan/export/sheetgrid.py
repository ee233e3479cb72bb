"""Which sheets a book holds and its period columns: the sheets of a unit or role, and the
grid of quarters, months or weeks the KRs' period targets are shown in.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from okrplan import queries
from okrplan.errors import InputError, Issue
from okrplan.model import RoleGroup, Unit
from okrplan.plan import Plan

from .sheetmodel import fiscal_start, quarter_of, week_month


class _Filtered(Protocol):
    """What :func:`filter_sheets` reads of a sheet (a :class:`~.sheetmodel.Sheet` or the
    :class:`~.sheetmodel.Listed` entry of an outline)."""

    @property
    def path(self) -> tuple[str, ...]: ...

    @property
    def kind(self) -> str: ...

    @property
    def role(self) -> str | None: ...

    @property
    def role_name(self) -> str | None: ...


_S = TypeVar("_S", bound=_Filtered)


def filter_sheets(
    sheets: list[_S],
    plan: Plan,
    within: tuple[str, ...] | None,
    unit: str | None,
    role: str | None,
) -> list[_S]:
    """The sheets within the unit path ``within`` and of ``role`` (where given).

    Raises
    ------
    InputError
        If no sheet is left (naming the units or roles there are).
    """
    out = sheets
    if within is not None:
        out = [s for s in out if s.path[: len(within)] == within]
        if not out:
            names = sorted({r.name for r in queries.records(plan.graph) if isinstance(r, Unit)})
            raise InputError(
                [
                    Issue(
                        f"no unit named {unit!r} has a sheet in this plan",
                        hint=f"units: {', '.join(names)}",
                    )
                ]
            )
    if role is not None:
        out = [s for s in out if s.kind != "unit" and role in (s.role, s.role_name)]
        if not out:
            names = sorted(
                {r.label for r in queries.records(plan.graph) if isinstance(r, RoleGroup)}
            )
            raise InputError(
                [
                    Issue(
                        f"no role named {role!r} has a sheet"
                        + (f" in {unit}" if unit else "")
                        + " in this plan",
                        hint=f"roles: {', '.join(names)}",
                    )
                ]
            )
    return out


def kr_periods(plan: Plan) -> set[str]:
    """Every period label some KR of the plan has a target for."""
    return set(queries.period_labels(plan.graph))


def period_grid(
    plan: Plan, months: list[str], weeks_too: bool = True
) -> tuple[list[str], dict[str, str]]:
    """The period columns (quarters for a plan of several quarters, else months, else ISO
    weeks) and where each KR period goes: a month to its quarter, a week to the month of its
    Thursday (ISO's rule), clamped into the plan. Without ``weeks_too`` the KRs' weeks are
    not looked at (the rows that would need them are not built)."""
    start = fiscal_start(plan.meta)
    quarters = list(dict.fromkeys(quarter_of(m, start) for m in months))
    weeks = sorted(p for p in kr_periods(plan) if "-W" in p) if weeks_too else []
    if len(quarters) > 1:
        grid = quarters
    elif len(months) > 1:
        grid = months
    else:
        grid = weeks or months
    to_column: dict[str, str] = {}
    for q in quarters:
        if q in grid:
            to_column[q] = q
    for m in months:
        if m in grid:
            to_column[m] = m
        elif quarter_of(m, start) in grid:
            to_column[m] = quarter_of(m, start)
    for w in weeks:
        if w in grid:
            to_column[w] = w
            continue
        month = week_month(w)
        if months:
            month = min(max(month, months[0]), months[-1])
        if month in to_column:
            to_column[w] = to_column[month]
    return grid, to_column


def plan_months(plan: Plan) -> list[str]:
    """The months some KR has a target for (a plan.json without ``months`` in its meta)."""
    return sorted(p for p in kr_periods(plan) if len(p) == 7 and p[4] == "-" and p[5:].isdigit())
