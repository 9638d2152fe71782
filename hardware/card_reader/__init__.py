"""Second-generation resident ID card readers (SAM protocol).

`DRIVERS` maps a configuration's driver name to a factory (device name, options) that
checks the options and builds the reader without opening it:

- ``serial``: `SerialCardReader` — url (required), baudrate (115200), timeout_s (2.0),
  retries (2), read_fingerprint (false).
- ``sim``: `SimulatedCardReader` — card (sample index or ID number, none by default),
  read_delay_s (0.3), timeout_s (2.0), retries (2), read_fingerprint (false).

The fake serial device and the timing helper are imported from their modules
(`fake_device`, `timing`), not from here: the kiosk never needs them.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from hardware.card_reader.card_record import (
    CardRecord, build_text_block, id_check_character, is_valid_id_number, parse_read_response,
    parse_text_block,
)
from hardware.card_reader.factories import make_serial, make_sim
from hardware.card_reader.interface import (
    CardPresent, CardReader, CardRefusedError, CardRemoved, SamError,
)
from hardware.card_reader.sam_protocol import (
    ChecksumError, FrameDecoder, FrameLengthError, Response, TruncatedFrameError,
    encode_request, encode_response,
)
from hardware.card_reader.samples import sample_cards
from hardware.card_reader.serial_reader import SerialCardReader
from hardware.card_reader.simulator import SimulatedCardReader

__all__ = [
    "DRIVERS", "CardReader", "SerialCardReader", "SimulatedCardReader", "CardRecord",
    "CardPresent", "CardRemoved", "SamError", "CardRefusedError", "ChecksumError",
    "FrameLengthError", "TruncatedFrameError", "FrameDecoder", "Response", "encode_request",
    "encode_response", "parse_read_response", "parse_text_block", "build_text_block",
    "id_check_character", "is_valid_id_number", "sample_cards",
]

DRIVERS: dict[str, Callable[[str, Mapping[str, Any]], CardReader]] = {
    "serial": make_serial,
    "sim": make_sim,
}
