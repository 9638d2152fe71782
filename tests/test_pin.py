"""The maintenance PIN is stored only as a salted scrypt hash."""

from __future__ import annotations

import pytest

from config.schema import is_pin_hash
from kiosk.pin import hash_pin, verify_pin

PIN = "246810"


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_pin(PIN)


def test_hash_then_verify_round_trip(stored: str) -> None:
    assert stored.startswith("scrypt$16384$8$1$")
    assert verify_pin(PIN, stored)


def test_wrong_pin_fails(stored: str) -> None:
    assert not verify_pin("246811", stored)
    assert not verify_pin("2468100", stored)


def test_two_hashes_of_the_same_pin_differ(stored: str) -> None:
    other = hash_pin(PIN)
    assert other != stored
    assert verify_pin(PIN, other)


def test_the_hash_never_contains_the_pin() -> None:
    for pin in ("246810", "000000", "123456789012"):
        assert pin not in hash_pin(pin)


@pytest.mark.parametrize("bad", [
    "", "246810", "scrypt", "scrypt$16384$8$1$", "plain:246810", None, 246810,
    "scrypt$16384$8$1$8TbyZNayhzmQS7h74SfBpQ",
    "scrypt$16384$8$1$8TbyZNayhzmQS7h74SfBpQ$dKhco9jzjmsJqWtHrMeXE9SMrJ1pjxxsiLmlsMTsCw",
    "scrypt$15000$8$1$8TbyZNayhzmQS7h74SfBpQ$dKhco9jzjmsJqWtHrMeXE9SMrJ1pjxxsiLmlsMTsCwo",
])
def test_malformed_stored_value_returns_false(bad: object) -> None:
    assert verify_pin(PIN, bad) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("pin", ["12345", "1234567890123", "12345a", "１２３４５６", " 246810",
                                 "246810\n", ""])
def test_hash_pin_refuses_a_pin_that_is_not_6_to_12_digits(pin: str) -> None:
    with pytest.raises(ValueError, match="6 to 12"):
        hash_pin(pin)


def test_verify_pin_returns_false_for_non_digit_input(stored: str) -> None:
    assert verify_pin("abcdef", stored) is False
    assert verify_pin("24681", stored) is False


def test_format_checker_accepts_what_hash_pin_produces(stored: str) -> None:
    assert is_pin_hash(stored)


def tampered(stored: str) -> list[str]:
    scheme, n, r, p, salt, digest = stored.split("$")
    join = "$".join
    return [
        join(["bcrypt", n, r, p, salt, digest]),
        join([scheme, "16383", r, p, salt, digest]),  # n not a power of two
        join([scheme, str(3 * 2 ** 14), r, p, salt, digest]),  # in range, not a power of two
        join([scheme, str(2 ** 21), "1", p, salt, digest]),  # n > 2**20 (memory alone is fine)
        join([scheme, str(2 ** 20), "16", p, salt, digest]),  # 2 GiB of scrypt memory
        join([scheme, "1024", r, p, salt, digest]),  # n too weak
        join([scheme, "016384", r, p, salt, digest]),  # non-canonical number
        join([scheme, n, "0", p, salt, digest]),
        join([scheme, n, r, "99", salt, digest]),
        join([scheme, n, r, p, salt[:-1], digest]),  # salt too short
        join([scheme, n, r, p, salt + "A", digest]),  # salt too long
        join([scheme, n, r, p, salt, digest[:-1]]),  # hash too short
        join([scheme, n, r, p, salt, digest + "AAAA"]),  # hash too long
        join([scheme, n, r, p, salt[:-1] + "=", digest]),  # padding / non-alphabet
        join([scheme, n, r, p, salt, digest[:-1] + "+"]),  # standard, not URL-safe, base64
        join([scheme, n, r, p, salt, digest, "x"]),
        stored + "\n",
        " " + stored,
    ]


def test_format_checker_rejects_tampered_strings(stored: str) -> None:
    for bad in tampered(stored):
        assert not is_pin_hash(bad), bad
        assert verify_pin(PIN, bad) is False


def test_format_checker_rejects_non_canonical_base64(stored: str) -> None:
    scheme, n, r, p, salt, digest = stored.split("$")
    # 22 base64 characters carry 132 bits for a 128-bit salt: the last 4 must be zero.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    odd = alphabet[alphabet.index(salt[-1]) | 1]
    assert not is_pin_hash("$".join([scheme, n, r, p, salt[:-1] + odd, digest]))


def test_verify_pin_uses_the_stored_parameters() -> None:
    stored = hash_pin(PIN)
    # Same salt and hash, but claiming other parameters: the recomputed hash differs.
    scheme, _n, r, p, salt, digest = stored.split("$")
    assert not verify_pin(PIN, "$".join([scheme, str(2 ** 15), r, p, salt, digest]))
