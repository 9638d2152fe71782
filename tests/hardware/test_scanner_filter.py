"""ScanFilter: repeats within the window count once; garbage is refused with a reason."""

from __future__ import annotations

import pytest

from hardware.errors import ScanRejectedError
from hardware.scanner.filter import CodeRejected, ScanFilter
from tests.clocks import FakeClock

TOKEN = "身份码:ABC123"


def rejection(scan_filter: ScanFilter, raw: bytes | str) -> CodeRejected:
    with pytest.raises(ScanRejectedError) as caught:
        scan_filter.accept(raw)
    assert isinstance(caught.value, CodeRejected)
    return caught.value


def test_a_repeat_within_the_window_counts_once_and_counts_again_after_it():
    clock = FakeClock()
    f = ScanFilter(window_s=2.0, clock=clock)
    assert f.accept(TOKEN) == TOKEN
    clock.advance(1.9)
    assert f.accept(TOKEN) is None
    clock.advance(2.1)
    assert f.accept(TOKEN) == TOKEN


def test_the_window_runs_from_the_last_sighting_so_a_held_code_counts_once():
    clock = FakeClock()
    f = ScanFilter(window_s=2.0, clock=clock)
    assert f.accept("HELD") == "HELD"
    for _ in range(10):  # shown again every 0.5 s for 5 s
        clock.advance(0.5)
        assert f.accept("HELD") is None


def test_different_codes_each_count_and_repeats_are_recognised_per_code():
    clock = FakeClock()
    f = ScanFilter(window_s=2.0, clock=clock)
    assert f.accept("A") == "A"
    assert f.accept("B") == "B"
    assert f.accept("A") is None
    assert f.accept(b"B") is None  # bytes and str of the same code are the same code


def test_reset_forgets_recent_codes():
    f = ScanFilter(window_s=60.0, clock=FakeClock())
    assert f.accept(TOKEN) == TOKEN
    f.reset()
    assert f.accept(TOKEN) == TOKEN


@pytest.mark.parametrize("raw", [b"", "", b"   ", " \t ", "\u3000", b"\r"])
def test_empty_or_blank_reads_are_rejected_as_empty(raw):
    assert rejection(ScanFilter(suffix="CR"), raw).reason == "empty"


def test_over_long_reads_are_rejected_and_the_limit_counts_utf8_bytes():
    f = ScanFilter(max_length=9)
    assert f.accept("123456789") == "123456789"
    too_long = rejection(f, b"1234567890")
    assert (too_long.reason, too_long.length) == ("too_long", 10)
    assert rejection(f, "身份证号码").reason == "too_long"  # 5 characters, 15 bytes
    assert f.accept("身份证") == "身份证"  # 9 bytes


def test_a_suffix_does_not_count_towards_the_length_limit():
    assert ScanFilter(max_length=3, suffix="CRLF").accept(b"ABC\r\n") == "ABC"


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00\x01", b"AB\xc3", b"\xe8\xba"])
def test_invalid_utf8_is_rejected_as_undecodable(raw):
    assert rejection(ScanFilter(), raw).reason == "undecodable"


@pytest.mark.parametrize("raw", [b"AB\x00CD", b"\x1b[2J", "AB\x07", b"A\x7fB", "A\x85B",
                                 "A\ue000B", "A\ufffdB"])
def test_control_and_garbled_characters_are_rejected(raw):
    assert rejection(ScanFilter(), raw).reason == "control_character"


def test_a_tab_inside_a_code_is_kept():
    assert ScanFilter().accept(b"NAME\tVALUE") == "NAME\tVALUE"


def test_a_rejection_message_never_contains_the_payload():
    secret = "310101199001011234\x00"
    exc = rejection(ScanFilter(), secret)
    assert "310101" not in str(exc) and "19900101" not in str(exc)


@pytest.mark.parametrize("raw", [TOKEN.encode("utf-8"), TOKEN])
def test_a_chinese_utf8_payload_comes_through_intact(raw):
    assert ScanFilter().accept(raw) == TOKEN


def test_gb18030_is_tried_after_utf8_only_where_configured():
    gbk = "身份码:ABC123".encode("gb18030")
    assert rejection(ScanFilter(), gbk).reason == "undecodable"
    both = ScanFilter(encodings=("utf-8", "gb18030"))
    assert both.accept(gbk) == TOKEN
    assert both.accept("随申码".encode("utf-8")) == "随申码"  # UTF-8 still wins


@pytest.mark.parametrize("suffix, raw", [("CR", b"ABC123\r"), ("LF", b"ABC123\n"),
                                         ("CRLF", b"ABC123\r\n"), ("CR", "ABC123\r"),
                                         ("CRLF", "ABC123")])
def test_the_configured_suffix_is_stripped(suffix, raw):
    assert ScanFilter(suffix=suffix).accept(raw) == "ABC123"


def test_a_line_end_left_by_a_mismatched_suffix_is_rejected_with_a_hint():
    exc = rejection(ScanFilter(suffix="CR"), b"ABC123\r\n")
    assert exc.reason == "control_character" and "suffix" in str(exc)


def test_the_suffix_is_stripped_once_only():
    assert rejection(ScanFilter(suffix="CR"), b"ABC\r\r").reason == "control_character"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        ScanFilter(suffix="TAB")
    with pytest.raises(ValueError):
        ScanFilter(encodings=("latin-1",))
    with pytest.raises(ValueError):
        ScanFilter(max_length=0)
