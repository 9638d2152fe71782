"""离线码 on the demo platform: the printed offline code for residents 60 and over, under
18, or disabled, which identifies them at a terminal or a window without a phone.

    GET  /offline-codes/eligibility  (X-Resident-Token)   may this resident have one, until when
    POST /offline-codes  (X-Resident-Token, Idempotency-Key required)   issue one; the
         resident's code in force is revoked in the same transaction
    POST /identity/verify  {"method": "code", "code_token": <token>}  (app.py) accepts a
         code in force; a revoked or expired one answers 403 offline_code_revoked /
         offline_code_expired

Eligibility is decided here, from the resident record: the age from the ID number on
today's Asia/Shanghai date, and the `disabled` flag (a 残疾人证 holder). When more than one
reason holds, the age reasons come first: they follow from the ID number alone, so the
printed slip says no more about the holder than needed.

Validity: one year from the day of issue, last day inclusive (issued 2026-11-28, valid
until 2027-11-27); for a resident under 18, at most until the day before the 18th birthday,
when the reason ends. A year keeps a lost slip from being usable for long, while an elderly
resident need not come back often; a new code at any terminal replaces it at once.

Tokens are ``OLC-`` and 32 random hex digits (128 bits), upper case so that a keyboard-wedge
scanner types them faithfully. The codes table keeps only their SHA-256; the plain token
exists only in the issuing answer and in that answer's idempotency record, which for this
endpoint is deleted after `REPLAY_HOURS` (the call is interactive, never queued).

A resident identified *with* an offline code cannot issue a new one (403
offline_code_needs_card): a found or stolen slip must not renew itself. Such sessions are
noted in `offline_code_sessions`.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Header, Request

from . import models as m
from .app import E409, ERRORS, IdemHeader, Resident, Terminal, _key, _replayable, _store
from .errors import ApiError
from .store import Store, iso, mask_name, now, sha256

LOCAL = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no daylight saving in China
VALIDITY_YEARS = 1
ADULT_AGE, ELDERLY_AGE = 18, 60
TOKEN_PREFIX = "OLC-"
ENDPOINT = "offline_codes.issue"
REPLAY_HOURS = 24
E403 = {403: {"model": m.ErrorResponse}}
REASON_LABELS = {"age_60_plus": "年满60周岁", "under_18": "未满18周岁", "disabled": "持证残疾人"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS offline_codes (
    id TEXT PRIMARY KEY, token_sha256 TEXT UNIQUE NOT NULL, id_number TEXT NOT NULL,
    reason TEXT NOT NULL, issued_at TEXT NOT NULL, valid_until TEXT NOT NULL,
    terminal_id TEXT NOT NULL, status TEXT NOT NULL, revoked_at TEXT);
CREATE INDEX IF NOT EXISTS offline_codes_holder ON offline_codes(id_number, status);
CREATE TABLE IF NOT EXISTS offline_code_sessions (token TEXT PRIMARY KEY);
"""

NOT_ELIGIBLE = ("离线码面向年满60周岁、未满18周岁的居民和持证残疾人。您可以使用手机上的随申码，"
                "或到社区事务受理服务中心窗口办理。")
NEEDS_CARD = "补打离线码需要刷身份证或出示随申码核验身份，请换一种方式核验后再打印。"
REVOKED = "这张离线码已作废，可能已经补打了新码。请使用最新的离线码，或刷身份证。"
EXPIRED = "这张离线码已过有效期。请刷身份证后在本机重新打印，或使用随申码。"


def migrate(conn: sqlite3.Connection) -> bool:
    """Create this module's tables; add ``residents.disabled`` to a database made before
    it existed. Returns True when that column was added (the caller re-seeds the flags)."""
    conn.executescript(SCHEMA)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(residents)")}
    if "disabled" in columns:
        return False
    conn.execute("ALTER TABLE residents ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0")
    return True


# -- eligibility and validity (pure) -----------------------------------------------------

def local_today() -> dt.date:
    return now().astimezone(LOCAL).date()


def birth_date(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def reason_for(birth: dt.date, disabled: bool, today: dt.date) -> str | None:
    """The first reason that holds: 60 and over, under 18, disabled; None: not eligible."""
    age = age_on(birth, today)
    if age >= ELDERLY_AGE:
        return "age_60_plus"
    if age < ADULT_AGE:
        return "under_18"
    return "disabled" if disabled else None


def valid_until(issued: dt.date, birth: dt.date, reason: str) -> dt.date:
    """The last valid day of a code issued on `issued` (see the module docstring)."""
    end = add_years(issued, VALIDITY_YEARS) - dt.timedelta(days=1)
    if reason == "under_18":
        end = min(end, add_years(birth, ADULT_AGE) - dt.timedelta(days=1))
    return end


@dataclass(frozen=True)
class ResidentSession:
    """Who the resident token belongs to and whether an offline code verified it."""

    id_number: str
    by_offline_code: bool


def resident_session(request: Request, resident: Resident,
                     x_resident_token: Annotated[Optional[str], Header()] = None,
                     ) -> ResidentSession:
    row = _store(request).q1("SELECT 1 FROM offline_code_sessions WHERE token = ?",
                             x_resident_token or "")
    return ResidentSession(resident, row is not None)


Session = Annotated[ResidentSession, Depends(resident_session)]


# -- identity (called by POST /identity/verify) ------------------------------------------

def offline_code_holder(store: Store, token: str) -> sqlite3.Row | None:
    """The resident an offline code in force belongs to; None when `token` is no offline
    code at all. Raises ApiError 403 offline_code_revoked / offline_code_expired."""
    code = store.q1("SELECT id, id_number, status, valid_until FROM offline_codes "
                    "WHERE token_sha256 = ?", sha256(token))
    if code is None:
        return None
    if dt.date.fromisoformat(code["valid_until"]) < local_today():
        raise ApiError(403, "offline_code_expired", EXPIRED,
                       f"the offline code was valid until {code['valid_until']}")
    if code["status"] != "active":
        raise ApiError(403, "offline_code_revoked", REVOKED,
                       "the offline code was revoked (a newer code was issued)")
    return store.q1("SELECT * FROM residents WHERE id_number = ?", code["id_number"])


def remember_session(c: sqlite3.Connection, resident_token: str) -> None:
    """Note that `resident_token` was issued on an offline code (in the verify transaction)."""
    c.execute("DELETE FROM offline_code_sessions WHERE token NOT IN (SELECT token FROM sessions)")
    c.execute("INSERT OR IGNORE INTO offline_code_sessions VALUES (?)", (resident_token,))


# -- routes ------------------------------------------------------------------------------

def _current(store: Store, id_number: str) -> dict | None:
    """The resident's code in force (id and dates), or None."""
    row = store.q1("SELECT id, issued_at, valid_until FROM offline_codes WHERE id_number = ? "
                   "AND status = 'active' AND valid_until >= ? ORDER BY issued_at DESC LIMIT 1",
                   id_number, local_today().isoformat())
    return dict(row) if row is not None else None


def offline_code_routes(router: APIRouter) -> None:
    @router.get("/offline-codes/eligibility", response_model=m.OfflineCodeEligibility,
                tags=["offline codes"], responses=ERRORS,
                summary="May this resident have an offline code (离线码), and until when")
    def eligibility(request: Request, session: Session):
        store = _store(request)
        row = store.q1("SELECT id_number, disabled FROM residents WHERE id_number = ?",
                       session.id_number)
        today = local_today()
        birth = birth_date(session.id_number)
        reason = reason_for(birth, bool(row["disabled"]), today) if row is not None else None
        return {"eligible": reason is not None, "reason": reason,
                "reason_label": REASON_LABELS.get(reason or ""),
                "valid_until": valid_until(today, birth, reason).isoformat() if reason else None,
                "current": _current(store, session.id_number),
                "identified_by_offline_code": session.by_offline_code}

    @router.post("/offline-codes", response_model=m.OfflineCode, status_code=201,
                 tags=["offline codes"], responses={**ERRORS, **E403, **E409},
                 summary="Issue an offline code (Idempotency-Key required); revokes the "
                         "previous one")
    def issue(request: Request, terminal: Terminal, session: Session,
              idempotency_key: IdemHeader = None):
        key = _key(idempotency_key, required=True)
        store = _store(request)
        idn = session.id_number

        def create(c: sqlite3.Connection) -> tuple[int, dict]:
            if session.by_offline_code:
                raise ApiError(403, "offline_code_needs_card", NEEDS_CARD,
                               "a resident identified with an offline code cannot issue "
                               "a new one; verify with the ID card or a 随申码")
            row = c.execute("SELECT name, disabled FROM residents WHERE id_number = ?",
                            (idn,)).fetchone()
            today, birth = local_today(), birth_date(idn)
            reason = reason_for(birth, bool(row["disabled"]), today) if row else None
            if reason is None:
                raise ApiError(403, "offline_code_not_eligible", NOT_ELIGIBLE,
                               "offline codes are for residents 60 and over, under 18, "
                               "or disabled")
            at = now()
            token = TOKEN_PREFIX + secrets.token_hex(16).upper()
            code_id = "OC-" + secrets.token_hex(6).upper()
            until = valid_until(today, birth, reason).isoformat()
            revoked = c.execute("UPDATE offline_codes SET status = 'revoked', revoked_at = ? "
                                "WHERE id_number = ? AND status = 'active'",
                                (iso(at), idn)).rowcount
            c.execute("INSERT INTO offline_codes VALUES (?, ?, ?, ?, ?, ?, ?, 'active', NULL)",
                      (code_id, sha256(token), idn, reason, iso(at), until, terminal))
            c.execute("DELETE FROM idempotency WHERE endpoint = ? AND created_at < ?",
                      (ENDPOINT, iso(at - dt.timedelta(hours=REPLAY_HOURS))))
            return 201, {"id": code_id, "token": token, "reason": reason,
                         "reason_label": REASON_LABELS[reason],
                         "holder_name_masked": mask_name(row["name"]), "issued_at": iso(at),
                         "valid_until": until, "replaced_previous": revoked > 0}

        return _replayable(store, terminal, key, ENDPOINT, {"resident": idn}, create)
