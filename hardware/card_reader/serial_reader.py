"""The real ID card reader driver: SAM frames over a serial line (pyserial).

The URL goes to `serial.serial_for_url`, so a tty (`/dev/idcard`, a udev symlink), a pty
path, `socket://host:port` (a serial server) or `loop://` all work.
"""

from __future__ import annotations

import logging
import threading
import time

import serial

from hardware.card_reader.sam_protocol import (
    ChecksumError, Command, FrameDecoder, FrameLengthError, Response, TruncatedFrameError,
    encode_request, plausible_answer,
)
from hardware.card_reader.sam_reader import SamCardReader
from hardware.errors import DeviceConfigError, DeviceNotFoundError, DeviceTimeoutError

try:  # pyserial lets termios errors through from reset_input_buffer on a hung-up tty
    import termios
    _TERMIOS_ERRORS: tuple[type[Exception], ...] = (termios.error,)
except ImportError:  # pragma: no cover - not POSIX
    _TERMIOS_ERRORS = ()

log = logging.getLogger(__name__)

# What a vanished device raises from pyserial: SerialException (read/write failed, "ready
# to read but returned no data"), OSError (EIO from ioctl), termios.error (tcflush).
_LINE_ERRORS: tuple[type[Exception], ...] = (serial.SerialException, OSError) + _TERMIOS_ERRORS
# Each read waits at most this long, so the exchange deadline and close() are noticed.
READ_SLICE_S = 0.05


class SerialCardReader(SamCardReader):
    """SAM reader on a serial line. Blocking calls; thread-safe (one lock on the line).

    Every exchange flushes stale input, writes the request and reads until one whole
    plausible answer or ``timeout_s``; an I/O error means the device is gone (NO_DEVICE,
    DeviceNotFoundError, port released so a later `open` can find it again).
    """

    model = "SAM ID card reader (serial)"

    def __init__(self, name: str, url: str, *, baudrate: int = 115200,
                 timeout_s: float = 2.0, retries: int = 2,
                 read_fingerprint: bool = False) -> None:
        super().__init__(name, timeout_s=timeout_s, retries=retries,
                         read_fingerprint=read_fingerprint,
                         transport=url if "://" in url else f"serial:{url}")
        self.url = url
        self.baudrate = baudrate
        self._port: serial.SerialBase | None = None
        self._closing = threading.Event()

    @property
    def _connected(self) -> bool:
        return self._port is not None

    def _connect(self) -> None:
        self._closing.clear()
        try:
            self._port = serial.serial_for_url(self.url, baudrate=self.baudrate,
                                               timeout=READ_SLICE_S,
                                               write_timeout=self.timeout_s)
        except ValueError as exc:  # unknown URL scheme, impossible baud rate
            raise DeviceConfigError(f"card reader {self.name}: cannot use url {self.url!r} "
                                    f"at {self.baudrate} baud: {exc}") from exc
        except _LINE_ERRORS as exc:
            raise DeviceNotFoundError(f"card reader {self.name}: cannot open {self.url}: "
                                      f"{exc}") from exc

    def _disconnect(self) -> None:
        port, self._port = self._port, None
        if port is None:
            return
        try:
            port.close()
        except _LINE_ERRORS as exc:  # closing a vanished port may fail; it is gone anyway
            log.debug("card reader %s: close: %s", self.name, exc)

    def _interrupt(self) -> None:
        self._closing.set()
        port = self._port
        if port is not None and hasattr(port, "cancel_read"):
            try:
                port.cancel_read()
            except _LINE_ERRORS as exc:
                log.debug("card reader %s: cancel_read: %s", self.name, exc)

    def _exchange(self, command: Command, data: bytes, timeout_s: float) -> Response:
        """Send one request and return its answer (blocks at most ~timeout_s + 50 ms)."""
        port = self._port
        if port is None:
            raise DeviceNotFoundError(f"card reader {self.name} is not open")
        frame = encode_request(command.cmd, command.para, data)
        deadline = time.monotonic() + timeout_s
        decoder = FrameDecoder()
        try:
            # Whatever waits in the input is a late answer to an earlier request.
            port.reset_input_buffer()
            port.write(frame)
            while time.monotonic() < deadline:
                if self._closing.is_set():
                    raise DeviceNotFoundError(f"card reader {self.name}: closed during "
                                              f"{command.name}")
                for answer in decoder.feed(port.read(max(1, port.in_waiting))):
                    if plausible_answer(command, answer):
                        return answer
                    self._count("stale_frames")
            decoder.finish()
        except serial.SerialTimeoutException as exc:  # before the generic SerialException
            raise DeviceTimeoutError(f"card reader {self.name}: could not send "
                                     f"{command.name} within {timeout_s:.1f} s") from exc
        except (ChecksumError, FrameLengthError, TruncatedFrameError) as exc:
            raise type(exc)(f"card reader {self.name}: answer to {command.name}: {exc}"
                            ) from exc
        except _LINE_ERRORS as exc:
            self._lost(f"I/O error on {self.url}: {exc}", exc)
        raise DeviceTimeoutError(f"card reader {self.name}: no answer to {command.name} "
                                 f"within {timeout_s:.1f} s")
