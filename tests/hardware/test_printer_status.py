"""DLE EOT answers -> PrinterState -> device status; silence is never "paper OK"."""

from __future__ import annotations

import itertools

import pytest

from hardware.base import DeviceStatus
from hardware.printer.status import PrinterState, answer_byte, device_status, parse_status

IDLE = [0x12, 0x12, 0x12, 0x12]


def test_idle_printer_answers_0x12_to_all_four_and_is_ok():
    state = parse_status(IDLE)
    assert state.ok and state.online and not state.unknown
    assert not (state.paper_end or state.cover_open or state.cutter_error)
    assert device_status(state) == (DeviceStatus.ONLINE, "")


def test_paper_end_bits_0x60_in_the_paper_sensor_answer():
    state = parse_status([0x1A, 0x32, 0x12, 0x12 | 0x60])
    assert state.paper_end and not state.online and not state.unknown
    assert device_status(state) == (DeviceStatus.USER_ERROR, "paper end")


def test_paper_end_from_the_sensor_alone():
    assert parse_status([0x12, 0x12, 0x12, 0x72]).paper_end


def test_paper_near_end_is_still_ok_with_a_detail():
    state = parse_status([0x12, 0x12, 0x12, 0x12 | 0x0C])
    assert state.paper_near_end and state.ok
    assert device_status(state) == (DeviceStatus.ONLINE, "paper near end")


def test_cover_open_bit_0x04_of_the_offline_cause():
    state = parse_status([0x1A, 0x12 | 0x04, 0x12, 0x12])
    assert state.cover_open and not state.online
    assert device_status(state) == (DeviceStatus.USER_ERROR, "cover open")


@pytest.mark.parametrize("error_byte, field", [(0x12 | 0x08, "cutter_error"),
                                                (0x12 | 0x20, "unrecoverable_error")])
def test_cutter_and_unrecoverable_errors_are_hardware_errors(error_byte, field):
    state = parse_status([0x1A, 0x52, error_byte, 0x12])
    assert getattr(state, field)
    assert device_status(state)[0] == DeviceStatus.HARDWARE_ERROR


def test_recoverable_error_is_offline_not_ok():
    state = parse_status([0x1A, 0x52, 0x12 | 0x40, 0x12])
    assert state.recoverable_error and not state.ok
    assert device_status(state)[0] == DeviceStatus.OFFLINE


def test_online_but_offline_bit_set_is_offline():
    state = parse_status([0x1A, 0x12, 0x12, 0x12])
    assert not state.ok and device_status(state) == (DeviceStatus.OFFLINE, "printer offline")


@pytest.mark.parametrize("answers", [[], [None], [b""], [None, None, None, None],
                                     [0x12, 0x12, 0x12]])
def test_no_answer_means_unknown_never_paper_ok(answers):
    state = parse_status(answers)
    assert state.unknown and not state.ok and not state.paper_end
    status, detail = device_status(state)
    assert status == DeviceStatus.OFFLINE and detail.startswith("status unknown")


@pytest.mark.parametrize("bad", [0x00, 0x02, 0x10, 0x60, 0x0C])
def test_an_answer_without_bits_1_and_4_is_invalid_and_unknown(bad):
    state = parse_status([bad, 0x12, 0x12, 0x12])
    assert state.unknown and not state.online and not state.ok
    assert f"invalid answer 0x{bad:02X} to DLE EOT 1" in device_status(state)[1]


def test_an_invalid_paper_answer_does_not_count_as_paper_end():
    state = parse_status([0x12, 0x12, 0x12, 0x60])
    assert state.unknown and not state.paper_end


def test_silence_after_a_paper_end_answer_still_reports_the_paper_end():
    state = parse_status([0x1A, 0x32, None])
    assert state.unknown and state.paper_end
    assert device_status(state) == (DeviceStatus.USER_ERROR, "paper end")


def test_the_last_byte_of_an_answer_counts():
    # a late answer to an earlier, timed-out request may arrive just before this one
    assert parse_status([b"\x1a\x12", b"\x12", b"\x12", b"\x12"]).ok
    assert parse_status([b"\x12\x1a", b"\x12", b"\x12", b"\x12"]).online is False


def test_the_default_state_is_unknown():
    assert PrinterState().unknown and not PrinterState().ok


@pytest.mark.parametrize("cover, paper, near, cutter, fatal, recoverable",
                         list(itertools.product([False, True], repeat=6)))
def test_answer_bytes_parse_back_to_the_same_state(cover, paper, near, cutter, fatal,
                                                    recoverable):
    state = PrinterState(online=not (cover or paper or cutter or fatal or recoverable),
                         cover_open=cover, paper_end=paper, paper_near_end=near,
                         cutter_error=cutter, unrecoverable_error=fatal,
                         recoverable_error=recoverable, unknown=False)
    answers = [answer_byte(n, state) for n in (1, 2, 3, 4)]
    assert all(a is not None and a & 0x12 == 0x12 for a in answers)
    parsed = parse_status(answers)
    assert parsed == PrinterState(**{**state.__dict__, "raw": tuple(answers)})


def test_requests_other_than_1_to_4_get_no_answer():
    assert answer_byte(5, PrinterState(online=True, unknown=False)) is None
