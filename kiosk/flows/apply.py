"""在线申请: apply for one online service on the terminal.

    (identify) -> CATEGORY (paged, <= 6 a screen) -> SERVICE (online ones only)
      -> the shared application steps (kiosk.flows.application_steps):
         form pre-filled from the ID card and e-licences -> questions -> phone keypad
         -> materials -> pre-check -> pickup or post -> confirm -> outbox -> receipt

The lists come from the offline catalogue (`online` services have a form on the
platform); loading the form, the pre-check and the 办件编号 need the line, the submission
itself never does (it is queued and sent automatically).
"""

from __future__ import annotations

from typing import Any

from kiosk.flows.application_steps import ApplicationSteps, State
from kiosk.flows.base import home_choice
from kiosk.flows.view import NEXT_PAGE, PREVIOUS_PAGE, Choice, Notice, View, paged
from kiosk.i18n import N_

CATEGORY, SERVICE = "category:", "service:"


class ApplyFlow(ApplicationSteps):
    name = "apply"
    title = N_("Apply online")
    first_state = State.CATEGORY

    def reset(self) -> None:
        super().reset()
        self.category_id = ""

    def _store(self) -> Any:
        return self.ctx.catalogue()

    def _categories(self) -> list[Any]:
        store = self._store()
        if store is None:
            return []
        return [c for c in store.categories() if any(s.online for s in store.services_in(c.id))]

    def _services(self) -> list[Any]:
        store = self._store()
        if store is None or not self.category_id:
            return []
        return [s for s in store.services_in(self.category_id) if s.online]

    def render_choose(self, tr) -> View:
        title = tr(self.title)
        if self.state is State.CATEGORY:
            items = [Choice(f"{CATEGORY}{c.id}", c.name) for c in self._categories()]
            instruction = tr("Which kind of matter is it? Choose one.")
        else:
            items = [Choice(f"{SERVICE}{s.id}", s.name) for s in self._services()]
            instruction = tr("Choose the service you want to apply for.")
        if not items:
            return View(title, tr("The list of services is not available on this terminal "
                                  "yet. Please try again later or ask at the window."),
                        choices=(home_choice(tr),),
                        notice=self.notice or Notice("warning", tr("Nothing to choose yet.")))
        choices, self.index = paged(items, self.index, tr)
        return View(title, instruction, choices=choices, notice=self.notice)

    def handle_choose(self, choice_id: str) -> None:
        if choice_id == NEXT_PAGE:
            self.index += 1
        elif choice_id == PREVIOUS_PAGE:
            self.index = max(0, self.index - 1)
        elif choice_id.startswith(CATEGORY):
            self.category_id = choice_id[len(CATEGORY):]
            self._go(State.SERVICE, 0)
        elif choice_id.startswith(SERVICE):
            self.begin([choice_id[len(SERVICE):]])
