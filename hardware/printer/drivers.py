"""Driver factories: (device name, options from ``[devices.<name>]``) -> printer, not opened.

Every option is checked here, so a misspelt key or a wrong value stops the kiosk at start
with a message naming the option, the value and what is allowed. No factory touches the
device.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from hardware.errors import DeviceConfigError
from hardware.printer.layout import ENCODINGS, PAPER_CHARS_RANGE

REQUIRED = object()
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


@dataclass(frozen=True)
class Option:
    type: type
    default: Any
    allowed: str
    check: Callable[[Any], bool] = lambda value: True


def _seconds(low: float, high: float, default: float) -> Option:
    return Option(float, default, f"seconds, {low:g} to {high:g}",
                  lambda v: low <= v <= high)


LOW, HIGH = PAPER_CHARS_RANGE
COMMON = {
    "encoding": Option(str, "gb18030", "one of " + ", ".join(ENCODINGS),
                       lambda v: v in ENCODINGS),
    "paper_mm": Option(int, 58, "58 or 80 (paper width; sets the default paper_chars)",
                       lambda v: v in (58, 80)),
    "paper_chars": Option(int, None, f"characters per line, {LOW} to {HIGH} (default 32 "
                          "on 58 mm paper, 48 on 80 mm)", lambda v: LOW <= v <= HIGH),
    "chinese_mode_command": Option(bool, True, "true or false (send FS & with a GB encoding)"),
    "cutter": Option(bool, True, "true or false"),
}
STATUS = {
    "status_timeout_s": _seconds(0.05, 5.0, 0.5),
    "confirm_wait_s": _seconds(0.0, 30.0, 0.5),
    "timeout_s": _seconds(0.1, 60.0, 5.0),
}
NETWORK = {
    "host": Option(str, REQUIRED, "a host name or IP address", lambda v: bool(v.strip())),
    "port": Option(int, 9100, "a TCP port, 1 to 65535", lambda v: 1 <= v <= 65535),
}
SERIAL = {
    "devfile": Option(str, REQUIRED, "a serial device path, e.g. /dev/ttyUSB0",
                      lambda v: bool(v.strip())),
    "baudrate": Option(int, 9600, "one of " + ", ".join(map(str, BAUDRATES)),
                       lambda v: v in BAUDRATES),
    "dsrdtr": Option(bool, True, "true (DSR/DTR flow control) or false"),
}
USB = {
    "vendor_id": Option(int, REQUIRED, "a USB vendor id, 0x0001 to 0xFFFF",
                        lambda v: 1 <= v <= 0xFFFF),
    "product_id": Option(int, REQUIRED, "a USB product id, 0x0001 to 0xFFFF",
                         lambda v: 1 <= v <= 0xFFFF),
    "in_ep": Option(int, 0x82, "an IN endpoint address, 0x81 to 0x8F",
                    lambda v: 0x81 <= v <= 0x8F),
    "out_ep": Option(int, 0x01, "an OUT endpoint address, 0x01 to 0x0F",
                     lambda v: 0x01 <= v <= 0x0F),
}
FILE = {
    "devfile": Option(str, REQUIRED, "a device file path, e.g. /dev/usb/lp0",
                      lambda v: bool(v.strip())),
}


def _type_ok(value: Any, wanted: type) -> bool:
    if isinstance(value, bool):
        return wanted is bool  # True is an int in Python, but not a port number
    if wanted is float:
        return isinstance(value, (int, float))
    return isinstance(value, wanted)


def read_options(driver: str, name: str, options: Mapping[str, Any],
                 spec: Mapping[str, Option]) -> dict[str, Any]:
    """Checked options with defaults filled in. DeviceConfigError lists every problem."""
    where = f"printer {name!r} (driver {driver!r})"
    problems = []
    for key in sorted(set(options) - set(spec)):
        hint = difflib.get_close_matches(key, list(spec), n=1)
        problems.append(f"unknown option {key!r} = {options[key]!r}; allowed options: "
                        + ", ".join(sorted(spec))
                        + (f"; did you mean {hint[0]!r}?" if hint else ""))
    values: dict[str, Any] = {}
    for key, option in spec.items():
        if key not in options:
            if option.default is REQUIRED:
                problems.append(f"option {key!r} is missing; allowed: {option.allowed}")
            values[key] = option.default
            continue
        value = options[key]
        if not _type_ok(value, option.type) or not option.check(value):
            problems.append(f"option {key!r} = {value!r}; allowed: {option.allowed}")
        values[key] = float(value) if option.type is float and _type_ok(value, float) else value
    if problems:
        raise DeviceConfigError(f"{where}: " + "; ".join(problems))
    return values


SPECS: dict[str, dict[str, Option]] = {
    "network": {**COMMON, **STATUS, **NETWORK},
    "serial": {**COMMON, **STATUS, **SERIAL},
    "usb": {**COMMON, **STATUS, **USB},
    "file": {**COMMON, **FILE},
    "sim": dict(COMMON),
}


def _settings(values: Mapping[str, Any]):
    from hardware.printer.render import RenderSettings

    chars = values["paper_chars"] or (32 if values["paper_mm"] == 58 else 48)
    return RenderSettings(values["encoding"], chars, values["chinese_mode_command"],
                          values["cutter"])


# Driver classes are imported inside the factories: checking options (`VALIDATORS`) must
# not import serial ports, sockets and python-escpos.
def network_printer(name: str, options: Mapping[str, Any]):
    from hardware.printer.escpos_printer import EscposReceiptPrinter
    from hardware.printer.links import NetworkLink

    v = read_options("network", name, options, SPECS["network"])
    link = NetworkLink(v["host"], v["port"], timeout_s=v["timeout_s"],
                       status_timeout_s=v["status_timeout_s"])
    return EscposReceiptPrinter(name, link, _settings(v), confirm_wait_s=v["confirm_wait_s"])


def serial_printer(name: str, options: Mapping[str, Any]):
    from hardware.printer.escpos_printer import EscposReceiptPrinter
    from hardware.printer.links import SerialLink

    v = read_options("serial", name, options, SPECS["serial"])
    link = SerialLink(v["devfile"], v["baudrate"], dsrdtr=v["dsrdtr"],
                      timeout_s=v["timeout_s"], status_timeout_s=v["status_timeout_s"])
    return EscposReceiptPrinter(name, link, _settings(v), confirm_wait_s=v["confirm_wait_s"])


def check_usb(name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    from hardware.printer.links import usb_is_usable

    v = read_options("usb", name, options, SPECS["usb"])
    if not usb_is_usable():
        raise DeviceConfigError(f"printer {name!r} (driver 'usb'): the usb driver needs the "
                                "pyusb package, which is not installed")
    return v


def usb_printer(name: str, options: Mapping[str, Any]):
    from hardware.printer.escpos_printer import EscposReceiptPrinter
    from hardware.printer.links import UsbLink

    v = check_usb(name, options)
    link = UsbLink(v["vendor_id"], v["product_id"], in_ep=v["in_ep"], out_ep=v["out_ep"],
                   timeout_s=v["timeout_s"], status_timeout_s=v["status_timeout_s"])
    return EscposReceiptPrinter(name, link, _settings(v), confirm_wait_s=v["confirm_wait_s"])


def file_printer(name: str, options: Mapping[str, Any]):
    from hardware.printer.escpos_printer import EscposReceiptPrinter
    from hardware.printer.links import FileLink

    v = read_options("file", name, options, SPECS["file"])
    return EscposReceiptPrinter(name, FileLink(v["devfile"]), _settings(v), confirm_wait_s=0.0)


def sim_printer(name: str, options: Mapping[str, Any]):
    from hardware.printer.simulator import SimulatedReceiptPrinter

    v = read_options("sim", name, options, SPECS["sim"])
    return SimulatedReceiptPrinter(name, _settings(v))


VALIDATORS: dict[str, Any] = {
    **{driver: (lambda name, options, driver=driver:
                read_options(driver, name, options, SPECS[driver]))
       for driver in ("network", "serial", "file", "sim")},
    "usb": check_usb,
}
