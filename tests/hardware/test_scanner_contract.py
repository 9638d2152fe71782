"""One contract for every scanner: the simulator and the real SerialScanner on a fake pty.

What the kiosk relies on, whatever the transport: ONLINE after open, a code arrives once
with its exact text, garbage is refused, unplugging is noticed within 2 s, and
close()+open() after replugging brings scanning back.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import pytest

from hardware.base import DeviceStatus, StatusChanged
from hardware.errors import DeviceNotFoundError
from hardware.scanner import Scanner, SerialScanner, SimulatedScanner
from hardware.scanner.fake_device import FakeSerialScanner
from hardware.scanner.interface import CodeScanned, ScanRejected

TOKEN = "身份码:ABC123"
GARBAGE = [b"\xff\xfe\x00\x9c", b"AB\x00\x1b[2J"]  # invalid UTF-8; control characters


@dataclass
class Rig:
    """A scanner and the hands that scan, unplug and replug it."""

    scanner: Scanner
    scan: Callable[[str], object]
    send_raw: Callable[[bytes], object]  # one read's bytes, without suffix
    unplug: Callable[[], None]
    replug: Callable[[], None]
    events: queue.Queue

    def next(self, kind: type, timeout: float = 2.0, **fields):
        """The next event of ``kind`` with those field values; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {kind.__name__} {fields} within {timeout} s"
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if isinstance(event, kind) and all(getattr(event, k) == v
                                               for k, v in fields.items()):
                return event

    def until_marker(self, marker: str) -> list:
        """Scan ``marker`` and return every event that arrived before it."""
        self.scan(marker)
        seen = []
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(event, CodeScanned) and event.text == marker:
                return seen
            seen.append(event)
        raise AssertionError(f"marker {marker!r} never arrived; saw {seen}")


def _sim_rig() -> Iterator[Rig]:
    sim = SimulatedScanner("scanner")
    yield Rig(sim, sim.scan, sim.scan_raw, sim.unplug, sim.replug, queue.Queue())
    sim.close()


def _serial_rig() -> Iterator[Rig]:
    with FakeSerialScanner() as fake:
        scanner = SerialScanner("scanner", fake.link, suffix="CR")
        yield Rig(scanner, fake.scan, lambda data: fake.send_raw(data + b"\r"),
                  fake.unplug, fake.replug, queue.Queue())
        scanner.close()


@pytest.fixture(params=["simulator", "serial-over-pty"])
def rig(request) -> Iterator[Rig]:
    make = _sim_rig if request.param == "simulator" else _serial_rig
    for built in make():
        built.scanner.subscribe(built.events.put)
        yield built


@pytest.fixture
def opened(rig: Rig) -> Rig:
    rig.scanner.open()
    return rig


def test_open_reports_online_with_a_running_reader(rig):
    rig.scanner.open()
    assert rig.scanner.status == DeviceStatus.ONLINE
    assert rig.next(StatusChanged).status == DeviceStatus.ONLINE
    assert rig.scanner.reader_alive and rig.scanner.check() == DeviceStatus.ONLINE


def test_a_chinese_code_arrives_once_with_its_exact_text(opened):
    opened.scan(TOKEN)
    event = opened.next(CodeScanned)
    assert (event.text, event.device) == (TOKEN, "scanner")
    assert not any(isinstance(e, CodeScanned) for e in opened.until_marker("MARK-1"))


def test_a_repeat_within_the_window_arrives_once(opened):
    opened.scan(TOKEN)
    opened.scan(TOKEN)
    opened.scan(TOKEN)
    before = opened.until_marker("MARK-2")
    assert [e.text for e in before if isinstance(e, CodeScanned)] == [TOKEN]
    assert opened.scanner.counters["duplicates"] == 2


@pytest.mark.parametrize("garbage", GARBAGE, ids=["invalid-utf8", "control-chars"])
def test_garbage_bytes_are_rejected_not_scanned(opened, garbage):
    opened.send_raw(garbage)
    before = opened.until_marker("MARK-3")
    assert [type(e) for e in before] == [StatusChanged, ScanRejected]  # ONLINE, then refusal
    assert before[1].reason in ("undecodable", "control_character")
    assert before[1].length == len(garbage)


def test_codes_read_while_stopped_are_discarded_and_start_resumes(opened):
    opened.scanner.stop()
    opened.scan("WHILE-STOPPED")
    deadline = time.monotonic() + 2.0
    while opened.scanner.counters.get("discarded", 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    opened.scanner.start()
    before = opened.until_marker("MARK-4")
    assert not any(isinstance(e, CodeScanned) for e in before)
    assert opened.scanner.counters["discarded"] == 1


def test_unplug_is_reported_as_no_device_within_two_seconds(opened):
    started = time.monotonic()
    opened.unplug()
    opened.next(StatusChanged, status=DeviceStatus.NO_DEVICE)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"NO_DEVICE after {elapsed:.2f} s"
    deadline = time.monotonic() + 1.0
    while opened.scanner.reader_alive and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not opened.scanner.reader_alive  # the reader ended cleanly
    assert opened.scanner.check() == DeviceStatus.NO_DEVICE


def test_opening_while_unplugged_fails_with_no_device(opened):
    opened.unplug()
    opened.next(StatusChanged, status=DeviceStatus.NO_DEVICE)
    opened.scanner.close()
    with pytest.raises(DeviceNotFoundError):
        opened.scanner.open()
    assert opened.scanner.status == DeviceStatus.NO_DEVICE


def test_replug_then_close_and_open_brings_it_online_and_scanning_works(opened):
    opened.scan(TOKEN)
    opened.next(CodeScanned, text=TOKEN)
    opened.unplug()
    opened.next(StatusChanged, status=DeviceStatus.NO_DEVICE)
    opened.replug()
    opened.scanner.close()
    opened.scanner.open()
    assert opened.scanner.status == DeviceStatus.ONLINE
    opened.scan(TOKEN)  # the same code again: a reconnect starts afresh
    assert opened.next(CodeScanned).text == TOKEN


def test_close_stops_the_reader_and_is_safe_to_repeat(opened):
    opened.scanner.close()
    opened.scanner.close()
    assert opened.scanner.status == DeviceStatus.OFFLINE
    assert not opened.scanner.reader_alive
