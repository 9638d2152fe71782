"""Resident ID number check (GB 11643-1999, ISO 7064 MOD 11-2)."""

from __future__ import annotations

import datetime as dt

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_character(first17: str) -> str:
    """The 18th character for these 17 digits; ValueError unless exactly 17 ASCII digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("the check character needs exactly 17 ASCII digits")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def id_birth_date(id_number: str) -> dt.date | None:
    """The birth date coded in positions 7-14, or None if it is not a real date."""
    digits = id_number[6:14]
    if len(digits) != 8 or not (digits.isascii() and digits.isdigit()):
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def id_sex_code(id_number: str) -> str:
    """"1" (male) when the 17th digit is odd, "2" (female) when even."""
    return "1" if int(id_number[16]) % 2 else "2"


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 18-character ID number, or None when it is.

    The text never repeats the number (it may reach a log): it names the rule broken.
    Uppercase X only, as printed and stored on the card.
    """
    if len(value) != 18:
        return f"has {len(value)} characters, not 18"
    if not (value[:17].isascii() and value[:17].isdigit()):
        return "first 17 characters are not all digits"
    birth = id_birth_date(value)
    if birth is None or birth.year < 1800:
        return "birth date inside (positions 7-14) is not a real date"
    expected = id_check_character(value[:17])
    if value[17] != expected:
        return f"check character is {value[17]!r}, GB 11643 gives {expected!r}"
    return None


def is_valid_id_number(value: str) -> bool:
    """True for a well-formed 18-character resident ID number with a real birth date."""
    return id_problem(value) is None
