"""预约取号: book a window appointment at a service centre and take a printed ticket.

    (identify) -> CATEGORIES (common ones first, paged) -> SERVICES (paged)
               -> CENTRES (GET /appointments/centres?service_id=)
               -> DAYS (today..14 days, no Sundays; only days with free times, paged)
               -> SLOTS (GET /appointments/slots, free times, paged)
               -> CONFIRM (service, centre + address, day, time, what to bring)
               -> book (POST /appointments, Idempotency-Key made once per confirmation)
               -> TICKET (printed 预约凭证 with the appointment id as QR; also on screen)
    CATEGORIES --"我的预约"--> MINE (GET /appointments) -> CANCEL_CONFIRM
               -> cancel (POST /appointments/{id}/cancel) -> CANCELLED
    a call fails because the line is down -> OFFLINE (try again / service guide / home)

Booking is interactive and online only: nothing is queued. A booking whose answer was
lost is retried with the same key, so the platform never books twice. Refusals lead back
to the step that fixes them: slot_full / no_such_slot -> SLOTS (reloaded), already_booked
and date_out_of_range -> DAYS, not_offered_here -> CENTRES. A printer that is not ready
never undoes a booking: the ticket stays on screen with its number.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any
from urllib.parse import quote

from kiosk import agent_audit
from kiosk.connectivity import LinkState
from kiosk.flows.appointment_data import (Booked, bookable_services, candidate_days,
                                          common_first, free_days, free_slots, local_now,
                                          parse_day, ticket_receipt)
from kiosk.flows.base import Flow
from kiosk.flows.guide_render import safe_read
from kiosk.flows.view import NEXT_PAGE, PREVIOUS_PAGE, Notice, View
from kiosk.i18n import N_
from kiosk.platform_errors import PlatformRefusedError

CATEGORY, SERVICE, CENTRE = "apt:category:", "apt:service:", "apt:centre:"
DAY, SLOT, OPEN = "apt:day:", "apt:slot:", "apt:open:"
BOOK, OTHER_TIME, MINE, NEW = "apt:book", "apt:other-time", "apt:mine", "apt:new"
CANCEL, KEEP, RETRY, GUIDE = "apt:cancel", "apt:keep", "apt:retry", "apt:guide"
PRINT, OTHER_CENTRE = "apt:print", "apt:other-centre"
PRINT_LANGUAGE = "zh_CN"
# Categories residents book most at village and town centres: shown first, the rest follow
# in the catalogue's order (ids a district does not have are simply skipped).
COMMON_CATEGORIES = ("CAT-SB", "CAT-YB", "CAT-HJ", "CAT-YL", "CAT-MZ")
ROUTED = {"slot_full", "no_such_slot", "already_booked", "not_offered_here",
          "date_out_of_range"}


class State(enum.Enum):
    CATEGORIES = "categories"
    SERVICES = "services"
    CENTRES = "centres"
    DAYS = "days"
    SLOTS = "slots"
    CONFIRM = "confirm"
    TICKET = "ticket"
    MINE = "mine"
    CANCEL_CONFIRM = "cancel_confirm"
    CANCELLED = "cancelled"
    OFFLINE = "offline"


class Printed(enum.Enum):
    NOT_YET = "not_yet"
    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"
    FAILED = "failed"


BACK = {State.SERVICES: State.CATEGORIES, State.CENTRES: State.SERVICES,
        State.DAYS: State.CENTRES, State.SLOTS: State.DAYS, State.CONFIRM: State.SLOTS,
        State.MINE: State.CATEGORIES, State.CANCEL_CONFIRM: State.MINE,
        State.TICKET: State.CATEGORIES, State.CANCELLED: State.CATEGORIES}


class AppointmentFlow(Flow):
    name = "appointment"
    title = N_("Book an appointment")
    needs_identity = True

    def reset(self) -> None:
        self.state = State.CATEGORIES
        self.page = 0
        self.category_id = self.service_id = ""
        self.centres: list[dict[str, Any]] = []
        self.centre: dict[str, Any] = {}
        self.days: list[tuple[dt.date, int]] = []   # days with free times, and how many
        self.day: dt.date | None = None
        self.slots: list[dict[str, Any]] = []       # free times of `day`
        self.time = ""
        self.key = ""                  # Idempotency-Key of the confirmation shown
        self.line_down = False         # the last booking attempt could not reach the platform
        self.booked: Booked | None = None
        self.printed = Printed.NOT_YET
        self.mine: list[dict[str, Any]] = []
        self.target: dict[str, Any] = {}            # the appointment to cancel / cancelled
        self._retry: Any = None                     # what "try again" repeats when offline
        self._bookable: dict[str, list[Any]] | None = None

    # --- entering -----------------------------------------------------------------------
    def start(self) -> None:
        super().start()
        if self._identify is not None and self._known_offline():
            self._identify = None   # identification needs the line too: say so first
            self._go_offline(self.start)
            self.changed()

    def entered(self) -> None:
        self.state, self.page = State.CATEGORIES, 0

    def _known_offline(self) -> bool:
        return self.ctx.connectivity.status.state is LinkState.OFFLINE

    def _go_offline(self, retry) -> None:
        self.state, self._retry = State.OFFLINE, retry

    def _call(self, job, done, *, doing: str, busy_text: str, retry) -> None:
        """A platform call; when the line is down it ends in OFFLINE with `retry`."""
        def failed(_notice: Notice) -> None:
            if self._known_offline():
                self.notice = None
                self._go_offline(retry)

        self.run(job, done, doing=doing, busy_text=busy_text, failed=failed)

    # --- the catalogue (UI thread) ------------------------------------------------------
    def bookable(self) -> dict[str, list[Any]]:
        """Category id -> its services handled at a service centre that takes bookings."""
        if self._bookable is None:
            self._bookable = safe_read(self.ctx, bookable_services, {})
        return self._bookable

    def categories(self) -> list[Any]:
        cats = safe_read(self.ctx, lambda store: store.categories(), [])
        return common_first([c for c in cats if c.id in self.bookable()], COMMON_CATEGORIES)

    def service(self) -> Any:
        return next((s for services in self.bookable().values() for s in services
                     if s.id == self.service_id), None)

    # --- loading ------------------------------------------------------------------------
    def _load_centres(self) -> None:
        sid = self.service_id

        def done(centres: list[dict[str, Any]]) -> None:
            self.centres, self.page = list(centres), 0
            self.state = State.CENTRES
            if len(self.centres) == 0:
                tr = self.ctx.session_tr()
                self.state = State.SERVICES
                self.notice = Notice("info", tr(
                    "This service cannot be booked at a centre at the moment. Please choose "
                    "another service or ask the staff."))

        self._call(lambda: self.ctx.client().get("/appointments/centres",
                                                 params={"service_id": sid}),
                   done, doing="load appointment centres",
                   busy_text=N_("Looking up the centres..."), retry=self._load_centres)

    def _slots_reader(self):
        """`read(day)`, for a worker thread: free times (copies of what it needs)."""
        client, sid, cid = self.ctx.client, self.service_id, str(self.centre.get("id", ""))
        now = local_now(self.ctx.wall_clock())
        return lambda day: free_slots(client(), sid, cid, day, now)

    def _load_days(self) -> None:
        read, candidates = self._slots_reader(), candidate_days(self.ctx.wall_clock())

        def done(days: list[tuple[dt.date, int]]) -> None:
            self.days, self.page, self.state = days, 0, State.DAYS

        self._call(lambda: free_days(read, candidates), done, doing="load appointment days",
                   busy_text=N_("Looking for days with free times..."), retry=self._load_days)

    def _load_slots(self) -> None:
        day, read = self.day, self._slots_reader()
        if day is None:
            return

        def done(slots: list[dict[str, Any]]) -> None:
            self.slots, self.page = slots, 0
            if slots:
                self.state = State.SLOTS
                return
            self.days = [(d, n) for d, n in self.days if d != day]
            self.state = State.DAYS
            tr = self.ctx.session_tr()
            self.notice = Notice("info", tr(
                "That day has just been fully booked. Please choose another day."))

        self._call(lambda: read(day), done, doing="load appointment slots",
                   busy_text=N_("Looking up the free times..."), retry=self._load_slots)

    def _load_mine(self) -> None:
        token = self.resident().token
        today = local_now(self.ctx.wall_clock()).date().isoformat()

        def done(items: list[dict[str, Any]]) -> None:
            self.mine = sorted((a for a in items if a.get("status") == "booked"
                                and str(a.get("date", "")) >= today),
                               key=lambda a: (a.get("date", ""), a.get("time", "")))
            self.page, self.state = 0, State.MINE

        self._call(lambda: self.ctx.client().get("/appointments", resident_token=token), done,
                   doing="load my appointments",
                   busy_text=N_("Looking up your appointments..."), retry=self._load_mine)

    # --- booking ------------------------------------------------------------------------
    def _confirm(self, time: str) -> None:
        self.time, self.key, self.line_down = time, f"apt-{uuid.uuid4().hex}", False
        self.state = State.CONFIRM

    def _book(self) -> None:
        token, key, day = self.resident().token, self.key, self.day
        if day is None or not key:
            return
        body = {"service_id": self.service_id, "centre_id": self.centre.get("id", ""),
                "date": day.isoformat(), "time": self.time}
        audit = agent_audit.action_event(self.ctx.session, self.ctx.terminal_id,
                                         self.ctx.wall_clock(), "appointment")  # 村居代办

        def job() -> Any:
            try:
                answer = self.ctx.client().post("/appointments", body, idempotency_key=key,
                                                resident_token=token).body
            except PlatformRefusedError as exc:
                if exc.code in ROUTED:
                    return exc  # the flow leads back to the step that fixes it
                raise
            if audit is not None:  # booked with an agent: recorded (a retry replays the same)
                agent_audit.submit_event(self.ctx.submitter(),
                                         {**audit, "reference": str(answer["id"])},
                                         key=f"{key}.audit")
            return answer

        def failed(_notice: Notice) -> None:
            if self._known_offline():
                self.line_down = True   # the same key is sent again on "try again"
                tr = self.ctx.session_tr()
                self.notice = Notice("warning", tr(
                    "Booking needs the network, which is not working at the moment. Your "
                    "choice is kept: please try again in a little while, or read the "
                    "service guide instead."))

        self.run(job, self._booked, doing="book appointment", failed=failed,
                 busy_text=N_("Booking your appointment..."))

    def _booked(self, answer: Any) -> None:
        if isinstance(answer, PlatformRefusedError):
            self._refused(answer)
            return
        service = self.service()
        self.booked = Booked(
            appointment_id=str(answer["id"]), service_id=self.service_id,
            service_name=str(answer.get("service_name") or getattr(service, "name", "")),
            centre_name=str(answer.get("centre_name") or self.centre.get("name", "")),
            address=str(self.centre.get("address", "")),
            day=parse_day(answer.get("date", "")) or self.day or dt.date.today(),
            time=str(answer.get("time") or self.time),
            materials=tuple(service.guide.materials) if service is not None else ())
        self.key, self.line_down, self.state = "", False, State.TICKET
        self._print()

    def _refused(self, exc: PlatformRefusedError) -> None:
        tr = self.ctx.session_tr()
        self.key, self.line_down = "", False
        if exc.code in ("slot_full", "no_such_slot"):
            self.notice = Notice("warning", tr("Sorry, that time has just been taken. Please "
                                               "choose another time."))
            self._load_slots()
        elif exc.code == "already_booked":
            self.notice = Notice("warning", tr(
                "You already have an appointment for this service on that day. Please "
                "choose another day, or look under \"My appointments\"."))
            self.state, self.page = State.DAYS, 0
        elif exc.code == "not_offered_here":
            self.notice = Notice("warning", tr("This centre no longer handles this service. "
                                               "Please choose another centre."))
            self._load_centres()
        else:  # date_out_of_range
            self.notice = Notice("warning", tr("That day can no longer be booked. Please "
                                               "choose another day."))
            self._load_days()

    # --- the ticket ---------------------------------------------------------------------
    def _print(self) -> None:
        booked = self.booked
        if booked is None:
            return
        printer = self.ctx.device("printer")
        if printer is None:
            self.printed = Printed.FAILED
            return
        receipt = ticket_receipt(booked, self._print_tr(), terminal_id=self.ctx.terminal_id,
                                 at=self.ctx.wall_clock())

        def done(result: Any) -> None:
            confirmed = bool(getattr(result, "confirmed", True))
            self.printed = Printed.CONFIRMED if confirmed else Printed.UNCONFIRMED

        def failed(_notice: Notice) -> None:
            self.printed, self.notice = Printed.FAILED, None  # the ticket view says it

        self.run(lambda: printer.print_receipt(receipt), done, doing="print appointment ticket",
                 failed=failed, busy_text=N_("Printing your ticket..."))

    def _print_tr(self):
        translator = self.ctx.translator
        if translator is None:
            return self.ctx.session_tr()
        return translator.gettext_for(PRINT_LANGUAGE)

    # --- cancelling ---------------------------------------------------------------------
    def _cancel(self) -> None:
        token, aid = self.resident().token, str(self.target.get("id", ""))

        def done(answer: dict[str, Any]) -> None:
            self.target, self.state = dict(answer), State.CANCELLED
            self.mine = [a for a in self.mine if a.get("id") != aid]

        self._call(lambda: self.ctx.client().post(
                       f"/appointments/{quote(aid, safe='')}/cancel", {},
                       resident_token=token, idempotent=True).body,
                   done, doing="cancel appointment",
                   busy_text=N_("Cancelling your appointment..."), retry=self._cancel)

    # --- events -------------------------------------------------------------------------
    def handle(self, choice_id: str) -> None:  # noqa: C901 - one branch per choice kind
        if choice_id == NEXT_PAGE:
            self.page += 1
        elif choice_id == PREVIOUS_PAGE:
            self.page = max(0, self.page - 1)
        elif choice_id.startswith(CATEGORY):
            self.category_id, self.page = choice_id[len(CATEGORY):], 0
            self.state = State.SERVICES
        elif choice_id.startswith(SERVICE):
            self.service_id = choice_id[len(SERVICE):]
            self._load_centres()
        elif choice_id.startswith(CENTRE):
            cid = choice_id[len(CENTRE):]
            self.centre = next((c for c in self.centres if c.get("id") == cid), {})
            if self.centre:
                self._load_days()
        elif choice_id == OTHER_CENTRE:
            self.state, self.page = State.CENTRES, 0
        elif choice_id.startswith(DAY):
            self.day = parse_day(choice_id[len(DAY):])
            self._load_slots()
        elif choice_id.startswith(SLOT) and self.state is State.SLOTS:
            self._confirm(choice_id[len(SLOT):])
        elif choice_id == BOOK and self.state is State.CONFIRM:
            self._book()
        elif choice_id == OTHER_TIME:
            self.key, self.line_down, self.state = "", False, State.SLOTS
        elif choice_id == PRINT and self.state is State.TICKET:
            self._print()
        elif choice_id == MINE:
            self._load_mine()
        elif choice_id.startswith(OPEN):
            aid = choice_id[len(OPEN):]
            self.target = next((a for a in self.mine if a.get("id") == aid), {})
            if self.target:
                self.state = State.CANCEL_CONFIRM
        elif choice_id == CANCEL and self.state is State.CANCEL_CONFIRM:
            self._cancel()
        elif choice_id == KEEP:
            self.state, self.page = State.MINE, 0
        elif choice_id == NEW:
            self.reset()
        elif choice_id == RETRY and self._retry is not None:
            retry, self._retry = self._retry, None
            retry()
        elif choice_id == GUIDE:
            self.leave_to = "guide"

    def step_back(self) -> bool:
        target = BACK.get(self.state)
        if target is None:
            return False
        if self.state in (State.TICKET, State.CANCELLED):
            self.reset()
        self.key, self.line_down, self.page = "", False, 0
        self.state = target
        return True

    def rating_subject(self) -> dict:
        return {"service_id": self.booked.service_id if self.booked else self.service_id}

    def render(self, tr) -> View:
        from kiosk.flows.appointment_views import render

        return render(self, tr)
