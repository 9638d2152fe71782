"""Sends the outbox to the platform, strictly in order, acking each success.

Ordering choice: one global order over all kinds. `flush` sends the head of the queue
first and stops at the first retryable failure, and `Outbox.pending` never offers an item
behind one still waiting for its backoff; so a resident's later application can never reach
the platform before an earlier one. The price: one item that keeps failing with a
retryable error holds back everything behind it (heartbeats included) until it succeeds,
is rejected, or the outbox's age bound alerts the technician. Rejected items (4xx) do not
block: they move to the dead letters with their error and the queue goes on.

No threads here: the kiosk calls `flush` from a worker thread. `flush` blocks on `send`
(network) and on one durable commit per item.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from common.errors import PlatformError
from offline.outbox import Outbox, OutboxItem

log = logging.getLogger(__name__)


class RetryableSendError(PlatformError):
    """Try again later: no connection, timeout, 5xx, 429. The item stays queued."""


class RejectedSendError(PlatformError):
    """The platform refused the item itself (4xx validation): retrying cannot help."""


@dataclass(frozen=True)
class FlushResult:
    sent: int
    rejected: int
    retry_at: float | None  # set when a retryable failure stopped the flush
    error: str | None       # that failure, redacted by the outbox when stored
    remaining: int

    @property
    def blocked(self) -> bool:
        return self.retry_at is not None


class OutboxSender:
    """`send(item)` delivers one item or raises a PlatformError subclass.

    Any other PlatformError counts as retryable (never lose an item on an unknown error).
    Exceptions that are not PlatformError (a bug in `send`) propagate; the item stays
    queued untouched.
    """

    def __init__(self, outbox: Outbox, send: Callable[[OutboxItem], None], *,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._outbox, self._send, self._clock, self._sleep = outbox, send, clock, sleep

    def flush(self, max_items: int | None = None) -> FlushResult:
        """Send due items in order until the queue's due head is empty, `max_items` were
        tried, or a retryable failure. Raises StorageError from the outbox."""
        sent = rejected = 0
        retry_at: float | None = None
        error: str | None = None
        while max_items is None or sent + rejected < max_items:
            batch = self._outbox.pending(self._clock(), limit=_batch(max_items, sent + rejected))
            if not batch:
                break
            for item in batch:
                try:
                    self._send(item)
                except RejectedSendError as exc:
                    self._outbox.bury(item.key, str(exc), self._clock())
                    rejected += 1
                    continue
                except PlatformError as exc:
                    error = str(exc)
                    retry_at = self._outbox.fail(item.key, error, self._clock())
                    log.info("outbox: %s seq=%s not sent, retry at %.0f",
                             item.kind, item.seq, retry_at or 0.0)
                    break
                self._outbox.ack(item.key)
                sent += 1
            if retry_at is not None:
                break
        remaining = self._outbox.check_limits()[0]
        return FlushResult(sent, rejected, retry_at, error, remaining)

    def drain(self, max_wait_s: float) -> FlushResult:
        """Flush repeatedly, sleeping until the head is due again, until the queue is empty
        or `max_wait_s` has passed. Blocks up to `max_wait_s` (plus one send)."""
        deadline = self._clock() + max_wait_s
        sent = rejected = 0
        while True:
            result = self.flush()
            sent, rejected = sent + result.sent, rejected + result.rejected
            due = self._outbox.next_due_at()
            now = self._clock()
            if due is None or now >= deadline:
                return FlushResult(sent, rejected, result.retry_at, result.error,
                                   result.remaining)
            self._sleep(max(0.0, min(due, deadline) - now))


def _batch(max_items: int | None, done: int) -> int:
    """Read a small batch at a time, so a long queue is not decrypted all at once."""
    return 50 if max_items is None else min(50, max_items - done)
