"""The systemd watchdog: sd_notify messages, from the UI main loop, and the kiosk's restart.

The acceptance tests run the real demo kiosk offscreen as systemd would: ``NOTIFY_SOCKET``
pointing at a datagram socket this test listens on (abstract namespace, like systemd's
own), ``WATCHDOG_USEC`` small. The listener asks the kernel for each sender's pid
(SO_PASSCRED), so the tests also show the messages come from the kiosk process itself,
which ``NotifyAccess=main`` requires.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.watchdog import SystemdNotifier, describe_state, one_line, socket_address
from tests.test_cli import ROOT, kiosk_environment

WATCHDOG_USEC = 2_000_000  # pings every 1 s; systemd would act after 2 s without one


@dataclass(frozen=True)
class Notification:
    at: float   # time.monotonic() when received
    pid: int    # the sender, from SCM_CREDENTIALS
    fields: dict[str, str]


class NotifyListener:
    """A stand-in for systemd's notification socket, in the abstract namespace."""

    def __init__(self) -> None:
        self.name = f"kiosk-test-{uuid.uuid4().hex}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(b"\0" + self.name.encode())
        self.sock.settimeout(0.2)
        self.received: list[Notification] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return "@" + self.name

    def _run(self) -> None:
        size = socket.CMSG_SPACE(struct.calcsize("iII"))
        while not self._stop.is_set():
            try:
                data, ancillary, _flags, _addr = self.sock.recvmsg(4096, size)
            except TimeoutError:
                continue
            except OSError:
                return
            pid = -1
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("iII", payload[:struct.calcsize("iII")])[0]
            fields = dict(line.split("=", 1) for line in data.decode().splitlines())
            with self._lock:
                self.received.append(Notification(time.monotonic(), pid, fields))

    def messages(self, since: float = 0.0) -> list[Notification]:
        with self._lock:
            return [n for n in self.received if n.at >= since]

    def wait_for(self, key: str, value: str | None = None, *, since: float = 0.0,
                 timeout: float = 60.0, process: subprocess.Popen | None = None
                 ) -> Notification:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for n in self.messages(since):
                if key in n.fields and (value is None or n.fields[key] == value):
                    return n
            if process is not None and process.poll() is not None:
                raise AssertionError(f"the kiosk exited ({process.returncode}) before {key}")
            time.sleep(0.05)
        raise AssertionError(f"no {key} within {timeout} s; got {self.messages(since)}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    box = NotifyListener()
    yield box
    box.close()


def start_kiosk(tmp_path: Path, listener: NotifyListener, *args: str,
                **env: str) -> subprocess.Popen:
    environ = kiosk_environment(tmp_path, NOTIFY_SOCKET=listener.address,
                                WATCHDOG_USEC=str(WATCHDOG_USEC), **env)
    return subprocess.Popen([sys.executable, str(ROOT / "run_kiosk.py"), "--demo", "--no-tour",
                             *args], cwd=tmp_path, env=environ,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
    if process.stderr is not None:
        process.stderr.close()


# --- the protocol, in-process --------------------------------------------------------

def test_abstract_and_path_addresses_deliver_ready_status_watchdog_and_stopping(tmp_path):
    folder = Path(os.path.realpath("/tmp")) / f"kw-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    path_sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path_sock.bind(str(folder / "notify"))
    abstract = NotifyListener()
    try:
        for address, read in ((str(folder / "notify"), lambda: path_sock.recv(4096).decode()),
                              (abstract.address, None)):
            env = {"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "30000000"}
            notifier = SystemdNotifier.from_environment(env, pid=os.getpid())
            assert env == {}  # unset: no child process may speak for the kiosk
            assert notifier.watchdog_interval_s == 15.0
            assert notifier.ready("home screen shown")
            assert notifier.ping("home screen shown")     # unchanged status: not repeated
            assert notifier.ping("serving a resident: apply")
            assert notifier.stopping()
            notifier.close()
            expected = ["READY=1\nSTATUS=home screen shown", "WATCHDOG=1",
                        "WATCHDOG=1\nSTATUS=serving a resident: apply",
                        "STOPPING=1\nSTATUS=stopping: closing devices, the outbox is kept"]
            if read is not None:
                path_sock.settimeout(2)
                assert [read() for _ in expected] == expected
            else:
                deadline = time.monotonic() + 5
                while len(abstract.messages()) < len(expected) and time.monotonic() < deadline:
                    time.sleep(0.02)
                got = ["\n".join(f"{k}={v}" for k, v in n.fields.items())
                       for n in abstract.messages()]
                assert got == expected
                assert {n.pid for n in abstract.messages()} == {os.getpid()}
    finally:
        abstract.close()
        path_sock.close()
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()


def test_outside_systemd_everything_is_a_no_op_and_the_log_says_so_once(caplog):
    caplog.set_level(logging.INFO, logger="kiosk.watchdog")
    notifier = SystemdNotifier.from_environment({}, pid=1234)
    assert not notifier.enabled and notifier.watchdog_interval_s is None
    assert not notifier.ready("x") and not notifier.ping("y") and not notifier.stopping()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "not started by systemd" in lines[0]


def test_watchdog_meant_for_another_process_is_not_pinged(listener):
    env = {"NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": "2000000",
           "WATCHDOG_PID": "1"}
    notifier = SystemdNotifier.from_environment(env, pid=4321)
    assert notifier.enabled and notifier.watchdog_interval_s is None
    assert notifier.ready("home")
    assert not notifier.ping("home")  # nothing to say: no watchdog, same status
    listener.wait_for("READY", "1", timeout=5)
    assert all("WATCHDOG" not in n.fields for n in listener.messages())


def test_a_vanished_socket_neither_raises_nor_floods_the_log(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="kiosk.watchdog")
    notifier = SystemdNotifier("/nonexistent/notify", watchdog_usec=2_000_000)
    assert [notifier.ping() for _ in range(5)] == [False] * 5
    assert notifier.failures == 5
    assert len([r for r in caplog.records if "not sent" in r.getMessage()]) == 1


def test_addresses_status_lines_and_technician_texts():
    assert socket_address("@systemd/notify") == b"\0systemd/notify"
    assert socket_address("/run/systemd/notify") == "/run/systemd/notify"
    assert socket_address("vsock:2:1234") is None and socket_address("relative") is None
    assert one_line("a\nREADY=1") == "a READY=1"  # a status can never forge a field
    assert len(one_line("长" * 500)) == 200
    assert describe_state(screen="home", in_service=True, in_session=False,
                          platform_offline=True) == (
        "home screen shown, waiting for a resident; platform unreachable, submissions "
        "wait in the outbox")
    assert describe_state(screen="apply", in_service=True, in_session=True,
                          platform_offline=False) == "serving a resident: apply"
    assert describe_state(screen="out_of_service", in_service=False, in_session=False,
                          platform_offline=False) == "out of service screen shown"


# --- acceptance: the real kiosk ------------------------------------------------------

def test_freezing_the_ui_main_loop_stops_the_watchdog_pings_while_the_process_lives(
        tmp_path, listener):
    """A frozen UI stops WATCHDOG=1: under WatchdogSec= systemd would kill and restart it."""
    process = start_kiosk(tmp_path, listener, KIOSK_TEST_FREEZE="1")
    try:
        ready = listener.wait_for("READY", "1", timeout=60, process=process)
        assert ready.pid == process.pid  # the main process itself (NotifyAccess=main)
        assert ready.fields["STATUS"].startswith("home screen shown")
        time.sleep(3.5)
        pings = [n for n in listener.messages(ready.at) if n.fields.get("WATCHDOG") == "1"]
        assert len(pings) >= 3, pings
        assert {n.pid for n in pings} == {process.pid}
        gaps = [b.at - a.at for a, b in zip([ready, *pings], pings)]
        assert max(gaps) < WATCHDOG_USEC / 1e6, gaps  # never late enough to be killed

        process.send_signal(signal.SIGUSR1)  # test hook: block the UI main loop
        frozen_at = time.monotonic()
        time.sleep(1.5)  # a ping already under way may still arrive
        quiet_from = time.monotonic()
        time.sleep(3 * WATCHDOG_USEC / 1e6)
        late = [n for n in listener.messages(quiet_from) if "WATCHDOG" in n.fields]
        assert late == [], late
        assert process.poll() is None  # alive, only its UI loop is stuck
        last_ping = max(n.at for n in listener.messages() if "WATCHDOG" in n.fields)
        assert time.monotonic() - last_ping > WATCHDOG_USEC / 1e6  # systemd would act now
        assert last_ping < frozen_at + 1.5
    finally:
        stop(process)
    log_text = (tmp_path / "log" / "technician.log").read_text(encoding="utf-8")
    assert "watchdog every 1.0 s from the UI loop" in log_text
    assert "test freeze: the UI main loop blocks now" in log_text


def test_killed_kiosk_comes_back_to_the_home_screen_with_its_outbox_intact(tmp_path, listener):
    """SIGKILL while the outbox is being retried, start again as Restart=always would: the
    home screen is back and every queued submission is still there and decrypts."""
    from offline.crypto import create_key_file, load_key
    from offline.outbox import HEARTBEAT, Outbox

    state = tmp_path / "state"
    state.mkdir()
    key_file = state / "outbox.key"
    create_key_file(key_file)
    # The platform is down (nothing listens at KIOSK_PLATFORM_URL and the bundled demo
    # platform is not started), so what residents submitted stays queued.
    terminal = tmp_path / "terminal.toml"
    terminal.write_text("[platform]\nstart_demo_server = false\n", encoding="utf-8")
    submitted = {
        f"app-{uuid.uuid4().hex}": ("application", {"service": "户口迁移", "answers": {"a": 1}}),
        f"help-{uuid.uuid4().hex}": ("help_request", {"topic": "帮办", "call_back": False}),
        f"rate-{uuid.uuid4().hex}": ("rating", {"stars": 2, "reason": "等待时间长"}),
    }
    box = Outbox(state / "outbox.db", load_key(key_file))
    for key, (kind, payload) in submitted.items():
        box.enqueue(kind, payload, personal=True, key=key)
    box.close()
    env = {"KIOSK_OUTBOX_KEY_FILE": str(key_file)}

    first = start_kiosk(tmp_path, listener, "--config", str(terminal), **env)
    try:
        ready = listener.wait_for("READY", "1", timeout=60, process=first)
        assert ready.fields["STATUS"].startswith("home screen shown")
        first_key = next(iter(submitted))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _attempts(state / "outbox.db", first_key) < 1:
            assert first.poll() is None
            time.sleep(0.2)
        # The kiosk has the outbox open and writes to it (retry times) when it is killed.
        assert _attempts(state / "outbox.db", first_key) >= 1, "the kiosk never tried to send"
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        stop(first)

    restarted_at = time.monotonic()
    second = start_kiosk(tmp_path, listener, "--config", str(terminal), **env)
    try:
        ready = listener.wait_for("READY", "1", since=restarted_at, timeout=60, process=second)
        assert ready.pid == second.pid
        assert ready.fields["STATUS"].startswith("home screen shown, waiting for a resident")
        listener.wait_for("WATCHDOG", "1", since=ready.at, timeout=5, process=second)
        box = Outbox(state / "outbox.db", load_key(key_file))
        try:
            items = box.pending(now=float("inf"))
            dead = box.dead_letters()
        finally:
            box.close()
        kept = {i.key: (i.kind, dict(i.payload)) for i in items if i.kind != HEARTBEAT}
        assert kept == submitted and dead == []
        assert all(i.personal for i in items if i.kind != HEARTBEAT)

        stopping_from = time.monotonic()
        second.send_signal(signal.SIGTERM)  # `systemctl stop`
        assert second.wait(timeout=30) == 0
        listener.wait_for("STOPPING", "1", since=stopping_from, timeout=5)
    finally:
        stop(second)
    log_text = (tmp_path / "log" / "technician.log").read_text(encoding="utf-8")
    assert log_text.count("kiosk started") == 2


def _attempts(db: Path, key: str) -> int:
    """How often the running kiosk has tried (and failed) to send an item (items go in
    order, so the first one is the one being retried)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT attempts FROM outbox WHERE idempotency_key = ?",
                           (key,)).fetchone()
    except sqlite3.OperationalError:  # busy for longer than the timeout: try again
        return 0
    finally:
        conn.close()
    return row[0] if row else 0
