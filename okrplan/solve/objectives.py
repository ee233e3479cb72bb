"""Objectives and key results: every owner's sheet, from the objective templates.

Each unit and role gets the templates that apply to its level, unit and role, each with the KRs
it can carry (a derived KR only where the owner has a series of its metric). A derived KR's
numbers come from the owner's series (:mod:`okrplan.solve.series`): the headline per its
``per``, the target of each period, and the plan total. A unit with hires gets a staffing
objective with one KR per hiring group or support role ("招聘 N 名销售").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from okrplan import model
from okrplan.model import Direction, KRKind, Per, RoleGroup, TargetKind, TargetPer
from okrplan.numbers import plural
from okrplan.periods import Month
from okrplan.solve.funnel import PersonSeries, sourced_key
from okrplan.solve.groups import unit_id
from okrplan.solve.krcounts import CountNumbers, MoneyNumbers, Numbers
from okrplan.solve.records import new_kr, new_kr_later, new_objective
from okrplan.solve.series import (
    Limits,
    Series,
    number,
    periods,
)
from okrplan.spec import KeyResult, Objective, RoleRef, Spec, UnitRef, share_end

SheetItem = model.Objective | model.KeyResult


_HEAD = ("kr_kind", "metric", "text", "per", "target", "target_kind", "periods")
_TAIL = (
    "fixed_weight",
    "direction",
    "deduction",
    "due",
    "target_per",
    "total",
    "unit",
    "money",
    "hires",
    "sourced",
)
KR_ORDER = ("id", "name", "owner", "objective", *_HEAD, "weight", *_TAIL)
"""The fields of :class:`okrplan.model.KeyResult` in their order, as its records are made
positionally (its ``kind`` has its default)."""

Rest = tuple[tuple[Any, ...], tuple[Any, ...]]
"""A KR's fields other than id, name, owner, objective and weight: those before the weight
(:data:`_HEAD`) and after it (:data:`_TAIL`), in the record's order. KRs of one template with
the same numbers share one."""


class Draft(NamedTuple):
    """An objective or KR before its weight is known: what weighing reads, and the other
    fields of its record."""

    id: str
    owner: str
    objective: str | None  # None: the draft is an objective
    name: str
    kr_kind: KRKind | None
    metric: str | None
    weight: int | float | None  # a KR's fixed weight, if any
    rest: Rest  # an objective's: ((detail,), ())

    @property
    def is_kr(self) -> bool:
        return self.objective is not None


_KR_KIND = model.NodeKind.KR
_OBJECTIVE_KIND = model.NodeKind.OBJECTIVE


def _record(d: Draft) -> SheetItem:
    """The record of a draft, with the draft's weight (a KR's fixed one, if any)."""
    if d.objective is not None:
        head, tail = d.rest
        return new_kr(d.id, d.name, d.owner, d.objective, *head, d.weight, *tail, _KR_KIND)
    return new_objective(d.id, d.name, d.owner, d.rest[0][0], None, _OBJECTIVE_KIND)


def _objective(oid: str, name: str, owner: str, detail: str) -> Draft:
    return Draft(oid, owner, None, name, None, None, None, ((detail,), ()))


def _rest(fields: Mapping[str, Any]) -> Rest:
    """A KR's :data:`Rest` from its fields by name (a field not given is None)."""
    return tuple(fields.get(k) for k in _HEAD), tuple(fields.get(k) for k in _TAIL)


def _kr(fields: dict[str, Any]) -> Draft:
    return Draft(
        fields["id"],
        fields["owner"],
        fields["objective"],
        fields["name"],
        fields["kr_kind"],
        fields["metric"],
        fields["weight"],
        _rest(fields),
    )


@dataclass(frozen=True, slots=True)
class Hire:
    """A staffing KR to write: ``count`` people of ``ref`` for the node ``hires`` (a hiring
    group, or a support role)."""

    hires: str
    ref: RoleRef
    count: int


def sheet_records(
    spec: Spec,
    roles: Sequence[RoleGroup],
    series: Mapping[str, PersonSeries],
    hires: Sequence[Hire],
    limits: Mapping[str, Limits],
    counts: CountNumbers,
) -> list[SheetItem]:
    """Every owner's objectives, each followed by its KRs, owners in tree order.

    Parameters
    ----------
    spec
        The validated target file.
    roles
        The role records, in tree order.
    series
        Every owner's series, by node id.
    hires
        Hires to staff, in the order their KRs are written.
    limits
        Each role group's capacity windows and working months, by node id: its count KRs stay
        within them.
    counts
        The count KRs' numbers (:func:`okrplan.solve.krcounts.count_plan`).

    Returns
    -------
    list
        Objective and KR records, KRs with their fixed weights (if any), objectives with
        none: :func:`okrplan.solve.weighting.weigh` sets the weights on them, in place.
    """
    templates = objective_templates(spec)
    by_unit: dict[str, list[Hire]] = {}
    for hire in hires:
        by_unit.setdefault(unit_id(hire.ref.unit), []).append(hire)
    make = _KRMaker(spec, series, counts, limits)
    applying = _Applying(templates)
    out: list[SheetItem] = []
    append = out.append
    make_kr, make_objective, objective_kind = new_kr_later, new_objective, _OBJECTIVE_KIND
    for owner, level, unit, role_name in _owners(spec, roles):
        base = owner[2:]
        kr_base, objective_base = "k:" + base, "o:" + base
        shape = make.sheet(owner, level, applying.to(level, unit, role_name))
        for suffix, title, detail, krs in shape:
            oid = objective_base + suffix
            append(make_objective(oid, title, owner, detail, None, objective_kind))
            for kr_suffix, name, later in krs:
                append(make_kr(kr_base + kr_suffix, name, owner, oid, later))
        if owner in by_unit:
            out += map(_record, staffing(spec, owner, len(shape) + 1, by_unit[owner]))
    return out


Shape = list[tuple[str, str, str, list[tuple[str, str, tuple[Any, ...]]]]]
"""An owner's sheet but its ids: per objective the end of its id (``#2``), its title and
detail, and per KR the end of its id (``#2.1``), its name and its record's fields after
``objective`` (:data:`KR_ORDER`; the weight its fixed one)."""


class _Applying:
    """The templates that apply to an owner (:func:`template_applies`), worked out once per
    kind of owner: what decides it is the level, the role, whether the unit supports, and
    which of the unit's names the templates name (most units: none)."""

    def __init__(self, templates: Sequence[Objective]) -> None:
        self.templates = templates
        self.named = {n for t in templates for n in (*t.units, *t.under)}
        self.under = {n for t in templates for n in t.under}
        self.found: dict[tuple[Any, ...], list[Objective]] = {}

    def to(self, level: str, unit: UnitRef, role_name: str | None) -> list[Objective]:
        key: tuple[Any, ...] = (level, role_name, unit.unit.supports is not None)
        if self.named:  # else (most plans) no unit's names matter
            names = unit.names
            own = names[-1]
            key += (
                own if own in self.named else None,
                tuple(n for n in names[:-1] if n in self.under) if self.under else (),
            )
        found = self.found.get(key)
        if found is None:
            found = self.found[key] = [
                t for t in self.templates if template_applies(t, level, unit, role_name)
            ]
        return found


def _owners(
    spec: Spec, roles: Sequence[RoleGroup]
) -> Iterator[tuple[str, str, UnitRef, str | None]]:
    """(owner id, level, unit, role name) for every unit and role, in tree order."""
    for unit in spec.units:
        yield unit_id(unit), "company" if len(unit.names) == 1 else "unit", unit, None
    units = {u.names: u for u in spec.units}
    for role in roles:
        yield role.id, "role", units[role.path], role.name


def template_applies(template: Objective, level: str, unit: UnitRef, role_name: str | None) -> bool:
    """Does an objective template apply to an owner (its level, unit and role)?

    ``units:`` names units whose own sheet, and whose roles' sheets, get the objective (not
    their sub-units); ``under:`` names whole subtrees; ``roles:`` names roles. A support unit
    (and its roles) gets an objective only when the template names it, or the role.
    """
    if level not in template.at:
        return False
    if template.roles and (role_name is None or role_name not in template.roles):
        return False
    own = unit.names[-1]
    named = own in template.units or own in template.under
    if unit.unit.supports is not None:
        return named or (role_name is not None and role_name in template.roles)
    if template.units or template.under:
        return named or any(name in template.under for name in unit.names[:-1])
    return True


_LATER = (*KR_ORDER[4:], "kind")
"""The fields of a KR record after ``objective``, in order (what a :data:`Shape` holds)."""
_TARGET, _TARGET_KIND, _PERIODS, _TOTAL, _SOURCED = (
    _LATER.index(k) for k in ("target", "target_kind", "periods", "total", "sourced")
)


def _later(fields: Mapping[str, Any]) -> tuple[Any, ...]:
    """A KR's record fields after ``objective`` from its fields by name (a field not given
    is None)."""
    return (*map(fields.get, _LATER[:-1]), _KR_KIND)


class _Stem(NamedTuple):
    """What every KR of one template shares (:func:`template_attrs`): its fields by name, and
    its record's fields after ``objective`` (a derived KR's numbers None)."""

    attrs: dict[str, Any]
    later: tuple[Any, ...]

    @classmethod
    def of(cls, attrs: dict[str, Any]) -> _Stem:
        return cls(attrs, _later(attrs))

    def derived(self, numbers: Numbers, sourced: Any) -> tuple[Any, ...]:
        """A derived KR's record fields after ``objective``: the stem's, with its numbers
        (headline, periods, total) and what the owner sources."""
        later = list(self.later)
        later[_TARGET], later[_PERIODS], later[_TOTAL] = numbers
        later[_TARGET_KIND], later[_SOURCED] = TargetKind.NUMBER, sourced
        return tuple(later)


class _TemplateKR(NamedTuple):
    """A template KR as :meth:`_KRMaker.kr` reads it: its identity (the spec's KR object's),
    name, metric and ``per``, its :class:`_Stem`, and the series key of what an owner sources
    of its metric (:func:`~okrplan.solve.funnel.sourced_key`)."""

    id: int
    name: str
    metric: str | None
    per: Per
    stem: _Stem
    sourced: str | None


class _KRMaker:
    """KR records of one plan, with what KRs of one template or one series share worked out
    once (a memo for the duration of :func:`sheet_records`).

    At 100,000 people there are ~114,000 KRs but only a few thousand distinct sets of numbers:
    the people of a profile have equal series (equal values, often not one object), so the
    numbers are memoised by the series' values, and KRs of one template with equal numbers
    share their fields (a read-only ``periods`` dict included)."""

    def __init__(
        self,
        spec: Spec,
        series: Mapping[str, PersonSeries],
        counts: CountNumbers,
        limits: Mapping[str, Limits],
    ):
        self.spec, self.series, self.counts, self.limits = spec, series, counts, limits
        self.calendar = counts.calendar
        self.stems: dict[int, _TemplateKR] = {}
        self.layouts: dict[
            tuple[Any, ...], list[tuple[str, str, str, list[tuple[str, _TemplateKR]]]]
        ] = {}
        self.laters: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.money = MoneyNumbers(counts.calendar)
        self.sheets: dict[tuple[Any, ...], Shape] = {}
        self.alike: dict[tuple[Any, ...], Shape] = {}  # by the series' values

    def sheet(self, owner: str, level: str, templates: Sequence[Objective]) -> Shape:
        """``owner``'s sheet from the templates that apply to it, once per kind of sheet: the
        role groups of a profile have series of equal objects (100,000 people: 13,000 role
        groups, about 90 kinds), and a sheet depends only on the templates, the level, the
        owner's series objects and its limits (all alive while this maker is)."""
        own = self.series.get(owner)
        limits = self.limits.get(owner)
        # one list of templates per kind of owner (_Applying.to); the series' metrics, then
        # their objects (metrics are text, ids numbers: no two owns give one key)
        key: tuple[object, ...] = (id(templates), level, id(limits))
        if own is None:
            found = self.sheets.get(key)
            if found is None:
                found = self.sheets[key] = self._shape(owner, level, templates, {}, limits)
            return found
        by_id = (*key, *own, *map(id, own.values()))
        found = self.sheets.get(by_id)
        if found is None:
            # equal series of other objects: a unit's are its own sums, often equal to one
            # sub-unit's or another unit's (9,373 units of the roster, 2,057 kinds of sheet)
            values = (*key, *own, *[(s.num, s.den, s.money) for s in own.values()])
            found = self.alike.get(values)
            if found is None:
                found = self.alike[values] = self._shape(owner, level, templates, own, limits)
            self.sheets[by_id] = found
        return found

    def _shape(
        self,
        owner: str,
        level: str,
        templates: Sequence[Objective],
        own: PersonSeries,
        limits: Limits | None,
    ) -> Shape:
        """The sheet of a kind of owner not seen before (:meth:`sheet`): each template with
        the KRs the owner can carry (:meth:`_layout`), each KR's numbers from the owner's
        series."""
        shape: Shape = []
        for suffix, title, detail, krs in self._layout(level, templates, own):
            shape.append(
                (
                    suffix,
                    title,
                    detail,
                    [(i, kr.name, self.kr(owner, level, kr, own, limits)) for i, kr in krs],
                )
            )
        return shape

    def _layout(
        self, level: str, templates: Sequence[Objective], own: PersonSeries
    ) -> list[tuple[str, str, str, list[tuple[str, _TemplateKR]]]]:
        """An owner's objectives and KRs, numbered (``#1``, ``#1.1``), before their numbers:
        each template with the KRs the owner can carry (a derived KR where it has a series of
        the metric; the company's KPI KR always). Worked out once per templates, level and
        metrics (the 9,000 units of a roster have one)."""
        key = (id(templates), level, *own)
        found = self.layouts.get(key)
        if found is not None:
            return found
        found = self.layouts[key] = []
        primary = self.spec.target.primary.metric if level == "company" else None
        for template in templates:
            krs = [
                self._template_kr(kr)
                for kr in template.key_results
                if kr.metric is None or kr.metric == primary or kr.metric in own
            ]
            if krs:
                suffix = f"#{len(found) + 1}"
                numbered = [(f"{suffix}.{i}", kr) for i, kr in enumerate(krs, start=1)]
                found.append((suffix, template.title, template.detail, numbered))
        return found

    def _template_kr(self, kr: KeyResult) -> _TemplateKR:
        """What every KR made from the template KR ``kr`` shares (once per ``kr``)."""
        found = self.stems.get(id(kr))  # the template's KR objects live as long as the spec
        if found is None:
            attrs = template_attrs(self.spec, kr)
            metric = kr.metric
            found = self.stems[id(kr)] = _TemplateKR(
                id(kr),
                attrs["name"],
                metric,
                attrs["per"],
                _Stem.of(attrs),
                metric and sourced_key(metric),
            )
        return found

    def kr(
        self, owner: str, level: str, kr: _TemplateKR, own: PersonSeries, limits: Limits | None
    ) -> tuple[Any, ...]:
        """The record fields after ``objective`` of a template KR on the sheet of ``owner``
        (its series ``own``, its ``limits``): a derived KR's target is
        :func:`~okrplan.solve.series.headline` of the owner's series of its metric (a
        销售岗's weekly calls: the plan's calls ÷ its weeks), its periods
        :func:`~okrplan.solve.series.periods`."""
        metric, stem = kr.metric, kr.stem
        if metric is None:
            return stem.later
        if level == "company":
            special = self._company(owner, level, metric, kr.per)
            if special is not None:
                return _later({**stem.attrs, **special})
        series = own[metric]
        if kr.sourced in own:  # some support unit supplies part of it (rare)
            within, shown_sourced = self.counts.measured(own, metric, limits)
        else:
            within, shown_sourced = limits, None
        # money KRs' numbers do not depend on the limits: KRs alike share them across limits
        key: tuple[Any, ...] = (
            kr.id,
            series.num,
            series.den,
            series.money,
            series.money or id(within),
        )
        if shown_sourced is not None:
            key = (*key, shown_sourced)
        later = self.laters.get(key)
        if later is None:
            numbers = self._numbers(series, kr.per, within, metric)
            later = self.laters[key] = stem.derived(numbers, shown_sourced)
        return later

    def _numbers(self, series: Series, per: Per, limits: Limits | None, metric: str) -> Numbers:
        """A derived KR's headline, periods and total: a count KR's from the count step
        (:func:`okrplan.solve.krcounts.count_plan`), a money KR's once per series value and
        ``per``."""
        if not series.money:
            return self.counts.get(series, per, limits, metric)
        return self.money.get(series, per)

    def _company(self, owner: str, level: str, metric: str, per: Per) -> dict[str, Any] | None:
        """The company's KPI KR: the KPI as written (a share, or the revenue target)."""
        spec = self.spec
        if level != "company":
            return None
        if metric == spec.target.primary.metric and spec.target.metrics[metric].share_of:
            share = share_end(spec.target.primary.target)  # type: ignore[arg-type]
            return {
                "target": number(share),
                "per": Per.PLAN,
                "periods": {},
                "target_kind": TargetKind.PERCENT,
            }
        if metric == spec.base_metric:
            return {
                "target": number(spec.kpi_value),
                "periods": periods(self.series[owner][metric], per, self.calendar),
                "target_kind": TargetKind.NUMBER,
            }
        return None


def template_attrs(spec: Spec, kr: KeyResult) -> dict[str, Any]:
    """The fields of a KR record that come from its template alone (the same on every
    sheet)."""
    attrs: dict[str, Any] = {
        "metric": kr.metric,
        "per": Per(kr.per or "plan"),
        "weight": number(kr.weight * 100) if kr.weight is not None else None,
        "fixed_weight": kr.weight is not None,
        "direction": Direction(kr.direction or "increase"),
        "deduction": None,
        "due": str(kr.due) if kr.due else None,
    }
    if kr.metric is None:
        target = kr.target
        attrs.update(
            name=kr.text or "",
            kr_kind=KRKind.DEDUCTION if kr.deduction is not None else KRKind.MANUAL,
            text=kr.text,
            deduction=number(kr.deduction) if kr.deduction is not None else None,
            target=number(target.value) if target is not None else None,
            target_kind=TargetKind(str(target.kind)) if target is not None else None,
            target_per=TargetPer(str(target.per)) if target and target.per else None,
            periods={},
        )
    else:
        metric = spec.target.metrics[kr.metric]
        attrs.update(
            name=metric.name,
            kr_kind=KRKind.DERIVED,
            text=metric.name,
            unit=metric.unit,
            money=metric.kind == "money",
        )
    return attrs


def staffing(spec: Spec, owner: str, count: int, hires: Sequence[Hire]) -> list[Draft]:
    """A unit's staffing objective (its ``count``-th) and a KR per hire."""
    zh = spec.target.plan.locale == "zh-CN"
    oid = f"o:{owner[2:]}#{count}"
    out = [_objective(oid, "补充团队人力" if zh else "Staff the team", owner, "")]
    for index, hire in enumerate(hires, start=1):
        role = hire.ref.role
        by: Month = getattr(role.hire, "by", None) or spec.period.first
        text = (
            f"招聘 {hire.count} 名{role.role}，{by.month}月底前到岗"
            if zh
            else f"Hire {hire.count} {plural(role.role, hire.count)} by the end of {by}"
        )
        out.append(
            _kr(
                dict(
                    id=f"k:{owner[2:]}#{count}.{index}",
                    name=text,
                    owner=owner,
                    objective=oid,
                    kr_kind=KRKind.STAFFING,
                    metric=None,
                    text=text,
                    per=Per.PLAN,
                    target=hire.count,
                    target_kind=TargetKind.NUMBER,
                    periods={},
                    weight=None,
                    fixed_weight=False,
                    direction=Direction.INCREASE,
                    deduction=None,
                    due=str(by),
                    hires=hire.hires,
                )
            )
        )
    return out


def objective_templates(spec: Spec) -> tuple[Objective, ...]:
    """The objective templates of a plan: its ``objectives:``, else the defaults."""
    return tuple(spec.target.objectives) or default_objectives(spec)


def default_objectives(spec: Spec) -> tuple[Objective, ...]:
    """Without objectives in the file: one O per level with the KPI and every funnel metric."""
    metrics: list[str] = []
    # each metric sold, once, in the order the roles first sell it (18,000 role entries)
    for sells in dict.fromkeys(ref.role.sells for ref in spec.roles):
        if sells:
            for metric in spec.funnel(sells):
                if metric not in metrics:
                    metrics.append(metric)
    order = [m for m in metrics if m != spec.base_metric]
    krs = [KeyResult(metric=spec.base_metric)]
    krs += [KeyResult(metric=k.metric) for k in spec.further_targets]
    krs += [KeyResult(metric=m, per="month") for m in reversed(order)]
    title = "完成销售任务" if spec.target.plan.locale == "zh-CN" else "Deliver the sales target"
    return (Objective(title=title, key_results=tuple(krs)),)
