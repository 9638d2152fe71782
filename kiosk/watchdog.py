"""systemd service notifications (the sd_notify protocol) without python-systemd.

systemd starts the kiosk with ``Type=notify`` and ``WatchdogSec=``: it passes the address of
its notification socket in ``$NOTIFY_SOCKET`` (a datagram ``AF_UNIX`` socket; a name that
starts with ``@`` lives in the abstract namespace) and, with a watchdog, the timeout in
``$WATCHDOG_USEC`` and the process meant to ping in ``$WATCHDOG_PID``. The kiosk sends:

- ``READY=1`` once the first frame is on screen (the unit then counts as started),
- ``WATCHDOG=1`` every half timeout, from the UI main loop (screens/watchdog_hook.py), so a
  frozen UI stops the pings and systemd kills and restarts the kiosk,
- ``STATUS=...`` one line for ``systemctl status`` saying what the kiosk is doing,
- ``STOPPING=1`` on a clean stop.

Outside systemd (a developer, the demo, the tests without a socket) every method is a
no-op and the technician log says so once. Sending never raises and never blocks: a
datagram that cannot go out (receiver gone, queue full) is logged once and dropped, since
a notification is worth nothing later. Plain Python: no Kivy import here.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Callable, Mapping, MutableMapping

log = logging.getLogger(__name__)

ENV_SOCKET = "NOTIFY_SOCKET"
ENV_WATCHDOG_USEC = "WATCHDOG_USEC"
ENV_WATCHDOG_PID = "WATCHDOG_PID"
# Test-only: with KIOSK_TEST_FREEZE=1, SIGUSR1 blocks the UI main loop (see
# install_freeze_trigger). Never set on a terminal.
ENV_TEST_FREEZE = "KIOSK_TEST_FREEZE"
STATUS_MAX_CHARS = 200
FREEZE_S = 3600.0


def socket_address(value: str) -> str | bytes | None:
    """The ``sendto`` address for a ``$NOTIFY_SOCKET`` value, or None if unsupported.

    ``@name`` is the abstract name ``\\0name``; an absolute path is a file-system socket.
    Anything else (a relative path, systemd 253's ``vsock:`` addresses) is not for a
    kiosk on a local systemd and is refused rather than guessed at.
    """
    if value.startswith("@") and len(value) > 1:
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None


def one_line(text: str) -> str:
    """A STATUS value: one line (a newline would start another field), at most 200 chars."""
    flat = " ".join(text.split())
    return flat if len(flat) <= STATUS_MAX_CHARS else flat[:STATUS_MAX_CHARS - 1] + "…"


class SystemdNotifier:
    """Sends sd_notify messages to systemd; a no-op when ``address`` is None.

    ``watchdog_interval_s`` is how often `ping` must be called (half the watchdog timeout)
    or None when systemd set no watchdog for this process.
    """

    def __init__(self, address: str | bytes | None, *,
                 watchdog_usec: int | None = None) -> None:
        self.address = address
        self.watchdog_interval_s = (watchdog_usec / 2 / 1_000_000
                                    if address is not None and watchdog_usec else None)
        self._socket: socket.socket | None = None
        self._last_status: str | None = None
        self._failing = False
        self.sent = 0
        self.failures = 0

    @classmethod
    def from_environment(cls, environ: MutableMapping[str, str] | None = None, *,
                         pid: int | None = None, unset: bool = True) -> "SystemdNotifier":
        """Read ``$NOTIFY_SOCKET``, ``$WATCHDOG_USEC`` and ``$WATCHDOG_PID``.

        With ``unset`` (the default) the three variables are removed from ``environ``, as
        sd_notify(3) recommends, so no child process (the demo platform, espeak-ng) could
        speak for the kiosk. Logs once, at INFO, when notifications are off and why.
        """
        env = os.environ if environ is None else environ
        pid = os.getpid() if pid is None else pid
        raw = env.get(ENV_SOCKET, "")
        usec_text = env.get(ENV_WATCHDOG_USEC, "")
        watchdog_pid = env.get(ENV_WATCHDOG_PID, "")
        if unset:
            for name in (ENV_SOCKET, ENV_WATCHDOG_USEC, ENV_WATCHDOG_PID):
                env.pop(name, None)
        if not raw:
            log.info("systemd notifications off: not started by systemd (no %s); no "
                     "READY or watchdog pings are sent", ENV_SOCKET)
            return cls(None)
        address = socket_address(raw)
        if address is None:
            log.warning("systemd notifications off: %s=%r is not a supported address",
                        ENV_SOCKET, raw)
            return cls(None)
        usec = _watchdog_usec(usec_text, watchdog_pid, pid)
        notifier = cls(address, watchdog_usec=usec)
        if notifier.watchdog_interval_s is None:
            log.info("systemd notifications on (%s), no watchdog for this process", raw)
        else:
            log.info("systemd notifications on (%s), watchdog every %.1f s from the UI loop",
                     raw, notifier.watchdog_interval_s)
        return notifier

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, *fields: str) -> bool:
        """Send ``fields`` (``"READY=1"``, ``"STATUS=..."``) as one datagram.

        Never blocks (MSG_DONTWAIT) and never raises: returns False when disabled or when
        the datagram could not be sent (logged at the first failure after a success).
        """
        if self.address is None or not fields:
            return False
        data = "\n".join(fields).encode("utf-8")
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX,
                                             socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto(data, socket.MSG_DONTWAIT, self.address)
        except OSError as exc:
            self.failures += 1
            if not self._failing:
                log.warning("systemd notification not sent (%s): %s", fields[0], exc)
            self._failing = True
            return False
        if self._failing:
            log.info("systemd notifications go through again")
        self._failing = False
        self.sent += 1
        return True

    def ready(self, status: str) -> bool:
        """Tell systemd the kiosk is up (first frame drawn), with what it shows."""
        self._last_status = one_line(status)
        return self.notify("READY=1", f"STATUS={self._last_status}")

    def ping(self, status: str | None = None) -> bool:
        """``WATCHDOG=1`` (when systemd set a watchdog), plus ``status`` if it changed.

        Call from the UI main loop every `watchdog_interval_s`: the point is that a frozen
        loop stops calling it.
        """
        fields = ["WATCHDOG=1"] if self.watchdog_interval_s is not None else []
        if status is not None and one_line(status) != self._last_status:
            self._last_status = one_line(status)
            fields.append(f"STATUS={self._last_status}")
        return self.notify(*fields) if fields else False

    def status(self, text: str) -> bool:
        """Only a STATUS line (e.g. while starting, before READY)."""
        self._last_status = one_line(text)
        return self.notify(f"STATUS={self._last_status}")

    def stopping(self, status: str = "stopping: closing devices, the outbox is kept") -> bool:
        """Tell systemd a clean stop has begun (so it does not count it as a crash)."""
        self._last_status = one_line(status)
        return self.notify("STOPPING=1", f"STATUS={self._last_status}")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _watchdog_usec(text: str, watchdog_pid: str, pid: int) -> int | None:
    """The watchdog timeout meant for ``pid``, or None (logged when a value is refused)."""
    if not text:
        return None
    if watchdog_pid and watchdog_pid != str(pid):
        log.info("systemd watchdog is for process %s, not this one (%d): no pings",
                 watchdog_pid, pid)
        return None
    try:
        usec = int(text)
    except ValueError:
        usec = 0
    if usec <= 0:
        log.warning("systemd watchdog off: %s=%r is not a positive number of microseconds",
                    ENV_WATCHDOG_USEC, text)
        return None
    return usec


def describe_state(*, screen: str, in_service: bool, in_session: bool,
                   platform_offline: bool) -> str:
    """The STATUS line for a technician reading ``systemctl status``: what is on screen,
    never who is using it (no names, no numbers)."""
    if screen == "maintenance":
        text = "maintenance mode: a technician is at the terminal"
    elif not in_service:
        text = "out of service screen shown"
    elif screen == "home" and not in_session:
        text = "home screen shown, waiting for a resident"
    elif in_session:
        text = f"serving a resident: {screen}"
    else:
        text = f"showing {screen}"
    if platform_offline:
        text += "; platform unreachable, submissions wait in the outbox"
    return text


def install_freeze_trigger(schedule_on_ui: Callable[[Callable[[], None]], None],
                           environ: Mapping[str, str] | None = None) -> bool:
    """Test-only: with ``KIOSK_TEST_FREEZE=1``, SIGUSR1 schedules a blocking sleep on the
    UI main loop, as a hung screen would block it. Lets a test prove that a frozen loop
    stops the watchdog pings while the process stays alive. Returns whether installed
    (logged as a warning: it has no place on a terminal)."""
    env = os.environ if environ is None else environ
    if env.get(ENV_TEST_FREEZE) != "1":
        return False

    def freeze() -> None:
        log.warning("test freeze: the UI main loop blocks now for %.0f s", FREEZE_S)
        time.sleep(FREEZE_S)

    def on_signal(_signum: int, _frame) -> None:
        schedule_on_ui(freeze)

    signal.signal(signal.SIGUSR1, on_signal)
    log.warning("%s=1: SIGUSR1 freezes the UI main loop (a test hook; never on a terminal)",
                ENV_TEST_FREEZE)
    return True
