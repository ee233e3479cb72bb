"""The progress store: every check-in ever imported into a plan, in ``progress.sqlite`` beside
plan.json.

The store is append-only. Each import (``record``) is one row of ``imports`` (its source, a hash
of its content, when) and its check-ins; nothing is updated or deleted. What counts is derived:

- of each source only its **latest import** counts, so a corrected file for a source replaces
  all that source's values (a value the corrected file no longer has is gone with it);
- of the counting imports, the **latest value** per (KR, person, period) counts;
- an import whose content equals the source's latest import is not recorded at all, so
  importing the same file twice changes nothing.

One import is one SQLite transaction (WAL journal): a reader sees all of it or none of it and an
interrupted import leaves the store as it was. The schema has a version (``PRAGMA
user_version``); :mod:`okrplan.progress.storefile` lifts an older store to the current one when
it is opened. Values are exact: a fraction stored as integer numerator and denominator.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any, overload

from okrplan.errors import InputError, Issue
from okrplan.progress import calendar
from okrplan.progress.storefile import connect, plan_locale
from okrplan.wording import words

STORE_FILE = "progress.sqlite"
_INT64 = 2**63 - 1


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One reported value of a KR for one period.

    ``value`` is the value FOR that period (not cumulative), in the KR's own unit (yuan for
    money, a count for counts). ``person`` "" is the KR's owner as a whole, else a person's
    name (a role group's KR is per person). ``confidence`` is 0..10.
    """

    kr: str
    period: str
    value: Fraction
    person: str = ""
    confidence: int | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Columns(Sequence[CheckIn]):
    """Check-ins held as columns of small integers (a CRM export's 2 million monthly totals:
    no object per check-in until one is asked for): row ``i`` is the KR and person
    ``seats[seat[i]]``, the period ``labels[period[i]]`` and the value ``num[i]/den[i]``;
    ``confidence`` and ``comment`` are per row, or None for none at all. ``distinct`` is how
    many (kr, person, period) keys there are, where known."""

    seats: Sequence[tuple[str, str]]
    labels: Sequence[str]
    seat: list[int]
    period: list[int]
    num: list[int]
    den: list[int]
    distinct: int | None = None
    confidence: list[int | None] | None = None
    comment: list[str] | None = None

    @classmethod
    def of(cls, rows: Sequence[CheckIn]) -> Columns:
        """Check-in records as columns (each KR and person, and each period, listed once)."""
        seats: dict[tuple[str, str], int] = {}
        labels: dict[str, int] = {}
        seat = [seats.setdefault((row.kr, row.person), len(seats)) for row in rows]
        period = [labels.setdefault(row.period, len(labels)) for row in rows]
        values = [row.value if isinstance(row.value, Fraction) else Fraction(row.value)
                  for row in rows]  # fmt: skip
        return cls(
            list(seats), list(labels), seat, period,
            [v.numerator for v in values], [v.denominator for v in values],
            confidence=[row.confidence for row in rows], comment=[row.comment for row in rows],
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.seat)

    @overload
    def __getitem__(self, index: int) -> CheckIn: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[CheckIn]: ...

    def __getitem__(self, index: int | slice) -> CheckIn | Sequence[CheckIn]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        kr, person = self.seats[self.seat[index]]
        value = Fraction(self.num[index], self.den[index])
        confidence = None if self.confidence is None else self.confidence[index]
        comment = "" if self.comment is None else self.comment[index]
        return CheckIn(kr, self.labels[self.period[index]], value, person, confidence, comment)


@dataclass(frozen=True, slots=True)
class Import:
    """One recorded import: its number, source, content hash, time (UTC, ISO) and rows."""

    id: int
    source: str
    hash: str
    imported_at: str
    rows: int


def store_path(plan_dir: str | Path) -> Path:
    """The store file of a plan directory (or of the directory holding a plan.json)."""
    folder = Path(plan_dir)
    if folder.suffix == ".json" and not folder.is_dir():
        folder = folder.parent
    return folder / STORE_FILE


def _content_hash(rows: Sequence[CheckIn]) -> str:
    digest = hashlib.sha256()
    if isinstance(rows, Columns):
        _column_digest(rows, digest)
    else:
        for part in _hashed(rows):
            digest.update(part.encode())
    return digest.hexdigest()


def _column_digest(rows: Columns, digest: Any) -> None:
    """Columns hashed as they are held: the seats' and labels' texts, then each column's
    numbers as 8-byte integers (a value beyond int64 as text), confidence and comment as text."""
    import numpy as np

    digest.update(b"columns\x1e")
    for kr, person in rows.seats:
        digest.update(f"{kr}\x1f{person}\x1e".encode())
    digest.update("\x1f".join(rows.labels).encode() + b"\x1e")
    for column in (rows.seat, rows.period, rows.num, rows.den):
        try:
            digest.update(np.asarray(column, np.int64).tobytes())
        except OverflowError:
            digest.update(",".join(map(str, column)).encode())
        digest.update(b"\x1e")
    for extra in (rows.confidence, rows.comment):
        digest.update(b"-" if extra is None else "\x1f".join(map(str, extra)).encode())


def _hashed(rows: Sequence[CheckIn]) -> Iterator[str]:
    """Each row as the text hashed: its fields joined by \\x1f, ended by \\x1e, in blocks
    (one ``update`` per block, not per row: 2 million rows are hashed in a moment). A value
    reads as ``str(Fraction)`` does: 5, or 1/2."""
    block: list[str] = []
    for row in rows:
        value = row.value
        den = value.denominator
        text = str(value.numerator) if den == 1 else f"{value.numerator}/{den}"
        block.append(
            f"{row.kr}\x1f{row.person}\x1f{row.period}\x1f{text}\x1f{row.confidence}\x1f"
            f"{row.comment}\x1e"
        )
        if len(block) == 65_536:
            yield "".join(block)
            block.clear()
    yield "".join(block)


_CURRENT = "SELECT MAX(id) AS id FROM imports GROUP BY source"


def latest(plan_dir: str | Path, *, as_of: date | None = None) -> list[CheckIn]:
    """The latest value per (kr, person, period), of periods that start on or before ``as_of``
    (all if None), sorted by KR, person and period; [] when the plan has no store yet."""
    return _checkins(plan_dir, as_of, None)


def besides(plan_dir: str | Path, source: str) -> list[CheckIn]:
    """:func:`latest` as if ``source`` had never been imported (what a year-to-date file
    from ``source`` continues)."""
    return _checkins(plan_dir, None, source)


def _checkins(plan_dir: str | Path, as_of: date | None, source: str | None) -> list[CheckIn]:
    path = store_path(plan_dir)
    if not path.is_file():
        return []
    with connect(path) as db:
        best = _latest_rows(db, as_of, besides=source)
        seats = dict(_seats_by_id(db))
        labels = dict(db.execute("SELECT id, period FROM periods"))
    out = []
    for (seat, period), (_, num, den, confidence, comment) in best.items():
        kr, person = seats[seat]
        out.append(CheckIn(kr, labels[period], Fraction(num, den), person, confidence, comment))
    out.sort(key=lambda c: (c.kr, c.person, c.period))
    return out


_SEATS = """SELECT s.id, k.kr, w.person FROM seats s
    JOIN krs k ON k.id = s.kr JOIN people w ON w.id = s.person"""


def _seats_by_id(db: sqlite3.Connection) -> Iterator[tuple[int, tuple[str, str]]]:
    for seat, kr, person in db.execute(_SEATS):
        yield seat, (kr, person)


_Row = tuple[int, int, int, int | None, str]  # rowid, num, den, confidence, comment
_CURRENT = "SELECT MAX(id) FROM imports GROUP BY source"
_LIVE = """SELECT c.seat, c.period, c.rowid, c.num, c.den, c.confidence, c.comment
    FROM imports i JOIN checkins c ON c.rowid BETWEEN i.first_row AND i.last_row
    JOIN periods p ON p.id = c.period WHERE i.id IN ({current}) AND p.start <= ?"""


def _latest_rows(
    db: sqlite3.Connection, as_of: date | None, *, besides: str | None = None
) -> dict[tuple[int, int], _Row]:
    """(seat, period) → the row that counts, of the current import of each source (but
    ``besides``) and periods starting on or before ``as_of``."""
    current = _CURRENT
    params: tuple[str, ...] = ()
    if besides is not None:
        current = "SELECT MAX(id) FROM imports WHERE source != ? GROUP BY source"
        params = (besides,)
    day = "9999-12-31" if as_of is None else as_of.isoformat()
    best: dict[tuple[int, int], _Row] = {}
    for seat, period, rowid, num, den, confidence, comment in db.execute(
        _LIVE.format(current=current), (*params, day)
    ):
        key = (seat, period)
        held = best.get(key)
        if held is None or rowid > held[0]:
            best[key] = (rowid, num, den, confidence, comment)
    return best


def setting(plan_dir: str | Path, key: str) -> str | None:
    """A value the store remembers (``target``: the target file whose ``actuals:`` to read)."""
    path = store_path(plan_dir)
    if not path.is_file():
        return None
    with connect(path) as db:
        row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def remember(plan_dir: str | Path, key: str, value: str) -> None:
    """Keep ``value`` under ``key`` (see :func:`setting`)."""
    path = store_path(plan_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path) as db:
        db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))


@dataclass(frozen=True, slots=True)
class Tally:
    """The latest check-ins of one KR and person added up: their sum, how many periods, and
    the last day they cover."""

    kr: str
    person: str
    total: Fraction
    count: int
    last: date


_TALLIES = """
WITH live AS (
    SELECT c.seat, c.num, c.den, p.end_day, ROW_NUMBER() OVER (
        PARTITION BY c.seat, c.period ORDER BY c.rowid DESC) AS rn
    FROM imports i JOIN checkins c ON c.rowid BETWEEN i.first_row AND i.last_row
    JOIN periods p ON p.id = c.period
    WHERE i.id IN (SELECT MAX(id) FROM imports GROUP BY source) AND p.start <= ?),
sums AS (
    SELECT seat, SUM(CASE WHEN den = 1 THEN num ELSE 0 END) AS whole, COUNT(*) AS n,
        MAX(end_day) AS last, GROUP_CONCAT(CASE WHEN den != 1 THEN num || '/' || den END, ' ')
        AS parts
    FROM live WHERE rn = 1 GROUP BY seat)
SELECT k.kr, w.person, sums.whole, sums.n, sums.last, sums.parts
FROM sums JOIN seats s ON s.id = sums.seat
    JOIN krs k ON k.id = s.kr JOIN people w ON w.id = s.person
ORDER BY k.kr, w.person
"""


def tallies(plan_dir: str | Path, as_of: date) -> list[Tally]:
    """:func:`latest` as of ``as_of`` added up per KR and person, in SQLite: what progress
    needs, without a Python object per check-in (a 100,000-person plan has millions)."""
    path = store_path(plan_dir)
    if not path.is_file():
        return []
    out = []
    with connect(path) as db:
        for kr, person, whole, count, last, parts in db.execute(_TALLIES, (as_of.isoformat(),)):
            total = Fraction(whole)
            for part in (parts or "").split():
                total += Fraction(part)
            out.append(Tally(kr, person, total, count, date.fromisoformat(last)))
    return out


def imports(plan_dir: str | Path) -> list[Import]:
    """Every import recorded, oldest first (the store's history)."""
    path = store_path(plan_dir)
    if not path.is_file():
        return []
    with connect(path) as db:
        rows = db.execute("SELECT id, source, hash, imported_at, rows FROM imports ORDER BY id")
        return [Import(*row) for row in rows]


def record(
    plan_dir: str | Path,
    rows: Sequence[CheckIn],
    *,
    source: str,
    lines: Sequence[int] | None = None,
) -> int:
    """Append ``rows`` as one import from ``source``.

    Parameters
    ----------
    plan_dir
        The plan directory (the store is created there if it has none).
    rows
        The check-ins; of rows with the same (kr, person, period) the last one counts.
    source
        What the rows came from (a file path); a later import from the same source replaces
        all of this one's values.
    lines
        The source row of each check-in, kept for the history (default: 1, 2, …).

    Returns
    -------
    int
        How many (kr, person, period) values changed (0 for the same content again).
    """
    columns = rows if isinstance(rows, Columns) else Columns.of(rows)
    path = store_path(plan_dir)
    spans = _checked(columns, path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = _content_hash(rows)
    with connect(path) as db:
        previous = db.execute(
            "SELECT id, hash FROM imports WHERE source = ? ORDER BY id DESC LIMIT 1", (source,)
        ).fetchone()
        if previous is not None and previous[1] == content:
            return 0
        db.execute("BEGIN IMMEDIATE")
        try:
            changed = _insert(db, columns, spans, lines, (source, content))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return changed


_Spans = dict[str, tuple[str, str, str]]  # label → (period, first day, last day)


def _checked(rows: Columns, folder: Path) -> _Spans:
    """Each label's period and days; raises if a value is too large for the store or a
    confidence is not 0..10 (InputError) or a label is no period (ValueError)."""
    num, den = rows.num, rows.den
    if num and (max(num) > _INT64 or -min(num) > _INT64 or max(den) > _INT64):
        at = next(i for i, (n, d) in enumerate(zip(num, den, strict=True))
                  if abs(n) > _INT64 or d > _INT64)  # fmt: skip
        row, locale = rows[at], plan_locale(folder)
        message = words(locale, "store_too_large", value=row.value, kr=row.kr, period=row.period)
        raise InputError([Issue(message, locale=locale)])
    for at, confidence in enumerate(rows.confidence or ()):
        if confidence is not None and not 0 <= confidence <= 10:
            kr, locale = rows[at].kr, plan_locale(folder)
            message = words(locale, "store_confidence", confidence=confidence, kr=kr)
            raise InputError([Issue(message, locale=locale)])
    spans: _Spans = {}
    for label in rows.labels:
        period = calendar.normal_period(label)
        first, last = calendar.span(period)
        spans[label] = (period, first.isoformat(), last.isoformat())
    return spans


def _insert(
    db: sqlite3.Connection,
    rows: Columns,
    spans: _Spans,
    lines: Sequence[int] | None,
    source: tuple[str, str],
) -> int:
    """Add one import (``source``: its source and content hash) inside the open
    transaction; how many values it changed."""
    # the first import into an empty store changes every key it has: no need to read
    # millions of rows back (a 10-million-row CRM export gives 2 million check-ins)
    empty = db.execute("SELECT 1 FROM checkins LIMIT 1").fetchone() is None
    before = {} if empty else _latest_rows(db, None)
    seat_ids, period_ids = _seat_ids(db, rows.seats), _period_ids(db, rows.labels, spans)
    seat = list(map(seat_ids.__getitem__, rows.seat))
    period = list(map(period_ids.__getitem__, rows.period))
    count = len(seat)
    first = (db.execute("SELECT MAX(rowid) FROM checkins").fetchone()[0] or 0) + 1
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    import_id = db.execute(
        "INSERT INTO imports (source, hash, imported_at, rows, first_row, last_row) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (*source, stamp, count, first, first + count - 1),
    ).lastrowid
    assert isinstance(import_id, int)
    line: Sequence[int] = lines if lines else range(1, count + 1)
    _append(db, import_id, {"seat": seat, "line": line, "period": period, "num": rows.num,
                            "den": rows.den, "confidence": rows.confidence,
                            "comment": rows.comment})  # fmt: skip
    last = db.execute("SELECT MAX(rowid) FROM checkins").fetchone()[0] or 0
    if last != first + count - 1:  # rows are only appended, so rowids run on
        raise RuntimeError(f"the progress store's rows did not run on ({first}..{last})")
    if not empty:
        return _changed(before, _latest_rows(db, None))
    if rows.distinct is not None:
        return rows.distinct
    return len(set(zip(seat, period, strict=True)))


def _append(
    db: sqlite3.Connection, import_id: int, columns: dict[str, Sequence[object] | None]
) -> None:
    """INSERT the check-in rows given as columns (None: NULL, or "" for the comment). A
    column with one value throughout is written into the statement, not bound per row: each
    bound value costs as much as a row's own work (2 million rows, a second a column)."""
    slots: list[str] = []
    bound: list[Sequence[object]] = []
    for name, values in columns.items():
        if values is None:
            slots.append("NULL" if name == "confidence" else "''")
        elif name != "seat" and _constant(values):
            slots.append(_literal(values[0]) if values else "NULL")
        else:
            slots.append("?")
            bound.append(values)
    names = ", ".join(columns)
    db.executemany(
        f"INSERT INTO checkins (import_id, {names}) VALUES ({import_id}, {', '.join(slots)})",
        zip(*bound, strict=True),
    )


def _constant(values: Sequence[object]) -> bool:
    if not values:
        return True
    head = values[0]
    return type(head) in (int, str, type(None)) and values.count(head) == len(values)


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value))  # type: ignore[call-overload]


def _seat_ids(db: sqlite3.Connection, seats: Sequence[tuple[str, str]]) -> list[int]:
    """The store's id of each (kr, person), new ones added (and their KR and person)."""
    krs = _ids(db, "krs", "kr", dict.fromkeys(kr for kr, _ in seats))
    people = _ids(db, "people", "person", dict.fromkeys(person for _, person in seats))
    pairs = [(krs[kr], people[person]) for kr, person in seats]
    known = {(kr, person): seat for seat, kr, person in db.execute("SELECT * FROM seats")}
    new = [pair for pair in dict.fromkeys(pairs) if pair not in known]
    top = max(known.values(), default=0)
    added = {pair: top + 1 + i for i, pair in enumerate(new)}
    db.executemany(
        "INSERT INTO seats (id, kr, person) VALUES (?, ?, ?)",
        ((seat, kr, person) for (kr, person), seat in added.items()),
    )
    known.update(added)
    return [known[pair] for pair in pairs]


def _ids(db: sqlite3.Connection, table: str, column: str, texts: Iterable[str]) -> dict[str, int]:
    """Text → id in ``table`` (krs or people), new texts added."""
    known: dict[str, int] = {text: i for i, text in db.execute(f"SELECT id, {column} FROM {table}")}
    new = [text for text in texts if text not in known]
    top = max(known.values(), default=0)
    db.executemany(
        f"INSERT INTO {table} (id, {column}) VALUES (?, ?)",
        ((top + 1 + i, text) for i, text in enumerate(new)),
    )
    known.update((text, top + 1 + i) for i, text in enumerate(new))
    return known


def _period_ids(db: sqlite3.Connection, labels: Sequence[str], spans: _Spans) -> list[int]:
    """The store's id of each period label's period, new ones added."""
    known: dict[str, int] = dict(db.execute("SELECT period, id FROM periods"))
    out = []
    for label in labels:
        period, first, last = spans[label]
        if period not in known:
            cursor = db.execute(
                "INSERT INTO periods (period, start, end_day) VALUES (?, ?, ?)",
                (period, first, last),
            )
            assert cursor.lastrowid is not None
            known[period] = cursor.lastrowid
        out.append(known[period])
    return out


def _changed(before: dict[tuple[int, int], _Row], after: dict[tuple[int, int], _Row]) -> int:
    def value(row: _Row | None) -> tuple[int, int, int | None, str] | None:
        return None if row is None else row[1:]

    return sum(
        1 for key in before.keys() | after.keys() if value(before.get(key)) != value(after.get(key))
    )
