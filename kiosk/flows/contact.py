"""How the staff reach a resident: the registered mobile number first, typing only by choice.

The platform already holds most residents' mobile numbers. `GET /residents/me/contact`
(docs/platform-api.md) says whether it holds one, shows it masked (138****0007) and gives a
`phone_ref`: an opaque handle that an application or a call-back request sends instead of
a number, so the platform puts the number in itself. The full number never reaches the
terminal, and nobody types it: in 长者模式 typing is never required, and for everybody one
tap on "use my registered number" is easier than eleven.

The answer is kept in SessionData under `CONTACT` (wiped at session end) together with the
resident token it was asked with, so the application and the help flow ask once per
identification, and a resident identified anew (another person) is asked anew.

Also here: the numeric keypad's editing, for residents who choose to type a number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from kiosk.platform_errors import PlatformError, PlatformRefusedError, ResidentSessionError
from kiosk.session import Session

log = logging.getLogger("kiosk.flows")

CONTACT = "resident.contact"   # SessionData key: {"token": ..., "phone": RegisteredPhone|None}
PHONE_DIGITS = 11              # a mainland mobile number


@dataclass(frozen=True)
class RegisteredPhone:
    """The resident's registered mobile number as the terminal may know it: masked for the
    button, and the ref the platform resolves. Personal: lives only in SessionData."""

    masked: str                              # 138****0007: shown on screen, never spoken
    ref: str = field(repr=False)             # sent as `phone_ref`


def fetch_registered_phone(client: Any, token: str) -> RegisteredPhone | None:
    """Ask the platform (blocks on the network: call it in a job).

    Returns None when no number is registered, or when the platform does not offer the
    call (404: a district platform older than this part of the contract), so the resident
    is simply offered the other ways. Raises `ResidentSessionError` (identify again) and
    `PlatformUnavailableError` (the line) like every other call.
    """
    try:
        body = client.get("/residents/me/contact", resident_token=token)
    except ResidentSessionError:
        raise
    except PlatformRefusedError as exc:
        if exc.status != 404:
            raise
        log.warning("platform has no /residents/me/contact; registered number not offered")
        return None
    if not body.get("has_phone") or not body.get("phone_ref"):
        return None
    return RegisteredPhone(str(body.get("phone_masked") or ""), str(body["phone_ref"]))


def ask_registered_phone(client: Any, token: str) -> tuple[bool, RegisteredPhone | None]:
    """Like `fetch_registered_phone`, but a failure only costs the registered-number button:
    (False, None) and a log line. Raises only `ResidentSessionError`. Blocks: call in a job."""
    try:
        return True, fetch_registered_phone(client, token)
    except ResidentSessionError:
        raise
    except PlatformError as exc:
        log.warning("registered number not available, other ways offered: %s", exc)
        return False, None


def known_registered_phone(session: Session, token: str) -> tuple[bool, RegisteredPhone | None]:
    """(asked already for this resident token, the answer)."""
    kept = session.data.get(CONTACT)
    if not kept or kept.get("token") != token:
        return False, None
    return True, kept.get("phone")


def remember_registered_phone(session: Session, token: str,
                              phone: RegisteredPhone | None) -> None:
    """Keep the answer for this resident token until the session ends (writes SessionData)."""
    session.data.put(CONTACT, {"token": token, "phone": phone})


def edit_digits(digits: str, key: str) -> str:
    """The number after one keypad key: "0".."9", "del" or "clear"."""
    if key == "del":
        return digits[:-1]
    if key == "clear":
        return ""
    if key.isdigit() and len(key) == 1 and len(digits) < PHONE_DIGITS:
        return digits + key
    return digits


def spaced(digits: str) -> str:
    """"13800000007" -> "138 0000 0007", as it is read; "-" before the first key."""
    return " ".join(p for p in (digits[:3], digits[3:7], digits[7:]) if p) or "-"
