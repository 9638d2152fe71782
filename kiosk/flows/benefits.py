"""免申即享: the benefits the identified resident already has or qualifies for.

    (identify) -> LOADING -> LIST (or NONE / FAILED with retry)

Read only, online only. Proactive benefits (granted without applying) are listed first.
"""

from __future__ import annotations

import enum
from typing import Any

from kiosk.flows.base import Flow, home_choice
from kiosk.i18n import N_
from kiosk.flows.view import Choice, Line, View

RETRY = "benefits:retry"


class State(enum.Enum):
    LIST = "list"
    FAILED = "failed"


class BenefitsFlow(Flow):
    name = "benefits"
    title = N_("Benefits for you")
    needs_identity = True

    def reset(self) -> None:
        self.state = State.FAILED
        self.items: list[dict[str, Any]] = []

    def entered(self) -> None:
        token = self.resident().token
        self.run(lambda: self.ctx.client().get("/benefits", resident_token=token),
                 self._loaded, doing="load benefits", busy_text=N_("Looking up your benefits..."),
                 failed=lambda _notice: setattr(self, "state", State.FAILED))

    def _loaded(self, items: list[dict[str, Any]]) -> None:
        self.items = sorted(items, key=lambda b: (not b.get("proactive"), b.get("name", "")))
        self.state = State.LIST

    def render(self, tr) -> View:
        title = tr(self.title)
        if self.state is State.FAILED:
            return View(title, tr("Your benefits could not be loaded."),
                        choices=(Choice(RETRY, tr("Try again")), home_choice(tr)),
                        notice=self.notice)
        if not self.items:
            return View(title, tr("No benefits were found for you at the moment."),
                        choices=(home_choice(tr),), notice=self.notice)
        lines: list[Line] = []
        for b in self.items:
            lines.append(Line(b["name"], emphasis=True))
            lines.append(Line(b.get("status", ""), label=tr("Status")))
            if b.get("amount"):
                lines.append(Line(b["amount"], label=tr("Amount")))
            if b.get("detail"):
                lines.append(Line(b["detail"]))
            if b.get("proactive"):
                lines.append(Line(tr("Granted automatically, no application needed.")))
        return View(title, tr("These are the benefits you have or qualify for."),
                    lines=tuple(lines), choices=(home_choice(tr),), notice=self.notice)

    def handle(self, choice_id: str) -> None:
        if choice_id == RETRY:
            self.entered()
