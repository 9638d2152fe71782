"""帮办: ask for a person, from every screen (the bar's 求助 button opens this flow).

    MENU (whom to call, and three requests) -> [call_back: PHONE on the numpad] -> SENT
                                  (not saved: the same view with a notice and "try again")

The first view keeps what the foundation's help screen showed (the station's staff, the
support contact, opening hours, terminal number), so a resident can always just call.
A request goes through the outbox (`help_request` -> `POST /help-requests`): it is saved
on the terminal before the resident is told anything, then the job waits a few seconds for
the platform's answer, whose `expected_response` says what happens next. Offline (or no
answer in time) the resident is told it is saved and sent later, and to ask the staff.
Only a call-back carries personal data (the phone number): then the item is encrypted.
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
from kiosk.flows.view import Choice, Line, View
from kiosk.i18n import N_

ASSISTANCE, CALL_BACK, DEVICE_PROBLEM = "assistance", "call_back", "device_problem"
ASK = "help:"
PHONE_OK, RETRY = "help:phone_ok", "help:retry"
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
    PHONE = "phone"
    SENT = "sent"


class HelpFlow(Flow):
    name = "help"
    title = N_("Need help?")
    tile = False  # the bar's help button opens it on every screen

    def reset(self) -> None:
        self.state = State.MENU
        self.kind = ""
        self.digits = ""        # personal: the phone number typed for a call-back
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
                        choices=tuple(Choice(f"{ASK}{kind}", tr(label), tr(detail))
                                      for kind, (label, detail, _zh) in KINDS.items())
                        + (home_choice(tr),),
                        notice=self.notice)
        if self.state is State.PHONE:
            shown = " ".join([self.digits[:3], self.digits[3:7], self.digits[7:]]).strip()
            return View(title, tr("Please type your mobile phone number on the keypad. It is "
                                  "used only to call you back."),
                        lines=(Line(shown or "-", label=tr("Mobile number"), emphasis=True),),
                        widget="numpad",
                        choices=(Choice(PHONE_OK, tr("This number is right"),
                                        enabled=is_phone(self.digits)),),
                        notice=self.notice)
        return self._sent_view(tr)

    def _failed_view(self, tr, title: str) -> View:
        return View(title, tr("Your request could not be saved."),
                    lines=self._contact_lines(tr),
                    choices=(Choice(RETRY, tr("Try again")), home_choice(tr)),
                    notice=self.notice)

    def _sent_view(self, tr) -> View:
        lines: list[Line] = [Line(tr(KINDS[self.kind][0]), label=tr("Your request"),
                                  emphasis=True)]
        if self.digits:
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
        lines += self._contact_lines(tr)
        return View(title, tr("Thank you. You can go back to the home page now."),
                    lines=tuple(lines), choices=(home_choice(tr),), notice=self.notice)

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
                self.state = State.PHONE
            else:
                self._submit()
        elif self.state is State.PHONE and choice_id == PHONE_OK and not self.failed:
            if is_phone(self.digits):
                self._submit()

    def numpad_key(self, key: str) -> None:
        """A key of the numeric keypad (screens/numpad.py)."""
        if self.state is not State.PHONE or self._busy or self.failed:
            return
        if key == "del":
            self.digits = self.digits[:-1]
        elif key == "clear":
            self.digits = ""
        elif key.isdigit() and len(self.digits) < 11:
            self.digits += key
        self.notice = None
        self.changed()

    def step_back(self) -> bool:
        if self.failed:
            self.failed = False
            return True
        if self.state is State.PHONE:
            self.state, self.digits = State.MENU, ""
            return True
        return False

    def _submit(self) -> None:
        self.key = self.key or f"help-{uuid.uuid4().hex}"  # once; a retry reuses it
        payload: dict[str, Any] = {"kind": self.kind, "message": KINDS[self.kind][2]}
        if self.kind == CALL_BACK:
            payload["phone"] = self.digits
        key, personal = self.key, "phone" in payload
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
