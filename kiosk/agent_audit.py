"""The audit trail of 村居代办: each step of an assisted visit, with both identities, through
the durable outbox (kind `agent_audit` -> `POST /agent-audit`, docs/platform-api.md).

Events: `agent_signed_in`, `resident_consented`, `resident_declined`, `action` (with `kind`
and `reference`, e.g. an application's idempotency key), `agent_signed_out` (with the
`reason`). Each names the agent (id and the platform's sign-in reference), the terminal and,
where there is one, the resident: the resident token (so the platform resolves who it was)
plus the masked number and name. Never the PIN, the agent token or a full ID number.

`submit_event` blocks on the outbox's fsync: call it inside a flow job, never on the UI
thread. Items are personal (encrypted at rest) and each has its own idempotency key, so a
resend after a crash records the event once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from kiosk.assistance import AgentIdentity, active_assistance, assistance_block, iso_utc

# The outbox kind (kiosk.outbox_transport maps it to POST /agent-audit). Not imported from
# there: that module loads the outbox and HTTP stacks, which the first frame must not wait for.
AGENT_AUDIT = "agent_audit"
from kiosk.session import Session

log = logging.getLogger(__name__)
SIGNED_IN, CONSENTED, DECLINED = "agent_signed_in", "resident_consented", "resident_declined"
ACTION, SIGNED_OUT = "action", "agent_signed_out"


@dataclass(frozen=True)
class SignIn:
    """What signing out needs once SessionData is wiped: staff references, nothing secret."""

    agent_id: str
    session_id: str

    @classmethod
    def of(cls, agent: AgentIdentity) -> "SignIn":
        return cls(agent.agent_id, agent.session_id)


def resident_ref(resident: Any) -> dict[str, str] | None:
    """The resident of a kiosk `ResidentIdentity` as an audit event names them."""
    if resident is None:
        return None
    ref = {"id_number_masked": resident.id_number_masked,
           "display_name": resident.display_name}
    if resident.token:
        ref["token"] = resident.token
    return ref


def event_payload(event: str, sign_in: SignIn, *, at: float, terminal: str,
                  resident: Any = None, kind: str = "", reference: str = "",
                  reason: str = "") -> dict[str, Any]:
    """One audit event as the platform takes it. `at`: wall clock (epoch seconds)."""
    payload: dict[str, Any] = {"event": event, "at": iso_utc(at), "agent_id": sign_in.agent_id,
                               "agent_session_id": sign_in.session_id, "terminal": terminal}
    ref = resident_ref(resident)
    if ref is not None:
        payload["resident"] = ref
    if kind:
        payload["kind"] = kind
    if reference:
        payload["reference"] = reference
    if reason:
        payload["reason"] = reason
    return payload


def submit_event(submitter: Any, payload: dict[str, Any], key: str = "") -> str:
    """Queue one event durably in the outbox; returns its idempotency key (made here unless
    given). Blocks (fsync); raises what the outbox raises (StorageError) when it cannot be
    saved."""
    key = key or f"audit-{uuid.uuid4().hex}"
    submitter.submit(AGENT_AUDIT, payload, personal=True, key=key)
    log.info("agent audit: %s by %s queued", payload["event"], payload["agent_id"])
    return key


@dataclass(frozen=True)
class AssistedSubmission:
    """What applications made with an agent carry: the `assisted_by` block for each body,
    and the `action` event to queue after each (by the application's idempotency key)."""

    block: dict[str, Any]
    events: dict[str, dict[str, Any]]

    def event_key(self, key: str) -> str:
        return f"{key}.audit"   # fixed per application: a retried submission records it once


def for_applications(session: Session, terminal: str, at: float,
                     keys: list[str]) -> AssistedSubmission | None:
    """None when nobody assists; raises AssistanceExpired when the agent's sign-in ran out.
    Call on the UI thread (reads SessionData); queue the events in the submission's job."""
    block = assistance_block(session, at)
    agent = active_assistance(session)
    if block is None or agent is None:
        return None
    from kiosk.flows.identify import current_resident  # the flows package imports this module

    resident = current_resident(session)
    return AssistedSubmission(block, {
        key: event_payload(ACTION, SignIn.of(agent), at=at, terminal=terminal,
                           resident=resident, kind="application", reference=key)
        for key in keys})


def action_event(session: Session, terminal: str, at: float, kind: str
                 ) -> dict[str, Any] | None:
    """The `action` event of an interactive step (e.g. an appointment) while an agent
    assists, its `reference` to be filled in from the platform's answer; None otherwise.
    Call on the UI thread (reads SessionData)."""
    agent = active_assistance(session)
    if agent is None:
        return None
    from kiosk.flows.identify import current_resident  # the flows package imports this module

    return event_payload(ACTION, SignIn.of(agent), at=at, terminal=terminal,
                         resident=current_resident(session), kind=kind)
