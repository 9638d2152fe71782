"""What an ID card holds, and its 256-byte text block and read answer, both ways.

`parse_read_response` turns the data of a successful read (30 01 / 30 10) into a checked
`CardRecord`; `encode_read_data` / `build_text_block` do the reverse for the simulator and
the fake reader. Error texts name the field and the rule broken, never the name or the full
ID number: they reach the technician log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from common.privacy import mask_id_number, mask_name
from hardware.card_reader.codes import nation_name, sex_name
from hardware.card_reader.id_number import (  # re-exported: part of this module's API
    id_birth_date, id_check_character, id_problem, id_sex_code, is_valid_id_number,
)
from hardware.errors import CardReadError, ProtocolError

__all__ = [
    "CardRecord", "TextFields", "TEXT_LAYOUT", "TEXT_SIZE", "PHOTO_SIZE", "FINGERPRINT_SIZE",
    "LONG_TERM", "parse_text_block", "build_text_block", "record_from_fields",
    "parse_read_response", "encode_read_data", "id_check_character", "is_valid_id_number",
    "sample_cards",
]

TEXT_SIZE = 256
PHOTO_SIZE = 1024
FINGERPRINT_SIZE = 1024
LONG_TERM = "长期"

# field -> (byte offset, byte length) in the UTF-16LE text block (hardware.md section 1)
TEXT_LAYOUT: dict[str, tuple[int, int]] = {
    "name": (0, 30), "sex_code": (30, 2), "nation_code": (32, 4), "birth_date": (36, 16),
    "address": (52, 70), "id_number": (122, 36), "authority": (158, 30),
    "valid_from": (188, 16), "valid_to": (204, 16), "reserved": (220, 36),
}


@dataclass(frozen=True, repr=False)
class CardRecord:
    """One resident's card. Personal data: its repr masks the name and ID number and
    leaves out birth date and address, so a record logged by mistake leaks nothing useful.

    ``valid_to`` is None and ``long_term`` True for cards valid 长期. ``photo`` is the
    opaque 1024-byte WLT image (never decoded here); ``fingerprint`` the 1024-byte
    fingerprint block when it was read, else None.
    """

    name: str
    sex: str
    sex_code: str
    nation: str
    nation_code: str
    birth_date: dt.date
    address: str
    id_number: str
    authority: str
    valid_from: dt.date
    valid_to: dt.date | None
    long_term: bool
    photo: bytes = field(default=b"")
    fingerprint: bytes | None = None

    def __repr__(self) -> str:
        expiry = LONG_TERM if self.long_term else str(self.valid_to)
        fp = f"<{len(self.fingerprint)} bytes>" if self.fingerprint is not None else "None"
        return (f"CardRecord(name={mask_name(self.name)!r}, "
                f"id_number={mask_id_number(self.id_number)!r}, sex={self.sex!r}, "
                f"nation={self.nation!r}, valid_to={expiry!r}, "
                f"photo=<{len(self.photo)} bytes>, fingerprint={fp})")

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class TextFields:
    """The text block's fields as stored (strings, trailing padding removed)."""

    name: str
    sex_code: str
    nation_code: str
    birth_date: str
    address: str
    id_number: str
    authority: str
    valid_from: str
    valid_to: str
    reserved: str

    def __repr__(self) -> str:
        return f"TextFields(name={mask_name(self.name)!r}, id={mask_id_number(self.id_number)!r})"


def parse_text_block(block: bytes) -> TextFields:
    """Split a 256-byte UTF-16LE text block; CardReadError on a wrong size or bad UTF-16."""
    if len(block) != TEXT_SIZE:
        raise CardReadError(f"text block has {len(block)} bytes, expected {TEXT_SIZE}")
    values: dict[str, str] = {}
    for key, (offset, size) in TEXT_LAYOUT.items():
        raw = bytes(block[offset:offset + size])
        try:
            text = raw.decode("utf-16-le")
        except UnicodeDecodeError as exc:
            raise CardReadError(f"text field {key} (offset {offset}) is not valid UTF-16LE"
                                ) from exc
        # Padding is spaces; NULs are stripped too (seen on blank reserved areas).
        values[key] = text.rstrip(" \x00")
    return TextFields(**values)


def _date_text(value: dt.date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def build_text_block(card: CardRecord) -> bytes:
    """The 256-byte text block for ``card``; ValueError when a field does not fit."""
    values = {
        "name": card.name, "sex_code": card.sex_code, "nation_code": card.nation_code,
        "birth_date": _date_text(card.birth_date), "address": card.address,
        "id_number": card.id_number, "authority": card.authority,
        "valid_from": _date_text(card.valid_from),
        "valid_to": LONG_TERM if card.long_term or card.valid_to is None
        else _date_text(card.valid_to),
        "reserved": "",
    }
    block = bytearray()
    for key, (offset, size) in TEXT_LAYOUT.items():
        raw = values[key].encode("utf-16-le")
        if len(raw) > size:
            raise ValueError(f"field {key} needs {len(raw)} bytes, the card has {size}")
        block += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    return bytes(block)


def _parse_date(key: str, text: str) -> dt.date:
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        raise CardReadError(f"{key} {text!r} is not YYYYMMDD")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise CardReadError(f"{key} {text!r} is not a real date") from exc


def record_from_fields(fields: TextFields, photo: bytes,
                       fingerprint: bytes | None = None) -> CardRecord:
    """Check the fields against each other and build the record; CardReadError if wrong."""
    if not fields.name:
        raise CardReadError("name field is empty")
    sex = sex_name(fields.sex_code)
    if sex is None:
        raise CardReadError(f"unknown sex code {fields.sex_code!r} (known: 0, 1, 2, 9)")
    nation = nation_name(fields.nation_code)
    if nation is None:
        raise CardReadError(f"unknown nation code {fields.nation_code!r} (GB 3304 01-56, 97, 98)")
    birth = _parse_date("birth date", fields.birth_date)
    problem = id_problem(fields.id_number)
    if problem:
        raise CardReadError(f"ID number {mask_id_number(fields.id_number)}: {problem}")
    if id_birth_date(fields.id_number) != birth:
        raise CardReadError("birth date field does not match the birth date in the ID number")
    if fields.sex_code in ("1", "2") and id_sex_code(fields.id_number) != fields.sex_code:
        raise CardReadError(f"sex code {fields.sex_code} contradicts the ID number's 17th digit")
    valid_from = _parse_date("valid-from date", fields.valid_from)
    long_term = fields.valid_to == LONG_TERM
    valid_to = None if long_term else _parse_date("valid-to date", fields.valid_to)
    if valid_to is not None and valid_to <= valid_from:
        raise CardReadError(f"valid-to {valid_to} is not after valid-from {valid_from}")
    if valid_from < birth:
        raise CardReadError("valid-from date is before the birth date")
    return CardRecord(name=fields.name, sex=sex, sex_code=fields.sex_code, nation=nation,
                      nation_code=fields.nation_code, birth_date=birth,
                      address=fields.address, id_number=fields.id_number,
                      authority=fields.authority, valid_from=valid_from, valid_to=valid_to,
                      long_term=long_term, photo=bytes(photo),
                      fingerprint=None if fingerprint is None else bytes(fingerprint))


def parse_read_response(data: bytes, with_fingerprint: bool) -> CardRecord:
    """The record in the DATA of a successful read answer.

    Layout: text length, photo length[, fingerprint length] (2 bytes each, big-endian),
    then the blocks in that order. ProtocolError when the lengths and the data disagree;
    CardReadError when a length is not the card's (256 / 1024 / 1024 or 0 fingerprint
    bytes for a card without one) or a field is wrong.
    """
    n_lengths = 3 if with_fingerprint else 2
    if len(data) < 2 * n_lengths:
        raise ProtocolError(f"read answer has {len(data)} data bytes, too short for its "
                            f"{n_lengths} length fields")
    lengths = [int.from_bytes(data[2 * i:2 * i + 2], "big") for i in range(n_lengths)]
    expected_total = 2 * n_lengths + sum(lengths)
    if len(data) != expected_total:
        raise ProtocolError(f"read answer declares {lengths} bytes of text/photo"
                            f"{'/fingerprint' if with_fingerprint else ''} "
                            f"({expected_total} with lengths) but carries {len(data)}")
    if lengths[0] != TEXT_SIZE:
        raise CardReadError(f"text length {lengths[0]}, a card has {TEXT_SIZE}")
    if lengths[1] != PHOTO_SIZE:
        raise CardReadError(f"photo length {lengths[1]}, a card has {PHOTO_SIZE}")
    if with_fingerprint and lengths[2] not in (0, FINGERPRINT_SIZE):
        raise CardReadError(f"fingerprint length {lengths[2]}, expected 0 or "
                            f"{FINGERPRINT_SIZE}")
    pos = 2 * n_lengths
    text = data[pos:pos + TEXT_SIZE]
    photo = data[pos + TEXT_SIZE:pos + TEXT_SIZE + PHOTO_SIZE]
    fingerprint = None
    if with_fingerprint and lengths[2]:
        fingerprint = data[pos + TEXT_SIZE + PHOTO_SIZE:]
    return record_from_fields(parse_text_block(text), photo, fingerprint)


def encode_read_data(card: CardRecord, with_fingerprint: bool) -> bytes:
    """The DATA of a successful read answer for ``card`` (inverse of parse_read_response).

    With a fingerprint read of a card that has none, the fingerprint length is 0.
    """
    photo = card.photo
    if len(photo) != PHOTO_SIZE:
        raise ValueError(f"photo must be {PHOTO_SIZE} bytes, got {len(photo)}")
    text = build_text_block(card)
    out = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    fingerprint = b""
    if with_fingerprint:
        fingerprint = card.fingerprint or b""
        out += len(fingerprint).to_bytes(2, "big")
    return out + text + photo + fingerprint


def sample_cards() -> list[CardRecord]:
    """The sample residents of `samples` (imported here on use: that module builds on
    this one)."""
    from hardware.card_reader import samples
    return samples.sample_cards()
