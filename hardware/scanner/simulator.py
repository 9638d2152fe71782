"""SimulatedScanner: a complete scanner without hardware, for the demo and for tests.

Same lifecycle, statuses, events and filtering as the real drivers: reads go through a
queue to a reader thread started by open(), and through the same ScanFilter, so garbage
given to `scan_raw` is refused exactly as a real scanner's would be. `unplug()` makes the
reader notice within ~50 ms (NO_DEVICE) and makes open() fail until `replug()`.
"""

from __future__ import annotations

import queue
import threading

from hardware.base import DeviceInfo
from hardware.errors import DeviceNotFoundError
from hardware.scanner.filter import ScanFilter
from hardware.scanner.interface import Scanner

POLL_S = 0.05


class SimulatedScanner(Scanner):
    """A scanner driven by `scan`, `scan_raw`, `unplug` and `replug` (control API)."""

    transport = "sim"

    def __init__(self, name: str, *, latency_s: float = 0.0, max_length: int = 1024,
                 window_s: float = 2.0, scan_filter: ScanFilter | None = None) -> None:
        super().__init__(name, scan_filter or ScanFilter(window_s=window_s,
                                                         max_length=max_length))
        self.latency_s = latency_s
        self._plugged = threading.Event()
        self._plugged.set()
        self._connected = False
        self._queue: queue.Queue[tuple[bytes, str]] = queue.Queue()
        self._info = DeviceInfo(model="simulated scanner", transport="sim")

    # -- control API (tests, demo) -------------------------------------------------------
    def scan(self, text: str, symbology: str = "") -> None:
        """Present a code, as a serial scanner would send it (UTF-8). Never blocks."""
        self.scan_raw(text.encode("utf-8"), symbology)

    def scan_raw(self, data: bytes, symbology: str = "") -> None:
        """Send raw bytes as one read. Dropped, like on a real port, unless the simulator
        is open and plugged in."""
        if self._connected and self._plugged.is_set():
            self._queue.put((bytes(data), symbology))

    def unplug(self) -> None:
        """Pull the cable: the reader ends and the status turns NO_DEVICE."""
        self._plugged.clear()

    def replug(self) -> None:
        """Put the cable back; close()+open() brings the scanner ONLINE again."""
        self._plugged.set()

    @property
    def plugged(self) -> bool:
        return self._plugged.is_set()

    # -- transport hooks -----------------------------------------------------------------
    def _connect(self) -> None:
        if not self._plugged.is_set():
            raise DeviceNotFoundError(f"simulated scanner {self.name} is unplugged")
        self._queue = queue.Queue()
        self._connected = True

    def _disconnect(self) -> None:
        self._connected = False

    def _present(self) -> bool | None:
        return self._plugged.is_set()

    def _read_loop(self, stopping: threading.Event) -> None:
        reads = self._queue
        while not stopping.is_set():
            if not self._plugged.is_set():
                raise DeviceNotFoundError(f"simulated scanner {self.name} unplugged")
            try:
                data, symbology = reads.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if self.latency_s:
                stopping.wait(self.latency_s)
            self._deliver(data, symbology)
