"""The phone step of online applications (在线申请, 一件事): how the platform reaches the
resident about the application, without making anybody type (kiosk.flows.contact).

    PHONE (one tap):  [使用您登记的手机号 138****0007]     when the platform holds one
                      [换一个号码]  -> PHONE_TYPE          standard mode only
                      [输入手机号码] -> PHONE_TYPE         standard mode, nothing registered
                      [不留手机号，继续]                    nothing registered
    PHONE_TYPE:       the numeric keypad, only ever after the resident chose to type

In 长者模式 the keypad is never offered: the registered number, or going on without one
(the form's phone field is required, and the platform accepts `no_phone`: progress is asked
at a terminal or window, the result comes by the delivery chosen later). The choice travels
as `phone_ref` / `no_phone` (docs/platform-api.md); `_values_for` carries it under
`af.CONTACT_KEYS`, which `af.payload` lifts to the body's top level.
"""

from __future__ import annotations

from common.privacy import mask_phone
from kiosk.flows import application_form as af
from kiosk.flows.application_steps import NUMPAD_OK, ApplicationSteps, State
from kiosk.flows.contact import edit_digits, spaced
from kiosk.flows.view import Choice, Line, View

USE_REGISTERED, TYPE_NUMBER, NO_PHONE = "phone:registered", "phone:type", "phone:none"
# flow.phone_way: how the phone field is answered
TYPED, REGISTERED, NONE = "typed", "registered", "none"


def phone_choices(flow: ApplicationSteps, tr) -> tuple[Choice, ...]:
    """The ways offered on the PHONE step, the no-typing ones first."""
    elderly = flow.ctx.session.elderly
    choices: list[Choice] = []
    if flow.registered is not None:
        choices.append(Choice(USE_REGISTERED, tr("Use your registered mobile number"),
                              detail=flow.registered.masked))
    if not elderly:
        choices.append(Choice(TYPE_NUMBER, tr("Type another number") if flow.registered
                              else tr("Type my mobile number"),
                              primary=flow.registered is None))
    if flow.registered is None:
        choices.append(Choice(NO_PHONE, tr("Continue without a mobile number"),
                              detail=tr("Ask about progress here or at the window"),
                              primary=elderly))
    return tuple(choices)


def render_phone(flow: ApplicationSteps, tr, title: str) -> View:
    if flow.registered is not None:
        instruction = tr("We tell you about this application by text message. Use the mobile "
                         "number you registered with the government service platform?")
    elif flow.ctx.session.elderly:
        instruction = tr("No mobile number is registered for you. You can go on without one: "
                         "ask about the progress at this terminal or at the service window.")
    else:
        instruction = tr("We tell you about this application by text message. No mobile "
                         "number is registered for you: type one, or go on without one.")
    return View(title, instruction, choices=phone_choices(flow, tr), notice=flow.notice)


def render_phone_type(flow: ApplicationSteps, tr, title: str) -> View:
    return View(title, tr("Please type your mobile phone number on the keypad. It is used "
                          "only to tell you about this application."),
                lines=(Line(spaced(flow.digits), label=tr("Mobile number"), emphasis=True),),
                widget="numpad",
                choices=(Choice(NUMPAD_OK, tr("This number is right"),
                                enabled=af.is_phone(flow.digits)),),
                notice=flow.notice)


def handle_phone(flow: ApplicationSteps, choice_id: str) -> None:
    """A tap on the PHONE or PHONE_TYPE step."""
    if flow.state is State.PHONE_TYPE:
        if choice_id == NUMPAD_OK and af.is_phone(flow.digits):
            flow.answers[af.PHONE_TYPE], flow.phone_way = flow.digits, TYPED
            flow._after_phone()
        return
    offered = {c.id for c in phone_choices(flow, flow.ctx.session_tr())}
    if choice_id not in offered:
        return
    if choice_id == TYPE_NUMBER:
        flow._go(State.PHONE_TYPE)
        return
    flow.answers.pop(af.PHONE_TYPE, None)
    flow.digits = ""
    flow.phone_way = REGISTERED if choice_id == USE_REGISTERED else NONE
    flow._after_phone()


def numpad_key(flow: ApplicationSteps, key: str) -> None:
    """A key of the keypad (screens/numpad.py), only on PHONE_TYPE."""
    if flow.state is not State.PHONE_TYPE or flow._busy:
        return
    flow.digits = edit_digits(flow.digits, key)
    flow.notice = None
    flow.changed()


def contact_values(flow: ApplicationSteps) -> dict[str, str]:
    """The phone choice for `af.payload` (lifted to `phone_ref` / `no_phone`)."""
    if flow.phone_way == REGISTERED and flow.registered is not None:
        return {af.PHONE_REF: flow.registered.ref}
    if flow.phone_way == NONE:
        return {af.NO_PHONE: "true"}
    return {}


def summary_line(flow: ApplicationSteps, tr) -> Line | None:
    """The phone line of the confirmation (masked; a screen line, never spoken)."""
    if flow.phone_way == TYPED and flow.answers.get(af.PHONE_TYPE):
        return Line(mask_phone(flow.answers[af.PHONE_TYPE]), label=tr("Mobile number"))
    if flow.phone_way == REGISTERED and flow.registered is not None:
        return Line(tr("{number} (registered)").format(number=flow.registered.masked),
                    label=tr("Mobile number"))
    if flow.phone_way == NONE:
        return Line(tr("None: ask about progress here or at the window"),
                    label=tr("Mobile number"))
    return None
