"""The resident's registered mobile number, used without the number leaving the platform.

    GET /residents/me/contact  (X-Resident-Token)
        -> {"has_phone", "phone_masked": "138****0007", "phone_ref": "pr_..."}

The platform already holds a mobile number for most residents (实名登记). A terminal that
made residents type it again would exclude those who cannot type (长者模式 asks for no
typing at all), so the terminal offers "use my registered number" instead. It never
receives the number: the answer carries it masked, for the button, and a `phone_ref`, an
opaque handle that an application (`POST /applications`, `/applications/precheck`) or a
call-back request (`POST /help-requests`) sends in place of a number. The platform puts the
number in itself when the request arrives.

A ref is bound to the resident and to the terminal it was issued to, and lasts
`REF_DAYS`: long enough for the outbox to deliver a request queued while the line was down
(the resident token lasts 30 minutes, a queue can last days). Refs are stored hashed, like
every other credential here.

A ref that cannot be resolved when a submission arrives (expired, unknown, another
resident's, the number since removed) never makes the platform refuse it: the resident has
gone and refusing would lose the application or the call-back request. It is recorded
with `"source": "unresolved"` and the staff reach the resident another way (post, the
station). The pre-check, which the resident is still there for, reports it as a field to
fix instead.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
from typing import Any, Optional

from fastapi import APIRouter, Request

from . import models as m
from .app import ERRORS, Resident, Terminal, _store
from .store import Store, iso, now, sha256

REF_DAYS = 30
REF_PREFIX = "pr_"
PHONE_FIELD = "phone"   # the forms' phone field (catalogue.FORM_COMMON)
# Recorded as the application's contact: where its phone number came from.
TYPED, REGISTERED, NO_PHONE, UNRESOLVED, MISSING = ("answer", "registered", "none",
                                                      "unresolved", "missing")


def mask_phone(phone: str) -> str:
    """``13800000007`` -> ``138****0007``."""
    p = phone.strip()
    return p[:3] + "*" * (len(p) - 7) + p[-4:] if len(p) >= 7 else "*" * len(p)


def issue(c: sqlite3.Connection, id_number: str, terminal: str) -> dict[str, Any]:
    """The contact answer for a resident; writes a new ref (and drops expired ones) when
    the resident has a number."""
    row = c.execute("SELECT phone FROM residents WHERE id_number = ?", (id_number,)).fetchone()
    phone = (row["phone"] if row is not None else "").strip()
    if not phone:
        return {"has_phone": False, "phone_masked": None, "phone_ref": None}
    ref = REF_PREFIX + secrets.token_urlsafe(24)
    c.execute("DELETE FROM phone_refs WHERE expires_at < ?", (iso(now()),))
    c.execute("INSERT INTO phone_refs VALUES (?, ?, ?, ?)",
              (sha256(ref), id_number, terminal, iso(now() + dt.timedelta(days=REF_DAYS))))
    return {"has_phone": True, "phone_masked": mask_phone(phone), "phone_ref": ref}


def resolve(store: Store, ref: str, terminal: str) -> tuple[str, str] | None:
    """(id_number, phone) a ref stands for, or None when it is unknown, expired, issued to
    another terminal, or the resident no longer has a number. Reads only."""
    row = store.q1("SELECT r.id_number, r.terminal_id, r.expires_at, p.phone FROM phone_refs r "
                   "JOIN residents p ON p.id_number = r.id_number WHERE r.ref_sha256 = ?",
                   sha256(ref.strip()))
    if (row is None or row["terminal_id"] != terminal or row["expires_at"] < iso(now())
            or not row["phone"].strip()):
        return None
    return row["id_number"], row["phone"].strip()


def application_contact(store: Store, terminal: str, body: Any, applicant: str
                        ) -> dict[str, str]:
    """How the platform reaches this applicant: {"source", "phone"} (the full number, kept
    on the platform). A typed number wins over a ref, a ref over "no phone"."""
    typed = body.answers.get(PHONE_FIELD, "").strip()
    if typed:
        return {"source": TYPED, "phone": typed}
    if body.phone_ref:
        found = resolve(store, body.phone_ref, terminal)
        if found is not None and found[0] == applicant:
            return {"source": REGISTERED, "phone": found[1]}
        return {"source": UNRESOLVED, "phone": ""}
    return {"source": NO_PHONE if body.no_phone else MISSING, "phone": ""}


def precheck_phone(store: Store, terminal: str, body: Any, applicant: str) -> tuple[bool, str]:
    """The pre-check's verdict on an empty phone field: (ok, reason in Chinese)."""
    contact = application_contact(store, terminal, body, applicant)
    return {REGISTERED: (True, "使用登记的手机号"),
            NO_PHONE: (True, "不留手机号：办理进度可在自助终端或窗口查询"),
            UNRESOLVED: (False, "登记的手机号暂时无法使用，请重新选择"),
            }.get(contact["source"], (False, "请填写"))


def help_record(store: Store, terminal: str, body: m.HelpRequest) -> dict[str, Any]:
    """What the platform keeps of a help request: a call-back by ref gets the registered
    number (and `phone_source`), the ref itself is not kept."""
    record = body.model_dump(exclude={"phone_ref"})
    if body.phone_ref and not body.phone:
        found = resolve(store, body.phone_ref, terminal)
        record["phone"] = found[1] if found is not None else None
        record["phone_source"] = REGISTERED if found is not None else UNRESOLVED
    elif body.phone:
        record["phone_source"] = TYPED
    return record


def contact_routes(router: APIRouter) -> None:
    @router.get("/residents/me/contact", response_model=m.ResidentContact, tags=["identity"],
                responses=ERRORS,
                summary="The resident's registered mobile number: masked, and a ref to use it")
    def my_contact(request: Request, terminal: Terminal, resident: Resident
                   ) -> dict[str, Optional[Any]]:
        with _store(request).tx() as c:
            return issue(c, resident, terminal)
