"""The status index: what `okrplan status` reads of a plan, kept beside its plan.json.

A status of a 100,000-person plan read plan.json (57 MB, one ``json.loads``), made 115,000
KR facts and worked out what each KR is measured against (its cadence, its plan total): most
of its time, each time, though the plan had not changed. The index keeps exactly that, once:
the org tree, the objectives' names, each KR's facts and :data:`~.rollup.Spec`, in
:mod:`marshal`'s format (Python's own, the fastest it reads), under a header naming the SHA-256
of the plan.json it was made from. It is used only while plan.json's bytes hash to that (a
re-made or hand-edited plan, even one of the same size and time, is read afresh and the index
made again), and reading it imports no pydantic and no networkx.

It is a cache, never the plan: `checkin` and `status` write it (atomically, see
:func:`okrplan.export.output.write_files`) only over a file that is an index already or over
nothing, never over a planner's file of that name; a folder that cannot be written, or an
index that cannot be read, only means plan.json is read as before.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterator, Mapping
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

from okrplan.choices import PLAN_FILE
from okrplan.progress.light import KrFacts, LightPlan, Named, Owner, is_role

INDEX_FILE = ".okrplan-status-index"
_MAGIC = b"okrplan status index 1\n"
_FIELDS = ("id", "owner", "objective", "name", "money", "target_kind", "weight")


def plan_digest(folder: Path) -> str | None:
    """The SHA-256 (hex) of the folder's plan.json; None if it cannot be read."""
    try:
        return hashlib.sha256((folder / PLAN_FILE).read_bytes()).hexdigest()
    except OSError:
        return None


def load(folder: Path) -> LightPlan | None:
    """The plan's :class:`~.light.LightPlan` (with its KRs' specs) from its index; None when
    there is none, it is not an index, or it was made from another plan.json."""
    try:
        raw = (folder / INDEX_FILE).read_bytes()
    except OSError:
        return None
    digest = plan_digest(folder)
    head = _MAGIC + (digest or "").encode() + b"\n"
    if digest is None or not raw.startswith(head):
        return None
    try:
        return _view(marshal.loads(memoryview(raw)[len(head) :]))
    except (ValueError, EOFError, TypeError, KeyError, IndexError):
        return None


def save(folder: Path, view: LightPlan, digest: str) -> bool:
    """Write the index of ``view`` (read from the plan.json of SHA-256 ``digest``, its specs
    all made); False where it was not written (a file of that name that is not an index,
    or a folder that cannot be written)."""
    from okrplan.errors import OutputError
    from okrplan.export.output import write_files

    path = folder / INDEX_FILE
    try:
        if path.exists():
            with path.open("rb") as old:
                if old.read(len(_MAGIC)) != _MAGIC:
                    return False  # not ours: a planner's file is never overwritten
        body = marshal.dumps(_record(view))
        write_files(folder, {INDEX_FILE: _MAGIC + digest.encode() + b"\n" + body})
    except (OSError, OutputError, ValueError):
        return False
    return True


def _record(view: LightPlan) -> tuple[Any, ...]:
    """The view as marshal's plain values (no Fraction, no date: see :func:`_number`), each
    text one object however often it is named (marshal then writes it once, and a reading
    makes it once)."""
    assert view.specs is not None
    texts: dict[str, str] = {}
    one = texts.setdefault

    def lists(mapping: dict[str, list[str]]) -> dict[str, list[str]]:
        return {one(k, k): [one(v, v) for v in vs] for k, vs in mapping.items()}

    owners = [
        (one(o.id, o.id), str(o.kind), o.name, o.label if is_role(o) else o.name,
         tuple(o.path), o.headcount if is_role(o) else 0,
         bool(o.new_hires) if is_role(o) else False, tuple(o.people) if is_role(o) else ())
        for o in view.owners.values()
    ]  # fmt: skip
    labels: dict[tuple[str, ...], int] = {}
    krs = [view.krs[k] for k in view.krs]
    columns = [[getattr(kr, f) for kr in krs] for f in _FIELDS]
    columns[5] = [None if k is None else str(k) for k in columns[5]]
    for column in (0, 1, 2, 3):
        columns[column] = [one(t, t) for t in columns[column]]
    spans = [labels.setdefault(kr.labels, len(labels)) for kr in krs]
    specs = [_spec(view.specs[kr.id]) for kr in krs]
    objectives = [(one(i, i), view.objective(i).name) for i in view.objective_data]
    return (
        dict(view.meta), view.root, owners, lists(view.contains), lists(view.aligned),
        lists(view.objectives), lists(view.measures), objectives, columns, list(labels),
        spans, [kr.values for kr in krs], specs,
    )  # fmt: skip


def _view(record: tuple[Any, ...]) -> LightPlan:
    meta, root, owners, contains, aligned, objectives, measures, names = record[:8]
    columns, labels, spans, values, specs = record[8:]
    view = LightPlan(meta, root, contains=contains, aligned=aligned, objectives=objectives,
                     measures=measures)  # fmt: skip
    view.owners = {o[0]: Owner(*o) for o in owners}
    view.objective_data = {i: Named(i, name) for i, name in names}
    krs = _Krs(columns, [tuple(s) for s in labels], spans, values)
    view.krs = view.records = cast(Any, krs)
    view.specs = cast(Any, _Specs(krs.at, specs))
    return view


class _Krs(Mapping[str, KrFacts]):
    """The index's KRs by id, each one's :class:`~.light.KrFacts` made when first asked for
    (a status asks for some 62,000 of 115,000)."""

    def __init__(
        self, columns: list[list[Any]], labels: list[tuple[str, ...]], spans: list[int],
        values: list[list[Any]],
    ) -> None:  # fmt: skip
        self.columns, self.labels, self.spans, self.periods = columns, labels, spans, values
        self.at = {kr_id: i for i, kr_id in enumerate(columns[0])}
        self.made: dict[str, KrFacts] = {}

    def __getitem__(self, kr_id: str) -> KrFacts:
        found = self.made.get(kr_id)
        if found is None:
            i = self.at[kr_id]
            kr_id, owner, objective, name, money, kind, weight = (c[i] for c in self.columns)
            found = self.made[kr_id] = KrFacts(
                kr_id, owner, objective, None, None, None, kind, None, None, None, None, None,
                weight, self.labels[self.spans[i]], self.periods[i], name, money,
            )  # fmt: skip
        return found

    def __contains__(self, kr_id: object) -> bool:
        return kr_id in self.at

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns[0])

    def __len__(self) -> int:
        return len(self.at)


class _Specs:
    """The index's specs by KR id, each decoded when first asked for."""

    def __init__(self, at: dict[str, int], specs: list[Any]) -> None:
        self.at, self.specs = at, specs

    def __getitem__(self, kr_id: str) -> Any:
        return _unspec(self.specs[self.at[kr_id]])


def _number(value: Any) -> Any:
    """An exact number marshal keeps: an int or float as it is, a Fraction as (num, den)."""
    return (value.numerator, value.denominator) if isinstance(value, Fraction) else value


def _unnumber(value: Any) -> Any:
    return Fraction(*value) if isinstance(value, tuple) else value


def _spec(spec: Any) -> Any:
    if spec is None:
        return None
    kind, total, decrease, people, cadence_days, schedule = spec
    if schedule is not None:
        schedule = tuple((a.toordinal(), b.toordinal(), _number(v)) for a, b, v in schedule)
    return (kind, _number(total), decrease, people, cadence_days, schedule)


def _unspec(spec: Any) -> Any:
    if spec is None:
        return None
    kind, total, decrease, people, cadence_days, schedule = spec
    if schedule is not None:
        schedule = tuple(
            (date.fromordinal(a), date.fromordinal(b), _unnumber(v)) for a, b, v in schedule
        )
    return (kind, _unnumber(total), decrease, people, cadence_days, schedule)
