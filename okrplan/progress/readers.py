"""Check-ins read from files: long tables, okrplan workbooks with actuals typed in, and raw
CRM exports described under ``actuals:`` in the target file.

Every reader returns a :class:`Batch`: the check-ins with the row each came from, the problems
(every bad row with its file, row and column) and the people no one in the plan is called
(listed with how many rows they had, never dropped silently nor spread over others).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from typing import Any

from okrplan import queries
from okrplan.errors import Issue, Severity
from okrplan.graph import node
from okrplan.model import RoleGroup, Unit
from okrplan.plan import Plan
from okrplan.progress import calendar
from okrplan.progress.store import CheckIn
from okrplan.quantity import QuantityError, parse_quantity
from okrplan.tabular import Row, read_table
from okrplan.wording import label, words

MAX_ERRORS = 100
"""Bad rows listed one by one; beyond this they are counted."""

# Column names a long table may use (lower case), English and Chinese.
COLUMNS: dict[str, tuple[str, ...]] = {
    "kr": ("kr", "kr_id", "关键结果", "kr编号"),
    "unit": ("unit", "部门", "单位"),
    "role": ("role", "岗位", "角色"),
    "person": ("person", "name", "姓名", "人员", "负责人"),
    "metric": ("metric", "指标"),
    "period": ("period", "期间", "周期"),
    "date": ("date", "日期"),
    "value": ("value", "actual", "实际", "实际值", "数值", "完成"),
    "confidence": ("confidence", "信心", "信心指数"),
    "comment": ("comment", "备注", "说明"),
}


@dataclass(slots=True)
class Batch:
    """What one file gave: check-ins (``lines``: the row of each), problems and strangers."""

    source: str
    rows: Sequence[CheckIn] = field(default_factory=list)  # a CRM export's: Columns
    lines: list[int] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    unmatched: dict[str, int] = field(default_factory=dict)  # person as written → rows
    read: int = 0  # data rows read
    bad: int = 0  # rows with a problem
    exact: set[int] = field(default_factory=set)  # rows already per period (not year to date)
    locale: str = "zh-CN"  # the plan's: the language of the problems

    def __post_init__(self) -> None:
        self.issues = [replace(i, locale=self.locale) for i in self.issues]

    def problem(self, issue: Issue) -> None:
        """Note a bad row (listing the first :data:`MAX_ERRORS`), in the plan's language."""
        self.bad += 1
        if self.bad <= MAX_ERRORS:
            self.issues.append(replace(issue, locale=self.locale))

    def warn(self, message: str, hint: str = "", column: str = "") -> None:
        """Note a warning about the whole file."""
        issue = Issue(message, self.source, path=column, hint=hint, severity=Severity.WARNING)
        self.issues.append(replace(issue, locale=self.locale))

    def words(self, key: str, **values: object) -> str:
        """A message in the plan's language (:func:`okrplan.wording.words`)."""
        return words(self.locale, key, **values)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    def add(self, row: CheckIn, line: int) -> None:
        assert isinstance(self.rows, list)
        self.rows.append(row)
        self.lines.append(line)


class Directory:
    """Who is who in a plan: people by name, units by name and path, each owner's KR of a
    metric. Built once per command (a 100,000-person plan takes a moment). ``locale`` is the
    plan's (what its problems are written in)."""

    locale = "zh-CN"

    def __init__(self, plan: Plan) -> None:
        self.locale = plan.locale
        self.fill(plan.graph, queries.records(plan.graph))

    def fill(self, graph: Any, records: Iterable[Any]) -> None:
        """Index ``records`` (of ``graph``; a KR only needs its id, name, owner and metric)."""
        self.graph = graph
        self.people: dict[str, list[RoleGroup]] = {}
        self.groups: list[RoleGroup] = []
        self.units: list[Unit] = []
        self.kr_of: dict[tuple[str, str], str] = {}
        self.names: dict[str, list[str]] = {}
        for record in records:
            if isinstance(record, RoleGroup):
                self.groups.append(record)
                for person in record.people:
                    self.people.setdefault(person, []).append(record)
            elif isinstance(record, Unit):
                self.units.append(record)
            elif record.kind == "kr":
                self.names.setdefault(record.name, []).append(record.id)
                if record.metric:
                    self.kr_of.setdefault((record.owner, record.metric), record.id)

    def person_group(self, person: str, unit: str = "", role: str = "") -> RoleGroup | None:
        """The role group of the one person so called (narrowed by unit and role), or None."""
        found = [g for g in self.people.get(person, ()) if _fits(g, unit, role)]
        return found[0] if len(found) == 1 else None

    def owner(self, unit: str, role: str) -> tuple[str | None, str]:
        """The unit or role group that ``unit`` and ``role`` name, or why none."""
        if role:
            groups = [g for g in self.groups if _fits(g, unit, role) and g.headcount]
            exact = [g for g in groups if g.label == role] or groups
            if len(exact) == 1:
                return exact[0].id, ""
            return None, (
                words(self.locale, "ck_no_role", role=role, unit=unit)
                if not exact
                else words(self.locale, "ck_role_in_units", role=role, n=len(exact))
            )
        try:
            return queries.find_unit(self.graph, unit), ""
        except LookupError as exc:
            return None, str(exc)

    def kr_named(self, name: str, owner: str | None) -> str | None:
        """The KR called ``name`` (of ``owner``, where given) if just one is."""
        ids = self.names.get(name, [])
        if owner is not None:
            ids = [k for k in ids if queries.key_result(self.graph, k).owner == owner]
        return ids[0] if len(ids) == 1 else None


def _fits(group: RoleGroup, unit: str, role: str) -> bool:
    if role and role not in (group.name, group.label):
        return False
    if not unit:
        return True
    wanted = [p.strip() for p in unit.strip("/").split("/")]
    return list(group.path[-len(wanted) :]) == wanted


def _columns(columns: Iterable[str]) -> dict[str, str]:
    """Our name → the table's column, for the columns the table has."""
    present = set(columns)
    out: dict[str, str] = {}
    for ours, aliases in COLUMNS.items():
        found = next((a for a in aliases if a.casefold() in present), None)
        if found is not None:
            out[ours] = found.casefold()
    return out


def parse_value(text: str) -> Fraction:
    """A value as written: ``380万``, ``1,200``, ``25%``.

    Raises
    ------
    QuantityError
        If it is not a number.
    """
    return Fraction(parse_quantity(text).value)


_DATE_TIME = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T][\d:.]+)?$")


def day_of(text: str) -> date:
    """The day a cell gives (``2015-03-14``, ``2015/3/14``, ``2015-03-14 10:20:00``).

    Raises
    ------
    ValueError
        If it is no date.
    """
    match = _DATE_TIME.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date; write it as 2015-03-14")
    return date(int(match[1]), int(match[2]), int(match[3]))


# ---------------------------------------------------------------------------------------------
# A long table: one row per KR (or person and metric), period and value.


def read_long(path: str | os.PathLike[str], plan: Plan, people: Directory) -> Batch:
    """Check-ins from a long table (see :data:`COLUMNS`): a KR id, or a KR name with unit and
    role, or a person (with unit and role where names repeat) or a unit/role and a metric; a
    period or a date; a value with units; optional confidence (0–10) and comment."""
    table = read_table(path)
    batch = Batch(os.fspath(path), issues=list(table.warnings), locale=people.locale)
    names = _columns(table.columns)
    missing = [c for c in ("value",) if c not in names]
    if "period" not in names and "date" not in names:
        missing.append(label(batch.locale, "ck_col_period_or_date"))
    if not {"kr", "person", "metric"} & set(names):
        missing.append(label(batch.locale, "ck_col_kr"))
    if missing:
        hint = label(batch.locale, "ck_needs_columns_hint")
        message = batch.words("ck_needs_columns", names=", ".join(missing))
        batch.problem(Issue(message, table.file, table.header_line, hint=hint))
        return batch
    for row in table.rows:
        batch.read += 1
        found = _long_row(row, names, people, batch)
        if found is not None:
            batch.add(found, row.line)
    return batch


def _long_row(
    row: Row, names: Mapping[str, str], people: Directory, batch: Batch
) -> CheckIn | None:
    def cell(ours: str) -> str:
        return row.get(names[ours]) if ours in names else ""

    kr_id, person, problem, column = _which_kr(cell, people, batch)
    if kr_id is None:
        if problem:
            batch.problem(row.issue(problem, names.get(column, column)))
        return None
    try:
        period = _period(cell("period"), cell("date"))
    except _Bad as bad:
        column = names.get("period", names.get("date", ""))
        batch.problem(row.issue(batch.words(bad.key, text=bad.text), column, _hint(batch, bad)))
        return None
    text = cell("value")
    try:
        value = parse_value(text)
    except QuantityError as exc:
        message = batch.words("ck_value_not_number" if text else "ck_value_empty", text=text)
        batch.problem(row.issue(message, names["value"], exc.hint_in(batch.locale)))
        return None
    confidence, problem = _confidence(cell("confidence"))
    if problem:
        message = batch.words("ck_confidence", text=problem)
        batch.problem(row.issue(message, names["confidence"], batch.words("ck_confidence_hint")))
        return None
    return CheckIn(kr_id, period, value, person, confidence, cell("comment"))


def _which_kr(
    get: Callable[[str], str], people: Directory, batch: Batch
) -> tuple[str | None, str, str, str]:
    """(KR id, person, problem, column of the problem) of a long-table row."""
    kr, person, metric = get("kr"), get("person"), get("metric")
    unit, role = get("unit"), get("role")
    say = batch.words
    if kr.startswith("k:"):
        if kr not in people.graph:
            return None, "", say("ck_no_kr_id", kr=kr), "kr"
        return kr, person, _stranger(kr, person, people, batch), "person"
    if person:
        group = people.person_group(person, unit, role)
        if group is None:
            batch.unmatched[person] = batch.unmatched.get(person, 0) + 1
            return None, "", "", ""
        owner: str | None = group.id
    else:
        owner, problem = people.owner(unit, role) if unit or role else (None, "")
        if problem:
            return None, "", problem, "unit"
    if kr:
        found = people.kr_named(kr, owner)
        if found is None:
            return None, "", say("ck_no_single_kr", kr=kr), "kr"
        return found, person, "", ""
    if not metric or owner is None:
        return None, "", say("ck_which_kr"), "kr"
    found = people.kr_of.get((owner, metric))
    if found is None:
        return None, "", say("ck_owner_no_kr", owner=owner, metric=metric), "metric"
    return found, person, "", ""


def _stranger(kr_id: str, person: str, people: Directory, batch: Batch) -> str:
    """A person the KR's role group does not name is listed, not stored (returns "" then)."""
    if not person:
        return ""
    owner = queries.key_result(people.graph, kr_id).owner
    group = node(people.graph, owner)
    if isinstance(group, RoleGroup) and group.people and person not in group.people:
        batch.unmatched[person] = batch.unmatched.get(person, 0) + 1
    return ""


class _Bad(ValueError):
    """A period or date that is none: the key of its message and the text."""

    def __init__(self, key: str, text: str) -> None:
        super().__init__(key)
        self.key, self.text = key, text


def _hint(batch: Batch, bad: _Bad) -> str:
    return batch.words("ck_date_hint" if bad.key == "ck_not_a_date" else "ck_period_hint")


def _period(period: str, day: str) -> str:
    if period:
        try:
            return calendar.normal_period(period)
        except ValueError:
            raise _Bad("ck_not_a_period", period) from None
    if not day:
        raise _Bad("ck_period_empty", "")
    try:
        return day_of(day).isoformat()
    except ValueError:
        raise _Bad("ck_not_a_date", day) from None


def _confidence(text: str) -> tuple[int | None, str]:
    """The confidence, or None and the text that is none."""
    if not text:
        return None, ""
    if text.isdigit() and 0 <= int(text) <= 10:
        return int(text), ""
    return None, text


# ---------------------------------------------------------------------------------------------
# Year-to-date values: each period's own value is the difference to the one before.


def uncumulate(batch: Batch, before: Mapping[tuple[str, str], list[CheckIn]]) -> None:
    """Turn ``batch``'s year-to-date values into values per period, in place.

    Of each (KR, person) the rows are taken in period order; a period's value is its
    year-to-date value less the one before it in the file. The first period's is less the
    values stored from other sources for earlier periods (``before``), so a year-to-date
    export continues what a monthly one began. A year-to-date value that falls is an error.
    """
    assert isinstance(batch.rows, list)  # a long table's or workbook's, not a CRM export's
    order: dict[tuple[str, str], list[int]] = {}
    for index, row in enumerate(batch.rows):
        if index not in batch.exact:
            order.setdefault((row.kr, row.person), []).append(index)
    for key, indexes in order.items():
        indexes.sort(key=lambda i: calendar.span(batch.rows[i].period))
        first = calendar.start(batch.rows[indexes[0]].period)
        earlier = before.get(key, [])
        running = sum((c.value for c in earlier if calendar.span(c.period)[1] < first), Fraction(0))
        for i in indexes:
            row = batch.rows[i]
            if row.value < running:
                message = batch.words(
                    "ck_ytd_below", value=row.value, kr=row.kr, period=row.period, running=running
                )
                hint = batch.words("ck_ytd_hint")
                batch.problem(Issue(message, batch.source, batch.lines[i], path="value", hint=hint))
            batch.rows[i] = CheckIn(
                row.kr, row.period, row.value - running, row.person, row.confidence, row.comment
            )
            running = row.value


# ---------------------------------------------------------------------------------------------
# okrplan workbooks with actuals typed in: each typed actual is the plan to date.


def read_workbook(path: str | os.PathLike[str], plan: Plan, as_of: date) -> Batch:
    """The actuals typed into an okrplan workbook: each period's cell as that period's
    check-in, an actual to date typed over its formula (or in an older workbook) as a
    year-to-date check-in of the month of ``as_of`` (pass the batch through
    :func:`uncumulate`, which leaves the periods' alone). A role group's sheet holds the
    per-person actual: the group's is that times the headcount; a person's sheet is that
    person's."""
    from okrplan.actuals import typed_actuals
    from okrplan.errors import InputError

    batch = Batch(os.fspath(path), locale=plan.locale)
    try:
        typed = typed_actuals(path)
    except InputError as exc:
        for issue in exc.issues:
            batch.problem(issue)
        return batch
    month = f"{as_of.year:04d}-{as_of.month:02d}"
    for number, entry in enumerate(typed, start=1):
        batch.read += 1
        if entry.kr not in plan.graph:
            message = batch.words("ck_kr_not_in_plan", tab=entry.tab, cell=entry.cell, kr=entry.kr)
            hint = batch.words("ck_kr_not_in_plan_hint")
            batch.problem(Issue(message, batch.source, hint=hint))
            continue
        person, value = "", entry.value
        owner = node(plan.graph, queries.key_result(plan.graph, entry.kr).owner)
        if entry.person and isinstance(owner, RoleGroup):
            seat = entry.sheet.rpartition("@")[2]
            index = int(seat) - 1 if seat.isdigit() else -1
            person = owner.people[index] if 0 <= index < len(owner.people) else f"#{seat}"
        elif isinstance(owner, RoleGroup):
            value = value * max(owner.headcount, 1)
        if entry.period:
            batch.exact.add(len(batch.rows))
        batch.add(CheckIn(entry.kr, entry.period or month, value, person), number)
    return batch
