"""What each shared application step shows, and what its taps do (kiosk.flows.application_steps).

Kept apart from the state machine so each module stays small; `render_step(flow, tr)` and
`handle_step(flow, choice_id)` are called by `ApplicationSteps.render` / `.handle`.
"""

from __future__ import annotations

from typing import Any

from kiosk.flows import application_form as af
from kiosk.flows.application_phone import (handle_phone, render_phone, render_phone_type,
                                           summary_line)
from kiosk.flows.application_steps import (ANYWAY, FIX, NEXT, PHOTO_MAX_BYTES, PHOTOS, PRINT,
                                           RETRY, SUBMIT, TAKE_PHOTO, ApplicationSteps, State)
from kiosk.flows.base import home_choice, rate_choice
from kiosk.flows.id_photo import MATERIAL_KEY as ID_PHOTO
from kiosk.flows.view import Choice, Line, Notice, View
from kiosk.i18n import N_

ANSWER, DELIVER = "answer:", "deliver:"
BY_PHOTO, BY_WINDOW = "material:photo", "material:window"
USE_ID_PHOTO, TAKE_ID_PHOTO = "material:id_photo", "material:id_photo:take"


def render_step(flow: ApplicationSteps, tr) -> View:
    title = tr(flow.title)
    s = flow.state
    home = home_choice(tr)
    if s is State.NEED_CARD:
        return View(title, tr("To fill in the form for you, please put your ID card on the "
                              "card reader below the screen."),
                    choices=(home,), notice=flow.notice)
    if s is State.BLOCKED:
        return View(title, tr("This form needs details written by hand, which this terminal "
                              "cannot take yet. Please apply at the service window."),
                    lines=tuple(Line(label, label=tr("Needs writing")) for label in flow.blocked),
                    choices=(home,), notice=flow.notice)
    if s is State.REVIEW:
        lines: list[Line] = []
        for t in flow.targets:
            sh = af.share(t.form, t.values)
            lines.append(Line(tr("{filled} of {total} items filled in for you").format(
                filled=sh.filled, total=sh.total), label=t.service_name, emphasis=True))
        lines += lines_of_values(flow, tr)
        return View(title, tr("We filled in your form from your ID card and e-licences. "
                              "Please check, then continue."),
                    lines=tuple(lines), choices=(Choice(NEXT, tr("That is right, continue")),
                                                 home), notice=flow.notice)
    if s is State.QUESTION:
        q = flow.questions[flow.index]
        return View(title, tr("Please choose: {label}").format(label=q.label),
                    choices=tuple(Choice(f"{ANSWER}{i}", c) for i, c in enumerate(q.choices)),
                    notice=flow.notice)
    if s is State.PHONE:
        return render_phone(flow, tr, title)
    if s is State.PHONE_TYPE:
        return render_phone_type(flow, tr, title)
    if s is State.MATERIAL:
        return _material(flow, tr, title)
    if s is State.PHOTO:
        name = flow._open_materials()[flow.index]
        return View(title, tr("Lay the paper flat under the camera and keep it still, then "
                              "tap Take the photo."),
                    lines=(Line(name, label=tr("Material"), emphasis=True),),
                    choices=(Choice(TAKE_PHOTO, tr("Take the photo")),
                             Choice(BY_WINDOW, tr("I will bring it to the window"),
                                    primary=False)),
                    notice=flow.notice)
    if s is State.PRECHECK:
        return _precheck(flow, tr, title)
    if s is State.DELIVERY:
        field = flow._delivery_field() or {"choices": []}
        choices = []
        for i, c in enumerate(field["choices"][:6]):
            detail = tr("To the address on your ID card") if "邮寄" in c else ""
            choices.append(Choice(f"{DELIVER}{i}", c, detail=detail))
        return View(title, tr("How would you like to receive the result?"),
                    choices=tuple(choices), notice=flow.notice)
    if s is State.CONFIRM:
        return View(title, tr("Please check once more, then submit."),
                    lines=tuple(_summary(flow, tr)),
                    choices=(Choice(SUBMIT, tr("Submit the application")), home),
                    notice=flow.notice)
    return _done(flow, tr, title)


def _material(flow: ApplicationSteps, tr, title: str) -> View:
    name = flow._open_materials()[flow.index]
    camera = flow.ctx.device("camera")
    lines = [Line(tr("Taken from your e-licence"), label=m)
             for m in flow.materials if flow.decisions.get(m) == af.E_LICENCE]
    taken = name in (flow.ctx.session.data.get(PHOTOS) or {})
    no_camera = tr("The camera is not available right now")
    choices: list[Choice] = []
    if af.is_id_photo_material(name):
        if flow.ctx.session.data.get(ID_PHOTO) is not None:
            choices.append(Choice(USE_ID_PHOTO, tr("Use the ID photo taken here")))
        else:
            choices.append(Choice(TAKE_ID_PHOTO, tr("Take an ID photo here"),
                                  detail=tr("Your answers are kept") if camera else no_camera,
                                  enabled=camera is not None))
    else:
        choices.append(Choice(BY_PHOTO, tr("Photograph the paper here"),
                              detail=(tr("Photo taken") if taken else "" if camera else no_camera),
                              enabled=camera is not None))
    choices.append(Choice(BY_WINDOW, tr("I will bring it to the window"), primary=False))
    return View(title, tr("How will you provide this material: {name}?").format(name=name),
                lines=tuple(lines), choices=tuple(choices), notice=flow.notice)


def attach_id_photo(flow: ApplicationSteps) -> bool:
    """Use the session's chosen ID photo for the material on screen; False if there is none
    or the material is not an ID photo."""
    name = flow._open_materials()[flow.index]
    photo = flow.ctx.session.data.get(ID_PHOTO)
    if photo is None or not af.is_id_photo_material(name):
        return False
    photos: dict[str, Any] = flow.ctx.session.data.get(PHOTOS) or {}
    photos[name] = bytearray(photo)
    flow.ctx.session.data.put(PHOTOS, photos)
    flow.decisions[name] = af.PHOTO
    flow.notice = Notice("success", flow.tr_now(N_("Your ID photo is attached.")))
    flow._next_material()
    return True


def _precheck(flow: ApplicationSteps, tr, title: str) -> View:
    if flow.precheck_offline:
        lines: list[Line] = []
        store = flow.ctx.catalogue()
        for t in flow.targets:
            service = store.service(t.service_id) if store is not None else None
            lines.append(Line(t.service_name, emphasis=True))
            for c in service.guide.conditions if service else ():
                lines.append(Line(c, label=tr("Condition")))
            for m in service.guide.materials if service else t.form.get("materials", ()):
                lines.append(Line(m, label=tr("Material")))
        return View(title, tr("The check needs the network, which is down. This is what the "
                              "guide asks. You can still submit: it is saved and sent "
                              "automatically."),
                    lines=tuple(lines),
                    choices=(Choice(NEXT, tr("Continue")), Choice(RETRY, tr("Check again"),
                                                                  primary=False)),
                    notice=flow.notice)
    lines = []
    for name, result in flow.prechecks:
        if len(flow.prechecks) > 1:
            lines.append(Line(name, emphasis=True))
        lines += af.check_lines(result, tr)
    if flow._ready():
        return View(title, tr("Everything is ready."), lines=tuple(lines),
                    choices=(Choice(NEXT, tr("Continue")),),
                    notice=flow.notice or Notice("success", tr("The check found nothing "
                                                               "missing.")))
    bad = [af.failing(r) for _, r in flow.prechecks]
    choices = []
    if any(b["conditions"] for b in bad):
        notice = Notice("warning", tr("You may not meet a condition of this service. Please "
                                      "ask at the service window."))
    else:
        notice = Notice("warning", tr("Some items are not ready yet. Each line says why."))
        choices.append(Choice(FIX, tr("Go back and fix")))
        if flow._only_window_materials_missing():
            choices.append(Choice(ANYWAY, tr("Submit now, I will bring the papers to the "
                                             "window"), primary=False))
    choices.append(home_choice(tr))
    return View(title, tr("Some items are not ready."), lines=tuple(lines),
                choices=tuple(choices), notice=flow.notice or notice)


def _summary(flow: ApplicationSteps, tr) -> list[Line]:
    lines = [Line(t.service_name, label=tr("Service"), emphasis=True) for t in flow.targets]
    phone = summary_line(flow, tr)
    if phone is not None:
        lines.append(phone)
    for q in flow.questions:
        if flow.answers.get(q.name):
            lines.append(Line(flow.answers[q.name], label=q.label))
    if flow.answers.get(af.DELIVERY):
        lines.append(Line(flow.answers[af.DELIVERY], label=tr("Pickup or post")))
    how = {af.E_LICENCE: tr("Taken from your e-licence"), af.PHOTO: tr("Photo taken"),
           af.WINDOW: tr("Bring it to the window")}
    for m in flow.materials:
        lines.append(Line(how.get(flow.decisions.get(m, af.WINDOW), ""), label=m))
    return lines


def _done(flow: ApplicationSteps, tr, title: str) -> View:
    if flow.outcomes and all(o.accepted for o in flow.outcomes):
        notice = Notice("success", tr("Your application was received. Keep the receipt with "
                                      "the application number."))
    else:
        notice = Notice("info", tr("Your application is saved on this terminal and will be "
                                   "sent automatically when the network is back. It has not "
                                   "been received yet."))
    choices = [Choice(PRINT, tr("Print the receipt") if flow.print_failed
                      else tr("Print the receipt again"), primary=flow.print_failed),
               rate_choice(tr), home_choice(tr)]
    shown = flow.notice or notice
    return View(title, tr("What happens next is shown below."),
                lines=tuple(af.outcome_lines(flow.outcomes, tr)), choices=tuple(choices),
                notice=shown, speak=" ".join([shown.text, af.outcome_speech(flow.outcomes, tr)]))


def handle_step(flow: ApplicationSteps, choice_id: str) -> None:
    s = flow.state
    if s is State.REVIEW and choice_id == NEXT:
        flow._after_review()
    elif s is State.QUESTION and choice_id.startswith(ANSWER):
        q = flow.questions[flow.index]
        flow.answers[q.name] = q.choices[int(choice_id[len(ANSWER):])]
        if flow.index + 1 < len(flow.questions):
            flow._go(State.QUESTION, flow.index + 1)
        else:
            flow._after_questions()
    elif s in (State.PHONE, State.PHONE_TYPE):
        handle_phone(flow, choice_id)
    elif s is State.MATERIAL and choice_id == USE_ID_PHOTO:
        attach_id_photo(flow)
    elif s is State.MATERIAL and choice_id == TAKE_ID_PHOTO and flow.ctx.device("camera"):
        flow.ctx.extras["return_to"] = flow.name  # the ID photo flow hands back, answers kept
        flow.leave_to = "id_photo"
    elif s is State.MATERIAL and choice_id == BY_PHOTO and flow.ctx.device("camera"):
        flow._go(State.PHOTO, flow.index)
    elif s in (State.MATERIAL, State.PHOTO) and choice_id == BY_WINDOW:
        flow.decisions[flow._open_materials()[flow.index]] = af.WINDOW
        flow._next_material()
    elif s is State.PHOTO and choice_id == TAKE_PHOTO:
        _take_photo(flow)
    elif s is State.PRECHECK and choice_id == NEXT and flow._ready():
        flow._after_precheck()
    elif s is State.PRECHECK and choice_id == RETRY:
        flow._precheck()
    elif s is State.PRECHECK and choice_id == FIX:
        flow._fix()
    elif s is State.PRECHECK and choice_id == ANYWAY and flow._only_window_materials_missing():
        flow._after_precheck()
    elif s is State.DELIVERY and choice_id.startswith(DELIVER):
        field = flow._delivery_field()
        flow.answers[af.DELIVERY] = field["choices"][int(choice_id[len(DELIVER):])]
        flow._precheck()
    elif s is State.CONFIRM and choice_id == SUBMIT:
        flow._submit()
    elif s is State.DONE and choice_id == PRINT:
        flow._print()


def _take_photo(flow: ApplicationSteps) -> None:
    camera = flow.ctx.device("camera")
    name = flow._open_materials()[flow.index]
    if camera is None:
        flow.notice = Notice("warning", flow.tr_now(N_(
            "The camera is not available right now. You can bring the paper to the window.")))
        return

    def job() -> bytes:
        from hardware.camera.jpeg import encode_jpeg

        return encode_jpeg(camera.capture_still(), PHOTO_MAX_BYTES)

    def done(jpeg: bytes) -> None:
        photos: dict[str, Any] = flow.ctx.session.data.get(PHOTOS) or {}
        photos[name] = bytearray(jpeg)
        flow.ctx.session.data.put(PHOTOS, photos)
        flow.decisions[name] = af.PHOTO
        flow.notice = Notice("success", flow.tr_now(N_("Photo taken.")))
        flow._next_material()

    flow.run(job, done, doing="photograph a material", busy_text=N_("Taking the photo..."))


def lines_of_values(flow: ApplicationSteps, tr) -> list[Line]:
    """What was filled in, masked, once per field (first form wins)."""
    seen: set[str] = set()
    lines: list[Line] = []
    for t in flow.targets:
        for f in t.form.get("fields", ()):
            value = t.values.get(f["name"])
            if not value or f["name"] in seen:
                continue
            seen.add(f["name"])
            shown = af.shown_value(f["name"], value) or tr("Filled in from your ID card")
            lines.append(Line(shown, label=f["label"]))
    return lines
