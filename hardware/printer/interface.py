"""`ReceiptPrinter`: the printer interface, with the job and status rules every driver shares.

A job is reported printed (``confirmed=True``) only when the printer took the bytes and
then answered its status with no problem. The rules:

- before sending, the status is read; a definite problem (paper end, cover open, cutter or
  unrecoverable error) refuses the job with `PrinterNotReadyError` and sets the status;
- an unknown status does not stop the job (a printer without a status channel still
  prints), but then only a clean status after the job can confirm it;
- after sending, a definite problem raises `PrintJobFailedError`; an unknown or offline
  status returns ``confirmed=False``;
- a connection lost at any point raises `PrinterNotFoundError` and sets noDevice.

Drivers implement four primitives (`_connect`, `_disconnect`, `_write`, `_ask`); this class
holds the I/O lock, so the primitives never run concurrently. Methods block; call them off
the UI thread.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from hardware.base import Device, DeviceKind, DeviceStatus
from hardware.errors import PrinterError
from hardware.printer.commands import STATUS_REQUESTS
from hardware.printer.errors import (PrinterNotFoundError, PrinterNotReadyError,
                                     PrintJobFailedError)
from hardware.printer.receipt import Receipt
from hardware.printer.render import RenderSettings, render
from hardware.printer.status import PrinterState, device_status, parse_status

log = logging.getLogger(__name__)

NO_CHANNEL_DETAIL = "no status channel: jobs are sent but never confirmed"


@dataclass(frozen=True)
class PrintResult:
    """What happened to one job. ``confirmed`` False: sent, but the printer did not say
    it went well (``note`` says why); tell the resident to check the receipt."""

    job_id: str
    bytes_sent: int
    before: PrinterState
    after: PrinterState
    confirmed: bool
    note: str = ""


class ReceiptPrinter(Device):
    """Base of every receipt printer: real drivers and the simulator."""

    kind = DeviceKind.PRINTER

    def __init__(self, name: str, settings: RenderSettings = RenderSettings(), *,
                 confirm_wait_s: float = 0.0, status_channel: bool = True) -> None:
        """``confirm_wait_s``: pause between sending a job and asking how it went, so a
        paper end met while printing shows in the answer."""
        super().__init__(name)
        self.settings = settings
        self.confirm_wait_s = confirm_wait_s
        self.status_channel = status_channel
        self._io = threading.RLock()  # re-entrant: a status listener may call back in
        self._connected = False

    # -- driver primitives (called with the I/O lock held) ---------------------------------
    def _connect(self) -> None:
        """Open the transport. Raises PrinterNotFoundError or PrinterError."""
        raise NotImplementedError

    def _disconnect(self) -> None:
        """Release the transport; never raises."""
        raise NotImplementedError

    def _write(self, data: bytes, *, job_id: str = "", receipt: Receipt | None = None) -> None:
        """Send job bytes. Raises PrinterNotFoundError (gone) or PrinterTimeoutError."""
        raise NotImplementedError

    def _ask(self, n: int) -> bytes | None:
        """Send ``DLE EOT n`` and return the answer, or None after the status timeout.
        Raises PrinterNotFoundError when the connection is gone."""
        raise NotImplementedError

    # -- Device ------------------------------------------------------------------------------
    def capabilities(self) -> dict[str, Any]:
        return {"paper_chars": self.settings.paper_chars, "encoding": self.settings.encoding,
                "qr_native": True, "cutter": self.settings.cutter,
                "status_channel": self.status_channel}

    def open(self) -> None:
        """Connect and read the status. Raises PrinterNotFoundError (status noDevice) or
        PrinterError (hardwareError). A printer that does not answer its status still
        opens, with status offline ("status unknown")."""
        with self._io:
            if self._connected:
                self._drop()
            try:
                self._connect()
            except PrinterError as exc:
                self.report_failure(exc)
                raise
            self._connected = True
            self._count("opens")
            state = self._read_state_or_fail()
            self._apply(state)

    def close(self) -> None:
        """Disconnect (waits for a running job); status offline. Never raises."""
        with self._io:
            self._drop()
            self._set_status(DeviceStatus.OFFLINE, "closed")

    def check(self) -> DeviceStatus:
        """Read the status now (blocks up to the status timeout) and return it. A lost
        connection becomes noDevice; nothing is raised."""
        with self._io:
            return self._check_locked()

    def poll(self) -> None:
        """Like `check`, but returns at once while a job holds the printer: the job
        reads the status itself."""
        if not self._io.acquire(blocking=False):
            return
        try:
            self._check_locked()
        finally:
            self._io.release()

    # -- printer -----------------------------------------------------------------------------
    def query_state(self) -> PrinterState:
        """Ask the printer (``DLE EOT 1..4``), update the status and return the state.
        Raises PrinterNotFoundError when the connection is gone, PrinterError when closed."""
        with self._io:
            self._require_open()
            state = self._read_state_or_fail()
            self._apply(state)
            return state

    def print_receipt(self, receipt: Receipt) -> PrintResult:
        """Print one receipt; blocks until it was sent and the status read after it.

        Raises PrinterNotReadyError (refused, nothing sent), PrintJobFailedError (sent,
        then a problem reported), PrinterNotFoundError (connection lost: noDevice) or
        PrinterTimeoutError. Never reports success it has not seen.
        """
        data = render(receipt, self.settings)
        job_id = uuid.uuid4().hex[:12]
        with self._io:
            self._require_open()
            before = self._read_state_or_fail()
            if before.definite_problem:
                self._apply(before)
                self._count("jobs_refused")
                raise PrinterNotReadyError(f"printer {self.name} refused job {job_id}: "
                                           f"{self.detail}", before)
            self._set_status(DeviceStatus.BUSY, f"printing job {job_id}")
            try:
                self._write(data, job_id=job_id, receipt=receipt)
            except PrinterError as exc:
                self._count("jobs_failed")
                self._fail(exc)
                raise
            if self.confirm_wait_s > 0:
                time.sleep(self.confirm_wait_s)
            try:
                after = self._read_state_or_fail()
            except PrinterError:
                self._count("jobs_failed")  # the bytes left, but nobody saw them printed
                raise
            self._apply(after)
            return self._outcome(job_id, len(data), before, after)

    # -- internals ---------------------------------------------------------------------------
    def _outcome(self, job_id: str, sent: int, before: PrinterState,
                 after: PrinterState) -> PrintResult:
        if after.definite_problem:
            self._count("jobs_failed")
            log.warning("printer %s: job %s sent (%d bytes) but the printer reports: %s",
                        self.name, job_id, sent, self.detail)
            raise PrintJobFailedError(f"printer {self.name}: job {job_id} failed: "
                                      f"{self.detail}", after, job_id)
        if after.ok:
            note, confirmed = "", True
        elif not self.status_channel:
            note, confirmed = NO_CHANNEL_DETAIL, False
        elif after.unknown:
            note, confirmed = f"status unknown after the job: {after.unknown_reason}", False
        else:
            note, confirmed = f"printer not ready after the job: {self.detail}", False
        self._count("jobs_confirmed" if confirmed else "jobs_unconfirmed")
        log.info("printer %s: job %s sent (%d bytes), confirmed=%s%s", self.name, job_id,
                 sent, confirmed, f" ({note})" if note else "")
        return PrintResult(job_id, sent, before, after, confirmed, note)

    def _require_open(self) -> None:
        if self._connected:
            return
        why = f"printer {self.name} is not open ({self.status.value}: {self.detail})"
        if self.status == DeviceStatus.NO_DEVICE:
            raise PrinterNotFoundError(why)
        raise PrinterError(why)

    def _read_state(self) -> PrinterState:
        if not self.status_channel:
            return PrinterState()
        answers: list[bytes | None] = []
        for n in STATUS_REQUESTS:
            answer = self._ask(n)
            answers.append(answer)
            if not answer:
                break  # a silent printer would make every further request wait as long
        return parse_status(answers)

    def _read_state_or_fail(self) -> PrinterState:
        try:
            return self._read_state()
        except PrinterError as exc:
            self._fail(exc)
            raise

    def _check_locked(self) -> DeviceStatus:
        if not self._connected:
            return self.status
        try:
            self._apply(self._read_state_or_fail())
        except PrinterError:
            pass  # _fail has set noDevice / hardwareError; a probe reports, it does not raise
        return self.status

    def _apply(self, state: PrinterState) -> None:
        if not self.status_channel:
            self._set_status(DeviceStatus.ONLINE, NO_CHANNEL_DETAIL)
            return
        self._set_status(*device_status(state))

    def _fail(self, exc: PrinterError) -> None:
        """The transport is in an unknown state after a transport error: drop it, so the
        device manager reopens it, and set noDevice or hardwareError."""
        log.warning("printer %s: %s", self.name, exc)
        self._drop()
        self.report_failure(exc)

    def _drop(self) -> None:
        if self._connected:
            self._connected = False
            self._disconnect()
