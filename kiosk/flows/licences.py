"""电子证照: the resident's e-licences, one shown masked with its verification QR, printed.

    (identify) -> LIST (paged, <= 6 a screen) -> VIEW (masked lines, watermark, QR)
               -> print (on the receipt printer) -> PRINTED (rate / print again / home)
    loading fails -> FAILED (try again / home); printing fails -> VIEW with a calm notice

Online only (`GET /licences`, `GET /licences/{id}/printable` with the resident token).
What is shown and printed is what the platform prepared for printing (already masked);
the screen masks ID and mobile numbers once more in case a value slipped through.

The printed copy is always in Chinese, whatever language the screen is in: it is handed
to a government office, and the platform's labels and values are Chinese already. It
carries the title, every line, the platform's watermark, "for government-service use
only", the print time (Asia/Shanghai), the terminal id and the verification QR.
"""

from __future__ import annotations

import enum
from typing import Any
from urllib.parse import quote

from common.privacy import redact
from hardware.printer.receipt import Feed, KeyValue, QrCode, Receipt, Separator, Text
from kiosk.flows.base import Flow, home_choice, rate_choice
from kiosk.flows.local_time import shown_timestamp
from kiosk.flows.view import NEXT_PAGE, PREVIOUS_PAGE, Choice, Line, Notice, View, paged
from kiosk.i18n import N_

OPEN, RETRY, PRINT, TO_LIST = "licence:open:", "licence:retry", "licence:print", "licence:list"
PRINT_LANGUAGE = "zh_CN"


class State(enum.Enum):
    LIST = "list"
    VIEW = "view"
    PRINTED = "printed"
    FAILED = "failed"


def build_licence_receipt(printable: dict[str, Any], tr, *, terminal_id: str,
                          at: float) -> Receipt:
    """The printed copy of one licence (`tr`: the language printed)."""
    lines: list[Any] = [KeyValue(str(item.get("label", "")), str(item.get("value", "")))
                        for item in printable.get("lines", [])]
    lines.append(Separator())
    if printable.get("watermark"):
        lines.append(Text(str(printable["watermark"]), bold=True, align="center"))
    lines.append(Text(tr("For government-service use only"), bold=True, align="center"))
    lines.append(KeyValue(tr("Printed at"), shown_timestamp(at)))
    lines.append(KeyValue(tr("Terminal"), terminal_id))
    lines.append(Feed())
    lines.append(QrCode(str(printable["verify_qr"])))
    lines.append(Text(tr("Scan the code to check this copy is genuine."), align="center"))
    return Receipt(title=str(printable.get("title", "")), lines=lines)


class LicencesFlow(Flow):
    name = "licences"
    title = N_("My e-licences")
    needs_identity = True

    def reset(self) -> None:
        self.state = State.FAILED
        self.licences: list[dict[str, Any]] = []
        self.printable: dict[str, Any] | None = None
        self.page = 0
        self.print_failed = False
        self.confirmed = True
        self.kind = ""

    # --- loading ----------------------------------------------------------------------
    def entered(self) -> None:
        self._load()

    def _load(self) -> None:
        token = self.resident().token

        def done(items: list[dict[str, Any]]) -> None:
            self.licences, self.page, self.state = list(items), 0, State.LIST

        self.run(lambda: self.ctx.client().get("/licences", resident_token=token), done,
                 doing="load licences", busy_text=N_("Looking up your e-licences..."),
                 failed=lambda _notice: setattr(self, "state", State.FAILED))

    def _open(self, licence_id: str) -> None:
        token = self.resident().token
        kind = next((str(lic.get("kind", "")) for lic in self.licences
                     if lic.get("id") == licence_id), "")

        def done(printable: dict[str, Any]) -> None:
            self.printable, self.kind, self.state = printable, kind, State.VIEW
            self.print_failed = False

        self.run(lambda: self.ctx.client().get(
                     f"/licences/{quote(licence_id, safe='')}/printable", resident_token=token),
                 done, doing="load printable licence",
                 busy_text=N_("Opening your e-licence..."))

    # --- printing -----------------------------------------------------------------------
    def _print(self) -> None:
        if self.printable is None:
            return
        tr = self.ctx.session_tr()
        printer = self.ctx.device("printer")
        if printer is None:
            self.print_failed = True
            self.state = State.VIEW
            self.notice = Notice("warning", tr(
                "The printer is not ready at the moment. Nothing is lost: you can try again "
                "in a little while, or ask the staff for help."))
            return
        receipt = build_licence_receipt(self.printable, self._print_tr(),
                                        terminal_id=self.ctx.terminal_id,
                                        at=self.ctx.wall_clock())

        def done(result: Any) -> None:
            self.print_failed = False
            self.confirmed = bool(getattr(result, "confirmed", True))
            self.state = State.PRINTED

        def failed(_notice: Notice) -> None:
            self.print_failed = True
            self.state = State.VIEW

        self.run(lambda: printer.print_receipt(receipt), done, doing="print licence",
                 failed=failed, busy_text=N_("Printing your e-licence..."))

    def _print_tr(self):
        translator = self.ctx.translator
        if translator is None:
            return self.ctx.session_tr()
        return translator.gettext_for(PRINT_LANGUAGE)

    # --- events -------------------------------------------------------------------------
    def handle(self, choice_id: str) -> None:
        if choice_id == RETRY:
            self._load()
        elif choice_id == NEXT_PAGE:
            self.page += 1
        elif choice_id == PREVIOUS_PAGE:
            self.page = max(0, self.page - 1)
        elif choice_id.startswith(OPEN) and self.state is State.LIST:
            self._open(choice_id[len(OPEN):])
        elif choice_id == PRINT and self.state in (State.VIEW, State.PRINTED):
            self._print()
        elif choice_id == TO_LIST:
            self.step_back()

    def step_back(self) -> bool:
        if self.state in (State.VIEW, State.PRINTED):
            self.printable, self.print_failed = None, False
            if self.licences:
                self.state = State.LIST
            else:
                self._load()
            return True
        return False

    def rating_subject(self) -> dict:
        subject: dict[str, Any] = {"flow": self.name}
        if self.kind:
            subject["licence_kind"] = self.kind  # "ID", "HK"...: not personal
        return subject

    # --- rendering ----------------------------------------------------------------------
    def render(self, tr) -> View:
        title = tr(self.title)
        if self.state is State.FAILED:
            return View(title, tr("Your e-licences could not be loaded. E-licences need the "
                                  "network."),
                        choices=(Choice(RETRY, tr("Try again")), home_choice(tr)),
                        notice=self.notice)
        if self.state in (State.VIEW, State.PRINTED) and self.printable is not None:
            return self._render_licence(tr, title)
        if not self.licences:
            return View(title, tr("No e-licences were found for you at the moment."),
                        choices=(home_choice(tr),), notice=self.notice)
        items = []
        for lic in self.licences:
            until = lic.get("valid_until") or tr("no end date")
            items.append(Choice(f"{OPEN}{lic['id']}", str(lic.get("title", "")),
                                detail=tr("{issuer} · valid until {date}").format(
                                    issuer=lic.get("issuer", ""), date=until)))
        choices, self.page = paged(items, self.page, tr)
        return View(title, tr("Choose the e-licence you want to see or print."),
                    choices=choices, notice=self.notice)  # home: the bar

    def _render_licence(self, tr, title: str) -> View:
        p = self.printable or {}
        back = Choice(TO_LIST, tr("Back to my e-licences"), primary=False)
        if self.state is State.PRINTED:  # the paper is out: the screen shows no details
            notice = self.notice or (
                Notice("success", tr("Printed. Please take the paper from the slot below "
                                     "the screen."))
                if self.confirmed else
                Notice("info", tr("The printer did not confirm the print. If no paper came "
                                  "out, please try again or ask the staff.")))
            return View(title, tr("Your copy is printed. You can rate this service, print "
                                  "again or finish."),
                        choices=(rate_choice(tr),
                                 Choice(PRINT, tr("Print again"), primary=False),
                                 back, home_choice(tr)),
                        notice=notice)
        items = [(str(item.get("label", "")), redact(str(item.get("value", ""))))
                 for item in p.get("lines", [])]
        lines = [Line(str(p.get("title", "")), emphasis=True)]
        lines += [Line(value, label=label) for label, value in items
                  if value != lines[0].text]  # the title is shown once
        if p.get("watermark"):
            lines.append(Line(str(p["watermark"])))
        lines.append(Line(tr("For government-service use only")))
        print_label = tr("Try printing again") if self.print_failed else tr("Print a copy")
        # Home is in the bar: no home button here, so the licence keeps the room.
        return View(title, tr("Please check the details. The QR code lets an office check "
                              "that the copy is genuine."),
                    lines=tuple(lines), qr=str(p.get("verify_qr", "")),
                    choices=(Choice(PRINT, print_label), back), notice=self.notice)
