"""FakeSerialScanner: a USB-CDC scanner played on a pseudo-terminal, for tests and demos.

The driver under test opens ``.link``, a symlink in a temporary folder pointing at the
pty's slave end (like the udev ``SYMLINK+="scanner"`` rule on a terminal); ``.port`` is
the slave's real name. `unplug()` closes the master end, which makes reads on the slave
fail as a pulled USB cable does, and removes the link; `replug()` makes a new pty and
re-points the link, as udev does for the re-enumerated device.

Nothing here can hang the test process: writes are non-blocking with a 2 s deadline.
"""

from __future__ import annotations

import os
import select
import shutil
import tempfile
import time
import tty

WRITE_DEADLINE_S = 2.0


class FakeSerialScanner:
    """Plugged in when built. Control: `scan`, `send_raw`, `unplug`, `replug`, `close`."""

    def __init__(self, directory: str | None = None, name: str = "scanner") -> None:
        self._own_dir = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="fake-scanner-")
        self.link = os.path.join(self.directory, name)
        self.port = ""
        self._master: int | None = None
        self._slave: int | None = None
        self.replug()

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def scan(self, text: str, suffix: bytes = b"\r") -> int:
        """Send ``text`` (UTF-8) and the suffix, as the scanner does on a read."""
        return self.send_raw(text.encode("utf-8") + suffix)

    def send_raw(self, data: bytes) -> int:
        """Write bytes to the port; returns how many were written (0 when unplugged,
        where a real scanner's output goes nowhere). Raises TimeoutError if the reader
        leaves the port's buffer full for 2 s."""
        master = self._master
        if master is None:
            return 0
        view, deadline = memoryview(data), time.monotonic() + WRITE_DEADLINE_S
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"fake scanner {self.port}: nobody reads the port")
            _, writable, _ = select.select([], [master], [], left)
            if writable:
                try:
                    view = view[os.write(master, view):]
                except BlockingIOError:
                    continue
        return len(data)

    def unplug(self) -> None:
        """Pull the cable: close the master end (reads on the slave fail) and drop the link."""
        master, self._master = self._master, None
        slave, self._slave = self._slave, None
        for fd in (master, slave):  # master first: its close is the hang-up
            if fd is not None:
                os.close(fd)
        try:
            os.unlink(self.link)
        except FileNotFoundError:
            pass

    def replug(self) -> None:
        """Plug in again: a new pty (a new port name) and the link re-pointed to it."""
        if self._master is not None:
            return
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line discipline: bytes pass as they are
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self.port = os.ttyname(slave)
        # Atomic re-point, as udev replaces a SYMLINK: a reader never sees it missing.
        tmp = self.link + ".new"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(self.port, tmp)
        os.replace(tmp, self.link)

    def close(self) -> None:
        """Unplug and remove the temporary folder (when this object made it)."""
        self.unplug()
        if self._own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> FakeSerialScanner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
