"""Reading ID cards through SAM commands, whatever carries the frames.

`SamCardReader` holds everything a SAM reader does the same way on every transport: the
open handshake, find -> select -> read with retries inside a time limit, presence polling,
the mapping of SW3 codes to errors and statuses, counters. The serial driver and the
simulator only supply the transport hooks, so both behave alike by construction.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import NoReturn

from hardware.base import DeviceInfo, DeviceStatus
from hardware.card_reader.card_record import CardRecord, parse_read_response
from hardware.card_reader.interface import CardReader, CardRefusedError, SamError
from hardware.card_reader.sam_protocol import (
    FIND_CARD, READ_TEXT_PHOTO, READ_WITH_FINGERPRINT, SAM_ID, SAM_STATUS, SELECT_CARD, SW3,
    Command, Response,
)
from hardware.errors import (
    CardReadError, DeviceNotFoundError, DeviceTimeoutError, HardwareError, NoCardError,
    ProtocolError,
)

log = logging.getLogger(__name__)

SAM_FAULTS = frozenset({SW3.SAM_SELF_TEST_FAILED, SW3.SAM_NOT_AUTHORISED})
# Answers that will not change by asking again with the same card on the reader.
FINAL_CODES = frozenset({SW3.UNKNOWN_CARD_TYPE, SW3.COMMAND_ERROR, SW3.UNAUTHORISED,
                         SW3.NO_CONTENT})
LINE_CODES = frozenset({SW3.CHECKSUM_ERROR, SW3.LENGTH_ERROR})  # our request arrived garbled
POLL_TIMEOUT_S = 0.8  # a poll must come back within about a second
RETRY_PAUSE_S = 0.05  # lets a card that was still moving settle
SILENT_LIMIT = 2  # unanswered requests in a row before the status says so


class SamCardReader(CardReader):
    """A card reader speaking SAM frames. Thread-safe: one lock serialises the line.

    Subclasses implement `_connect` (blocking; raises DeviceNotFoundError, or another
    HardwareError for a bad setting), `_disconnect` (idempotent, never raises),
    `_connected`, and `_exchange` (one request, one answer within ``timeout_s``; raises
    DeviceTimeoutError or ProtocolError, and calls `_lost` when the device is gone).
    """

    model = "SAM ID card reader"

    def __init__(self, name: str, *, timeout_s: float = 2.0, retries: int = 2,
                 read_fingerprint: bool = False, transport: str = "") -> None:
        super().__init__(name, read_fingerprint=read_fingerprint, retries=retries,
                         transport=transport)
        self.timeout_s = timeout_s
        self._io = threading.RLock()
        self._silent = 0

    # -- transport hooks ---------------------------------------------------------------------
    @property
    def _connected(self) -> bool:
        raise NotImplementedError

    def _connect(self) -> None:
        raise NotImplementedError

    def _disconnect(self) -> None:
        raise NotImplementedError

    def _exchange(self, command: Command, data: bytes, timeout_s: float) -> Response:
        raise NotImplementedError

    def _interrupt(self) -> None:
        """Wake an exchange blocked on the line (before `close` takes the lock)."""

    # -- lifecycle -------------------------------------------------------------------------
    def open(self) -> None:
        """Connect and ask the SAM for its status and id (blocks up to a few timeouts).

        ONLINE on success. Raises DeviceNotFoundError (NO_DEVICE: port missing, or nothing
        answers the SAM protocol on it), SamError (HARDWARE_ERROR: the SAM reports a
        self-test or authorisation failure) or another HardwareError for a bad setting.
        The transport is released whenever open raises.
        """
        with self._io:
            self._disconnect()
            try:
                self._connect()
            except DeviceNotFoundError as exc:
                self._set_status(DeviceStatus.NO_DEVICE, str(exc))
                raise
            except HardwareError as exc:
                self._set_status(DeviceStatus.HARDWARE_ERROR, str(exc))
                raise
            self._handshake()

    def close(self) -> None:
        """Release the transport (waits for a running exchange, bounded); never raises."""
        self._interrupt()
        locked = self._io.acquire(timeout=self.timeout_s + 1.0)
        try:
            self._disconnect()
        finally:
            if locked:
                self._io.release()
        if self.status != DeviceStatus.NO_DEVICE:
            self._set_status(DeviceStatus.OFFLINE, "closed")

    def _handshake(self) -> None:
        last: HardwareError | None = None
        for _ in range(1 + self.retries):
            try:
                answer = self._exchange(SAM_STATUS, b"", self.timeout_s)
                break
            except (DeviceTimeoutError, ProtocolError) as exc:
                last = exc
        else:
            self._disconnect()
            reason = (f"no SAM answer on {self.transport} ({last}); wrong port, reader "
                      "unpowered or wrong baud rate?")
            self._set_status(DeviceStatus.NO_DEVICE, reason)
            raise DeviceNotFoundError(f"card reader {self.name}: {reason}") from last
        if answer.sw3 in SAM_FAULTS:
            self._disconnect()
            reason = f"SAM status answered {answer.meaning}"
            self._set_status(DeviceStatus.HARDWARE_ERROR, reason)
            raise SamError(f"card reader {self.name}: {reason}")
        self._silent = 0
        self._set_status(DeviceStatus.ONLINE)
        serial = ""
        try:
            serial = self._sam_id_locked()
        except DeviceNotFoundError:
            raise
        except HardwareError as exc:  # the reader works without telling its id
            log.warning("card reader %s: SAM id not read: %s", self.name, exc)
        self._info = DeviceInfo(model=self.model, serial=serial, transport=self.transport)

    def _lost(self, reason: str, cause: BaseException | None = None) -> NoReturn:
        """The device went away: release it, NO_DEVICE, DeviceNotFoundError to the caller."""
        self._disconnect()
        self._count("device_lost")
        self._set_status(DeviceStatus.NO_DEVICE, reason)
        raise DeviceNotFoundError(f"card reader {self.name}: {reason}") from cause

    # -- probes ------------------------------------------------------------------------------
    def check(self) -> DeviceStatus:
        """Ask the SAM its status now (blocks up to timeout_s); never raises."""
        if not self._connected or not self._io.acquire(timeout=self.timeout_s):
            return self.status
        try:
            self._checked(SAM_STATUS, self.timeout_s)
        except HardwareError as exc:
            log.debug("card reader %s: check: %s", self.name, exc)
        finally:
            self._io.release()
        return self.status

    def poll(self) -> None:
        """One find-card exchange (under a second): presence events and health.

        Skipped while a read holds the line or the reader is not open. Never raises:
        problems land in the status (NO_DEVICE, HARDWARE_ERROR) and the counters.
        """
        if not self._connected or not self._io.acquire(blocking=False):
            return
        seen: bool | None = None
        try:
            answer = self._checked(FIND_CARD, min(self.timeout_s, POLL_TIMEOUT_S))
            if answer.sw3 == SW3.FIND_OK:
                seen = True
            elif answer.sw3 == SW3.FIND_FAILED:
                seen = False
        except HardwareError as exc:
            log.debug("card reader %s: poll: %s", self.name, exc)
        finally:
            self._io.release()
        if seen is not None:
            self._note_presence(seen)

    def _checked(self, command: Command, timeout_s: float) -> Response:
        """One exchange with status bookkeeping (silence, SAM faults, recovery)."""
        try:
            answer = self._exchange(command, b"", timeout_s)
        except DeviceTimeoutError:
            self._count("timeouts")
            self._silent += 1
            if self._silent >= SILENT_LIMIT and self.status == DeviceStatus.ONLINE:
                self._set_status(DeviceStatus.HARDWARE_ERROR,
                                 f"no answer to {self._silent} requests in a row")
            raise
        except ProtocolError:
            self._count("protocol_errors")
            raise
        self._silent = 0
        if answer.sw3 in SAM_FAULTS:
            self._set_status(DeviceStatus.HARDWARE_ERROR, f"{command.name}: {answer.meaning}")
        elif self.status != DeviceStatus.ONLINE:
            self._set_status(DeviceStatus.ONLINE)
        return answer

    # -- card operations ---------------------------------------------------------------------
    def sam_id(self) -> str:
        if not self._io.acquire(timeout=self.timeout_s):
            raise DeviceTimeoutError(f"card reader {self.name}: busy")
        try:
            if not self._connected:
                raise DeviceNotFoundError(f"card reader {self.name} is not open")
            return self._sam_id_locked()
        finally:
            self._io.release()

    def _sam_id_locked(self) -> str:
        answer = self._checked(SAM_ID, self.timeout_s)
        self._expect(SAM_ID, answer, SW3.SUCCESS)
        if not answer.data:
            raise ProtocolError(f"card reader {self.name}: SAM id answer carries no id")
        return answer.data.hex().upper()

    def read_card(self, timeout_s: float = 5.0) -> CardRecord:
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        deadline = time.monotonic() + timeout_s
        if not self._io.acquire(timeout=timeout_s):
            raise DeviceTimeoutError(f"card reader {self.name}: busy for {timeout_s:.1f} s")
        try:
            data = self._read_with_retries(deadline)
        except NoCardError:
            self._count("no_card")
            raise
        except HardwareError:
            self._count("reads_failed")
            raise
        finally:
            self._io.release()
        try:
            record = parse_read_response(data, with_fingerprint=self.read_fingerprint)
        except HardwareError as exc:  # checksummed and SAM-verified: rereading won't help
            self._count("reads_failed")
            log.warning("card reader %s: card data refused: %s", self.name, exc)
            raise
        self._count("reads_ok")
        return record

    def _read_with_retries(self, deadline: float) -> bytes:
        if not self._connected:
            raise DeviceNotFoundError(f"card reader {self.name} is not open "
                                      f"({self.status.value})")
        command = READ_WITH_FINGERPRINT if self.read_fingerprint else READ_TEXT_PHOTO
        last: HardwareError | None = None
        for attempt in range(1 + self.retries):
            if attempt:
                self._count("read_retries")
                time.sleep(max(0.0, min(RETRY_PAUSE_S, deadline - time.monotonic())))
            try:
                return self._read_once(command, deadline)
            except (NoCardError, DeviceNotFoundError, SamError, CardRefusedError):
                raise
            except (CardReadError, ProtocolError, DeviceTimeoutError) as exc:
                last = exc
                log.info("card reader %s: attempt %d of %d failed: %s", self.name,
                         attempt + 1, 1 + self.retries, exc)
                if time.monotonic() >= deadline:
                    break
        assert last is not None
        raise last

    def _read_once(self, command: Command, deadline: float) -> bytes:
        answer = self._step(FIND_CARD, deadline)
        if answer.sw3 == SW3.FIND_FAILED:
            self._note_presence(False)
            raise NoCardError(f"card reader {self.name}: no card on the reader")
        self._expect(FIND_CARD, answer, SW3.FIND_OK)
        self._note_presence(True)
        self._expect(SELECT_CARD, self._step(SELECT_CARD, deadline), SW3.SUCCESS)
        answer = self._step(command, deadline)
        self._expect(command, answer, SW3.SUCCESS)
        return answer.data

    def _step(self, command: Command, deadline: float) -> Response:
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeviceTimeoutError(f"card reader {self.name}: time limit reached before "
                                     f"{command.name}")
        return self._checked(command, min(self.timeout_s, left))

    def _expect(self, command: Command, answer: Response, wanted: int) -> None:
        """Raise the error an unwanted SW3 stands for (typed by whether retrying helps)."""
        if answer.sw3 == wanted:
            return
        text = f"card reader {self.name}: {command.name} answered {answer.meaning}"
        if answer.sw3 in SAM_FAULTS:
            raise SamError(text)
        if answer.sw3 in LINE_CODES:
            raise ProtocolError(text + "; the request arrived garbled")
        if answer.sw3 in FINAL_CODES:
            raise CardRefusedError(text)
        raise CardReadError(text)
