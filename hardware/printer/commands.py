"""ESC/POS command bytes (docs: /work/shared/reference/hardware.md, section 2).

The one place the byte values live; the renderer builds jobs from them and the parser of
the fake printer reads them back.
"""

from __future__ import annotations

ESC, GS, FS, DLE, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\n"

INIT = ESC + b"@"                       # 1B 40
CHINESE_ON = FS + b"&"                  # 1C 26
CHINESE_OFF = FS + b"."                 # 1C 2E
CUT_FULL = GS + b"V\x00"                # 1D 56 00
CUT_PARTIAL = GS + b"V\x01"             # 1D 56 01
ALIGN_CODES = {"left": 0, "center": 1, "right": 2}

# QR, GS ( k with cn = 0x31 (QR code)
QR_MODEL_2 = GS + b"(k\x04\x00\x31\x41\x32\x00"   # function 165: model 2
QR_ERROR_M = GS + b"(k\x03\x00\x31\x45\x31"       # function 169: level M (0x30 L .. 0x33 H)
QR_PRINT = GS + b"(k\x03\x00\x31\x51\x30"         # function 181: print the stored symbol

BARCODE_CODE128 = 73  # GS k m, function B (length-prefixed)
BARCODE_NAMES = {65: "UPC-A", 66: "UPC-E", 67: "EAN13", 68: "EAN8", 69: "CODE39",
                 70: "ITF", 71: "CODABAR", 72: "CODE93", 73: "CODE128"}

STATUS_REQUESTS = (1, 2, 3, 4)


def bold(on: bool) -> bytes:
    return ESC + b"E" + (b"\x01" if on else b"\x00")


def align(where: str) -> bytes:
    return ESC + b"a" + bytes([ALIGN_CODES[where]])


def size(width: int, height: int) -> bytes:
    """``GS ! n`` with n = (width-1)<<4 | (height-1); 1..8 each."""
    return GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])


def feed(lines: int) -> bytes:
    """``ESC d n``: print the buffer and feed ``lines`` (1..255) lines."""
    return ESC + b"d" + bytes([lines])


def qr_size(module: int) -> bytes:
    """Function 167: module size in dots (1..16)."""
    return GS + b"(k\x03\x00\x31\x43" + bytes([module])


def qr_store(data: bytes) -> bytes:
    """Function 180: store ``data`` in the symbol area; pL pH count data plus 3 bytes."""
    length = len(data) + 3
    return GS + b"(k" + bytes([length & 0xFF, length >> 8]) + b"\x31\x50\x30" + data


def barcode_code128(data: str) -> bytes:
    """``GS k 73 n {B data``: code set B, with ``{`` escaped as ``{{`` as the command wants."""
    payload = b"{B" + data.replace("{", "{{").encode("ascii")
    return GS + b"k" + bytes([BARCODE_CODE128, len(payload)]) + payload


def barcode_setup(height_dots: int = 80, module_width: int = 2) -> bytes:
    """Height ``GS h``, module width ``GS w`` and human-readable text below ``GS H 2``."""
    return (GS + b"h" + bytes([height_dots]) + GS + b"w" + bytes([module_width])
            + GS + b"H\x02")


def status_request(n: int) -> bytes:
    """``DLE EOT n``: real-time status, answered with one byte even mid-job."""
    return DLE + b"\x04" + bytes([n])
