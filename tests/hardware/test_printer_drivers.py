"""Driver factories and the transports the contract tests do not cover: options checked
without opening, network edge cases, serial over a pty, the write-only file driver."""

from __future__ import annotations

import os
import socket
import threading
import time
import tty

import pytest

from hardware.base import DeviceStatus
from hardware.errors import DeviceConfigError, DeviceNotFoundError, PrinterError
from hardware.manager import DeviceManager
from hardware.printer import (DRIVERS, EscposReceiptPrinter, FakeNetworkPrinter, Receipt,
                              SimulatedReceiptPrinter)
from hardware.printer.render import render
from hardware.printer.links import usb_is_usable
from hardware.printer.receipt import QrCode, Text
from hardware.registry import check_device_options

RECEIPT = Receipt("预约取号", (Text("A012"), QrCode("A012")), footer="请留意叫号")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def network(port: int, **extra) -> EscposReceiptPrinter:
    return DRIVERS["network"]("printer", {"host": "127.0.0.1", "port": port, "timeout_s": 1.0,
                                          "status_timeout_s": 0.3, "confirm_wait_s": 0.0,
                                          **extra})


# -- options ---------------------------------------------------------------------------
def test_every_driver_is_registered():
    assert set(DRIVERS) == {"network", "serial", "usb", "file", "sim"}


def test_an_unknown_option_is_named_with_its_value_and_a_suggestion():
    with pytest.raises(DeviceConfigError) as info:
        DRIVERS["network"]("printer", {"host": "10.0.0.5", "prot": 9100})
    message = str(info.value)
    assert "'prot'" in message and "9100" in message and "did you mean 'port'" in message


@pytest.mark.parametrize("key, value, allowed", [
    ("encoding", "big5", "gb18030, gbk, utf-8"),
    ("paper_chars", 80, "24 to 64"),
    ("paper_chars", "32", "24 to 64"),
    ("cutter", 1, "true or false"),
    ("port", True, "1 to 65535"),
    ("status_timeout_s", 30, "0.05 to 5"),
])
def test_a_bad_value_names_the_option_the_value_and_what_is_allowed(key, value, allowed):
    with pytest.raises(DeviceConfigError) as info:
        DRIVERS["network"]("printer", {"host": "10.0.0.5", key: value})
    assert f"'{key}' = {value!r}" in str(info.value) and allowed in str(info.value)


def test_a_missing_required_option_is_named():
    with pytest.raises(DeviceConfigError, match="'devfile' is missing"):
        DRIVERS["serial"]("printer", {})
    with pytest.raises(DeviceConfigError, match="'host' is missing"):
        DRIVERS["network"]("printer", {})


def test_options_set_the_rendering_and_80mm_paper_means_48_characters():
    printer = DRIVERS["sim"]("printer", {"encoding": "gbk", "paper_mm": 80,
                                         "chinese_mode_command": False, "cutter": False})
    assert printer.capabilities() == {"paper_chars": 48, "encoding": "gbk", "qr_native": True,
                                      "cutter": False, "status_channel": True}
    assert DRIVERS["sim"]("p", {"paper_mm": 80, "paper_chars": 42}).settings.paper_chars == 42


def test_factories_do_not_open_the_device():
    printer = network(free_port())  # nothing listens there: building must still work
    assert printer.status == DeviceStatus.OFFLINE
    assert DRIVERS["serial"]("p", {"devfile": "/dev/does-not-exist"}).status == \
        DeviceStatus.OFFLINE


@pytest.mark.skipif(usb_is_usable(), reason="pyusb is installed here")
def test_usb_without_pyusb_is_a_configuration_error():
    with pytest.raises(DeviceConfigError, match="pyusb"):
        DRIVERS["usb"]("printer", {"vendor_id": 0x0483, "product_id": 0x5720})


def test_the_registry_checks_printer_options():
    assert check_device_options("printer", "sim", "printer", {}) is None
    assert "encoding" in check_device_options("printer", "network", "printer",
                                              {"host": "h", "encoding": "ascii"})


def test_the_device_manager_opens_and_polls_a_configured_printer():
    class Table:
        name, kind, driver, enabled, options = "printer", "printer", "sim", True, {}

    manager = DeviceManager([Table()])
    manager.run_once()
    printer = manager.get("printer")
    assert isinstance(printer, SimulatedReceiptPrinter)
    assert manager.statuses() == {"printer": DeviceStatus.ONLINE}
    printer.run_out_of_paper()
    manager.run_once()
    assert manager.statuses() == {"printer": DeviceStatus.USER_ERROR}


# -- network ---------------------------------------------------------------------------
def test_network_with_no_listener_is_device_not_found():
    printer = network(free_port())
    with pytest.raises(DeviceNotFoundError):
        printer.open()
    assert printer.status == DeviceStatus.NO_DEVICE


def test_a_listener_that_never_answers_is_unknown_within_the_status_timeout():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        printer = network(silent.getsockname()[1])
        started = time.monotonic()
        printer.open()
        assert time.monotonic() - started < 0.3 + 0.5
        assert printer.status == DeviceStatus.OFFLINE
        started = time.monotonic()
        state = printer.query_state()
        assert state.unknown and not state.ok and state.raw == (None,)
        assert time.monotonic() - started < 0.3 + 0.5
        printer.close()


def test_the_fake_survives_garbage_and_still_prints_the_next_job():
    with FakeNetworkPrinter() as fake:
        with socket.create_connection(("127.0.0.1", fake.port)) as raw:
            raw.sendall(bytes(range(256)) * 4 + b"\x1d(k\x05\x00" + b"\x1dV\x00")
        # generous waits: on a loaded 2-core machine the fake's answer can take > 0.3 s
        printer = network(fake.port, status_timeout_s=2.0)
        printer.open()
        assert printer.print_receipt(RECEIPT).confirmed
        assert fake.wait_for_jobs(2, timeout_s=10.0)[-1].text_lines == (
            "预约取号", "A012", "请留意叫号")
        printer.close()


def test_gb_text_without_fs_ampersand_comes_out_garbled_on_a_printer_outside_chinese_mode():
    with FakeNetworkPrinter() as fake:
        printer = network(fake.port, chinese_mode_command=False)
        printer.open()
        printer.print_receipt(RECEIPT)
        assert "A012" in fake.wait_for_jobs(1)[0].text_lines
        assert "预约取号" not in fake.jobs[0].text_lines
        printer.close()


# -- serial ----------------------------------------------------------------------------
@pytest.fixture
def pty_printer():
    """A serial port whose other end answers DLE EOT with 0x12 while ``answering``."""
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    control = {"answering": True, "received": bytearray()}

    def serve():
        while True:
            try:
                chunk = os.read(master, 1024)
            except OSError:
                return
            control["received"] += chunk
            if control["answering"]:
                os.write(master, b"\x12" * chunk.count(b"\x10\x04"))

    threading.Thread(target=serve, daemon=True).start()
    yield os.ttyname(slave), control
    os.close(slave)
    os.close(master)


def test_serial_printer_reads_status_and_confirms_a_job(pty_printer):
    devfile, control = pty_printer
    printer = DRIVERS["serial"]("printer", {"devfile": devfile, "status_timeout_s": 0.2,
                                            "confirm_wait_s": 0.0})
    printer.open()
    assert printer.status == DeviceStatus.ONLINE
    assert printer.print_receipt(RECEIPT).confirmed
    assert render(RECEIPT, printer.settings) in bytes(control["received"])
    control["answering"] = False
    started = time.monotonic()
    assert printer.query_state().unknown
    assert time.monotonic() - started < 0.2 + 0.5
    assert printer.status == DeviceStatus.OFFLINE
    printer.close()


def test_missing_serial_port_is_device_not_found():
    printer = DRIVERS["serial"]("printer", {"devfile": "/dev/ttyDOESNOTEXIST"})
    with pytest.raises(DeviceNotFoundError):
        printer.open()
    assert printer.status == DeviceStatus.NO_DEVICE


# -- file ------------------------------------------------------------------------------
def test_file_printer_writes_the_job_but_never_confirms_it(tmp_path):
    target = tmp_path / "lp0"
    printer = DRIVERS["file"]("printer", {"devfile": str(target)})
    printer.open()
    assert printer.status == DeviceStatus.ONLINE and "no status channel" in printer.detail
    result = printer.print_receipt(RECEIPT)
    assert not result.confirmed and "no status channel" in result.note
    assert result.before.unknown and result.after.unknown
    printer.close()
    assert target.read_bytes() == render(RECEIPT, printer.settings)


def test_file_printer_in_a_missing_folder_is_device_not_found(tmp_path):
    printer = DRIVERS["file"]("printer", {"devfile": str(tmp_path / "no" / "lp0")})
    with pytest.raises(PrinterError):
        printer.open()
    assert printer.status == DeviceStatus.NO_DEVICE
