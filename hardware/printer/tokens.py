"""Split an ESC/POS byte stream into commands and text runs. Pure and total.

`next_token` works on a growing buffer: it returns None when the command at ``pos`` is not
complete yet (the fake printer then waits for more bytes; the parser stops there). It never
raises on any input: unknown commands are skipped (the prefix and command byte, or only the
prefix when the next byte is itself a control byte), and their arguments, if any, are read
as text like a printer would.
"""

from __future__ import annotations

from dataclasses import dataclass

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10

# Fixed argument counts (bytes after the command letter) of the commands that are skipped.
ESC_ARGS = {0x20: 1, 0x21: 1, 0x24: 2, 0x25: 1, 0x2D: 1, 0x32: 0, 0x33: 1, 0x3D: 1,
            0x3F: 1, 0x42: 2, 0x47: 1, 0x4A: 1, 0x4C: 0, 0x4D: 1, 0x52: 1, 0x53: 0,
            0x54: 1, 0x55: 1, 0x56: 1, 0x57: 8, 0x5C: 2, 0x63: 2, 0x65: 1, 0x70: 3,
            0x72: 1, 0x74: 1, 0x7B: 1}
GS_ARGS = {0x2F: 1, 0x3A: 0, 0x24: 2, 0x42: 1, 0x48: 1, 0x49: 1, 0x4C: 2, 0x50: 2,
           0x54: 1, 0x57: 2, 0x5C: 2, 0x5E: 3, 0x61: 1, 0x62: 1, 0x66: 1, 0x68: 1,
           0x72: 1, 0x77: 1}
FS_ARGS = {0x21: 1, 0x2D: 1, 0x32: 74, 0x43: 1, 0x53: 2, 0x57: 1, 0x70: 2}
# Commands the parser acts on: (prefix, letter) -> (token name, argument bytes).
NAMED = {(ESC, 0x40): ("init", 0), (ESC, 0x45): ("bold", 1), (ESC, 0x61): ("align", 1),
         (ESC, 0x64): ("feed", 1), (ESC, 0x69): ("cut", 0), (ESC, 0x6D): ("cut", 0),
         (GS, 0x21): ("size", 1), (FS, 0x26): ("chinese_on", 0),
         (FS, 0x2E): ("chinese_off", 0)}
TABLES = {ESC: ESC_ARGS, GS: GS_ARGS, FS: FS_ARGS}
SINGLE = {0x0A: "lf", 0x0D: "cr", 0x09: "ht"}


@dataclass(frozen=True)
class Token:
    """``name``: text, lf, cr, ht, init, bold, align, feed, size, cut, chinese_on,
    chinese_off, gs_paren (GS ( x), barcode (GS k), status (DLE EOT n), command (known,
    ignored) or unknown (skipped). ``arg``: the bytes after prefix and command letter."""

    name: str
    raw: bytes
    arg: bytes = b""


def next_token(buf: bytes | bytearray, pos: int) -> tuple[Token, int] | None:
    """The token at ``pos`` and the position after it; None if it is incomplete."""
    size = len(buf)
    if pos >= size:
        return None
    first = buf[pos]
    if first >= 0x20:
        end = pos + 1
        while end < size and buf[end] >= 0x20:
            end += 1
        return Token("text", bytes(buf[pos:end])), end
    if first not in (ESC, GS, FS, DLE):
        return Token(SINGLE.get(first, "unknown"), bytes(buf[pos:pos + 1])), pos + 1
    if pos + 1 >= size:
        return None
    letter = buf[pos + 1]
    measured = _measure(buf, pos, first, letter)
    if measured is None:
        return None
    length, known = measured
    end = pos + length
    if end > size:
        return None
    raw = bytes(buf[pos:end])
    if not known:
        return Token("unknown", raw), end
    return Token(_name(first, letter), raw, raw[2:]), end


def _name(prefix: int, letter: int) -> str:
    if (prefix, letter) in NAMED:
        return NAMED[(prefix, letter)][0]
    return {(GS, 0x28): "gs_paren", (GS, 0x6B): "barcode", (GS, 0x56): "cut",
            (DLE, 0x04): "status"}.get((prefix, letter), "command")


def _le(buf: bytes | bytearray, start: int, count: int) -> int | None:
    """Little-endian number of ``count`` bytes at ``start``; None if not all there yet."""
    if start + count > len(buf):
        return None
    return int.from_bytes(bytes(buf[start:start + count]), "little")


def _measure(buf: bytes | bytearray, pos: int, prefix: int,
             letter: int) -> tuple[int, bool] | None:
    """(total length, known) of the command at ``pos``; None: cannot tell yet."""
    unknown = (1 if letter < 0x20 else 2), False
    if prefix == DLE:
        fixed = {0x04: 3, 0x05: 3, 0x14: 5}.get(letter)
        return unknown if fixed is None else (fixed, True)
    if (prefix, letter) in NAMED:
        return 2 + NAMED[(prefix, letter)][1], True
    if letter in TABLES[prefix]:
        return 2 + TABLES[prefix][letter], True
    sub = _le(buf, pos + 2, 1)
    if prefix in (GS, FS) and letter == 0x28:          # GS ( fn pL pH block, FS ( ...
        block = _le(buf, pos + 3, 2)
        return None if block is None else (5 + block, True)
    if prefix == GS and letter in (0x38, 0x76):        # GS 8 L p1..p4, GS v 0 m x y
        if sub is None:
            return None
        if letter == 0x38 and sub == 0x4C:
            block = _le(buf, pos + 3, 4)
            return None if block is None else (7 + block, True)
        if letter == 0x76 and sub == 0x30:
            x, y = _le(buf, pos + 4, 2), _le(buf, pos + 6, 2)
            return None if x is None or y is None else (8 + x * y, True)
        return unknown
    if prefix == GS and letter == 0x2A:                 # GS * x y (x*y*8 bytes)
        y = _le(buf, pos + 3, 1)
        return None if sub is None or y is None else (4 + sub * y * 8, True)
    if prefix == GS and letter == 0x56:                 # GS V m, GS V m n (m >= 65)
        return None if sub is None else (3 if sub < 65 else 4, True)
    if prefix == GS and letter == 0x6B:
        return _barcode_length(buf, pos, sub)
    if prefix == ESC and letter == 0x2A:                # ESC * m nL nH columns
        n = _le(buf, pos + 3, 2)
        return None if sub is None or n is None else (5 + n * (1 if sub in (0, 1) else 3),
                                                      True)
    if prefix == ESC and letter == 0x44:                # ESC D tab stops ... NUL
        end = _until_nul(buf, pos + 2, 33)
        return None if end is None else (end - pos, True)
    if prefix == ESC and letter == 0x26:
        return _user_chars_length(buf, pos)
    return unknown


def _until_nul(buf: bytes | bytearray, start: int, cap: int) -> int | None:
    """Position after the first NUL from ``start``, or ``start + cap`` when there is none
    within ``cap`` bytes; None while fewer bytes have arrived."""
    end = min(len(buf), start + cap)
    for i in range(start, end):
        if buf[i] == 0:
            return i + 1
    return None if end < start + cap else start + cap


def _barcode_length(buf: bytes | bytearray, pos: int,
                    m: int | None) -> tuple[int, bool] | None:
    if m is None:
        return None
    if m <= 6:                                          # function A: data ... NUL
        end = _until_nul(buf, pos + 3, 256)
        return None if end is None else (end - pos, True)
    n = _le(buf, pos + 3, 1)                            # function B: n data
    return None if n is None else (4 + n, True)


def _user_chars_length(buf: bytes | bytearray, pos: int) -> tuple[int, bool] | None:
    """ESC & y c1 c2 [x d1..d(y*x)] for each character c1..c2."""
    head = bytes(buf[pos + 2:pos + 5])
    if len(head) < 3:
        return None
    y, c1, c2 = head
    at = pos + 5
    for _ in range(max(0, c2 - c1 + 1)):
        x = _le(buf, at, 1)
        if x is None:
            return None
        at += 1 + y * x
    return at - pos, True
