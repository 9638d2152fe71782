"""A fake sound card for tests and benches: a `player` that takes a WAV stream like aplay.

    python -m hardware.speaker.fake_player OUT.wav [--speed 4]

Reads the WAV stream espeak-ng writes with ``--stdout`` from stdin, at ``speed`` times
real time (a 2 s sentence takes 0.5 s at speed 4), so espeak-ng blocks on the pipe as it
would on a sound card and an interrupted utterance really is cut off part-way. Writes what
it took to OUT, with the RIFF sizes corrected at the end so OUT is an ordinary WAV file
(cut short if the player was killed). ``{n}`` in OUT is replaced by the first of 1, 2, ...
not taken yet, so each utterance leaves its own file. Exits 2 when stdin is not a PCM WAV
stream with a 16-byte fmt chunk (a player's error).
"""

from __future__ import annotations

import argparse
import array
import itertools
import math
import struct
import sys
import time
from dataclasses import dataclass
from typing import BinaryIO

HEADER_BYTES = 44
CHUNK_BYTES = 2048


def command(out: str, speed: float = 1.0) -> list[str]:
    """The ``player`` option that runs this fake with this interpreter."""
    return [sys.executable, "-m", "hardware.speaker.fake_player", out, "--speed", str(speed)]


def play(source: BinaryIO, out: BinaryIO, speed: float) -> int:
    """Take the stream at ``speed`` x real time into ``out``; the number of data bytes."""
    header = source.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES or header[:4] != b"RIFF" or header[8:16] != b"WAVEfmt " \
            or header[36:40] != b"data":
        raise ValueError("not a PCM WAV stream")
    byte_rate = struct.unpack_from("<I", header, 28)[0]
    if byte_rate <= 0:
        raise ValueError("WAV stream with a byte rate of 0")
    out.write(header)
    read = getattr(source, "read1", source.read)  # what is there, without waiting for more
    started, taken = time.monotonic(), 0
    while chunk := read(CHUNK_BYTES):
        out.write(chunk)
        out.flush()
        taken += len(chunk)
        ahead = taken / byte_rate / speed - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)  # the "sound card" plays what it took before taking more
    out.seek(4)
    out.write(struct.pack("<I", 36 + taken))
    out.seek(40)
    out.write(struct.pack("<I", taken))
    return taken


@dataclass(frozen=True)
class Recording:
    """What a WAV file holds: channels, rate, seconds of sound and its RMS (16-bit PCM)."""

    channels: int
    sample_rate: int
    bits: int
    seconds: float
    rms: float


def measure(path: str) -> Recording:
    """Read a WAV file, also one cut short (sizes in the header not fixed): ValueError if
    it is not a PCM WAV file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < HEADER_BYTES or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{path}: not a WAV file")
    channels, rate, byte_rate, _align, bits = struct.unpack_from("<HIIHH", data, 22)
    body = data[HEADER_BYTES:]
    samples = array.array("h", body[:len(body) - len(body) % 2]) if bits == 16 \
        else array.array("h")
    rms = math.sqrt(sum(x * x for x in samples) / len(samples)) if samples else 0.0
    return Recording(channels, rate, bits, len(body) / byte_rate if byte_rate else 0.0, rms)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--speed", type=float, default=1.0)
    args = parser.parse_args(argv)
    with _create(args.out) as out:
        try:
            play(sys.stdin.buffer, out, max(args.speed, 0.01))
        except ValueError as exc:
            print(f"fake_player: error: {exc}", file=sys.stderr)
            return 2
    return 0


def _create(pattern: str) -> BinaryIO:
    if "{n}" not in pattern:
        return open(pattern, "wb")
    for n in itertools.count(1):
        try:
            return open(pattern.replace("{n}", str(n)), "xb")
        except FileExistsError:
            continue
    raise AssertionError("unreachable")


if __name__ == "__main__":
    sys.exit(main())
