"""Keyboard-wedge scanners: key events decode to text; EvdevScanner reads input_event records.

Key codes are written out from linux/input-event-codes.h (KEY_A = 30, KEY_1 = 2, ...) rather
than taken from the driver's keymap, so a wrong keymap entry fails here.
"""

from __future__ import annotations

import os
import queue
import time

import pytest

from hardware.base import DeviceStatus, StatusChanged
from hardware.errors import DeviceNotFoundError, HardwareError, ScanRejectedError
from hardware.scanner.evdev_scanner import EvdevScanner, pack_event
from hardware.scanner.interface import CodeScanned, ScanRejected
from hardware.scanner.wedge import KeyboardWedgeDecoder

EV_SYN, EV_KEY, EV_MSC = 0, 1, 4
UP, DOWN, REPEAT = 0, 1, 2
LSHIFT, RSHIFT, ENTER, KPENTER = 42, 54, 28, 96
KEY = {"a": 30, "b": 48, "c": 46, "x": 45, "1": 2, "2": 3, "3": 4, "0": 11, "-": 12,
       "/": 53, ";": 39, "=": 13, "'": 40, ".": 52}


def press(code: int, shift: int | None = None) -> list[tuple[int, int, int]]:
    """Key down and up, as a scanner types it, with EV_MSC / EV_SYN around like the kernel."""
    events = [(EV_KEY, shift, DOWN)] if shift else []
    events += [(EV_MSC, 4, 0x70004), (EV_KEY, code, DOWN), (EV_SYN, 0, 0),
               (EV_KEY, code, UP), (EV_SYN, 0, 0)]
    return events + ([(EV_KEY, shift, UP)] if shift else [])


def feed_all(decoder: KeyboardWedgeDecoder, events) -> list[str]:
    out = []
    for event in events:
        text = decoder.feed(*event)
        if text is not None:
            out.append(text)
    return out


def test_unshifted_and_shifted_keys_map_to_the_us_layout():
    events = (press(KEY["a"], LSHIFT) + press(KEY["b"]) + press(KEY["1"]) + press(KEY["1"], LSHIFT)
              + press(KEY["/"], RSHIFT) + press(KEY[";"], LSHIFT) + press(KEY["-"])
              + press(KEY["-"], RSHIFT) + press(KEY["'"], LSHIFT) + press(KEY["="], LSHIFT)
              + press(KEY["."]) + press(ENTER))
    assert feed_all(KeyboardWedgeDecoder(), events) == ['Ab1!?:-_"+.']


def test_key_up_and_autorepeat_type_nothing():
    events = [(EV_KEY, KEY["x"], DOWN), (EV_KEY, KEY["x"], REPEAT), (EV_KEY, KEY["x"], REPEAT),
              (EV_KEY, KEY["x"], UP), (EV_KEY, KEY["c"], UP), (EV_KEY, ENTER, DOWN)]
    assert feed_all(KeyboardWedgeDecoder(), events) == ["x"]


def test_shift_ends_when_the_shift_key_is_released():
    events = press(KEY["a"], LSHIFT) + press(KEY["a"]) + press(ENTER)
    assert feed_all(KeyboardWedgeDecoder(), events) == ["Aa"]


def test_enter_and_keypad_enter_each_end_a_code():
    events = (press(KEY["1"]) + press(ENTER) + press(KEY["2"]) + press(KPENTER)
              + press(KEY["3"]))
    decoder = KeyboardWedgeDecoder()
    assert feed_all(decoder, events) == ["1", "2"]
    assert feed_all(decoder, press(ENTER)) == ["3"]  # the third was still being typed


def test_keypad_digits_type_digits():
    kp = {"7": 71, "8": 72, "9": 73, "4": 75, "0": 82, ".": 83}
    events = [e for ch in "7890.4" for e in press(kp[ch])] + press(KPENTER)
    assert feed_all(KeyboardWedgeDecoder(), events) == ["7890.4"]


def test_a_key_outside_the_keymap_rejects_the_whole_code_and_the_next_one_is_clean():
    decoder = KeyboardWedgeDecoder()
    feed_all(decoder, press(KEY["a"]) + press(59))  # F1
    with pytest.raises(ScanRejectedError) as caught:
        feed_all(decoder, press(ENTER))
    assert caught.value.reason == "unmapped_key"
    assert feed_all(decoder, press(KEY["b"]) + press(ENTER)) == ["b"]


def test_a_ctrl_combination_is_not_typed_as_the_plain_key():
    decoder = KeyboardWedgeDecoder()
    feed_all(decoder, [(EV_KEY, 29, DOWN)] + press(KEY["c"]) + [(EV_KEY, 29, UP)])
    with pytest.raises(ScanRejectedError):
        feed_all(decoder, press(ENTER))


def test_an_over_long_code_is_rejected_with_its_length_and_memory_stays_bounded():
    decoder = KeyboardWedgeDecoder(max_length=16)
    feed_all(decoder, [e for _ in range(5000) for e in press(KEY["1"])])
    assert len(decoder._chars) <= 16
    with pytest.raises(ScanRejectedError) as caught:
        feed_all(decoder, press(ENTER))
    assert (caught.value.reason, caught.value.length) == ("too_long", 5000)


def test_enter_alone_gives_an_empty_code_for_the_filter_to_refuse():
    assert feed_all(KeyboardWedgeDecoder(), press(ENTER)) == [""]


# -- EvdevScanner over a pipe ------------------------------------------------------------
def packed(events) -> bytes:
    return b"".join(pack_event(t, c, v, sec=1_700_000_000, usec=i)
                    for i, (t, c, v) in enumerate(events))


def typed(text: str) -> list[tuple[int, int, int]]:
    return [e for ch in text for e in press(KEY[ch.lower()], LSHIFT if ch.isupper() else None)]


def next_of(events: queue.Queue, kind: type, timeout: float = 2.0, **fields):
    """The next event of ``kind`` (with those field values) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no {kind.__name__} {fields} within {timeout} s"
        try:
            event = events.get(timeout=left)
        except queue.Empty:
            continue
        if isinstance(event, kind) and all(getattr(event, k) == v for k, v in fields.items()):
            return event


@pytest.fixture
def pipe():
    read_fd, write_fd = os.pipe()
    fds = {"r": read_fd, "w": write_fd}
    yield fds
    for fd in fds.values():
        if fd is not None:
            os.close(fd)


def test_evdev_scanner_reading_packed_events_from_a_pipe_emits_code_scanned(pipe):
    scanner = EvdevScanner("wedge", f"/proc/self/fd/{pipe['r']}", grab=False)
    events: queue.Queue = queue.Queue()
    scanner.subscribe(events.put)
    scanner.open()
    try:
        assert scanner.status == DeviceStatus.ONLINE
        data = packed(typed("Ab123") + press(ENTER))
        os.write(pipe["w"], data[:37])  # records split across reads are reassembled
        time.sleep(0.05)
        os.write(pipe["w"], data[37:])
        scanned = next_of(events, CodeScanned)
        assert scanned.text == "Ab123" and scanned.device == "wedge"
        os.write(pipe["w"], packed(press(59) + press(ENTER)))  # F1 inside a code
        assert next_of(events, ScanRejected).reason == "unmapped_key"
    finally:
        scanner.close()


def test_evdev_scanner_reports_no_device_when_its_input_ends(pipe):
    scanner = EvdevScanner("wedge", f"/proc/self/fd/{pipe['r']}", grab=False)
    events: queue.Queue = queue.Queue()
    scanner.subscribe(events.put)
    scanner.open()
    try:
        os.close(pipe["w"])
        pipe["w"] = None
        assert "end of input" in next_of(events, StatusChanged,
                                         status=DeviceStatus.NO_DEVICE).detail
    finally:
        scanner.close()
    assert not scanner.reader_alive


def test_grabbing_something_that_is_not_an_input_device_fails_clearly_at_open(pipe):
    scanner = EvdevScanner("wedge", f"/proc/self/fd/{pipe['r']}")  # grab=True
    with pytest.raises(HardwareError, match="cannot grab") as caught:
        scanner.open()
    assert not isinstance(caught.value, DeviceNotFoundError)
    assert scanner.status == DeviceStatus.HARDWARE_ERROR and not scanner.reader_alive


def test_a_missing_input_device_is_not_found(tmp_path):
    scanner = EvdevScanner("wedge", str(tmp_path / "usb-Scanner-event-kbd"))
    with pytest.raises(DeviceNotFoundError):
        scanner.open()
    assert scanner.status == DeviceStatus.NO_DEVICE


def test_a_keyboard_wedge_says_it_cannot_carry_chinese():
    assert EvdevScanner("wedge", "/dev/null").capabilities()["chinese"] is False
