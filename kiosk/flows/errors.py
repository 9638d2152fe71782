"""Turning any failure into one calm sentence for the resident and one precise log line.

`explain(exc, tr, doing)` returns the Notice the screen shows (what happened, what to do
next; never a stack trace, never an error code) and writes the technician log line with
the exception's class and text (already free of personal data: the log redacts ID and
phone numbers on top). Flows call it from their `on_error` callbacks.
"""

from __future__ import annotations

import logging

from common.errors import HardwareError, StorageError
from kiosk.flows.view import Notice
from kiosk.platform_errors import (PlatformRefusedError, PlatformUnavailableError,
                                   ResidentSessionError, TerminalAuthError)

log = logging.getLogger("kiosk.flows")


def explain(exc: BaseException, tr, doing: str) -> Notice:
    """`doing`: what the flow was doing, in English, for the log ("verify card")."""
    log.warning("flow: %s failed: %s: %s", doing, type(exc).__name__, exc)
    # Imported here: hardware errors are leaf classes; importing keeps the kinds precise.
    from hardware.errors import (CardReadError, DeviceBusyError, DeviceTimeoutError,
                                 NoCardError, PrinterError)
    from hardware.printer.errors import PrinterNotReadyError

    if isinstance(exc, ResidentSessionError):
        return Notice("warning", tr("Your identity check has expired. Please identify "
                                    "yourself again."))
    if isinstance(exc, TerminalAuthError):
        return Notice("error", tr("This terminal cannot reach the service platform right "
                                  "now. Please ask the staff for help or try another "
                                  "terminal."))
    if isinstance(exc, PlatformRefusedError):
        return Notice("warning", exc.message)
    if isinstance(exc, PlatformUnavailableError):
        return Notice("warning", tr("The network is not working at the moment. Please try "
                                    "again in a little while."))
    if isinstance(exc, NoCardError):
        return Notice("warning", tr("No ID card was found. Please lay the card flat on the "
                                    "reader and keep it still."))
    if isinstance(exc, CardReadError):
        return Notice("warning", tr("The ID card could not be read. Please take it off, put "
                                    "it back and keep it still, or scan your code instead."))
    if isinstance(exc, PrinterNotReadyError):
        return Notice("warning", tr("The printer is not ready (for example out of paper). "
                                    "Nothing is lost; please ask the staff for help."))
    if isinstance(exc, PrinterError):
        return Notice("warning", tr("Printing failed. Nothing is lost; please ask the staff "
                                    "for help."))
    if isinstance(exc, (DeviceBusyError, DeviceTimeoutError)):
        return Notice("warning", tr("The device did not answer in time. Please try again."))
    if isinstance(exc, HardwareError):
        return Notice("warning", tr("This device cannot be used at the moment. Please choose "
                                    "another way or ask the staff for help."))
    if isinstance(exc, StorageError):
        return Notice("error", tr("This terminal could not save your request. Please ask the "
                                  "staff for help; nothing has been sent."))
    log.error("flow: unexpected failure while %s", doing, exc_info=exc)
    return Notice("error", tr("Something went wrong on this terminal. Please try again or "
                              "ask the staff for help."))
