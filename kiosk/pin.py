"""The maintenance PIN, stored only as a salted slow hash (scrypt).

`hash_pin` makes the string a terminal's ``maintenance.pin_hash`` holds
(``scrypt$16384$8$1$<salt>$<hash>``, unpadded URL-safe base64); `verify_pin` checks a PIN
typed on the maintenance screen against it. The string format itself is defined in
`config.schema` (`format_pin_hash` / `parse_pin_hash`) so configuration validation and this
module accept exactly the same values.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from config.schema import (PIN_HASH_BYTES, PIN_SALT_BYTES, PinHashParams, format_pin_hash,
                           parse_pin_hash)

SCRYPT_N = 2 ** 14
SCRYPT_R = 8
SCRYPT_P = 1
PIN_MIN_DIGITS = 6
PIN_MAX_DIGITS = 12
_PIN_RE = re.compile(rf"[0-9]{{{PIN_MIN_DIGITS},{PIN_MAX_DIGITS}}}")


def is_valid_pin(pin: object) -> bool:
    """True when ``pin`` is a string of 6 to 12 ASCII digits."""
    return isinstance(pin, str) and _PIN_RE.fullmatch(pin) is not None


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # scrypt needs about 128 * r * (n + p + 2) bytes; allow that plus slack so parameters
    # above the defaults (accepted by parse_pin_hash, at most 1 GiB) can be verified.
    maxmem = 128 * r * (n + p + 2) + 2 ** 20
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p,
                          maxmem=maxmem, dklen=PIN_HASH_BYTES)


def hash_pin(pin: str) -> str:
    """Hash a new maintenance PIN with a fresh 16-byte random salt.

    Raises ValueError when ``pin`` is not 6 to 12 ASCII digits (the message never
    repeats the PIN).
    """
    if not is_valid_pin(pin):
        length = len(pin) if isinstance(pin, str) else 0
        raise ValueError(f"the maintenance PIN must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} "
                         f"digits 0-9 (got {length} character(s), or non-digits)")
    salt = secrets.token_bytes(PIN_SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return format_pin_hash(PinHashParams(SCRYPT_N, SCRYPT_R, SCRYPT_P, salt, digest))


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches the stored hash, recomputed with the stored parameters.

    Returns False (never raises) for a malformed stored value or a PIN that is not 6 to 12
    digits. The comparison is constant-time.
    """
    params = parse_pin_hash(stored)
    if params is None or not is_valid_pin(pin):
        return False
    try:
        digest = _scrypt(pin, params.salt, params.n, params.r, params.p)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(digest, params.digest)
