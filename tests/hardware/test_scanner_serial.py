"""SerialScanner specifics: line splitting, bounded lines, suffixes, ports that are not there."""

from __future__ import annotations

import queue
import socket
import time

import pytest

from hardware.base import DeviceStatus
from hardware.errors import DeviceNotFoundError
from hardware.scanner import LineSplitter, SerialScanner
from hardware.scanner.fake_device import FakeSerialScanner
from hardware.scanner.interface import CodeScanned, ScanRejected

TOKEN = "身份码:ABC123"


# -- LineSplitter (pure) -----------------------------------------------------------------
def feed_byte_by_byte(splitter: LineSplitter, data: bytes) -> list[bytes]:
    return [line for i in range(len(data)) for line in splitter.feed(data[i:i + 1])]


def test_lines_split_at_the_suffix_whatever_the_chunking():
    data = "A1\r身份码\rB2\r".encode("utf-8")
    expected = [b"A1", "身份码".encode("utf-8"), b"B2"]
    assert LineSplitter(b"\r").feed(data) == expected
    assert feed_byte_by_byte(LineSplitter(b"\r"), data) == expected


def test_a_crlf_suffix_split_across_reads_ends_the_line_once():
    splitter = LineSplitter(b"\r\n")
    assert splitter.feed(b"ABC\r") == []
    assert splitter.feed(b"\nDEF\r\n") == [b"ABC", b"DEF"]


def test_a_line_that_never_ends_is_cut_once_and_memory_stays_bounded():
    splitter = LineSplitter(b"\r", max_length=16)
    out = []
    for _ in range(1000):
        out += splitter.feed(b"x" * 100)
        assert len(splitter._buffer) <= 16
    assert out == [b"x" * 17]  # cut to max_length + 1: the filter refuses it as too long
    assert splitter.feed(b"tail\rNEXT\r") == [b"NEXT"]  # the cut line's tail is skipped


def test_a_line_of_exactly_max_length_with_a_split_crlf_is_not_cut():
    splitter = LineSplitter(b"\r\n", max_length=4)
    assert splitter.feed(b"ABCD\r") == []
    assert splitter.feed(b"\n") == [b"ABCD"]


def test_flush_returns_the_unfinished_line():
    splitter = LineSplitter(b"\r")
    splitter.feed(b"ABC")
    assert splitter.mid_line and splitter.flush() == b"ABC" and not splitter.mid_line


# -- the driver on a fake pty --------------------------------------------------------------
@pytest.fixture
def fake():
    with FakeSerialScanner() as device:
        yield device


def opened(port: str, **options) -> tuple[SerialScanner, queue.Queue]:
    scanner = SerialScanner("scanner", port, **options)
    events: queue.Queue = queue.Queue()
    scanner.subscribe(events.put)
    scanner.open()
    return scanner, events


def next_code_or_rejection(events: queue.Queue, timeout: float = 2.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=0.05)
        except queue.Empty:
            continue
        if isinstance(event, (CodeScanned, ScanRejected)):
            return event
    raise AssertionError("nothing scanned or rejected")


def test_an_endless_line_is_rejected_as_too_long_and_the_next_code_reads(fake):
    scanner, events = opened(fake.link, max_length=64)
    try:
        for _ in range(20):
            fake.send_raw(b"7" * 500)
        fake.scan(" tail")  # ends the endless line
        fake.scan(TOKEN)
        rejected = next_code_or_rejection(events)
        assert isinstance(rejected, ScanRejected) and rejected.reason == "too_long"
        assert next_code_or_rejection(events).text == TOKEN
    finally:
        scanner.close()


def test_a_line_without_suffix_is_rejected_as_unterminated_after_the_timeout(fake):
    scanner, events = opened(fake.link, line_timeout_s=0.3)
    try:
        fake.send_raw(b"NO-SUFFIX")
        rejected = next_code_or_rejection(events)
        assert (rejected.reason, rejected.length) == ("unterminated", 9)
        fake.scan("NEXT")
        assert next_code_or_rejection(events).text == "NEXT"  # not glued to the old bytes
    finally:
        scanner.close()


@pytest.mark.parametrize("suffix, ending", [("LF", b"\n"), ("CRLF", b"\r\n")])
def test_other_suffixes_end_codes(fake, suffix, ending):
    scanner, events = opened(fake.link, suffix=suffix)
    try:
        fake.scan(TOKEN, suffix=ending)
        assert next_code_or_rejection(events).text == TOKEN
    finally:
        scanner.close()


def test_a_gb18030_scanner_is_read_when_the_fallback_is_set(fake):
    scanner, events = opened(fake.link, gb18030_fallback=True)
    try:
        fake.send_raw(TOKEN.encode("gb18030") + b"\r")
        assert next_code_or_rejection(events).text == TOKEN
    finally:
        scanner.close()


def test_unplug_is_also_seen_by_the_health_check_when_the_link_goes(fake):
    scanner, _ = opened(fake.link)
    try:
        fake.unplug()
        deadline = time.monotonic() + 2.0
        while scanner.check() != DeviceStatus.NO_DEVICE and time.monotonic() < deadline:
            time.sleep(0.01)
        assert scanner.status == DeviceStatus.NO_DEVICE
    finally:
        scanner.close()
    assert scanner.status == DeviceStatus.NO_DEVICE  # close does not hide a missing device


def test_a_missing_port_is_not_found(tmp_path):
    scanner = SerialScanner("scanner", str(tmp_path / "ttyACM9"))
    with pytest.raises(DeviceNotFoundError):
        scanner.open()
    assert scanner.status == DeviceStatus.NO_DEVICE


def test_a_socket_url_with_nothing_listening_is_not_found():
    with socket.socket() as probe:  # a free port on the loopback, then closed again
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    scanner = SerialScanner("scanner", f"socket://127.0.0.1:{port}")
    with pytest.raises(DeviceNotFoundError):
        scanner.open()
    assert scanner.status == DeviceStatus.NO_DEVICE


def test_a_scanner_on_a_socket_url_reads_codes():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        scanner, events = opened(f"socket://127.0.0.1:{server.getsockname()[1]}")
        try:
            conn, _ = server.accept()
            with conn:
                conn.sendall(TOKEN.encode("utf-8") + b"\r")
                assert next_code_or_rejection(events).text == TOKEN
        finally:
            scanner.close()
