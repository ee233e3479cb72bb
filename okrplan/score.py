"""Scores: how far actuals reach the plan, per KR, per objective (O分值) and per sheet.

Definitions (weights are integer percents, so an objective's score is in points of 100):

- **KR score** ``s = actual ÷ target`` for a KR where more is better, ``target ÷ actual`` (1 when
  the actual is 0) where less is better (``direction: decrease``: an error rate, complaints).
  Capped at 1.0 by default; with ``stretch = 1.2`` overachievement is credited up to 1.2. Never
  below 0. The target is a derived KR's plan total, a manual count written per period times
  the periods of the plan (2/月 over a year: 24), a level such as 100%/周 itself
  (:mod:`okrplan.cadence`).
- **O分值** ``Σ weight × s`` over the objective's KRs: at most the objective's share.
- **Deductions** (减分项): ``cases × points`` subtracted from the sheet.
- **Sheet total** ``Σ O分值 − deductions``.

A KR without an actual of its own takes the sum of the actuals of the KRs aligned to it (a role's
per-person actual counts once per person), so entering the reps' actuals scores their unit too.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from okrplan import queries
from okrplan.cadence import ScoredTargets, cadence, is_level, own_target
from okrplan.errors import InputError, Issue, Severity
from okrplan.graph import node
from okrplan.model import Direction, KeyResult, KRKind, Node, Objective, RoleGroup, Unit
from okrplan.plan import Plan
from okrplan.quantity import QuantityError, format_number, parse_quantity
from okrplan.queries import aligned_children, key_result, records
from okrplan.tabular import Row, read_table


@dataclass(frozen=True, slots=True)
class Actual:
    kr: str
    period: str
    value: Fraction
    line: int = 0


@dataclass(frozen=True, slots=True)
class ScoreOptions:
    stretch: Fraction = Fraction(1)  # the most a KR can score
    percent: bool = False  # show KR scores as percents instead of 0–1.0


@dataclass(slots=True)
class KrScore:
    id: str
    name: str
    weight: int | float | None
    target: Fraction | None
    actual: Fraction | None
    score: Fraction | None
    deduction: Fraction = Fraction(0)


@dataclass(slots=True)
class ObjectiveScore:
    id: str
    name: str
    share: int
    points: Fraction
    krs: list[KrScore] = field(default_factory=list)


@dataclass(slots=True)
class SheetScore:
    owner: str
    name: str
    objectives: list[ObjectiveScore]
    deductions: Fraction
    total: Fraction
    scored: int  # KRs with an actual


def kr_score(
    target: Fraction, actual: Fraction, *, decrease: bool = False, stretch: Fraction = Fraction(1)
) -> Fraction:
    """Score of one KR.

    >>> kr_score(Fraction(100), Fraction(80))
    Fraction(4, 5)
    >>> kr_score(Fraction(100), Fraction(130), stretch=Fraction(6, 5))
    Fraction(6, 5)
    >>> kr_score(Fraction(2), Fraction(4), decrease=True)
    Fraction(1, 2)
    """
    if decrease:
        raw = Fraction(1) if actual <= 0 else target / actual
    else:
        raw = actual / target if target else Fraction(1)
    return max(Fraction(0), min(raw, stretch))


def score_plan(
    plan: Plan, actuals: Iterable[Actual], options: ScoreOptions = ScoreOptions()
) -> list[SheetScore]:
    """Scores of every unit's and role's sheet that has any actual (own or rolled up)."""
    graph = plan.graph
    given: dict[str, dict[str, Fraction]] = {}
    for row in actuals:
        given.setdefault(row.kr, {})[row.period] = row.value
    rolled: dict[str, dict[str, Fraction]] = {}
    targets = ScoredTargets(plan)

    def actual_of(kid: str) -> dict[str, Fraction]:
        if kid in given:
            return given[kid]
        if kid in rolled:
            return rolled[kid]
        total: dict[str, Fraction] = {}
        for child in aligned_children(graph, kid):
            owner = node(graph, key_result(graph, child).owner)
            heads = owner.headcount if isinstance(owner, RoleGroup) else 1
            for period, value in actual_of(child).items():
                total[period] = total.get(period, Fraction(0)) + value * heads
        rolled[kid] = total
        return total

    sheets = []
    for owner in records(graph):
        if not isinstance(owner, Unit | RoleGroup):
            continue
        objectives = [
            _objective_score(objective, krs, actual_of, targets, options)
            for objective, krs in queries.sheet(graph, owner.id)
        ]
        scored = sum(o.scored for o in objectives)
        if scored:
            deductions = sum((o.deductions for o in objectives), Fraction(0))
            total = sum((o.points for o in objectives), Fraction(0)) - deductions
            name = owner.name
            if isinstance(owner, RoleGroup):
                name = f"{owner.label} ({owner.path[-1]})"
            sheets.append(
                SheetScore(owner.id, name, [o.score for o in objectives], deductions, total, scored)
            )
    return sheets


@dataclass(slots=True)
class _Scored:
    score: ObjectiveScore
    deductions: Fraction
    scored: int  # KRs with an actual

    @property
    def points(self) -> Fraction:
        return self.score.points


def _objective_score(
    objective: Objective,
    krs: list[KeyResult],
    actual_of: Callable[[str], dict[str, Fraction]],
    targets: ScoredTargets,
    options: ScoreOptions,
) -> _Scored:
    """An objective's score from its KRs' actuals (own or rolled up)."""
    entry = ObjectiveScore(objective.id, objective.name, int(objective.weight or 0), Fraction(0))
    deductions, scored = Fraction(0), 0
    for kr in krs:
        values = actual_of(kr.id)
        actual, target = None, None
        if values:
            scored += 1
            actual, target = _actual_and_target(kr, values, targets)
        if kr.kr_kind is KRKind.DEDUCTION:
            cut = (actual or Fraction(0)) * Fraction(str(kr.deduction or 0))
            deductions += cut
            entry.krs.append(KrScore(kr.id, kr.name, None, None, actual, None, cut))
            continue
        score = None
        if actual is not None and target is not None:
            score = kr_score(
                target,
                actual,
                decrease=kr.direction is Direction.DECREASE,
                stretch=options.stretch,
            )
            entry.points += Fraction(kr.weight or 0) * score
        entry.krs.append(KrScore(kr.id, kr.name, kr.weight, target, actual, score))
    return _Scored(entry, deductions, scored)


def _actual_and_target(
    kr: KeyResult, values: dict[str, Fraction], targets: ScoredTargets
) -> tuple[Fraction, Fraction | None]:
    """A KR's actual and what it is scored against: for the plan, or for the periods to date
    (the sum of their actuals against the sum of their targets; for a manual level such as
    100%/周, the average of their actuals against the level)."""
    if "plan" in values:
        return values["plan"], targets.plan(kr)
    actual = sum(values.values(), Fraction(0))
    parts = [targets.period(kr, p) for p in values]
    known = [p for p in parts if p is not None]
    if len(known) != len(parts):
        return actual, None
    if cadence(kr) is not None and is_level(kr):
        return actual / len(values), known[0]
    return actual, sum(known, Fraction(0))


def store_actuals(plan: Plan, folder: str | os.PathLike[str]) -> list[Actual]:
    """Whole-plan actuals from the plan's progress store (``okrplan checkin``), one per KR with
    check-ins of its own, so scores agree with ``okrplan status``: a KR's score is its
    progress (actual ÷ plan total) capped. A role group's check-ins (its people's, or the
    group's as a whole) add up to the group's actual; the score takes it per person (÷
    headcount), as the plan's KR is. KRs without check-ins roll up as :func:`score_plan` does.
    """
    from datetime import date

    from okrplan.progress import latest, progress

    checkins = latest(os.fspath(folder))
    if not checkins:
        return []
    months = plan.meta.get("months") or ["9999-12"]
    year, month = (int(part) for part in str(months[-1]).split("-"))
    end = date(year + month // 12, month % 12 + 1, 1)  # the day after the plan: everything
    result = progress(plan, checkins, end)
    own = {c.kr for c in checkins}
    out = []
    for kid in sorted(own):
        got = result.get(kid)
        if got is None or got.actual is None:
            continue
        owner = node(plan.graph, key_result(plan.graph, kid).owner)
        heads = owner.headcount if isinstance(owner, RoleGroup) and got.people else 1
        out.append(Actual(kid, "plan", got.actual / max(heads, 1)))
    return out


# ---------------------------------------------------------------------------------------------
# Reading actuals.


def read_actuals(
    path: str | os.PathLike[str], plan: Plan, *, allow_stdin: bool = False
) -> tuple[list[Actual], list[Issue]]:
    """Actuals from a table (CSV or .xlsx, read by :func:`okrplan.tabular.read_table`) with
    columns ``kr`` (a KR id, or its name with ``unit`` and ``role``), optional ``period`` (plan,
    2015-Q1, 2015-03, 2015-W10) and ``actual`` (``380万``, ``1.2亿``, ``25%``, ``7200``).

    Returns the actuals and the warnings to show: the file's encoding, and a money actual below
    1/1000 of its KR's target (``380`` for 8,000万: 380万 meant?). Every bad row is an error
    with its line; nothing is dropped silently.
    """
    table = read_table(path, allow_stdin=allow_stdin)
    if "actual" not in table.columns or "kr" not in table.columns:
        raise InputError(
            [
                Issue(
                    "the table needs the columns kr and actual (and optionally unit, role, period)",
                    table.file,
                    table.header_line,
                    hint="e.g. kr,period,actual / k:A公司/销售部#1.3,plan,9000万",
                )
            ]
        )
    index = _kr_index(plan)
    targets = ScoredTargets(plan)
    issues: list[Issue] = list(table.warnings)
    actuals: list[Actual] = []
    seen: dict[tuple[str, str], int] = {}
    errors = 0
    for row in table.rows:
        if errors >= MAX_ERRORS:
            raise InputError(issues, f"{errors} problems by line {row.line - 1}; stopped there")
        found = _row_actual(row, plan, index, targets, issues)
        if found is not None and (found.kr, found.period) in seen:
            name = key_result(plan.graph, found.kr).name
            first = seen[(found.kr, found.period)]
            issues.append(
                row.issue(
                    f"{name} ({found.period}) already has an actual on line {first}",
                    hint="keep one row",
                )
            )
            found = None
        if found is None:  # a problem with the row, now in issues
            errors += 1
            continue
        seen[(found.kr, found.period)] = row.line
        actuals.append(found)
    if any(i.severity is Severity.ERROR for i in issues):
        raise InputError(issues)
    return actuals, issues


MAX_ERRORS = 100
"""Rows reported wrong before reading stops: a file of wrong rows is fixed all the same way."""


def _row_actual(
    row: Row,
    plan: Plan,
    index: dict[str, list[str]],
    targets: ScoredTargets,
    issues: list[Issue],
) -> Actual | None:
    """One row's actual (with a warning added to ``issues`` if it looks wrong), or None with
    its problem added to ``issues``."""
    kid, problem = _find_kr(row.values, index, plan)
    if kid is None:
        issues.append(
            row.issue(problem, "kr", "use the KR id from plan.json, or unit, role and KR name")
        )
        return None
    period = row.get("period") or "plan"
    kr = key_result(plan.graph, kid)
    if period != "plan" and targets.period(kr, period) is None:
        known = ", ".join(targets.periods(kr)[:6])
        hint = (
            f"use plan or one of: {known} …"
            if known
            else "this KR has only a plan target: use plan"
        )
        issues.append(row.issue(f"{kr.name} has no period {period!r}", "period", hint))
        return None
    text = row.get("actual")
    try:
        value = Fraction(parse_quantity(text).value)
    except QuantityError as exc:
        issues.append(row.issue(f"the actual {text!r} is not a number: {exc}", "actual", exc.hint))
        return None
    warning = implausible_money(kr, period, value, text, plan.locale)
    if warning:
        issues.append(row.issue(warning, "actual", severity=Severity.WARNING))
    return Actual(kid, period, value, row.line)


MONEY_PLAUSIBLE = Fraction(1, 1000)
"""A money actual below this share of its KR's target is warned about: a unit left off."""


def implausible_money(kr: KeyResult, period: str, value: Fraction, text: str, locale: str) -> str:
    """Why a money actual looks like a unit was left off (``380`` for a target of 8,000万), or
    "" when it is plausible (at least 1/1000 of the target, or zero).

    >>> from types import SimpleNamespace as NS
    >>> kr = NS(money=True, name="销售额", total=None, target=80_000_000, periods={})
    >>> implausible_money(kr, "plan", Fraction(380), "380", "zh-CN")
    '380 for 销售额 (target 8,000万) — did you mean 380万?'
    """
    if not kr.money or value <= 0:
        return ""
    target = own_target(kr, period)
    if not target or value >= target * MONEY_PLAUSIBLE:
        return ""
    shown = f"{text} for {kr.name} (target {format_number(round(target), locale)})"
    plain = text.replace(",", "")
    if not plain.replace(".", "", 1).isdigit():
        return f"{shown} is below 1/1000 of the target — is the unit right?"
    scales = [(4, "万"), (8, "亿")] if _language(locale) == "zh" else [(3, "k"), (6, "M")]
    ratio = target / value
    _, suffix = min(scales, key=lambda scale: abs(len(str(int(ratio))) - 1 - scale[0]))
    return f"{shown} — did you mean {text}{suffix}?"


def _language(locale: str) -> str:
    return "zh" if locale.lower().startswith("zh") else "en"


def parse_stretch(text: str) -> Fraction:
    """The ``--stretch`` cap from ``120%`` or ``1.2``.

    Raises
    ------
    QuantityError
        If ``text`` is not a number of at least 100%.

    >>> parse_stretch("120%")
    Fraction(6, 5)
    """
    cap = Fraction(parse_quantity(text).value)
    if cap < 1:
        raise QuantityError(f"{text!r} is below 100%", "e.g. 120% or 1.2")
    return cap


def _kr_index(plan: Plan) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for record in records(plan.graph):
        if isinstance(record, KeyResult):
            index.setdefault(record.name, []).append(record.id)
    return index


def _find_kr(
    cells: Mapping[str, str], index: dict[str, list[str]], plan: Plan
) -> tuple[str | None, str]:
    key = cells.get("kr", "")
    if key.startswith("k:"):
        return (key, "") if key in plan.graph else (None, f"no KR {key!r} in the plan")
    candidates = index.get(key, [])
    unit, role = cells.get("unit", ""), cells.get("role", "")
    graph = plan.graph

    def owner_of(kid: str) -> Node:
        return node(graph, key_result(graph, kid).owner)

    def matches(kid: str) -> bool:
        owner = owner_of(kid)
        if isinstance(owner, Objective | KeyResult):
            return False
        if unit and unit not in owner.path and unit != owner.name:
            return False
        if role:
            return isinstance(owner, RoleGroup) and role in (owner.name, owner.label)
        return isinstance(owner, Unit) and (not unit or owner.name == unit)

    found = [k for k in candidates if matches(k)]
    if role and len(found) > 1:  # 销售岗 names the group labelled 销售岗 before its cohorts
        exact = [k for k in found if isinstance(o := owner_of(k), RoleGroup) and o.label == role]
        found = exact or found
    if len(found) == 1:
        return found[0], ""
    if not candidates:
        return None, f"no KR named {key!r} in the plan"
    if not found and not unit and not role:
        return None, (
            f"{key!r} is on {len(candidates)} sheets; add unit and role columns to say whose"
        )
    if not found:
        return None, f"no KR {key!r} for unit {unit!r} role {role!r}"
    return None, f"{key!r} matches {len(found)} KRs ({', '.join(found[:3])}); add unit and role"


# ---------------------------------------------------------------------------------------------
# Writing scores.


def _num(value: Fraction | None, places: int = 2) -> str:
    if value is None:
        return ""
    return f"{float(value):.{places}f}".rstrip("0").rstrip(".") or "0"


def _kr_score_text(score: Fraction | None, options: ScoreOptions) -> str:
    if score is None:
        return ""
    return f"{_num(score * 100, 1)}%" if options.percent else _num(score)


def score_rows(sheets: list[SheetScore], options: ScoreOptions) -> list[list[str]]:
    """One row per KR: sheet, objective, KR, weight, target, actual, score, O分值, total."""
    rows = []
    for sheet in sheets:
        for objective in sheet.objectives:
            for kr in objective.krs:
                rows.append(
                    [
                        sheet.name,
                        objective.name,
                        kr.name,
                        "" if kr.weight is None else str(kr.weight),
                        _num(kr.target),
                        _num(kr.actual),
                        f"-{_num(kr.deduction)}"
                        if kr.deduction
                        else _kr_score_text(kr.score, options),
                        _num(objective.points),
                        _num(sheet.total),
                    ]
                )
    return rows


HEADERS = [
    "sheet",
    "objective",
    "kr",
    "weight",
    "target",
    "actual",
    "score",
    "o_points",
    "sheet_total",
]


def to_csv(sheets: list[SheetScore], options: ScoreOptions) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    for row in score_rows(sheets, options):
        writer.writerow(
            [("'" + c) if c and c[0] in "=+-@" and not _is_number(c) else c for c in row]
        )
    return "\ufeff" + out.getvalue()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_markdown(sheets: list[SheetScore], options: ScoreOptions) -> str:
    lines = []
    for sheet in sheets:
        lines += [
            f"## {sheet.name}: {_num(sheet.total)}",
            "",
            "| objective | KR | weight | target | actual | score | O分值 |",
            "|---|---|---|---|---|---|---|",
        ]
        for objective in sheet.objectives:
            for kr in objective.krs:
                score = (
                    f"-{_num(kr.deduction)}" if kr.deduction else _kr_score_text(kr.score, options)
                )
                lines.append(
                    "| "
                    + " | ".join(
                        c.replace("|", "\\|")
                        for c in [
                            objective.name,
                            kr.name,
                            "" if kr.weight is None else f"{kr.weight}%",
                            _num(kr.target),
                            _num(kr.actual),
                            score,
                            _num(objective.points),
                        ]
                    )
                    + " |"
                )
        if sheet.deductions:
            lines.append(f"\ndeductions: -{_num(sheet.deductions)}")
        lines.append("")
    return "\n".join(lines)
