"""EvdevScanner: HID keyboard-wedge scanners read straight from ``/dev/input``.

No python-evdev (it needs a compiler on the terminal): the node is opened read-only, grabbed
with the EVIOCGRAB ioctl so the scanned keystrokes never reach the kiosk window, and
``struct input_event`` records are unpacked with `struct`. `KeyboardWedgeDecoder` turns them
into text. Keyboard wedges cannot carry Chinese text (see `hardware.scanner.wedge`).

Use the stable name, ``/dev/input/by-id/usb-<vendor>_<model>-event-kbd``. The kiosk user
needs read access (the ``input`` group). With ``grab=False`` (tests, or a node shared on
purpose) any readable file or pipe carrying input_event records works; end of file counts
as the device going away.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import select
import struct
import threading

from hardware.base import DeviceInfo
from hardware.errors import DeviceNotFoundError, HardwareError
from hardware.scanner.filter import CodeRejected, ScanFilter
from hardware.scanner.interface import Scanner
from hardware.scanner.wedge import KeyboardWedgeDecoder

log = logging.getLogger(__name__)

# struct input_event on 64-bit Linux: struct timeval (long sec, long usec), __u16 type,
# __u16 code, __s32 value -> 24 bytes.
INPUT_EVENT = struct.Struct("llHHi")
EVIOCGRAB = 0x40044590  # _IOW('E', 0x90, int)
POLL_S = 0.2  # bounds how long close() waits for the reader
READ_RECORDS = 64


def pack_event(type_: int, code: int, value: int, sec: int = 0, usec: int = 0) -> bytes:
    """One input_event record, as the kernel writes it (for tests and fakes)."""
    return INPUT_EVENT.pack(sec, usec, type_, code, value)


class EvdevScanner(Scanner):
    """A keyboard-wedge scanner on an evdev node (or any stream of input_event records)."""

    transport = "hid"

    def __init__(self, name: str, path: str, *, grab: bool = True, max_length: int = 1024,
                 window_s: float = 2.0) -> None:
        super().__init__(name, ScanFilter(window_s=window_s, max_length=max_length))
        self.path = path
        self.grab = grab
        self._fd: int | None = None
        self._decoder = KeyboardWedgeDecoder(max_length)
        self._info = DeviceInfo(transport=f"evdev:{path}")

    def capabilities(self) -> dict[str, object]:
        return {**super().capabilities(), "chinese": False, "grab": self.grab}

    # -- transport hooks -----------------------------------------------------------------
    def _connect(self) -> None:
        """Open read-only and non-blocking, then grab. Raises DeviceNotFoundError or
        HardwareError (no permission; grab refused: not an evdev node, or grabbed by
        another program)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError as exc:
            raise DeviceNotFoundError(f"scanner {self.path} not there") from exc
        except PermissionError as exc:
            raise HardwareError(f"cannot read {self.path}: permission denied "
                                "(is the kiosk user in the input group?)") from exc
        except OSError as exc:
            if exc.errno in (errno.ENODEV, errno.ENXIO):
                raise DeviceNotFoundError(f"scanner {self.path} not there: {exc}") from exc
            raise HardwareError(f"cannot open {self.path}: {exc}") from exc
        if self.grab:
            try:
                fcntl.ioctl(fd, EVIOCGRAB, 1)
            except OSError as exc:
                os.close(fd)
                why = ("another program holds the grab" if exc.errno == errno.EBUSY
                       else "not an evdev input device")
                raise HardwareError(f"cannot grab {self.path}: {why} ({exc}); keystrokes "
                                    "would reach the kiosk window") from exc
        self._decoder.reset()
        self._fd = fd

    def _disconnect(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if self.grab:
            try:
                fcntl.ioctl(fd, EVIOCGRAB, 0)
            except OSError:
                pass  # already gone (unplugged); closing releases the grab anyway
        try:
            os.close(fd)
        except OSError as exc:
            log.debug("scanner %s: closing %s: %s", self.name, self.path, exc)

    def _present(self) -> bool | None:
        return os.path.exists(self.path)

    def _read_loop(self, stopping: threading.Event) -> None:
        fd = self._fd
        if fd is None:
            raise DeviceNotFoundError(f"scanner {self.path} is closed")
        pending = b""
        size = INPUT_EVENT.size
        while not stopping.is_set():
            try:
                ready, _, _ = select.select([fd], [], [], POLL_S)
                if not ready:
                    continue
                data = os.read(fd, size * READ_RECORDS)
            except BlockingIOError:
                continue
            except (OSError, ValueError) as exc:  # ENODEV after unplug; EBADF on close
                if stopping.is_set():
                    return
                raise DeviceNotFoundError(f"scanner {self.path} gone: {exc}") from exc
            if not data:
                raise DeviceNotFoundError(f"scanner {self.path}: end of input")
            pending += data
            whole = len(pending) - len(pending) % size
            for _sec, _usec, type_, code, value in INPUT_EVENT.iter_unpack(pending[:whole]):
                self._key(type_, code, value)
            pending = pending[whole:]

    def _key(self, type_: int, code: int, value: int) -> None:
        try:
            text = self._decoder.feed(type_, code, value)
        except CodeRejected as exc:
            self._reject(exc.reason, exc.length)
            return
        if text is not None:
            self._deliver(text)
