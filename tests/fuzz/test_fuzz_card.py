"""Card frame parser and card records: mutated frames and fields, through the decoder, the
record parser and the real serial driver -> a valid CardRecord or a typed HardwareError.

tests/hardware/test_card_properties.py already throws random and byte-corrupted data at
FrameDecoder and parse_read_response; this adds structure-aware mutations (valid frames
and text blocks with fields changed, lengths lied about, frames glued and split) and the
whole read path of SerialCardReader over a line that answers mutated frames.
"""

from __future__ import annotations

import time

from hypothesis import example, given
from hypothesis import strategies as st

from hardware.card_reader.card_record import (
    TEXT_LAYOUT, CardRecord, build_text_block, encode_read_data, parse_read_response,
    parse_text_block, record_from_fields,
)
from hardware.card_reader.sam_protocol import (
    HEADER_SIZE, SW3, FrameDecoder, RequestDecoder, Response, decode_response,
    encode_request, encode_response,
)
from hardware.card_reader.samples import sample_cards
from hardware.card_reader.serial_reader import SerialCardReader
from hardware.card_reader.virtual_sam import VirtualSam
from hardware.errors import HardwareError, ProtocolError
from tests.fuzz.mutate import mutated_bytes
from tests.fuzz.profiles import FUZZ, FUZZ_SLOW

CARDS = sample_cards()
READ_FRAMES = [encode_response(SW3.SUCCESS, encode_read_data(c, fp))
               for c in CARDS for fp in (False, True)]
SHORT_FRAMES = [bytes.fromhex(h) for h in (  # hardware.md: status OK, find OK, no card, ...
    "AAAAAA9669000400009094", "AAAAAA96690008000 09F0000000097".replace(" ", ""),
    "AAAAAA9669000400008084", "AAAAAA9669000400008185", "AAAAAA9669000400004145")]
REQUESTS = [encode_request(c, p) for c, p in ((0x10, 0xFF), (0x11, 0xFF), (0x12, 0xFF),
                                                (0x20, 0x01), (0x20, 0x02), (0x30, 0x01),
                                                (0x30, 0x10), (0x30, 0x03))]


def decode_all(data: bytes, decoder) -> list:
    """Every frame in `data`; ProtocolError is the only exception allowed to come out."""
    out = []
    decoder.push(data)
    for _ in range(len(data) + 2):  # every error consumes bytes: bounded
        try:
            frame = decoder.next_frame()
        except ProtocolError:
            continue
        if frame is None:
            break
        out.append(frame)
    else:
        raise AssertionError("decoder made no progress")
    assert decoder.pending <= len(data)
    try:
        decoder.finish()
    except ProtocolError:
        pass
    return out


def record_or_typed(data: bytes, fingerprint: bool) -> CardRecord | None:
    try:
        record = parse_read_response(data, fingerprint)
    except HardwareError:
        return None
    assert len(record.id_number) == 18 and record.name and len(record.photo) == 1024
    return record


@FUZZ
@given(st.sampled_from(READ_FRAMES + SHORT_FRAMES).flatmap(mutated_bytes))
@example(READ_FRAMES[0][:5] + b"\xff\xff" + READ_FRAMES[0][7:])  # length beyond the limit
@example(READ_FRAMES[0][:5] + b"\x00\x00" + READ_FRAMES[0][7:])  # zero length
def test_mutated_frames_decode_to_typed_errors_or_answers_whose_data_parses_or_is_refused(
        frame):
    for index, answer in enumerate(decode_all(frame, FrameDecoder())):
        assert isinstance(answer, Response)
        if answer.sw3 == SW3.SUCCESS:
            record_or_typed(answer.data, index % 2 == 1)
            record_or_typed(answer.data, True)
    try:
        decode_response(frame)
    except ProtocolError:
        pass


@FUZZ
@given(st.lists(st.sampled_from(READ_FRAMES + SHORT_FRAMES + REQUESTS).flatmap(
    lambda f: st.one_of(st.just(f), mutated_bytes(f, 3))), min_size=1, max_size=4))
def test_glued_mutated_frames_give_typed_errors_to_both_decoders(frames):
    data = b"".join(frames)
    decode_all(data, FrameDecoder())
    decode_all(data, RequestDecoder())


FIELD_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "19800230", "00000000", "99991231", "长期", "１９８０１２０１",
                     "١٢٣٤٥٦٧٨", "0", "00", "1", "2", "9", "3", "01", "98", "99", "X",
                     "11010519491231002X", "11010519491231002x", "110105194912310021",
                     "11010500000000002X", "\x00" * 8, "\ud800"]))


@st.composite
def mutated_text_blocks(draw) -> bytes:
    """A valid card's text block with some fields replaced by other text of the field's size
    (truncated, or padded with spaces, NULs or garbage)."""
    block = bytearray(build_text_block(draw(st.sampled_from(CARDS))))
    for key in draw(st.lists(st.sampled_from(sorted(TEXT_LAYOUT)), min_size=1, max_size=4)):
        offset, size = TEXT_LAYOUT[key]
        raw = draw(FIELD_TEXT).encode("utf-16-le", "surrogatepass")[:size]
        pad = draw(st.sampled_from([b" \x00", b"\x00\x00", b"\x00\xd8", b"\xff\xfe"]))
        raw += pad * ((size - len(raw)) // 2) + b" " * ((size - len(raw)) % 2)
        block[offset:offset + size] = raw
    return bytes(block)


@FUZZ
@given(mutated_text_blocks(), st.booleans())
def test_cards_with_mutated_fields_give_a_record_or_a_typed_error(block, fingerprint):
    data = encode_read_data(CARDS[0], fingerprint)
    n = 6 if fingerprint else 4
    record = record_or_typed(data[:n] + block + data[n + 256:], fingerprint)
    try:
        fields = parse_text_block(block)
        assert record is None or record == record_from_fields(fields, data[n + 256:][:1024],
                                                              record.fingerprint)
    except HardwareError:
        assert record is None


# --- the whole driver over a line that garbles its answers -------------------------------
class GarblingLine:
    """A pyserial-like port: a VirtualSam answers each request; `garble` rewrites the frame."""

    in_waiting = 0

    def __init__(self, sam: VirtualSam, garble) -> None:
        self.sam, self.garble = sam, garble
        self.pending = b""

    def reset_input_buffer(self) -> None:
        self.pending = b""

    def write(self, frame: bytes) -> int:
        request = next(RequestDecoder().feed(frame))
        answer = self.sam.answer(request.cmd, request.para, request.data)
        self.pending += self.garble(encode_response((answer.sw1, answer.sw2, answer.sw3),
                                                    answer.data))
        return len(frame)

    def read(self, size: int) -> bytes:
        out, self.pending = self.pending[:max(size, 64)], self.pending[max(size, 64):]
        return out

    def close(self) -> None:
        pass


class LineReader(SerialCardReader):
    def __init__(self, line: GarblingLine) -> None:
        super().__init__("fuzz", "loop://", timeout_s=0.02, retries=1)
        self._line = line

    def _connect(self) -> None:
        self._closing.clear()
        self._port = self._line  # type: ignore[assignment]


@FUZZ_SLOW
@given(st.sampled_from(range(len(CARDS))), st.booleans(), st.data())
def test_the_serial_driver_reads_a_card_or_raises_a_typed_error_on_a_garbling_line(
        index, fingerprint, data):
    def garble(frame: bytes) -> bytes:
        if data.draw(st.integers(0, 3), label="keep") == 0:
            return frame
        return data.draw(mutated_bytes(frame, 4), label="garbled")

    reader = LineReader(GarblingLine(VirtualSam(CARDS[index]), garble))
    reader.read_fingerprint = fingerprint
    started = time.monotonic()
    try:
        reader.open()
        record = reader.read_card(timeout_s=0.3)
        assert record.id_number == CARDS[index].id_number or len(record.id_number) == 18
    except HardwareError:
        pass
    finally:
        reader.close()
    assert time.monotonic() - started < 2.0
