"""`EscposReceiptPrinter`: a real receipt printer over a python-escpos connection.

The job bytes come from our renderer and go out through the link's ``_raw`` write; status
is read by the link with its own short timeout. See `links` for the transports and
`interface.ReceiptPrinter` for the job and status rules.
"""

from __future__ import annotations

from hardware.base import DeviceInfo
from hardware.printer.commands import status_request
from hardware.printer.interface import ReceiptPrinter
from hardware.printer.links import EscposLink
from hardware.printer.receipt import Receipt
from hardware.printer.render import RenderSettings


class EscposReceiptPrinter(ReceiptPrinter):
    """A printer on ``link`` (network, serial, USB or device file). Blocking methods."""

    def __init__(self, name: str, link: EscposLink, settings: RenderSettings = RenderSettings(),
                 *, confirm_wait_s: float = 0.5) -> None:
        super().__init__(name, settings, confirm_wait_s=confirm_wait_s,
                         status_channel=link.has_status)
        self.link = link
        self._info = DeviceInfo(model="ESC/POS receipt printer", transport=link.description)

    def _connect(self) -> None:
        self.link.open()

    def _disconnect(self) -> None:
        self.link.close()

    def _write(self, data: bytes, *, job_id: str = "", receipt: Receipt | None = None) -> None:
        self.link.write(data)

    def _ask(self, n: int) -> bytes | None:
        return self.link.ask(status_request(n))
