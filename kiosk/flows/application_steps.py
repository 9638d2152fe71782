"""The steps every online application shares, for one service (在线申请) or several (一件事).

    (chosen) -> [NEED_CARD] -> loading forms + e-licences -> REVIEW (what was filled in)
      -> QUESTION* (required choices, one per screen)
      -> PHONE (the registered number, or none; [-> PHONE_TYPE keypad] only when chosen,
         never in 长者模式: kiosk.flows.application_phone)
      -> MATERIAL* (e-licence / photograph / bring to the window) [-> PHOTO]
      -> DELIVERY (pickup or post: a required field the pre-check looks at, so asked first)
      -> pre-check -> PRECHECK (each item with its reason; not ready -> back to fix)
      -> CONFIRM -> submit through the outbox -> DONE (receipt)

A subclass chooses what to apply for and calls `begin(service_ids, questions)`. Answers
given once count for every service (nothing is asked twice). The card's particulars fill
the forms; a resident identified by code puts the card on the reader once (NEED_CARD).
Personal values live in flow attributes cleared by `reset()`, photos in SessionData.
Submissions go through the durable outbox with a key made once at confirmation; the job then
waits briefly for the platform's answer: a 受理回执 with the 办件编号 when it came, otherwise
a slip saying the application is saved and will be sent automatically.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import Any

from kiosk.flows import application_form as af
from kiosk.flows.base import Flow
from kiosk.flows.contact import (RegisteredPhone, ask_registered_phone,
                                 known_registered_phone, remember_registered_phone)
from kiosk.flows.identify import card_payload
from kiosk.flows.view import Notice, View
from kiosk.i18n import N_
from kiosk.platform_errors import PlatformUnavailableError

log = logging.getLogger("kiosk.flows")

PHOTOS = "application.photos"   # SessionData key: material name -> JPEG bytes (bytearray)
NEXT, FIX, ANYWAY, SUBMIT, RETRY, PRINT = ("app:next", "app:fix", "app:anyway", "app:submit",
                                          "app:retry", "app:print")
NUMPAD_OK, NUMPAD_CLEAR = "numpad:ok", "numpad:clear"
TAKE_PHOTO = "photo:take"
PHOTO_MAX_BYTES = 400_000


class State(enum.Enum):
    CATEGORY = "category"      # apply: which kind of service
    SERVICE = "service"        # apply: which service
    BUNDLE = "bundle"          # bundles: which 一件事
    NEED_CARD = "need_card"
    BLOCKED = "blocked"        # a required free-text field: the window does it
    REVIEW = "review"
    QUESTION = "question"
    PHONE = "phone"            # how to be reached: registered number / none / type one
    PHONE_TYPE = "phone_type"  # the keypad, after the resident chose to type
    MATERIAL = "material"
    PHOTO = "photo"
    PRECHECK = "precheck"
    DELIVERY = "delivery"
    CONFIRM = "confirm"
    DONE = "done"


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    choices: tuple[str, ...]


@dataclass
class Target:
    service_id: str
    service_name: str
    form: dict[str, Any]
    values: dict[str, str] = field(default_factory=dict, repr=False)


class ApplicationSteps(Flow):
    """Base of ApplyFlow and BundlesFlow. Subclasses: `first_state`, `render_choose`,
    `handle_choose` (and `bundle_title`)."""

    needs_identity = True
    first_state = State.CATEGORY
    delivery_wait_s = 3.0      # how long the job waits for the platform's answer

    # --- state ----------------------------------------------------------------------------
    def reset(self) -> None:
        self.state = self.first_state
        self._history: list[tuple[State, int]] = []
        self.index = 0                       # question / material index in its state
        self.targets: list[Target] = []
        self.licences: list[dict[str, Any]] = []
        self.questions: list[Question] = []
        self.answers: dict[str, str] = {}    # shared answers (questions, phone, delivery)
        self.digits = ""
        self.phone_way = ""                  # application_phone: typed / registered / none
        self.registered: RegisteredPhone | None = None
        self.materials: list[str] = []       # required materials, each once
        self.decisions: dict[str, str] = {}  # material -> E_LICENCE / PHOTO / WINDOW
        self.prechecks: list[tuple[str, dict[str, Any]]] = []
        self.precheck_offline = False
        self.blocked: list[str] = []
        self.keys: dict[str, str] = {}       # service id -> idempotency key (made at confirm)
        self.outcomes: list[af.Outcome] = []
        self.print_failed = False
        self._pending: list[str] = []
        self._extra: list[Question] = []
        self._submitted_at = 0.0
        photos = self.ctx.session.data.get(PHOTOS)
        if photos:
            for data in photos.values():
                data[:] = b"\x00" * len(data)
            photos.clear()

    def _go(self, state: State, index: int = 0) -> None:
        self._history.append((self.state, self.index))
        self.state, self.index = state, index

    def step_back(self) -> bool:
        if self.state is State.DONE or not self._history:
            return False
        self.state, self.index = self._history.pop()
        return True

    def tr_now(self, msgid: str) -> str:
        """A msgid (marked with N_) in the session's language, for notices set in jobs."""
        return self.ctx.session_tr()(msgid)

    def rating_subject(self) -> dict:
        subject = {"flow": self.name}
        if self.targets:
            subject["service_id"] = self.targets[0].service_id
        if self.outcomes and self.outcomes[0].accepted:
            subject["application_id"] = self.outcomes[0].answer.get("id", "")
        return subject

    # --- starting -------------------------------------------------------------------------
    def begin(self, service_ids: list[str], questions: list[Question] | tuple = ()) -> None:
        self._pending, self._extra = list(service_ids), list(questions)
        if not self.resident().card.get("id_number"):
            self._go(State.NEED_CARD)
            return
        self._load()

    def on_card_present(self) -> None:
        if self.state is State.NEED_CARD and not self._busy and self._identify is None:
            self._read_card()
        else:
            super().on_card_present()

    def _read_card(self) -> None:
        reader = self.ctx.device("card_reader")
        if reader is None:
            self.notice = Notice("warning", self.tr_now(N_(
                "The card reader is not available right now. Please apply at the window.")))
            self.changed()
            return
        resident = self.resident()

        def read():
            return card_payload(reader.read_card())

        def done(card: dict[str, Any]) -> None:
            from common.privacy import mask_id_number

            if mask_id_number(card["id_number"]) != resident.id_number_masked:
                log.info("%s: the card on the reader is not the identified resident's",
                         self.name)
                self.notice = Notice("warning", self.tr_now(N_(
                    "This card does not belong to the person who identified. Please put "
                    "your own ID card on the reader.")))
                return
            resident.card.update(card)
            self._load()

        self.run(read, done, doing="read card for the form",
                 busy_text=N_("Reading your ID card, please keep it still..."))

    def _load(self) -> None:
        token, ids = self.resident().token, list(self._pending)
        asked, phone = known_registered_phone(self.ctx.session, token)

        def job():
            client = self.ctx.client()
            forms = [client.get(f"/services/{sid}/form") for sid in ids]
            licences = client.get("/licences", resident_token=token)
            wants_phone = any(f["type"] == af.PHONE_TYPE for form in forms
                              for f in form.get("fields", ()))
            if wants_phone and not asked:  # once per identification (SessionData)
                return (forms, licences, *ask_registered_phone(client, token))
            return forms, licences, False, phone

        self.run(job, self._loaded, doing="load application forms",
                 busy_text=N_("Preparing your form..."))

    def _loaded(self, result) -> None:
        forms, licences, answered, self.registered = result
        resident = self.resident()
        if answered:
            remember_registered_phone(self.ctx.session, resident.token, self.registered)
        card = resident.card
        self.licences = list(licences)
        self.targets = []
        names = {sid: sid for sid in self._pending}
        store = self.ctx.catalogue()
        for form in forms:
            sid = form["service_id"]
            service = store.service(sid) if store is not None else None
            name = service.name if service is not None else form.get("title", names[sid])
            values = af.prefill(form, card, self.licences)
            share = af.share(form, values)
            log.info("%s: form %s prefilled %d/%d (%d%%)", self.name, sid, share.filled,
                     share.total, share.percent)
            self.targets.append(Target(sid, name, form, values))
        self._plan()
        if self.state is State.NEED_CARD and self._history:
            self.state, self.index = self._history.pop()  # back skips the card step
        self._go(State.BLOCKED if self.blocked else State.REVIEW)

    def _plan(self) -> None:
        """Questions, phone and materials still open across all forms, each once."""
        self.questions, self.blocked, self.materials = list(self._extra), [], []
        asked = {q.name for q in self.questions}
        for t in self.targets:
            for f in af.open_fields(t.form, t.values):
                name = f["name"]
                if name in asked or name == af.DELIVERY or f["type"] == af.PHONE_TYPE:
                    continue
                choices = tuple(f.get("choices") or af.COMMON_ANSWERS.get(name, ()))
                if f["type"] == "choice" or choices:
                    self.questions.append(Question(name, f["label"], choices[:6]))
                    asked.add(name)
                elif f["label"] not in self.blocked:
                    self.blocked.append(f["label"])
            for m in t.form.get("materials", ()):
                if m not in self.materials:
                    self.materials.append(m)
        for m in self.materials:
            if af.licence_for(m, self.licences) is not None:
                self.decisions[m] = af.E_LICENCE

    def _needs_phone(self) -> bool:
        return any(f["type"] == af.PHONE_TYPE and not t.values.get(f["name"])
                   for t in self.targets for f in t.form.get("fields", ()))

    def _delivery_field(self) -> dict[str, Any] | None:
        for t in self.targets:
            for f in t.form.get("fields", ()):
                if f["name"] == af.DELIVERY and f.get("choices"):
                    return f
        return None

    def _open_materials(self) -> list[str]:
        return [m for m in self.materials if self.decisions.get(m) != af.E_LICENCE]

    # --- moving forward -------------------------------------------------------------------
    def _after_review(self) -> None:
        if self.questions:
            self._go(State.QUESTION, 0)
        else:
            self._after_questions()

    def _after_questions(self) -> None:
        if self._needs_phone():
            self._go(State.PHONE)
        else:
            self._after_phone()

    def _after_phone(self) -> None:
        if self._open_materials():
            self._go(State.MATERIAL, 0)
        else:
            self._after_materials()

    def _next_material(self) -> None:
        if self.index + 1 < len(self._open_materials()):
            self._go(State.MATERIAL, self.index + 1)
        else:
            self._after_materials()

    def _after_materials(self) -> None:
        # Pickup or post is a required form field the pre-check looks at: asked before it.
        if self._delivery_field() is not None and not self.answers.get(af.DELIVERY):
            self._go(State.DELIVERY)
        else:
            self._precheck()

    def _values_for(self, t: Target) -> dict[str, str]:
        field_names = {f["name"] for f in t.form.get("fields", ())}
        values = dict(t.values)
        for f in t.form.get("fields", ()):
            if f["type"] == af.PHONE_TYPE and self.answers.get(af.PHONE_TYPE):
                values[f["name"]] = self.answers[af.PHONE_TYPE]
        for name, value in self.answers.items():
            if name != af.PHONE_TYPE and (name in field_names or
                                          name in {q.name for q in self._extra}):
                values[name] = value
        if self._needs_phone():
            from kiosk.flows.application_phone import contact_values

            values.update(contact_values(self))
        return values

    def _provided(self, t: Target) -> list[str]:
        return [m for m in t.form.get("materials", ()) if self.decisions.get(m) == af.PHOTO]

    def _attachments(self, t: Target) -> dict[str, bytes]:
        """The photos of this target's photographed materials (sent with the application)."""
        photos = self.ctx.session.data.get(PHOTOS) or {}
        return {m: bytes(photos[m]) for m in self._provided(t) if m in photos}

    def resumed(self) -> None:
        """Back from the ID photo flow: attach the photo it made to the material asked for."""
        from kiosk.flows.application_views import attach_id_photo

        if self.state is State.MATERIAL:
            attach_id_photo(self)
        self.changed()

    def _precheck(self) -> None:
        bodies = [af.payload(t.service_id, self._values_for(t), self._provided(t), 0.0)
                  for t in self.targets]

        def job():
            client = self.ctx.client()
            out = []
            try:
                for body in bodies:
                    body.pop("submitted_on_terminal_at", None)
                    out.append(client.post("/applications/precheck", body,
                                           idempotent=True).body)
            except PlatformUnavailableError as exc:
                log.warning("%s: pre-check needs the line, guide lists shown: %s",
                            self.name, exc)
                return None
            return out

        def done(results) -> None:
            # None: the check needs the line; the guide's lists are shown and the resident
            # may go on (the application is queued and sent later).
            self.precheck_offline = results is None
            self.prechecks = [(t.service_name, r) for t, r in zip(self.targets, results or [])]
            self._go(State.PRECHECK)

        self.run(job, done, doing="pre-check application",
                 busy_text=N_("Checking your application..."))

    def _ready(self) -> bool:
        return self.precheck_offline or all(r.get("ready") for _, r in self.prechecks)

    def _only_window_materials_missing(self) -> bool:
        for _, r in self.prechecks:
            bad = af.failing(r)
            if bad["conditions"] or bad["fields"]:
                return False
            if any(self.decisions.get(m) != af.WINDOW for m in bad["materials"]):
                return False
        return True

    def _fix(self) -> None:
        """Back to the first step that can fix what the pre-check found."""
        bad = [af.failing(r) for _, r in self.prechecks]
        fields = [f for b in bad for f in b["fields"]]
        materials = [m for b in bad for m in b["materials"]]
        if fields:
            self._go(State.PHONE)
            return
        open_ = self._open_materials()
        for m in materials:
            if m in self.decisions and self.decisions[m] == af.E_LICENCE:
                self.decisions.pop(m)  # the platform found no e-licence: decide again
            open_ = self._open_materials()
            if m in open_:
                self._go(State.MATERIAL, open_.index(m))
                return
        if open_:
            self._go(State.MATERIAL, 0)

    def _after_precheck(self) -> None:
        self._go(State.CONFIRM)

    # --- submitting (kiosk.flows.application_submit) ----------------------------------------
    def _submit(self) -> None:
        from kiosk.flows.application_submit import submit

        submit(self)

    def _print(self) -> None:
        from kiosk.flows.application_submit import print_receipt

        print_receipt(self)

    def bundle_title(self, tr) -> str:
        """The 一件事's name for the receipt ("" for a single application)."""
        return ""

    # --- numpad (screens/numpad.py) ---------------------------------------------------------
    def numpad_key(self, key: str) -> None:
        from kiosk.flows.application_phone import numpad_key

        numpad_key(self, key)

    # --- events ---------------------------------------------------------------------------
    def handle(self, choice_id: str) -> None:
        from kiosk.flows.application_views import handle_step

        if self.state in (State.CATEGORY, State.SERVICE, State.BUNDLE):
            self.handle_choose(choice_id)
        else:
            handle_step(self, choice_id)

    def render(self, tr) -> View:
        from kiosk.flows.application_views import render_step

        if self.state in (State.CATEGORY, State.SERVICE, State.BUNDLE):
            return self.render_choose(tr)
        return render_step(self, tr)

    def render_choose(self, tr) -> View:
        raise NotImplementedError

    def handle_choose(self, choice_id: str) -> None:
        raise NotImplementedError
