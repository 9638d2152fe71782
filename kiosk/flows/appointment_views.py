"""What each state of the appointment flow (kiosk.flows.appointment) shows."""

from __future__ import annotations

from typing import Any

from kiosk.flows import appointment as a
from kiosk.flows.appointment_data import (long_day, parse_day, short_day, ticket_lines,
                                            ticket_speech)
from kiosk.flows.base import home_choice, rate_choice
from kiosk.flows.view import MAX_CHOICES, Choice, Line, Notice, View, paged

ELDERLY_PER_PAGE = 4  # two rows of the larger buttons, with an action row below


def render(flow: Any, tr) -> View:
    title = tr(flow.title)
    renderer = RENDERERS.get(flow.state, _categories)
    return renderer(flow, tr, title)


def _page(flow: Any, items: list[Choice], tr, *, actions: bool = False
          ) -> tuple[Choice, ...]:
    """One page of a list. Home is in the bar, so lists have no action row unless they
    need one; then 长者模式 shows two rows of choices, so the larger buttons still fit."""
    per_page = ELDERLY_PER_PAGE if actions and flow.ctx.session.elderly else MAX_CHOICES
    choices, flow.page = paged(items, flow.page, tr, per_page=per_page)
    return choices


def _categories(flow: Any, tr, title: str) -> View:
    mine = Choice(a.MINE, tr("My appointments"), primary=False)
    cats = flow.categories()
    if not cats:
        return View(title, tr("Please ask the staff at the service window, or come back "
                              "later."),
                    notice=Notice("info", tr("Appointments cannot be booked on this terminal "
                                             "yet.")),
                    choices=(mine, home_choice(tr)))
    bookable = flow.bookable()
    items = [Choice(f"{a.CATEGORY}{c.id}", c.name,
                    detail=tr("{count} services").format(count=len(bookable[c.id])))
             for c in cats]
    return View(title, tr("What would you like to book? The most common matters come "
                          "first. To see or cancel a booking, tap \"My appointments\"."),
                choices=_page(flow, items, tr, actions=True), actions=(mine,),
                notice=flow.notice)


def _services(flow: Any, tr, title: str) -> View:
    services = flow.bookable().get(flow.category_id, [])
    items = [Choice(f"{a.SERVICE}{s.id}", s.name) for s in services]
    return View(title, tr("Choose the service you want to book."),
                choices=_page(flow, items, tr), notice=flow.notice)


def _centres(flow: Any, tr, title: str) -> View:
    items = [Choice(f"{a.CENTRE}{c['id']}", str(c.get("name", "")),
                    detail=str(c.get("address", ""))) for c in flow.centres]
    return View(title, tr("Where would you like to go? Choose a centre."),
                choices=_page(flow, items, tr), notice=flow.notice)


def _days(flow: Any, tr, title: str) -> View:
    centre = str(flow.centre.get("name", ""))
    if not flow.days:
        return View(title, tr("{centre} has no free times in the next two weeks.").format(
                        centre=centre),
                    notice=flow.notice or Notice("info", tr("Please choose another centre, "
                                                            "or come back another day.")),
                    choices=(Choice(a.OTHER_CENTRE, tr("Choose another centre")),
                             home_choice(tr)))
    today = a.local_now(flow.ctx.wall_clock()).date()
    items = []
    for day, free in flow.days:
        detail = tr("{count} times free").format(count=free)
        if day == today:
            detail = tr("Today") + " · " + detail
        items.append(Choice(f"{a.DAY}{day.isoformat()}", short_day(day, tr), detail=detail))
    return View(title, tr("Choose a day at {centre}. Only days with free times are "
                          "shown.").format(centre=centre),
                choices=_page(flow, items, tr, actions=True),
                actions=(Choice(a.OTHER_CENTRE, tr("Choose another centre"), primary=False),),
                notice=flow.notice)


def _slots(flow: Any, tr, title: str) -> View:
    items = [Choice(f"{a.SLOT}{s['time']}", str(s["time"]),
                    detail=tr("{count} places left").format(count=s.get("free", 0)))
             for s in flow.slots]
    day = long_day(flow.day, tr) if flow.day else ""
    return View(title, tr("{day}: choose a time.").format(day=day),
                choices=_page(flow, items, tr), notice=flow.notice)


def _summary(flow: Any, tr) -> list[Line]:
    service = flow.service()
    lines = [Line(getattr(service, "name", flow.service_id), label=tr("Service"),
                  emphasis=True),
             Line(str(flow.centre.get("name", "")), label=tr("Place")),
             Line(str(flow.centre.get("address", "")), label=tr("Address")),
             Line(long_day(flow.day, tr) if flow.day else "", label=tr("Date"), emphasis=True),
             Line(flow.time, label=tr("Time"), emphasis=True)]
    materials = tuple(service.guide.materials) if service is not None else ()
    if materials:
        lines.append(Line(tr("Please bring:"), emphasis=True))
        lines += [Line(m) for m in materials]
    return lines


def _confirm(flow: Any, tr, title: str) -> View:
    if flow.line_down:
        choices = (Choice(a.BOOK, tr("Try again")),
                   Choice(a.GUIDE, tr("Read the service guide instead"), primary=False),
                   Choice(a.OTHER_TIME, tr("Choose another time"), primary=False))
    else:
        choices = (Choice(a.BOOK, tr("Book this appointment")),
                   Choice(a.OTHER_TIME, tr("Choose another time"), primary=False))
    return View(title, tr("Please check your appointment, then tap \"Book this "
                          "appointment\"."),
                lines=tuple(_summary(flow, tr)), choices=choices, notice=flow.notice)


def _ticket(flow: Any, tr, title: str) -> View:
    booked = flow.booked
    printed = flow.printed
    if printed is a.Printed.FAILED:
        notice = Notice("warning", tr(
            "Your appointment is booked. The printer is not ready, so your ticket is shown "
            "here: please write down the number {number} or take a photo of the code."
        ).format(number=booked.appointment_id))
        again = Choice(a.PRINT, tr("Try printing again"), primary=False)
    elif printed is a.Printed.UNCONFIRMED:
        notice = Notice("info", tr(
            "Your appointment is booked. If no ticket came out, the ticket on the screen is "
            "enough: please write down the number {number}.").format(
                number=booked.appointment_id))
        again = Choice(a.PRINT, tr("Print the ticket again"), primary=False)
    else:
        notice = Notice("success", tr("Your appointment is booked. Please take your ticket "
                                      "from the slot below the screen."))
        again = Choice(a.PRINT, tr("Print the ticket again"), primary=False)
    speak = notice.text + " " + ticket_speech(booked, tr)
    return View(tr("Appointment ticket"), tr("Please come at the time on the ticket and "
                                             "bring what it lists."),
                lines=ticket_lines(booked, tr), qr=booked.appointment_id,
                actions=(rate_choice(tr), again,   # actions only: room for the ticket
                         Choice(a.MINE, tr("My appointments"), primary=False),
                         home_choice(tr)),
                notice=flow.notice or notice, speak=speak)


def _appointment_lines(item: dict, tr) -> tuple[Line, ...]:
    day = parse_day(item.get("date", ""))
    return (Line(str(item.get("service_name", "")), label=tr("Service"), emphasis=True),
            Line(str(item.get("centre_name", "")), label=tr("Place")),
            Line(long_day(day, tr) if day else str(item.get("date", "")), label=tr("Date")),
            Line(str(item.get("time", "")), label=tr("Time")),
            Line(str(item.get("id", "")), label=tr("Appointment number")))


def _mine(flow: Any, tr, title: str) -> View:
    new = Choice(a.NEW, tr("Book an appointment"), primary=False)
    if not flow.mine:
        return View(tr("My appointments"), tr("You have no appointments at the moment."),
                    choices=(new, home_choice(tr)), notice=flow.notice)
    items = []
    for item in flow.mine:
        day = parse_day(item.get("date", ""))
        when = f"{short_day(day, tr) if day else item.get('date', '')} {item.get('time', '')}"
        items.append(Choice(f"{a.OPEN}{item['id']}", str(item.get("service_name", "")),
                            detail=f"{when} · {item.get('centre_name', '')}"))
    return View(tr("My appointments"), tr("These are your appointments. To cancel one, tap "
                                          "it."),
                choices=_page(flow, items, tr, actions=True), actions=(new,),
                notice=flow.notice)


def _cancel_confirm(flow: Any, tr, title: str) -> View:
    return View(tr("My appointments"), tr("Do you want to cancel this appointment?"),
                lines=_appointment_lines(flow.target, tr),
                choices=(Choice(a.CANCEL, tr("Yes, cancel it")),
                         Choice(a.KEEP, tr("No, keep it"), primary=False)),
                notice=flow.notice)


def _cancelled(flow: Any, tr, title: str) -> View:
    return View(tr("My appointments"), tr("You can book again at any time."),
                lines=_appointment_lines(flow.target, tr),
                choices=(Choice(a.MINE, tr("Back to my appointments")),
                         Choice(a.NEW, tr("Book another appointment"), primary=False)),
                notice=flow.notice or Notice("success", tr(
                    "Your appointment is cancelled. The time is free again for others.")))


def _offline(flow: Any, tr, title: str) -> View:
    return View(title, tr("Booking an appointment needs the network, which is not working "
                          "at the moment."),
                notice=flow.notice or Notice("info", tr(
                    "You can still read the service guide: what to bring, where and when. "
                    "Or try again in a little while.")),
                choices=(Choice(a.RETRY, tr("Try again")),
                         Choice(a.GUIDE, tr("Read the service guide instead"), primary=False),
                         home_choice(tr)))


RENDERERS = {
    a.State.CATEGORIES: _categories, a.State.SERVICES: _services,
    a.State.CENTRES: _centres, a.State.DAYS: _days, a.State.SLOTS: _slots,
    a.State.CONFIRM: _confirm, a.State.TICKET: _ticket, a.State.MINE: _mine,
    a.State.CANCEL_CONFIRM: _cancel_confirm, a.State.CANCELLED: _cancelled,
    a.State.OFFLINE: _offline,
}
