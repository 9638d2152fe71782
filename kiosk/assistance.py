"""村居代办 state of a session: the signed-in village agent and the resident's consent.

Everything lives in `SessionData` (so the end of the session wipes it), under `AGENT`:
an `AgentIdentity` with the agent token (a credential: never logged, never spoken, kept out
of every repr) and, once the resident agreed on screen, their `Consent`. Assistance is
*active* only while the consent belongs to the resident identified now.

Other parts of the kiosk ask here, never the agent flow:
- `assistance_block(session, at)` -> the `assisted_by` block an application carries, or
  None; raises `AssistanceExpired` when an agent is assisting but their sign-in has run out
  (the application must not go as the resident's own, nor be refused later);
- `staff_card_lifted(session)` -> the device bridge asks, when a card leaves the reader,
  whether it was the agent's staff card (the session goes on) or the resident's (it ends);
- `assistance_status(session)` -> what the bar may show ("代办中：李*明"), nothing private.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from common.errors import KioskError
from kiosk.session import Session

AGENT = "agent"                                  # SessionData key: AgentIdentity
STAFF_CARD_ON_READER = "agent.staff_card_on_reader"   # SessionData key: bool


class AssistanceExpired(KioskError):
    """The agent assisting this resident is no longer signed in (token past its expiry)."""


@dataclass
class Consent:
    """The resident agreed on screen to be assisted by this agent (masked values only)."""

    at: float                         # wall clock (epoch seconds)
    resident_id_masked: str
    resident_name_masked: str


@dataclass
class AgentIdentity:
    """The village agent signed in at this terminal for this session."""

    token: str = field(repr=False)    # agent token: a credential
    session_id: str                   # the platform's public reference of this sign-in
    agent_id: str
    display_name: str                 # masked by the platform (李*明)
    station: str
    method: str                       # "card" or "code"
    expires_at: float                 # wall clock (epoch seconds)
    consent: Consent | None = None


@dataclass(frozen=True)
class AssistanceStatus:
    """For the bar or greeting: whether an agent is signed in and assisting. No secrets."""

    agent_name: str                   # masked
    station: str
    active: bool                      # the current resident agreed


def current_agent(session: Session) -> AgentIdentity | None:
    return session.data.get(AGENT)


def put_agent(session: Session, agent: AgentIdentity) -> None:
    session.data.put(AGENT, agent)


def forget_agent(session: Session) -> None:
    """Sign the agent out of this session (the token is dropped at once)."""
    agent = session.data.get(AGENT)
    if agent is not None:
        agent.token = ""
        agent.consent = None
    session.data.put(AGENT, None)


def parse_expiry(text: str) -> float:
    """The platform's `expires_at` (ISO 8601, UTC) as epoch seconds; 0.0 when unreadable."""
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return 0.0
    return (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).timestamp()


def _resident(session: Session) -> Any:
    from kiosk.flows.identify import current_resident  # the flows package imports this module

    return current_resident(session)


def active_assistance(session: Session) -> AgentIdentity | None:
    """The agent, when the resident identified now has agreed to their assistance."""
    agent = current_agent(session)
    resident = _resident(session)
    if agent is None or agent.consent is None or resident is None:
        return None
    if (agent.consent.resident_id_masked, agent.consent.resident_name_masked) != (
            resident.id_number_masked, resident.display_name):
        return None  # another resident identified since: their consent was not given
    return agent


def assistance_block(session: Session, at: float) -> dict[str, Any] | None:
    """`assisted_by` for an application made at `at` (wall clock), or None when nobody
    assists. Raises AssistanceExpired when the assisting agent's sign-in has run out."""
    agent = active_assistance(session)
    if agent is None:
        return None
    if not agent.token or at >= agent.expires_at:
        raise AssistanceExpired(f"agent sign-in {agent.session_id} expired")
    return {"agent_token": agent.token, "consented_at": iso_utc(agent.consent.at)}


def iso_utc(at: float) -> str:
    return (dt.datetime.fromtimestamp(at, dt.timezone.utc).replace(microsecond=0)
            .isoformat().replace("+00:00", "Z"))


def mark_staff_card(session: Session, on_reader: bool) -> None:
    session.data.put(STAFF_CARD_ON_READER, on_reader)


def staff_card_on_reader(session: Session) -> bool:
    return bool(session.data.get(STAFF_CARD_ON_READER))


def staff_card_lifted(session: Session) -> bool:
    """A card left the reader: True (and forgotten) when it was the agent's staff card."""
    if staff_card_on_reader(session):
        mark_staff_card(session, False)
        return True
    return False


def assistance_status(session: Session) -> AssistanceStatus | None:
    """What a screen may show about assistance now (masked name, station), or None."""
    agent = current_agent(session)
    if agent is None:
        return None
    return AssistanceStatus(agent.display_name, agent.station,
                            active_assistance(session) is not None)
