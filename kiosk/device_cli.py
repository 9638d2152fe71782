"""Technician commands: list the configured devices, run a self-test on one.

    kiosk --devices [--config FILE | --demo]
    kiosk --self-test NAME [--config FILE | --demo]

Both open the devices themselves, so run them while the kiosk is stopped (a serial port
or a grabbed keyboard cannot be shared). Output is for a technician at a terminal: one line
per device, then one result line; personal data is masked (a test card's name and number,
a scanned code's content). Exit code 0 when everything asked for works, 1 otherwise.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any, Callable, TextIO

from common.errors import KioskError
from common.privacy import mask_id_number, mask_name
from config.schema import KioskConfig
from hardware.base import Device
from hardware.manager import DeviceManager

OPEN_WAIT_S = 3.0


def open_all(config: KioskConfig, *, wait_s: float = OPEN_WAIT_S) -> DeviceManager:
    """Build and open every configured device, giving each up to ``wait_s`` to come up."""
    manager = DeviceManager(config.devices, poll_interval_s=0.2)
    deadline = time.monotonic() + wait_s
    manager.run_once()
    while time.monotonic() < deadline and not all(
            s.usable for s in manager.statuses().values()):
        time.sleep(0.2)
        manager.run_once()
    return manager


def list_devices(config: KioskConfig, out: TextIO) -> int:
    if not config.devices:
        print("no devices configured ([devices.<name>] tables)", file=out)
        return 1
    manager = open_all(config)
    try:
        rows = manager.report()
        for r in rows:
            info = ", ".join(f"{k} {v}" for k, v in (("model", r.info.model),
                                                      ("serial", r.info.serial),
                                                      ("firmware", r.info.firmware)) if v)
            detail = f" ({r.detail})" if r.detail else ""
            print(f"{r.name:<14} {r.kind:<12} {r.driver:<8} {r.status.value:<14}"
                  f"{detail}{'  ' + info if info else ''}", file=out)
        return 0 if all(r.status.usable for r in rows) else 1
    finally:
        manager.stop()


def self_test(config: KioskConfig, name: str, out: TextIO, *, timeout_s: float = 20.0) -> int:
    """Exercise one device for real: read a card, wait for a scan, capture, print a slip,
    say a sentence."""
    if name not in {d.name for d in config.devices}:
        print(f"no device called {name!r}; configured: "
              + ", ".join(d.name for d in config.devices), file=out)
        return 1
    manager = open_all(config)
    try:
        device = manager.get(name)
        if not device.status.usable:
            print(f"{name}: {device.status.value} ({device.detail}); not testing", file=out)
            return 1
        test = TESTS[device.kind.value]
        try:
            message = test(device, config, timeout_s)
        except KioskError as exc:
            print(f"{name}: FAILED: {exc}", file=out)
            return 1
        print(f"{name}: OK: {message}", file=out)
        return 0
    finally:
        manager.stop()


def _test_card_reader(device: Any, config: KioskConfig, timeout_s: float) -> str:
    from hardware.errors import NoCardError

    if _is_simulator(device) and not device.card_present:
        device.insert_card(0)  # nobody to put a card on a simulator: use sample card 0
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            card = device.read_card(timeout_s=5.0)
            break
        except NoCardError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    valid = "长期" if card.long_term else str(card.valid_to)
    return (f"read {mask_name(card.name)} {mask_id_number(card.id_number)}, valid to {valid}, "
            f"photo {len(card.photo)} bytes, SAM {device.sam_id()}")


def _test_scanner(device: Any, config: KioskConfig, timeout_s: float) -> str:
    from hardware.errors import DeviceTimeoutError
    from hardware.scanner import fingerprint

    got: list[Any] = []
    arrived = threading.Event()

    def on_event(event: Any) -> None:
        if type(event).__name__ == "CodeScanned":
            got.append(event)
            arrived.set()

    unsubscribe = device.subscribe(on_event)
    try:
        _sim_scan(device)
        if not arrived.wait(timeout_s):
            raise DeviceTimeoutError(f"no code scanned within {timeout_s:.0f}s")
    finally:
        unsubscribe()
    return f"scanned a code ({fingerprint(got[0].text)})"


def _is_simulator(device: Device) -> bool:
    return type(device).__name__.startswith("Simulated")


def _sim_scan(device: Device) -> None:
    """A simulator has nobody to hold a code in front of it: scan a test code for them."""
    if _is_simulator(device):
        device.scan("SELF-TEST-自检")  # type: ignore[attr-defined]


def _test_camera(device: Any, config: KioskConfig, timeout_s: float) -> str:
    frame = device.capture_still()
    h, w = frame.shape[:2]
    return f"captured {w}x{h}, mean brightness {float(frame.mean()):.0f}/255"


def _test_printer(device: Any, config: KioskConfig, timeout_s: float) -> str:
    from hardware.printer import KeyValue, QrCode, Receipt, Separator, Text

    t = config.terminal
    receipt = Receipt(
        title="打印机自检",
        lines=(KeyValue("终端编号", t.id), KeyValue("终端名称", t.name),
               KeyValue("时间", datetime.now().strftime("%Y-%m-%d %H:%M:%S")), Separator(),
               Text("中文、标点：“”——。测试"), QrCode(f"SELF-TEST {t.id}")),
        footer="本单据仅用于设备检测")
    from hardware.errors import PrinterError

    result = device.print_receipt(receipt)
    if not result.confirmed:
        raise PrinterError(f"sent {result.bytes_sent} bytes but the printer did not confirm "
                           f"the job: {result.note}")
    return f"printed a test slip ({result.bytes_sent} bytes), printer reports no error"


def _test_speaker(device: Any, config: KioskConfig, timeout_s: float) -> str:
    from hardware.errors import DeviceTimeoutError, SpeechError

    text = "语音播报自检。请确认您听到了这句话。"
    outcome = device.wait(device.say(text), timeout_s)
    if outcome is None:
        raise DeviceTimeoutError(f"the test sentence was not said within {timeout_s:.0f}s")
    if outcome.value != "finished":
        raise SpeechError(f"the test sentence ended {outcome.value}: "
                          f"{device.detail or device.last_error}")
    return (f"said a test sentence ({len(text)} characters, volume {device.volume}); "
            "check that it was heard")


TESTS: dict[str, Callable[[Any, KioskConfig, float], str]] = {
    "card_reader": _test_card_reader,
    "scanner": _test_scanner,
    "camera": _test_camera,
    "printer": _test_printer,
    "speaker": _test_speaker,
}

