"""帮办: ask for a person, from every screen (the bar's 求助 button opens this flow).

    MENU (whom to call, and three requests) -> [call_back: PHONE] -> SENT
                                  (not saved: the same view with a notice and "try again")

A call-back needs a number, and nobody has to type it (kiosk.flows.contact): when the
resident has identified in this session and the platform holds a registered mobile
number, PHONE offers "call my registered number" first (the platform resolves its
`phone_ref`), and "type another number" (PHONE_TYPE, the keypad) only in standard mode. In
长者模式 the keypad is never offered: without a registered number PHONE offers the staff
coming to the terminal instead, and shows the support line to call. In standard mode with
nothing registered the call-back goes straight to the keypad, as its button says.

The first view keeps what the foundation's help screen showed (the station's staff, the
support contact, opening hours, terminal number), so a resident can always just call.
A request goes through the outbox (`help_request` -> `POST /help-requests`): it is saved
on the terminal before the resident is told anything, then the job waits a few seconds for
the platform's answer, whose `expected_response` says what happens next. Offline (or no
answer in time) the resident is told it is saved and sent later, and to ask the staff.
Only a call-back carries personal data (the number or its ref): then the item is encrypted.
No home tile (`tile = False`): the bar and the home screen's help button open it.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from common.privacy import mask_phone
from kiosk.connectivity import LinkState
from kiosk.flows.application_form import is_phone
from kiosk.flows.base import Flow, home_choice
from kiosk.flows.contact import (RegisteredPhone, ask_registered_phone, edit_digits,
                                 known_registered_phone, remember_registered_phone, spaced)
from kiosk.flows.identify import current_resident
from kiosk.flows.view import Choice, Line, View
from kiosk.i18n import N_

ASSISTANCE, CALL_BACK, DEVICE_PROBLEM = "assistance", "call_back", "device_problem"
ASK = "help:"
PHONE_OK, RETRY = "help:phone_ok", "help:retry"
USE_REGISTERED, TYPE_NUMBER = "help:registered", "help:type"
WAIT_S = 3.0  # how long the job waits for the platform's answer before saying "saved"

# kind -> (button msgid, button detail msgid, message for the staff in Chinese)
KINDS: dict[str, tuple[str, str, str]] = {
    ASSISTANCE: (N_("Ask the staff to come and help me"),
                 N_("A member of staff comes to this terminal"),
                 "居民在自助终端前请求工作人员现场协助。"),
    CALL_BACK: (N_("Ask the staff to call me back"),
                N_("Type your phone number on the next screen"),
                "居民请求工作人员回电。"),
    DEVICE_PROBLEM: (N_("Something is wrong with this terminal"),
                     N_("The staff are told to check it"),
                     "居民报告自助终端设备有问题。"),
}


class State(enum.Enum):
    MENU = "menu"
    PHONE = "phone"            # how to reach you: registered number, or the staff come here
    PHONE_TYPE = "phone_type"  # the keypad, in standard mode only
    SENT = "sent"


class HelpFlow(Flow):
    name = "help"
    title = N_("Need help?")
    tile = False  # the bar's help button opens it on every screen

    def reset(self) -> None:
        self.state = State.MENU
        self.kind = ""
        self.digits = ""        # personal: the phone number typed for a call-back
        self.registered: RegisteredPhone | None = None   # personal (masked + ref)
        self.use_registered = False
        self._phone_menu = False  # PHONE was shown before the keypad (where Back goes)
        self.key = ""
        self.answer: dict[str, Any] | None = None
        self.failed = False

    # --- views ------------------------------------------------------------------------
    def _contact_lines(self, tr) -> tuple[Line, ...]:
        lines = [Line(tr("Please ask the staff of this service station, or call:")),
                 Line(self.ctx.support_contact, emphasis=True)]
        if self.ctx.service_hours:
            lines.append(Line(tr("Open: {hours}").format(hours=self.ctx.service_hours)))
        lines.append(Line(tr("Terminal number: {id}").format(id=self.ctx.terminal_id)))
        return tuple(lines)

    def render(self, tr) -> View:
        title = tr(self.title)
        if self.failed:
            return self._failed_view(tr, title)
        if self.state is State.MENU:
            return View(title, tr("We can tell the staff for you. Please tap what you need."),
                        lines=self._contact_lines(tr),
                        choices=tuple(Choice(f"{ASK}{kind}", tr(label),
                                             self._call_back_detail(tr) if kind == CALL_BACK
                                             else tr(detail))
                                      for kind, (label, detail, _zh) in KINDS.items())
                        + (home_choice(tr),),
                        notice=self.notice)
        if self.state is State.PHONE:
            return self._phone_view(tr, title)
        if self.state is State.PHONE_TYPE:
            return View(title, tr("Please type your mobile phone number on the keypad. It is "
                                  "used only to call you back."),
                        lines=(Line(spaced(self.digits), label=tr("Mobile number"),
                                    emphasis=True),),
                        widget="numpad",
                        choices=(Choice(PHONE_OK, tr("This number is right"),
                                        enabled=is_phone(self.digits)),),
                        notice=self.notice)
        return self._sent_view(tr)

    def _call_back_detail(self, tr) -> str:
        """What the call-back button promises, true to what the next screen offers."""
        resident = current_resident(self.ctx.session)
        asked, phone = ((False, None) if resident is None else
                        known_registered_phone(self.ctx.session, resident.token))
        if phone is not None:
            return tr("We call the mobile number you registered")
        if self.ctx.session.elderly:
            return tr("No typing needed: the next screen shows how")
        if resident is not None and not asked:
            return tr("Your registered number, or type one on the next screen")
        return tr(KINDS[CALL_BACK][1])

    def _phone_view(self, tr, title: str) -> View:
        choices: list[Choice] = []
        if self.registered is not None:
            instruction = tr("The staff can call the mobile number you registered with the "
                             "government service platform.")
            choices.append(Choice(USE_REGISTERED, tr("Call my registered mobile number"),
                                  detail=self.registered.masked))
        else:
            instruction = tr("No number needs typing here. A member of staff can come to this "
                             "terminal, or you can call the number below yourself.")
            choices.append(Choice(f"{ASK}{ASSISTANCE}", tr("Ask the staff to come here "
                                                          "instead"),
                                  detail=tr(KINDS[ASSISTANCE][1])))
        if not self.ctx.session.elderly:
            choices.append(Choice(TYPE_NUMBER, tr("Type another number") if self.registered
                                  else tr("Type my mobile number"), primary=False))
        return View(title, instruction, lines=self._contact_lines(tr),
                    choices=tuple(choices) + (home_choice(tr),), notice=self.notice)

    def _failed_view(self, tr, title: str) -> View:
        return View(title, tr("Your request could not be saved."),
                    lines=self._contact_lines(tr),
                    choices=(Choice(RETRY, tr("Try again")), home_choice(tr)),
                    notice=self.notice)

    def _sent_view(self, tr) -> View:
        lines: list[Line] = [Line(tr(KINDS[self.kind][0]), label=tr("Your request"),
                                  emphasis=True)]
        if self.kind == CALL_BACK and self.use_registered and self.registered is not None:
            lines.append(Line(tr("{number} (registered)").format(
                number=self.registered.masked), label=tr("Mobile number")))
        elif self.digits:
            lines.append(Line(mask_phone(self.digits), label=tr("Mobile number")))
        expected = (self.answer or {}).get("expected_response", "")
        if self.answer is not None:
            title = tr("Your request has been sent")
            lines.append(Line(expected or tr("The staff will contact you as soon as "
                                             "possible."), label=tr("What happens next"),
                              emphasis=True))
        else:
            title = tr("Your request has been saved")
            lines.append(Line(tr("It will be sent automatically when the network is back. "
                                 "You can also go to the staff of this service station "
                                 "directly."), label=tr("What happens next"), emphasis=True))
        if self.kind == ASSISTANCE:
            lines.append(Line(tr("If you can, please stay near this terminal.")))
        # Read aloud: what happens next, never the (masked) number
        speak = " ".join([title] + [ln.text for ln in lines if ln.label == tr("What happens next")
                                   or (self.kind == ASSISTANCE and not ln.label)][:2])
        lines += self._contact_lines(tr)
        return View(title, tr("Thank you. You can go back to the home page now."),
                    lines=tuple(lines), choices=(home_choice(tr),), notice=self.notice,
                    speak=speak)

    # --- events -----------------------------------------------------------------------
    def handle(self, choice_id: str) -> None:
        if choice_id == RETRY:
            if self.failed:
                self._submit()
        elif self.state is State.MENU and choice_id.startswith(ASK):
            kind = choice_id[len(ASK):]
            if kind not in KINDS:
                return
            self.kind, self.key, self.failed = kind, "", False
            if kind == CALL_BACK:
                self._call_back()
            else:
                self._submit()
        elif self.state is State.PHONE and not self.failed:
            self._phone_choice(choice_id)
        elif self.state is State.PHONE_TYPE and choice_id == PHONE_OK and not self.failed:
            if is_phone(self.digits):
                self.use_registered = False
                self._submit()

    def _call_back(self) -> None:
        """Find the resident's registered number (asked once per identification), then PHONE,
        or the keypad at once in standard mode when there is none to offer."""
        resident = current_resident(self.ctx.session)
        asked, self.registered = ((True, None) if resident is None else
                                  known_registered_phone(self.ctx.session, resident.token))
        if asked or self.ctx.connectivity.status.state is LinkState.OFFLINE:
            self._to_phone()
            return
        token = resident.token

        def done(result: tuple[bool, RegisteredPhone | None]) -> None:
            answered, self.registered = result
            if answered:
                remember_registered_phone(self.ctx.session, token, self.registered)
            self._to_phone()

        self.run(lambda: ask_registered_phone(self.ctx.client(), token), done,
                 doing="look up the registered mobile number")

    def _to_phone(self) -> None:
        typing_only = self.registered is None and not self.ctx.session.elderly
        self._phone_menu = not typing_only
        self.state = State.PHONE_TYPE if typing_only else State.PHONE

    def _phone_choice(self, choice_id: str) -> None:
        if choice_id == USE_REGISTERED and self.registered is not None:
            self.use_registered, self.digits = True, ""
            self._submit()
        elif choice_id == TYPE_NUMBER and not self.ctx.session.elderly:
            self.state = State.PHONE_TYPE
        elif choice_id == f"{ASK}{ASSISTANCE}" and self.registered is None:
            self.kind, self.key = ASSISTANCE, ""  # the staff come here instead of calling
            self._submit()

    def numpad_key(self, key: str) -> None:
        """A key of the numeric keypad (screens/numpad.py), only on PHONE_TYPE."""
        if self.state is not State.PHONE_TYPE or self._busy or self.failed:
            return
        self.digits = edit_digits(self.digits, key)
        self.notice = None
        self.changed()

    def step_back(self) -> bool:
        if self.failed:
            self.failed = False
            return True
        if self.state is State.PHONE_TYPE and self._phone_menu:
            self.state, self.digits = State.PHONE, ""
            return True
        if self.state in (State.PHONE, State.PHONE_TYPE):
            self.state, self.digits, self.registered = State.MENU, "", None
            return True
        return False

    def _submit(self) -> None:
        self.key = self.key or f"help-{uuid.uuid4().hex}"  # once; a retry reuses it
        payload: dict[str, Any] = {"kind": self.kind, "message": KINDS[self.kind][2]}
        if self.kind == CALL_BACK and self.use_registered and self.registered is not None:
            payload["phone_ref"] = self.registered.ref   # the platform puts the number in
        elif self.kind == CALL_BACK:
            payload["phone"] = self.digits
        key, personal = self.key, "phone" in payload or "phone_ref" in payload
        offline = self.ctx.connectivity.status.state is LinkState.OFFLINE

        def job() -> dict[str, Any] | None:
            submitter = self.ctx.submitter()
            submitter.submit("help_request", payload, personal=personal, key=key)
            waiter = getattr(submitter, "wait_delivered", None)  # absent: sent later
            if waiter is None or offline:
                return None
            return waiter(key, WAIT_S)

        def done(answer: dict[str, Any] | None) -> None:
            self.answer, self.failed, self.state = answer, False, State.SENT

        self.failed = False
        self.run(job, done, doing="save help request",
                 busy_text=N_("Sending your request to the staff..."),
                 failed=lambda _notice: setattr(self, "failed", True))
