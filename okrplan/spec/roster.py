"""Roster files: the organisation's people from a table instead of typed YAML.

``org.roster: people.xlsx`` (or ``.csv``, UTF-8 or GB18030, read through
:mod:`okrplan.tabular`) holds one row per person: name, unit path (``华东大区/上海团队``) and role,
and optionally joined, left, history, potential, a fixed quota and capacity overrides
(``capacity.calls``). Before the target file is validated, the rows become YAML-shaped data:
units are created from the paths (or found in the YAML tree), and the people of one role in one
unit become one role entry with named people (``people: [{name, joined, left}]``), completed
from the role catalogue (``roles:``). A person whose row sets what makes them differ (their own
quota, capacity, or the history or potential the split is based on) gets an entry of their own,
so their quota is their own. Every problem is reported at once with file, row, column and hint.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic_core import PydanticCustomError

from okrplan.errors import InputError, Issue, Severity
from okrplan.numbers import counted
from okrplan.periods import Month, PlanPeriod, parse_month, parse_period
from okrplan.source import Source
from okrplan.spec.fields import PLAIN_AMOUNT, amount_value, capacity_value
from okrplan.spec.roster_units import UnitIndex, roster_issue
from okrplan.spec.words import suggest
from okrplan.tabular import Columns, read_columns

MAX_ROSTER_BYTES = 64 * 2**20
"""Most bytes a roster CSV may have: about a million rows of name, unit and role."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名", "员工姓名"),
    "unit": ("unit", "部门", "团队", "单位"),
    "role": ("role", "岗位", "职位"),
    "joined": ("joined", "入职", "入职月份", "入职日期"),
    "left": ("left", "离职", "离职月份", "离职日期"),
    "history": ("history", "去年业绩", "历史业绩"),
    "potential": ("potential", "潜力"),
    "quota": ("quota", "指标", "固定指标"),
}
"""Each roster column and the header names it is known by (matched without case)."""

CAPACITY_PREFIXES = ("capacity.", "产能.")
REQUIRED = ("name", "unit", "role")
_SEPARATORS = re.compile(r"\s*[/／]\s*")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?$")
MONTH_HINT = "write a month like 2026-03 (a date such as 2026-03-15 counts as its month)"


@dataclass(frozen=True, slots=True)
class _Rows:
    """The roster's rows, checked, column by column: row ``r`` is a person unless it is in
    ``skip`` (it has a problem, reported)."""

    lines: tuple[int, ...]  # each row's line (sheet row) in the roster
    names: tuple[str, ...]
    paths: list[tuple[str, ...]]
    roles: tuple[str, ...]
    joined: Sequence[Month | None]
    left: Sequence[Month | None]
    amounts: list[tuple[str, list[Decimal | None]]]  # history, potential, quota
    capacities: list[tuple[str, tuple[str, ...]]]  # (metric, the texts as written)
    skip: set[int]


def roster_path(source: Source) -> str | None:
    """The roster file ``org.roster`` names, relative to the target file; None without one."""
    org = source.data.get("org") if isinstance(source.data, dict) else None
    raw = org.get("roster") if isinstance(org, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        return None  # absent, or not text: the schema reports it
    base = Path(source.file).parent if source.file not in ("", "<string>") else Path()
    return os.fspath(base / raw.strip())


def merge_roster(source: Source) -> Source:
    """``source`` with the people of its roster (if it names one) added to ``org``.

    Raises
    ------
    InputError
        With every problem of the roster: file, row, column and a hint for each.
    """
    path = roster_path(source)
    if path is None:
        return source
    table = read_columns(
        path, max_bytes=MAX_ROSTER_BYTES, hint="split the roster, or save it as .xlsx"
    )
    data: dict[str, Any] = source.data
    issues: list[Issue] = []
    columns = _columns(table, data, issues)
    if any(key not in columns for key in REQUIRED):
        raise InputError([*issues, *source.warnings])
    rows = _people(table, columns, data, issues)
    org = copy.deepcopy(data["org"])
    left_before = _add(org, rows, data, table.file, columns, issues)
    if any(i.severity is Severity.ERROR for i in issues):
        raise InputError([*issues, *source.warnings])
    notes = [*table.warnings, *issues]
    if left_before:
        notes.append(Issue(_left_text(left_before, data), table.file, severity=Severity.WARNING))
    return replace(source, data={**data, "org": org}, warnings=(*source.warnings, *notes))


def _left_text(count: int, data: dict[str, Any]) -> str:
    """The warning about people who left before the plan, in the plan's language (a warning
    a planner reads, unlike the errors, which stay English).

    >>> _left_text(2, {"plan": {"locale": "zh-CN"}}), _left_text(1, {})
    ('2 人在计划开始前已离职，不纳入计划', '1 人在计划开始前已离职，不纳入计划')
    >>> _left_text(1, {"plan": {"locale": "en"}})
    '1 person left before the plan starts and is not planned'
    >>> _left_text(2, {"plan": {"locale": "en"}})
    '2 people left before the plan starts and are not planned'
    """
    plan = data.get("plan")
    locale = plan.get("locale") if isinstance(plan, dict) else None
    if isinstance(locale, str) and locale.startswith("en"):
        verb = "is" if count == 1 else "are"
        return f"{counted(count, 'person')} left before the plan starts and {verb} not planned"
    return f"{count} 人在计划开始前已离职，不纳入计划"


def _columns(table: Columns, data: dict[str, Any], issues: list[Issue]) -> dict[str, str]:
    """Which header column holds each roster field: ``{"name": "姓名", "capacity.calls": …}``."""
    known = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    metrics = _mapping(data.get("metrics"))
    found: dict[str, str] = {}
    for column in table.columns:
        prefix = next((p for p in CAPACITY_PREFIXES if column.startswith(p)), None)
        if prefix is not None:
            metric = column.removeprefix(prefix).strip()
            if metric not in metrics:
                issues.append(
                    _header(
                        table,
                        f"no metric {metric!r} is defined under metrics",
                        column,
                        suggest(metric, set(metrics), "metrics"),
                    )
                )
            else:
                found[f"capacity.{metric}"] = column
        elif column in known and known[column] not in found:
            found[known[column]] = column
        else:
            what = "a second column for " + known[column] if column in known else "unknown column"
            allowed = ", ".join(a[0] for a in COLUMNS.values())
            issues.append(
                _header(
                    table,
                    f"{what} {column!r}",
                    column,
                    f"roster columns: {allowed}, capacity.<metric>",
                )
            )
    for key in REQUIRED:
        if key not in found:
            names = " or ".join(COLUMNS[key])
            issues.append(
                _header(
                    table, f"the roster has no {key} column", "", f"add a column headed {names}"
                )
            )
    return found


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _header(table: Columns, message: str, column: str, hint: str) -> Issue:
    return Issue(message, table.file, table.header_line, path=column, hint=hint)


def _people(
    table: Columns, columns: dict[str, str], data: dict[str, Any], issues: list[Issue]
) -> _Rows:
    """The roster's rows, checked; every problem goes to ``issues``.

    The rows are checked column by column, each distinct value once (a roster of 100,000
    people has a few hundred unit paths, one or two roles and a dozen months).
    """
    org = data["org"] if isinstance(data.get("org"), dict) else {}
    cells = {key: table.column(column) for key, column in columns.items()}
    found = _Found(table)
    for key in REQUIRED:
        empty = [row for row, text in enumerate(cells[key]) if not text] if "" in cells[key] else []
        for row in empty:
            found.add(row, f"no {key} given", columns[key], _EMPTY_HINTS[key])
    paths = _paths(cells["unit"], columns["unit"], str(org.get("name", "")), found)
    _roles(cells["role"], columns["role"], _mapping(data.get("roles")), found)
    months = {key: _months(cells[key], columns[key], found) for key in _DATES if key in cells}
    if len(months) == len(_DATES):
        _order(months["joined"], months["left"], columns["left"], found)
    amounts = {key: _amounts(cells[key], columns[key], found) for key in _AMOUNTS if key in cells}
    capacities = {
        key.removeprefix("capacity."): _capacities(cells[key], column, found)
        for key, column in columns.items()
        if key.startswith("capacity.")
    }
    issues += found.issues
    none = [None] * len(table.lines)
    return _Rows(
        table.lines,
        cells["name"],
        paths,
        cells["role"],
        months.get("joined", none),
        months.get("left", none),
        list(amounts.items()),
        list(capacities.items()),
        found.rows,
    )


_DATES = ("joined", "left")
_AMOUNTS = ("history", "potential", "quota")
_EMPTY_HINTS = {
    "name": "give every person a name, or delete the row",
    "unit": "give the unit path from the top unit down, e.g. 华东大区/上海团队",
    "role": "name a role of the role catalogue (roles:)",
}


class _Found:
    """The problems of a roster's rows, and which rows have one (they are not planned)."""

    def __init__(self, table: Columns) -> None:
        self.table = table
        self.issues: list[Issue] = []
        self.rows: set[int] = set()

    def add(self, row: int, message: str, column: str, hint: str) -> None:
        """A problem with row ``row`` (counted from 0 below the header) in ``column``."""
        self.issues.append(
            roster_issue(self.table.file, self.table.lines[row], message, column, hint)
        )
        self.rows.add(row)


def _paths(units: tuple[str, ...], column: str, root: str, found: _Found) -> list[tuple[str, ...]]:
    """Each row's unit path below the top unit (named ``root``)."""
    parsed: dict[str, tuple[str, ...]] = {}
    for text in set(units):
        parts = tuple(_SEPARATORS.split(text)) if text else ()
        parsed[text] = parts[1:] if parts and parts[0] == root else parts  # 公司/华东/上海
    if any("" in parts for parts in parsed.values()):
        for row, text in enumerate(units):
            if "" in parsed[text]:
                message = f"the unit path {text!r} has an empty part"
                found.add(row, message, column, _PATH_HINT)
    return list(map(parsed.__getitem__, units))


_PATH_HINT = "write the path from the top unit down, e.g. 华东大区/上海团队"


def _roles(roles: tuple[str, ...], column: str, catalogue: dict[str, Any], found: _Found) -> None:
    """Report the rows whose role is not in the role catalogue."""
    unknown = {role for role in set(roles) if role and role not in catalogue}
    if not unknown:
        return
    hints = {
        role: suggest(role, set(catalogue), "roles")
        if catalogue
        else "define the role under roles: at the top of the target file"
        for role in unknown
    }
    for row, role in enumerate(roles):
        if role in unknown:
            message = f"no role {role!r} in the role catalogue (roles:)"
            found.add(row, message, column, hints[role])


def _months(texts: tuple[str, ...], column: str, found: _Found) -> list[Month | None]:
    """Each row's month in a joined or left column (None where empty or not a month)."""
    parsed = {text: _month(text) for text in set(texts) if text}
    if any(month is None for month in parsed.values()):
        for row, text in enumerate(texts):
            if text and parsed[text] is None:
                found.add(row, f"{text!r} is not a month", column, MONTH_HINT)
    parsed[""] = None
    return list(map(parsed.__getitem__, texts))


def _order(
    joined: list[Month | None], left: list[Month | None], column: str, found: _Found
) -> None:
    """Report the rows that leave before they join."""
    for row in [row for row, end in enumerate(left) if end is not None]:  # few leave
        start, end = joined[row], left[row]
        if start is not None and end is not None and end < start:
            message = f"leaves ({end}) before joining ({start})"
            found.add(row, message, column, "check the two dates")


def _month(text: str) -> Month | None:
    match = _DATE.match(text.strip())
    if match is None:
        return None
    try:
        return parse_month(f"{match.group(1)}-{match.group(2)}")
    except ValueError:
        return None


def _amounts(texts: tuple[str, ...], column: str, found: _Found) -> list[Decimal | None]:
    """Each row's amount in a history, potential or quota column (None where empty)."""
    parsed: dict[str, Decimal | None] = {"": None}
    problems: dict[str, tuple[str, str]] = {}
    for text in set(texts) - {""}:
        if PLAIN_AMOUNT.fullmatch(text):
            parsed[text] = Decimal(text)  # what amount_value gives, a hundred times faster
            continue
        try:
            parsed[text] = amount_value(text)
        except PydanticCustomError as exc:
            parsed[text] = None
            problems[text] = exc.message(), str((exc.context or {}).get("hint", ""))
    _report_rows(texts, problems, column, found)
    return list(map(parsed.__getitem__, texts))


def _report_rows(
    texts: Sequence[str], problems: dict[str, tuple[str, str]], column: str, found: _Found
) -> None:
    """Report every row whose text is one of ``problems`` (message, hint), in row order: each
    distinct text was checked once."""
    if problems:
        for row, text in enumerate(texts):
            if text in problems:
                message, hint = problems[text]
                found.add(row, message, column, hint)


def _capacities(texts: tuple[str, ...], column: str, found: _Found) -> tuple[str, ...]:
    """Report the rows whose capacity (``120/周``) cannot be read; the texts, as written."""
    problems: dict[str, tuple[str, str]] = {}
    for text in set(texts) - {""}:
        try:
            capacity_value(text)
        except PydanticCustomError as exc:
            problems[text] = exc.message(), str((exc.context or {}).get("hint", ""))
    _report_rows(texts, problems, column, found)
    return texts


def _add(
    org: dict[str, Any],
    rows: _Rows,
    data: dict[str, Any],
    file: str,
    columns: dict[str, str],
    issues: list[Issue],
) -> int:
    """Put the people of ``rows`` into ``org`` (YAML-shaped), creating units from their
    paths; returns how many left before the plan starts (they are not planned)."""
    placed, left_before = _placed(org, rows, data, file, columns, issues)
    entries = _Entries(_basis(data))
    entries.enter_all(placed, rows)
    entries.write_totals()
    return left_before


def _placed(
    org: dict[str, Any],
    rows: _Rows,
    data: dict[str, Any],
    file: str,
    columns: dict[str, str],
    issues: list[Issue],
) -> tuple[list[tuple[int, dict[str, Any]]], int]:
    """Each planned row (in row order) with the unit its person goes into, every problem
    reported in row order; and how many left before the plan starts."""
    period = _plan_period(data)
    first = period.first if period is not None else None
    last = period.last if period is not None else None
    where = UnitIndex(org, file, columns["unit"])
    at_once = _planned(rows, first, last)
    if at_once is not None:  # no one listed twice or joining late: rows go in by unit
        planned, left_before = at_once
        return where.place(planned, rows.paths, rows.roles, rows.lines, issues), left_before
    seen: dict[tuple[tuple[str, ...], str], int] = {}  # the line of each person's row
    units: dict[tuple[tuple[str, ...], str], dict[str, Any]] = {}  # by (path, role)
    placed: list[tuple[int, dict[str, Any]]] = []
    left_before = 0
    names, paths, roles = rows.names, rows.paths, rows.roles
    joined, left, skip = rows.joined, rows.left, rows.skip
    for row, line in enumerate(rows.lines):
        if skip and row in skip:
            continue
        end = left[row]
        if end is not None and first is not None and end < first:
            left_before += 1
            continue
        path, name = paths[row], names[row]
        earlier = seen.setdefault((path, name), line)
        if earlier != line:
            issues.append(_twice(file, line, name, path, earlier, columns["name"]))
            continue
        start = joined[row]
        if start is not None and last is not None and start > last:
            issues.append(_late(file, line, name, columns["joined"], last))
            continue
        unit = units.get((path, roles[row]))
        if unit is None:
            unit = where.unit(path, roles[row], line, issues)
            if unit is None:
                continue
            units[path, roles[row]] = unit
            # its roles before the units made under it later, as when rows were entered one
            # by one (the merged file's key order)
            unit.setdefault("roles", [])
        placed.append((row, unit))
    return placed, left_before


def _planned(rows: _Rows, first: Month | None, last: Month | None) -> tuple[list[int], int] | None:
    """The rows :func:`_placed` plans and how many left before the plan starts, when none of
    them is a person listed twice in a unit or joining after the plan; else None."""
    gone: list[int] = []
    if first is not None:
        ends = enumerate(rows.left)
        gone = [r for r, end in ends if end is not None and end < first and r not in rows.skip]
    out = rows.skip.union(gone)
    everyone = range(len(rows.lines))
    planned = [r for r in everyone if r not in out] if out else [*everyone]
    paths, names = rows.paths, rows.names
    if len(set(names)) < len(names):  # some name twice in the roster: in one unit?
        people = (
            [(paths[r], names[r]) for r in planned] if out else list(zip(paths, names, strict=True))
        )
        if len(set(people)) < len(people):
            return None
    if last is not None and any(start > last for start in _given(rows.joined)):
        return None
    return planned, len(gone)


def _given(months: Sequence[Month | None]) -> list[Month]:
    return [month for month in months if month is not None]


def _late(file: str, line: int, name: str, column: str, last: Month) -> Issue:
    return roster_issue(
        file,
        line,
        f"{name} joins after the plan ends",
        column,
        f"the plan ends in {last}; leave this person out",
    )


def _twice(
    file: str, line: int, name: str, path: tuple[str, ...], earlier: int, column: str
) -> Issue:
    return roster_issue(
        file,
        line,
        f"{name!r} is listed twice in {'/'.join(path) or 'the top unit'} (also row {earlier})",
        column,
        "list each person once; tell namesakes apart, e.g. 张三(北京)",
    )


_ZERO = Decimal(0)


class _Entries:
    """The role entries made from the roster, with the sums of their people's amounts."""

    def __init__(self, basis: str) -> None:
        self.basis = basis
        # by the people's likeness: the entry, and the sums of its people's history, …
        self.entries: dict[tuple[Any, ...], tuple[dict[str, Any], dict[str, Decimal]]] = {}
        self.months: dict[Month, str] = {}  # a roster has a dozen months, as text

    def enter_all(self, placed: list[tuple[int, dict[str, Any]]], rows: _Rows) -> None:
        """Add each placed row's person to the role entry of people like them in their unit
        (a new one if none), in row order."""
        own_fields = {"quota", self.basis} & {"quota", "history", "potential"}
        own_columns = [column for key, column in rows.amounts if key in own_fields]
        capacities, names, roles = rows.capacities, rows.names, rows.roles
        groups: dict[tuple[Any, ...], list[int]] = {}  # each entry's rows, by likeness
        made: dict[tuple[Any, ...], tuple[dict[str, Any], dict[str, str]]] = {}
        for row, unit in placed:
            key: tuple[Any, ...] = (id(unit), roles[row])
            capacity: dict[str, str] = {}
            if capacities or own_columns:
                capacity = {m: t for m, texts in capacities if (t := texts[row])}
                own = any(column[row] is not None for column in own_columns)
                if capacity or own:
                    key += (tuple(sorted(capacity.items())), names[row] if own else None)
            members = groups.get(key)
            if members is None:
                members = groups[key] = []
                made[key] = unit, capacity
            members.append(row)
        # the entries in the order their first people come, as when entered row by row
        for key, members in groups.items():
            unit, capacity = made[key]
            entry, totals = self._entry(key, unit, roles[members[0]], capacity)
            self._fill(entry, totals, members, rows)

    def _fill(
        self, entry: dict[str, Any], totals: dict[str, Decimal], members: list[int], rows: _Rows
    ) -> None:
        """Put the people of rows ``members`` into ``entry``, with the sums of their amounts:
        each amount's key where it came when the people were entered one by one."""
        firsts = []
        for index, (field_name, column) in enumerate(rows.amounts):
            given = [(row, value) for row in members if (value := column[row]) is not None]
            if given:
                # added in row order, from zero, as a sum (1E+3 is written 1000)
                total = sum((value for _, value in given), _ZERO)
                firsts.append((given[0][0], index, field_name, total))
        for _, _, field_name, total in sorted(firsts):
            entry[field_name] = ""  # its place among the entry's keys; the sum last
            totals[field_name] = total
        names, joined, left = rows.names, rows.joined, rows.left
        entry["people"].extend(
            names[row]  # a plain name: the schema reads it fastest
            if joined[row] is None and left[row] is None
            else self._written(names[row], joined[row], left[row])
            for row in members
        )

    def _entry(
        self, key: tuple[Any, ...], unit: dict[str, Any], role: str, capacity: dict[str, str]
    ) -> tuple[dict[str, Any], dict[str, Decimal]]:
        """A new role entry in ``unit``, and the sums of its people's amounts."""
        entry: dict[str, Any] = {"role": role, "people": []}
        if capacity:
            entry["capacity"] = dict(capacity)
        unit.setdefault("roles", []).append(entry)
        made = self.entries[key] = (entry, {})
        return made

    def _written(self, name: str, joined: Month | None, left: Month | None) -> dict[str, Any]:
        """A person with a month, as YAML writes them."""
        written: dict[str, Any] = {"name": name}
        if joined is not None:
            written["joined"] = self._text(joined)
        if left is not None:
            written["left"] = self._text(left)
        return written

    def _text(self, month: Month) -> str:
        text = self.months.get(month)
        if text is None:
            text = self.months[month] = str(month)
        return text

    def write_totals(self) -> None:
        """Write each entry's sums as text, as a planner writes ``history: 1094万``."""
        for entry, totals in self.entries.values():
            for name, total in totals.items():
                entry[name] = str(total)


def _plan_period(data: dict[str, Any]) -> PlanPeriod | None:
    plan = data.get("plan")
    try:
        return parse_period(plan.get("period")) if isinstance(plan, dict) else None
    except ValueError:
        return None  # the schema reports it


def _basis(data: dict[str, Any]) -> str:
    split = data.get("split")
    basis = split.get("basis") if isinstance(split, dict) else None
    return basis if isinstance(basis, str) else "capacity"
