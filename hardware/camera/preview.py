"""The preview thread: grab a frame, hand it on, wait for the next slot; never queue.

Only the newest frame exists (the camera keeps it as its latest); a slow consumer makes the
loop skip slots, never builds a backlog. Frames are paced on a fixed grid (deadline
scheduling) so small delays do not add up and the rate holds.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Generic, TypeVar

from hardware.errors import HardwareError

log = logging.getLogger(__name__)

T = TypeVar("T")


class PreviewLoop(Generic[T]):
    """Calls ``grab`` about ``fps`` times a second on its own thread and passes the result
    to ``deliver``.

    ``grab`` blocks for one frame and raises HardwareError on failure (the camera counts
    failures and sets its status). After ``give_up_after`` consecutive failures the loop
    retries only every ``retry_s`` seconds, so a missing camera costs little CPU.
    ``deliver`` errors are logged and counted, never stop the loop.
    """

    def __init__(self, name: str, grab: Callable[[], T], deliver: Callable[[T], None],
                 fps: float, *, give_up_after: int = 5, retry_s: float = 0.5) -> None:
        self.name = name
        self._grab = grab
        self._deliver = deliver
        self.period = 1.0 / fps
        self._give_up_after = give_up_after
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"preview-{name}", daemon=True)
        self.delivered = 0
        self.deliver_errors = 0

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> None:
        """Start the thread; returns at once."""
        self._thread.start()

    def stop(self, timeout: float) -> bool:
        """Ask the loop to end and wait up to ``timeout`` s; True when it has ended.

        From inside ``deliver`` (the loop's own thread) it only asks, without waiting.
        """
        self._stop.set()
        if threading.current_thread() is self._thread or not self._thread.is_alive():
            return not self._thread.is_alive()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._loop()
        except Exception:  # a bug must show in the log, not end the preview silently
            log.exception("camera %s: preview stopped by an unexpected error", self.name)

    def _loop(self) -> None:
        failures = 0
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                frame = self._grab()
            except HardwareError:
                failures += 1
                wait = self.period if failures < self._give_up_after else self._retry_s
                self._stop.wait(wait)
                next_at = time.monotonic()
                continue
            failures = 0
            self._hand_on(frame)
            next_at += self.period
            now = time.monotonic()
            if next_at < now:  # fell behind (slow read or consumer): skip, do not burst
                next_at = now
            self._stop.wait(next_at - now)

    def _hand_on(self, frame: T) -> None:
        if self._stop.is_set():
            return  # stop_preview has returned to its caller: no callback after that
        try:
            self._deliver(frame)
            self.delivered += 1
        except Exception:  # the UI's callback failing must not kill the camera thread
            self.deliver_errors += 1
            if self.deliver_errors == 1 or self.deliver_errors % 1000 == 0:
                log.exception("camera %s: preview callback failed (%d times)", self.name,
                              self.deliver_errors)
