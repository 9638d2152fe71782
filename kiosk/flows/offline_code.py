"""离线码: print the offline code that identifies a resident without a phone, for residents
60 and over, under 18, or disabled (the platform decides).

    (identify) -> ask (GET /offline-codes/eligibility)
        not eligible -> NOT_ELIGIBLE (who can have one; ID card, 随申码 or a window instead)
        identified with an offline code -> NEEDS_CARD (identify again with card / 随申码)
        eligible -> CONFIRM (what it is for, valid until, replaces the code in force)
    CONFIRM -print-> printer asked, then POST /offline-codes (Idempotency-Key made once
        per confirmation) -> print the slip -> DONE (rate / home; "print again" only when
        the printer did not confirm)
    printing fails -> UNPRINTED (try printing again: the *same* code; help; home)
    the platform cannot be reached -> FAILED (try again / home); nothing is queued

The issued code is personal (its token is a credential): it lives in SessionData, never
in this object, so it is wiped with the session; re-entering the flow in the same session
with a code not yet printed goes straight to UNPRINTED instead of issuing another one.
The code is never shown on screen (a bystander could photograph it), spoken or logged; the
screen does not say *why* a resident is eligible either (a disability is nobody else's
business): the reason is printed on the resident's own slip only.
"""

from __future__ import annotations

import enum
import logging
import uuid
from typing import Any

from kiosk.connectivity import LinkState
from kiosk.flows.base import Flow
from kiosk.flows.identify import forget_resident
from kiosk.flows.offline_code_data import (NEEDS_CARD, IssuedCode, Offer, Refusal,
                                           check_printer, fetch_offer, issue_code, slip_receipt)
from kiosk.flows.view import Notice, View
from kiosk.i18n import N_

log = logging.getLogger("kiosk.flows")

PRINT, REPRINT, RETRY = "olc:print", "olc:reprint", "olc:retry"
HELP, REIDENTIFY = "olc:help", "olc:reidentify"
PENDING = "offline_code"   # SessionData key: the issued code not printed yet, and whose
PRINT_LANGUAGE = "zh_CN"


class State(enum.Enum):
    FAILED = "failed"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_CARD = "needs_card"
    CONFIRM = "confirm"
    UNPRINTED = "unprinted"
    DONE = "done"


class OfflineCodeFlow(Flow):
    name = "offline_code"
    title = N_("Offline code")
    requires = ("printer", "card_reader|scanner")
    needs_identity = True

    def reset(self) -> None:
        self.state = State.FAILED
        self.offer: Offer | None = None
        self.key = ""            # Idempotency-Key of the confirmed issue, kept for retries
        self.confirmed = True    # the printer confirmed the last print
        self.valid_until = None  # of the code printed (DONE); a date is not personal
        self.prints = 0
        self._retry = self._load

    # --- the code not yet printed, in SessionData -------------------------------------
    def _pending(self) -> IssuedCode | None:
        """The code issued in this session and not printed yet, if it is this resident's."""
        held = self.ctx.session.data.get(PENDING) or {}
        resident = self.resident()
        if resident is None or held.get("holder_id") != resident.id_number_masked:
            return None
        return held.get("code")

    def _keep(self, code: IssuedCode | None) -> None:
        """Hold `code` in SessionData until printed (None: drop it)."""
        resident = self.resident()
        self.ctx.session.data.put(PENDING, {"code": code, "holder_id": resident.id_number_masked}
                                  if code is not None and resident is not None else None)

    # --- asking and issuing -----------------------------------------------------------
    def entered(self) -> None:
        if self._pending() is not None:
            log.info("offline_code: an issued code is not printed yet; offering to print it")
            self.state = State.UNPRINTED
            return
        self._load()

    def _load(self) -> None:
        token = self.resident().token
        self._retry = self._load

        def done(offer: Offer) -> None:
            self.offer = offer
            if not offer.eligible or offer.valid_until is None:
                self.state = State.NOT_ELIGIBLE
            elif offer.identified_by_offline_code:
                self.state = State.NEEDS_CARD
            else:
                self.state = State.CONFIRM
            log.info("offline_code: eligibility answered: %s", self.state.value)

        self.run(lambda: fetch_offer(self.ctx.client(), token), done,
                 doing="ask offline code eligibility",
                 busy_text=N_("Checking whether an offline code can be printed for you..."),
                 failed=self._failed)

    def _issue(self) -> None:
        tr = self.ctx.session_tr()
        printer = self.ctx.device("printer")
        if printer is None:
            self.state = State.CONFIRM
            self.notice = Notice("warning", tr(
                "The printer is not ready at the moment, so no code has been made. Please "
                "try again in a little while, or ask the staff for help."))
            log.info("offline_code: no usable printer; nothing issued")
            return
        token = self.resident().token
        self.key = self.key or f"olc-{uuid.uuid4()}"
        key, self._retry = self.key, self._issue

        def job() -> IssuedCode | Refusal:
            check_printer(printer)
            return issue_code(self.ctx.client(), token, key)

        def done(result: IssuedCode | Refusal) -> None:
            if isinstance(result, Refusal):
                self.key = ""
                self.state = (State.NEEDS_CARD if result.code == NEEDS_CARD
                              else State.NOT_ELIGIBLE)
                log.info("offline_code: issue refused: %s", result.code)
                return
            self._keep(result)
            log.info("offline_code: code issued, valid until %s, replaced one in force: %s",
                     result.valid_until.isoformat(), result.replaced_previous)
            self._print()

        def failed(_notice: Notice) -> None:
            if self.known_offline():  # the key stays: "try again" replays, never issues twice
                self.state = State.FAILED
            # else (the printer is not ready, another refusal): CONFIRM with the notice

        self.state = State.CONFIRM
        self.run(job, done, doing="issue offline code",
                 busy_text=N_("Making your offline code..."), failed=failed)

    def _failed(self, _notice: Notice) -> None:
        self.state = State.FAILED

    def known_offline(self) -> bool:
        return self.ctx.connectivity.status.state is LinkState.OFFLINE

    # --- printing -----------------------------------------------------------------------
    def _print(self) -> None:
        code = self._pending()
        if code is None:
            return
        tr = self.ctx.session_tr()
        printer = self.ctx.device("printer")
        if printer is None:
            self.state = State.UNPRINTED
            self.notice = Notice("warning", tr(
                "The printer is not ready at the moment. Your code is kept: try again in a "
                "little while, or ask the staff for help."))
            log.warning("offline_code: no usable printer; the issued code is kept for a reprint")
            return
        receipt = slip_receipt(code, self._print_tr(), terminal_id=self.ctx.terminal_id,
                               at=self.ctx.wall_clock())
        self.prints += 1
        attempt = self.prints

        def done(result: Any) -> None:
            self.confirmed = bool(getattr(result, "confirmed", True))
            self.valid_until, self.state = code.valid_until, State.DONE
            if self.confirmed:
                self._keep(None)  # on paper now: the session no longer needs it
            log.info("offline_code: slip printed (attempt %d), confirmed: %s", attempt,
                     self.confirmed)

        def failed(_notice: Notice) -> None:
            self.state = State.UNPRINTED
            log.warning("offline_code: printing failed (attempt %d); the issued code is kept "
                        "for a reprint", attempt)

        self.run(lambda: printer.print_receipt(receipt), done, doing="print offline code",
                 failed=failed, busy_text=N_("Printing your offline code..."))

    def _print_tr(self):
        translator = self.ctx.translator
        if translator is None:
            return self.ctx.session_tr()
        return translator.gettext_for(PRINT_LANGUAGE)

    # --- events -------------------------------------------------------------------------
    def handle(self, choice_id: str) -> None:
        if choice_id == PRINT and self.state is State.CONFIRM:
            self._issue()
        elif choice_id == REPRINT and self.state in (State.UNPRINTED, State.DONE):
            if self.state is State.DONE and self._pending() is None:
                return  # printed and confirmed: a second copy of a credential is not offered
            self._print()
        elif choice_id == RETRY and self.state is State.FAILED:
            self._retry()
        elif choice_id == REIDENTIFY and self.state is State.NEEDS_CARD:
            forget_resident(self.ctx.session)
            self.start()
        elif choice_id == HELP:
            self.leave_to = "help"

    def step_back(self) -> bool:
        if self.state is State.UNPRINTED:
            log.warning("offline_code: left with an issued code not printed (kept until the "
                        "session ends)")
        return False

    # --- rendering ----------------------------------------------------------------------
    def render(self, tr) -> View:
        from kiosk.flows.offline_code_views import render

        return render(self, tr)
