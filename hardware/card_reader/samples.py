"""Sample residents for the simulator, the fake reader, tests and demos.

Invented people of 上海市金山区: names are common ones, ID numbers use the district's
area code 310116 with correct GB 11643 check characters, photos and fingerprints are
deterministic pseudo-random bytes (not WLT images; nothing on the kiosk decodes them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache

from hardware.card_reader.card_record import FINGERPRINT_SIZE, PHOTO_SIZE, CardRecord
from hardware.card_reader.codes import NATION_CODES, SEX_CODES

AUTHORITY = "上海市公安局金山分局"


def pseudo_random_bytes(label: str, size: int) -> bytes:
    """``size`` bytes fixed by ``label`` (SHAKE-256; the same on every machine)."""
    return hashlib.shake_256(label.encode("utf-8")).digest(size)


def _card(name: str, sex_code: str, nation_code: str, birth: str, address: str,
          id_number: str, valid_from: str, valid_to: str | None,
          with_fingerprint: bool = False) -> CardRecord:
    def date(text: str) -> dt.date:
        return dt.date.fromisoformat(text)
    return CardRecord(
        name=name, sex=SEX_CODES[sex_code], sex_code=sex_code,
        nation=NATION_CODES[nation_code], nation_code=nation_code, birth_date=date(birth),
        address=address, id_number=id_number, authority=AUTHORITY,
        valid_from=date(valid_from), valid_to=None if valid_to is None else date(valid_to),
        long_term=valid_to is None,
        photo=pseudo_random_bytes(f"wlt:{id_number}", PHOTO_SIZE),
        fingerprint=pseudo_random_bytes(f"fp:{id_number}", FINGERPRINT_SIZE)
        if with_fingerprint else None,
    )


@lru_cache(maxsize=1)
def _samples() -> tuple[CardRecord, ...]:
    return (
        # 0: elderly man, card valid 长期 (issued after 46), fingerprint on the card
        _card("张建国", "1", "01", "1956-03-12", "上海市金山区朱泾镇东林街128弄5号",
              "310116195603120039", "2012-05-20", None, with_fingerprint=True),
        # 1: woman in her sixties, 20-year card
        _card("李秀英", "2", "01", "1962-08-23", "上海市金山区枫泾镇新枫路268弄12号301室",
              "310116196208234524", "2007-04-16", "2027-04-16"),
        # 2: Hui man, 20-year card
        _card("马文军", "1", "03", "1985-11-07", "上海市金山区亭林镇亭枫公路1888号",
              "310116198511073611", "2016-04-01", "2036-04-01"),
        # 3: young woman, 10-year card
        _card("刘佳怡", "2", "01", "2001-01-15", "上海市金山区石化街道卫零路485弄7号",
              "310116200101152827", "2019-02-01", "2029-02-01"),
        # 4: Tujia man, 20-year card, fingerprint on the card
        _card("王德明", "1", "15", "1979-06-30", "上海市金山区山阳镇龙皓路99弄3号",
              "310116197906305515", "2020-10-12", "2040-10-12", with_fingerprint=True),
    )


@lru_cache(maxsize=1)
def _staff() -> tuple[CardRecord, ...]:
    return (
        # 0: 李晓明, village agent at 中洪村 (the platform's AG-JS-0001, demo PIN 135790)
        _card("李晓明", "1", "01", "1975-04-12", "上海市金山区廊下镇中洪村中洪路18号",
              "310116197504120315", "2015-06-01", "2035-06-01"),
        # 1: 陈玉兰, village agent at 新义村 (AG-JS-0002, demo PIN 246802); X check character
        _card("陈玉兰", "2", "01", "1980-09-18", "上海市金山区枫泾镇新义村新义路6号",
              "31011619800918042X", "2018-03-09", "2038-03-09"),
    )


def staff_cards() -> list[CardRecord]:
    """Village agents' staff cards (村居代办): the agent's own ID card, registered with the
    district as their staff card. Not residents: kept apart from `sample_cards()`; put one
    on a simulator with `insert_card(staff_cards()[0])`."""
    return list(_staff())


def sample_cards() -> list[CardRecord]:
    """The sample residents (a new list each call; the records are immutable)."""
    return list(_samples())


def resolve_card(card: CardRecord | int | str,
                 cards: list[CardRecord] | None = None) -> CardRecord:
    """A record from itself, an index into ``cards`` or an ID number found in ``cards``.

    ``cards`` defaults to the samples. KeyError/IndexError name what was not found
    (by index or masked number, never in full).
    """
    if isinstance(card, CardRecord):
        return card
    pool = sample_cards() if cards is None else cards
    if isinstance(card, int) and not isinstance(card, bool):
        if not 0 <= card < len(pool):
            raise IndexError(f"card index {card} out of range 0..{len(pool) - 1}")
        return pool[card]
    if isinstance(card, str):
        for record in pool:
            if record.id_number == card:
                return record
        raise KeyError("no sample card with that ID number")
    raise TypeError(f"a card is a CardRecord, an index or an ID number, not {type(card)}")
