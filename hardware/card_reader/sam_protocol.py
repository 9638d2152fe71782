"""SAM frames of the second-generation ID card reader: encode, decode, status codes.

Pure functions and a byte-buffer decoder; no I/O, no clock. The bytes follow
`shared/reference/hardware.md` section 1:

    request   AA AA AA 96 69 | LEN_HI LEN_LO | CMD PARA | DATA... | CHK
    response  AA AA AA 96 69 | LEN_HI LEN_LO | SW1 SW2 SW3 | DATA... | CHK

LEN (big-endian) counts every byte after itself, CHK included; CHK is the XOR of the bytes
from LEN_HI to the last DATA byte.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable, Generic, Iterator, NamedTuple, TypeVar

from hardware.errors import ProtocolError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_SIZE = len(PREAMBLE) + 2  # preamble + LEN
# The largest real answer (text + photo + fingerprint) has LEN 0x090A = 2314; anything far
# beyond is a corrupted length field, and waiting for it would stall the line.
MAX_LENGTH = 4096


class ChecksumError(ProtocolError):
    """A whole frame arrived but its XOR checksum does not match."""


class FrameLengthError(ProtocolError):
    """The LEN field is impossible (shorter than a minimal frame or above MAX_LENGTH)."""


class TruncatedFrameError(ProtocolError):
    """A frame started (preamble seen) but its bytes stopped before the checksum."""


class Command(NamedTuple):
    cmd: int
    para: int
    name: str


RESET_SAM = Command(0x10, 0xFF, "reset SAM")
SAM_STATUS = Command(0x11, 0xFF, "SAM status")
SAM_ID = Command(0x12, 0xFF, "read SAM id")
FIND_CARD = Command(0x20, 0x01, "find card")
SELECT_CARD = Command(0x20, 0x02, "select card")
READ_TEXT_PHOTO = Command(0x30, 0x01, "read text + photo")
READ_WITH_FINGERPRINT = Command(0x30, 0x10, "read text + photo + fingerprint")
READ_APPENDED_ADDRESS = Command(0x30, 0x03, "read appended address")
COMMANDS = (RESET_SAM, SAM_STATUS, SAM_ID, FIND_CARD, SELECT_CARD, READ_TEXT_PHOTO,
            READ_WITH_FINGERPRINT, READ_APPENDED_ADDRESS)


def command_for(cmd: int, para: int) -> Command | None:
    """The known command with these two bytes, or None."""
    return next((c for c in COMMANDS if (c.cmd, c.para) == (cmd, para)), None)


class SW3(enum.IntEnum):
    SUCCESS = 0x90
    FIND_OK = 0x9F
    NO_CONTENT = 0x91
    CHECKSUM_ERROR = 0x10
    LENGTH_ERROR = 0x11
    COMMAND_ERROR = 0x21
    UNAUTHORISED = 0x23
    UNRECOGNISED = 0x24
    CARD_AUTH_SAM_FAILED = 0x31
    SAM_AUTH_CARD_FAILED = 0x32
    INFO_CHECK_ERROR = 0x33
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    FIND_FAILED = 0x80
    SELECT_FAILED = 0x81


SW3_MEANINGS: dict[int, str] = {
    SW3.SUCCESS: "success",
    SW3.FIND_OK: "find card success",
    SW3.NO_CONTENT: "no content for this item",
    SW3.CHECKSUM_ERROR: "checksum error in received data",
    SW3.LENGTH_ERROR: "length error in received data",
    SW3.COMMAND_ERROR: "command error",
    SW3.UNAUTHORISED: "unauthorised operation",
    SW3.UNRECOGNISED: "unrecognised error",
    SW3.CARD_AUTH_SAM_FAILED: "card authenticating SAM failed",
    SW3.SAM_AUTH_CARD_FAILED: "SAM authenticating card failed",
    SW3.INFO_CHECK_ERROR: "information check error",
    SW3.UNKNOWN_CARD_TYPE: "unknown card type",
    SW3.READ_FAILED: "read card failed",
    SW3.RANDOM_FAILED: "random number failed",
    SW3.SAM_SELF_TEST_FAILED: "SAM self-test failed",
    SW3.SAM_NOT_AUTHORISED: "SAM not authorised",
    SW3.FIND_FAILED: "find card failed (no card)",
    SW3.SELECT_FAILED: "select card failed",
}


def describe_sw3(code: int) -> str:
    """``"SW3 0x81 (select card failed)"``: the form every technician message uses."""
    return f"SW3 0x{code:02X} ({SW3_MEANINGS.get(code, 'undocumented code')})"


# -- frames ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""  # may hold card data: the repr below shows only its length

    @property
    def ok(self) -> bool:
        return self.sw3 in (SW3.SUCCESS, SW3.FIND_OK)

    @property
    def meaning(self) -> str:
        return describe_sw3(self.sw3)

    def __repr__(self) -> str:
        return (f"Response(sw=({self.sw1:02X} {self.sw2:02X} {self.sw3:02X}), "
                f"data=<{len(self.data)} bytes>)")


@dataclass(frozen=True)
class Request:
    cmd: int
    para: int
    data: bytes = b""


def xor(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def _frame(body: bytes) -> bytes:
    length = len(body) + 1  # + CHK
    if length > MAX_LENGTH:
        raise ValueError(f"frame body of {len(body)} bytes exceeds LEN limit {MAX_LENGTH}")
    head = length.to_bytes(2, "big") + body
    return PREAMBLE + head + bytes([xor(head)])


def encode_request(cmd: int, para: int, data: bytes = b"") -> bytes:
    """The request frame for CMD PARA [DATA]; ValueError for out-of-range values."""
    if not (0 <= cmd <= 0xFF and 0 <= para <= 0xFF):
        raise ValueError(f"CMD and PARA are bytes; got 0x{cmd:X}, 0x{para:X}")
    return _frame(bytes([cmd, para]) + bytes(data))


def encode_response(sw: tuple[int, int, int] | int, data: bytes = b"") -> bytes:
    """A response frame; ``sw`` is (SW1, SW2, SW3) or SW3 alone (SW1 = SW2 = 0)."""
    sw1, sw2, sw3 = (0, 0, sw) if isinstance(sw, int) else sw
    if not all(0 <= b <= 0xFF for b in (sw1, sw2, sw3)):
        raise ValueError(f"status words are bytes; got {sw!r}")
    return _frame(bytes([sw1, sw2, sw3]) + bytes(data))


def frame_size(data_len: int, *, response: bool = True) -> int:
    """Total bytes on the wire of a frame carrying ``data_len`` data bytes."""
    return HEADER_SIZE + (3 if response else 2) + data_len + 1


T = TypeVar("T")


class _Decoder(Generic[T]):
    """Incremental frame splitter: push bytes in any chunks, take whole frames out.

    Garbage before a preamble is skipped (counted in ``skipped``). A bad frame raises a
    typed ProtocolError from `next_frame` after its bytes have been consumed, so decoding
    can go on with what follows. Never blocks; memory is bounded by MAX_LENGTH plus the
    caller's unconsumed input.
    """

    def __init__(self, min_length: int, build: Callable[[bytes], T],
                 max_length: int = MAX_LENGTH) -> None:
        self._min, self._max, self._build = min_length, max_length, build
        self._buf = bytearray()
        self.skipped = 0

    @property
    def pending(self) -> int:
        """Bytes held that do not form a whole frame yet."""
        return len(self._buf)

    def push(self, data: bytes) -> None:
        self._buf += data

    def feed(self, data: bytes) -> Iterator[T]:
        """Push ``data`` and iterate over the frames now complete (raising at a bad one)."""
        self.push(data)
        return iter(self.next_frame, None)

    def next_frame(self) -> T | None:
        """The next whole frame, None when more bytes are needed; ProtocolError if bad."""
        buf = self._buf
        start = buf.find(PREAMBLE)
        if start < 0:
            keep = _preamble_prefix_len(buf)
            self.skipped += len(buf) - keep
            del buf[:len(buf) - keep]
            return None
        self.skipped += start
        del buf[:start]
        if len(buf) < HEADER_SIZE:
            return None
        length = int.from_bytes(buf[5:7], "big")
        if not self._min <= length <= self._max:
            del buf[:len(PREAMBLE)]  # resynchronise on the next preamble
            raise FrameLengthError(f"impossible frame length LEN={length} "
                                   f"(a frame has {self._min}..{self._max})")
        total = HEADER_SIZE + length
        if len(buf) < total:
            return None
        frame = bytes(buf[:total])
        del buf[:total]
        expected = xor(frame[len(PREAMBLE):-1])
        if frame[-1] != expected:
            raise ChecksumError(f"bad checksum 0x{frame[-1]:02X}, computed 0x{expected:02X} "
                                f"over a {total}-byte frame")
        return self._build(frame[HEADER_SIZE:-1])

    def finish(self) -> None:
        """Declare the input ended: TruncatedFrameError if a frame was left half-way."""
        held = bytes(self._buf)
        self._buf.clear()
        if held and (held.startswith(PREAMBLE) or PREAMBLE.startswith(held)):
            if len(held) >= HEADER_SIZE:
                want = HEADER_SIZE + int.from_bytes(held[5:7], "big")
                raise TruncatedFrameError(f"frame cut short: got {len(held)} of {want} bytes")
            raise TruncatedFrameError(f"frame cut short after {len(held)} header bytes")


def _preamble_prefix_len(buf: bytearray) -> int:
    """Length of the longest tail of ``buf`` that could start a preamble."""
    for n in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
        if buf.endswith(PREAMBLE[:n]):
            return n
    return 0


def _response(payload: bytes) -> Response:
    return Response(payload[0], payload[1], payload[2], payload[3:])


def _request(payload: bytes) -> Request:
    return Request(payload[0], payload[1], payload[2:])


class FrameDecoder(_Decoder[Response]):
    """Decodes reader answers into `Response` objects (what the driver reads)."""

    def __init__(self, max_length: int = MAX_LENGTH) -> None:
        super().__init__(4, _response, max_length)  # SW1..SW3 + CHK at least


class RequestDecoder(_Decoder[Request]):
    """Decodes host requests into `Request` objects (what a fake reader reads)."""

    def __init__(self, max_length: int = MAX_LENGTH) -> None:
        super().__init__(3, _request, max_length)  # CMD PARA + CHK at least


def decode_response(frame: bytes) -> Response:
    """Exactly one response frame, nothing before or after; ProtocolError otherwise."""
    decoder = FrameDecoder()
    decoder.push(frame)
    response = decoder.next_frame()
    if decoder.skipped:
        raise ProtocolError(f"{decoder.skipped} byte(s) before the preamble")
    if response is None:
        decoder.finish()
        raise ProtocolError("no frame in the bytes")  # only reached for empty input
    if decoder.pending:
        raise ProtocolError(f"{decoder.pending} byte(s) after the frame")
    return response


def plausible_answer(command: Command, response: Response) -> bool:
    """False for an answer that can only belong to another command (a late, stale frame).

    Only find card answers 9F, find card never answers 90, and a successful read carries
    more than the 8 bytes of a select answer or the 16 of a SAM id: enough to tell a
    delayed answer from the one awaited in the find -> select -> read sequence.
    """
    if command == FIND_CARD:
        return response.sw3 != SW3.SUCCESS
    if response.sw3 == SW3.FIND_OK:
        return False
    if command in (READ_TEXT_PHOTO, READ_WITH_FINGERPRINT) and response.sw3 == SW3.SUCCESS:
        return len(response.data) > 16
    return True
