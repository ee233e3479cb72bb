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
user_version``); :data:`MIGRATIONS` lifts an older store to the current one when it is opened.
Values are exact: a fraction stored as integer numerator and denominator.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import overload

from okrplan.errors import InputError, Issue
from okrplan.progress import calendar

STORE_FILE = "progress.sqlite"
SCHEMA_VERSION = 1
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
    """Check-ins held as columns (a CRM export's 2 million monthly totals: no object per
    check-in until one is asked for), each value ``num``/``den``, no confidence nor comment.
    ``distinct`` is how many (kr, person, period) keys there are, where known."""

    kr: list[str]
    person: list[str]
    period: list[str]
    num: list[int]
    den: list[int]
    distinct: int | None = None

    def __len__(self) -> int:
        return len(self.kr)

    @overload
    def __getitem__(self, index: int) -> CheckIn: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[CheckIn]: ...

    def __getitem__(self, index: int | slice) -> CheckIn | Sequence[CheckIn]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        value = Fraction(self.num[index], self.den[index])
        return CheckIn(self.kr[index], self.period[index], value, self.person[index])


@dataclass(frozen=True, slots=True)
class Import:
    """One recorded import: its number, source, content hash, time (UTC, ISO) and rows."""

    id: int
    source: str
    hash: str
    imported_at: str
    rows: int


_SCHEMA_1 = (
    """CREATE TABLE imports (
        id INTEGER PRIMARY KEY, source TEXT NOT NULL, hash TEXT NOT NULL,
        imported_at TEXT NOT NULL, rows INTEGER NOT NULL)""",
    """CREATE TABLE checkins (
        import_id INTEGER NOT NULL REFERENCES imports(id), line INTEGER NOT NULL,
        kr TEXT NOT NULL, person TEXT NOT NULL, period TEXT NOT NULL, start TEXT NOT NULL,
        end_day TEXT NOT NULL,
        num INTEGER NOT NULL, den INTEGER NOT NULL, confidence INTEGER, comment TEXT NOT NULL)""",
    "CREATE INDEX checkins_import ON checkins(import_id)",
    "CREATE INDEX imports_source ON imports(source, id)",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def _create(db: sqlite3.Connection) -> None:
    for statement in _SCHEMA_1:
        db.execute(statement)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    # version N → N + 1, run inside one transaction; version 0 is a new, empty file
    0: _create,
}


def store_path(plan_dir: str | Path) -> Path:
    """The store file of a plan directory (or of the directory holding a plan.json)."""
    folder = Path(plan_dir)
    if folder.suffix == ".json" and not folder.is_dir():
        folder = folder.parent
    return folder / STORE_FILE


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        db = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise InputError([Issue(f"cannot open the progress store: {error}", str(path))]) from None
    with closing(db):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            _migrate(db, path)
        except sqlite3.DatabaseError as error:
            hint = "move it aside; okrplan checkin starts a new store"
            problem = Issue(f"not a readable progress store ({error})", str(path), hint=hint)
            raise InputError([problem]) from None
        yield db


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        message = (
            f"the progress store has schema version {version}; this okrplan reads {SCHEMA_VERSION}"
        )
        raise InputError([Issue(message, str(path), hint="upgrade okrplan")])
    while version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](db)
            version += 1
            db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _content_hash(rows: Sequence[CheckIn]) -> str:
    digest = hashlib.sha256()
    parts = _column_hashed(rows) if isinstance(rows, Columns) else _hashed(rows)
    for part in parts:
        digest.update(part.encode())
    return digest.hexdigest()


_BLOCK = 65_536


def _column_hashed(rows: Columns) -> Iterator[str]:
    """:func:`_hashed`'s text of columns, made a block at a time by ``str.format``."""
    row = "{}\x1f{}\x1f{}\x1f{}\x1fNone\x1f\x1e".format
    for at in range(0, max(len(rows), 1), _BLOCK):
        end = at + _BLOCK
        num, den = rows.num[at:end], rows.den[at:end]
        values = (
            map(str, num)
            if den.count(1) == len(den)
            else (str(n) if d == 1 else f"{n}/{d}" for n, d in zip(num, den, strict=True))
        )
        yield "".join(map(row, rows.kr[at:end], rows.person[at:end], rows.period[at:end], values))


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
    with _connect(path) as db:
        best = _latest_rows(db, as_of, besides=source)
    out = [
        CheckIn(kr, period, Fraction(num, den), person, confidence, comment)
        for (kr, person, period), (_, num, den, confidence, comment) in best.items()
    ]
    out.sort(key=lambda c: (c.kr, c.person, c.period))
    return out


_Row = tuple[int, int, int, int | None, str]


def _latest_rows(
    db: sqlite3.Connection, as_of: date | None, *, besides: str | None = None
) -> dict[tuple[str, str, str], _Row]:
    current = _CURRENT
    params: tuple[str, ...] = ()
    if besides is not None:
        current = "SELECT MAX(id) AS id FROM imports WHERE source != ? GROUP BY source"
        params = (besides,)
    query = (
        "SELECT c.kr, c.person, c.period, c.import_id, c.num, c.den, c.confidence, c.comment "
        f"FROM checkins c JOIN ({current}) cur ON c.import_id = cur.id"
    )
    if as_of is not None:
        query += " WHERE c.start <= ?"
        params = (*params, as_of.isoformat())
    best: dict[tuple[str, str, str], _Row] = {}
    for kr, person, period, import_id, num, den, confidence, comment in db.execute(query, params):
        key = (kr, person, period)
        held = best.get(key)
        if held is None or import_id >= held[0]:
            best[key] = (import_id, num, den, confidence, comment)
    return best


def setting(plan_dir: str | Path, key: str) -> str | None:
    """A value the store remembers (``target``: the target file whose ``actuals:`` to read)."""
    path = store_path(plan_dir)
    if not path.is_file():
        return None
    with _connect(path) as db:
        row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def remember(plan_dir: str | Path, key: str, value: str) -> None:
    """Keep ``value`` under ``key`` (see :func:`setting`)."""
    path = store_path(plan_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _connect(path) as db:
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
WITH cur AS (SELECT MAX(id) AS id FROM imports GROUP BY source),
live AS (
    SELECT c.kr, c.person, c.num, c.den, c.end_day, ROW_NUMBER() OVER (
        PARTITION BY c.kr, c.person, c.period ORDER BY c.import_id DESC, c.rowid DESC) AS rn
    FROM checkins c JOIN cur ON c.import_id = cur.id WHERE c.start <= ?)
SELECT kr, person, SUM(CASE WHEN den = 1 THEN num ELSE 0 END), COUNT(*), MAX(end_day),
    GROUP_CONCAT(CASE WHEN den != 1 THEN num || '/' || den END, ' ')
FROM live WHERE rn = 1 GROUP BY kr, person ORDER BY kr, person
"""


def tallies(plan_dir: str | Path, as_of: date) -> list[Tally]:
    """:func:`latest` as of ``as_of`` added up per KR and person, in SQLite: what progress
    needs, without a Python object per check-in (a 100,000-person plan has millions)."""
    path = store_path(plan_dir)
    if not path.is_file():
        return []
    out = []
    with _connect(path) as db:
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
    with _connect(path) as db:
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
    if isinstance(rows, Columns):
        table, count, distinct = _column_rows(rows, lines)
    else:
        prepared = _prepared_rows(rows, lines)
        table, count = prepared, len(prepared)
        distinct = lambda: len({(row[1], row[2], row[3]) for row in prepared})  # noqa: E731
    path = store_path(plan_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = _content_hash(rows)
    with _connect(path) as db:
        previous = db.execute(
            "SELECT id, hash FROM imports WHERE source = ? ORDER BY id DESC LIMIT 1", (source,)
        ).fetchone()
        if previous is not None and previous[1] == content:
            return 0
        db.execute("BEGIN IMMEDIATE")
        try:
            changed = _insert(db, table, (count, distinct), source, content)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return changed


def _insert(
    db: sqlite3.Connection,
    table: Iterable[tuple[object, ...]],
    size: tuple[int, Callable[[], int]],
    source: str,
    content: str,
) -> int:
    """Add one import inside the open transaction; how many values it changed. ``size``:
    the rows of ``table`` and how to count their distinct (kr, person, period)."""
    # the first import into an empty store changes every key it has: no need to read
    # millions of rows back (a 10-million-row CRM export gives 2 million check-ins)
    empty = db.execute("SELECT 1 FROM checkins LIMIT 1").fetchone() is None
    before = {} if empty else _latest_rows(db, None)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    cursor = db.execute(
        "INSERT INTO imports (source, hash, imported_at, rows) VALUES (?, ?, ?, ?)",
        (source, content, stamp, size[0]),
    )
    import_id = cursor.lastrowid
    db.executemany(
        "INSERT INTO checkins (import_id, line, kr, person, period, start, end_day, num, "
        "den, confidence, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((import_id, *row) for row in table),
    )
    if empty:
        return size[1]()
    return _changed(before, _latest_rows(db, None))


def _changed(
    before: dict[tuple[str, str, str], _Row], after: dict[tuple[str, str, str], _Row]
) -> int:
    def value(row: _Row | None) -> tuple[int, int, int | None, str] | None:
        return None if row is None else row[1:]

    return sum(
        1 for key in before.keys() | after.keys() if value(before.get(key)) != value(after.get(key))
    )


def _column_rows(
    rows: Columns, lines: Sequence[int] | None
) -> tuple[Iterable[tuple[object, ...]], int, Callable[[], int]]:
    """:func:`_prepared_rows` of columns: checked a column at a time, each distinct period
    worked out once, the rows zipped as the table holds them."""
    count = len(rows)
    if count and (max(rows.num) > _INT64 or -min(rows.num) > _INT64 or max(rows.den) > _INT64):
        at = next(i for i, (n, d) in enumerate(zip(rows.num, rows.den, strict=True))
                  if abs(n) > _INT64 or d > _INT64)  # fmt: skip
        row = rows[at]
        raise InputError([Issue(f"the value {row.value} of {row.kr} in {row.period} is too large")])
    periods: dict[str, tuple[str, str, str]] = {}
    for label in set(rows.period):
        period = calendar.normal_period(label)
        first, last = calendar.span(period)
        periods[label] = (period, first.isoformat(), last.isoformat())
    days = [periods[label] for label in rows.period]
    table = zip(
        lines if lines else range(1, count + 1), rows.kr, rows.person,
        *(list(map(itemgetter(i), days)) for i in range(3)),
        rows.num, rows.den, repeat(None), repeat(""), strict=False,
    )  # fmt: skip

    def distinct() -> int:
        if rows.distinct is not None:
            return rows.distinct
        return len(set(zip(rows.kr, rows.person, map(itemgetter(0), days), strict=True)))

    return table, count, distinct


def _prepared_rows(
    rows: Sequence[CheckIn], lines: Sequence[int] | None
) -> list[tuple[object, ...]]:
    """The rows as the table holds them (line, kr, person, period, start, end, num, den,
    confidence, comment), each checked; a period's label and days are worked out once."""
    periods: dict[str, tuple[str, str, str]] = {}
    table: list[tuple[object, ...]] = []
    for index, row in enumerate(rows):
        value = row.value if isinstance(row.value, Fraction) else Fraction(row.value)
        num, den = value.numerator, value.denominator
        if abs(num) > _INT64 or den > _INT64:
            raise InputError([Issue(f"the value {value} of {row.kr} in {row.period} is too large")])
        confidence = row.confidence
        if confidence is not None and not 0 <= confidence <= 10:
            raise InputError([Issue(f"confidence {confidence} of {row.kr} is not 0..10")])
        days = periods.get(row.period)
        if days is None:
            period = calendar.normal_period(row.period)
            first, last = calendar.span(period)
            days = periods[row.period] = (period, first.isoformat(), last.isoformat())
        line = lines[index] if lines else index + 1
        table.append((line, row.kr, row.person, *days, num, den, confidence, row.comment))
    return table
