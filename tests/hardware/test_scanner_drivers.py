"""DRIVERS: factories check options, name what is wrong, and never open the device.
Scanned tokens stay out of reprs and logs."""

from __future__ import annotations

import logging
import queue
import time

import pytest

from hardware.base import DeviceKind, DeviceStatus
from hardware.errors import DeviceConfigError
from hardware.registry import build_device, check_device_options
from hardware.scanner import DRIVERS, CodeScanned, EvdevScanner, SerialScanner, \
    SimulatedScanner, fingerprint

TOKEN = "310101199001011234"  # an ID-number-shaped code: the worst thing to leak


def test_the_four_drivers_are_there():
    assert set(DRIVERS) == {"serial", "evdev", "camera", "sim"}


def test_factories_build_without_opening(tmp_path):
    missing = str(tmp_path / "nothing-here")
    serial = DRIVERS["serial"]("s", {"port": missing, "suffix": "CRLF", "baudrate": 115200})
    evdev = DRIVERS["evdev"]("e", {"path": missing, "grab": False})
    sim = DRIVERS["sim"]("m", {"window_s": 0.5})
    for device in (serial, evdev, sim):
        assert device.kind == DeviceKind.SCANNER
        assert device.status == DeviceStatus.OFFLINE and not device.reader_alive
    assert isinstance(serial, SerialScanner) and serial.suffix == "CRLF"
    assert serial.baudrate == 115200 and serial.filter.encodings == ("utf-8",)
    assert isinstance(evdev, EvdevScanner) and evdev.grab is False
    assert isinstance(sim, SimulatedScanner) and sim.filter.window_s == 0.5


def test_defaults_fill_what_the_table_leaves_out():
    serial = DRIVERS["serial"]("s", {"port": "/dev/scanner"})
    assert (serial.suffix, serial.baudrate, serial.filter.window_s,
            serial.filter.max_length) == ("CR", 9600, 2.0, 1024)
    assert DRIVERS["evdev"]("e", {"path": "/dev/input/x"}).grab is True


@pytest.mark.parametrize("driver, options, named", [
    ("serial", {"port": "/dev/x", "sufix": "CR"}, ["'sufix'", "'CR'", "did you mean 'suffix'"]),
    ("serial", {"port": "/dev/x", "suffix": "TAB"}, ["'suffix'", "'TAB'", "CR, LF, CRLF"]),
    ("serial", {"port": "/dev/x", "baudrate": 9601}, ["'baudrate'", "9601", "115200"]),
    ("serial", {"port": "/dev/x", "baudrate": True}, ["'baudrate'", "True"]),
    ("serial", {}, ["'port'", "missing"]),
    ("serial", {"port": "/dev/x", "window_s": -1}, ["'window_s'", "-1", "0 to 60"]),
    ("evdev", {"path": "/dev/input/x", "grab": "yes"}, ["'grab'", "'yes'", "true or false"]),
    ("camera", {"camera": "front", "symbologies": ["qr", "ean13"]},
     ["'symbologies'", "ean13", "code128"]),
    ("camera", {"camera": ""}, ["'camera'", "''"]),
    ("sim", {"latency_s": "fast"}, ["'latency_s'", "'fast'"]),
])
def test_a_bad_option_names_option_value_and_what_is_allowed(driver, options, named):
    with pytest.raises(DeviceConfigError) as caught:
        DRIVERS[driver]("front-scanner", options)
    message = str(caught.value)
    assert "front-scanner" in message and "allowed" in message
    for part in named:
        assert part in message


def test_the_registry_builds_scanners_and_checks_their_tables():
    device = build_device("scanner", "scanner", "sim", {})
    assert isinstance(device, SimulatedScanner)
    assert check_device_options("scanner", "serial", "scanner", {"port": "/dev/x"}) is None
    problem = check_device_options("scanner", "serial", "scanner", {"prot": "/dev/x"})
    assert problem is not None and "'prot'" in problem
    assert check_device_options("scanner", "camera", "scanner", {"camera": "front"}) is None


def test_a_scanned_code_never_shows_in_its_event_repr():
    event = CodeScanned("scanner", TOKEN)
    assert TOKEN not in repr(event) and TOKEN not in str(event)
    assert f"len={len(TOKEN)}" in repr(event)
    assert fingerprint(TOKEN) == fingerprint(TOKEN) != fingerprint(TOKEN[:-1] + "5")


def test_scanning_logs_length_and_hash_but_never_the_code(caplog):
    scanner = SimulatedScanner("scanner")
    events: queue.Queue = queue.Queue()
    scanner.subscribe(events.put)
    caplog.set_level(logging.DEBUG)
    scanner.open()
    try:
        scanner.scan(TOKEN)
        scanner.scan_raw(TOKEN.encode() + b"\x00")
        deadline = time.monotonic() + 2.0
        while scanner.counters.get("rejected", 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        scanner.close()
    assert scanner.counters["scans"] == 1 and scanner.counters["rejected"] == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert fingerprint(TOKEN) in logged
    assert "19900101" not in logged and "310101" not in logged
