"""跨省通办: the services that can be handled across provinces, with their guides.

    LIST (paged, <= 6 a screen; the cross-province windows listed below) --service--> GUIDE

Back: GUIDE -> LIST; LIST leaves the flow. Offline like the guide flow: everything comes
from the catalogue (`CatalogStore.cross_province_services()`, map points of kind
"cross_province"), and a guide is drawn by the shared renderer (kiosk.flows.guide_render).
"""

from __future__ import annotations

import enum
from typing import Any

from kiosk.flows.base import Flow, home_choice
from kiosk.flows.guide_render import guide_view, not_available_view, place_lines, safe_read
from kiosk.flows.view import NEXT_PAGE, PREVIOUS_PAGE, Choice, Line, Notice, View, paged
from kiosk.i18n import N_

SERVICE, TO_LIST = "cross:service:", "cross:list"


class State(enum.Enum):
    LIST = "list"
    GUIDE = "guide"


class CrossProvinceFlow(Flow):
    name = "cross_province"
    title = N_("Cross-province services")

    def reset(self) -> None:
        self.state = State.LIST
        self.page = 0
        self.service_id = ""

    def _services(self) -> list[Any]:
        return safe_read(self.ctx, lambda s: s.cross_province_services(), [])

    def render(self, tr) -> View:
        title = tr(self.title)
        if not safe_read(self.ctx, lambda s: s.categories(), []):
            return not_available_view(title, tr)
        if self.state is State.GUIDE:
            service = safe_read(self.ctx, lambda s: s.service(self.service_id), None)
            if service is not None:
                view = guide_view(service, tr, Choice(TO_LIST, tr("Back to the list"),
                                                      primary=False))
                return View(view.title, view.instruction, choices=view.choices,
                            lines=view.lines, qr=view.qr, notice=self.notice)
            self.state = State.LIST
            self.notice = Notice("info", tr("This guide is no longer in the list."))
        items = [Choice(f"{SERVICE}{s.id}", s.name) for s in self._services()]
        if not items:
            return View(title, tr("Please ask the staff at the service window."),
                        notice=self.notice or Notice("info", tr(
                            "No cross-province services are listed on this terminal yet.")),
                        choices=(home_choice(tr),))
        choices, self.page = paged(items, self.page, tr)
        windows = [c for c in safe_read(self.ctx, lambda s: s.centres(), [])
                   if c.kind == "cross_province"]
        lines: list[Line] = []
        if windows:
            lines.append(Line(tr("Cross-province service windows"), emphasis=True))
            for c in windows:
                lines.extend(place_lines(c.name, c.address, c.hours, c.phone, tr))
        return View(title, tr("These services can also be handled in other provinces. "
                              "Choose one to see its guide."),
                    choices=choices, lines=tuple(lines), notice=self.notice)

    def handle(self, choice_id: str) -> None:
        if choice_id == NEXT_PAGE:
            self.page += 1
        elif choice_id == PREVIOUS_PAGE:
            self.page = max(0, self.page - 1)
        elif choice_id.startswith(SERVICE):
            self.service_id, self.state = choice_id[len(SERVICE):], State.GUIDE
        elif choice_id == TO_LIST:
            self.step_back()

    def step_back(self) -> bool:
        if self.state is State.GUIDE:
            self.state = State.LIST
            return True
        return False

    def rating_subject(self) -> dict:
        subject: dict = {"flow": self.name}
        if self.state is State.GUIDE and self.service_id:
            subject["service_id"] = self.service_id
        return subject
