"""Barcode / QR scanners: USB-CDC serial, HID keyboard wedge, camera, simulator.

`DRIVERS` maps a driver name to a factory ``(device name, options, **context)`` that checks
the options (DeviceConfigError naming option, value and what is allowed) and builds the
scanner without opening it. Options per driver (defaults in brackets):

- ``serial``: ``port`` (required; tty path or pyserial URL such as ``socket://host:port``),
  ``baudrate`` [9600], ``suffix`` "CR" | "LF" | "CRLF" ["CR"], ``gb18030_fallback``
  [false: UTF-8 only], ``line_timeout_s`` [1.0].
- ``evdev``: ``path`` (required; ``/dev/input/by-id/...-event-kbd``), ``grab`` [true].
- ``camera``: ``camera`` (required; the name of a configured camera device),
  ``symbologies`` ["qr"] (from "qr", "code128"), ``decode_interval_s`` [0.1]. The
  factory takes the keyword ``resolve: Callable[[str], FrameSource]`` (the device
  manager passes its ``camera`` lookup); it is called at open(), not at build time, and
  without it open() fails with DeviceConfigError.
- ``sim``: ``latency_s`` [0.0].
- every driver: ``window_s`` [2.0] (a repeat within it counts once), ``max_length``
  [1024 bytes].

Every factory accepts and ignores ``resolve`` where it does not need it.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from hardware.lazy import lazy_exports
from hardware.scanner import options as opt
from hardware.scanner.filter import SUFFIXES

_EXPORTS = {
    "Scanner": "interface", "CodeScanned": "interface", "ScanRejected": "interface",
    "fingerprint": "interface", "ScanFilter": "filter", "CodeRejected": "filter",
    "SerialScanner": "serial_scanner", "LineSplitter": "serial_scanner",
    "EvdevScanner": "evdev_scanner", "KeyboardWedgeDecoder": "wedge",
    "CameraScanner": "camera_scanner", "FrameSource": "camera_scanner",
    "decode_frame": "camera_scanner", "measure_decoders": "camera_scanner",
    "SimulatedScanner": "simulator",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)
__all__ = ["DRIVERS", "VALIDATORS", *_EXPORTS]

Resolver = Callable[[str], Any]  # name -> FrameSource (a camera)
Factory = Callable[..., Any]

BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
_COMMON = {
    "window_s": opt.Option("a number of seconds from 0 to 60", opt.number(0, 60), 2.0),
    "max_length": opt.Option("an integer from 16 to 65536 (bytes)",
                             opt.integer(16, 65536), 1024),
}
_SPECS: dict[str, dict[str, opt.Option]] = {
    "serial": {
        "port": opt.Option("a serial device path or pyserial URL", opt.text()),
        "baudrate": opt.Option("one of " + ", ".join(map(str, BAUDRATES)),
                               opt.integer(1, 10**7, BAUDRATES), 9600),
        "suffix": opt.Option("one of " + ", ".join(SUFFIXES), opt.choice(*SUFFIXES), "CR"),
        "gb18030_fallback": opt.Option("true or false", opt.boolean(), False),
        "line_timeout_s": opt.Option("a number of seconds from 0.1 to 10",
                                     opt.number(0.1, 10), 1.0),
        **_COMMON,
    },
    "evdev": {
        "path": opt.Option("an input device path (/dev/input/by-id/...-event-kbd)",
                           opt.text()),
        "grab": opt.Option("true or false", opt.boolean(), True),
        **_COMMON,
    },
    "camera": {
        "camera": opt.Option("the name of a configured camera device", opt.text()),
        "symbologies": opt.Option('a non-empty list from "qr", "code128"',
                                  opt.subset("qr", "code128"), ("qr",)),
        "decode_interval_s": opt.Option("a number of seconds from 0 to 5",
                                        opt.number(0, 5), 0.1),
        **_COMMON,
    },
    "sim": {
        "latency_s": opt.Option("a number of seconds from 0 to 5", opt.number(0, 5), 0.0),
        **_COMMON,
    },
}


def _serial(name: str, options: Mapping[str, Any], *, resolve: Resolver | None = None):
    from hardware.scanner.serial_scanner import SerialScanner

    o = opt.read_options(name, "serial", options, _SPECS["serial"])
    return SerialScanner(name, o.pop("port"), **o)


def _evdev(name: str, options: Mapping[str, Any], *, resolve: Resolver | None = None):
    from hardware.scanner.evdev_scanner import EvdevScanner

    o = opt.read_options(name, "evdev", options, _SPECS["evdev"])
    return EvdevScanner(name, o.pop("path"), **o)


def _camera(name: str, options: Mapping[str, Any], *, resolve: Resolver | None = None):
    from hardware.scanner.camera_scanner import CameraScanner

    o = opt.read_options(name, "camera", options, _SPECS["camera"])
    return CameraScanner(name, None, resolve=resolve, **o)


def _sim(name: str, options: Mapping[str, Any], *, resolve: Resolver | None = None):
    from hardware.scanner.simulator import SimulatedScanner

    return SimulatedScanner(name, **opt.read_options(name, "sim", options, _SPECS["sim"]))


DRIVERS: dict[str, Factory] = {"serial": _serial, "evdev": _evdev, "camera": _camera,
                               "sim": _sim}
# Option checks alone, without importing the drivers (used by the configuration check).
VALIDATORS: dict[str, Callable[[str, Mapping[str, Any]], Any]] = {
    driver: (lambda name, options, driver=driver:
             opt.read_options(name, driver, options, _SPECS[driver]))
    for driver in _SPECS}
