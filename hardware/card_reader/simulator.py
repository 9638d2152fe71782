"""A complete card reader without hardware, for demos, development and UI tests.

`SimulatedCardReader` runs the same reading logic as the serial driver (`SamCardReader`)
against an in-memory SAM (`VirtualSam`) instead of a serial line, so statuses, errors,
retries and presence events are those of the real driver. A small control API plays the
resident and the technician: insert or remove a card, unplug the reader, make reads fail.
"""

from __future__ import annotations

import threading

from hardware.card_reader.card_record import CardRecord
from hardware.card_reader.sam_protocol import (
    READ_TEXT_PHOTO, READ_WITH_FINGERPRINT, Command, Response,
)
from hardware.card_reader.sam_reader import SamCardReader
from hardware.card_reader.samples import resolve_card, sample_cards, staff_cards
from hardware.card_reader.virtual_sam import VirtualSam
from hardware.errors import DeviceNotFoundError, DeviceTimeoutError


class SimulatedCardReader(SamCardReader):
    """A reader in memory. ``card``: a sample card (index, ID number or record) on the
    reader from the start; ``read_delay_s``: how long a read takes (card RF, roughly)."""

    model = "simulated SAM ID card reader"

    def __init__(self, name: str, *, card: CardRecord | int | str | None = None,
                 read_delay_s: float = 0.3, retries: int = 2, timeout_s: float = 2.0,
                 read_fingerprint: bool = False,
                 cards: list[CardRecord] | None = None) -> None:
        super().__init__(name, timeout_s=timeout_s, retries=retries,
                         read_fingerprint=read_fingerprint, transport="sim")
        self.cards = sample_cards() if cards is None else list(cards)
        self.read_delay_s = read_delay_s
        self.sam = VirtualSam(None if card is None else resolve_card(card, self.cards))
        self._plugged = True
        self._open = False
        self._wake = threading.Event()  # ends a read's delay early: unplug() or close()

    # -- control API (any thread, never blocks) ---------------------------------------------
    def insert_card(self, card: CardRecord | int | str) -> CardRecord:
        """Put a card on the reader: a record, a sample index or a sample's ID number."""
        record = resolve_card(card, self.cards)
        self.sam.insert(record)
        return record

    def insert_staff_card(self, index: int = 0) -> CardRecord:
        """Put a village agent's staff card (`samples.staff_cards()`) on the reader."""
        return self.insert_card(staff_cards()[index])

    def remove_card(self) -> None:
        self.sam.remove()

    def unplug(self) -> None:
        """Pull the cable: a read in progress fails at once, the next exchange finds
        the device gone (NO_DEVICE), `open` fails until `replug`."""
        self._plugged = False
        self._wake.set()

    def replug(self) -> None:
        """Plug the cable back; like the real driver, it needs close() + open()."""
        self._plugged = True

    def fail_next_read(self, sw3: int, times: int = 1) -> None:
        """The next ``times`` read attempts fail with SW3 ``sw3`` (80 at find card, 81 at
        select, any other at the read). With ``times`` <= retries the reader recovers."""
        self.sam.fail_next_read(sw3, times)

    def set_sam_failure(self, failing: bool) -> None:
        """Make the SAM fail its self-test (SW3 60) until set back to False."""
        self.sam.set_sam_failure(failing)

    # -- transport hooks ---------------------------------------------------------------------
    @property
    def _connected(self) -> bool:
        return self._open

    def _connect(self) -> None:
        if not self._plugged:
            raise DeviceNotFoundError(f"card reader {self.name}: simulated reader unplugged")
        self._wake.clear()
        self._open = True

    def _disconnect(self) -> None:
        self._open = False

    def _interrupt(self) -> None:
        self._wake.set()

    def _exchange(self, command: Command, data: bytes, timeout_s: float) -> Response:
        if not self._open:
            raise DeviceNotFoundError(f"card reader {self.name} is not open")
        if not self._plugged:
            self._lost("simulated reader unplugged")
        delay = self.read_delay_s if command in (READ_TEXT_PHOTO, READ_WITH_FINGERPRINT) else 0.0
        if delay > 0 and self._wake.wait(min(delay, timeout_s)):
            if not self._plugged:
                self._lost(f"simulated reader unplugged during {command.name}")
            raise DeviceNotFoundError(f"card reader {self.name}: closed during {command.name}")
        if delay > timeout_s:
            raise DeviceTimeoutError(f"card reader {self.name}: no answer to {command.name} "
                                     f"within {timeout_s:.1f} s")
        return self.sam.answer(command.cmd, command.para, data)
