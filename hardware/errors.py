"""Errors of the hardware layer, under `common.errors.HardwareError`.

Drivers wrap library and OS errors with ``raise ... from`` so the cause reaches the log.
"""

from __future__ import annotations

from common.errors import DeviceNotFoundError, HardwareError

__all__ = [
    "HardwareError", "DeviceNotFoundError", "DeviceTimeoutError", "ProtocolError",
    "DeviceBusyError", "DeviceUserError", "NoCardError", "CardReadError", "PrinterError",
    "ScanRejectedError", "SpeechError", "DeviceConfigError",
]


class DeviceTimeoutError(HardwareError):
    """The device did not answer within the operation's time limit."""


class ProtocolError(HardwareError):
    """The device answered with bytes that do not form a valid frame or message."""


class DeviceBusyError(HardwareError):
    """Another operation is running on this device."""


class DeviceUserError(HardwareError):
    """Something the person in front of the device can fix (no card, paper out, ...)."""


class NoCardError(DeviceUserError):
    """No ID card on the reader."""


class CardReadError(HardwareError):
    """A card is there but could not be read (select/read failed, SAM refused, bad data)."""


class PrinterError(HardwareError):
    """The printer refused or lost a job (paper out, cover open, cutter error, unknown)."""


class ScanRejectedError(HardwareError):
    """A scanned code was refused (empty, too long, binary garbage)."""


class SpeechError(HardwareError):
    """The speaker cannot speak now (closed, failed) or its synthesiser or audio output
    failed while saying an utterance (exited with an error, wrote an error, hung)."""


class DeviceConfigError(HardwareError):
    """A device entry in the configuration cannot be built (unknown driver, bad option)."""
