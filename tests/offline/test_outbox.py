"""The outbox keeps every item durably, in order, until it is acknowledged."""

from __future__ import annotations

import sqlite3

import pytest

from common.errors import StorageError
from offline.crypto import OutboxKey
from offline.outbox import Outbox
from tests.clocks import FakeClock


@pytest.fixture
def clock():
    return FakeClock(1_000_000.0)


@pytest.fixture
def key():
    return OutboxKey.generate()


@pytest.fixture
def make(tmp_path, clock, key):
    opened = []

    def factory(**options):
        options.setdefault("clock", clock)
        options.setdefault("rand", lambda: 0.5)  # no jitter unless a test sets it
        box = Outbox(tmp_path / "outbox.db", options.pop("key", key), **options)
        opened.append(box)
        return box

    yield factory
    for box in opened:
        box.close()


def test_enqueued_item_is_found_after_reopening(make, clock):
    box = make()
    item = box.enqueue("application", {"service": "户口迁移", "n": 1}, personal=True)
    box.close()
    reopened = make()
    [found] = reopened.pending(clock())
    assert (found.key, found.kind, found.personal) == (item.key, "application", True)
    assert found.payload == {"service": "户口迁移", "n": 1}


def test_enqueue_commits_before_returning_visible_to_another_connection(make, tmp_path):
    box = make()
    box.enqueue("rating", {"stars": 5}, personal=False, key="k-1")
    other = sqlite3.connect(tmp_path / "outbox.db")
    try:
        assert other.execute("SELECT idempotency_key FROM outbox").fetchall() == [("k-1",)]
    finally:
        other.close()


def test_same_idempotency_key_twice_is_a_no_op(make, clock):
    box = make()
    first = box.enqueue("application", {"v": 1}, personal=True, key="same")
    second = box.enqueue("application", {"v": 2}, personal=True, key="same")
    assert second.seq == first.seq and second.payload == {"v": 1}
    assert [i.key for i in box.pending(clock())] == ["same"]


def test_generated_idempotency_keys_are_unique(make):
    box = make()
    keys = {box.enqueue("rating", {}, personal=False).key for _ in range(20)}
    assert len(keys) == 20


def test_pending_is_in_enqueue_order(make, clock):
    box = make()
    for n in range(5):
        box.enqueue("application", {"n": n}, personal=n % 2 == 0, key=f"k{n}")
    assert [i.payload["n"] for i in box.pending(clock())] == [0, 1, 2, 3, 4]


def test_a_later_item_never_overtakes_one_waiting_for_backoff(make, clock):
    box = make()
    box.enqueue("application", {}, personal=False, key="first")
    box.enqueue("application", {}, personal=False, key="second")
    box.fail("first", "timeout", clock())
    assert box.pending(clock()) == []
    clock.advance(2.0)
    assert [i.key for i in box.pending(clock())] == ["first", "second"]


def test_ack_deletes_only_the_acknowledged_item(make, clock):
    box = make()
    box.enqueue("rating", {}, personal=False, key="a")
    box.enqueue("rating", {}, personal=False, key="b")
    assert box.ack("a") is True
    assert box.ack("a") is False
    assert [i.key for i in box.pending(clock())] == ["b"]


def test_backoff_doubles_from_two_seconds_and_caps_at_ten_minutes(make, clock):
    box = make()
    box.enqueue("application", {}, personal=False, key="k")
    delays = [box.fail("k", "5xx", clock()) - clock() for _ in range(12)]
    assert delays == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600, 600]
    [item] = box.pending(clock() + 600)
    assert item.attempts == 12 and item.last_error == "5xx"


def test_backoff_jitter_spreads_by_twenty_percent(make, clock):
    low = make(rand=lambda: 0.0)
    low.enqueue("application", {}, personal=False, key="k")
    assert low.fail("k", "x", clock()) - clock() == pytest.approx(1.6)
    high = make(rand=lambda: 0.999999)
    assert high.fail("k", "x", clock()) - clock() == pytest.approx(4.0 * 1.2, rel=1e-5)


def test_over_limit_alerts_once_and_drops_nothing(make, clock):
    alerts = []
    box = make(max_items=3, on_alert=alerts.append)
    for n in range(6):
        box.enqueue("application", {"n": n}, personal=True, key=f"k{n}")
    stats = box.stats()
    assert stats.over_limit and stats.count == 6
    assert len(alerts) == 1 and "4 items (max 3)" in alerts[0]
    assert [i.payload["n"] for i in box.pending(clock())] == list(range(6))


def test_over_age_alerts_and_alerts_again_after_recovering(make, clock):
    alerts = []
    box = make(max_age_s=60.0, on_alert=alerts.append)
    box.enqueue("help_request", {}, personal=True, key="old")
    clock.advance(61)
    assert box.stats().over_limit and len(alerts) == 1
    box.stats()
    assert len(alerts) == 1
    box.ack("old")
    assert not box.stats().over_limit
    box.enqueue("help_request", {}, personal=True, key="new")
    clock.advance(61)
    box.stats()
    assert len(alerts) == 2


def test_a_failing_alert_callback_does_not_lose_the_item(make, clock):
    def broken(message):
        raise RuntimeError("screen gone")

    box = make(max_items=0, on_alert=broken)
    box.enqueue("application", {}, personal=True, key="k")
    assert [i.key for i in box.pending(clock())] == ["k"]


def test_a_new_heartbeat_prunes_older_heartbeats_only(make, clock):
    box = make()
    box.enqueue("heartbeat", {"n": 1}, personal=False, key="h1")
    box.enqueue("application", {}, personal=True, key="app")
    box.enqueue("heartbeat", {"n": 2}, personal=False, key="h2")
    box.enqueue("heartbeat", {"n": 3}, personal=False, key="h3")
    assert [i.key for i in box.pending(clock())] == ["app", "h3"]
    assert box.stats().by_kind == {"application": 1, "heartbeat": 1}


def test_rejected_item_moves_to_dead_letters_with_its_error(make, clock):
    alerts = []
    box = make(on_alert=alerts.append)
    box.enqueue("application", {}, personal=True, key="bad")
    assert box.bury("bad", "422 missing field 'phone'", clock()) is True
    assert box.pending(clock()) == []
    [dead] = box.dead_letters()
    assert (dead.key, dead.kind, dead.error) == ("bad", "application", "422 missing field 'phone'")
    assert box.stats().dead_count == 1 and len(alerts) == 1


def test_personal_item_without_a_key_is_refused(make):
    box = make(key=None)
    with pytest.raises(StorageError):
        box.enqueue("application", {"name": "张三"}, personal=True)
    box.enqueue("heartbeat", {}, personal=False)


def test_ciphertext_swapped_between_rows_is_refused(make, clock, tmp_path):
    box = make()
    box.enqueue("application", {"who": "a"}, personal=True, key="a")
    box.enqueue("application", {"who": "b"}, personal=True, key="b")
    raw = sqlite3.connect(tmp_path / "outbox.db")
    with raw:
        blob = raw.execute("SELECT payload FROM outbox WHERE idempotency_key='a'").fetchone()[0]
        raw.execute("UPDATE outbox SET payload=? WHERE idempotency_key='b'", (blob,))
    raw.close()
    with pytest.raises(StorageError, match="authentication"):
        box.pending(clock())


def test_tampered_ciphertext_in_the_database_raises_storage_error(make, clock, tmp_path):
    box = make()
    box.enqueue("application", {"who": "a"}, personal=True, key="a")
    raw = sqlite3.connect(tmp_path / "outbox.db")
    with raw:
        blob = bytearray(raw.execute("SELECT payload FROM outbox").fetchone()[0])
        blob[20] ^= 0x01
        raw.execute("UPDATE outbox SET payload=?", (bytes(blob),))
    raw.close()
    with pytest.raises(StorageError):
        box.pending(clock())
