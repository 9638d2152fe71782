"""How long a card read takes through the real driver, against the line's own limit.

For `bench/devices.py` (figures, not assertions): `time_card_read` reads a card N times
through `SerialCardReader` from a `FakeSamDevice` that paces its answers at the baud
rate (a pty has no speed of its own), and sets the median beside `wire_time_s` of the
bytes one read exchanges. No card RF time is modelled: the difference is the driver's
and the operating system's overhead.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from hardware.card_reader.card_record import FINGERPRINT_SIZE, PHOTO_SIZE, TEXT_SIZE
from hardware.card_reader.fake_device import FakeSamDevice
from hardware.card_reader.sam_protocol import frame_size
from hardware.card_reader.serial_reader import SerialCardReader


def wire_time_s(n_bytes: int, baud: int) -> float:
    """Seconds ``n_bytes`` take on an 8N1 line (10 bits per byte)."""
    return n_bytes * 10 / baud


def read_wire_bytes(with_fingerprint: bool = False) -> int:
    """Bytes of one read_card: find, select, read requests and their answers."""
    requests = 3 * frame_size(0, response=False)
    read_data = 4 + TEXT_SIZE + PHOTO_SIZE
    if with_fingerprint:
        read_data += 2 + FINGERPRINT_SIZE
    answers = frame_size(4) + frame_size(8) + frame_size(read_data)
    return requests + answers


@dataclass(frozen=True)
class CardReadTiming:
    reads: int
    baud: int
    paced: bool
    median_s: float
    min_s: float
    max_s: float
    wire_bytes: int
    wire_s: float

    @property
    def overhead_ratio(self) -> float:
        """Median read time over wire time (1.0 = the line is the only cost)."""
        return self.median_s / self.wire_s


def time_card_read(reads: int = 20, *, baud: int = 115200, pace: bool = True,
                   with_fingerprint: bool = False, card: int = 0) -> CardReadTiming:
    """Read sample card ``card`` ``reads`` times; blocks for roughly reads x 0.15 s."""
    times: list[float] = []
    with FakeSamDevice(card, pace_baud=baud if pace else None) as fake:
        reader = SerialCardReader("bench-idcard", fake.link, baudrate=baud,
                                  read_fingerprint=with_fingerprint)
        reader.open()
        try:
            reader.read_card()  # warm-up: first-use costs are not what is measured
            for _ in range(reads):
                started = time.perf_counter()
                reader.read_card()
                times.append(time.perf_counter() - started)
        finally:
            reader.close()
    n_bytes = read_wire_bytes(with_fingerprint)
    return CardReadTiming(reads=reads, baud=baud, paced=pace,
                          median_s=statistics.median(times), min_s=min(times),
                          max_s=max(times), wire_bytes=n_bytes,
                          wire_s=wire_time_s(n_bytes, baud))
