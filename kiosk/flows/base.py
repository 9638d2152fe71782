"""The base of every resident flow: an explicit state machine that renders `View`s.

A flow keeps its state in plain attributes (an Enum `state` plus data), reacts to
`choose(id)` (a tap), `back()`, and device events (`on_card_present`, `on_code`), and
describes its current state with `view(tr)`. It never blocks: slow work goes through
`self.run(job, done, doing=...)`, which shows a busy view, runs the job off the UI thread
and calls `done(result)` or shows a calm notice for the failure (kiosk.flows.errors).

Flows that need the resident's identity set `needs_identity`; the base then runs the
shared identification step (kiosk.flows.identify) first and calls `identified()`; the
identity is kept in the session (wiped at session end) and reused by every flow.

Listeners (the screen) are told after every change and re-render from `view(tr)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.flows.context import FlowContext
from kiosk.flows.errors import explain
from kiosk.flows.view import Choice, Notice, View
from kiosk.i18n import N_

log = logging.getLogger("kiosk.flows")

HOME = "nav:home"      # a choice id the screen turns into "go home"
RATE = "nav:rate"      # "rate this service": opens the rating flow for this one


# ctx.extras keys one flow sets for another (rating subject, the flow to return to).
HANDOVER_KEYS = ("rating_for", "return_to")


class Flow:
    name = ""                 # the tile id (config services.enabled), e.g. "benefits"
    title = ""                # msgid of the tile and the flow's screens
    requires: tuple[str, ...] = ()   # device kinds without which the tile is not offered
    needs_identity = False

    def __init__(self, ctx: FlowContext) -> None:
        self.ctx = ctx
        self.notice: Notice | None = None
        self.busy_text = ""   # msgid shown while a job runs
        self._busy = False
        self._generation = 0  # results of jobs started before a restart are dropped
        self._listeners: list[Callable[[], None]] = []
        self._identify: Any = None
        self.leave_to = ""    # "home" or another flow's name: the screen goes there
        self.reset()          # every flow can render from construction, even unopened

    # --- the screen's side ------------------------------------------------------------
    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        """Enter the flow from its tile: reset, then identify first if needed."""
        self._generation += 1
        self._busy, self.notice, self.leave_to = False, None, ""
        self.reset()
        if self.needs_identity and self.resident() is None:
            from kiosk.flows.identify import IdentifyStep

            self._identify = IdentifyStep(self.ctx, self._identified, self.changed)
            self._identify.start()
        else:
            self._identify = None
            self.entered()
        self.changed()

    def view(self, tr) -> View:
        if self._identify is not None:
            return self._identify.view(tr)
        if self._busy:
            return View(title=tr(self.title), instruction=tr(self.busy_text or N_("Please wait...")),
                        busy=True)
        return self.render(tr)

    def choose(self, choice_id: str) -> None:
        if self._busy:
            return  # taps during a job are ignored; the screen also disables them
        if choice_id == HOME:
            self.leave_to = "home"
            self.changed()
            return
        if choice_id == RATE:
            self.ctx.extras["rating_for"] = self.rating_subject()
            self.leave_to = "rating"
            self.changed()
            return
        if self._identify is not None:
            self._identify.choose(choice_id)
            if self._identify is not None and self._identify.take_exit():
                self.leave_to = "home"
                self.changed()
            return
        self.notice = None
        self.handle(choice_id)
        self.changed()

    def back(self) -> bool:
        """One step back inside the flow; False when at its first step (leave the flow)."""
        if self._busy:
            return True
        if self._identify is not None:
            return self._identify.back()
        self.notice = None
        handled = self.step_back()
        self.changed()
        return handled

    def on_card_present(self) -> None:
        if self._identify is not None and not self._busy:
            self._identify.on_card_present()

    def on_code(self, text: str) -> None:
        if self._busy:
            return
        if self._identify is not None:
            self._identify.on_code(text)
        else:
            self.code_scanned(text)

    def resumed(self) -> None:
        """Shown again after another flow it handed over to (no reset): re-render."""
        self.changed()

    def wipe(self) -> None:
        """Session ended: drop every personal value this flow holds, back to the start."""
        for key in HANDOVER_KEYS:  # what one flow left for the next: not for a new resident
            self.ctx.extras.pop(key, None)
        self._generation += 1
        self._busy, self.notice, self._identify = False, None, None
        self.reset()

    # --- for subclasses ---------------------------------------------------------------
    def reset(self) -> None:
        """Back to the first state, holding nothing personal."""

    def entered(self) -> None:
        """Called once the flow may start (identified when it needs to be)."""

    def identified(self) -> None:
        """Called after the identification step succeeded (default: `entered`)."""
        self.entered()

    def render(self, tr) -> View:
        raise NotImplementedError

    def handle(self, choice_id: str) -> None:
        raise NotImplementedError

    def step_back(self) -> bool:
        return False

    def code_scanned(self, text: str) -> None:
        """A code was scanned while this flow (not identification) is shown."""

    def rating_subject(self) -> dict:
        """What a rating chosen from this flow is about (service_id, application_id)."""
        return {"flow": self.name}

    # --- helpers ----------------------------------------------------------------------
    def resident(self) -> Any:
        from kiosk.flows.identify import current_resident

        return current_resident(self.ctx.session)

    def run(self, job: Callable[[], Any], done: Callable[[Any], None], *, doing: str,
            busy_text: str = N_("Please wait..."),
            failed: Callable[[Notice], None] | None = None) -> None:
        """Run `job` off the UI thread; then `done(result)` or a notice (and `failed`)."""
        self._busy, self.busy_text = True, busy_text
        generation = self._generation
        self.changed()

        def on_done(result: Any) -> None:
            if generation != self._generation:
                return
            self._busy = False
            done(result)
            self.changed()

        def on_error(exc: Exception) -> None:
            if generation != self._generation:
                return
            self._busy = False
            from kiosk.platform_errors import ResidentSessionError

            tr = self.ctx.session_tr()
            self.notice = explain(exc, tr, doing)
            if isinstance(exc, ResidentSessionError):
                from kiosk.flows.identify import forget_resident

                forget_resident(self.ctx.session)
                self.start()
                self.notice = explain(exc, tr, doing)
            elif failed is not None:
                failed(self.notice)
            self.changed()

        self.ctx.runner.run(job, on_done, on_error)

    def changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    def _identified(self) -> None:
        self._identify = None
        self.identified()
        self.changed()


def home_choice(tr) -> Choice:
    return Choice(HOME, tr("Back to the home page"), primary=False)


def rate_choice(tr) -> Choice:
    """Offered when a service is completed: rate it (好差评)."""
    return Choice(RATE, tr("Rate this service"), primary=False)
