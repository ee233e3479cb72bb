"""Raw CRM exports (one row per call, visit, deal) counted per person, metric and month.

A 10-million-row export is read in chunks of rows: each cell that names something (a person,
a day, a kind of row, an amount) is turned into a small integer once per distinct text, through
a dict, so the per-row work is a few C-level ``map`` calls and a NumPy count, not Python code
per row. A chunk with anything unusual in it (a short row, a blank person, a bad date or
amount) goes through :func:`_exact_rows`, the row-by-row reading that names each bad row; both
add to the same counts, so the result is the same either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from okrplan.errors import Issue
from okrplan.model import RoleGroup
from okrplan.progress.columnar import BLANK, csv_chunks
from okrplan.progress.config import ActualsSource, MetricColumn
from okrplan.progress.readers import Batch, Directory, day_of, parse_value
from okrplan.progress.store import Columns
from okrplan.quantity import QuantityError
from okrplan.tabular import Stream

CHUNK = 65_536
"""Rows read at a time."""
_MONTHS = 4096
"""Distinct months a key has room for (an export spans a few years at most)."""

_Where = tuple[int, int, int, int, int, int]  # person, date, metric, amount, unit, role (-1: none)
_Who = tuple[str, str, str]  # person, unit, role, trimmed


def read_crm(source: ActualsSource, base: Path, people: Directory) -> Batch:
    """Check-ins from a raw export described under ``actuals:`` (``source``; its file is
    relative to ``base``, the target file's folder): per person, metric and month, the count
    of rows (``metric``) and the sum of ``amount``. People are matched by name (and the unit
    and role columns where given); the unmatched are listed with their row counts."""
    from okrplan.tabular import stream_table

    path = base / source.file
    stream = stream_table(path)
    batch = Batch(str(path), issues=list(stream.warnings), locale=people.locale)
    where = _crm_columns(source, stream.columns, batch, stream.header_line)
    if where is None:
        return batch
    counts = _columnar(source, where, batch, stream)
    if counts is None:
        counts = _Counts(where, source, batch)
        for chunk in _chunks(stream.rows):
            batch.read += len(chunk)
            if not counts.add(chunk):
                counts.exact(chunk)
    others = counts.others()
    if others:
        shown = ", ".join(f"{k} ({n})" for k, n in sorted(others.items())[:8])
        column = source.metric.column if isinstance(source.metric, MetricColumn) else ""
        hint = batch.words("crm_not_counted_hint")
        batch.warn(batch.words("crm_not_counted", shown=shown), hint, column)
    _assign(counts, people, batch)
    return batch


def _columnar(source: ActualsSource, where: _Where, batch: Batch, stream: Stream) -> _Counts | None:
    """The rows counted from columns (see :mod:`.columnar`), or None if the file has anything
    the row-by-row reading must name (nothing is added to ``batch`` then)."""
    if not stream.encoding:  # a workbook
        return None
    columns = [c for c in where if c >= 0]
    chunks = csv_chunks(stream.file, stream.encoding, stream.delimiter, stream.columns, columns)
    if chunks is None:
        return None
    counts = _Counts(where, source, batch)
    read = 0
    try:
        for cells in chunks:
            read += len(cells.get(BLANK, cells[where[0]])[0])
            if len(cells[where[0]][0]) and not counts.add_columns(cells):
                return None
    except (ValueError, OSError):  # not CSV as pandas reads it: read row by row
        return None
    batch.read += read
    return counts


def _chunks(rows: Iterable[tuple[int, list[str]]]) -> Iterator[list[tuple[int, list[str]]]]:
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def _crm_columns(
    source: ActualsSource, columns: tuple[str, ...], batch: Batch, line: int
) -> _Where | None:
    index = {name: i for i, name in enumerate(columns)}
    wanted = [source.person, source.date]
    wanted.append(source.metric.column if isinstance(source.metric, MetricColumn) else "")
    wanted.append(source.amount.column if source.amount else "")
    wanted += [source.unit or "", source.role or ""]
    absent = [w for w in wanted if w and w.casefold() not in index]
    if absent:
        found = ", ".join(columns[:12])
        message = batch.words("crm_no_column", names=", ".join(map(repr, absent)))
        hint = batch.words("crm_no_column_hint", found=found)
        batch.problem(Issue(message, batch.source, line, hint=hint))
        return None
    place = [index[w.casefold()] if w else -1 for w in wanted]
    return (place[0], place[1], place[2], place[3], place[4], place[5])


class _Ids(dict[Any, int]):
    """Text → a small integer, given on first sight by ``make`` (-1: not usable)."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> int:
        value: int = self.make(key)
        self[key] = value
        return value


def _month(raw: str) -> str | None:
    """``2015-03`` of a cell giving a day (a time after it does not matter), or None."""
    try:
        day = day_of(raw)
    except ValueError:
        return None
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(slots=True)
class _Counts:
    """Rows counted per (who, metric, month) as integer keys, amounts summed exactly."""

    where: _Where
    source: ActualsSource
    batch: Batch
    whos: list[_Who] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    amounts: list[Fraction | int] = field(default_factory=lambda: [0])  # id 0: no amount
    keys: list[Any] = field(default_factory=list)  # arrays (or lists) of counted keys
    summed: dict[int, Fraction | int] = field(default_factory=dict)  # key → amount
    amount_parts: list[tuple[Any, Any]] = field(default_factory=list)  # keys, amount ids
    skipped: dict[str, int] = field(default_factory=dict)  # kind of row → rows not counted
    ids: dict[str, _Ids] = field(default_factory=dict)
    fixed: int = field(init=False, default=-1)  # the metric every row counts to, else -1
    amount_metric: int = field(init=False, default=-1)
    skipped_rows: dict[int, int] = field(init=False, default_factory=dict)
    _trimmed: dict[_Who, int] = field(init=False, default_factory=dict)
    _month_ids: dict[str, int] = field(init=False, default_factory=dict)
    _metric_ids: dict[str, int] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        source = self.source
        values = source.metric.values if isinstance(source.metric, MetricColumn) else {}
        trimmed: dict[_Who, int] = {}
        month_ids: dict[str, int] = {}
        metric_ids: dict[str, int] = {}

        def who(key: str | tuple[str, ...]) -> int:
            parts = (key, "", "") if isinstance(key, str) else (*key, "", "")[:3]
            person, unit, role = (p.strip() for p in parts)
            if not person:
                return -1
            return trimmed.setdefault((person, unit, role), len(trimmed))

        def month(raw: str) -> int:
            label = _month(raw)
            return -1 if label is None else month_ids.setdefault(label, len(month_ids))

        def metric(name: str) -> int:
            return metric_ids.setdefault(name, len(metric_ids))

        def kind(raw: str) -> int:  # a metric's id, or -1 - the id of a kind not counted
            name = values.get(raw) or values.get(raw.strip())
            if name is None:
                stripped = raw.strip()
                return -1 - self.skipped.setdefault(stripped, len(self.skipped))
            return metric(name)

        self.ids = {"who": _Ids(who), "month": _Ids(month), "kind": _Ids(kind)}
        self.ids["amount"] = _Ids(self._amount_id)
        for name in values.values():  # every metric known before the first key is made
            metric(name)
        self.fixed = metric(source.metric) if isinstance(source.metric, str) else -1
        self.amount_metric = metric(source.amount.metric) if source.amount else -1
        self._trimmed, self._month_ids, self._metric_ids = trimmed, month_ids, metric_ids

    def _amount_id(self, text: str) -> int:
        if not text or text.isspace():
            return 0
        try:
            value: Fraction | int = int(text)
        except ValueError:
            try:
                value = parse_value(text)
            except QuantityError:
                return -1
        self.amounts.append(value)
        return len(self.amounts) - 1

    def _key(self, who: Any, metric: Any, month: Any) -> Any:
        return (who * len(self._metric_ids) + metric) * _MONTHS + month

    def add(self, chunk: list[tuple[int, list[str]]]) -> bool:
        """Count a chunk the fast way; False (nothing counted) if it needs :meth:`exact`."""
        person_at, date_at, metric_at, amount_at, unit_at, role_at = self.where
        rows = list(map(itemgetter(1), chunk))
        if min(map(len, rows)) < 1 + max(self.where):
            return False
        count = len(rows)
        persons = map(itemgetter(person_at), rows)
        if unit_at >= 0 or role_at >= 0:
            units = map(itemgetter(unit_at), rows) if unit_at >= 0 else [""] * count
            roles = map(itemgetter(role_at), rows) if role_at >= 0 else [""] * count
            whos: Iterable[Any] = zip(persons, units, roles, strict=True)
        else:
            whos = persons
        who = np.fromiter(map(self.ids["who"].__getitem__, whos), np.int64, count)
        dates = map(itemgetter(date_at), rows)
        month = np.fromiter(map(self.ids["month"].__getitem__, dates), np.int64, count)
        amount = np.zeros(count, np.int64)
        if amount_at >= 0:
            cells = map(itemgetter(amount_at), rows)
            amount = np.fromiter(map(self.ids["amount"].__getitem__, cells), np.int64, count)
        metric = None
        if metric_at >= 0:
            kinds = map(itemgetter(metric_at), rows)
            metric = np.fromiter(map(self.ids["kind"].__getitem__, kinds), np.int64, count)
        return self.count(who, month, amount, metric)

    def add_columns(self, cells: dict[int, Any]) -> bool:
        """:meth:`add` of a chunk given as columns (column index → (codes, texts), see
        :func:`~.columnar.csv_chunks`): only each column's distinct texts are looked up."""
        import pandas as pd

        person_at, date_at, metric_at, amount_at, unit_at, role_at = self.where
        count = len(cells[person_at][0])
        if unit_at >= 0 or role_at >= 0:
            parts = [cells[c] if c >= 0 else None for c in (unit_at, role_at)]
            codes, names = cells[person_at]
            combined, tables = codes, [names]
            for part in parts:
                if part is None:
                    tables.append(np.array([""], object))
                    combined = combined * 1
                else:
                    combined = combined * len(part[1]) + part[0]
                    tables.append(part[1])
            keys, found = pd.factorize(combined)
            whos = []
            for key in found.tolist():
                key, role = divmod(key, len(tables[2]))
                person, unit = divmod(key, len(tables[1]))
                whos.append((tables[0][person], tables[1][unit], tables[2][role]))
            who = _looked_up(self.ids["who"], whos)[keys]
        else:
            who = _ids_of(self.ids["who"], cells[person_at])
        month = _ids_of(self.ids["month"], cells[date_at])
        amount = np.zeros(count, np.int64)
        if amount_at >= 0:
            amount = _ids_of(self.ids["amount"], cells[amount_at])
        metric = _ids_of(self.ids["kind"], cells[metric_at]) if metric_at >= 0 else None
        return self.count(who, month, amount, metric)

    def count(self, who: Any, month: Any, amount: Any, metric: Any) -> bool:
        """Count rows given as ids (``metric`` None: the source's one metric, if any)."""
        if who.min() < 0 or month.min() < 0 or amount.min() < 0 or len(self._month_ids) > _MONTHS:
            return False
        count = len(who)
        if metric is not None:
            if metric.min() < 0:
                skipped = -1 - metric[metric < 0]
                for index, rows_of in enumerate(np.bincount(skipped).tolist()):
                    if rows_of:
                        self.skipped_rows[index] = self.skipped_rows.get(index, 0) + rows_of
                who_counted, month_counted = who[metric >= 0], month[metric >= 0]
                metric = metric[metric >= 0]
            else:
                who_counted, month_counted = who, month
        elif self.fixed >= 0:
            who_counted, month_counted = who, month
            metric = np.full(count, self.fixed, np.int64)
        else:
            who_counted = month_counted = metric = np.zeros(0, np.int64)
        self.keys.append(self._key(who_counted, metric, month_counted))
        if self.where[3] >= 0:
            self._sum_amounts(who, month, amount)
        return True

    def _sum_amounts(self, who: Any, month: Any, amount: Any) -> None:
        rows = amount > 0  # a call has no amount
        self.amount_parts.append(
            (self._key(who[rows], self.amount_metric, month[rows]), amount[rows])
        )

    def exact(self, chunk: list[tuple[int, list[str]]]) -> None:
        """Count a chunk row by row, naming every bad row (see :func:`_exact_rows`)."""
        keys: list[int] = []
        _exact_rows(self, chunk, keys)
        self.keys.append(keys)

    def others(self) -> dict[str, int]:
        """Kinds of row not counted (no metric for them) → their rows."""
        names = list(self.skipped)
        return {names[i]: n for i, n in self.skipped_rows.items()}

    def totals(self) -> tuple[Any, Any]:
        """Every count and sum: the keys (a sorted NumPy array) and their values (a NumPy
        array where every amount is a whole number well inside int64, else a list)."""
        keys = [np.asarray(k, np.int64) for k in self.keys if len(k)]
        amount_keys = [k for k, _ in self.amount_parts]
        amount_ids = np.concatenate([np.zeros(0, np.int64), *(a for _, a in self.amount_parts)])
        whole = _whole(self.amounts, len(amount_ids) + sum(map(len, keys)), self.summed)
        if whole is not None:
            dense = self._dense(keys, amount_keys, whole[amount_ids])
            if dense is not None:
                return dense
        if whole is not None:  # added up in NumPy, exactly
            summed = np.fromiter(self.summed, np.int64, len(self.summed))
            every = np.concatenate([np.zeros(0, np.int64), *keys, *amount_keys, summed])
            values = np.concatenate([
                np.ones(sum(map(len, keys)), np.int64), whole[amount_ids],
                np.fromiter(self.summed.values(), np.int64, len(self.summed)),
            ])  # fmt: skip
            order = np.argsort(every, kind="stable")
            every, values = every[order], values[order]
            starts = np.flatnonzero(np.r_[True, every[1:] != every[:-1]]) if len(every) else order
            return every[starts], np.add.reduceat(values, starts) if len(every) else values
        everything: dict[int, Fraction | int] = {}
        if keys:
            found, counts = np.unique(np.concatenate(keys), return_counts=True)
            everything = dict(zip(found.tolist(), counts.tolist(), strict=True))
        for part_keys, ids in self.amount_parts:
            for key, index in zip(part_keys.tolist(), ids.tolist(), strict=True):
                everything[key] = everything.get(key, 0) + self.amounts[index]
        for key, value in self.summed.items():
            everything[key] = everything.get(key, 0) + value
        ordered = sorted(everything)
        return np.array(ordered, np.int64), list(map(everything.__getitem__, ordered))

    def _dense(
        self, keys: list[Any], amount_keys: list[Any], amounts: Any
    ) -> tuple[Any, Any] | None:
        """:meth:`totals` counted into one slot per (who, metric, month) there is room for
        (``np.bincount``: no sort of 10 million keys), or None if there are too many slots."""
        months = max(len(self._month_ids), 1)
        size = max(len(self._trimmed), 1) * len(self._metric_ids) * months
        if size > _SLOTS or _MONTHS != 1 << 12:
            return None

        def slots(part: Any) -> Any:  # a key is (who × metrics + metric) × 4096 + month
            return (part >> 12) * months + (part & 4095)

        none = np.zeros(0, np.int64)
        counted = slots(np.concatenate([none, *keys]))
        summed = np.fromiter(self.summed, np.int64, len(self.summed))
        added = slots(np.concatenate([none, *amount_keys, summed]))
        values = np.bincount(counted, minlength=size).astype(np.int64)
        hit = values > 0
        hit[added] = True  # an amount may add up to 0: its key is there all the same
        sums = np.fromiter(self.summed.values(), np.int64, len(self.summed))
        np.add.at(values, added, np.concatenate([none, amounts, sums]))
        found = np.flatnonzero(hit)
        return ((found // months) << 12) + found % months, values[found]

    def split(self, keys: Any) -> tuple[Any, Any, Any]:
        """Who, metric and month of each key."""
        who, rest = np.divmod(keys, len(self._metric_ids) * _MONTHS)
        metric, month = np.divmod(rest, _MONTHS)
        return who, metric, month


_LIMIT = 2**62
_SLOTS = 50_000_000
"""(who, metric, month) slots counted densely (400 MB of int64 at most)."""


def _whole(amounts: Sequence[Fraction | int], rows: int, summed: dict[int, Fraction | int]) -> Any:
    """The amounts as an int64 array if every amount (and sum so far) is a whole number and
    no total can reach int64's limit (each of ``rows`` at the largest); else None."""
    whole = [a for a in amounts if type(a) is int]
    sums = [v for v in summed.values() if type(v) is int]
    if len(whole) < len(amounts) or len(sums) < len(summed):
        return None
    if (max(map(abs, whole), default=0) + 1) * rows + sum(map(abs, sums)) >= _LIMIT:
        return None
    return np.array(amounts, np.int64)


def _looked_up(ids: _Ids, texts: Sequence[Any]) -> Any:
    return np.fromiter(map(ids.__getitem__, texts), np.int64, len(texts))


def _ids_of(ids: _Ids, column: tuple[Any, Any]) -> Any:
    """The id of each cell of a column (codes, texts), each distinct text looked up once, in
    the order the rows first have them (as the row-by-row reading gives ids)."""
    import pandas as pd

    codes, texts = column
    seen = pd.unique(codes)
    lookup = np.zeros(len(texts), np.int64)
    lookup[seen] = _looked_up(ids, texts[seen].tolist())
    return lookup[codes]


def _exact_rows(counts: _Counts, chunk: list[tuple[int, list[str]]], keys: list[int]) -> None:
    """The rows of ``chunk`` one by one: each bad one is named with its line and column."""
    person_at, date_at, metric_at, amount_at, unit_at, role_at = counts.where
    source, batch, ids = counts.source, counts.batch, counts.ids
    width = 1 + max(counts.where)
    for line, fields in chunk:
        if len(fields) < width:
            if any(f.strip() for f in fields):
                batch.problem(Issue(batch.words("ck_too_few_columns"), batch.source, line))
            continue
        unit = fields[unit_at] if unit_at >= 0 else ""
        role = fields[role_at] if role_at >= 0 else ""
        who = ids["who"][(fields[person_at], unit, role)]
        if who < 0:
            message = batch.words("ck_no_person")
            batch.problem(Issue(message, batch.source, line, path=source.person))
            continue
        raw = fields[date_at]
        month = ids["month"][raw]
        if month < 0:
            hint, message = batch.words("ck_date_hint"), batch.words("ck_not_a_date", text=raw)
            batch.problem(Issue(message, batch.source, line, path=source.date, hint=hint))
            continue
        metric = counts.fixed if metric_at < 0 else ids["kind"][fields[metric_at]]
        if metric_at >= 0 and metric < 0:
            skipped = -1 - metric
            counts.skipped_rows[skipped] = counts.skipped_rows.get(skipped, 0) + 1
        elif metric >= 0:
            keys.append(counts._key(who, metric, month))
        if amount_at >= 0:
            amount = ids["amount"][fields[amount_at]]
            if amount < 0:
                column = source.amount.column if source.amount else ""
                problem = batch.words("ck_amount_not_number", text=fields[amount_at])
                batch.problem(Issue(problem, batch.source, line, path=column))
                continue
            if amount:
                key = counts._key(who, counts.amount_metric, month)
                counts.summed[key] = counts.summed.get(key, 0) + counts.amounts[amount]


def _assign(counts: _Counts, people: Directory, batch: Batch) -> None:
    """The per-person totals as check-ins of each person's KR of the metric: the KR is found
    once per person and metric, not per month."""
    keys, values = counts.totals()
    who, metric, month = counts.split(keys)
    metrics, months, whos = list(counts._metric_ids), list(counts._month_ids), list(counts._trimmed)
    pairs, inverse = np.unique(who * len(metrics) + metric, return_inverse=True)
    totals_of = np.bincount(inverse, minlength=len(pairs)).tolist()  # monthly totals per pair
    kr_ids: list[str] = []
    kr_of_pair: list[int] = []
    no_kr: dict[tuple[str, str], int] = {}
    groups: dict[int, RoleGroup | None] = {}
    for pair, count in zip(pairs.tolist(), totals_of, strict=True):
        person, metric_id = divmod(pair, len(metrics))
        if person not in groups:
            groups[person] = people.person_group(*whos[person])
        group, name = groups[person], metrics[metric_id]
        kr_id = None if group is None else people.kr_of.get((group.id, name))
        if group is None:
            first = whos[person][0]
            batch.unmatched[first] = batch.unmatched.get(first, 0) + count
        elif kr_id is None:
            no_kr[(group.label, name)] = no_kr.get((group.label, name), 0) + count
        kr_of_pair.append(len(kr_ids) if kr_id is not None else -1)
        if kr_id is not None:
            kr_ids.append(kr_id)
    kr_at = np.asarray(kr_of_pair, np.int64)[inverse]
    batch.rows = _columns(kr_ids, kr_at, (who, month), (whos, months), values)
    batch.lines = [0] * len(batch.rows)
    for (label, name), count in sorted(no_kr.items()):
        batch.warn(batch.words("crm_no_kr", label=label, name=name, count=count))


def _columns(
    kr_ids: list[str],
    kr_at: Any,
    where: tuple[Any, Any],
    names: tuple[list[_Who], list[str]],
    values: Any,
) -> Columns:
    """The totals of the keys with a KR (``kr_at`` ≥ 0) as check-in columns, in key order:
    each (KR, person) and month named once, each row by number (NumPy picks them)."""
    chosen = np.flatnonzero(kr_at >= 0)
    who, month = where[0][chosen], where[1][chosen]
    pair_at = kr_at[chosen]
    # the seat of each (who, KR) pair: two ways of writing one person (units written
    # differently) are one seat
    seats: dict[tuple[str, str], int] = {}
    key = pair_at * len(names[0]) + who
    pairs = np.unique(key)
    seat_of = [
        seats.setdefault((kr_ids[pair // len(names[0])], names[0][pair % len(names[0])][0]),
                         len(seats))
        for pair in pairs.tolist()
    ]  # fmt: skip
    seat = np.asarray(seat_of, np.int64)[np.searchsorted(pairs, key)]
    if isinstance(values, np.ndarray):
        nums, dens = values[chosen].tolist(), [1] * len(chosen)
    else:
        exact = [Fraction(values[i]) for i in chosen.tolist()]
        nums, dens = [f.numerator for f in exact], [f.denominator for f in exact]
    # where each person is written one way, every key is one (kr, person, month)
    distinct = len(chosen)
    if len(seats) < len(pairs):
        distinct = len(np.unique(seat * max(len(names[1]), 1) + month))
    return Columns(list(seats), names[1], seat.tolist(), month.tolist(), nums, dens, distinct)
