"""村居代办 on the platform: village agents, their sign-in at a terminal, the audit trail.

A village agent (村居代办员) signs in at a terminal with a staff credential and a PIN:
the staff card is the agent's own ID card, registered with the district as their staff
card (the terminal's ID card reader reads it), or the staff code printed as a QR on the
staff badge. The PIN is kept only as a salted PBKDF2 hash; five wrong PINs lock the agent
for `LOCK_MINUTES`. A correct PIN opens an agent session: a short-lived token bound to the
terminal (`X-Agent-Token` style credential, sent by the kiosk inside `assisted_by`).

An application carrying `assisted_by` is linked to that agent session (`link_application`,
called inside the submission's transaction), so the platform holds both identities for it.
The kiosk reports the steps of an assisted visit as audit events through its outbox
(`POST /agent-audit`); `GET /applications/{id}/audit` and `GET /agent-audit` give the
district the record with both identities (the resident masked).

Writes: tables `agents`, `agent_sessions`, `agent_audit`, `assisted_applications`.
Demo agents (invented people; PINs documented for the demo only) are in `AGENTS`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
from collections.abc import Callable
from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, field_validator

from . import models as m
# The package imports .app first (demo_platform/__init__), so this is not circular.
from .app import E404, E409, ERRORS, IdemHeader, Terminal, _key, _replayable, _store
from .errors import ApiError
from .store import Store, iso, mask_id, mask_name, now, sha256

AGENT_SESSION_MINUTES = 60   # an agent signs in again after an hour
MAX_PIN_ATTEMPTS = 5
LOCK_MINUTES = 15
PIN_ITERATIONS = 120_000     # PBKDF2-HMAC-SHA256
CLOCK_SKEW = dt.timedelta(minutes=5)   # a terminal's clock may be this far off

# id, name, station, village, staff card (= the agent's ID card number), staff code, PIN,
# active. Invented; the ID cards are also the simulated card reader's staff cards
# (the kiosk's hardware/card_reader/samples.py `staff_cards()`), name and number alike.
AGENTS: list[tuple[str, str, str, str, str, str, str, bool]] = [
    ("AG-JS-0001", "李晓明", "廊下镇中洪村党群服务站", "中洪村", "310116197504120315",
     "STAFF-DEMO-0001", "135790", True),
    ("AG-JS-0002", "陈玉兰", "枫泾镇新义村党群服务站", "新义村", "31011619800918042X",
     "STAFF-DEMO-0002", "246802", True),
    # No longer an agent (moved to another post): recognised, but refused.
    ("AG-JS-0003", "周海峰", "吕巷镇和平村党群服务站", "和平村", "31011619700101051X",
     "STAFF-DEMO-0003", "112233", False),
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, station TEXT NOT NULL, village TEXT NOT NULL,
    card_sha256 TEXT UNIQUE NOT NULL, code_token TEXT UNIQUE NOT NULL,
    pin_salt TEXT NOT NULL, pin_hash TEXT NOT NULL, pin_iterations INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0, locked_until TEXT,
    active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS agent_sessions (
    id TEXT PRIMARY KEY, token_sha256 TEXT UNIQUE NOT NULL, agent_id TEXT NOT NULL,
    terminal_id TEXT NOT NULL, method TEXT NOT NULL, issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL, signed_out_at TEXT);
CREATE TABLE IF NOT EXISTS agent_audit (
    id INTEGER PRIMARY KEY, agent_session_id TEXT NOT NULL, agent_id TEXT NOT NULL,
    terminal_id TEXT NOT NULL, event TEXT NOT NULL, at TEXT NOT NULL, received_at TEXT NOT NULL,
    resident_id_number TEXT, resident_id_masked TEXT, resident_name_masked TEXT,
    kind TEXT, reference TEXT, application_id TEXT, reason TEXT);
CREATE INDEX IF NOT EXISTS agent_audit_session ON agent_audit(agent_session_id);
CREATE TABLE IF NOT EXISTS assisted_applications (
    application_id TEXT PRIMARY KEY, agent_session_id TEXT NOT NULL, agent_id TEXT NOT NULL,
    terminal_id TEXT NOT NULL, consented_at TEXT, linked_at TEXT NOT NULL);
"""

SIGNED_IN, CONSENTED, DECLINED = "agent_signed_in", "resident_consented", "resident_declined"
ACTION, SIGNED_OUT = "action", "agent_signed_out"
EVENTS = (SIGNED_IN, CONSENTED, DECLINED, ACTION, SIGNED_OUT)


# -- the agent registry --------------------------------------------------------------------

def hash_pin(pin: str, salt: bytes, iterations: int = PIN_ITERATIONS) -> str:
    return hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations).hex()


def card_digest(id_number: str) -> str:
    """The registry keeps staff card numbers (ID numbers) only as this digest."""
    return sha256("staff-card:" + id_number.strip().upper())


def install(conn: sqlite3.Connection, *, seed: bool) -> None:
    """Create the tables (an older database gains them) and seed the demo agents once."""
    conn.executescript(SCHEMA)
    if not seed or conn.execute("SELECT 1 FROM agents LIMIT 1").fetchone() is not None:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for aid, name, station, village, card, code, pin, active in AGENTS:
            salt = secrets.token_bytes(16)
            conn.execute("INSERT OR IGNORE INTO agents(id, name, station, village, card_sha256, "
                         "code_token, pin_salt, pin_hash, pin_iterations, active) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (aid, name, station, village, card_digest(card), code, salt.hex(),
                          hash_pin(pin, salt), PIN_ITERATIONS, int(active)))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# -- request and response bodies -----------------------------------------------------------

class StaffCard(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    id_number: str = Field(min_length=15, max_length=18)
    model_config = {"extra": "ignore"}   # the whole card record may be sent


class AgentVerifyRequest(BaseModel):
    method: Literal["card", "code"]
    card: Optional[StaffCard] = None
    code: Optional[str] = Field(default=None, min_length=1, max_length=512)
    pin: str = Field(pattern=r"^\d{4,12}$", description="The agent's PIN; never stored or logged.")


class AgentSession(BaseModel):
    agent_token: str = Field(description="Short-lived, bound to this terminal; send as "
                                         "`assisted_by.agent_token`. A credential: never log it.")
    agent_session_id: str = Field(description="Public reference of this sign-in, for audit events.")
    expires_at: str
    agent_id: str
    display_name: str = Field(description="Masked, e.g. 李*明.")
    station: str


class ResidentRef(BaseModel):
    token: Optional[str] = Field(default=None, max_length=200,
                                 description="The resident token of the visit, when the kiosk "
                                             "still holds it; resolved by the platform.")
    id_number_masked: Optional[str] = Field(default=None, max_length=18)
    display_name: Optional[str] = Field(default=None, max_length=40)

    @field_validator("id_number_masked")
    @classmethod
    def _masked(cls, value: Optional[str]) -> Optional[str]:
        if value and "*" not in value:
            raise ValueError("id_number_masked must be masked; the kiosk never sends a full "
                             "ID number in an audit event")
        return value


class AuditEventRequest(BaseModel):
    event: Literal["agent_signed_in", "resident_consented", "resident_declined", "action",
                   "agent_signed_out"]
    at: str = Field(description="When it happened on the terminal (ISO 8601, UTC).")
    agent_id: str = Field(max_length=40)
    agent_session_id: str = Field(max_length=40)
    terminal: Optional[str] = Field(default=None, max_length=40)
    resident: Optional[ResidentRef] = None
    kind: Optional[str] = Field(default=None, max_length=40,
                                description="With `action`: application, appointment, ...")
    reference: Optional[str] = Field(default=None, max_length=128,
                                     description="With `action`: the item's idempotency key "
                                                 "or the platform's id.")
    reason: Optional[str] = Field(default=None, max_length=40,
                                  description="With `agent_signed_out`: finished, timeout, "
                                              "card_removed, declined, ...")


class AuditReceipt(BaseModel):
    id: int
    received_at: str


class AuditResident(BaseModel):
    id_number_masked: Optional[str]
    name_masked: Optional[str]
    verified: bool = Field(description="Resolved from the resident token by the platform.")


class AuditEvent(BaseModel):
    event: str
    at: str
    received_at: str
    agent_session_id: str
    agent_id: str
    terminal_id: str
    resident: Optional[AuditResident] = None
    kind: Optional[str] = None
    reference: Optional[str] = None
    application_id: Optional[str] = None
    reason: Optional[str] = None


class AuditAgent(BaseModel):
    agent_id: str
    name: str = Field(description="In full: the district's record of its own staff.")
    station: str
    agent_session_id: str
    method: str
    signed_in_at: str
    signed_out_at: Optional[str]


class AuditConsent(BaseModel):
    consented_at: Optional[str]
    source: Literal["audit_event", "application"]
    matches_applicant: Optional[bool] = Field(
        description="The consenting resident is the applicant (null: not verifiable).")


class ApplicationAudit(BaseModel):
    application_id: str
    number: str
    service_id: str
    service_name: str
    submitted_at: str
    terminal_id: str
    agent: AuditAgent
    resident: AuditResident
    consent: AuditConsent
    events: list[AuditEvent]


# -- verification --------------------------------------------------------------------------

def _find_agent(store: Store, body: AgentVerifyRequest) -> sqlite3.Row:
    if body.method == "card":
        if body.card is None:
            raise ApiError(422, "validation_failed", "填写的内容有误，请检查后再试。",
                           "method 'card' needs 'card'")
        row = store.q1("SELECT * FROM agents WHERE card_sha256 = ?",
                       card_digest(body.card.id_number))
        if row is not None and row["name"] != body.card.name.strip():
            row = None
    else:
        if not body.code:
            raise ApiError(422, "validation_failed", "填写的内容有误，请检查后再试。",
                           "method 'code' needs 'code'")
        row = store.q1("SELECT * FROM agents WHERE code_token = ?", body.code.strip())
    if row is None:
        raise ApiError(404, "agent_not_found", "没有找到这张工作证的登记信息，请联系镇社区事务受理服务中心。",
                       "no registered village agent matches this staff card or staff code")
    if not row["active"]:
        raise ApiError(403, "agent_inactive", "这张工作证已停用，请联系镇社区事务受理服务中心。",
                       f"agent {row['id']} is no longer active")
    return row


def _locked(minutes_left: int) -> ApiError:
    return ApiError(423, "agent_locked",
                    f"密码错误次数过多，已暂时锁定，请{minutes_left}分钟后再试，或联系镇社区事务受理服务中心。",
                    f"too many wrong PINs; locked for {minutes_left} more minute(s)")


def verify_agent(store: Store, terminal: str, body: AgentVerifyRequest) -> dict:
    """Staff credential + PIN -> a new agent session. Raises ApiError 404/403/401/423.
    Writes the attempt counter, the lock and the session row."""
    agent = _find_agent(store, body)
    at = now()
    with store.tx() as c:
        row = c.execute("SELECT * FROM agents WHERE id = ?", (agent["id"],)).fetchone()
        if row["locked_until"] and row["locked_until"] > iso(at):
            left = dt.datetime.fromisoformat(row["locked_until"].replace("Z", "+00:00")) - at
            raise _locked(max(1, -(-int(left.total_seconds()) // 60)))
        digest = hash_pin(body.pin, bytes.fromhex(row["pin_salt"]), row["pin_iterations"])
        if not secrets.compare_digest(digest, row["pin_hash"]):
            failed = row["failed_attempts"] + 1
            if failed >= MAX_PIN_ATTEMPTS:
                c.execute("UPDATE agents SET failed_attempts = 0, locked_until = ? WHERE id = ?",
                          (iso(at + dt.timedelta(minutes=LOCK_MINUTES)), row["id"]))
                error = _locked(LOCK_MINUTES)
            else:
                c.execute("UPDATE agents SET failed_attempts = ? WHERE id = ?", (failed, row["id"]))
                left = MAX_PIN_ATTEMPTS - failed
                error = ApiError(401, "agent_pin_wrong", f"密码不正确，还可以再试{left}次。",
                                 f"wrong PIN for agent {row['id']}; {left} attempt(s) left")
        else:
            error = None
            c.execute("UPDATE agents SET failed_attempts = 0, locked_until = NULL WHERE id = ?",
                      (row["id"],))
            token = "agt_" + secrets.token_urlsafe(24)
            session_id = "AGS-" + secrets.token_hex(6).upper()
            expires = at + dt.timedelta(minutes=AGENT_SESSION_MINUTES)
            c.execute("INSERT INTO agent_sessions VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                      (session_id, sha256(token), row["id"], terminal, body.method, iso(at),
                       iso(expires)))
    if error is not None:
        raise error  # raised after the commit: the attempt counts
    return {"agent_token": token, "agent_session_id": session_id, "expires_at": iso(expires),
            "agent_id": agent["id"], "display_name": mask_name(agent["name"]),
            "station": agent["station"]}


# -- applications made with an agent -------------------------------------------------------

def _parse(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def link_application(c: sqlite3.Connection, terminal: str, assisted_by, application_id: str,
                     made_at: str | None) -> dict:
    """Inside the submission's transaction: check `assisted_by` against the agent session
    and link the application to it. Raises ApiError 422 agent_session_invalid.

    The session must be this terminal's and live now, or have been live when the terminal
    made the application (`made_at`, its `submitted_on_terminal_at`): an application queued
    in the outbox while the line was down still arrives linked to the agent who made it.
    Returns the stored (token-free) assistance block."""
    row = c.execute("SELECT * FROM agent_sessions WHERE token_sha256 = ?",
                    (sha256(assisted_by.agent_token),)).fetchone()
    refused = ApiError(422, "agent_session_invalid", "代办员登录已失效，请代办员重新登录后再提交。",
                       "assisted_by.agent_token is unknown, issued to another terminal, or "
                       "was not live when the application was made")
    if row is None or row["terminal_id"] != terminal:
        raise refused
    issued, expires = _parse(row["issued_at"]), _parse(row["expires_at"])
    ended = min(t for t in (expires, _parse(row["signed_out_at"])) if t is not None)
    made = _parse(made_at)
    live_now = now() < ended
    made_in_session = made is not None and issued - CLOCK_SKEW <= made <= ended + CLOCK_SKEW
    if not (live_now or made_in_session):
        raise refused
    consented = _parse(assisted_by.consented_at)
    c.execute("INSERT OR REPLACE INTO assisted_applications VALUES (?, ?, ?, ?, ?, ?)",
              (application_id, row["id"], row["agent_id"], terminal,
               iso(consented) if consented else None, iso(now())))
    return {"agent_id": row["agent_id"], "agent_session_id": row["id"],
            "consented_at": iso(consented) if consented else None}


# -- audit events --------------------------------------------------------------------------

def _resident_of(c: sqlite3.Connection, terminal: str, ref: ResidentRef | None
                 ) -> tuple[str | None, str | None, str | None]:
    """(full id number or None, masked id, masked name): from the resident token when the
    platform still knows it, else what the kiosk sent (already masked)."""
    if ref is None:
        return None, None, None
    if ref.token:
        row = c.execute("SELECT s.id_number, r.name FROM sessions s LEFT JOIN residents r "
                        "ON r.id_number = s.id_number WHERE s.token = ? AND s.terminal_id = ?",
                        (ref.token, terminal)).fetchone()
        if row is not None:
            return (row["id_number"], mask_id(row["id_number"]),
                    mask_name(row["name"]) if row["name"] else ref.display_name)
    return None, ref.id_number_masked, mask_name(ref.display_name) if ref.display_name else None


def _application_for(c: sqlite3.Connection, terminal: str, reference: str | None) -> str | None:
    """An application id from an action's reference: the id itself or its idempotency key."""
    if not reference:
        return None
    if c.execute("SELECT 1 FROM applications WHERE id = ? AND terminal_id = ?",
                 (reference, terminal)).fetchone():
        return reference
    row = c.execute("SELECT response FROM idempotency WHERE terminal_id = ? AND key = ? AND "
                    "endpoint = 'applications.submit'", (terminal, reference)).fetchone()
    return json.loads(row["response"]).get("id") if row is not None else None


def event_creator(terminal: str, body: AuditEventRequest
                  ) -> Callable[[sqlite3.Connection], tuple[int, dict]]:
    """Checks the event (raises ApiError 422) and returns the `create` that stores it inside
    `_replayable`'s transaction (it raises 422 agent_session_unknown there)."""
    if body.terminal and body.terminal != terminal:
        raise ApiError(422, "terminal_mismatch", "请求不完整，请稍后再试。",
                       "the event names another terminal than the one sending it")
    at = _parse(body.at)
    if at is None:
        raise ApiError(422, "validation_failed", "填写的内容有误，请检查后再试。",
                       "at: not an ISO 8601 time")
    if body.event == ACTION and not (body.kind and body.reference):
        raise ApiError(422, "validation_failed", "填写的内容有误，请检查后再试。",
                       "an 'action' event needs 'kind' and 'reference'")

    def create(c: sqlite3.Connection) -> tuple[int, dict]:
        session = c.execute("SELECT * FROM agent_sessions WHERE id = ?",
                            (body.agent_session_id,)).fetchone()
        if (session is None or session["terminal_id"] != terminal
                or session["agent_id"] != body.agent_id):
            raise ApiError(422, "agent_session_unknown", "请求不完整，请稍后再试。",
                           "no agent session with this id for this agent at this terminal")
        full, masked_id, masked_name = _resident_of(c, terminal, body.resident)
        app_id = _application_for(c, terminal, body.reference) if body.kind == "application" else None
        received = iso(now())
        cur = c.execute(
            "INSERT INTO agent_audit(agent_session_id, agent_id, terminal_id, event, at, "
            "received_at, resident_id_number, resident_id_masked, resident_name_masked, kind, "
            "reference, application_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session["id"], body.agent_id, terminal, body.event, iso(at), received, full,
             masked_id, masked_name, body.kind, body.reference, app_id, body.reason))
        if body.event == SIGNED_OUT and session["signed_out_at"] is None:
            c.execute("UPDATE agent_sessions SET signed_out_at = ? WHERE id = ?",
                      (iso(at), session["id"]))
        return 201, {"id": cur.lastrowid, "received_at": received}

    return create


def _event(row: sqlite3.Row) -> dict:
    resident = None
    if row["resident_id_masked"] or row["resident_name_masked"]:
        resident = {"id_number_masked": row["resident_id_masked"],
                    "name_masked": row["resident_name_masked"],
                    "verified": row["resident_id_number"] is not None}
    return {"event": row["event"], "at": row["at"], "received_at": row["received_at"],
            "agent_session_id": row["agent_session_id"], "agent_id": row["agent_id"],
            "terminal_id": row["terminal_id"], "resident": resident, "kind": row["kind"],
            "reference": row["reference"], "application_id": row["application_id"],
            "reason": row["reason"]}


def application_audit(store: Store, terminal: str, application_id: str) -> dict:
    """The audit record of one assisted application. Raises ApiError 404."""
    app = store.q1("SELECT * FROM applications WHERE (id = ? OR number = ?) AND terminal_id = ?",
                   application_id, application_id, terminal)
    if app is None:
        raise ApiError(404, "application_not_found", "没有找到这笔办件。",
                       f"no application {application_id!r} from this terminal")
    link = store.q1("SELECT * FROM assisted_applications WHERE application_id = ?", app["id"])
    if link is None:
        raise ApiError(404, "application_not_assisted", "这笔办件不是由代办员办理的。",
                       f"application {app['id']} was not made with a village agent")
    session = store.q1("SELECT * FROM agent_sessions WHERE id = ?", link["agent_session_id"])
    agent = store.q1("SELECT * FROM agents WHERE id = ?", link["agent_id"])
    resident = store.q1("SELECT name FROM residents WHERE id_number = ?", app["id_number"])
    applicant_name = (resident["name"] if resident else
                      json.loads(app["payload"]).get("applicant", {}).get("name", ""))
    events = [_event(r) for r in store.q("SELECT * FROM agent_audit WHERE agent_session_id = ? "
                                         "ORDER BY at, id", link["agent_session_id"])]
    consents = store.q("SELECT * FROM agent_audit WHERE agent_session_id = ? AND event = ? "
                       "ORDER BY at DESC, id DESC", link["agent_session_id"], CONSENTED)
    if consents:
        given = consents[0]
        matches = (given["resident_id_number"] == app["id_number"]
                   if given["resident_id_number"] else None)
        consent = {"consented_at": given["at"], "source": "audit_event",
                   "matches_applicant": matches}
    else:
        consent = {"consented_at": link["consented_at"], "source": "application",
                   "matches_applicant": None}
    svc = store.catalogue_item("service", app["service_id"])
    return {"application_id": app["id"], "number": app["number"],
            "service_id": app["service_id"],
            "service_name": svc["name"] if svc else app["service_id"],
            "submitted_at": app["submitted_at"], "terminal_id": app["terminal_id"],
            "agent": {"agent_id": agent["id"], "name": agent["name"], "station": agent["station"],
                      "agent_session_id": session["id"], "method": session["method"],
                      "signed_in_at": session["issued_at"],
                      "signed_out_at": session["signed_out_at"]},
            "resident": {"id_number_masked": mask_id(app["id_number"]),
                         "name_masked": mask_name(applicant_name) if applicant_name else None,
                         "verified": True},
            "consent": consent, "events": events}


# -- routes --------------------------------------------------------------------------------

def agent_routes(router: APIRouter) -> None:
    """Adds /agents/verify, /agent-audit (POST, GET) and /applications/{id}/audit."""
    E403 = {403: {"model": m.ErrorResponse}}
    E423 = {423: {"model": m.ErrorResponse}}

    @router.post("/agents/verify", response_model=AgentSession, tags=["agents"],
                 responses={**ERRORS, **E404, **E403, **E423},
                 summary="Village agent: staff card or staff code + PIN -> agent session")
    def verify(request: Request, terminal: Terminal, body: AgentVerifyRequest):
        return verify_agent(_store(request), terminal, body)

    @router.post("/agent-audit", response_model=AuditReceipt, status_code=201, tags=["agents"],
                 responses={**ERRORS, **E409},
                 summary="One audit event of an agent-assisted visit (Idempotency-Key required)")
    def audit(request: Request, terminal: Terminal, body: AuditEventRequest,
              idempotency_key: IdemHeader = None):
        key = _key(idempotency_key, required=True)
        store = _store(request)
        create = event_creator(terminal, body)
        return _replayable(store, terminal, key, "agent_audit", body.model_dump(), create)

    @router.get("/agent-audit", response_model=list[AuditEvent], tags=["agents"],
                responses=ERRORS, summary="Audit events of this terminal, newest first")
    def list_audit(request: Request, terminal: Terminal,
                   agent_id: Annotated[Optional[str], Query(max_length=40)] = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100):
        sql = "SELECT * FROM agent_audit WHERE terminal_id = ?"
        args: list = [terminal]
        if agent_id:
            sql += " AND agent_id = ?"
            args.append(agent_id)
        rows = _store(request).q(sql + " ORDER BY at DESC, id DESC LIMIT ?", *args, limit)
        return [_event(r) for r in rows]

    @router.get("/applications/{application_id}/audit", response_model=ApplicationAudit,
                tags=["agents"], responses={**ERRORS, **E404},
                summary="The audit record of an agent-assisted application: both identities")
    def application_audit_route(request: Request, terminal: Terminal, application_id: str):
        return application_audit(_store(request), terminal, application_id)
