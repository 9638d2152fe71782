"""ScanFilter: from one raw read to the accepted text, a rejection, or a known duplicate.

Pure: no I/O, no threads of its own (one lock, since `reset` may come from another thread
than `accept`); time comes from the injected clock. Every scanner driver and the simulator
pass each read through one, so garbage is refused the same way everywhere.

Codes are opaque tokens (hardware.md section 3): the filter never interprets them, and its
rejection messages never contain them.
"""

from __future__ import annotations

import hashlib
import threading
import time
import unicodedata
from typing import Callable

from hardware.errors import ScanRejectedError

SUFFIXES: dict[str, bytes] = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}
ENCODINGS = ("utf-8", "gb18030")


class CodeRejected(ScanRejectedError):
    """A read was refused. ``reason`` is one of `REASONS`; ``length`` is in bytes."""

    REASONS = ("empty", "too_long", "undecodable", "control_character", "unmapped_key",
               "unterminated")

    def __init__(self, reason: str, length: int, detail: str = "") -> None:
        self.reason = reason
        self.length = length
        super().__init__(f"scan rejected: {reason} ({length} bytes)"
                         + (f": {detail}" if detail else ""))


class ScanFilter:
    """Accepts or refuses raw reads (bytes or str); drops repeats within ``window_s``.

    ``window_s`` counts from the last time a code was seen, so a code held in front of a
    scanner in continuous mode, or of a camera, counts once however long it stays there.
    ``max_length`` is in bytes (UTF-8 bytes for a str read). ``suffix`` ("CR", "LF",
    "CRLF" or "") is stripped once from the end. ``encodings`` are tried in order for a
    bytes read: ("utf-8",) by default, ("utf-8", "gb18030") for a serial scanner set to
    send GBK/GB18030.
    """

    def __init__(self, window_s: float = 2.0, max_length: int = 1024,
                 clock: Callable[[], float] = time.monotonic, suffix: str = "",
                 encodings: tuple[str, ...] = ("utf-8",)) -> None:
        if window_s < 0 or max_length < 1:
            raise ValueError("window_s must be >= 0 and max_length >= 1")
        if suffix and suffix not in SUFFIXES:
            raise ValueError(f"suffix must be one of {', '.join(SUFFIXES)} or empty")
        if not encodings or any(e not in ENCODINGS for e in encodings):
            raise ValueError(f"encodings must be taken from {ENCODINGS}")
        self.window_s = window_s
        self.max_length = max_length
        self.suffix = suffix
        self.encodings = tuple(encodings)
        self._clock = clock
        self._suffix_bytes = SUFFIXES.get(suffix, b"")
        self._seen: dict[bytes, float] = {}  # keyed by digest: no token kept in memory
        self._lock = threading.Lock()

    def accept(self, raw: bytes | str) -> str | None:
        """The accepted text, or None for a repeat within the window.

        Raises CodeRejected (a ScanRejectedError) with reason "empty", "too_long",
        "undecodable" or "control_character".
        """
        text = self.decode(raw)
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        now = self._clock()
        with self._lock:
            self._forget_before(now - self.window_s)
            repeat = key in self._seen
            self._seen[key] = now
        return None if repeat else text

    def decode(self, raw: bytes | str) -> str:
        """Validate and decode one read, without the duplicate check (see `accept`)."""
        if isinstance(raw, str):
            text = raw.removesuffix(self._suffix_bytes.decode("ascii"))
            length = len(raw.encode("utf-8", "surrogatepass"))
            if len(text.encode("utf-8", "surrogatepass")) > self.max_length:
                raise CodeRejected("too_long", length, f"limit {self.max_length}")
        else:
            data = bytes(raw)
            length = len(data)
            # Checked before decoding too, so a huge read costs no decoding work.
            if length > self.max_length + len(self._suffix_bytes):
                raise CodeRejected("too_long", length, f"limit {self.max_length}")
            if self._suffix_bytes:
                data = data.removesuffix(self._suffix_bytes)
            if len(data) > self.max_length:
                raise CodeRejected("too_long", length, f"limit {self.max_length}")
            text = self._decode_bytes(data, length)
        if not text.strip():
            raise CodeRejected("empty", length)
        bad = _first_bad_character(text)
        if bad is not None:
            hint = " (a line end: check the scanner's suffix setting)" if bad in "\r\n" else ""
            raise CodeRejected("control_character", length,
                               f"U+{ord(bad):04X} in the payload{hint}")
        return text

    def reset(self) -> None:
        """Forget every code seen (after a reconnect or when scanning is re-armed)."""
        with self._lock:
            self._seen.clear()

    def _decode_bytes(self, data: bytes, length: int) -> str:
        for encoding in self.encodings:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise CodeRejected("undecodable", length, "not " + " or ".join(self.encodings))

    def _forget_before(self, cutoff: float) -> None:
        # A repeat updates its key in place (insertion order is not last-seen order), so
        # look at all: the dict holds only the codes seen within one window.
        stale = [k for k, seen in self._seen.items() if seen < cutoff]
        for k in stale:
            del self._seen[k]


def _first_bad_character(text: str) -> str | None:
    """The first character no scanned code holds, else None.

    Control characters (tab aside), surrogates, unassigned and private-use code points
    (random bytes decoded as GB18030 land there) and U+FFFD (garbled upstream).
    """
    for ch in text:
        if ch == "\t":
            continue
        if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Cn", "Co"):
            return ch
    return None
