"""Builds every configured device, opens it, watches its health and reopens it.

One watcher thread does all of it, so starting the kiosk never waits on a device: the
first open happens there. A device that fails to open or goes away is reported loudly (its
status, an ERROR line in the log, a `StatusChanged` event) and retried with a growing pause;
it is never replaced by a simulator. Simulators are used only where configured.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Protocol

from hardware.base import Device, DeviceInfo, DeviceStatus, Listener
from hardware.errors import HardwareError
from hardware.registry import build_device

log = logging.getLogger(__name__)

BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)
FAILED = (DeviceStatus.NO_DEVICE, DeviceStatus.HARDWARE_ERROR)


class DeviceTable(Protocol):
    """What the manager needs of a configured device (config.schema.DeviceSpec fits)."""

    name: str
    kind: str
    driver: str
    enabled: bool
    options: Mapping[str, Any]


@dataclass(frozen=True)
class DeviceReport:
    """One line of the device list for technicians and the heartbeat."""

    name: str
    kind: str
    driver: str
    status: DeviceStatus
    detail: str
    info: DeviceInfo
    last_error: str
    counters: dict[str, int] = field(default_factory=dict)


@dataclass
class _Watched:
    device: Device
    driver: str
    opened: bool = False
    failures: int = 0
    next_try: float = 0.0


class DeviceManager:
    """Owns the devices of one terminal. Thread-safe for the calls listed as such."""

    def __init__(self, tables: Iterable[DeviceTable], *, poll_interval_s: float = 0.5,
                 clock: Callable[[], float] = time.monotonic,
                 build: Callable[..., Device] = build_device) -> None:
        """Remember the enabled device tables; nothing is imported, built or opened yet.

        Building imports the drivers (OpenCV, python-escpos: a good part of a second), so
        it happens in `build` — called by the watcher thread, after the first frame.
        """
        self.poll_interval_s = poll_interval_s
        self._clock = clock
        self._build_device = build
        self._tables = [t for t in tables if t.enabled]
        for table in tables:
            if not table.enabled:
                log.info("device %s (%s) disabled in the configuration", table.name, table.kind)
        self._built = False
        self._watched: dict[str, _Watched] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def build(self) -> None:
        """Construct (not open) every enabled device. Blocking (imports drivers).

        Raises DeviceConfigError for a table its driver refuses; the configuration check
        at start-up has normally refused those already.
        """
        if self._built:
            return
        watched = {}
        for table in self._tables:
            context = {}
            if table.kind == "scanner" and table.driver == "camera":
                context["resolve"] = self.camera
            device = self._build_device(table.name, table.kind, table.driver, table.options,
                                        **context)
            device.subscribe(self._forward)
            watched[table.name] = _Watched(device, table.driver)
        self._watched, self._built = watched, True

    # -- lookup (thread-safe) ------------------------------------------------------------
    @property
    def devices(self) -> list[Device]:
        return [w.device for w in self._watched.values()]

    def get(self, name: str) -> Device:
        return self._watched[name].device

    def by_kind(self, kind: str) -> list[Device]:
        return [w.device for w in self._watched.values() if w.device.kind.value == kind]

    def camera(self, name: str) -> Device:
        """The camera called ``name`` (for camera scanners); KeyError if none."""
        device = self.get(name)
        if device.kind.value != "camera":
            raise KeyError(f"{name} is a {device.kind.value}, not a camera")
        return device

    def statuses(self) -> dict[str, DeviceStatus]:
        return {name: w.device.status for name, w in self._watched.items()}

    def kind_ready(self) -> dict[str, bool]:
        """Per kind: is at least one device of that kind usable now."""
        ready: dict[str, bool] = {}
        for w in self._watched.values():
            kind = w.device.kind.value
            ready[kind] = ready.get(kind, False) or w.device.status.usable
        return ready

    def report(self) -> list[DeviceReport]:
        return [DeviceReport(name, w.device.kind.value, w.driver, w.device.status,
                             w.device.detail, w.device.info, w.device.last_error,
                             dict(w.device.counters))
                for name, w in self._watched.items()]

    # -- events ----------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Receive every device's events (on the thread that noticed them)."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def _forward(self, event: Any) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a faulty subscriber must not stop the watcher
                log.exception("device event listener failed on %s", type(event).__name__)

    # -- the watcher -----------------------------------------------------------------------
    def start(self) -> None:
        """Start the watcher thread; returns at once (devices open in the background)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="device-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop watching and close every device (blocks up to ``timeout_s``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        for w in self._watched.values():
            self._close(w)

    def _run(self) -> None:
        try:
            self.build()
        except HardwareError:
            log.critical("devices cannot be built from the configuration", exc_info=True)
            return
        while not self._stop.is_set():
            started = self._clock()
            self.run_once()
            spent = self._clock() - started
            self._stop.wait(max(0.05, self.poll_interval_s - spent))

    def run_once(self) -> None:
        """One pass: build devices the first time, open what is not open yet (when due),
        poll what is. Blocking."""
        self.build()
        for w in list(self._watched.values()):
            if self._stop.is_set():
                return
            if not w.opened or w.device.status in FAILED:
                if self._clock() >= w.next_try:
                    self._open(w)
                continue
            try:
                w.device.poll()
            except HardwareError as exc:
                log.warning("%s poll failed: %s", w.device.name, exc)
            except Exception:  # a driver bug must not kill the watcher thread
                log.exception("%s poll crashed", w.device.name)

    def _open(self, w: _Watched) -> None:
        if w.opened:
            self._close(w)
        try:
            w.device.open()
        except HardwareError as exc:
            if w.device.status not in FAILED:
                w.device.report_failure(exc)
            w.failures += 1
            delay = BACKOFF_S[min(w.failures - 1, len(BACKOFF_S) - 1)]
            w.next_try = self._clock() + delay
            level = logging.ERROR if w.failures == 1 else logging.DEBUG
            log.log(level, "%s %s (%s) cannot be opened: %s; retrying in %.0fs",
                    w.device.kind.value, w.device.name, w.driver, exc, delay)
            return
        except Exception as exc:  # a driver bug: report a hardware error, keep watching
            log.exception("%s open crashed", w.device.name)
            w.device.report_failure(exc)
            w.failures += 1
            w.next_try = self._clock() + BACKOFF_S[-1]
            return
        if w.failures:
            log.info("%s %s is back after %d failed attempt(s)", w.device.kind.value,
                     w.device.name, w.failures)
        w.opened, w.failures, w.next_try = True, 0, 0.0

    @staticmethod
    def _close(w: _Watched) -> None:
        if w.opened:
            try:
                w.device.close()
            except Exception:  # close must never stop the others from closing
                log.exception("%s close failed", w.device.name)
            w.opened = False
