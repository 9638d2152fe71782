"""The sender delivers in order, acks successes, stops on retryable failures and keeps
rejected items as dead letters."""

from __future__ import annotations

import pytest

from common.errors import PlatformError
from offline.crypto import OutboxKey
from offline.outbox import Outbox
from offline.outbox_sender import OutboxSender, RejectedSendError, RetryableSendError
from tests.clocks import FakeClock


class FakePlatform:
    def __init__(self) -> None:
        self.received: list[str] = []
        self.failures: dict[str, Exception] = {}

    def __call__(self, item) -> None:
        error = self.failures.get(item.key)
        if error is not None:
            raise error
        self.received.append(item.key)


@pytest.fixture
def clock():
    return FakeClock(5_000.0)


@pytest.fixture
def box(tmp_path, clock):
    outbox = Outbox(tmp_path / "o.db", OutboxKey.generate(), clock=clock, rand=lambda: 0.5)
    yield outbox
    outbox.close()


def fill(box, *keys):
    for k in keys:
        box.enqueue("application", {"k": k}, personal=True, key=k)


def test_flush_sends_in_order_and_acks_each(box, clock):
    platform = FakePlatform()
    fill(box, "a", "b", "c")
    result = OutboxSender(box, platform, clock=clock).flush()
    assert platform.received == ["a", "b", "c"]
    assert (result.sent, result.remaining, result.blocked) == (3, 0, False)
    assert box.pending(clock()) == []


def test_flush_stops_at_the_first_retryable_failure_and_keeps_order(box, clock):
    platform = FakePlatform()
    platform.failures["b"] = RetryableSendError("timeout")
    fill(box, "a", "b", "c")
    sender = OutboxSender(box, platform, clock=clock)
    result = sender.flush()
    assert platform.received == ["a"] and result.retry_at == clock() + 2.0
    assert result.remaining == 2 and result.error == "timeout"
    assert sender.flush().sent == 0  # "c" does not overtake "b" while it waits
    del platform.failures["b"]
    clock.advance(2.0)
    assert sender.flush().sent == 2
    assert platform.received == ["a", "b", "c"]


def test_an_unknown_platform_error_is_retried_not_dropped(box, clock):
    platform = FakePlatform()
    platform.failures["a"] = PlatformError("odd answer")
    fill(box, "a")
    result = OutboxSender(box, platform, clock=clock).flush()
    assert result.blocked and result.remaining == 1


def test_rejected_item_goes_to_dead_letters_and_the_queue_goes_on(box, clock):
    platform = FakePlatform()
    platform.failures["b"] = RejectedSendError("422 id_number malformed")
    fill(box, "a", "b", "c")
    result = OutboxSender(box, platform, clock=clock).flush()
    assert platform.received == ["a", "c"] and (result.sent, result.rejected) == (2, 1)
    [dead] = box.dead_letters()
    assert (dead.key, dead.error) == ("b", "422 id_number malformed")


def test_max_items_limits_one_flush(box, clock):
    platform = FakePlatform()
    fill(box, "a", "b", "c")
    assert OutboxSender(box, platform, clock=clock).flush(max_items=2).sent == 2
    assert platform.received == ["a", "b"]


def test_a_bug_in_send_propagates_and_the_item_stays(box, clock):
    def broken(item):
        raise KeyError("bug")

    fill(box, "a")
    with pytest.raises(KeyError):
        OutboxSender(box, broken, clock=clock).flush()
    [item] = box.pending(clock())
    assert item.attempts == 0


def test_drain_sleeps_until_the_backoff_is_over(box, clock):
    platform = FakePlatform()
    platform.failures["a"] = RetryableSendError("down")
    fill(box, "a")
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        platform.failures.clear()
        clock.advance(seconds)

    result = OutboxSender(box, platform, clock=clock, sleep=sleep).drain(60.0)
    assert slept == [2.0] and result.sent == 1 and result.remaining == 0
