"""A SAM module and card slot in memory: answers requests as a reader would.

Shared by the simulator (in-process) and the fake serial device (behind a pty), so both
follow the same card-state rules: find, then select, then read (a new find drops the
selection; taking the card away drops everything). Thread-safe.
"""

from __future__ import annotations

import threading
from collections import deque

from hardware.card_reader.card_record import CardRecord, encode_read_data
from hardware.card_reader.sam_protocol import (
    FIND_CARD, READ_APPENDED_ADDRESS, READ_TEXT_PHOTO, READ_WITH_FINGERPRINT, RESET_SAM,
    SAM_ID, SAM_STATUS, SELECT_CARD, SW3, Response, command_for,
)
from hardware.card_reader.samples import pseudo_random_bytes

DEFAULT_SAM_ID = pseudo_random_bytes("sam:village-kiosk-demo", 16)
_FIND_DATA = bytes(4)  # find OK carries 4 bytes (00 00 00 00 in hardware.md's example)
_SELECT_DATA = bytes(8)


class VirtualSam:
    """State: the card on the slot (or None), SAM health, queued read failures."""

    def __init__(self, card: CardRecord | None = None, *,
                 sam_id: bytes = DEFAULT_SAM_ID) -> None:
        self._lock = threading.Lock()
        self._card = card
        self._found = self._selected = False
        self._sam_failure = False
        self._failures: deque[int] = deque()
        self.sam_id = sam_id

    @property
    def card(self) -> CardRecord | None:
        return self._card

    def insert(self, card: CardRecord) -> None:
        with self._lock:
            self._card = card
            self._found = self._selected = False

    def remove(self) -> None:
        with self._lock:
            self._card = None
            self._found = self._selected = False

    def set_sam_failure(self, failing: bool) -> None:
        """While set, every command is answered 60 (SAM self-test failed)."""
        with self._lock:
            self._sam_failure = failing

    def fail_next_read(self, sw3: int, times: int = 1) -> None:
        """The next ``times`` read attempts fail with ``sw3`` at the step it belongs to:
        80 at find card, 81 at select card, any other code at the read itself."""
        with self._lock:
            self._failures.extend([sw3] * times)

    def answer(self, cmd: int, para: int, data: bytes = b"") -> Response:
        """The response to one request (never raises)."""
        with self._lock:
            return self._answer(cmd, para)

    def _answer(self, cmd: int, para: int) -> Response:
        command = command_for(cmd, para)
        if command is None:
            return Response(0, 0, SW3.COMMAND_ERROR)
        if self._sam_failure:
            return Response(0, 0, SW3.SAM_SELF_TEST_FAILED)
        if command in (RESET_SAM, SAM_STATUS):
            if command == RESET_SAM:
                self._found = self._selected = False
            return Response(0, 0, SW3.SUCCESS)
        if command == SAM_ID:
            return Response(0, 0, SW3.SUCCESS, self.sam_id)
        if command == FIND_CARD:
            self._selected = False
            if self._failures and self._failures[0] == SW3.FIND_FAILED:
                self._failures.popleft()
                return Response(0, 0, SW3.FIND_FAILED)
            self._found = self._card is not None
            return Response(0, 0, SW3.FIND_OK, _FIND_DATA) if self._found \
                else Response(0, 0, SW3.FIND_FAILED)
        if command == SELECT_CARD:
            if self._failures and self._failures[0] == SW3.SELECT_FAILED:
                self._failures.popleft()
                return Response(0, 0, SW3.SELECT_FAILED)
            self._selected = self._found and self._card is not None
            return Response(0, 0, SW3.SUCCESS, _SELECT_DATA) if self._selected \
                else Response(0, 0, SW3.SELECT_FAILED)
        return self._read(command)

    def _read(self, command: object) -> Response:
        if not self._selected or self._card is None:
            return Response(0, 0, SW3.READ_FAILED)
        if command == READ_APPENDED_ADDRESS:
            return Response(0, 0, SW3.NO_CONTENT)
        if self._failures:
            return Response(0, 0, self._failures.popleft())
        fingerprint = command == READ_WITH_FINGERPRINT
        assert command in (READ_TEXT_PHOTO, READ_WITH_FINGERPRINT)
        return Response(0, 0, SW3.SUCCESS, encode_read_data(self._card, fingerprint))
