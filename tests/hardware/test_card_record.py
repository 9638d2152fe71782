"""Card records: text block layout, ID numbers, validity, and records that never leak."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest

from hardware.card_reader.card_record import (
    TEXT_LAYOUT, CardRecord, build_text_block, encode_read_data, id_check_character,
    is_valid_id_number, parse_read_response, parse_text_block, sample_cards,
)
from hardware.card_reader.samples import resolve_card
from hardware.errors import CardReadError, ProtocolError

CARDS = sample_cards()
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2, 1]


def field(block: bytes, key: str) -> str:
    offset, size = TEXT_LAYOUT[key]
    return block[offset:offset + size].decode("utf-16-le")


def with_text(card: CardRecord, **changes: str) -> bytes:
    """Read-answer data for ``card`` with raw text fields replaced (padded to size)."""
    block = bytearray(build_text_block(card))
    for key, text in changes.items():
        offset, size = TEXT_LAYOUT[key]
        raw = text.encode("utf-16-le")
        block[offset:offset + size] = raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    data = encode_read_data(card, False)
    return data[:4] + bytes(block) + data[4 + 256:]


def test_the_text_block_puts_each_field_at_its_documented_offset():
    card = CARDS[1]
    block = build_text_block(card)
    assert len(block) == 256
    assert field(block, "name") == "李秀英" + " " * 12
    assert field(block, "sex_code") == "2"
    assert field(block, "nation_code") == "01"
    assert field(block, "birth_date") == "19620823"
    assert field(block, "id_number") == "310116196208234524"
    assert field(block, "valid_from") == "20070416"
    assert field(block, "valid_to") == "20270416"
    assert field(block, "reserved") == " " * 18


@pytest.mark.parametrize("card", CARDS, ids=[c.id_number[-4:] for c in CARDS])
def test_every_sample_survives_a_round_trip_through_the_read_answer(card):
    for fingerprint in (False, True):
        record = parse_read_response(encode_read_data(card, fingerprint), fingerprint)
        expected = card if fingerprint else dataclasses.replace(card, fingerprint=None)
        assert record == expected
    fields = parse_text_block(build_text_block(card))
    assert fields.name == card.name and fields.address == card.address  # padding stripped


def test_samples_cover_an_elderly_resident_a_woman_another_nation_and_long_term_validity():
    assert len(CARDS) >= 4
    assert any(c.birth_date.year < 1960 for c in CARDS)
    assert any(c.sex == "女" for c in CARDS)
    assert any(c.nation_code != "01" for c in CARDS)
    assert any(c.long_term and c.valid_to is None for c in CARDS)
    assert all(c.address.startswith("上海市金山区") and len(c.photo) == 1024 for c in CARDS)
    assert all(is_valid_id_number(c.id_number) for c in CARDS)
    assert sample_cards()[0].photo == CARDS[0].photo  # deterministic
    assert len({c.photo for c in CARDS}) == len(CARDS)
    assert resolve_card(CARDS[2].id_number) == CARDS[2] and resolve_card(3) == CARDS[3]


def test_long_term_validity_reads_as_no_end_date():
    card = next(c for c in CARDS if c.long_term)
    block = build_text_block(card)
    assert field(block, "valid_to") == "长期" + " " * 6
    record = parse_read_response(encode_read_data(card, False), False)
    assert record.long_term is True and record.valid_to is None


@pytest.mark.parametrize("first17,check", [
    ("11010519491231002", "X"),  # the worked examples of GB 11643-1999
    ("44052418800101001", "4"),
    ("31011619560312003", "9"),
])
def test_check_character_of_known_numbers(first17, check):
    assert id_check_character(first17) == check
    assert is_valid_id_number(first17 + check)


def test_every_computed_check_character_satisfies_iso_7064_mod_11_2():
    # Independent statement of the rule: all 18 weighted (X = 10) sum to 1 mod 11.
    for n in range(0, 10**17, 10**17 // 997):
        first17 = f"{n:017d}"
        full = first17 + id_check_character(first17)
        values = [10 if ch == "X" else int(ch) for ch in full]
        assert sum(v * w for v, w in zip(values, WEIGHTS)) % 11 == 1


@pytest.mark.parametrize("number", [
    "310116195603120030",  # wrong check character
    "31011619560312003x",  # lower-case x: the card stores upper case
    "31011619560312003",  # 17 characters
    "3101161956031200391",
    "31011619560231003" + id_check_character("31011619560231003"),  # 31 February
    "3101161956A312003" + "9",
])
def test_invalid_id_numbers_are_refused(number):
    assert not is_valid_id_number(number)


@pytest.mark.parametrize("changes,message", [
    ({"id_number": "310116196208234525"}, "check character"),
    ({"sex_code": "3"}, "unknown sex code '3'"),
    ({"nation_code": "60"}, "unknown nation code '60'"),
    ({"birth_date": "19620832"}, "not a real date"),
    ({"birth_date": "1962082"}, "not YYYYMMDD"),
    ({"birth_date": "19620824"}, "does not match the birth date in the ID number"),
    ({"sex_code": "1"}, "contradicts"),
    ({"valid_to": "20060101"}, "is not after valid-from"),
    ({"valid_to": "长久"}, "valid-to date"),
    ({"name": ""}, "name field is empty"),
])
def test_inconsistent_text_is_refused_with_a_precise_message(changes, message):
    card = CARDS[1]
    with pytest.raises(CardReadError, match=message) as info:
        parse_read_response(with_text(card, **changes), False)
    assert card.id_number not in str(info.value) and card.name not in str(info.value)


def test_wrong_block_lengths_are_refused():
    good = encode_read_data(CARDS[1], False)
    with pytest.raises(CardReadError, match="photo length 1000"):
        parse_read_response(good[:2] + (1000).to_bytes(2, "big") + good[4:-24], False)
    with pytest.raises(CardReadError, match="text length 255"):
        parse_read_response((255).to_bytes(2, "big") + good[2:-1], False)
    with pytest.raises(ProtocolError, match="carries"):
        parse_read_response(good[:-1], False)
    with pytest.raises(ProtocolError, match="too short"):
        parse_read_response(b"\x01", False)
    fp = encode_read_data(CARDS[0], True)
    with pytest.raises(CardReadError, match="fingerprint length 512"):
        parse_read_response(fp[:4] + (512).to_bytes(2, "big") + fp[6:-512], True)


def test_a_card_without_fingerprint_reads_none_with_a_fingerprint_reader():
    card = next(c for c in CARDS if c.fingerprint is None)
    data = encode_read_data(card, True)
    assert data[4:6] == b"\x00\x00"
    assert parse_read_response(data, True).fingerprint is None


def test_repr_and_str_mask_name_and_id_and_leave_out_address_and_birth(caplog):
    card = CARDS[1]
    for text in (repr(card), str(card), f"{card}", f"{card!r}", repr([card])):
        assert "李秀英" not in text and card.id_number not in text
        assert "李*英" in text and "3101**********4524" in text
        assert "枫泾" not in text and "19620823" not in text and "1962-08-23" not in text
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("read %s", card)
    assert card.id_number not in caplog.text
    assert "李秀英" not in repr(parse_text_block(build_text_block(card)))


def test_a_field_too_long_for_the_card_is_refused_when_building():
    card = dataclasses.replace(CARDS[0], address="上海市金山区" * 6)
    with pytest.raises(ValueError, match="address"):
        build_text_block(card)


def test_dates_are_dates():
    card = parse_read_response(encode_read_data(CARDS[3], False), False)
    assert card.birth_date == dt.date(2001, 1, 15)
    assert card.valid_from == dt.date(2019, 2, 1) and card.valid_to == dt.date(2029, 2, 1)
