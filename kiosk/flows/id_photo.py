"""证件照: a GA 461 ID photo taken automatically when the checks pass; keep the best one.

    PREVIEW (live camera, guidance) --N passing frames--> capture --> REVIEW
    REVIEW: use photo 1..3 -> DONE (saved in the session; rate / home)
            take another (at most `max_photos`) -> PREVIEW
    NO_CAMERA (no usable camera, or it failed): try again / home

The live preview is the "camera" special widget (screens/camera_view.py): it runs the
camera's preview stream, shows frames and hands each shown frame to `preview_frame` on the
UI thread. The flow runs the photo checks (hardware.camera.photo.analyse) off the UI
thread through the runner, one frame at a time (frames arriving meanwhile are skipped),
and captures after `passes_needed` consecutive passing frames: the last passing frame is
cropped and encoded (`make_id_photo`) in a job. Guidance (`guidance(tr)`) is the first
issue of the latest check, translated.

Session data (wiped at session end; personal):
- `MATERIAL_KEY` = "material:id_photo": the chosen photo, JPEG bytes (a bytearray, so the
  wipe can overwrite it), GA 461 358x441. The apply flow may offer it as the 证件照
  material of an application in the same session.
- `CANDIDATES` = "id_photo.candidates": the photos taken and not chosen yet (list of
  bytearray), scrubbed when one is chosen, when the flow restarts and at session end.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from kiosk.flows.base import Flow, home_choice, rate_choice
from kiosk.flows.errors import explain
from kiosk.flows.view import Choice, Notice, View
from kiosk.i18n import N_

log = logging.getLogger("kiosk.flows")

MATERIAL_KEY = "material:id_photo"
CANDIDATES = "id_photo.candidates"
RESUME = "photo:resume"
USE, RETAKE, CHOOSE, RETRY, HELP = ("photo:use:", "photo:retake", "photo:choose",
                                    "photo:retry", "photo:help")

# Issue code (hardware.camera.photo_checks) -> what to do, said calmly and shown large.
GUIDANCE: dict[str, str] = {
    "too_dark": N_("It is too dark. Please face the light"),
    "too_bright": N_("It is too bright. Please step out of the glare"),
    "no_face": N_("Please look straight at the camera"),
    "many_faces": N_("Only one person in the picture, please"),
    "too_close": N_("Please move a little further away"),
    "too_far": N_("Please come a little closer"),
    "move_left": N_("Please move a little to your left"),
    "move_right": N_("Please move a little to your right"),
    "off_centre": N_("Please stand in the middle of the picture"),
    "blurred": N_("Please keep still"),
    "background": N_("Please stand in front of a plain light wall"),
}


class State(enum.Enum):
    PREVIEW = "preview"
    REVIEW = "review"
    DONE = "done"
    NO_CAMERA = "no_camera"


class IdPhotoFlow(Flow):
    name = "id_photo"
    title = N_("ID photo")
    requires = ("camera",)
    passes_needed = 3   # consecutive passing frames before the photo is taken
    max_photos = 3

    def reset(self) -> None:
        self.state = State.PREVIEW
        self.issue = ""          # code of the first issue of the latest check ("" = none yet)
        self.passing = False     # the latest check passed
        self.checks = 0          # frames checked in this preview (for tests and the log)
        self._passes = 0
        self._checking = False
        self._scrub_candidates()

    def entered(self) -> None:
        self._to_preview()

    # --- what the camera widget uses -------------------------------------------------------
    def camera(self) -> Any | None:
        return self.ctx.device("camera")

    def preview_frame(self, image: Any) -> None:
        """UI thread: a preview frame was shown. Checked off the UI thread unless a check is
        still running (then it is skipped: only the newest frames matter)."""
        if self.state is not State.PREVIEW or self._checking or self._busy:
            return
        from hardware.camera.photo import analyse

        self._checking = True
        generation = self._generation

        def done(check: Any) -> None:
            if generation != self._generation:
                return
            self._checking = False
            if self.state is not State.PREVIEW or self._busy:
                return
            self.checks += 1
            self.issue = check.issues[0].code if check.issues else ""
            self.passing = check.ok
            self._passes = self._passes + 1 if check.ok else 0
            if self._passes >= self.passes_needed:
                self._capture(image)

        def failed(exc: Exception) -> None:
            if generation != self._generation:
                return
            self._checking = False
            self.camera_failed(exc)

        self.ctx.runner.run(lambda: analyse(image), done, failed)

    def camera_failed(self, exc: BaseException | None) -> None:
        """The camera is missing or stopped working (called by the widget or a check)."""
        if self.state is not State.PREVIEW:
            return
        tr = self.ctx.session_tr()
        self.notice = (explain(exc, tr, "run the ID photo preview") if exc is not None else
                       Notice("warning", tr("The camera cannot be used at the moment. "
                                            "Please ask the staff for help.")))
        self.state = State.NO_CAMERA
        self.changed()

    def guidance(self, tr) -> str:
        """The one sentence to show large over the preview now."""
        if self.passing:
            return tr("Very good. Keep still, the photo is being taken")
        if self.issue in GUIDANCE:
            return tr(GUIDANCE[self.issue])
        return tr("Please look straight at the camera")

    def photos(self) -> list[bytes]:
        """JPEGs to show: the candidates while choosing, the chosen one when done."""
        if self.state is State.DONE:
            chosen = self.ctx.session.data.get(MATERIAL_KEY)
            return [bytes(chosen)] if chosen else []
        if self.state is State.REVIEW:
            return [bytes(p) for p in self._candidates()]
        return []

    # --- views ------------------------------------------------------------------------------
    def render(self, tr) -> View:
        title = tr(self.title)
        count = len(self._candidates())
        if self.state is State.PREVIEW:
            choices: list[Choice] = []
            if count:
                choices.append(Choice(CHOOSE, tr("Choose from the photos taken ({n})").format(
                    n=count), primary=False))
            choices += [Choice(HELP, tr("Ask the staff for help"), primary=False),
                        home_choice(tr)]
            return View(title, tr("Sit up straight and look at the camera. The photo is "
                                  "taken by itself when everything is right."),
                        widget="camera", actions=tuple(choices), notice=self.notice,
                        speak=tr("Sit up straight and look at the camera."))
        if self.state is State.REVIEW:
            uses = [Choice(f"{USE}{i}", tr("Use photo {n}").format(n=i + 1) if count > 1
                           else tr("Use this photo")) for i in range(count)]
            more = count < self.max_photos
            retake = Choice(RETAKE, tr("Take another photo"), enabled=more, primary=False)
            instruction = (tr("Please choose the photo you like best.") if more else
                           tr("You have taken {n} photos. Please choose one.").format(
                               n=self.max_photos))
            return View(title, instruction,
                        widget="id_photos", actions=tuple(uses) + (retake, home_choice(tr)),
                        notice=self.notice)
        if self.state is State.DONE:
            actions = (rate_choice(tr), home_choice(tr))
            if self.ctx.extras.get("return_to"):  # an application asked for this photo
                actions = (Choice(RESUME, tr("Back to your application")), home_choice(tr))
            return View(tr("Your ID photo is ready"),
                        tr("The photo is kept on this terminal while you are here, for your "
                           "applications. It is deleted when you finish."),
                        widget="id_photos", actions=actions, notice=self.notice)
        return View(title, tr("The ID photo cannot be taken at the moment."),
                    choices=(Choice(RETRY, tr("Try again")),
                             Choice(HELP, tr("Ask the staff for help"), primary=False),
                             home_choice(tr)),
                    notice=self.notice)

    # --- events -------------------------------------------------------------------------------
    def handle(self, choice_id: str) -> None:
        if choice_id == HELP:
            self.leave_to = "help"
        elif choice_id == RESUME and self.state is State.DONE:
            back_to = self.ctx.extras.pop("return_to", "")
            self.leave_to = f"resume:{back_to}" if back_to else "home"
        elif choice_id == RETRY and self.state is State.NO_CAMERA:
            self._to_preview()
        elif choice_id == CHOOSE and self.state is State.PREVIEW and self._candidates():
            self.state = State.REVIEW
        elif choice_id == RETAKE and self.state is State.REVIEW:
            if len(self._candidates()) < self.max_photos:
                self._to_preview()
        elif choice_id.startswith(USE) and self.state is State.REVIEW:
            self._choose(choice_id[len(USE):])

    def step_back(self) -> bool:
        if self.state is State.REVIEW:
            if len(self._candidates()) < self.max_photos:
                self._to_preview()
                return True
            return False
        if self.state is State.PREVIEW and self._candidates():
            self.state = State.REVIEW
            return True
        return False

    # --- steps ----------------------------------------------------------------------------------
    def _to_preview(self) -> None:
        self.issue, self.passing, self.checks, self._passes = "", False, 0, 0
        self._checking = False
        self._generation += 1  # a check still running belongs to the previous preview
        if self.camera() is None:
            self.state = State.NO_CAMERA
            self.notice = Notice("warning", self.ctx.session_tr()(
                "The camera cannot be used at the moment. Please ask the staff for help."))
            return
        self.state = State.PREVIEW

    def _capture(self, image: Any) -> None:
        from hardware.camera.photo import make_id_photo

        def job() -> bytearray:
            return bytearray(make_id_photo(image).jpeg)

        def done(jpeg: bytearray) -> None:
            candidates = self._candidates(create=True)
            candidates.append(jpeg)
            log.info("id photo: photo %d taken after %d checks", len(candidates), self.checks)
            self.state = State.REVIEW

        def failed(_notice: Notice) -> None:  # e.g. no JPEG size fits: just try again
            self._passes, self.passing = 0, False

        self.run(job, done, doing="make the ID photo", busy_text=N_("Taking your photo..."),
                 failed=failed)

    def _choose(self, index_text: str) -> None:
        candidates = self._candidates()
        if not index_text.isdigit() or int(index_text) >= len(candidates):
            return
        chosen = bytearray(candidates[int(index_text)])
        old = self.ctx.session.data.get(MATERIAL_KEY)
        if isinstance(old, bytearray):
            old[:] = b"\x00" * len(old)
        self.ctx.session.data.put(MATERIAL_KEY, chosen)
        self._scrub_candidates()
        self.state = State.DONE

    def _candidates(self, create: bool = False) -> list[bytearray]:
        found = self.ctx.session.data.get(CANDIDATES)
        if found is None and create:
            found = []
            self.ctx.session.data.put(CANDIDATES, found)
        return found if found is not None else []

    def _scrub_candidates(self) -> None:
        for data in self._candidates():
            data[:] = b"\x00" * len(data)
        self._candidates().clear()
