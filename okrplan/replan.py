"""Re-plan the rest of a plan's period from actuals: ``okrplan replan PLAN --as-of DATE``.

The months that ended on or before the as-of date are **elapsed**: their KR values are locked
at the actuals of the progress store (see :mod:`okrplan.progress`), rolled up the ``aligns``
edges to the units that have no check-ins of their own. The rest of the KPI (the target
file's, which may have changed) less what is done is planned over the **remaining** months by
the same solver as ``decompose`` (:func:`okrplan.plan.solve_plan`: capacity, ramps, hires,
buffer, rounding), for the people the target file lists now: someone in the plan whom the
target file no longer names has left, and takes no quota; someone with ``joined:`` ramps from
that month.

Stability: the remaining months are split with ``split.basis: history``, each role entry's
history being what the original plan still asked of its people after the as-of date. The
solver's min–max stretch (quota ÷ basis) then moves no one's remaining quota by a larger
share than it has to, and keeps everyone in proportion to the original plan where bounds and
capacity allow; a joiner's basis is what an established person of the entry still had to
bring, times the joiner's ramped share of the remaining months (the solver's own rule for
joiners under a history basis).

The new plan has the original's months: each KR's period is the locked actual plus the
remaining plan (a period that straddles the as-of date gets both). The base metric's elapsed
periods are their actuals, 0 where nothing was reported, so that every unit's periods add up
to its target; an elapsed period of a KR nobody reports on (an activity, mostly) keeps its
original target.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import networkx as nx

from okrplan import queries
from okrplan.errors import InputError, Issue, OptionError
from okrplan.graph import node, root_of
from okrplan.model import KeyResult, RoleGroup, Unit
from okrplan.progress import CheckIn
from okrplan.progress.calendar import normal_period, span
from okrplan.replan_targets import amount_text, further_left, meta_targets, set_targets
from okrplan.solve.series import number

Series = dict[str, Fraction]  # a KR's values by period label


@dataclass(frozen=True, slots=True)
class Replan:
    """A re-plan: the new plan, what was done to the as-of date (base metric) and what is
    left, the months locked and planned, who left and who joined."""

    plan: Any
    done: Fraction
    remaining: Fraction
    elapsed: tuple[str, ...]
    months: tuple[str, ...]
    leavers: tuple[str, ...]
    joiners: tuple[str, ...]


def replan(
    old: Any,
    checkins: Sequence[CheckIn],
    as_of: date,
    target: str | os.PathLike[str],
    sets: Sequence[str] = (),
) -> Replan:
    """Re-plan ``old`` (a :class:`~okrplan.plan.Plan`) from ``as_of`` (see the module
    docstring).

    Parameters
    ----------
    old
        The plan being re-planned.
    checkins
        Its check-ins up to ``as_of`` (:func:`okrplan.progress.latest`).
    as_of
        The last day whose actuals count.
    target
        The target file: the KPI, the organisation as it is now (leavers gone, joiners with
        ``joined:``), the objectives.
    sets
        ``--set KEY=VALUE`` overrides of the target file (:mod:`okrplan.overrides`).

    Raises
    ------
    OptionError
        If ``as_of`` leaves no month to plan.
    InputError
        If the target file has problems, or the KPI is a share (not re-planned yet), or the
        actuals already exceed the KPI.
    """
    from okrplan.plan import solve_plan
    from okrplan.spec import spec_from_source

    months = tuple(old.meta["months"])
    elapsed = _elapsed(months, as_of)
    source, spec = _load(target, sets)
    _check_target(source, spec, old)
    actuals = locked_actuals(old.graph, checkins, as_of)
    done, remaining = _done_and_left(old, actuals, source, spec, as_of)
    further = further_left(old, actuals, source, spec, as_of)
    rest = months[len(elapsed) :]
    data, leavers, joiners = _remaining_target(source.data, spec, old, as_of, rest, remaining)
    set_targets(data, amount_text(remaining), further)
    derived = spec_from_source(dataclasses.replace(source, data=data))
    derived = _with_seasonality(derived, old.meta["seasonality"][len(elapsed) :])
    plan = solve_plan(derived)
    stitched = stitch(old, plan, actuals, as_of, reported={m for m, _, _ in further})
    replanned = dataclasses.replace(stitched, meta=_meta(old.meta, spec, bool(further)))
    return Replan(replanned, done, remaining, elapsed, rest, leavers, joiners)


def _meta(old: Mapping[str, Any], spec: Any, further: bool) -> dict[str, Any]:
    """The re-plan's meta: the original's, with the target file's KPI target and name, and
    its further targets where they were re-planned too (``further``)."""
    meta = {**old, "kpi": {**old["kpi"], "target": number(spec.kpi_value)}}
    meta.pop("targets", None)
    if further:
        meta["targets"] = meta_targets(spec)
    meta["name"] = spec.target.plan.name
    return meta


def _elapsed(months: tuple[str, ...], as_of: date) -> tuple[str, ...]:
    """The plan's months over by ``as_of``.

    Raises
    ------
    OptionError
        If no month is left to plan.
    """
    elapsed = tuple(m for m in months if span(m)[1] <= as_of)
    if len(elapsed) == len(months):
        raise OptionError(
            [
                Issue(
                    f"--as-of {as_of} is after the plan's last month {months[-1]}",
                    hint="nothing is left to re-plan; decompose next period's plan instead",
                )
            ]
        )
    return elapsed


def _check_target(source: Any, spec: Any, old: Any) -> None:
    """Refuse a target file with a share KPI, or of another period than the plan's (several
    targets are re-planned each from its own actuals, :mod:`okrplan.replan_targets`)."""
    if not isinstance(spec.target.primary.target, Decimal):
        raise InputError(
            [source.issue(("kpi",), "re-planning a share KPI is not supported yet", "")]
        )
    if spec.period.label != old.meta["period"]:
        raise InputError(
            [
                source.issue(
                    ("plan", "period"),
                    f"the target file plans {spec.period.label}, the plan {old.meta['period']}",
                    "re-plan with the target file of the plan's period",
                )
            ]
        )


def _done_and_left(
    old: Any, actuals: Mapping[str, Series], source: Any, spec: Any, as_of: date
) -> tuple[Fraction, Fraction]:
    """The company's base-metric actuals to ``as_of``, and what of the KPI is left.

    Raises
    ------
    InputError
        If the actuals are more than the KPI.
    """
    company = _base_kr(old.graph, root_of(old.graph), old.meta["kpi"]["base"])
    done = sum(actuals.get(company, {}).values(), Fraction(0)) if company else Fraction(0)
    remaining = Fraction(spec.kpi_value) - done
    if remaining < 0:
        raise InputError(
            [
                source.issue(
                    ("kpi", "target"),
                    f"the actuals to {as_of} ({number(done)}) are more than the KPI",
                    "raise the KPI in the target file, or re-plan a later period",
                )
            ]
        )
    return done, remaining


def _load(target: str | os.PathLike[str], sets: Sequence[str]) -> tuple[Any, Any]:
    """The target file's source (with its ``--set`` overrides) and its spec."""
    from okrplan.overrides import apply_overrides, parse_override, relabel
    from okrplan.source import load_yaml
    from okrplan.spec import spec_from_source
    from okrplan.spec.roster import merge_roster

    overrides = [parse_override(text) for text in sets]
    source, paths = apply_overrides(load_yaml(target), overrides)
    try:
        # a roster's people become YAML-shaped data once, here, so that the re-plan can
        # take out who left and set each entry's history like any other
        source = merge_roster(source)
        org = source.data.get("org") if isinstance(source.data, dict) else None
        if isinstance(org, dict) and "roster" in org:
            data = {**source.data, "org": {k: v for k, v in org.items() if k != "roster"}}
            source = dataclasses.replace(source, data=data)
        return source, spec_from_source(source)
    except InputError as exc:
        raise InputError(relabel(exc.issues, overrides, paths)) from None


def _base_kr(graph: nx.DiGraph, owner: str, metric: str) -> str | None:
    """The owner's KR of the base metric (its quota), if it has one."""
    for _, krs in queries.sheet(graph, owner):
        for kr in krs:
            if kr.metric == metric and kr.periods:
                return kr.id
    return None


def _label_of(kr: KeyResult, period: str) -> str | None:
    """The KR's period label that holds the first day of a check-in's period."""
    return _containing(kr.periods, normal_period(period))


def locked_actuals(
    graph: nx.DiGraph, checkins: Iterable[CheckIn], as_of: date
) -> dict[str, Series]:
    """Each KR's actuals by its own period labels: its check-ins (every person's added up: a
    role group's value is the group's), else the sum of its children's along ``aligns``.
    Only check-ins of periods that start on or before ``as_of`` count."""
    own: dict[str, Series] = {}
    for row in checkins:
        if row.kr not in graph or span(normal_period(row.period))[0] > as_of:
            continue
        record = node(graph, row.kr)
        if not isinstance(record, KeyResult):
            continue
        label = _label_of(record, row.period)
        if label is not None:
            series = own.setdefault(row.kr, {})
            series[label] = series.get(label, Fraction(0)) + Fraction(row.value)
    out: dict[str, Series] = {}

    def of(kr_id: str) -> Series:
        if kr_id in out:
            return out[kr_id]
        found = own.get(kr_id)
        if found is None:
            found = {}
            record = queries.key_result(graph, kr_id)
            for child in queries.aligned_children(graph, kr_id):
                child_kr = queries.key_result(graph, child)
                for label, value in of(child).items():
                    into = _label_of(record, label) if label not in record.periods else label
                    if into is not None and child_kr.metric == record.metric:
                        found[into] = found.get(into, Fraction(0)) + value
        out[kr_id] = found
        return found

    for record in queries.records(graph):
        if isinstance(record, KeyResult):
            of(record.id)
    return {k: v for k, v in out.items() if v}


def _share_after(label: str, as_of: date, months: Sequence[str], shares: Sequence[Any]) -> Fraction:
    """The part of a period's plan that falls after ``as_of``, by the plan's month shares
    (a week or a month is whole: after if it starts after ``as_of``)."""
    low, high = span(label)
    if low > as_of:
        return Fraction(1)
    if high <= as_of:
        return Fraction(0)
    inside = [(m, Fraction(str(s))) for m, s in zip(months, shares, strict=True)]
    inside = [(m, s) for m, s in inside if low <= span(m)[0] <= high]
    whole = sum((s for _, s in inside), Fraction(0))
    after = sum((s for m, s in inside if span(m)[0] > as_of), Fraction(0))
    return after / whole if whole else Fraction(0)


def remaining_quotas(old: Any, as_of: date) -> dict[str, Fraction]:
    """Each selling role group's quota per person still due after ``as_of`` in the original
    plan (its base-metric KR's periods after that day)."""
    months, shares = old.meta["months"], old.meta["seasonality"]
    base = old.meta["kpi"]["base"]
    out: dict[str, Fraction] = {}
    for record in queries.records(old.graph):
        if not isinstance(record, RoleGroup) or record.selling is None:
            continue
        kr_id = _base_kr(old.graph, record.id, base)
        if kr_id is None:
            continue
        kr = queries.key_result(old.graph, kr_id)
        out[record.id] = sum(
            (
                Fraction(str(v)) * _share_after(p, as_of, months, shares)
                for p, v in kr.periods.items()
            ),
            Fraction(0),
        )
    return out


def _remaining_target(
    data: Any, spec: Any, old: Any, as_of: date, rest: Sequence[str], remaining: Fraction
) -> tuple[Any, tuple[str, ...], tuple[str, ...]]:
    """The target file's data for the remaining months: period, KPI, split basis ``history``
    with each selling role entry's history (the original plan's remaining quota of its
    people who are still there), hires from the first remaining month; and who left (named
    in the plan, not in the file) and who joins (named in the file, not in the plan)."""
    from okrplan.solve.groups import role_id

    data = copy.deepcopy(data)
    data["plan"]["period"] = {"from": rest[0], "to": rest[-1]}
    data["plan"].pop("seasonality", None)
    data.setdefault("split", {})
    data["split"] = {**(data["split"] or {}), "basis": "history"}
    per_person = remaining_quotas(old, as_of)
    groups = [r for r in queries.records(old.graph) if isinstance(r, RoleGroup)]
    before = {p for g in groups for p in g.people}
    now: set[str] = set()
    for ref in spec.roles:
        entry = _at(data, ref.path)
        staying = _without_leavers(entry, ref.role.people, rest[0])
        now.update(staying)
        hire = entry.get("hire")
        if isinstance(hire, dict) and hire.get("by") and str(hire["by"]) < rest[0]:
            entry["hire"] = {**hire, "by": rest[0]}
        if not ref.role.sells:
            continue
        main = role_id(ref)
        mine = [
            g
            for g in groups
            if g.id == main or g.id.startswith((f"{main}@", f"{main}~", f"{main}+"))
        ]
        history = _history(ref, mine, per_person, set(staying), rest[0])
        if history is not None:
            entry["history"] = amount_text(history)
    leavers = tuple(sorted(before - now))
    joiners = tuple(sorted(now - before))
    return data, leavers, joiners


def _without_leavers(entry: dict[str, Any], people: Sequence[Any], first: str) -> list[str]:
    """Take the people who left before ``first`` (``left:`` earlier) out of a role entry's
    data (and its headcount, if written); the names of those who stay."""
    stay = [
        i
        for i, person in enumerate(people)
        if isinstance(person, str) or person.left is None or str(person.left) >= first
    ]
    if len(stay) < len(people):
        entry["people"] = [entry["people"][i] for i in stay]
        if isinstance(entry.get("headcount"), int):
            entry["headcount"] -= len(people) - len(stay)
    return [people[i] if isinstance(people[i], str) else people[i].name for i in stay]


def _history(
    ref: Any,
    groups: Sequence[RoleGroup],
    per_person: Mapping[str, Fraction],
    staying: set[str],
    first: str,
) -> Fraction | None:
    """A role entry's remaining quota in the original plan for its people who stay and are
    there by ``first`` (the solver's established people; joiners have a basis of their own):
    each named person's group's quota per person, unnamed headcount at the entry's first
    group's (None: the entry is new)."""
    rate: dict[str, Fraction] = {g.id: per_person.get(g.id, Fraction(0)) for g in groups}
    if not groups:
        return None
    by_person = {p: rate[g.id] for g in groups for p in g.people}
    if not ref.role.people:
        return rate[groups[0].id] * int(ref.headcount)
    total = Fraction(0)
    for person in ref.role.people:
        name = person if isinstance(person, str) else person.name
        joined = None if isinstance(person, str) else person.joined
        if name in by_person and name in staying and (joined is None or str(joined) < first):
            total += by_person[name]
    return total


def _at(data: Any, path: Sequence[str | int]) -> Any:
    for key in path:
        data = data[key]
    return data


def _with_seasonality(spec: Any, shares: Sequence[Any]) -> Any:
    """The spec with the original plan's month shares of the remaining months, scaled to
    sum to 1 exactly (as fractions: a target file's percents could not say 1/6)."""
    from okrplan.spec import Spec

    values = [Fraction(str(s)) for s in shares]
    whole = sum(values, Fraction(0))
    scaled = tuple(v / whole for v in values) if whole else None
    plan = spec.target.plan.model_copy(update={"seasonality": scaled})
    return Spec(spec.file, spec.target.model_copy(update={"plan": plan}), spec.warnings)


def stitch(
    old: Any,
    new: Any,
    actuals: Mapping[str, Series],
    as_of: date,
    reported: Iterable[str] = (),
) -> Any:
    """The re-planned plan over the original's months: each KR of ``new`` with its elapsed
    periods locked (the actual, else the original target) and its remaining ones planned;
    totals, plan-long targets, quotas and unit targets to match. The base metric's elapsed
    periods, and those of the ``reported`` metrics (further targets), are their actuals."""
    graph = new.graph.copy()
    base = old.meta["kpi"]["base"]
    actual_metrics = {base, *reported}
    records: dict[str, KeyResult | RoleGroup | Unit] = {}
    for record in queries.records(new.graph):
        if isinstance(record, KeyResult) and (record.periods or record.id in old.graph):
            records[record.id] = _stitched_kr(
                old.graph, record, actuals, as_of, reported=record.metric in actual_metrics
            )
    for kr in [r for r in records.values() if isinstance(r, KeyResult)]:
        owner = node(graph, kr.owner)
        before = queries.key_result(new.graph, kr.id)
        if kr.metric != old.meta["kpi"]["base"]:
            continue
        locked = _sum(kr.periods) - _sum(before.periods)
        if isinstance(owner, RoleGroup) and owner.selling is not None:
            selling = owner.selling
            per = Fraction(str(selling.per_person)) + locked
            records[owner.id] = dataclasses.replace(
                owner,
                selling=dataclasses.replace(
                    selling, per_person=number(per), quota=number(per * owner.headcount)
                ),
            )
        elif isinstance(owner, Unit) and owner.target is not None and owner.id not in records:
            assigned = owner.assigned
            if assigned is not None:
                assigned = number(Fraction(str(assigned)) + locked)
            records[owner.id] = dataclasses.replace(
                owner, target=number(Fraction(str(owner.target)) + locked), assigned=assigned
            )
    for node_id, record in records.items():
        graph.nodes[node_id]["node"] = record
    return dataclasses.replace(new, graph=graph)


def _stitched_kr(
    old: nx.DiGraph, kr: KeyResult, actuals: Mapping[str, Series], as_of: date, *, reported: bool
) -> KeyResult:
    """A KR over the original's periods. An elapsed period of a KR that is reported on (the
    base metric's, whose actuals make the KPI add up, or one with check-ins) is its actual,
    0 where none came in; of a KR nobody reports on (activities, mostly), its original
    target."""
    before = old.nodes[kr.id]["node"] if kr.id in old else None
    original = before.periods if isinstance(before, KeyResult) else {}
    actual = actuals.get(kr.id, {})
    reported = reported or bool(actual)
    owner = old.nodes[kr.owner]["node"] if kr.owner in old else None
    people = owner.headcount if isinstance(owner, RoleGroup) and owner.headcount else 1
    planned: Series = {}
    for label, amount in kr.periods.items():
        # a plan of the last quarter is phased by month where the year's was by quarter
        into = label if label in original else _containing(original, label) or label
        planned[into] = planned.get(into, Fraction(0)) + Fraction(str(amount))
    labels = list(original) + [p for p in planned if p not in original]
    periods: dict[str, int | float] = {}
    for label in labels:
        value = planned.get(label, Fraction(0))
        if span(label)[0] <= as_of:
            if label in actual:
                # a role group's KR is per person; its check-ins add up to the group's
                value += actual[label] / people
            elif span(label)[1] <= as_of and not reported:
                value += Fraction(str(original.get(label, 0)))
        periods[label] = number(value)
    periods = dict(sorted(periods.items(), key=lambda kv: span(kv[0])[0]))
    if not kr.periods and not original:
        return kr
    whole = number(_sum(periods))
    total = None if kr.total is None else whole
    target = kr.target
    if (
        str(kr.per) == "plan"
        and kr.target is not None
        and _sum(kr.periods) == Fraction(str(kr.target))
    ):
        target = whole  # a plan-long target is its periods' sum
    return dataclasses.replace(kr, periods=periods, total=total, target=target)


def _containing(labels: Iterable[str], label: str) -> str | None:
    """The label of ``labels`` whose span holds the first day of ``label``."""
    first = span(label)[0]
    for candidate in labels:
        low, high = span(candidate)
        if low <= first <= high:
            return candidate
    return None


def _sum(periods: Mapping[str, Any]) -> Fraction:
    return sum((Fraction(str(v)) for v in periods.values()), Fraction(0))


def store_checkins(parent: str | os.PathLike[str], directory: str | os.PathLike[str]) -> int:
    """Carry every check-in of the plan at ``parent`` into the store of the plan written to
    ``directory`` (one import, from the parent's store); returns how many were carried."""
    from okrplan.progress import latest, record

    rows = latest(Path(parent))
    if rows:
        record(Path(directory), rows, source=Path(parent, "progress.sqlite").as_posix())
    return len(rows)


_WORDS = {
    "en": (
        "wrote {path}/: {status}; done to {as_of}: {done}, left: {left} over {first}..{last}",
        "  left: {names}",
        "  joining: {names}",
        "  {n} check-ins carried over",
    ),
    "zh": (
        "已写入 {path}/：{status}；截至 {as_of} 已完成 {done}，剩余 {left}（{first}..{last}）",
        "  离开：{names}",
        "  加入：{names}",
        "  已带入 {n} 条进度记录",
    ),
}


def summary_text(result: Replan, path: str, carried: int, as_of: date) -> str:
    """What a re-plan did, in the plan's language: done and left, who left and joined."""
    from okrplan.present import status_text
    from okrplan.quantity import format_number

    locale = result.plan.locale
    head, left, joined, carry = _WORDS["zh" if locale.startswith("zh") else "en"]
    lines = [
        head.format(
            path=path,
            status=status_text(result.plan.status, locale),
            as_of=as_of.isoformat(),
            done=format_number(Decimal(number(result.done)), locale),
            left=format_number(Decimal(number(result.remaining)), locale),
            first=result.months[0],
            last=result.months[-1],
        )
    ]
    if result.leavers:
        lines.append(left.format(names=", ".join(result.leavers)))
    if result.joiners:
        lines.append(joined.format(names=", ".join(result.joiners)))
    if carried:
        lines.append(carry.format(n=carried))
    return "\n".join(lines)
