"""A fake SAM reader on a pseudo-terminal, for testing the real serial driver.

`FakeSamDevice` opens a pty, answers SAM request frames from a background thread (the
card logic is `VirtualSam`, shared with the simulator) and lets a test play the resident
(insert / remove), the cable (unplug / replug) and a noisy line (corrupt, truncate, delay,
garbage). The driver opens ``.link``: a symlink in a temporary folder re-pointed at each
new pty, as a udev SYMLINK would be; ``.port`` is the pty itself and changes on replug.

Never hangs its user: a daemon thread, selects with a short timeout, non-blocking writes,
every wait interruptible by `unplug` / `stop`.
"""

from __future__ import annotations

import os
import select
import shutil
import tempfile
import threading
import time
import tty
from types import TracebackType

from hardware.card_reader.card_record import CardRecord
from hardware.card_reader.sam_protocol import (
    READ_TEXT_PHOTO, READ_WITH_FINGERPRINT, SW3, ChecksumError, FrameLengthError, Request,
    RequestDecoder, Response, command_for, encode_response, frame_size,
)
from hardware.card_reader.samples import resolve_card, sample_cards
from hardware.card_reader.virtual_sam import VirtualSam

_SELECT_S = 0.05  # how often the serving thread looks at its stop flag
_JOIN_S = 2.0


class FakeSamDevice:
    """A SAM reader behind a pty. ``pace_baud``: send answers no faster than that line
    speed (a pty has none), for honest timings; ``read_delay_s``: card RF time of a read."""

    def __init__(self, card: CardRecord | int | str | None = None, *,
                 cards: list[CardRecord] | None = None, pace_baud: int | None = None,
                 read_delay_s: float = 0.0) -> None:
        self.cards = sample_cards() if cards is None else list(cards)
        self.sam = VirtualSam(None if card is None else resolve_card(card, self.cards))
        self.pace_baud = pace_baud
        self.read_delay_s = read_delay_s
        self.requests: list[Request] = []  # every request decoded, in order
        self.port = ""
        self.link = ""
        self._dir = ""
        self._lock = threading.Lock()
        self._corrupt = self._truncate = 0
        self._delay = 0.0
        self._garbage = b""
        self._fds: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def plugged(self) -> bool:
        return self._fds is not None

    def start(self) -> "FakeSamDevice":
        if not self._dir:
            self._dir = tempfile.mkdtemp(prefix="fake-sam-")
            self.link = os.path.join(self._dir, "idcard")
        if not self.plugged:
            self._plug()
        return self

    def stop(self) -> None:
        """Unplug and remove the temporary folder; safe to call twice."""
        self._unplug()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = ""

    def __enter__(self) -> "FakeSamDevice":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def unplug(self) -> None:
        """Close the pty (the driver's next I/O fails with EIO) and remove ``.link``."""
        self._unplug()

    def replug(self) -> None:
        """A new pty (new ``.port``); ``.link`` points at it again."""
        if not self.plugged:
            self._plug()

    def _plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line discipline: bytes pass untouched
        os.set_blocking(master, False)
        self._fds = (master, slave)  # the slave stays open here so the pty outlives the driver
        self.port = os.ttyname(slave)
        tmp = self.link + ".new"
        os.symlink(self.port, tmp)
        os.replace(tmp, self.link)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(master, self._stop),
                                        name="fake-sam", daemon=True)
        self._thread.start()

    def _unplug(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(_JOIN_S)
            self._thread = None
        fds, self._fds = self._fds, None
        if fds is not None:
            for fd in fds:
                try:
                    os.close(fd)
                except OSError:
                    pass
        if self.link and os.path.lexists(self.link):
            os.unlink(self.link)

    # -- the resident and the line ------------------------------------------------------------
    def insert(self, card: CardRecord | int | str) -> CardRecord:
        record = resolve_card(card, self.cards)
        self.sam.insert(record)
        return record

    def remove(self) -> None:
        self.sam.remove()

    def set_sam_failure(self, failing: bool) -> None:
        self.sam.set_sam_failure(failing)

    def fail_next_read(self, sw3: int, times: int = 1) -> None:
        self.sam.fail_next_read(sw3, times)

    def corrupt_next(self, n: int = 1) -> None:
        """The next ``n`` answers go out with a wrong checksum."""
        with self._lock:
            self._corrupt += n

    def truncate_next(self, n: int = 1) -> None:
        """The next ``n`` answers stop after half of their bytes."""
        with self._lock:
            self._truncate += n

    def delay_next(self, seconds: float) -> None:
        """The next answer leaves ``seconds`` late."""
        with self._lock:
            self._delay = seconds

    def garbage_before_next(self, data: bytes) -> None:
        """``data`` is sent just before the next answer."""
        with self._lock:
            self._garbage += data

    # -- serving thread ------------------------------------------------------------------------
    def _serve(self, master: int, stop: threading.Event) -> None:
        decoder = RequestDecoder()
        while not stop.is_set():
            try:
                ready, _, _ = select.select([master], [], [], _SELECT_S)
                if not ready:
                    continue
                decoder.push(os.read(master, 4096))
            except BlockingIOError:
                continue
            except OSError:  # fd closed under us: the device is being unplugged
                return
            while not stop.is_set():
                try:
                    request = decoder.next_frame()
                except ChecksumError:
                    self._send(master, Response(0, 0, SW3.CHECKSUM_ERROR), 10, stop)
                    continue
                except FrameLengthError:
                    self._send(master, Response(0, 0, SW3.LENGTH_ERROR), 10, stop)
                    continue
                if request is None:
                    break
                with self._lock:
                    self.requests.append(request)
                answer = self.sam.answer(request.cmd, request.para, request.data)
                if self.read_delay_s and command_for(request.cmd, request.para) in (
                        READ_TEXT_PHOTO, READ_WITH_FINGERPRINT):
                    stop.wait(self.read_delay_s)
                self._send(master, answer, frame_size(len(request.data), response=False), stop)

    def _send(self, master: int, answer: Response, request_size: int,
              stop: threading.Event) -> None:
        frame = encode_response((answer.sw1, answer.sw2, answer.sw3), answer.data)
        with self._lock:
            delay, self._delay = self._delay, 0.0
            garbage, self._garbage = self._garbage, b""
            corrupt, truncate = self._corrupt > 0, self._truncate > 0
            self._corrupt -= corrupt
            self._truncate -= truncate
        if self.pace_baud:  # the request itself took this long on a real line
            delay += request_size * 10 / self.pace_baud
        if delay and stop.wait(delay):
            return
        if corrupt:
            frame = frame[:-1] + bytes([frame[-1] ^ 0xFF])
        if truncate:
            frame = frame[:len(frame) // 2]
        self._write(master, garbage + frame, stop)

    def _write(self, master: int, data: bytes, stop: threading.Event) -> None:
        """Write all of ``data``, paced at ``pace_baud`` (8N1: 10 bits a byte) if set."""
        baud = self.pace_baud
        chunk = max(1, baud // 10 // 500) if baud else len(data)  # ~2 ms of line time
        start, sent = time.monotonic(), 0
        while sent < len(data) and not stop.is_set():
            piece = data[sent:sent + chunk]
            if baud:  # a chunk is handed over when its last byte would have arrived
                wait = start + (sent + len(piece)) * 10 / baud - time.monotonic()
                if wait > 0 and stop.wait(wait):
                    return
            try:
                sent += os.write(master, piece)
            except BlockingIOError:
                select.select([], [master], [], _SELECT_S)
            except OSError:
                return
