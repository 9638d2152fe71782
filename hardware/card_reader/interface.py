"""The ID card reader interface: what the kiosk may ask of any reader, and its events.

Methods block (serial I/O, card RF) and must run off the UI thread. Events are emitted on
the thread that noticed the change (the manager's watcher for `poll`, the caller's for
`read_card`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from hardware.base import Device, DeviceKind
from hardware.card_reader.card_record import CardRecord
from hardware.errors import CardReadError


@dataclass(frozen=True)
class CardPresent:
    """A card was found on the reader (it was not there at the previous look)."""

    device: str


@dataclass(frozen=True)
class CardRemoved:
    """The card that was on the reader is gone. Ends the resident's session."""

    device: str


class SamError(CardReadError):
    """The reader's SAM security module failed or refused (self-test, not authorised).

    Not the card's fault and not fixed by retrying; the reader's status is HARDWARE_ERROR.
    """


class CardRefusedError(CardReadError):
    """The reader refused this card or this request for good (unknown card type, command
    not supported): retrying the same card will not help."""


class CardReader(Device):
    """Base of every ID card reader.

    ``card_present`` is the presence last observed by `poll` or `read_card` (no I/O).
    Losing the device does not change it: a card taken away during an outage is reported
    by the first look after recovery, and a cable glitch never fakes a CardRemoved (which
    would end the resident's session).
    """

    kind = DeviceKind.CARD_READER

    def __init__(self, name: str, *, read_fingerprint: bool = False, retries: int = 2,
                 transport: str = "") -> None:
        super().__init__(name)
        self.read_fingerprint = read_fingerprint
        self.retries = retries
        self.transport = transport
        self._card_present = False
        self._presence_lock = threading.RLock()  # held while emitting: keeps events in order

    @property
    def card_present(self) -> bool:
        return self._card_present

    def capabilities(self) -> dict[str, Any]:
        return {"fingerprint": self.read_fingerprint, "transport": self.transport}

    # -- blocking operations -----------------------------------------------------------
    def read_card(self, timeout_s: float = 5.0) -> CardRecord:
        """Find, select and read the card on the reader within ``timeout_s`` (blocks).

        Transient failures (card moved, line noise, a late answer) are retried up to
        ``retries`` times inside the time limit. Raises NoCardError (no card),
        CardReadError (incl. SamError, CardRefusedError: the card or SAM failed),
        ProtocolError (the reader's answers stayed garbled), DeviceTimeoutError (no
        answer in time), DeviceNotFoundError (the reader is gone or not open).
        """
        raise NotImplementedError

    def sam_id(self) -> str:
        """The SAM module's id as upper-case hex (blocks; same errors as read_card)."""
        raise NotImplementedError

    # -- presence ------------------------------------------------------------------------
    def _note_presence(self, present: bool) -> None:
        """Record an observation; emit CardPresent / CardRemoved when it changed."""
        with self._presence_lock:
            if present == self._card_present:
                return
            self._card_present = present
            self._count("cards_inserted" if present else "cards_removed")
            self._emit(CardPresent(self.name) if present else CardRemoved(self.name))
