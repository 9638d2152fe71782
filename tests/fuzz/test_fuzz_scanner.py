"""Scanner input: mutated valid scans and endless input without a terminator, through the
serial line splitter, the keyboard-wedge decoder and the code filter -> accepted text or a
typed CodeRejected, bounded buffers, bounded time.

tests/hardware/test_scanner_properties.py covers short random inputs; this adds mutations of
real-looking scans (offline codes, URLs, GB18030 text, each with its suffix) and streams of
hundreds of kilobytes that never end a line.
"""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from hardware.errors import ScanRejectedError
from hardware.scanner.filter import CodeRejected, ScanFilter
from hardware.scanner.serial_scanner import LineSplitter
from hardware.scanner.wedge import KeyboardWedgeDecoder
from tests.clocks import FakeClock
from tests.fuzz.mutate import mutated_bytes
from tests.fuzz.profiles import FUZZ, FUZZ_SLOW

SUFFIXES = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}
SCANS = [b"LX2f9a0c7e5b1d4a3c9e8f7a6b5c4d3e2f", b"https://zwfw.example.gov.cn/s?c=AbC123-_",
         "居民码:3101".encode("utf-8"), "居民码:3101".encode("gb18030"), b"6901234567892",
         b"{\"t\":\"code\",\"v\":1}", b"A" * 64]


def typed(scan_filter: ScanFilter, line: bytes | str) -> str | None:
    try:
        text = scan_filter.accept(line)
    except ScanRejectedError as exc:
        assert isinstance(exc, CodeRejected) and exc.reason in CodeRejected.REASONS
        return None
    assert text is None or (text.strip() and "\ufffd" not in text)
    return text


@FUZZ
@given(st.lists(st.sampled_from(SCANS).flatmap(mutated_bytes), min_size=1, max_size=6),
       st.sampled_from(list(SUFFIXES)), st.integers(1, 2048), st.booleans(),
       st.lists(st.integers(1, 97), min_size=1, max_size=5))
def test_mutated_scans_through_splitter_and_filter_give_text_or_typed_rejections(
        scans, suffix, max_length, gb18030, chunk_sizes):
    ending = SUFFIXES[suffix]
    stream = b"".join(s + ending for s in scans)
    splitter = LineSplitter(ending, max_length)
    scan_filter = ScanFilter(max_length=max_length, suffix=suffix, clock=FakeClock(),
                             encodings=("utf-8", "gb18030") if gb18030 else ("utf-8",))
    pos, n = 0, 0
    while pos < len(stream):
        size = chunk_sizes[n % len(chunk_sizes)]
        for line in splitter.feed(stream[pos:pos + size]):
            assert len(line) <= max_length + 1
            typed(scan_filter, line)
            typed(scan_filter, line + ending)  # a filter that sees the suffix itself
        assert len(splitter._buffer) <= max_length + len(ending) + size
        pos, n = pos + size, n + 1


@FUZZ_SLOW  # each example streams up to a quarter of a megabyte
@given(st.binary(min_size=1, max_size=64).filter(lambda b: b"\r" not in b and b"\n" not in b),
       st.sampled_from(list(SUFFIXES)), st.integers(1, 4096), st.integers(1, 4096))
def test_endless_input_without_a_terminator_stays_bounded_and_quick(pattern, suffix,
                                                                    max_length, chunk):
    ending = SUFFIXES[suffix]
    splitter = LineSplitter(ending, max_length)
    data = (pattern * (chunk // len(pattern) + 1))[:chunk]
    started, lines = time.monotonic(), []
    # up to a quarter of a megabyte (at most 20,000 feeds), never a terminator
    for _ in range(min(256_000, 20_000 * chunk) // chunk + 1):
        lines += splitter.feed(data)
        assert len(splitter._buffer) <= max_length + len(ending) + chunk
    assert len(lines) <= 1 and all(len(line) == max_length + 1 for line in lines)
    assert time.monotonic() - started < 1.5
    # the line that finally ends is skipped as the tail of the cut one; the next one counts
    assert splitter.feed(ending + b"OK" + ending) == [b"OK"]
    rejected = typed(ScanFilter(max_length=max_length, clock=FakeClock()), lines[0]) \
        if lines else None
    assert rejected is None


@FUZZ_SLOW  # each example presses 40,000 keys
@given(st.integers(3, 256), st.sampled_from([2, 30, 57, 42]), st.integers(0, 2))
def test_endless_key_presses_without_enter_stay_bounded(max_length, code, shift_state):
    decoder = KeyboardWedgeDecoder(max_length)
    started = time.monotonic()
    rejections = 0
    if shift_state:
        decoder.feed(1, 42, 1)  # shift held down
    for _ in range(20_000):
        try:
            decoder.feed(1, code, 1)
            decoder.feed(1, code, 0)
        except ScanRejectedError as exc:
            assert isinstance(exc, CodeRejected)
            rejections += 1
        assert len(decoder._chars) <= max_length
    assert time.monotonic() - started < 1.5
    decoder.reset()
    try:  # after all that, a normal scan still comes through
        for key in (2, 3, 4):
            decoder.feed(1, key, 1)
            decoder.feed(1, key, 0)
        text = decoder.feed(1, 28, 1)
    except ScanRejectedError:
        text = None
    assert text == "123"
