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
from hardware.printer.drivers import (file_printer, network_printer, serial_printer,
                                      sim_printer, usb_printer)
from hardware.printer.errors import (PrinterNotFoundError, PrinterNotReadyError,
                                     PrinterTimeoutError, PrintJobFailedError)
from hardware.printer.escpos_printer import EscposReceiptPrinter
from hardware.printer.fake_printer import FakeNetworkPrinter
from hardware.printer.interface import PrintResult, ReceiptPrinter
from hardware.printer.links import FileLink, NetworkLink, SerialLink, UsbLink
from hardware.printer.parser import ParsedBarcode, ParsedJob, parse_escpos
from hardware.printer.receipt import (Barcode, Element, Feed, KeyValue, QrCode, Receipt,
                                      Separator, Text)
from hardware.printer.render import RenderSettings, render
from hardware.printer.simulator import PrintedJob, SimulatedReceiptPrinter
from hardware.printer.status import PrinterState, device_status, parse_status

DRIVERS: dict[str, Callable[[str, Mapping[str, Any]], ReceiptPrinter]] = {
    "network": network_printer,
    "serial": serial_printer,
    "usb": usb_printer,
    "file": file_printer,
    "sim": sim_printer,
}

__all__ = [
    "DRIVERS", "Receipt", "Element", "Text", "KeyValue", "QrCode", "Barcode", "Separator",
    "Feed", "RenderSettings", "render", "PrinterState", "parse_status", "device_status",
    "ReceiptPrinter", "PrintResult", "EscposReceiptPrinter", "NetworkLink", "SerialLink",
    "UsbLink", "FileLink", "SimulatedReceiptPrinter", "PrintedJob", "FakeNetworkPrinter",
    "ParsedJob", "ParsedBarcode", "parse_escpos", "PrinterError", "PrinterNotFoundError",
    "PrinterNotReadyError", "PrintJobFailedError", "PrinterTimeoutError",
]
