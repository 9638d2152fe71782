"""`SimulatedReceiptPrinter`: a complete receipt printer in memory, for demos and tests.

It renders with the same renderer, answers ``DLE EOT`` from its panel with the same bits as
a real printer, and goes through the same job and status rules (`ReceiptPrinter`), so it
gives the same statuses and errors as a real one. What it printed is kept in `printed`,
read back from the bytes by the same parser the fake network printer uses.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from hardware.base import DeviceInfo
from hardware.printer.errors import PrinterNotFoundError
from hardware.printer.interface import ReceiptPrinter
from hardware.printer.panel import PanelControls, PrinterPanel
from hardware.printer.parser import ParsedBarcode, parse_escpos
from hardware.printer.receipt import Receipt
from hardware.printer.render import RenderSettings


@dataclass(frozen=True)
class PrintedJob:
    """One job the simulator put on (pretend) paper."""

    job_id: str
    receipt: Receipt | None
    data: bytes
    lines: tuple[str, ...]
    qr_codes: tuple[str, ...]
    barcodes: tuple[ParsedBarcode, ...]
    cuts: int

    @property
    def text_lines(self) -> tuple[str, ...]:
        return tuple(line for line in self.lines if line.strip())


class SimulatedReceiptPrinter(PanelControls, ReceiptPrinter):
    """Controls: `run_out_of_paper`, `load_paper`, `paper_near_end`, `open_cover`,
    `close_cover`, `jam_cutter`, `clear_cutter`, `stop_answering_status`, `answer_status`
    (from `PanelControls`), and `unplug`, `replug`, `unplug_during_next_job`."""

    def __init__(self, name: str = "printer", settings: RenderSettings = RenderSettings()
                 ) -> None:
        super().__init__(name, settings)
        self.panel = PrinterPanel()
        self.printed: list[PrintedJob] = []
        self.discarded_jobs = 0  # sent while the printer could not print
        self._plug_lock = threading.Lock()
        self._plugged = True
        self._drop_next_job = False
        self._info = DeviceInfo(model="simulated ESC/POS printer", transport="sim")

    # -- controls ------------------------------------------------------------------------
    def unplug(self) -> None:
        """The cable is pulled: every request fails until `replug` and a reopen."""
        with self._plug_lock:
            self._plugged = False

    def replug(self) -> None:
        with self._plug_lock:
            self._plugged = True

    def unplug_during_next_job(self) -> None:
        """The next job's bytes are lost halfway and the printer is gone."""
        with self._plug_lock:
            self._drop_next_job = True

    @property
    def plugged(self) -> bool:
        return self._plugged

    # -- primitives ----------------------------------------------------------------------
    def _require_plugged(self) -> None:
        if not self._plugged:
            raise PrinterNotFoundError(f"simulated printer {self.name} is unplugged")

    def _connect(self) -> None:
        with self._plug_lock:
            self._require_plugged()

    def _disconnect(self) -> None:
        pass

    def _write(self, data: bytes, *, job_id: str = "", receipt: Receipt | None = None) -> None:
        with self._plug_lock:
            self._require_plugged()
            if self._drop_next_job:
                self._drop_next_job, self._plugged = False, False
                raise PrinterNotFoundError(f"simulated printer {self.name} was unplugged "
                                           f"during job {job_id}")
        if not self.panel.can_print():
            self.discarded_jobs += 1
            return
        # a simulated printer that is not told FS & is one set to Chinese mode already
        chinese = not self.settings.chinese_mode_command
        parsed = parse_escpos(data, self.settings.encoding, chinese_mode=chinese)
        self.printed.append(PrintedJob(job_id, receipt, data, parsed.lines, parsed.qr_codes,
                                       parsed.barcodes, parsed.cuts))

    def _ask(self, n: int) -> bytes | None:
        with self._plug_lock:
            self._require_plugged()
        return self.panel.answer(n)
