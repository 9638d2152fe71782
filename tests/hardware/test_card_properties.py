"""Whatever the line delivers, the decoder and the parser end in a typed error or a result.

Never another exception, never a hang: the decoder must make progress on every input.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardware.card_reader.card_record import CardRecord, encode_read_data, parse_read_response
from hardware.card_reader.sam_protocol import (
    HEADER_SIZE, SW3, ChecksumError, FrameDecoder, Response, TruncatedFrameError,
    encode_response,
)
from hardware.card_reader.samples import sample_cards
from hardware.errors import CardReadError, HardwareError, ProtocolError

FAST = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CARDS = sample_cards()
READ_DATA = [encode_read_data(c, fp) for c in CARDS for fp in (False, True)]

frames = st.builds(lambda sw3, data: encode_response(sw3, data),
                   st.sampled_from(list(SW3)), st.binary(max_size=64))


def drain(decoder: FrameDecoder, chunks: list[bytes]) -> tuple[list[Response], list[Exception]]:
    """Feed every chunk, collecting frames and the typed errors along the way."""
    out: list[Response] = []
    errors: list[Exception] = []
    for chunk in chunks:
        decoder.push(chunk)
        for _ in range(len(chunk) + 2):  # each bad frame consumes bytes: bounded
            try:
                frame = decoder.next_frame()
            except ProtocolError as exc:
                errors.append(exc)
                continue
            if frame is None:
                break
            out.append(frame)
        else:
            raise AssertionError("decoder made no progress")
    try:
        decoder.finish()
    except ProtocolError as exc:
        errors.append(exc)
    return out, errors


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:])]


@FAST
@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=8))
def test_random_bytes_give_only_typed_errors(data, cuts):
    drain(FrameDecoder(), split(data, cuts))


@FAST
@given(frames, st.binary(max_size=20), st.binary(max_size=20),
       st.lists(st.integers(0, 200), max_size=6))
def test_a_valid_frame_between_noise_is_found_whatever_the_chunking(frame, before, after, cuts):
    # noise that contains no preamble start, as a line glitch would be
    before = before.replace(b"\xaa", b"\x00")
    out, _ = drain(FrameDecoder(), split(before + frame + after.replace(b"\xaa", b"\x00"), cuts))
    assert out[-1:] == [Response(*frame[HEADER_SIZE:HEADER_SIZE + 3], frame[HEADER_SIZE + 3:-1])]


@FAST
@given(frames, st.data())
def test_a_truncated_frame_is_reported_as_truncated(frame, data):
    cut = data.draw(st.integers(1, len(frame) - 1))
    out, errors = drain(FrameDecoder(), [frame[:cut]])
    assert out == [] and len(errors) == 1 and isinstance(errors[0], TruncatedFrameError)


@FAST
@given(frames, st.data())
def test_a_corrupted_byte_after_the_length_is_caught_by_the_checksum(frame, data):
    pos = data.draw(st.integers(HEADER_SIZE, len(frame) - 1))
    flip = data.draw(st.integers(1, 255))
    bad = bytearray(frame)
    bad[pos] ^= flip
    out, errors = drain(FrameDecoder(), [bytes(bad)])
    assert out == [] and [type(e) for e in errors] == [ChecksumError]


@FAST
@given(frames, st.data())
def test_any_corrupted_byte_never_yields_the_original_frame_or_an_untyped_error(frame, data):
    pos = data.draw(st.integers(0, len(frame) - 1))
    bad = bytearray(frame)
    bad[pos] ^= data.draw(st.integers(1, 255))
    original = FrameDecoder().feed(frame).__next__()
    out, errors = drain(FrameDecoder(), [bytes(bad)])  # anything but ProtocolError escapes
    assert original not in out
    assert all(isinstance(e, HardwareError) for e in errors)


def parse_or_typed_error(data: bytes, fingerprint: bool) -> CardRecord | None:
    try:
        return parse_read_response(data, fingerprint)
    except (CardReadError, ProtocolError):
        return None


@FAST
@given(st.binary(max_size=3000), st.booleans())
def test_random_read_answers_give_only_typed_errors(data, fingerprint):
    parse_or_typed_error(data, fingerprint)


@FAST
@given(st.sampled_from(range(len(READ_DATA))), st.data())
def test_corrupted_card_data_gives_a_record_or_a_typed_error(index, data):
    good = READ_DATA[index]
    fingerprint = index % 2 == 1
    bad = bytearray(good)
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(bad) - 1))
        bad[pos] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        bad = bad[:data.draw(st.integers(0, len(bad)))]
    record = parse_or_typed_error(bytes(bad), fingerprint)
    if record is not None:  # when a record comes out, it is self-consistent
        assert len(record.photo) == 1024 and len(record.id_number) == 18


@FAST
@given(st.sampled_from(range(len(CARDS))), st.data())
def test_random_text_blocks_give_only_typed_errors(index, data):
    good = bytearray(encode_read_data(CARDS[index], False))
    text = data.draw(st.binary(min_size=256, max_size=256))
    good[4:260] = text
    parse_or_typed_error(bytes(good), False)
