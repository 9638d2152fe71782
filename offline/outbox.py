"""The outbox: every submission and heartbeat, durable on disk until the platform acks it.

Rows live in table ``outbox`` in seq order; a row is deleted only by `ack`. Items the
platform rejects move to ``outbox_dead`` with their error, kept for the technician.
Personal payloads are stored only as AES-GCM ciphertext bound to their row (kind +
idempotency key); non-personal payloads (heartbeats) are stored as JSON.

Every write is one `offline.db.atomic()` transaction (BEGIN IMMEDIATE ... COMMIT) in WAL
mode with synchronous=FULL (`offline.db.open_database`), so
it is on disk when the method returns. Errors from SQLite and the cipher are raised as
StorageError. Methods block on disk I/O (an fsync per write): call them off the UI thread.
One Outbox may be shared between threads (calls are serialised by a lock); several
processes may open the same file (busy_timeout).

Bounds (`max_items`, `max_age_s`) never drop a resident's item: crossing one sets
`OutboxStats.over_limit` and calls `on_alert(message)` once per crossing. The only pruning:
a new heartbeat replaces older pending heartbeats (only the newest is worth sending).
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from common.errors import StorageError
from common.privacy import redact
from offline.crypto import OutboxKey
from offline.db import atomic, open_database
from offline.migrations import Migration, migrate

log = logging.getLogger(__name__)

HEARTBEAT = "heartbeat"
SCOPE = "outbox"
_COLUMNS = ("seq, idempotency_key, kind, created_at, attempts, next_attempt_at, last_error, "
            "personal, payload")
_SCHEMA_STATEMENTS = ("""
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL, created_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL, last_error TEXT, personal INTEGER NOT NULL,
    payload BLOB NOT NULL)""", """
CREATE TABLE IF NOT EXISTS outbox_dead (
    seq INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    created_at REAL NOT NULL, attempts INTEGER NOT NULL, dead_at REAL NOT NULL,
    error TEXT NOT NULL, personal INTEGER NOT NULL, payload BLOB NOT NULL)""")


@dataclass(frozen=True)
class OutboxItem:
    """One queued submission. `payload` is decrypted; it is kept out of ``repr``."""

    seq: int
    key: str
    kind: str
    personal: bool
    created_at: float
    attempts: int
    next_attempt_at: float
    last_error: str | None
    payload: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class DeadLetter:
    """An item the platform rejected; kept (payload still encrypted) for the technician."""

    seq: int
    key: str
    kind: str
    created_at: float
    dead_at: float
    attempts: int
    error: str


@dataclass(frozen=True)
class OutboxStats:
    count: int
    oldest_age_s: float
    by_kind: Mapping[str, int]
    over_limit: bool
    dead_count: int


def _schema_v1(db: sqlite_utils.Database) -> None:
    # IF NOT EXISTS: adopts outbox files written before migrations were recorded.
    for sql in _SCHEMA_STATEMENTS:
        db.execute(sql)


MIGRATIONS: tuple[Migration, ...] = (Migration(1, "outbox and dead letters", _schema_v1),)


class Outbox:
    """Durable, ordered, bounded queue of submissions for the platform."""

    def __init__(self, path_or_db: str | Path | sqlite_utils.Database,
                 key: OutboxKey | None, *, clock: Callable[[], float] = time.time,
                 rand: Callable[[], float] = random.random, max_items: int = 10_000,
                 max_age_s: float = 7 * 86_400.0,
                 on_alert: Callable[[str], None] | None = None,
                 backoff_base_s: float = 2.0, backoff_cap_s: float = 600.0,
                 jitter: float = 0.2) -> None:
        """Open (creating the tables if needed). `rand` returns [0, 1) for the jitter,
        which spreads retries by +/- `jitter` of the delay. A given Database must already
        be in WAL with synchronous=FULL and not be inside a transaction (offline.db's
        job); a path is opened here. Raises StorageError."""
        self.db = (path_or_db if isinstance(path_or_db, sqlite_utils.Database)
                   else open_database(path_or_db, check_same_thread=False))
        self._conn = self.db.conn
        self._key, self._clock, self._rand = key, clock, rand
        self.max_items, self.max_age_s = max_items, max_age_s
        self._on_alert = on_alert
        self._base, self._cap, self._jitter = backoff_base_s, backoff_cap_s, jitter
        self._lock = threading.RLock()
        self._over_limit = False
        with self._lock:
            migrate(self.db, MIGRATIONS, scope=SCOPE)

    def close(self) -> None:
        self._conn.close()

    # --- writing -------------------------------------------------------------------------
    def enqueue(self, kind: str, payload: Mapping[str, Any], *, personal: bool,
                key: str | None = None) -> OutboxItem:
        """Queue `payload` and commit durably before returning; the resident may be told
        only after this returns. Same `key` twice: no-op returning the stored item.

        Raises StorageError (disk, no cipher key for a personal item), TypeError if the
        payload is not JSON-serialisable. Writes one row (and prunes older heartbeats).
        """
        if not kind:
            raise ValueError("outbox kind must not be empty")
        if personal and self._key is None:
            raise StorageError("outbox has no encryption key; refusing to store personal data")
        idem = key or str(uuid.uuid4())
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        blob = self._key.encrypt(data, _associated(kind, idem)) if personal else data
        now = self._clock()
        with self._lock, self._write() as conn:
            existing = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE idempotency_key=?",
                                    (idem,)).fetchone()
            if existing is not None:
                return self._item(existing)
            cur = conn.execute(
                "INSERT INTO outbox (idempotency_key, kind, created_at, attempts, "
                "next_attempt_at, personal, payload) VALUES (?, ?, ?, 0, ?, ?, ?)",
                (idem, kind, now, now, int(personal), blob))
            seq = cur.lastrowid
            if kind == HEARTBEAT and not personal:
                conn.execute("DELETE FROM outbox WHERE kind=? AND personal=0 AND seq<?",
                             (HEARTBEAT, seq))
        log.debug("outbox: queued %s seq=%s key=%s", kind, seq, idem)
        self.check_limits()
        return OutboxItem(seq, idem, kind, personal, now, 0, now, None, json.loads(data))

    def ack(self, key: str) -> bool:
        """The platform has the item: delete it (durably). False if it was not queued."""
        with self._lock, self._write() as conn:
            deleted = conn.execute("DELETE FROM outbox WHERE idempotency_key=?", (key,)).rowcount
        self._recheck_if_over()
        return deleted > 0

    def fail(self, key: str, error: str, now: float) -> float | None:
        """Record a retryable failure: attempts += 1, next attempt after exponential backoff
        (base * 2**attempts before this one, capped, +/- jitter). Returns the new
        next_attempt_at, or None if the item is no longer queued. `error` is redacted."""
        with self._lock, self._write() as conn:
            row = conn.execute("SELECT attempts FROM outbox WHERE idempotency_key=?",
                               (key,)).fetchone()
            if row is None:
                return None
            due = now + self.backoff_delay(row[0])
            conn.execute("UPDATE outbox SET attempts=attempts+1, next_attempt_at=?, "
                         "last_error=? WHERE idempotency_key=?", (due, _clean(error), key))
        return due

    def bury(self, key: str, error: str, now: float) -> bool:
        """Move a rejected item to the dead letters with its (redacted) error, in one
        transaction, and alert the technician. False if it was not queued."""
        with self._lock, self._write() as conn:
            row = conn.execute("SELECT seq, kind FROM outbox WHERE idempotency_key=?",
                               (key,)).fetchone()
            if row is None:
                return False
            conn.execute(
                "INSERT INTO outbox_dead (seq, idempotency_key, kind, created_at, attempts, "
                "dead_at, error, personal, payload) SELECT seq, idempotency_key, kind, "
                "created_at, attempts + 1, ?, ?, personal, payload FROM outbox "
                "WHERE idempotency_key=?", (now, _clean(error), key))
            conn.execute("DELETE FROM outbox WHERE idempotency_key=?", (key,))
        self._alert(f"outbox: platform rejected {row[1]} seq={row[0]} key={key}: "
                    f"{_clean(error)}; kept in dead letters for the technician")
        return True

    def retry_now(self, now: float) -> int:
        """End every backoff (the line is back, or a technician pressed retry): all queued
        items become due at `now`. Attempts are kept. Returns how many were waiting."""
        with self._lock, self._write() as conn:
            return conn.execute("UPDATE outbox SET next_attempt_at=? WHERE next_attempt_at>?",
                                (now, now)).rowcount

    def backoff_delay(self, previous_attempts: int) -> float:
        delay = min(self._cap, self._base * 2.0 ** min(previous_attempts, 30))
        return delay * (1.0 + self._jitter * (2.0 * self._rand() - 1.0))

    # --- reading -------------------------------------------------------------------------
    def pending(self, now: float, *, limit: int | None = None) -> list[OutboxItem]:
        """Items to send now, in seq order: the due items at the head of the queue, up to
        the first one still waiting for its backoff (a later item never overtakes an
        earlier one). Raises StorageError on a tampered or undecryptable payload."""
        sql = f"SELECT {_COLUMNS} FROM outbox ORDER BY seq"
        params: tuple[Any, ...] = ()
        if limit is not None:
            sql, params = sql + " LIMIT ?", (limit,)
        items = []
        for row in self._read(sql, params):
            if row[5] > now:
                break
            items.append(self._item(row))
        return items

    def queued(self, kind: str) -> list[OutboxItem]:
        """Every item of `kind` still waiting to be sent, in seq order, decrypted. Read only
        (for showing a resident what is saved but not yet sent; keep only what is shown).
        Raises StorageError like `pending`."""
        return [self._item(row) for row in self._read(
            f"SELECT {_COLUMNS} FROM outbox WHERE kind=? ORDER BY seq", (kind,))]

    def next_due_at(self) -> float | None:
        """When the head of the queue may be sent; None when the queue is empty."""
        rows = self._read("SELECT next_attempt_at FROM outbox ORDER BY seq LIMIT 1", ())
        return rows[0][0] if rows else None

    def dead_letters(self) -> list[DeadLetter]:
        rows = self._read("SELECT seq, idempotency_key, kind, created_at, dead_at, attempts, "
                          "error FROM outbox_dead ORDER BY seq", ())
        return [DeadLetter(*row) for row in rows]

    def stats(self) -> OutboxStats:
        """Counts by kind, age of the oldest item, dead letters; also checks the bounds."""
        count, age, over = self.check_limits()
        by_kind = dict(self._read("SELECT kind, count(*) FROM outbox GROUP BY kind", ()))
        dead = self._read("SELECT count(*) FROM outbox_dead", ())[0][0]
        return OutboxStats(count, age, by_kind, over, dead)

    def check_limits(self) -> tuple[int, float, bool]:
        """(count, oldest age, over a bound); calls on_alert once when a bound is first
        exceeded. Cheap enough to run after every enqueue (the oldest is the head row)."""
        now = self._clock()
        count, oldest = self._read("SELECT count(*), (SELECT created_at FROM outbox "
                                   "ORDER BY seq LIMIT 1) FROM outbox", ())[0]
        age = max(0.0, now - oldest) if oldest is not None else 0.0
        over = count > self.max_items or age > self.max_age_s
        with self._lock:
            crossed, self._over_limit = over and not self._over_limit, over
        if crossed:
            self._alert(f"outbox over its bounds: {count} items (max {self.max_items}), "
                        f"oldest {age / 3600:.1f} h (max {self.max_age_s / 3600:.1f} h); "
                        "nothing is dropped; check the link to the platform")
        return count, age, over

    # --- internals -----------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with atomic(self.db):
            yield self._conn

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"outbox read failed: {exc}") from exc

    def _item(self, row: tuple[Any, ...]) -> OutboxItem:
        seq, idem, kind, created, attempts, due, error, personal, blob = row
        if personal:
            if self._key is None:
                raise StorageError("outbox has no encryption key to read a personal item")
            blob = self._key.decrypt(blob, _associated(kind, idem))
        try:
            payload = json.loads(blob)
        except ValueError as exc:
            raise StorageError(f"outbox item seq={seq} has an unreadable payload") from exc
        return OutboxItem(seq, idem, kind, bool(personal), created, attempts, due, error,
                          payload)

    def _recheck_if_over(self) -> None:
        if self._over_limit:  # only then can an ack end an alert state
            self.check_limits()

    def _alert(self, message: str) -> None:
        log.warning("%s", message)
        if self._on_alert is None:
            return
        try:
            self._on_alert(message)
        except Exception:  # the item is already committed; a broken alert must not undo that
            log.exception("outbox: alert callback failed")


def _associated(kind: str, key: str) -> bytes:
    """Binds a ciphertext to its row: kind and idempotency key, NUL-separated."""
    return f"outbox\x00{kind}\x00{key}".encode()


def _clean(error: str) -> str:
    return redact(error)[:500]
