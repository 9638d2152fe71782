"""A background thread that runs one step now and then, and can be woken or stopped.

Used for the platform link (catalogue sync, outbox sending, heartbeats): network and disk
work that must never run on the UI thread. The step returns how long to wait before the
next run (None: the default interval); `wake()` runs it again soon; `stop()` ends the
loop after the current step and joins the thread.

A step that raises is logged with its traceback (technician log) and retried after
`error_delay_s`: a worker that dies silently would leave a terminal that never sends
again, which is worse than a noisy one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class LoopWorker:
    def __init__(self, name: str, step: Callable[[], float | None], *, interval_s: float,
                 error_delay_s: float = 30.0) -> None:
        self.name = name
        self._step = step
        self._interval, self._error_delay = interval_s, error_delay_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0
        self.failures = 0

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"worker {self.name} already started")
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run the step again as soon as the current one (if any) ends. Never blocks."""
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> bool:
        """Ask the loop to end and wait up to `timeout_s`; True if the thread has ended."""
        self._stopping.set()
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                delay = self._step()
            except Exception:  # noqa: BLE001 - the loop must outlive any one failure; logged
                self.failures += 1
                log.exception("worker %s: step failed; retrying in %.0f s",
                              self.name, self._error_delay)
                delay = self._error_delay
            self.runs += 1
            wait = self._interval if delay is None else max(0.0, delay)
            self._wake.wait(wait)
