"""Whatever arrives, the scanner code gives accepted text or a typed rejection, in bounded time.

Random bytes into ScanFilter and into the serial line splitter, random key events into
KeyboardWedgeDecoder. A hang fails the example (a 2 s alarm) instead of stalling the run.
"""

from __future__ import annotations

import contextlib
import signal
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.errors import ScanRejectedError
from hardware.scanner.filter import CodeRejected, ScanFilter
from hardware.scanner.serial_scanner import LineSplitter
from hardware.scanner.wedge import KeyboardWedgeDecoder
from tests.clocks import FakeClock

SETTINGS = settings(deadline=None, max_examples=200)
SUFFIXES = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}

# Bytes near the edges that matter: suffix bytes, controls, UTF-8 / GB18030 lead bytes.
interesting_bytes = st.binary(max_size=300) | st.lists(
    st.sampled_from([b"\r", b"\n", b"\t", b"\x00", b"A", b"7", b" ", b"\xe8\xba\xab",
                     b"\xff", b"\x81\x30", b"\xc3", "码".encode("gb18030")]),
    max_size=120).map(b"".join)


class Hang(Exception):
    pass


@contextlib.contextmanager
def at_most(seconds: float):
    """Raise Hang in this (main) thread if the block runs longer than ``seconds``."""
    def on_alarm(signum, frame):
        raise Hang(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_acceptable(text: str, raw: bytes | str, scan_filter: ScanFilter) -> None:
    """Non-blank, within the byte limit of the read, no control or garbled character."""
    assert text.strip()
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8"))
    suffix = SUFFIXES.get(scan_filter.suffix, b"")
    assert size <= scan_filter.max_length + len(suffix)
    for ch in text:
        category = unicodedata.category(ch)
        assert ch == "\t" or category == "Cf" or category[0] != "C", f"U+{ord(ch):04X}"
        assert ch != "\ufffd"


def through(scan_filter: ScanFilter, raw: bytes | str) -> str | None:
    """Accept or refuse; any exception other than a typed rejection fails the test."""
    try:
        text = scan_filter.accept(raw)
    except ScanRejectedError as exc:
        assert isinstance(exc, CodeRejected) and exc.reason in CodeRejected.REASONS
        return None
    if text is not None:
        assert_acceptable(text, raw, scan_filter)
    return text


@SETTINGS
@given(raw=interesting_bytes, suffix=st.sampled_from(["", "CR", "LF", "CRLF"]),
       gb18030=st.booleans(), max_length=st.integers(1, 64))
def test_random_bytes_into_the_filter_give_text_or_a_typed_rejection(raw, suffix, gb18030,
                                                                     max_length):
    encodings = ("utf-8", "gb18030") if gb18030 else ("utf-8",)
    scan_filter = ScanFilter(max_length=max_length, suffix=suffix, encodings=encodings,
                             clock=FakeClock())
    with at_most(2.0):
        first = through(scan_filter, raw)
        if first is not None:
            assert through(scan_filter, raw) is None  # the same read again is a repeat


@SETTINGS
@given(raw=st.text(max_size=200))
def test_random_text_into_the_filter_gives_text_or_a_typed_rejection(raw):
    with at_most(2.0):
        text = through(ScanFilter(max_length=128, clock=FakeClock()), raw)
    if text is not None:
        assert text == raw  # accepted text is never altered


@SETTINGS
@given(chunks=st.lists(interesting_bytes, max_size=12), suffix=st.sampled_from(list(SUFFIXES)),
       max_length=st.integers(1, 64))
def test_random_bytes_through_the_line_splitter_and_filter_give_text_or_rejections(
        chunks, suffix, max_length):
    ending = SUFFIXES[suffix]
    splitter = LineSplitter(ending, max_length)
    scan_filter = ScanFilter(max_length=max_length, clock=FakeClock())
    lines: list[bytes] = []
    with at_most(2.0):
        for chunk in chunks:
            for line in splitter.feed(chunk):
                assert ending not in line and len(line) <= max_length + 1
                lines.append(line)
                through(scan_filter, line)
            assert len(splitter._buffer) <= max_length + len(ending)  # bounded memory
    # Chunking never changes the lines: feeding everything at once gives the same.
    assert LineSplitter(ending, max_length).feed(b"".join(chunks)) == lines


key_events = st.lists(st.tuples(
    st.sampled_from([0, 1, 1, 1, 1, 4, 17]),  # mostly EV_KEY
    st.one_of(st.integers(0, 130), st.sampled_from([28, 96, 42, 54, 29, 56])),
    st.sampled_from([0, 1, 1, 2, -1, 7])), max_size=300)


@SETTINGS
@given(events=key_events, max_length=st.integers(1, 64))
def test_random_key_events_into_the_wedge_decoder_give_text_or_a_typed_rejection(events,
                                                                                  max_length):
    decoder = KeyboardWedgeDecoder(max_length)
    scan_filter = ScanFilter(max_length=max_length, clock=FakeClock())
    with at_most(2.0):
        for event in events:
            try:
                text = decoder.feed(*event)
            except ScanRejectedError as exc:
                assert isinstance(exc, CodeRejected) and exc.reason in CodeRejected.REASONS
                continue
            assert len(decoder._chars) <= max_length
            if text is not None:
                assert text.isascii() and len(text) <= max_length
                through(scan_filter, text)
