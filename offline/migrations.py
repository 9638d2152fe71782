"""Numbered, named schema migrations, each applied once, in order, in its own transaction.

Applied migrations are recorded in ``_migrations`` (scope, number, name, applied_at). The
scope lets several stores (catalogue, outbox, ...) keep their own numbering in one file.
A database holding a migration number this code does not know was written by newer
software; it is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlite_utils

from common.errors import StorageError
from offline.db import atomic

_TABLE = """
CREATE TABLE IF NOT EXISTS _migrations (
    scope TEXT NOT NULL,
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at REAL NOT NULL,
    PRIMARY KEY (scope, number)
)
"""


@dataclass(frozen=True)
class Migration:
    """One schema step. `apply` runs inside the migration's transaction (DDL included:
    SQLite rolls schema changes back too)."""

    number: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


@dataclass(frozen=True)
class AppliedMigration:
    scope: str
    number: int
    name: str
    applied_at: float


def applied(db: sqlite_utils.Database, scope: str = "main") -> list[AppliedMigration]:
    """The migrations recorded in `db` for `scope`, by number. Read only."""
    try:
        db.execute(_TABLE)
        rows = db.execute(
            "SELECT scope, number, name, applied_at FROM _migrations WHERE scope = ? "
            "ORDER BY number", (scope,)).fetchall()
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read applied migrations: {exc}") from exc
    return [AppliedMigration(*row) for row in rows]


def migrate(db: sqlite_utils.Database, migrations: Sequence[Migration], *, scope: str = "main",
            clock: Callable[[], float] = time.time) -> list[Migration]:
    """Apply the migrations of `scope` that `db` lacks, in number order; return those applied.

    Each runs in its own `atomic()` transaction together with its ``_migrations`` row, so
    a failure leaves the database at the previous number. Blocks on the write lock (busy
    timeout). Raises ValueError for a malformed list (duplicate or non-positive numbers),
    StorageError when the database has a migration number the list does not know (newer
    database than code), when a recorded name differs, or when a migration fails.
    """
    known = _check_list(migrations)
    done = {m.number: m for m in applied(db, scope)}
    _refuse_unknown(done, known, scope)
    ran: list[Migration] = []
    for migration in sorted(migrations, key=lambda m: m.number):
        if migration.number in done:
            continue
        try:
            with atomic(db):
                # Re-check under the write lock: another process may have just done it.
                if db.execute("SELECT 1 FROM _migrations WHERE scope = ? AND number = ?",
                              (scope, migration.number)).fetchone():
                    continue
                migration.apply(db)
                db.execute("INSERT INTO _migrations (scope, number, name, applied_at) "
                           "VALUES (?, ?, ?, ?)",
                           (scope, migration.number, migration.name, clock()))
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"migration {scope}/{migration.number} ({migration.name}) "
                               f"failed: {exc}") from exc
        ran.append(migration)
    return ran


def _check_list(migrations: Sequence[Migration]) -> dict[int, Migration]:
    known: dict[int, Migration] = {}
    for m in migrations:
        if m.number <= 0:
            raise ValueError(f"migration number must be positive: {m}")
        if m.number in known:
            raise ValueError(f"duplicate migration number {m.number}: "
                             f"{known[m.number].name!r} and {m.name!r}")
        known[m.number] = m
    return known


def _refuse_unknown(done: dict[int, AppliedMigration], known: dict[int, Migration],
                    scope: str) -> None:
    unknown = sorted(set(done) - set(known))
    if unknown:
        raise StorageError(
            f"database has {scope} migration(s) {unknown} that this software does not know: "
            f"it was written by a newer version; refusing to use it")
    renamed = [n for n in done if done[n].name != known[n].name]
    if renamed:
        raise StorageError(f"database {scope} migration(s) {sorted(renamed)} were recorded "
                           f"under different names; refusing to guess which schema it has")
