"""村居代办: a village agent serves a resident who is present and agrees on screen.

    WAY -> WAIT_CARD -(staff card on the reader)-> PIN -(numpad, verified)-> SIGNED_IN
        -> WAIT_CODE -(staff code scanned)------->
    SIGNED_IN -> the resident identifies (the shared step; skipped when already done)
              -> CONSENT (addressed to the resident) -> agree    -> READY (assistance on)
                                                      -> decline  -> ENDED (signed out)
    READY / SIGNED_IN -> "end assistance" -> ENDED (signed out)

The agent's staff credential is checked with the PIN by the platform (`POST /agents/verify`;
wrong PIN: attempts left, five: locked). The PIN is typed on the numpad, shown as dots, and
held only until it is sent: never logged, never spoken, never queued. The agent and the
consent live in SessionData (kiosk.assistance), wiped when the session ends. Once READY the
agent picks the service from the home page; applications then carry the agent's identity
and each step is an audit event through the outbox (kiosk.agent_audit). The end of the
session signs the agent out (an `agent_signed_out` event with the reason).

The staff card is the agent's own ID card: lifting it off the reader does not end the
session (the device bridge asks kiosk.assistance), and the resident's card way waits until
the staff card is off the reader.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from kiosk import agent_audit as audit
from kiosk.agent_audit import SignIn
from kiosk.assistance import (AgentIdentity, Consent, active_assistance, current_agent,
                              forget_agent, mark_staff_card, parse_expiry, put_agent,
                              staff_card_on_reader)
from kiosk.flows.base import HOME, Flow, home_choice
from kiosk.flows.identify import BY_CARD, IdentifyStep, card_payload, current_resident
from kiosk.flows.view import Choice, Line, Notice, View
from kiosk.i18n import N_
from kiosk.platform_errors import PlatformRefusedError
from kiosk.session import SessionEnded, SessionEvent

log = logging.getLogger("kiosk.flows")

CREDENTIAL = "agent.credential"   # SessionData key: the staff card or code until the PIN is in
STAFF_CARD, STAFF_CODE, OTHER_WAY = "agent:card", "agent:code", "agent:other"
READ_CARD = "agent:read_card"
PIN_OK, RESIDENT_NEXT, SIGN_OUT = "agent:pin_ok", "agent:resident", "agent:sign_out"
AGREE, DECLINE = "agent:agree", "agent:decline"
PIN_MIN, PIN_MAX = 4, 12
PIN_DOT = "\u25cf"
TAKE_CARD_OFF = N_("Please take the staff card off the reader first; then the resident lays "
                   "their own ID card on it.")


class State(enum.Enum):
    WAY = "way"
    WAIT_CARD = "wait_card"
    WAIT_CODE = "wait_code"
    PIN = "pin"
    SIGNED_IN = "signed_in"
    CONSENT = "consent"
    READY = "ready"
    ENDED = "ended"


class AgentFlow(Flow):
    name = "agent"
    title = N_("Agent-assisted service")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        # The signed-in agent, also held here: SessionData is wiped before the session's end
        # is announced, and the sign-out still has to be recorded and the token scrubbed.
        self._agent: AgentIdentity | None = None
        ctx.session.subscribe(self._on_session_event)

    # --- state ------------------------------------------------------------------------
    def reset(self) -> None:
        self.state = State.WAY
        self.pin = ""            # personal: the agent's PIN while typed
        self.declined = False
        self.ctx.session.data.put(CREDENTIAL, None)

    def entered(self) -> None:
        """Where the flow stands follows the session: agent, resident, consent."""
        agent = current_agent(self.ctx.session)
        if agent is not None and self.ctx.wall_clock() >= agent.expires_at:
            self._sign_out("expired", then=State.WAY,
                           notice=N_("Your sign-in has run out. Please sign in again."))
        elif agent is None:
            self.state = State.WAY
        elif active_assistance(self.ctx.session) is not None:
            self.state = State.READY
        elif current_resident(self.ctx.session) is not None:
            self.state = State.CONSENT
        else:
            self.state = State.SIGNED_IN

    def step_back(self) -> bool:
        if self.state in (State.WAIT_CARD, State.WAIT_CODE):
            self.state = State.WAY
        elif self.state is State.PIN:
            self.pin = ""
            self.ctx.session.data.put(CREDENTIAL, None)
            self.state = State.WAY
        else:
            return False
        return True

    # --- views ------------------------------------------------------------------------
    def render(self, tr) -> View:
        title = tr(self.title)
        agent = current_agent(self.ctx.session)
        s = self.state
        if s is State.WAY:
            reader, scanner = self.ctx.device("card_reader"), self.ctx.device("scanner")
            instruction = tr("For village agents: sign in with your staff card or staff code "
                             "and your PIN. Then the resident confirms on this screen.")
            return View(title, instruction, choices=(
                Choice(STAFF_CARD, tr("Staff card on the reader"),
                       detail="" if reader else tr("The card reader is not available right now"),
                       enabled=reader is not None),
                Choice(STAFF_CODE, tr("Scan the staff code on my badge"),
                       detail="" if scanner else tr("The scanner is not available right now"),
                       enabled=scanner is not None),
                home_choice(tr)), notice=self.notice)
        if s is State.WAIT_CARD:
            reader = self.ctx.device("card_reader")
            # A card already lying there may be a resident's: read it only when asked.
            read = ((Choice(READ_CARD, tr("Read the card on the reader")),)
                    if reader is not None and reader.card_present else ())
            return View(title, tr("Please lay your staff card flat on the card reader below "
                                  "the screen."), choices=read,
                        actions=(Choice(OTHER_WAY, tr("Use another way"), primary=False),),
                        notice=self.notice)
        if s is State.WAIT_CODE:
            return View(title, tr("Please hold the staff code on your badge in front of the "
                                  "scanner window."),
                        actions=(Choice(OTHER_WAY, tr("Use another way"), primary=False),),
                        notice=self.notice)
        if s is State.PIN:
            instruction = (tr("Tap Sign in when your PIN is complete. Make sure nobody is "
                              "watching.") if len(self.pin) >= PIN_MIN else
                           tr("Please type your staff PIN on the keypad. Make sure nobody "
                              "is watching."))
            return View(title, instruction,
                        lines=(Line(PIN_DOT * len(self.pin) or "-", label=tr("PIN"),
                                    emphasis=True),),
                        widget="numpad",
                        choices=(Choice(PIN_OK, tr("Sign in"),
                                        enabled=PIN_MIN <= len(self.pin) <= PIN_MAX),),
                        notice=self.notice, speak=instruction)
        if agent is None or s is State.ENDED:
            return self._ended(tr, title)
        return self._with_agent(tr, title, agent)

    def _with_agent(self, tr, title: str, agent: AgentIdentity) -> View:
        who = (Line(agent.display_name, label=tr("Village agent"), emphasis=True),
               Line(agent.station, label=tr("Service station")))
        sign_out = Choice(SIGN_OUT, tr("End assistance and sign out"), primary=False)
        if self.state is State.SIGNED_IN:
            instruction = tr("You are signed in. If your staff card is on the reader, take it "
                             "off. Then the resident identifies with their own ID card or code.")
            return View(title, instruction, lines=who,
                        choices=(Choice(RESIDENT_NEXT, tr("The resident identifies now")),
                                 sign_out), notice=self.notice, speak=instruction)
        if self.state is State.CONSENT:
            question = tr("Village agent {name} will handle this for you while you are "
                          "present. Do you agree?").format(name=agent.display_name)
            said = tr("A village agent will handle this for you while you are present. Do "
                      "you agree? Please tap I agree, or I do not agree.")
            return View(title, question,
                        lines=(who[1], Line(tr("Each step the agent takes is recorded with "
                                               "your identity and the agent's."))),
                        choices=(Choice(AGREE, tr("I agree")),
                                 Choice(DECLINE, tr("I do not agree"))),
                        notice=self.notice, speak=said)
        resident = current_resident(self.ctx.session)
        lines = who + ((Line(resident.display_name, label=tr("Resident")),)
                       if resident is not None else ())
        instruction = tr("Assistance is on. The agent now chooses the service on the home "
                         "page.")
        return View(title, instruction, lines=lines,
                    choices=(Choice(HOME, tr("Choose a service")), sign_out),
                    notice=self.notice or Notice("success", tr("The resident agreed.")),
                    speak=instruction)

    def _ended(self, tr, title: str) -> View:
        text = (tr("The resident did not agree. Assistance has ended and the agent is "
                   "signed out.") if self.declined else
                tr("Assistance has ended and the agent is signed out."))
        instruction = tr("The resident can go on alone, or finish.")
        return View(title, instruction, choices=(home_choice(tr),),
                    notice=self.notice or Notice("info", text),
                    speak=f"{text} {instruction}")

    # --- taps -------------------------------------------------------------------------
    def choose(self, choice_id: str) -> None:
        if (self._identify is not None and choice_id == BY_CARD and not self._busy
                and self._staff_card_still_on()):
            self._identify.notice = Notice("warning", self.ctx.session_tr()(TAKE_CARD_OFF))
            self.changed()
            return
        super().choose(choice_id)

    def handle(self, choice_id: str) -> None:
        s = self.state
        if s is State.WAY and choice_id == STAFF_CARD and self.ctx.device("card_reader"):
            self.state = State.WAIT_CARD
        elif s is State.WAIT_CARD and choice_id == READ_CARD:
            self._read_card()
        elif s is State.WAY and choice_id == STAFF_CODE and self.ctx.device("scanner"):
            self.state = State.WAIT_CODE
        elif s in (State.WAIT_CARD, State.WAIT_CODE) and choice_id == OTHER_WAY:
            self.state = State.WAY
        elif s is State.PIN and choice_id == PIN_OK and PIN_MIN <= len(self.pin) <= PIN_MAX:
            self._verify()
        elif s is State.SIGNED_IN and choice_id == RESIDENT_NEXT:
            self._resident_identifies()
        elif s is State.CONSENT and choice_id in (AGREE, DECLINE):
            self._answer(choice_id == AGREE)
        elif s in (State.SIGNED_IN, State.READY, State.CONSENT) and choice_id == SIGN_OUT:
            self._sign_out("finished", then=State.ENDED)

    def numpad_key(self, key: str) -> None:
        """A key of the numeric keypad (screens/numpad.py): the PIN, never logged."""
        if self.state is not State.PIN or self._busy:
            return
        if key == "del":
            self.pin = self.pin[:-1]
        elif key == "clear":
            self.pin = ""
        elif key.isdigit() and len(self.pin) < PIN_MAX:
            self.pin += key
        self.notice = None
        self.changed()

    # --- devices ----------------------------------------------------------------------
    def on_card_present(self) -> None:
        if self._identify is None and self.state is State.WAIT_CARD and not self._busy:
            self._read_card()
        else:
            super().on_card_present()

    def code_scanned(self, text: str) -> None:
        code = text.strip()
        if self.state is not State.WAIT_CODE or not code or len(code) > 512:
            return
        self.ctx.session.data.put(CREDENTIAL, {"method": "code", "code": code})
        self.state, self.pin = State.PIN, ""
        self.changed()

    def _staff_card_still_on(self) -> bool:
        reader = self.ctx.device("card_reader")
        if not staff_card_on_reader(self.ctx.session):
            return False
        if reader is None or not reader.card_present:
            mark_staff_card(self.ctx.session, False)  # it went while nobody was looking
            return False
        return True

    def gallery_wait(self) -> str:
        """For the screen gallery: what a person would do at a device now, or ""."""
        if self._identify is not None:
            return ""
        return {State.WAIT_CARD: "@staff_card", State.WAIT_CODE: "@staff_code"}.get(
            self.state, "@pin" if self.state is State.PIN and not self.pin else "")

    # --- work -------------------------------------------------------------------------
    def _read_card(self) -> None:
        reader = self.ctx.device("card_reader")
        if reader is None:
            self.state = State.WAY
            return

        def job() -> dict[str, str]:
            card = card_payload(reader.read_card())
            return {"name": card["name"], "id_number": card["id_number"]}

        def done(card: dict[str, str]) -> None:
            mark_staff_card(self.ctx.session, True)  # lifting it must not end the session
            self.ctx.session.data.put(CREDENTIAL, {"method": "card", "card": card})
            self.state, self.pin = State.PIN, ""

        self.run(job, done, doing="read staff card",
                 busy_text=N_("Reading the staff card, please keep it still..."))

    def _verify(self) -> None:
        credential = dict(self.ctx.session.data.get(CREDENTIAL) or {})
        if not credential:
            self.state = State.WAY
            return
        body: dict[str, Any] = {"method": credential["method"], "pin": self.pin,
                                credential["method"]: credential[credential["method"]]}
        self.pin = ""  # from here only in the request body
        submitter, client = self.ctx.submitter, self.ctx.client
        terminal, at = self.ctx.terminal_id, self.ctx.wall_clock()

        def job() -> AgentIdentity | PlatformRefusedError:
            try:
                answer = client().post("/agents/verify", body).body
            except PlatformRefusedError as exc:
                if exc.code == "agent_pin_wrong":
                    return exc  # the agent types it again; anything else starts over
                raise
            finally:
                body["pin"] = ""
            agent = AgentIdentity(token=answer["agent_token"],
                                  session_id=answer["agent_session_id"],
                                  agent_id=answer["agent_id"],
                                  display_name=answer["display_name"],
                                  station=answer.get("station", ""),
                                  method=credential["method"],
                                  expires_at=parse_expiry(answer.get("expires_at", "")))
            # Recorded before the agent may act: no unrecorded sign-in.
            audit.submit_event(submitter(), audit.event_payload(
                audit.SIGNED_IN, SignIn.of(agent), at=at, terminal=terminal))
            return agent

        def done(result: AgentIdentity | PlatformRefusedError) -> None:
            if isinstance(result, PlatformRefusedError):
                self.notice = Notice("warning", result.message)
                return
            self.ctx.session.data.put(CREDENTIAL, None)
            put_agent(self.ctx.session, result)
            self._agent = result
            log.info("agent: %s signed in by %s", result.agent_id, result.method)
            self.entered()

        def failed(_notice: Notice) -> None:
            self.ctx.session.data.put(CREDENTIAL, None)
            self.state = State.WAY

        self.run(job, done, doing="verify agent", failed=failed,
                 busy_text=N_("Checking the PIN..."))

    def _resident_identifies(self) -> None:
        if current_resident(self.ctx.session) is not None:
            self.state = State.CONSENT
            return
        self._identify = IdentifyStep(self.ctx, self._identified, self.changed)
        self._identify.start()

    def identified(self) -> None:
        self.state = State.CONSENT

    def _answer(self, agreed: bool) -> None:
        agent, resident = current_agent(self.ctx.session), current_resident(self.ctx.session)
        if agent is None or resident is None:
            self.entered()
            return
        submitter, terminal, at = self.ctx.submitter, self.ctx.terminal_id, self.ctx.wall_clock()
        sign_in = SignIn.of(agent)

        def job() -> None:
            event = audit.CONSENTED if agreed else audit.DECLINED
            audit.submit_event(submitter(), audit.event_payload(
                event, sign_in, at=at, terminal=terminal, resident=resident))
            if not agreed:
                audit.submit_event(submitter(), audit.event_payload(
                    audit.SIGNED_OUT, sign_in, at=at, terminal=terminal, reason="declined"))

        def done(_result: None) -> None:
            if agreed:
                agent.consent = Consent(at, resident.id_number_masked, resident.display_name)
                self.state = State.READY
                log.info("agent: %s assisting, the resident agreed", agent.agent_id)
            else:
                forget_agent(self.ctx.session)
                self._agent, self.declined, self.state = None, True, State.ENDED
                log.info("agent: %s signed out, the resident declined", agent.agent_id)

        self.run(job, done, doing="record the resident's answer",
                 busy_text=N_("Recording..."))

    def _sign_out(self, reason: str, *, then: State, notice: str = "") -> None:
        agent = current_agent(self.ctx.session)
        forget_agent(self.ctx.session)
        self.state = then
        if notice:
            self.notice = Notice("info", self.ctx.session_tr()(notice))
        if agent is not None:
            self._agent = None
            self._record_sign_out(SignIn.of(agent), reason)

    def _record_sign_out(self, sign_in: SignIn, reason: str) -> None:
        """Queue `agent_signed_out` in the background; a failure is logged for the
        technician (the platform's sign-in also runs out by itself)."""
        submitter, terminal, at = self.ctx.submitter, self.ctx.terminal_id, self.ctx.wall_clock()

        def job() -> None:
            audit.submit_event(submitter(), audit.event_payload(
                audit.SIGNED_OUT, sign_in, at=at, terminal=terminal, reason=reason))

        def failed(exc: Exception) -> None:
            log.error("agent: sign-out of %s not recorded: %s: %s", sign_in.agent_id,
                      type(exc).__name__, exc)

        log.info("agent: %s signed out (%s)", sign_in.agent_id, reason)
        self.ctx.runner.run(job, lambda _result: None, failed)

    def _on_session_event(self, event: SessionEvent) -> None:
        """The session ended (timeout, finish, card taken away): SessionData is already
        wiped, agent included; record the sign-out with what was kept for it."""
        if isinstance(event, SessionEnded) and self._agent is not None:
            agent, self._agent = self._agent, None
            sign_in = SignIn.of(agent)
            agent.token, agent.consent = "", None
            self._record_sign_out(sign_in, event.reason.value)
