"""Job rules beyond the contract: a problem reported after sending, polls during a job."""

from __future__ import annotations

import threading
import time

import pytest

from hardware.base import DeviceStatus
from hardware.printer import (DRIVERS, FakeNetworkPrinter, PrinterNotReadyError,
                              PrintJobFailedError, Receipt,
                              SimulatedReceiptPrinter)
from hardware.printer.receipt import Text

RECEIPT = Receipt("预约取号", (Text("A012"),))


class PaperRunsOutWhilePrinting(SimulatedReceiptPrinter):
    def _write(self, data, **job):
        super()._write(data, **job)
        self.run_out_of_paper()


def test_paper_end_reported_after_the_job_raises_and_is_never_confirmed():
    printer = PaperRunsOutWhilePrinting()
    printer.open()
    with pytest.raises(PrintJobFailedError, match="paper end") as info:
        printer.print_receipt(RECEIPT)
    assert info.value.state.paper_end and info.value.job_id
    assert printer.status == DeviceStatus.USER_ERROR
    assert printer.counters["jobs_failed"] == 1 and "jobs_confirmed" not in printer.counters


def test_a_cutter_jam_is_a_hardware_error_that_refuses_jobs():
    printer = SimulatedReceiptPrinter()
    printer.open()
    printer.jam_cutter()
    printer.poll()
    assert (printer.status, printer.detail) == (DeviceStatus.HARDWARE_ERROR, "cutter error")
    with pytest.raises(PrinterNotReadyError, match="cutter error"):
        printer.print_receipt(RECEIPT)
    assert printer.printed == []


def test_poll_returns_at_once_while_a_job_holds_the_printer():
    with FakeNetworkPrinter() as fake:
        printer = DRIVERS["network"]("printer", {
            "host": "127.0.0.1", "port": fake.port, "timeout_s": 1.0,
            "status_timeout_s": 0.3, "confirm_wait_s": 0.5})
        printer.open()
        results = []
        job = threading.Thread(target=lambda: results.append(printer.print_receipt(RECEIPT)))
        job.start()
        deadline = time.monotonic() + 2.0
        while printer.status != DeviceStatus.BUSY and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        printer.poll()
        assert time.monotonic() - started < 0.1
        assert printer.status == DeviceStatus.BUSY
        job.join(3.0)
        assert results and results[0].confirmed
        assert printer.status == DeviceStatus.ONLINE
        printer.close()
