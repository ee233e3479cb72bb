"""The status index: what `okrplan status` reads of a plan, kept beside its plan.json.

A status of a 100,000-person plan read plan.json (57 MB, one ``json.loads``), made 115,000
KR facts and worked out what each KR is measured against (its cadence, its plan total): most
of its time, each time, though the plan had not changed. The index keeps exactly that, once:
the org tree, the objectives' names, each KR's facts and :data:`~.rollup.Spec`, as JSON with
each text written once and named by its number elsewhere (far smaller than plan.json, read in
a fraction of its time), under a header naming the SHA-256 of the plan.json it was made from.
It is used only while plan.json's bytes hash to that (a re-made or hand-edited plan, even one
of the same size and time, is read afresh and the index made again), and reading it imports
no pydantic and no networkx.

It is a cache, never the plan: `checkin` and `status` write it (atomically, see
:func:`okrplan.export.output.write_files`) only over a file that is an index already or over
nothing, never over a planner's file of that name; a folder that cannot be written, or an
index that cannot be read, only means plan.json is read as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

from okrplan.choices import PLAN_FILE
from okrplan.progress import light
from okrplan.progress.light import KrFacts, LightPlan, Named, Owner, is_role

INDEX_FILE = ".okrplan-status-index"
_MAGIC = b"okrplan status index 2\n"
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
        return _view(json.loads(raw[len(head) :]))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def is_current(folder: Path) -> bool:
    """Whether the folder has an index of its plan.json as it is now."""
    digest = plan_digest(folder)
    head = _MAGIC + (digest or "").encode() + b"\n"
    try:
        with (folder / INDEX_FILE).open("rb") as handle:
            return digest is not None and handle.read(len(head)) == head
    except OSError:
        return False


def refresh(folder: Path, view: LightPlan | None = None) -> bool:
    """Make the folder's index where it is not of its plan.json (from ``view``, the light
    view read from that plan.json, or read here); False where none was written (a plan.json
    the light reading leaves to the full one, or see :func:`save`)."""
    from okrplan.progress.rollup import Specs

    digest = plan_digest(folder)
    if digest is None or is_current(folder):
        return False
    view = view if view is not None else light.read(folder)
    if view is None:
        return False
    view.specs = Specs(view).all()
    return save(folder, view, digest)


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
        record = _record(view)
        body = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
        write_files(folder, {INDEX_FILE: _MAGIC + digest.encode() + b"\n" + body})
    except (OSError, OutputError, ValueError):
        return False
    return True


def _record(view: LightPlan) -> dict[str, Any]:
    """The view as JSON's plain values: each text once, in ``texts``, named elsewhere by its
    place there (a KR id is named four times over; reading a list of numbers is cheap); an
    exact number as :func:`_number` writes it."""
    assert view.specs is not None
    texts: dict[str, int] = {}

    def ref(text: str) -> int:
        return texts.setdefault(text, len(texts))

    def lists(mapping: dict[str, list[str]]) -> list[Any]:
        return [[ref(k), [ref(v) for v in vs]] for k, vs in mapping.items()]

    owners = [
        [ref(o.id), str(o.kind), ref(o.name), ref(o.label if is_role(o) else o.name),
         [ref(p) for p in o.path], o.headcount if is_role(o) else 0,
         bool(o.new_hires) if is_role(o) else False,
         [ref(p) for p in o.people] if is_role(o) else []]
        for o in view.owners.values()
    ]  # fmt: skip
    labels: dict[tuple[str, ...], int] = {}
    krs = [view.krs[k] for k in view.krs]
    columns: list[list[Any]] = [[getattr(kr, f) for kr in krs] for f in _FIELDS]
    columns[5] = [None if k is None else str(k) for k in columns[5]]
    for column in (0, 1, 2, 3):
        columns[column] = [ref(t) for t in columns[column]]
    record = {
        "meta": view.meta, "root": ref(view.root), "owners": owners,
        "contains": lists(view.contains), "aligned": lists(view.aligned),
        "objectives": lists(view.objectives), "measures": lists(view.measures),
        "names": [[ref(i), ref(view.objective(i).name)] for i in view.objective_data],
        "krs": columns, "spans": [labels.setdefault(kr.labels, len(labels)) for kr in krs],
        "values": [kr.values for kr in krs],  # plan.json's own ints and floats
        "specs": [_spec(view.specs[kr.id]) for kr in krs],
    }  # fmt: skip
    record["labels"], record["texts"] = list(labels), list(texts)
    return record


def _view(record: dict[str, Any]) -> LightPlan:
    text = record["texts"]

    def lists(pairs: list[Any]) -> dict[str, list[str]]:
        return {text[k]: [text[v] for v in vs] for k, vs in pairs}

    view = LightPlan(record["meta"], text[record["root"]], contains=lists(record["contains"]),
                     aligned=lists(record["aligned"]), objectives=lists(record["objectives"]),
                     measures=lists(record["measures"]))  # fmt: skip
    view.owners = {
        text[o[0]]: Owner(text[o[0]], o[1], text[o[2]], text[o[3]],
                          tuple(text[p] for p in o[4]), o[5], o[6],
                          tuple(text[p] for p in o[7]))
        for o in record["owners"]
    }  # fmt: skip
    view.objective_data = {text[i]: Named(text[i], text[n]) for i, n in record["names"]}
    columns = record["krs"]
    for column in (0, 1, 2, 3):
        columns[column] = [text[i] for i in columns[column]]
    labels = [tuple(s) for s in record["labels"]]
    krs = _Krs(columns, labels, record["spans"], record["values"])
    view.krs = view.records = cast(Any, krs)
    view.specs = cast(Any, _Specs(krs.at, record["specs"]))
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
            _, owners, objectives, names, money, kinds, weights = self.columns
            found = self.made[kr_id] = KrFacts(
                kr_id, owners[i], objectives[i], None, None, None, kinds[i], None, None, None,
                None, None, weights[i], self.labels[self.spans[i]], self.periods[i], names[i],
                money[i],
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
    """An exact number as JSON keeps it: an int or float as it is (a float's shortest repr
    reads back as the same float), a Fraction as [numerator, denominator]."""
    return [value.numerator, value.denominator] if isinstance(value, Fraction) else value


def _unnumber(value: Any) -> Any:
    return Fraction(*value) if type(value) is list else value


def _spec(spec: Any) -> Any:
    if spec is None:
        return None
    kind, total, decrease, people, cadence_days, schedule = spec
    if schedule is not None:
        schedule = [[a.toordinal(), b.toordinal(), _number(v)] for a, b, v in schedule]
    return [kind, _number(total), decrease, people, cadence_days, schedule]


def _unspec(spec: Any) -> Any:
    if spec is None:
        return None
    kind, total, decrease, people, cadence_days, schedule = spec
    if schedule is not None:
        schedule = tuple(
            (date.fromordinal(a), date.fromordinal(b), _unnumber(v)) for a, b, v in schedule
        )
    return (kind, _unnumber(total), decrease, people, cadence_days, schedule)
