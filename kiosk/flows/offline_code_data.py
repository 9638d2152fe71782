"""离线码 helpers: the platform's answers as dataclasses, the two platform calls (blocking,
for a worker thread), the printer check before a code is issued, and the printed slip.

The slip is printed in Chinese whatever the screen language (it is shown at Chinese
service windows). It carries the QR code of the token, the masked name, the reason, the
issue and last valid dates, the code's public number and how to use it. The token is the
credential: it goes on paper only, never on screen, into speech or into the log; the
dataclass keeps it out of `repr`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hardware.printer.errors import PrinterNotReadyError
from hardware.printer.receipt import Feed, KeyValue, QrCode, Receipt, Separator, Text
from kiosk.flows.local_time import LOCAL_ZONE, parse_utc, shown_timestamp
from kiosk.i18n import N_
from kiosk.platform_errors import PlatformRefusedError

ELIGIBILITY_PATH, ISSUE_PATH = "/offline-codes/eligibility", "/offline-codes"
QR_MODULE_DOTS = 8  # about 3 cm across at 203 dpi: easy for a terminal's scanner window
# Refusals of POST /offline-codes the flow turns into a screen of their own.
NOT_ELIGIBLE, NEEDS_CARD = "offline_code_not_eligible", "offline_code_needs_card"
# Printed on the slip and shown on the screens (kiosk.flows.offline_code_views).
USE = N_("Use this code to identify yourself at this terminal and at service windows, without "
         "a phone.")
HOW = N_("At a terminal choose \"Scan my Suishenma or offline code\" and hold this code in "
         "front of the scanner window.")
LOST = N_("Keep it safe and do not share photos of it. If it is lost, print a new one with "
          "your ID card: the old one then stops working.")
REASONS = {"age_60_plus": N_("Aged 60 or over"), "under_18": N_("Under 18"),
           "disabled": N_("Holds a disability certificate")}


@dataclass(frozen=True)
class Offer:
    """`GET /offline-codes/eligibility`: may this resident have a code, until when."""

    eligible: bool
    valid_until: dt.date | None = None          # of a code issued now
    current_valid_until: dt.date | None = None  # the code in force, which a new one revokes
    identified_by_offline_code: bool = False    # a new code then needs the card or 随申码


@dataclass(frozen=True)
class IssuedCode:
    """`POST /offline-codes`: one issued code. Personal: kept only in SessionData."""

    code_id: str                  # public number for staff, printed
    token: str = field(repr=False)
    reason: str = ""
    reason_label: str = ""        # the platform's Chinese text of the reason
    holder: str = field(default="", repr=False)   # masked name, e.g. 王*英
    issued_at: str = ""           # ISO 8601 UTC
    valid_until: dt.date = dt.date.min
    replaced_previous: bool = False


@dataclass(frozen=True)
class Refusal:
    """A refusal the flow shows as its own screen (`code`: NOT_ELIGIBLE or NEEDS_CARD)."""

    code: str
    message: str


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def fetch_offer(client: Any, resident_token: str) -> Offer:
    """Ask the platform (blocks). Raises PlatformUnavailableError / PlatformRefusedError."""
    answer = client.get(ELIGIBILITY_PATH, resident_token=resident_token) or {}
    current = answer.get("current") or {}
    return Offer(eligible=bool(answer.get("eligible")),
                 valid_until=_date(answer.get("valid_until")),
                 current_valid_until=_date(current.get("valid_until")),
                 identified_by_offline_code=bool(answer.get("identified_by_offline_code")))


def check_printer(printer: Any) -> None:
    """Ask the printer how it is (blocks); raises PrinterNotReadyError when it reports a
    problem (paper out, cover open), so no code is issued that could not be printed."""
    state = printer.query_state()
    if state.definite_problem:
        raise PrinterNotReadyError(f"printer {printer.name} not ready before issuing an "
                                   "offline code", state)


def issue_code(client: Any, resident_token: str, key: str) -> IssuedCode | Refusal:
    """Issue a code (blocks; retried with the same `key`, so a lost answer is replayed, not
    issued twice). Returns a Refusal for NOT_ELIGIBLE / NEEDS_CARD; raises
    PlatformUnavailableError, PlatformRefusedError (others), ValueError (answer unusable)."""
    try:
        answer = client.post(ISSUE_PATH, {}, idempotency_key=key,
                             resident_token=resident_token).body
    except PlatformRefusedError as exc:
        if exc.code in (NOT_ELIGIBLE, NEEDS_CARD):
            return Refusal(exc.code, exc.message)
        raise
    until = _date(answer.get("valid_until"))
    token = str(answer.get("token") or "")
    if until is None or not token:
        raise ValueError("offline code answer without token or valid_until")
    return IssuedCode(code_id=str(answer.get("id", "")), token=token,
                      reason=str(answer.get("reason", "")),
                      reason_label=str(answer.get("reason_label", "")),
                      holder=str(answer.get("holder_name_masked", "")),
                      issued_at=str(answer.get("issued_at", "")), valid_until=until,
                      replaced_previous=bool(answer.get("replaced_previous")))


def shown_date(day: dt.date, tr) -> str:
    """`27/11/2027` / `2027年11月27日`."""
    return tr("{day}/{month}/{year}").format(year=day.year, month=day.month, day=day.day)


def reason_text(code: IssuedCode, tr) -> str:
    return tr(REASONS[code.reason]) if code.reason in REASONS else code.reason_label


def slip_receipt(code: IssuedCode, tr, *, terminal_id: str, at: float) -> Receipt:
    """The printed offline code (`tr`: the language printed, Chinese)."""
    issued = parse_utc(code.issued_at)
    issued_day = (issued.astimezone(LOCAL_ZONE).date() if issued
                  else dt.datetime.fromtimestamp(at, LOCAL_ZONE).date())
    lines: list = [
        KeyValue(tr("Holder"), code.holder),
        KeyValue(tr("Eligible as"), reason_text(code, tr)),
        KeyValue(tr("Issued on"), shown_date(issued_day, tr)),
        KeyValue(tr("Valid until"), shown_date(code.valid_until, tr)),
        KeyValue(tr("Code number"), code.code_id),
        Separator(),
        Feed(),
        QrCode(code.token, size=QR_MODULE_DOTS),
        Feed(),
        Text(tr(USE), bold=True, align="center"),
        Text(tr(HOW)),
        Text(tr(LOST)),
        Separator(),
        KeyValue(tr("Terminal"), terminal_id),
        KeyValue(tr("Printed at"), shown_timestamp(at)),
    ]
    return Receipt(title=tr("Offline code"), lines=lines,
                   footer=tr("Only the newest offline code you printed works."))
