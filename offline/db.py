"""Opening the kiosk's SQLite files, and the one transaction helper every store uses.

Connections are opened in autocommit mode (``isolation_level=None``): Python's sqlite3
never starts or commits a transaction behind our back, `atomic()` does it explicitly.
sqlite-utils (4.x) table helpers called inside `atomic()` nest as savepoints, so they
are safe there; the stores use plain ``executemany`` for bulk writes because it is faster.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from common.errors import StorageError

DEFAULT_BUSY_TIMEOUT_MS = 10_000
# 32 MB page cache (SQLite's default is 2 MB): a full catalogue replacement writes ~80
# index keys per service and with the small cache spends most of its time re-reading pages.
CACHE_KIB = 32 * 1024


def open_database(path: str | Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
                  check_same_thread: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the SQLite database at `path`, or ":memory:".

    File databases use WAL (readers never block the writer, and a crash leaves a valid
    file); every database gets synchronous=FULL (a committed transaction survives power
    loss), foreign keys on, and a busy timeout so a second connection waits for the write
    lock instead of failing at once, and a 32 MB page cache. Blocks for at most
    `busy_timeout_ms` on a locked file.
    Raises StorageError when the file cannot be opened or refuses WAL.
    """
    in_memory = str(path) == ":memory:"
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=busy_timeout_ms / 1000,
                               check_same_thread=check_same_thread)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open database {path}: {exc}") from exc
    try:
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        if not in_memory:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StorageError(f"database {path} refused WAL mode (got {mode})")
        conn.execute("PRAGMA synchronous=FULL")
    except sqlite3.Error as exc:
        conn.close()
        raise StorageError(f"cannot set up database {path}: {exc}") from exc
    except StorageError:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


@contextmanager
def atomic(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block as one transaction: BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any exception.

    IMMEDIATE takes the write lock at the start (waiting up to the busy timeout), so a
    transaction never fails half-way because another writer got there first. Nested use
    becomes a SAVEPOINT, so a store method may call another atomic method.
    The block's exception is re-raised after the rollback; sqlite3 errors (from the block,
    BEGIN or COMMIT) are raised as StorageError with the original as cause.
    """
    conn = db.conn
    if conn.in_transaction:
        yield from _savepoint(db)
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise StorageError(f"cannot start a transaction: {exc}") from exc
    try:
        yield db
    except BaseException as exc:
        _rollback(conn, exc)
        if isinstance(exc, sqlite3.Error):
            raise StorageError(f"transaction rolled back: {exc}") from exc
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _rollback(conn, exc)
        raise StorageError(f"commit failed: {exc}") from exc


def _savepoint(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    # One name for every level is enough: SQLite's ROLLBACK TO / RELEASE act on the most
    # recent savepoint of that name, i.e. this level.
    conn = db.conn
    try:
        conn.execute("SAVEPOINT atomic_nested")
    except sqlite3.Error as exc:
        raise StorageError(f"cannot start a savepoint: {exc}") from exc
    try:
        yield db
    except BaseException as exc:
        try:
            conn.execute("ROLLBACK TO atomic_nested")
            conn.execute("RELEASE atomic_nested")
        except sqlite3.Error:
            pass  # SQLite already undid the whole transaction; the outer block will see it
        if isinstance(exc, sqlite3.Error):
            raise StorageError(f"savepoint rolled back: {exc}") from exc
        raise
    try:
        conn.execute("RELEASE atomic_nested")
    except sqlite3.Error as exc:
        raise StorageError(f"cannot release a savepoint: {exc}") from exc


def _rollback(conn: sqlite3.Connection, cause: BaseException) -> None:
    # SQLite may already have rolled back by itself (e.g. SQLITE_FULL, SQLITE_INTERRUPT on
    # a write); rolling back again would raise and hide the real error.
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        # A transaction we cannot roll back must never be read or committed later by this
        # connection: closing it discards the uncommitted work. Further use raises.
        conn.close()
        cause.add_note(f"ROLLBACK failed ({exc}); the connection was closed to discard "
                       f"the uncommitted transaction")


def integrity_ok(db: sqlite_utils.Database) -> bool:
    """True when ``PRAGMA integrity_check`` answers exactly "ok". Reads the whole file."""
    try:
        rows = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as exc:
        raise StorageError(f"integrity check failed to run: {exc}") from exc
    return [tuple(r) for r in rows] == [("ok",)]
