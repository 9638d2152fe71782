"""What every device shares: kind, XFS4IoT-like status, information, events.

A device's public methods block (they do serial, USB, network or camera I/O) and must be
called off the UI thread; the kiosk runs them in workers and brings results back through
its scheduler. Events (status changes, card present/removed, scanned codes) are delivered
to subscribers on the thread that noticed them; subscribers hand them to the UI thread.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

log = logging.getLogger(__name__)


class DeviceKind(str, enum.Enum):
    CARD_READER = "card_reader"
    SCANNER = "scanner"
    CAMERA = "camera"
    PRINTER = "printer"
    SPEAKER = "speaker"


class DeviceStatus(str, enum.Enum):
    """The common status model (after XFS4IoT ``common.status.device``)."""

    ONLINE = "online"
    OFFLINE = "offline"  # present but not usable now (e.g. opening, switched off)
    NO_DEVICE = "noDevice"  # not there: unplugged, wrong port, nothing listening
    HARDWARE_ERROR = "hardwareError"
    USER_ERROR = "userError"  # the person can fix it: paper out, cover open
    BUSY = "busy"

    @property
    def usable(self) -> bool:
        return self in (DeviceStatus.ONLINE, DeviceStatus.BUSY)


@dataclass(frozen=True)
class DeviceInfo:
    """What the device says about itself; empty where it does not tell."""

    model: str = ""
    serial: str = ""
    firmware: str = ""
    transport: str = ""  # "serial:/dev/idcard", "socket://127.0.0.1:9100", "sim", ...


# -- events ----------------------------------------------------------------------------
@dataclass(frozen=True)
class StatusChanged:
    device: str
    kind: DeviceKind
    status: DeviceStatus
    previous: DeviceStatus
    detail: str = ""
    at: float = field(default_factory=time.time)


DeviceEvent = Any  # StatusChanged or a kind's own event dataclass (CardPresent, CodeScanned...)
Listener = Callable[[DeviceEvent], None]


class Device:
    """Base of every device: name, status, info, capabilities and event subscription.

    Subclasses implement `open`, `close` and `check` (a health probe). Status is kept here
    and only changes through `_set_status`, which emits `StatusChanged`. Reading `status`
    never does I/O.
    """

    kind: ClassVar[DeviceKind]

    def __init__(self, name: str) -> None:
        self.name = name
        self._status = DeviceStatus.OFFLINE
        self._detail = ""
        self._info = DeviceInfo()
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        self.counters: dict[str, int] = {}
        self.last_error = ""

    # -- state ---------------------------------------------------------------------------
    @property
    def status(self) -> DeviceStatus:
        return self._status

    @property
    def detail(self) -> str:
        return self._detail

    @property
    def info(self) -> DeviceInfo:
        return self._info

    def capabilities(self) -> dict[str, Any]:
        """Static facts about what this device can do (overridden per kind)."""
        return {}

    # -- lifecycle (blocking) --------------------------------------------------------------
    def open(self) -> None:
        """Connect to the device. Raises DeviceNotFoundError or HardwareError."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the device; never raises."""
        raise NotImplementedError

    def check(self) -> DeviceStatus:
        """Probe the device now (blocking) and return its status."""
        raise NotImplementedError

    def poll(self) -> None:
        """Periodic duty, called by the device manager's watcher thread (blocking, short).

        The default probes health with `check`. A card reader also looks for a card here
        and emits CardPresent / CardRemoved. Must return within about a second and report
        problems through the status (and typed errors), never by hanging.
        """
        self.check()

    # -- events ------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add an event listener; returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def _emit(self, event: DeviceEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a faulty subscriber must not break the device thread
                log.exception("%s: listener failed on %s", self.name, type(event).__name__)

    def _set_status(self, status: DeviceStatus, detail: str = "") -> None:
        with self._lock:
            previous = self._status
            if status == previous and detail == self._detail:
                return
            self._status, self._detail = status, detail
        failed = status in (DeviceStatus.HARDWARE_ERROR, DeviceStatus.NO_DEVICE,
                            DeviceStatus.USER_ERROR)
        if failed:
            self.last_error = detail or status.value
        log.log(logging.WARNING if failed else logging.INFO,
                "%s %s: %s -> %s%s", self.kind.value, self.name, previous.value, status.value,
                f" ({detail})" if detail else "")
        if status != previous:
            self._emit(StatusChanged(self.name, self.kind, status, previous, detail))

    def report_failure(self, exc: BaseException) -> None:
        """Set the status an error implies: noDevice when the device is not there, else
        hardwareError. Used by drivers and by the manager when an open fails."""
        from hardware.errors import DeviceNotFoundError

        status = (DeviceStatus.NO_DEVICE if isinstance(exc, DeviceNotFoundError)
                  else DeviceStatus.HARDWARE_ERROR)
        self._set_status(status, str(exc))

    def _count(self, counter: str) -> None:
        with self._lock:
            self.counters[counter] = self.counters.get(counter, 0) + 1

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self._status.value}>"
