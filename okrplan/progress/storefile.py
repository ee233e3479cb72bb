"""The progress store's SQLite file: its schema by version, the migrations that lift an older
store to the current one, and opening it (:func:`connect`).

The schema has a version (``PRAGMA user_version``); :data:`MIGRATIONS` runs version N → N + 1
inside one transaction when a store is opened. What the store holds and how it is read and
appended to is :mod:`okrplan.progress.store`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

from okrplan.errors import InputError, Issue
from okrplan.wording import words

SCHEMA_VERSION = 2
"""The schema version this okrplan reads and writes."""

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

# Version 2: each KR, person, KR and person (a seat) and period is written once, and a check-in
# names its seat and period by number; an import's check-ins are the rowids first_row..last_row
# of checkins (rows are only ever appended), so no index on import_id is kept up to date row by
# row. A 2-million-row CRM import writes a fifth of version 1's bytes in half its time.
_SCHEMA_2 = (
    "CREATE TABLE krs (id INTEGER PRIMARY KEY, kr TEXT NOT NULL UNIQUE)",
    "CREATE TABLE people (id INTEGER PRIMARY KEY, person TEXT NOT NULL UNIQUE)",
    """CREATE TABLE seats (
        id INTEGER PRIMARY KEY, kr INTEGER NOT NULL REFERENCES krs(id),
        person INTEGER NOT NULL REFERENCES people(id), UNIQUE (kr, person))""",
    """CREATE TABLE periods (
        id INTEGER PRIMARY KEY, period TEXT NOT NULL UNIQUE, start TEXT NOT NULL,
        end_day TEXT NOT NULL)""",
    """CREATE TABLE checkins_2 (
        import_id INTEGER NOT NULL REFERENCES imports(id), line INTEGER NOT NULL,
        seat INTEGER NOT NULL REFERENCES seats(id), period INTEGER NOT NULL REFERENCES periods(id),
        num INTEGER NOT NULL, den INTEGER NOT NULL, confidence INTEGER, comment TEXT NOT NULL)""",
    "INSERT INTO krs (kr) SELECT DISTINCT kr FROM checkins",
    "INSERT INTO people (person) SELECT DISTINCT person FROM checkins",
    """INSERT INTO seats (kr, person) SELECT DISTINCT k.id, p.id FROM checkins c
        JOIN krs k ON k.kr = c.kr JOIN people p ON p.person = c.person""",
    """INSERT INTO periods (period, start, end_day)
        SELECT period, MIN(start), MIN(end_day) FROM checkins GROUP BY period""",
    # in import order, so that each import's rows are one run of rowids
    """INSERT INTO checkins_2 SELECT c.import_id, c.line, s.id, p.id, c.num, c.den,
        c.confidence, c.comment
        FROM checkins c JOIN krs k ON k.kr = c.kr JOIN people w ON w.person = c.person
        JOIN seats s ON s.kr = k.id AND s.person = w.id
        JOIN periods p ON p.period = c.period ORDER BY c.import_id, c.rowid""",
    "ALTER TABLE imports ADD COLUMN first_row INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE imports ADD COLUMN last_row INTEGER NOT NULL DEFAULT 0",
    """UPDATE imports SET first_row = r.first, last_row = r.last FROM (
        SELECT import_id, MIN(rowid) AS first, MAX(rowid) AS last FROM checkins_2
        GROUP BY import_id) AS r WHERE r.import_id = imports.id""",
    "DROP TABLE checkins",
    "ALTER TABLE checkins_2 RENAME TO checkins",
)


def _run(statements: Sequence[str]) -> Callable[[sqlite3.Connection], None]:
    def migrate(db: sqlite3.Connection) -> None:
        for statement in statements:
            db.execute(statement)

    return migrate


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    # version N → N + 1, run inside one transaction; version 0 is a new, empty file
    0: _run(_SCHEMA_1),
    1: _run(_SCHEMA_2),
}


def plan_locale(folder: Path) -> str:
    """The locale of the plan in ``folder`` (its plan.json's ``plan.locale``), for a problem
    with its store; "en" where it cannot be read. Read only when there is a problem."""
    import json

    from okrplan.choices import PLAN_FILE
    from okrplan.export.lines import tail

    try:
        data = (folder / PLAN_FILE).read_bytes()
        found = tail(data)
        rest = found[0] if found is not None else json.loads(data)
        locale = rest["plan"]["locale"]
    except (OSError, ValueError, KeyError, TypeError):
        return "en"
    return locale if locale in ("zh-CN", "en") else "en"


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """The store at ``path`` opened (WAL journal) and migrated to :data:`SCHEMA_VERSION`.

    Raises
    ------
    InputError
        If the file cannot be opened, is no SQLite store, or has a newer schema.
    """
    try:
        db = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        locale = plan_locale(path.parent)
        message = words(locale, "store_open", error=error)
        raise InputError([Issue(message, str(path), locale=locale)]) from None
    with closing(db):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA cache_size=-65536")  # 64 MB: a large import's pages stay in memory
            _migrate(db, path)
        except sqlite3.DatabaseError as error:
            locale = plan_locale(path.parent)
            hint = words(locale, "store_unreadable_hint")
            message = words(locale, "store_unreadable", error=error)
            raise InputError([Issue(message, str(path), hint=hint, locale=locale)]) from None
        yield db


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        locale = plan_locale(path.parent)
        message = words(locale, "store_newer", version=version, reads=SCHEMA_VERSION)
        hint = words(locale, "store_newer_hint")
        raise InputError([Issue(message, str(path), hint=hint, locale=locale)])
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
