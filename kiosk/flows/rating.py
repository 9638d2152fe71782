"""好差评: rate the service just completed, five levels; a low score asks why.

    SCORE -> (score 1-2) REASON -> submit through the outbox -> THANKS
                                       (not saved: SCORE/REASON with a notice, try again)

No home tile (`tile = False`): a completed flow offers `rate_choice`, which sets
`ctx.extras["rating_for"]` (service_id / application_id) and opens this flow. The rating
is not personal (no name, no ID number), so it is queued unencrypted; the outbox sends it
to `POST /ratings` whenever the platform answers. One idempotency key per rating, reused
when saving is tried again.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from kiosk.connectivity import LinkState
from kiosk.flows.base import Flow, home_choice
from kiosk.flows.view import Choice, Line, View
from kiosk.i18n import N_

SCORE, REASON, RETRY = "rating:score:", "rating:reason:", "rating:retry"
LOW = 2  # scores at or below need a reason (the platform refuses them without one)

# (score, msgid) from the best to the worst, as residents know them from 好差评.
LEVELS: tuple[tuple[int, str], ...] = (
    (5, N_("Very satisfied")),
    (4, N_("Satisfied")),
    (3, N_("Fairly satisfied")),
    (2, N_("Dissatisfied")),
    (1, N_("Very dissatisfied")),
)

# (code, msgid shown, text sent to the platform: staff read Chinese whatever the language)
REASONS: tuple[tuple[str, str, str], ...] = (
    ("waiting", N_("Long waiting time"), "等待时间长"),
    ("complicated", N_("Hard to operate"), "操作复杂"),
    ("device", N_("A device did not work"), "设备故障"),
    ("staff", N_("Staff attitude"), "工作人员态度"),
    ("information", N_("Information was not accurate"), "信息不准确"),
    ("other", N_("Other"), "其他"),
)


class State(enum.Enum):
    SCORE = "score"
    REASON = "reason"
    THANKS = "thanks"


class RatingFlow(Flow):
    name = "rating"
    title = N_("Rate this service")
    tile = False  # no home tile: reached only from a completed flow (kiosk.flows.registry)

    def reset(self) -> None:
        self.state = State.SCORE
        self.score = 0
        self.reason = ""
        self.key = ""
        self.subject: dict[str, Any] = {}
        self.saved_offline = False
        self.failed = False   # saving failed: offer the same rating again

    def entered(self) -> None:
        subject = self.ctx.extras.get("rating_for") or {}
        self.subject = {k: str(subject[k]) for k in ("service_id", "application_id")
                        if subject.get(k)}

    # --- views ------------------------------------------------------------------------
    def render(self, tr) -> View:
        title = tr(self.title)
        if self.failed:
            return View(title, tr("Your rating could not be saved."),
                        lines=(Line(self._level(tr), label=tr("Your rating"), emphasis=True),),
                        choices=(Choice(RETRY, tr("Try again")), home_choice(tr)),
                        notice=self.notice)
        if self.state is State.SCORE:
            return View(title, tr("How satisfied are you with this service? Please tap one."),
                        choices=tuple(Choice(f"{SCORE}{score}", tr(label),
                                             primary=score > LOW)
                                      for score, label in LEVELS),
                        notice=self.notice)
        if self.state is State.REASON:
            return View(title, tr("We are sorry. What was the main problem? Please tap one."),
                        lines=(Line(self._level(tr), label=tr("Your rating"), emphasis=True),),
                        choices=tuple(Choice(f"{REASON}{code}", tr(label))
                                      for code, label, _zh in REASONS),
                        notice=self.notice)
        text = (tr("Your rating is saved on this terminal and will be sent automatically "
                   "when the network is back.") if self.saved_offline else
                tr("Your rating has been saved and is being sent to the service platform."))
        return View(tr("Thank you for your rating"),
                    tr("Your opinion helps us improve our services."),
                    lines=(Line(self._level(tr), label=tr("Your rating"), emphasis=True),
                           Line(text)),
                    choices=(home_choice(tr),), notice=self.notice)

    def _level(self, tr) -> str:
        return next((tr(label) for score, label in LEVELS if score == self.score), "")

    # --- events -----------------------------------------------------------------------
    def handle(self, choice_id: str) -> None:
        if self.state is State.SCORE and choice_id.startswith(SCORE):
            score = int(choice_id[len(SCORE):])
            if score not in {s for s, _ in LEVELS}:
                return
            self.score, self.reason, self.key = score, "", ""
            if score <= LOW:
                self.state = State.REASON
            else:
                self._submit()
        elif self.state is State.REASON and choice_id.startswith(REASON):
            code = choice_id[len(REASON):]
            zh = next((zh for c, _label, zh in REASONS if c == code), "")
            if zh:
                self.reason = zh
                self._submit()
        elif choice_id == RETRY and self.failed:
            self._submit()

    def step_back(self) -> bool:
        if self.failed:
            self.failed = False
            return True
        if self.state is State.REASON:
            self.state, self.score = State.SCORE, 0
            return True
        return False

    def _submit(self) -> None:
        if self.score <= LOW and not self.reason:
            self.state = State.REASON  # never send a low score without its reason
            return
        self.key = self.key or f"rat-{uuid.uuid4().hex}"  # once; a retry reuses it
        payload: dict[str, Any] = {"score": self.score, **self.subject}
        if self.reason:
            payload["reason"] = self.reason
        key = self.key
        offline = self.ctx.connectivity.status.state is LinkState.OFFLINE

        def job() -> None:
            self.ctx.submitter().submit("rating", payload, personal=False, key=key)

        def done(_result: None) -> None:
            self.saved_offline, self.failed = offline, False
            self.state = State.THANKS

        self.failed = False
        self.run(job, done, doing="save rating", busy_text=N_("Saving your rating..."),
                 failed=lambda _notice: setattr(self, "failed", True))
