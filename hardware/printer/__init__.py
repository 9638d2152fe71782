"""Receipt printer: receipt model, ESC/POS renderer, real drivers, simulator, fake printer.

Use: build a `Receipt`, get a printer from `DRIVERS` (through the device manager), call
`print_receipt` off the UI thread and look at `PrintResult.confirmed`. Drivers and their
options (every driver also takes encoding, paper_mm, paper_chars, chinese_mode_command,
cutter):

- ``network``: host, port (9100), timeout_s, status_timeout_s, confirm_wait_s
- ``serial``: devfile, baudrate (9600), dsrdtr, timeout_s, status_timeout_s, confirm_wait_s
- ``usb``: vendor_id, product_id, in_ep, out_ep, timeout_s, status_timeout_s,
  confirm_wait_s (needs pyusb)
- ``file``: devfile (no status channel: jobs are never confirmed)
- ``sim``: the simulator (no transport options)
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from hardware.errors import PrinterError
from hardware.lazy import lazy_exports
from hardware.printer.drivers import (VALIDATORS, file_printer, network_printer,
                                      serial_printer, sim_printer, usb_printer)

_EXPORTS = {
    **{n: "errors" for n in ("PrinterNotFoundError", "PrinterNotReadyError",
                             "PrinterTimeoutError", "PrintJobFailedError")},
    "EscposReceiptPrinter": "escpos_printer", "FakeNetworkPrinter": "fake_printer",
    "PrintResult": "interface", "ReceiptPrinter": "interface",
    **{n: "links" for n in ("FileLink", "NetworkLink", "SerialLink", "UsbLink")},
    **{n: "parser" for n in ("ParsedBarcode", "ParsedJob", "parse_escpos")},
    **{n: "receipt" for n in ("Barcode", "Element", "Feed", "KeyValue", "QrCode", "Receipt",
                              "Separator", "Text")},
    "RenderSettings": "render",
    "PrintedJob": "simulator", "SimulatedReceiptPrinter": "simulator",
    **{n: "status" for n in ("PrinterState", "device_status", "parse_status")},
}
__getattr__ = lazy_exports(__name__, _EXPORTS)
# The renderer is `hardware.printer.render.render` (the submodule has the function's name).
__all__ = ["DRIVERS", "VALIDATORS", "PrinterError", *_EXPORTS]

DRIVERS: dict[str, Callable[[str, Mapping[str, Any]], Any]] = {
    "network": network_printer,
    "serial": serial_printer,
    "usb": usb_printer,
    "file": file_printer,
    "sim": sim_printer,
}
