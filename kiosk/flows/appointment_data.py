"""预约取号 helpers: what can be booked (catalogue), free times (platform, on a worker
thread), days as residents read them, the booked appointment and its ticket.

The ticket (预约凭证) is printed in Chinese whatever the screen language: it is shown at
a Chinese service window. The same `Booked` record gives the printed ticket, the lines on
screen and the sentence voice guidance reads, so the three always say the same thing.
Nothing personal is on it: the appointment number, the service, the place and the time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from hardware.printer.receipt import Feed, KeyValue, QrCode, Receipt, Separator, Text
from kiosk.flows.local_time import LOCAL_ZONE, shown_timestamp
from kiosk.flows.view import Line
from kiosk.i18n import N_
from kiosk.platform_errors import PlatformRefusedError
from offline.catalogue_model import SERVICE_CENTRE

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))
BOOKING_DAYS = 14  # the platform books from today to 14 days ahead


def bookable_services(store: Any) -> dict[str, list[Any]]:
    """Category id -> its services handled at a service centre (a CatalogStore read)."""
    centres = {c.id for c in store.centres() if c.kind == SERVICE_CENTRE}
    out: dict[str, list[Any]] = {}
    for cat in store.categories():
        services = [s for s in store.services_in(cat.id)
                    if any(w.centre_id in centres for w in s.guide.where_when)]
        if services:
            out[cat.id] = services
    return out


def common_first(categories: list[Any], common: tuple[str, ...]) -> list[Any]:
    """The `common` category ids first (in that order), then the catalogue's order."""
    rank = {cid: n for n, cid in enumerate(common)}
    return sorted(categories, key=lambda c: (rank.get(c.id, len(rank)), c.sort))


def local_now(at: float) -> dt.datetime:
    """A terminal timestamp as Asia/Shanghai wall time."""
    return dt.datetime.fromtimestamp(at, LOCAL_ZONE)


def candidate_days(at: float) -> list[dt.date]:
    """Today and the next 14 days, without Sundays (no appointments on Sundays)."""
    today = local_now(at).date()
    days = (today + dt.timedelta(days=n) for n in range(BOOKING_DAYS + 1))
    return [d for d in days if d.weekday() != 6]


def free_slots(client: Any, service_id: str, centre_id: str, day: dt.date,
               now: dt.datetime) -> list[dict[str, Any]]:
    """The free times of one day (blocking); times of today that have passed are left out."""
    answer = client.get("/appointments/slots", params={
        "service_id": service_id, "centre_id": centre_id, "date": day.isoformat()})
    late = now.strftime("%H:%M") if day == now.date() else ""
    return [s for s in answer.get("slots", [])
            if int(s.get("free", 0)) > 0 and str(s.get("time", "")) > late]


def free_days(read: Callable[[dt.date], list], days: list[dt.date]
              ) -> list[tuple[dt.date, int]]:
    """The days with free times and how many (blocking, one call a day)."""
    found = []
    for day in days:
        try:
            free = read(day)
        except PlatformRefusedError as exc:
            if exc.code == "date_out_of_range":
                continue  # the platform's calendar day may differ around midnight
            raise
        if free:
            found.append((day, len(free)))
    return found


def short_day(day: dt.date, tr) -> str:
    """`Tuesday 1/12` / `12月1日 星期二`."""
    return tr("{weekday} {day}/{month}").format(month=day.month, day=day.day,
                                                 weekday=tr(WEEKDAYS[day.weekday()]))


def long_day(day: dt.date, tr) -> str:
    """`Tuesday, 1/12/2026` / `2026年12月1日 星期二`."""
    return tr("{weekday}, {day}/{month}/{year}").format(
        year=day.year, month=day.month, day=day.day, weekday=tr(WEEKDAYS[day.weekday()]))


def parse_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


@dataclass(frozen=True)
class Booked:
    """A booked appointment as the ticket tells it (no personal data)."""

    appointment_id: str
    service_id: str
    service_name: str
    centre_name: str
    address: str
    day: dt.date
    time: str
    materials: tuple[str, ...] = ()


def ticket_receipt(booked: Booked, tr, *, terminal_id: str, at: float) -> Receipt:
    """The printed ticket (`tr`: the language printed, Chinese)."""
    lines: list = [
        KeyValue(tr("Appointment number"), booked.appointment_id),
        Separator(),
        Text(booked.service_name, bold=True),
        KeyValue(tr("Date"), long_day(booked.day, tr)),
        KeyValue(tr("Time"), booked.time),
        Text(tr("Place: {centre}").format(centre=booked.centre_name)),
        Text(tr("Address: {address}").format(address=booked.address)),
        Separator(),
    ]
    if booked.materials:
        lines.append(Text(tr("Please bring:"), bold=True))
        lines += [Text(f"· {m}") for m in booked.materials]
        lines.append(Separator())
    lines.append(Feed())
    lines.append(QrCode(booked.appointment_id))
    lines.append(Text(tr("Show this ticket or code at the service window."), align="center"))
    lines.append(KeyValue(tr("Terminal"), terminal_id))
    lines.append(KeyValue(tr("Printed at"), shown_timestamp(at)))
    return Receipt(title=tr("Appointment ticket"), lines=lines,
                   footer=tr("Please arrive a little early. Thank you."))


def ticket_lines(booked: Booked, tr) -> tuple[Line, ...]:
    """The ticket on screen."""
    lines = [Line(booked.appointment_id, label=tr("Appointment number"), emphasis=True),
             Line(booked.service_name, label=tr("Service")),
             Line(booked.centre_name, label=tr("Place")),
             Line(booked.address, label=tr("Address")),
             Line(long_day(booked.day, tr), label=tr("Date"), emphasis=True),
             Line(booked.time, label=tr("Time"), emphasis=True)]
    if booked.materials:
        lines.append(Line(tr("Please bring:"), emphasis=True))
        lines += [Line(m) for m in booked.materials]
    return tuple(lines)


def ticket_speech(booked: Booked, tr) -> str:
    """What voice guidance reads on the ticket screen."""
    text = tr("Your appointment is booked: {service}, at {centre}, {address}, on {date} at "
              "{time}. Your appointment number is {number}.").format(
        service=booked.service_name, centre=booked.centre_name, address=booked.address,
        date=long_day(booked.day, tr), time=booked.time, number=booked.appointment_id)
    if booked.materials:
        text += " " + tr("Please bring: {materials}.").format(
            materials=tr(", ").join(booked.materials))
    return text
