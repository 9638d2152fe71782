"""The scanner interface: events, the reader-thread lifecycle every scanner shares.

Scanners push codes: `open()` connects and starts a background reader thread, `close()`
stops it. `start()` / `stop()` arm and disarm delivery without touching the connection
(while stopped, what is read is drained and discarded, so a code shown to the scanner on
the wrong screen never fires later). Every read goes through a `ScanFilter`; accepted
codes are emitted as `CodeScanned`, refused reads as `ScanRejected`, on the reader thread.

Scanned codes are identity tokens (随申码, offline codes): they never appear in a log line
or a repr, only their length and a short keyed hash (`fingerprint`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass, field

from hardware.base import Device, DeviceKind, DeviceStatus
from hardware.errors import DeviceNotFoundError, HardwareError
from hardware.scanner.filter import CodeRejected, ScanFilter

log = logging.getLogger(__name__)

# A per-process key: fingerprints let a technician see "the same code twice" within one
# run, but cannot be matched against a list of hashed ID numbers (tokens are low-entropy).
_FINGERPRINT_KEY = os.urandom(16)
JOIN_TIMEOUT_S = 2.0


def fingerprint(text: str) -> str:
    """``len=12 h=3fa9c01b``: what logs and reprs show instead of a scanned token."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4,
                             key=_FINGERPRINT_KEY).hexdigest()
    return f"len={len(text)} h={digest}"


# -- events ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CodeScanned:
    """A code was read and accepted. ``text`` is the exact payload; never log it."""

    device: str
    text: str = field(repr=False)
    symbology: str = ""  # "qr", "code128" from a camera; "" where the scanner does not say
    at: float = field(default_factory=time.time)

    def __repr__(self) -> str:
        return (f"CodeScanned(device={self.device!r}, text=<{fingerprint(self.text)}>, "
                f"symbology={self.symbology!r}, at={self.at!r})")


@dataclass(frozen=True)
class ScanRejected:
    """A read was refused; ``reason`` is a `CodeRejected` reason, ``length`` in bytes."""

    device: str
    reason: str
    length: int
    at: float = field(default_factory=time.time)


# -- the interface ---------------------------------------------------------------------
class Scanner(Device):
    """Base of every scanner driver: reader thread, arming, filtering and health.

    Subclasses implement the transport hooks: `_connect` (blocking; raises
    DeviceNotFoundError or HardwareError), `_disconnect` (idempotent, never raises, may be
    called from the reader thread and from `close` at once), `_read_loop` (runs on the
    reader thread until ``stopping`` is set; hands each raw read to `_deliver`; raises
    DeviceNotFoundError when the device goes away) and optionally `_present`.
    """

    kind = DeviceKind.SCANNER
    transport = ""

    def __init__(self, name: str, scan_filter: ScanFilter | None = None) -> None:
        super().__init__(name)
        self.filter = scan_filter or ScanFilter()
        self._life = threading.Lock()  # serialises open/close; never taken by the reader
        self._stopping = threading.Event()  # replaced on each open(): one per reader thread
        self._armed = threading.Event()
        self._armed.set()
        self._thread: threading.Thread | None = None

    # -- lifecycle (blocking) ------------------------------------------------------------
    def open(self) -> None:
        """Connect and start the reader thread; ONLINE on success. Idempotent.

        Raises DeviceNotFoundError (status NO_DEVICE) or HardwareError (HARDWARE_ERROR).
        Forgets recently seen codes, so a code scanned again after a reconnect counts.
        """
        with self._life:
            if self.reader_alive:
                if self._status.usable:
                    return
                self._shutdown()  # check() found it gone while the reader still ran
            try:
                self._connect()
            except DeviceNotFoundError as exc:
                self._set_status(DeviceStatus.NO_DEVICE, str(exc))
                raise
            except HardwareError as exc:
                self._set_status(DeviceStatus.HARDWARE_ERROR, str(exc))
                raise
            self.filter.reset()
            self._stopping = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stopping,),
                                            daemon=True, name=f"scanner-{self.name}")
            self._set_status(DeviceStatus.ONLINE)
            self._thread.start()

    def close(self) -> None:
        """Stop the reader thread (waits up to 2 s) and release the device; never raises."""
        with self._life:
            self._shutdown()
            if self._status != DeviceStatus.NO_DEVICE:
                self._set_status(DeviceStatus.OFFLINE, "closed")

    def _shutdown(self) -> None:
        # Caller holds self._life.
        self._stopping.set()
        self._wake()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(JOIN_TIMEOUT_S)
            if thread.is_alive():
                log.warning("scanner %s: reader thread did not stop within %.0f s",
                            self.name, JOIN_TIMEOUT_S)
        self._disconnect()

    def start(self) -> None:
        """Arm delivery: codes read from now on are emitted. Does no I/O."""
        if not self._armed.is_set():
            self.filter.reset()  # a code shown before arming counts when shown again
            self._armed.set()

    def stop(self) -> None:
        """Disarm delivery: reads are drained and discarded until `start`. Does no I/O."""
        self._armed.clear()

    @property
    def reading(self) -> bool:
        """True while codes are delivered (armed)."""
        return self._armed.is_set()

    @property
    def reader_alive(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def check(self) -> DeviceStatus:
        """Health without I/O beyond a path lookup: reader thread alive, device present.

        NO_DEVICE when the device node disappeared (even if reads have not failed yet),
        HARDWARE_ERROR when the reader thread stopped on its own. A failed scanner stays
        failed until close()+open(): the device manager reopens it.
        """
        thread, status = self._thread, self._status
        if thread is not None and status.usable:
            if not thread.is_alive():
                self._set_status(DeviceStatus.HARDWARE_ERROR, "reader thread stopped")
            elif self._present() is False:
                self._set_status(DeviceStatus.NO_DEVICE, "device path gone")
        return self._status

    def capabilities(self) -> dict[str, object]:
        return {"transport": self.transport, "chinese": True, "symbologies": []}

    # -- transport hooks -----------------------------------------------------------------
    def _connect(self) -> None:
        raise NotImplementedError

    def _disconnect(self) -> None:
        raise NotImplementedError

    def _read_loop(self, stopping: threading.Event) -> None:
        raise NotImplementedError

    def _wake(self) -> None:
        """Cut short a blocking read so the reader sees `close` at once (optional)."""

    def _present(self) -> bool | None:
        """Whether the device node is there now; None where that cannot be told."""
        return None

    # -- reader thread -------------------------------------------------------------------
    def _run(self, stopping: threading.Event) -> None:
        try:
            self._read_loop(stopping)
        except DeviceNotFoundError as exc:
            self._lost(stopping, DeviceStatus.NO_DEVICE, str(exc))
        except HardwareError as exc:
            self._lost(stopping, DeviceStatus.HARDWARE_ERROR, str(exc))
        except Exception as exc:  # the thread's top level: report, never die silently
            log.exception("scanner %s: reader failed", self.name)
            self._lost(stopping, DeviceStatus.HARDWARE_ERROR,
                       f"reader failed: {type(exc).__name__}")

    def _lost(self, stopping: threading.Event, status: DeviceStatus, detail: str) -> None:
        if stopping.is_set():
            return  # close() is under way; errors from the closing port are expected
        # Release at once: a ttyACM kept open after unplug comes back as another number.
        self._disconnect()
        self._count("disconnects" if status == DeviceStatus.NO_DEVICE else "failures")
        self._set_status(status, detail)

    def _deliver(self, raw: bytes | str, symbology: str = "") -> None:
        """Filter one raw read and emit the outcome (reader thread)."""
        if not self._armed.is_set():
            self._count("discarded")
            return
        try:
            text = self.filter.accept(raw)
        except CodeRejected as exc:
            self._reject(exc.reason, exc.length)
            return
        if text is None:
            self._count("duplicates")
            return
        self._count("scans")
        log.info("scanner %s: code %s%s", self.name, fingerprint(text),
                 f" ({symbology})" if symbology else "")
        self._emit(CodeScanned(self.name, text, symbology))

    def _reject(self, reason: str, length: int) -> None:
        """Emit a refused read (reader thread); discarded like any read while disarmed."""
        if not self._armed.is_set():
            self._count("discarded")
            return
        self._count("rejected")
        log.warning("scanner %s: read rejected (%s, %d bytes)", self.name, reason, length)
        self._emit(ScanRejected(self.name, reason, length))
