"""The terminal's link to the platform: outbox sending, heartbeats and catalogue sync.

Two worker threads (kiosk.worker.LoopWorker), so a long catalogue download never holds
back a resident's submission:

- "outbox": sends due items in order (OutboxSender over OutboxTransport), sleeps until
  the head of the queue is due again or `submit` wakes it; every `heartbeat_interval_s`
  it queues a heartbeat built by `heartbeat()` (only the newest unsent one is kept),
  and at once after `heartbeat_soon()` (such extra heartbeats at most one every
  `heartbeat_min_gap_s`, so a flapping device cannot flood the outbox);
- "sync": runs `sync()` at start and every `sync_interval_s`, or at once on `sync_now()`;
  after a failure it tries again sooner (`sync_retry_s`).

`submit()` is the one way a flow hands the platform something: it returns only when the
item is durably in the outbox, and only then may the resident be told it was received.
It blocks on one fsync (milliseconds): flows call it from a worker, not the UI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from common.errors import KioskError
from kiosk.connectivity import LinkStatus
from kiosk.worker import LoopWorker
from offline.outbox import HEARTBEAT, Outbox, OutboxItem
from offline.outbox_sender import FlushResult, OutboxSender

log = logging.getLogger(__name__)


class Deliveries:
    """What the platform answered to recently delivered items, by idempotency key.

    The outbox delivers asynchronously; a flow that has just submitted may wait briefly
    (`wait`) for its own item's answer, e.g. to print the 办件编号 on the receipt. Wired as
    `OutboxTransport(on_delivered=deliveries.record)`. Keeps only the few non-personal
    fields of an answer (`KEPT_FIELDS`), and only the newest `keep` answers.
    """

    KEPT_FIELDS = ("id", "number", "status", "service_id", "service_name", "submitted_at",
                   "received_at", "expected_response")

    def __init__(self, keep: int = 64) -> None:
        self._keep = keep
        self._answers: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._cond = threading.Condition()

    def record(self, item: OutboxItem, body: Mapping[str, Any]) -> None:
        if item.kind == HEARTBEAT:
            return
        kept = {k: body[k] for k in self.KEPT_FIELDS if isinstance(body, Mapping) and k in body}
        with self._cond:
            self._answers[item.key] = kept
            self._answers.move_to_end(item.key)
            while len(self._answers) > self._keep:
                self._answers.popitem(last=False)
            self._cond.notify_all()

    def wait(self, key: str, timeout_s: float) -> dict[str, Any] | None:
        """The platform's answer to item `key` once delivered, or None after `timeout_s`."""
        deadline = time.monotonic() + max(0.0, timeout_s)
        with self._cond:
            while key not in self._answers:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return dict(self._answers[key])


@dataclass(frozen=True)
class LinkTimings:
    heartbeat_interval_s: float = 60.0
    sync_interval_s: float = 900.0
    sync_retry_s: float = 60.0
    idle_poll_s: float = 30.0  # how often an empty or backed-off outbox is looked at
    heartbeat_min_gap_s: float = 2.0  # between two heartbeats sent for status changes


class PlatformLink:
    def __init__(self, outbox: Outbox, send: Callable[[OutboxItem], None], *,
                 sync: Callable[[], Any] | None = None,
                 heartbeat: Callable[[], Mapping[str, Any]] | None = None,
                 timings: LinkTimings = LinkTimings(),
                 clock: Callable[[], float] = time.time,
                 deliveries: Deliveries | None = None) -> None:
        self.outbox = outbox
        self.deliveries = deliveries or Deliveries()
        self._sender = OutboxSender(outbox, send, clock=clock)
        self._sync, self._heartbeat = sync, heartbeat
        self._t, self._clock = timings, clock
        self._next_heartbeat = 0.0
        self._last_change_heartbeat = float("-inf")
        self._status_changed = False
        self._change_pending = False
        self._release_backoff = False
        self.last_flush: FlushResult | None = None
        self.last_sync_result: Any = None
        self.last_sync_error: str = ""
        self._outbox_worker = LoopWorker("outbox", self._outbox_step,
                                         interval_s=timings.idle_poll_s, error_delay_s=10.0)
        self._sync_worker = LoopWorker("sync", self._sync_step,
                                       interval_s=timings.sync_interval_s,
                                       error_delay_s=timings.sync_retry_s)

    # --- control ---------------------------------------------------------------------------
    def start(self) -> None:
        self._outbox_worker.start()
        if self._sync is not None:
            self._sync_worker.start()

    def stop(self, timeout_s: float = 10.0) -> bool:
        ok = self._outbox_worker.stop(timeout_s)
        return self._sync_worker.stop(timeout_s) and ok

    def submit(self, kind: str, payload: Mapping[str, Any], *, personal: bool = True,
               key: str | None = None) -> OutboxItem:
        """Queue durably (raises StorageError if that fails: then tell the resident it was
        NOT saved) and wake the sender. Blocks on one fsync."""
        item = self.outbox.enqueue(kind, payload, personal=personal, key=key)
        self._outbox_worker.wake()
        return item

    def wait_delivered(self, key: str, timeout_s: float) -> dict[str, Any] | None:
        """Send now and wait up to `timeout_s` for the platform's answer to item `key`
        (None: not acknowledged in time; it stays queued and is sent later). Blocks: call
        from a worker. Answers arrive only when `deliveries` is wired to the transport."""
        self._outbox_worker.wake()
        return self.deliveries.wait(key, timeout_s)

    def queued(self, kind: str) -> list[OutboxItem]:
        """Items of `kind` saved but not yet acknowledged, decrypted (read only). Blocks on
        disk: call from a worker, and keep only the non-personal fields that are shown."""
        return self.outbox.queued(kind)

    def sync_now(self) -> None:
        self._sync_worker.wake()

    def flush_now(self) -> None:
        self._outbox_worker.wake()

    def heartbeat_soon(self) -> None:
        """Something the heartbeat reports changed (a device status, e.g. the printer ran
        out of paper; the catalogue version after a sync): queue a heartbeat now (or
        `heartbeat_min_gap_s` after the last one sent for a change) instead of waiting for
        the next period. Never blocks (the outbox worker does it); any thread."""
        if self._heartbeat is not None:
            self._status_changed = True
            self._outbox_worker.wake()

    def on_link_change(self, status: LinkStatus) -> None:
        """Connectivity listener: when the platform answers again, send the backlog now
        instead of waiting out each item's backoff. Never blocks (the worker does it)."""
        if status.online:
            self._release_backoff = True
            self._outbox_worker.wake()

    # --- the steps (worker threads) ----------------------------------------------------------
    def _outbox_step(self) -> float:
        now = self._clock()
        if self._release_backoff:
            self._release_backoff = False
            released = self.outbox.retry_now(now)
            if released:
                log.info("platform answers again: %d queued item(s) sent now", released)
        if self._status_changed:
            self._status_changed, self._change_pending = False, True
            soonest = self._last_change_heartbeat + self._t.heartbeat_min_gap_s
            self._next_heartbeat = min(self._next_heartbeat, soonest)
        if self._heartbeat is not None and now >= self._next_heartbeat:
            self._next_heartbeat = now + self._t.heartbeat_interval_s
            if self._change_pending:
                self._change_pending, self._last_change_heartbeat = False, now
            try:
                self.outbox.enqueue(HEARTBEAT, dict(self._heartbeat()), personal=False)
            except KioskError as exc:
                log.error("heartbeat not queued: %s", exc)
        result = self._sender.flush()
        self.last_flush = result
        waits = [self._t.idle_poll_s]
        due = self.outbox.next_due_at()
        if due is not None:
            waits.append(due - self._clock())
        if self._heartbeat is not None:
            waits.append(self._next_heartbeat - self._clock())
        return max(0.05, min(waits))

    def _sync_step(self) -> float | None:
        try:
            self.last_sync_result = self._sync()  # type: ignore[misc]
        except KioskError as exc:
            self.last_sync_error = str(exc)
            log.warning("catalogue sync failed (the cached catalogue stays in use): %s", exc)
            return self._t.sync_retry_s
        self.last_sync_error = ""
        return None
