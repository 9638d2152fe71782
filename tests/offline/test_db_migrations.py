"""offline.migrations: applied once, in order, recorded by name; a newer database is refused."""

from __future__ import annotations

import pytest

from common.errors import StorageError
from offline.db import open_database
from offline.migrations import Migration, applied, migrate


def _log_migration(number, name, log):
    def apply(db):
        log.append(number)
        db.execute(f"CREATE TABLE m{number} (x)")
    return Migration(number, name, apply)


def test_migrations_apply_once_in_number_order_and_record_their_names():
    db = open_database(":memory:")
    log: list[int] = []
    ms = [_log_migration(2, "second", log), _log_migration(1, "first", log)]
    ran = migrate(db, ms, clock=lambda: 123.0)
    assert [m.number for m in ran] == [1, 2] and log == [1, 2]
    assert [(a.number, a.name, a.applied_at) for a in applied(db)] == [(1, "first", 123.0),
                                                                     (2, "second", 123.0)]
    assert migrate(db, ms) == [] and log == [1, 2]


def test_a_new_migration_is_applied_on_top_of_existing_ones():
    db = open_database(":memory:")
    log: list[int] = []
    migrate(db, [_log_migration(1, "first", log)])
    migrate(db, [_log_migration(1, "first", log), _log_migration(2, "second", log)])
    assert log == [1, 2]


def test_a_failing_migration_is_rolled_back_and_the_earlier_ones_stay(tmp_path):
    db = open_database(tmp_path / "m.db")
    log: list[int] = []

    def broken(db):
        db.execute("CREATE TABLE half (x)")
        raise RuntimeError("bad step")

    with pytest.raises(StorageError, match="bad step"):
        migrate(db, [_log_migration(1, "first", log), Migration(2, "broken", broken)])
    assert [a.number for a in applied(db)] == [1]
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None


def test_a_database_from_newer_software_is_refused():
    db = open_database(":memory:")
    log: list[int] = []
    migrate(db, [_log_migration(1, "a", log), _log_migration(2, "b", log)])
    with pytest.raises(StorageError, match="newer"):
        migrate(db, [_log_migration(1, "a", log)])


def test_a_recorded_migration_with_another_name_is_refused():
    db = open_database(":memory:")
    migrate(db, [_log_migration(1, "a", [])])
    with pytest.raises(StorageError, match="different names"):
        migrate(db, [_log_migration(1, "renamed", [])])


def test_scopes_keep_separate_numbering_in_one_file():
    db = open_database(":memory:")
    migrate(db, [_log_migration(1, "catalogue", [])], scope="catalogue")
    migrate(db, [Migration(1, "outbox", lambda d: None)], scope="outbox")
    assert [a.name for a in applied(db, "outbox")] == ["outbox"]


def test_duplicate_numbers_in_the_code_are_a_programming_error():
    with pytest.raises(ValueError):
        migrate(open_database(":memory:"), [Migration(1, "a", print), Migration(1, "b", print)])
