"""Online/offline state of the terminal, derived from real results of platform calls.

Nothing here probes the network on its own: every call the platform client makes reports
whether the platform answered (`report(True)`) or not (`report(False, reason)`). One
failed call (after its own retries) makes the terminal offline; any answer makes it
online again. Before the first result the state is UNKNOWN: the offline banner is not
shown yet, but flows promise nothing that needs the line unless the state is ONLINE.

Listeners are called on the thread that reported; the app passes them through its
scheduler to reach the UI thread.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


class LinkState(enum.Enum):
    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True)
class LinkStatus:
    state: LinkState
    since: float                  # when the state last changed (clock of the Connectivity)
    last_ok_at: float | None      # last answer from the platform
    last_failure: str             # reason of the last failed call ("" if none yet)
    consecutive_failures: int

    @property
    def online(self) -> bool:
        return self.state is LinkState.ONLINE


class Connectivity:
    """Thread-safe holder of the link state, fed by PlatformClient's observer."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        now = clock()
        self._status = LinkStatus(LinkState.UNKNOWN, now, None, "", 0)
        self._listeners: list[Callable[[LinkStatus], None]] = []

    @property
    def status(self) -> LinkStatus:
        with self._lock:
            return self._status

    def subscribe(self, listener: Callable[[LinkStatus], None]) -> Callable[[], None]:
        """Call ``listener`` on every change; returns the function that stops it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def report(self, reached: bool, reason: str = "") -> None:
        """One call's outcome. Called from worker threads; never blocks on I/O."""
        now = self._clock()
        with self._lock:
            old = self._status
            if reached:
                new = LinkStatus(LinkState.ONLINE,
                                 old.since if old.state is LinkState.ONLINE else now,
                                 now, old.last_failure, 0)
            else:
                new = LinkStatus(LinkState.OFFLINE,
                                 old.since if old.state is LinkState.OFFLINE else now,
                                 old.last_ok_at, reason, old.consecutive_failures + 1)
            self._status = new
            changed = new.state is not old.state
            listeners = list(self._listeners) if changed else []
        if changed:
            if new.state is LinkState.OFFLINE:
                log.warning("platform link: offline (%s)", reason)
            else:
                log.info("platform link: online")
        for listener in listeners:
            listener(new)
