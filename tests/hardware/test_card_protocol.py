"""SAM frames: the exact bytes of hardware.md section 1, and a decoder that survives a line."""

from __future__ import annotations

import pytest

from hardware.card_reader.card_record import encode_read_data
from hardware.card_reader.sam_protocol import (
    FIND_CARD, READ_APPENDED_ADDRESS, READ_TEXT_PHOTO, READ_WITH_FINGERPRINT, RESET_SAM,
    SAM_ID, SAM_STATUS, SELECT_CARD, SW3, ChecksumError, FrameDecoder, FrameLengthError,
    RequestDecoder, Response, TruncatedFrameError, decode_response, describe_sw3,
    encode_request, encode_response, plausible_answer,
)
from hardware.card_reader.samples import sample_cards
from hardware.errors import HardwareError, ProtocolError


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# Copied by hand from the table in shared/reference/hardware.md.
REQUESTS = [
    (RESET_SAM, "AA AA AA 96 69 00 03 10 FF EC"),
    (SAM_STATUS, "AA AA AA 96 69 00 03 11 FF ED"),
    (SAM_ID, "AA AA AA 96 69 00 03 12 FF EE"),
    (FIND_CARD, "AA AA AA 96 69 00 03 20 01 22"),
    (SELECT_CARD, "AA AA AA 96 69 00 03 20 02 21"),
    (READ_TEXT_PHOTO, "AA AA AA 96 69 00 03 30 01 32"),
    (READ_WITH_FINGERPRINT, "AA AA AA 96 69 00 03 30 10 23"),
    (READ_APPENDED_ADDRESS, "AA AA AA 96 69 00 03 30 03 30"),
]

RESPONSES = [  # (frame, SW3, data) — the "typical responses" of hardware.md
    ("AA AA AA 96 69 00 04 00 00 90 94", SW3.SUCCESS, b""),
    ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", SW3.FIND_OK, bytes(4)),
    ("AA AA AA 96 69 00 04 00 00 80 84", SW3.FIND_FAILED, b""),
    ("AA AA AA 96 69 00 04 00 00 81 85", SW3.SELECT_FAILED, b""),
    ("AA AA AA 96 69 00 04 00 00 41 45", SW3.READ_FAILED, b""),
]


@pytest.mark.parametrize("command,frame", REQUESTS, ids=[c.name for c, _ in REQUESTS])
def test_every_request_frame_matches_the_reference_bytes(command, frame):
    assert encode_request(command.cmd, command.para) == h(frame)


@pytest.mark.parametrize("frame,sw3,data", RESPONSES, ids=[f"{r[1]:02X}" for r in RESPONSES])
def test_typical_responses_encode_and_decode_to_the_reference_bytes(frame, sw3, data):
    assert encode_response(sw3, data) == h(frame)
    assert encode_response((0, 0, sw3), data) == h(frame)
    assert decode_response(h(frame)) == Response(0, 0, sw3, data)


def test_a_card_read_answer_has_the_documented_size_and_length_field():
    data = encode_read_data(sample_cards()[1], with_fingerprint=False)
    frame = encode_response(SW3.SUCCESS, data)
    assert len(frame) == 1295 and frame[5:7] == h("05 08")
    assert data[:4] == h("01 00 04 00")  # text 256, photo 1024, big-endian
    # With the fingerprint: a third length, 1024 more bytes (3+6+256+1024+1024+1 = 0x090A)
    frame = encode_response(SW3.SUCCESS, encode_read_data(sample_cards()[0], True))
    assert frame[5:7] == h("09 0A") and len(frame) == 7 + 0x090A


def test_requests_decode_back_for_the_fake_reader():
    decoder = RequestDecoder()
    frames = b"".join(h(f) for _, f in REQUESTS)
    expected = [(c.cmd, c.para) for c, _ in REQUESTS]
    assert [(r.cmd, r.para) for r in decoder.feed(frames)] == expected


def test_decoder_assembles_a_frame_fed_one_byte_at_a_time():
    frame = encode_response(SW3.SUCCESS, bytes(range(40)))
    decoder = FrameDecoder()
    out = []
    for i in range(len(frame)):
        out += list(decoder.feed(frame[i:i + 1]))
        if i < len(frame) - 1:
            assert out == []
    assert out == [Response(0, 0, SW3.SUCCESS, bytes(range(40)))]
    assert decoder.pending == 0


def test_decoder_skips_garbage_before_the_preamble_even_partial_preambles():
    garbage = b"\x00\xff\xaa\xaa\x96\x69\xaa\xaa"  # looks like a preamble, is not one
    decoder = FrameDecoder()
    assert list(decoder.feed(garbage)) == []
    assert list(decoder.feed(h(RESPONSES[0][0]))) == [Response(0, 0, SW3.SUCCESS)]
    assert decoder.skipped == len(garbage)


def test_a_preamble_split_across_chunks_after_garbage_is_kept():
    frame = h(RESPONSES[2][0])
    decoder = FrameDecoder()
    assert list(decoder.feed(b"\x13\x37" + frame[:3])) == []
    assert list(decoder.feed(frame[3:])) == [Response(0, 0, SW3.FIND_FAILED)]


def test_two_frames_in_one_chunk_both_come_out_in_order():
    chunk = h(RESPONSES[1][0]) + h(RESPONSES[4][0])
    assert [r.sw3 for r in FrameDecoder().feed(chunk)] == [SW3.FIND_OK, SW3.READ_FAILED]


def test_bad_checksum_is_a_typed_error_and_decoding_goes_on():
    bad = bytearray(h(RESPONSES[0][0]))
    bad[-1] ^= 0x01
    decoder = FrameDecoder()
    frames = decoder.feed(bytes(bad) + h(RESPONSES[2][0]))
    with pytest.raises(ChecksumError) as info:
        next(frames)
    assert isinstance(info.value, ProtocolError) and isinstance(info.value, HardwareError)
    assert decoder.next_frame() == Response(0, 0, SW3.FIND_FAILED)


@pytest.mark.parametrize("length", [0x0000, 0x0003, 0x1001, 0xFFFF])
def test_an_impossible_length_is_refused_at_once_not_waited_for(length):
    frame = b"\xaa\xaa\xaa\x96\x69" + length.to_bytes(2, "big") + b"\x00\x00\x90"
    decoder = FrameDecoder()
    with pytest.raises(FrameLengthError, match=f"LEN={length}"):
        list(decoder.feed(frame))
    # after the refusal it resynchronises on the next frame
    assert list(decoder.feed(h(RESPONSES[0][0]))) == [Response(0, 0, SW3.SUCCESS)]


def test_truncation_is_reported_on_demand_with_what_was_missing():
    frame = encode_response(SW3.SUCCESS, bytes(100))
    decoder = FrameDecoder()
    assert list(decoder.feed(frame[:50])) == []
    with pytest.raises(TruncatedFrameError, match=f"got 50 of {len(frame)} bytes"):
        decoder.finish()
    assert decoder.pending == 0
    decoder.feed(b"\x01\x02")
    decoder.finish()  # garbage alone is not a truncated frame


def test_decode_response_refuses_leading_or_trailing_bytes():
    frame = h(RESPONSES[0][0])
    with pytest.raises(ProtocolError, match="before the preamble"):
        decode_response(b"\x00" + frame)
    with pytest.raises(ProtocolError, match="after the frame"):
        decode_response(frame + b"\x00")
    with pytest.raises(TruncatedFrameError):
        decode_response(frame[:-1])


def test_sw3_codes_have_technician_meanings():
    assert describe_sw3(0x81) == "SW3 0x81 (select card failed)"
    assert describe_sw3(0x60) == "SW3 0x60 (SAM self-test failed)"
    assert "undocumented" in describe_sw3(0x55)
    assert len(SW3) == 18


def test_a_late_answer_of_another_step_is_recognised_as_stale():
    find_ok = Response(0, 0, SW3.FIND_OK, bytes(4))
    select_ok = Response(0, 0, SW3.SUCCESS, bytes(8))
    assert plausible_answer(FIND_CARD, find_ok)
    assert not plausible_answer(FIND_CARD, select_ok)
    assert not plausible_answer(SELECT_CARD, find_ok)
    assert not plausible_answer(READ_TEXT_PHOTO, select_ok)
    assert plausible_answer(READ_TEXT_PHOTO, Response(0, 0, SW3.READ_FAILED))


def test_encoders_refuse_values_that_are_not_bytes():
    with pytest.raises(ValueError):
        encode_request(0x100, 0)
    with pytest.raises(ValueError):
        encode_response((0, 0, 0x190))
    with pytest.raises(ValueError):
        encode_response(SW3.SUCCESS, bytes(5000))
