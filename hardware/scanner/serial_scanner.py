"""SerialScanner: USB-CDC scanners (``/dev/ttyACM*``) and anything pyserial opens by URL.

The scanner sends each code followed by a suffix (CR by default; CR LF or LF on some
models: set ``suffix`` to what the scanner is configured for). `LineSplitter` (pure) cuts
the byte stream into reads; a line that never ends is cut at ``max_length`` and the rest
is dropped up to the next suffix, so the buffer stays bounded whatever arrives. A partial
line with no byte for ``line_timeout_s`` is refused as "unterminated" (a scanner set to
send no suffix shows up that way in the log instead of gluing two codes together).

Unplugging makes the read fail (SerialException / OSError) at once: the port is released
and the status turns NO_DEVICE; close()+open() after replugging brings it back.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time

import serial

from hardware.base import DeviceInfo
from hardware.errors import DeviceNotFoundError, HardwareError
from hardware.scanner.filter import SUFFIXES, ScanFilter
from hardware.scanner.interface import Scanner

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 0.2  # bounds how long close() and unplug detection wait on a read
READ_CHUNK = 512
_NOT_THERE = {errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.ECONNREFUSED,
              errno.EHOSTUNREACH}


class LineSplitter:
    """Cuts a byte stream into lines at ``suffix``; pure, bounded memory.

    `feed` returns the complete lines (suffix removed). A line longer than ``max_length``
    comes out cut to ``max_length + 1`` bytes, so the ScanFilter refuses it as too long,
    and the rest of it up to the next suffix is skipped. Memory stays under
    ``max_length + len(suffix)`` bytes plus one chunk being fed. The lines do not depend
    on how the stream is chunked.
    """

    def __init__(self, suffix: bytes = b"\r", max_length: int = 1024) -> None:
        if not suffix or max_length < 1:
            raise ValueError("suffix must not be empty and max_length must be >= 1")
        self.suffix = suffix
        self.max_length = max_length
        self._buffer = bytearray()
        self._skipping = False  # inside the tail of a cut line

    def feed(self, data: bytes) -> list[bytes]:
        lines: list[bytes] = []
        self._buffer += data
        while True:
            end = self._buffer.find(self.suffix)
            if end < 0:
                break
            line = bytes(self._buffer[:end])
            del self._buffer[:end + len(self.suffix)]
            if self._skipping:
                self._skipping = False  # the end of a line already reported as cut
            else:
                lines.append(line[:self.max_length + 1])
        # A line of max_length bytes may still have a partial suffix behind it: wait.
        if len(self._buffer) > self.max_length + len(self.suffix) - 1:
            if not self._skipping:
                lines.append(bytes(self._buffer[:self.max_length + 1]))
                self._skipping = True
            # Keep only what could be the start of a split suffix.
            keep = len(self.suffix) - 1
            del self._buffer[:len(self._buffer) - keep]
        return lines

    @property
    def mid_line(self) -> bool:
        """True while a line has started and not ended (including a cut line's tail)."""
        return self._skipping or bool(self._buffer)

    def flush(self) -> bytes:
        """End the current line without its suffix (the "unterminated" timeout).

        Returns the unfinished line, or b"" when only a cut line's tail was pending (that
        line was already reported). Afterwards the next byte starts a new line.
        """
        rest = b"" if self._skipping else bytes(self._buffer)
        self._buffer.clear()
        self._skipping = False
        return rest


class SerialScanner(Scanner):
    """A scanner on a serial port or pyserial URL (tty path, ``socket://``, ``loop://``)."""

    transport = "serial"

    def __init__(self, name: str, port: str, *, baudrate: int = 9600, suffix: str = "CR",
                 max_length: int = 1024, window_s: float = 2.0,
                 gb18030_fallback: bool = False, line_timeout_s: float = 1.0) -> None:
        encodings = ("utf-8", "gb18030") if gb18030_fallback else ("utf-8",)
        super().__init__(name, ScanFilter(window_s=window_s, max_length=max_length,
                                          encodings=encodings))
        if suffix not in SUFFIXES:
            raise ValueError(f"suffix must be one of {', '.join(SUFFIXES)}")
        self.port = port
        self.baudrate = baudrate
        self.suffix = suffix
        self.line_timeout_s = line_timeout_s
        self._serial: serial.SerialBase | None = None
        self._info = DeviceInfo(transport=f"serial:{port}")

    def capabilities(self) -> dict[str, object]:
        return {**super().capabilities(), "suffix": self.suffix}

    # -- transport hooks -----------------------------------------------------------------
    def _connect(self) -> None:
        is_url = "://" in self.port
        try:
            # exclusive: refuse a port another process holds locked (a second kiosk, a
            # technician's terminal program) instead of sharing its bytes.
            self._serial = serial.serial_for_url(
                self.port, baudrate=self.baudrate, timeout=READ_TIMEOUT_S,
                **({} if is_url else {"exclusive": True}))
        except (serial.SerialException, OSError, ValueError) as exc:
            cause = exc.__context__ if isinstance(exc.__context__, OSError) else exc
            code = getattr(cause, "errno", None) or getattr(exc, "errno", None)
            if code in _NOT_THERE:
                raise DeviceNotFoundError(f"scanner port {self.port} not there: {exc}") from exc
            hint = " (is the kiosk user in the dialout group?)" if code == errno.EACCES else ""
            raise HardwareError(f"cannot open scanner port {self.port}: {exc}{hint}") from exc

    def _disconnect(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError) as exc:
                log.debug("scanner %s: closing port: %s", self.name, exc)

    def _wake(self) -> None:
        cancel = getattr(self._serial, "cancel_read", None)  # posix ports and loop://
        if cancel is not None:
            try:
                cancel()
            except (serial.SerialException, OSError):
                pass  # the reader's timeout ends the read anyway

    def _present(self) -> bool | None:
        return None if "://" in self.port else os.path.exists(self.port)

    def _read_loop(self, stopping: threading.Event) -> None:
        port = self._serial
        if port is None:
            raise DeviceNotFoundError(f"scanner port {self.port} is closed")
        splitter = LineSplitter(SUFFIXES[self.suffix], self.filter.max_length)
        last_byte = time.monotonic()
        while not stopping.is_set():
            try:
                # in_waiting first: read everything buffered in one call; else block
                # up to READ_TIMEOUT_S for the first byte.
                data = port.read(max(1, min(port.in_waiting, READ_CHUNK)))
            except (serial.SerialException, OSError) as exc:
                if stopping.is_set():
                    return
                raise DeviceNotFoundError(f"scanner {self.port} gone: {exc}") from exc
            now = time.monotonic()
            if data:
                last_byte = now
                for line in splitter.feed(data):
                    self._deliver(line)
            elif splitter.mid_line and now - last_byte > self.line_timeout_s:
                rest = splitter.flush()
                if rest:
                    self._reject("unterminated", len(rest))
