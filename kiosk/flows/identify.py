"""Identification, once per session, shared by every flow that needs it.

    CONSENT -> METHOD -> WAIT_CARD -(card on the reader)-> reading + verifying -> done
                      -> WAIT_CODE -(code scanned)------> verifying -------------> done

A consent line comes before anything is read. The ways offered depend on what is ready:
the card reader, a code scanner (随申码 or the printed offline code); a way whose device is
not ready is shown disabled with the reason, so there is never a dead end while another way
works, and the flow says so when none does. Verification is done by the platform
(online only). The result is kept in the session (`ResidentIdentity`, wiped when the session
ends) and reused by every flow; names and numbers are shown masked.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.flows.context import FlowContext
from kiosk.flows.errors import explain
from kiosk.flows.view import Choice, Line, Notice, View
from kiosk.i18n import N_
from kiosk.session import Session

log = logging.getLogger("kiosk.flows")

RESIDENT = "resident"          # SessionData key
AGREE, DECLINE = "consent:agree", "consent:decline"
BY_CARD, BY_CODE, OTHER_WAY, RETRY = "way:card", "way:code", "way:other", "way:retry"


@dataclass
class ResidentIdentity:
    """The verified resident of this session. Lives only in SessionData."""

    token: str = field(repr=False)
    display_name: str          # masked by the platform (王*英)
    id_number_masked: str
    age: int
    elderly: bool
    address_area: str = ""
    method: str = ""           # "card" or "code"
    card: dict[str, Any] = field(default_factory=dict, repr=False)  # full card, for pre-fill


def current_resident(session: Session) -> ResidentIdentity | None:
    return session.data.get(RESIDENT)


def forget_resident(session: Session) -> None:
    resident = session.data.get(RESIDENT)
    if resident is not None:
        resident.card.clear()
        resident.token = ""
    session.data.put(RESIDENT, None)


class Step(enum.Enum):
    CONSENT = "consent"
    METHOD = "method"
    WAIT_CARD = "wait_card"
    WAIT_CODE = "wait_code"
    WORKING = "working"


def card_payload(card: Any) -> dict[str, Any]:
    """A hardware CardRecord as the platform's card object (docs/platform-api.md)."""
    return {"name": card.name, "id_number": card.id_number, "gender": card.sex,
            "nation": card.nation, "birth_date": card.birth_date.isoformat(),
            "address": card.address, "issuing_authority": card.authority,
            "valid_from": card.valid_from.isoformat(),
            "valid_until": "长期" if card.valid_to is None else card.valid_to.isoformat()}


class IdentifyStep:
    def __init__(self, ctx: FlowContext, on_done: Callable[[], None],
                 changed: Callable[[], None]) -> None:
        self.ctx, self._on_done, self._changed = ctx, on_done, changed
        self.step = Step.CONSENT
        self.notice: Notice | None = None
        self._working_text = ""
        self._generation = 0

    def start(self) -> None:
        self.step, self.notice = Step.CONSENT, None

    # --- what is possible now -----------------------------------------------------------
    def _reader(self) -> Any:
        return self.ctx.device("card_reader")

    def _scanner(self) -> Any:
        return self.ctx.device("scanner")

    # --- rendering ----------------------------------------------------------------------
    def view(self, tr) -> View:
        title = tr("Identify yourself")
        if self.step is Step.CONSENT:
            return View(title, tr("To continue, this terminal reads your ID card or code "
                                  "and checks it with the government service platform."),
                        lines=(Line(tr("Your information is used only for this visit and is "
                                       "cleared from this terminal when you finish.")),),
                        choices=(Choice(AGREE, tr("I agree, continue")),
                                 Choice(DECLINE, tr("No, go back"), primary=False)),
                        notice=self.notice)
        if self.step is Step.METHOD:
            reader, scanner = self._reader(), self._scanner()
            notice = self.notice
            if reader is None and scanner is None:
                notice = Notice("warning", tr("The card reader and the scanner cannot be used "
                                              "right now. Please ask the staff for help."))
            elif not self.ctx.online and self.ctx.connectivity.status.state.value == "offline":
                notice = Notice("warning", tr("Identity checks need the network, which is "
                                              "down at the moment. You can still try."))
            return View(title, tr("How would you like to identify yourself?"),
                        choices=(
                            Choice(BY_CARD, tr("Put my ID card on the reader"),
                                   detail="" if reader else tr("The card reader is not "
                                                               "available right now"),
                                   enabled=reader is not None),
                            Choice(BY_CODE, tr("Scan my Suishenma or offline code"),
                                   detail="" if scanner else tr("The scanner is not available "
                                                                "right now"),
                                   enabled=scanner is not None)),
                        notice=notice)
        if self.step is Step.WAIT_CARD:
            return View(title, tr("Please lay your ID card flat on the card reader below the "
                                  "screen and keep it still."),
                        actions=(Choice(OTHER_WAY, tr("Use another way"), primary=False),),
                        notice=self.notice)
        if self.step is Step.WAIT_CODE:
            return View(title, tr("Please hold the QR code on your phone, or your printed "
                                  "offline code, in front of the scanner window."),
                        actions=(Choice(OTHER_WAY, tr("Use another way"), primary=False),),
                        notice=self.notice)
        return View(title, tr(self._working_text or N_("Please wait...")), busy=True)

    # --- events -------------------------------------------------------------------------
    def choose(self, choice_id: str) -> None:
        self.notice = None
        if choice_id == AGREE:
            self.step = Step.METHOD
        elif choice_id == DECLINE:
            from kiosk.flows.base import HOME

            self._leave = HOME
        elif choice_id == BY_CARD and self._reader() is not None:
            self.step = Step.WAIT_CARD
            if self._reader().card_present:
                self._read_card()
                return
        elif choice_id == BY_CODE and self._scanner() is not None:
            self.step = Step.WAIT_CODE
        elif choice_id in (OTHER_WAY, RETRY):
            self.step = Step.METHOD
        self._changed()

    def back(self) -> bool:
        if self.step in (Step.WAIT_CARD, Step.WAIT_CODE):
            self.step, self.notice = Step.METHOD, None
        elif self.step is Step.METHOD:
            self.step, self.notice = Step.CONSENT, None
        else:
            return False
        self._changed()
        return True

    def on_card_present(self) -> None:
        if self.step is Step.WAIT_CARD:
            self._read_card()

    def on_code(self, text: str) -> None:
        if self.step is not Step.WAIT_CODE:
            return
        code = text.strip()
        if not code or len(code) > 512:
            log.info("identify: ignored a scan of %d characters", len(code))
            return
        self._work(N_("Checking your code..."),
                   lambda: ("code", {}, self.ctx.client().verify_code(code)),
                   "verify scanned code", back_to=Step.WAIT_CODE)

    # --- work ---------------------------------------------------------------------------
    def _read_card(self) -> None:
        reader = self._reader()
        if reader is None:
            self.step = Step.METHOD
            self._changed()
            return

        def job():
            card = card_payload(reader.read_card())
            return "card", card, self.ctx.client().verify_card(card)

        self._work(N_("Reading your ID card, please keep it still..."), job, "read and verify card",
                   back_to=Step.WAIT_CARD)

    def _work(self, text: str, job, doing: str, *, back_to: Step) -> None:
        self.step, self._working_text = Step.WORKING, text
        self._generation += 1
        generation = self._generation
        self._changed()

        def done(result) -> None:
            if generation != self._generation:
                return
            method, card, profile = result
            resident = ResidentIdentity(
                token=profile["resident_token"], display_name=profile["display_name"],
                id_number_masked=profile["id_number_masked"], age=int(profile.get("age", 0)),
                elderly=bool(profile.get("elderly")),
                address_area=profile.get("address_area", ""), method=method, card=card)
            self.ctx.session.data.put(RESIDENT, resident)
            self.ctx.session.identify(resident.display_name)
            log.info("identify: resident verified by %s", method)
            self._on_done()

        def failed(exc: Exception) -> None:
            if generation != self._generation:
                return
            self.step = back_to
            self.notice = explain(exc, self.ctx.session_tr(), doing)
            self._changed()

        self.ctx.runner.run(job, done, failed)

    _leave: str = ""

    def take_exit(self) -> str:
        """A pending request to leave the flow (the resident declined), once."""
        leave, self._leave = self._leave, ""
        return leave
