"""Real-time status (``DLE EOT 1..4``): answer bytes <-> `PrinterState` <-> device status.

Every answer byte has bits 1 and 4 set (an idle printer answers 0x12); a byte without them
is not a status answer. No answer, or an invalid one, means the state is UNKNOWN: a silent
printer is never taken for a healthy one (python-escpos' paper_status() does that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from hardware.base import DeviceStatus

FIXED_BITS = 0x12
# (request n, mask) for each flag; bit values from hardware.md section 2.
OFFLINE = (1, 0x08)
COVER_OPEN = (2, 0x04)
PAPER_STOP = (2, 0x20)       # "stopped at paper end"
ERROR = (2, 0x40)
CUTTER_ERROR = (3, 0x08)
UNRECOVERABLE = (3, 0x20)
RECOVERABLE = (3, 0x40)
NEAR_END = (4, 0x0C)
PAPER_END = (4, 0x60)


@dataclass(frozen=True)
class PrinterState:
    """What the printer said about itself. The default is "nothing known".

    ``raw`` keeps the answer byte to each request, in order (None: no answer), so the
    technician log can show what was received; it stops at the first silence.
    """

    online: bool = False
    cover_open: bool = False
    paper_end: bool = False
    paper_near_end: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False
    recoverable_error: bool = False
    unknown: bool = True
    raw: tuple[int | None, ...] = ()

    @property
    def user_problems(self) -> tuple[str, ...]:
        """Problems a technician fixes at the front of the kiosk."""
        return tuple(text for flag, text in ((self.cover_open, "cover open"),
                                             (self.paper_end, "paper end")) if flag)

    @property
    def hardware_problems(self) -> tuple[str, ...]:
        return tuple(text for flag, text in ((self.cutter_error, "cutter error"),
                                             (self.unrecoverable_error, "unrecoverable error"))
                     if flag)

    @property
    def definite_problem(self) -> bool:
        """The printer said it cannot print; known even when other answers are missing."""
        return bool(self.user_problems or self.hardware_problems)

    @property
    def ok(self) -> bool:
        """Fully known, online and without any error (near-end paper is still ok)."""
        return (not self.unknown and self.online and not self.definite_problem
                and not self.recoverable_error)

    @property
    def unknown_reason(self) -> str:
        for n, byte in enumerate(self.raw, start=1):
            if byte is None:
                return f"no answer to DLE EOT {n}"
            if not valid_answer(byte):
                return f"invalid answer 0x{byte:02X} to DLE EOT {n}"
        return "no status answers" if len(self.raw) < 4 else ""


def valid_answer(byte: int) -> bool:
    return byte & FIXED_BITS == FIXED_BITS


def parse_status(answers: Sequence[bytes | int | None]) -> PrinterState:
    """State from the answers to ``DLE EOT 1``, ``2``, ``3``, ``4`` (in that order).

    Each answer is the bytes read (the last byte counts: an answer to an earlier, timed-out
    request may arrive first), an int, or None for silence. Missing or invalid answers make
    the state unknown; the flags of the valid ones are still filled in, so a definite
    problem (paper end) is reported even when another request went unanswered.
    """
    raw: list[int | None] = []
    for answer in list(answers)[:4]:
        if isinstance(answer, (bytes, bytearray)):
            raw.append(answer[-1] if answer else None)
        else:
            raw.append(answer)
    valid = {n: b for n, b in enumerate(raw, start=1) if b is not None and valid_answer(b)}

    def bit(flag: tuple[int, int]) -> bool:
        n, mask = flag
        return bool(valid.get(n, 0) & mask)

    return PrinterState(
        online=1 in valid and not bit(OFFLINE),
        cover_open=bit(COVER_OPEN),
        paper_end=bit(PAPER_END) or bit(PAPER_STOP),
        paper_near_end=bit(NEAR_END),
        cutter_error=bit(CUTTER_ERROR),
        unrecoverable_error=bit(UNRECOVERABLE),
        recoverable_error=bit(RECOVERABLE),
        unknown=len(valid) < 4,
        raw=tuple(raw),
    )


def answer_byte(n: int, state: PrinterState) -> int | None:
    """The byte a printer in ``state`` answers to ``DLE EOT n`` (None: n is not 1..4).

    Used by the simulator and the fake network printer, so both speak the same bits.
    """
    error = state.cutter_error or state.unrecoverable_error or state.recoverable_error
    flags = {
        1: ((not state.online, OFFLINE),),
        2: ((state.cover_open, COVER_OPEN), (state.paper_end, PAPER_STOP), (error, ERROR)),
        3: ((state.cutter_error, CUTTER_ERROR), (state.unrecoverable_error, UNRECOVERABLE),
            (state.recoverable_error, RECOVERABLE)),
        4: ((state.paper_near_end, NEAR_END), (state.paper_end, PAPER_END)),
    }.get(n)
    if flags is None:
        return None
    byte = FIXED_BITS
    for on, (_, mask) in flags:
        if on:
            byte |= mask
    return byte


def device_status(state: PrinterState) -> tuple[DeviceStatus, str]:
    """The device status a state implies, with a technician's detail (English).

    Definite problems win over unknown; unknown is OFFLINE ("status unknown: ..."), never
    ONLINE.
    """
    problems = state.hardware_problems + state.user_problems
    if state.hardware_problems:
        return DeviceStatus.HARDWARE_ERROR, "; ".join(problems)
    if state.user_problems:
        return DeviceStatus.USER_ERROR, "; ".join(problems)
    if state.unknown:
        return DeviceStatus.OFFLINE, f"status unknown: {state.unknown_reason}"
    if state.recoverable_error:
        return DeviceStatus.OFFLINE, "recoverable error (waiting for the printer)"
    if not state.online:
        return DeviceStatus.OFFLINE, "printer offline"
    return DeviceStatus.ONLINE, "paper near end" if state.paper_near_end else ""
