"""The printer's errors: all are `PrinterError`, so a print flow catches one class.

Two also carry the generic meaning the device manager acts on: `PrinterNotFoundError` is a
`DeviceNotFoundError` (status noDevice, reopen) and `PrinterTimeoutError` a
`DeviceTimeoutError`.
"""

from __future__ import annotations

from hardware.errors import DeviceNotFoundError, DeviceTimeoutError, PrinterError
from hardware.printer.status import PrinterState


class PrinterNotFoundError(PrinterError, DeviceNotFoundError):
    """Nothing to talk to: connection refused, device gone, connection dropped mid-job."""


class PrinterTimeoutError(PrinterError, DeviceTimeoutError):
    """The printer stopped taking bytes within the time limit (the job may be partial)."""


class PrinterNotReadyError(PrinterError):
    """The job was refused before sending: the printer reported a definite problem."""

    def __init__(self, message: str, state: PrinterState) -> None:
        super().__init__(message)
        self.state = state


class PrintJobFailedError(PrinterError):
    """The bytes went out but the printer then reported a problem: the receipt is missing
    or incomplete."""

    def __init__(self, message: str, state: PrinterState, job_id: str) -> None:
        super().__init__(message)
        self.state = state
        self.job_id = job_id
