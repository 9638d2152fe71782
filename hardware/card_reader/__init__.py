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

from hardware.card_reader.factories import check_serial, check_sim, make_serial, make_sim
from hardware.lazy import lazy_exports

_EXPORTS = {
    **{n: "card_record" for n in ("CardRecord", "build_text_block", "id_check_character",
                                  "is_valid_id_number", "parse_read_response",
                                  "parse_text_block")},
    **{n: "interface" for n in ("CardPresent", "CardReader", "CardRefusedError",
                                "CardRemoved", "SamError")},
    **{n: "sam_protocol" for n in ("ChecksumError", "FrameDecoder", "FrameLengthError",
                                   "Response", "TruncatedFrameError", "encode_request",
                                   "encode_response")},
    "sample_cards": "samples", "SerialCardReader": "serial_reader",
    "SimulatedCardReader": "simulator",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)
__all__ = ["DRIVERS", "VALIDATORS", *_EXPORTS]

DRIVERS: dict[str, Callable[[str, Mapping[str, Any]], Any]] = {
    "serial": make_serial,
    "sim": make_sim,
}
# Option checks alone, without importing the drivers (used by the configuration check).
VALIDATORS: dict[str, Callable[[str, Mapping[str, Any]], Any]] = {
    "serial": check_serial,
    "sim": check_sim,
}
