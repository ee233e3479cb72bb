"""`okrplan status`: one owner's KRs and objectives as of a date, and a line per direct child.

The rows are plain data (:class:`Line`) rendered four ways: a rich table (statuses in colour),
Markdown, CSV and JSON; every text in the plan's locale.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okrplan.numbers import Numbers, Scale, money_scale, number_text, numbers_for
from okrplan.progress import calendar, light, rollup
from okrplan.progress.light import LightPlan, is_role
from okrplan.progress.measure import KrProgress, ObjectiveProgress, Pace
from okrplan.quantity import format_number

if TYPE_CHECKING:
    from okrplan.plan import Plan

WORDS = {
    "zh": {
        "objective": "目标", "kr": "关键结果", "total": "计划", "expected": "应完成",
        "actual": "实际", "progress": "进度", "pace": "节奏", "projection": "预计全期",
        "status": "状态", "note": "说明", "children": "下级", "reported": "{n}/{of} 人已报",
        "partial": "部分数据 {n}/{of}",
        "partial_warning": "{kr}: 部分数据 {n}/{of}，节奏按已报者计，未报者不计为零: {names}",
        "rolled": "下级合计 {value}", "missing": "无数据: {names}", "as_of": "截至 {day}",
        "orphans": "{n} 条进度对应的关键结果已不在计划中（保留在库中）: {ids}",
        "outside": "{n} 条进度的期间不在计划期内: {ids}",
        "no_data_o": "{o}: 以下关键结果无数据，未计入目标进度: {krs}",
        Pace.DONE: "已完成", Pace.ON_TRACK: "正常", Pace.BEHIND: "落后",
        Pace.AT_RISK: "有风险", Pace.NO_DATA: "无数据",
    },
    "en": {
        "objective": "Objective", "kr": "Key result", "total": "Plan", "expected": "Due",
        "actual": "Actual", "progress": "Progress", "pace": "Pace", "projection": "Projected",
        "status": "Status", "note": "Note", "children": "Below", "reported": "{n}/{of} reported",
        "partial": "partial {n}/{of}",
        "partial_warning": "{kr}: partial {n}/{of}, paced on those who reported; not counted "
        "as zero: {names}",
        "rolled": "below: {value}", "missing": "no data: {names}", "as_of": "as of {day}",
        "orphans": "{n} check-ins are for KRs no longer in the plan (kept in the store): {ids}",
        "outside": "{n} check-ins are for periods outside the plan: {ids}",
        "no_data_o": "{o}: KRs without data, left out of the objective's progress: {krs}",
        Pace.DONE: "done", Pace.ON_TRACK: "on track", Pace.BEHIND: "behind",
        Pace.AT_RISK: "at risk", Pace.NO_DATA: "no data",
    },
}  # fmt: skip

COLOURS = {
    Pace.DONE: "bold green", Pace.ON_TRACK: "green", Pace.BEHIND: "yellow",
    Pace.AT_RISK: "bold red", Pace.NO_DATA: "dim",
}  # fmt: skip

_WORSE = [Pace.AT_RISK, Pace.BEHIND, Pace.ON_TRACK, Pace.DONE, Pace.NO_DATA]


@dataclass(frozen=True, slots=True)
class Line:
    """One row: an objective, a KR, or a direct child's summary."""

    kind: str  # objective | kr | child
    id: str
    name: str
    status: Pace
    progress: Fraction | None = None
    total: Fraction | None = None
    expected: Fraction | None = None
    actual: Fraction | None = None
    pace: Fraction | None = None
    projection: Fraction | None = None
    note: str = ""
    share: bool = False  # the KR's values are percents (a level such as 95%)
    money: bool = False  # the KR's values are amounts (yuan/dollars)


@dataclass(slots=True)
class Status:
    """What `okrplan status` shows."""

    title: str
    as_of: date
    locale: str
    lines: list[Line] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    numbers: Numbers = field(default_factory=Numbers)  # the plan's formatter (step, currency)

    def money_scale(self) -> Scale:
        """One unit for every amount of the table, so each column reads in one unit."""
        values = [
            v
            for line in self.lines
            if line.money
            for v in (line.total, line.expected, line.actual, line.projection)
            if v is not None
        ]
        return money_scale([_decimal(v) for v in values], self.locale, self.numbers.step)


def words(locale: str) -> Mapping[Any, str]:
    return WORDS["en" if locale.startswith("en") else "zh"]


def status_of(
    plan: Plan,
    folder: Path,
    as_of: date,
    *,
    owner: str | None = None,
    person: str | None = None,
) -> Status:
    """The status of ``owner`` (a unit or role group id; default the company) or of one
    ``person``, from the check-ins stored in ``folder`` up to ``as_of``: the reference,
    through the goal graph (see :func:`light_status` for the same of a large plan)."""
    from okrplan.progress.pace import tallied_progress
    from okrplan.progress.store import tallies

    view = light.of_plan(plan)
    summed = tallies(folder, as_of)
    krs = tallied_progress(plan, summed, as_of, person)
    if person is not None:
        groups = [view.krs[i].owner for i in krs]
        owner = groups[0] if groups else owner
    rows = [(c.kr, c.count, c.last) for c in summed]
    return _status(view, krs.get, rows, as_of, owner or view.root, person)


def light_status(
    view: LightPlan,
    folder: Path,
    as_of: date,
    *,
    owner: str | None = None,
    rows: Sequence[rollup.TallyRow] | None = None,
    person: str | None = None,
) -> Status:
    """:func:`status_of` of a plan's light view: its plan.json's (or index's) KRs and the
    store's sums (``rows``: :func:`~.rollup.tally_rows`, read here if None), never the
    graph (a plan of 100,000 people in seconds)."""
    if rows is None:
        rows = rollup.tally_rows(folder, as_of)
    progress = rollup.Progress(view, rows, as_of, person)
    if person is not None:  # the first of their groups (in the plan's order) with a KR
        owner = next((kr.owner for kr in map(view.krs.__getitem__, view.krs)
                      if kr.owner in (progress.groups or ()) and progress.measure(kr.id)),
                     owner)  # fmt: skip
    return _status(view, progress.of, [(r[0], r[3], r[4]) for r in rows], as_of,
                   owner or view.root, person)  # fmt: skip


_Lookup = Callable[[str], KrProgress | None]


def _status(
    view: LightPlan,
    lookup: _Lookup,
    rows: Sequence[tuple[str, int, date]],
    as_of: date,
    owner: str,
    person: str | None,
) -> Status:
    """The lines and warnings of ``owner``'s status, each KR's numbers from ``lookup``."""
    text = words(view.locale)
    record = view.owners[owner]
    title = f"{person or ' / '.join(getattr(record, 'path', ()) or (record.name,))}"
    if is_role(record) and person is None:
        title = " / ".join((*record.path, record.label))
    result = Status(f"{title} · {text['as_of'].format(day=as_of)}", as_of, view.locale)
    result.numbers = numbers_for(view.meta)
    shown = [owner] if person is not None else [owner, *view.org_children(owner)]
    ids = [kr.id for o in shown for _, ks in view.sheet(o) for kr in ks]
    krs = {i: got for i in ids if (got := lookup(i)) is not None}
    objectives = rollup.objective_progress(view, krs, [owner])
    _own_lines(view, owner, krs, objectives, result)
    for child in shown[1:]:
        result.lines.append(_child_line(view, child, krs))
    result.warnings += _orphans(view, rows, text)
    return result


def _own_lines(
    view: LightPlan,
    owner: str,
    krs: Mapping[str, KrProgress],
    objectives: Mapping[str, ObjectiveProgress],
    result: Status,
) -> None:
    text = words(view.locale)
    for objective, key_results in view.sheet(owner):
        share = objectives.get(objective.id)
        known = [krs[k.id] for k in key_results if k.id in krs]
        result.lines.append(
            Line("objective", objective.id, objective.name, _worst(known),
                 share.progress if share else None)
        )  # fmt: skip
        if share is not None and share.missing and share.progress is not None:
            names = ", ".join(view.key_result(k).name for k in share.missing)
            result.warnings.append(text["no_data_o"].format(o=objective.name, krs=names))
        for kr in key_results:
            if kr.id in krs:
                got = krs[kr.id]
                result.lines.append(_kr_line(view, kr, got, text, view.locale))
                if got.partial:
                    result.warnings.append(partial_warning(view, kr.name, got, text))


def partial_warning(view: LightPlan, name: str, got: KrProgress, text: Mapping[Any, str]) -> str:
    """The warning of a KR only some reported: how many, and who is missing (by name)."""
    names = missing_names(view, got.missing, 11)
    shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
    n, of = got.reports
    return text["partial_warning"].format(kr=name, n=n, of=of, names=shown or "—")


def _kr_line(
    view: LightPlan, kr: Any, got: KrProgress, text: Mapping[Any, str], locale: str
) -> Line:
    notes = []
    if got.partial:
        n, of = got.reports
        notes.append(text["partial"].format(n=n, of=of))
    elif got.people and got.reported and got.reported < got.people:
        notes.append(text["reported"].format(n=got.reported, of=got.people))
    if got.rolled is not None:
        notes.append(text["rolled"].format(value=number(got.rolled, locale)))
    if got.missing:
        names = missing_names(view, got.missing, 6)
        shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
        notes.append(text["missing"].format(names=shown))
    return Line(
        "kr", kr.id, kr.name, got.status, got.progress, got.total, got.expected, got.actual,
        got.pace, got.projection, "; ".join(notes), kr.target_kind == "percent",
        bool(kr.money),
    )  # fmt: skip


def missing_names(view: LightPlan, missing: Sequence[str], most: int | None = None) -> list[str]:
    """What a planner calls each missing entry: an aligned KR by its owner (the role group's
    label, 销售岗 (2); the unit's name), once each; a person by their name. With ``most``,
    only the first ``most`` names (a company's KR may miss 100,000 people)."""
    names: list[str] = []
    for item in missing:
        name = item
        if item in view.krs:
            record = view.owners[view.krs[item].owner]
            name = record.label if is_role(record) else record.name
        if name not in names:
            names.append(name)
            if most is not None and len(names) >= most:
                break
    return names


def _child_line(view: LightPlan, child: str, krs: Mapping[str, KrProgress]) -> Line:
    record = view.owners[child]
    name = record.label if is_role(record) else record.name
    own = [(kr, krs[kr.id]) for _, ks in view.sheet(child) for kr in ks if kr.id in krs]
    weighted, weights = Fraction(0), Fraction(0)
    for kr, got in own:
        if got.progress is not None:
            weight = Fraction(kr.weight) if kr.weight is not None else Fraction(1)
            weighted += weight * min(got.progress, Fraction(1))
            weights += weight
    counts: dict[Pace, int] = {}
    for _, got in own:
        counts[got.status] = counts.get(got.status, 0) + 1
    text = words(view.locale)
    note = ", ".join(f"{text[p]} {counts[p]}" for p in _WORSE if p in counts)
    share = weighted / weights if weights else None
    return Line("child", child, name, _worst([g for _, g in own]), share, note=note)


def _worst(results: Sequence[KrProgress]) -> Pace:
    seen = {r.status for r in results}
    return next((p for p in _WORSE if p in seen), Pace.NO_DATA)


def _orphans(
    view: LightPlan, rows: Sequence[tuple[str, int, date]], text: Mapping[Any, str]
) -> list[str]:
    """Check-ins a re-made plan no longer matches: their KR is gone, or they lie after the
    plan. They stay in the store and are listed. ``rows``: each tally's KR, count, last day."""
    months = view.meta.get("months") or []
    last = calendar.span(months[-1])[1]
    # each KR once (a store of 100,000 people has 240,000 sums and 115,000 KRs)
    gone = {kr for kr in {kr for kr, _, _ in rows} if not view.has(kr)}
    outside = sorted({kr for kr, _, end in rows if end > last and kr not in gone})
    out = []
    if gone:
        count = sum(n for kr, n, _ in rows if kr in gone)
        out.append(text["orphans"].format(n=count, ids=", ".join(sorted(gone)[:10])))
    if outside:
        out.append(text["outside"].format(n=len(outside), ids=", ".join(outside[:10])))
    return out


# ---------------------------------------------------------------------------------------------
# Rendering.


def number(value: Fraction | None, locale: str) -> str:
    """A value as a planner reads it (8,000万; 1,200); "—" for none."""
    if value is None:
        return "—"
    if abs(value) >= 100_000:  # 7,590.13万, not 75,901,328: two decimals of 万 (of k in en)
        value = Fraction(round(value / 100) * 100)
    rounded = round(value)
    if rounded == value or abs(value) >= 100:
        return format_number(rounded, locale)
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def percent(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


_HEAD = ("kind", "name", "status", "progress", "total", "expected", "actual", "pace",
         "projection", "note")  # fmt: skip


def cells(line: Line, locale: str, shown: Shown | None = None) -> list[str]:
    """A line's cells in :data:`_HEAD` order, as shown: amounts through the plan's formatter
    in ``shown``'s one unit, counts to at most one decimal, levels as percents."""
    text = words(locale)
    indent = {"objective": "", "kr": "  ", "child": "↳ "}[line.kind]
    show = shown or Shown(Numbers(locale), money_scale([], locale))
    values = [show.value(line, v) for v in (line.total, line.expected, line.actual)]
    return [
        text["objective"] if line.kind == "objective" else text["kr"] if line.kind == "kr"
        else text["children"],
        indent + line.name, text[line.status], percent(line.progress), *values,
        percent(line.pace), show.value(line, line.projection), line.note,
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Shown:
    """How a table's values read: the plan's formatter and the table's one money unit."""

    numbers: Numbers
    scale: Scale

    @classmethod
    def of(cls, result: Status) -> Shown:
        return cls(result.numbers, result.money_scale())

    def value(self, line: Line, value: Fraction | None) -> str:
        if value is None:
            return "—"
        if line.share:
            return percent(value)
        if line.money:
            return self.numbers.money(_decimal(value), self.scale)
        return count(value)


def count(value: Fraction) -> str:
    """A count: whole where it is, else one decimal (22.32 visits due → 22.3; never 1.49)."""
    return number_text(_decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def headers(locale: str) -> list[str]:
    text = words(locale)
    return ["", text["kr"], *(text[k] for k in _HEAD[2:])]


def to_markdown(result: Status) -> str:
    def safe(cell: str) -> str:
        return cell.replace("|", "\\|").replace("\n", " ")

    rows = [headers(result.locale), ["---"] * len(_HEAD)]
    shown = Shown.of(result)
    rows += [cells(line, result.locale, shown) for line in result.lines]
    body = "\n".join("| " + " | ".join(safe(c) for c in row) + " |" for row in rows)
    notes = "".join(f"\n- {safe(w)}" for w in result.warnings)
    return f"## {safe(result.title)}\n\n{body}\n{notes}\n"


def to_csv(result: Status) -> str:
    from okrplan.export.sheetmodel import csv_text

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "id", "name", "status", "progress", "total", "expected",
                     "actual", "pace", "projection", "note"])  # fmt: skip
    for line in result.lines:
        writer.writerow([
            line.kind, csv_text(line.id), csv_text(line.name), str(line.status),
            *(_exact(v) for v in (line.progress, line.total, line.expected, line.actual,
                                  line.pace, line.projection)),
            csv_text(line.note),
        ])  # fmt: skip
    return out.getvalue()


def to_json(result: Status) -> str:
    lines = [
        {
            "kind": line.kind, "id": line.id, "name": line.name, "status": str(line.status),
            **{k: _exact(getattr(line, k)) or None
               for k in ("progress", "total", "expected", "actual", "pace", "projection")},
            "note": line.note,
        }
        for line in result.lines
    ]  # fmt: skip
    record = {"title": result.title, "as_of": result.as_of.isoformat(), "lines": lines,
              "warnings": result.warnings}  # fmt: skip
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def _exact(value: Fraction | None) -> str:
    if value is None:
        return ""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


def to_rich(result: Status) -> Any:
    """A rich Table of the lines, statuses in colour."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=result.title, title_justify="left")
    for index, head in enumerate(headers(result.locale)):
        table.add_column(head, justify="right" if 3 <= index <= 8 else "left")
    shown = Shown.of(result)
    for line in result.lines:
        row = cells(line, result.locale, shown)
        styled: list[Any] = [Text(c) for c in row]
        styled[2] = Text(row[2], style=COLOURS[line.status])
        if line.kind != "kr":
            styled[1] = Text(row[1], style="bold")
        table.add_row(*styled)
    return table
