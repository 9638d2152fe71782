"""offline.db: connection settings, the atomic() transaction, the integrity check."""

from __future__ import annotations

import sqlite3

import pytest

from common.errors import StorageError
from offline.db import atomic, integrity_ok, open_database


def _pragma(db, name):
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_file_database_is_wal_full_sync_with_foreign_keys_and_busy_timeout(tmp_path):
    db = open_database(tmp_path / "k.db", busy_timeout_ms=2500)
    assert _pragma(db, "journal_mode") == "wal"
    assert _pragma(db, "synchronous") == 2  # FULL
    assert _pragma(db, "foreign_keys") == 1
    assert _pragma(db, "busy_timeout") == 2500


def test_memory_database_has_foreign_keys_and_full_sync():
    db = open_database(":memory:")
    assert _pragma(db, "foreign_keys") == 1 and _pragma(db, "synchronous") == 2


def test_unopenable_path_raises_storage_error(tmp_path):
    with pytest.raises(StorageError):
        open_database(tmp_path / "missing-dir" / "k.db")


def _table(db):
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    return db


def _values(db):
    return [r[0] for r in db.execute("SELECT v FROM t ORDER BY id")]


def test_atomic_commits_the_whole_block():
    db = _table(open_database(":memory:"))
    with atomic(db):
        db.execute("INSERT INTO t (v) VALUES ('a')")
        db.execute("INSERT INTO t (v) VALUES ('b')")
    assert _values(db) == ["a", "b"] and not db.conn.in_transaction


def test_atomic_rolls_back_and_reraises_any_exception():
    db = _table(open_database(":memory:"))
    with pytest.raises(KeyError):
        with atomic(db):
            db.execute("INSERT INTO t (v) VALUES ('a')")
            raise KeyError("boom")
    assert _values(db) == [] and not db.conn.in_transaction


def test_atomic_wraps_sqlite_errors_in_storage_error_with_the_cause():
    db = _table(open_database(":memory:"))
    with pytest.raises(StorageError) as info:
        with atomic(db):
            db.execute("INSERT INTO t (v) VALUES ('a')")
            db.execute("INSERT INTO nowhere VALUES (1)")
    assert isinstance(info.value.__cause__, sqlite3.OperationalError)
    assert _values(db) == []


def test_nested_atomic_is_a_savepoint_undone_alone_or_with_the_outer_block():
    db = _table(open_database(":memory:"))
    with atomic(db):
        db.execute("INSERT INTO t (v) VALUES ('outer')")
        with pytest.raises(ValueError):
            with atomic(db):
                db.execute("INSERT INTO t (v) VALUES ('inner')")
                raise ValueError
    assert _values(db) == ["outer"]
    with pytest.raises(RuntimeError):
        with atomic(db):
            with atomic(db):
                db.execute("INSERT INTO t (v) VALUES ('inner2')")
            raise RuntimeError
    assert _values(db) == ["outer"]


def test_second_writer_waits_then_gets_storage_error_not_a_half_write(tmp_path):
    path = tmp_path / "k.db"
    first = _table(open_database(path))
    second = open_database(path, busy_timeout_ms=50)
    with atomic(first):
        first.execute("INSERT INTO t (v) VALUES ('a')")
        with pytest.raises(StorageError, match="transaction"):
            with atomic(second):
                second.execute("INSERT INTO t (v) VALUES ('b')")
    assert _values(second) == ["a"]


def test_a_rollback_that_fails_closes_the_connection_so_nothing_half_done_is_seen(tmp_path):
    path = tmp_path / "k.db"
    db = _table(open_database(path))
    db.conn.set_progress_handler(lambda: 0, 1)
    with pytest.raises(ValueError) as info:
        with atomic(db):
            db.execute("INSERT INTO t (v) VALUES ('half')")
            db.conn.set_progress_handler(lambda: 1, 1)  # every statement now interrupted
            raise ValueError("original")
    assert "ROLLBACK failed" in "".join(getattr(info.value, "__notes__", []))
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("SELECT 1")
    assert _values(open_database(path)) == []


def test_integrity_ok_on_a_healthy_database(tmp_path):
    db = _table(open_database(tmp_path / "k.db"))
    db.execute("INSERT INTO t (v) VALUES ('a')")
    assert integrity_ok(db) is True


def test_integrity_check_reports_a_damaged_file(tmp_path):
    path = tmp_path / "k.db"
    db = _table(open_database(path))
    db.execute("CREATE INDEX t_v ON t (v)")
    for i in range(2000):
        db.execute("INSERT INTO t (v) VALUES (?)", (f"value {i:05d}" * 4,))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 3, len(data) - 4096, 4096):  # scribble over many pages
        data[offset + 100: offset + 140] = b"\xff" * 40
    path.write_bytes(bytes(data))
    try:
        healthy = integrity_ok(open_database(path))
    except StorageError:
        healthy = False  # "database disk image is malformed" also counts as damaged
    assert healthy is False
