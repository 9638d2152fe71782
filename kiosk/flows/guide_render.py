"""办事指南 rendering shared by the guide flow and the cross-province flow (跨省通办).

Pure functions from catalogue data (offline.catalogue_model) to View content, so both
flows draw a guide the same way and work without the platform. The QR code beside a
guide takes it to the resident's phone: `GUIDE_URL_BASE` + service id.
"""

from __future__ import annotations

import logging
from typing import Any

from common.errors import StorageError
from kiosk.flows.base import home_choice
from kiosk.flows.view import Choice, Line, Notice, View
from kiosk.i18n import N_

log = logging.getLogger("kiosk.flows.guide")

# Where the public guide pages live; the QR code beside a guide is this + service id.
# A district deploying the kiosk points this at its own 政务服务网 guide pages.
GUIDE_URL_BASE = "https://zwfw.example.gov.cn/guide/"

# Map point kinds (offline.catalogue_model.MAP_POINT_KINDS) -> heading msgid, in the order
# the service map lists them; kinds a later contract adds are listed last as "Other".
KIND_HEADINGS = (
    ("service_centre", N_("Service centres")),
    ("self_service", N_("24-hour self-service areas")),
    ("village_station", N_("Village service stations")),
    ("cross_province", N_("Cross-province service windows")),
)


def guide_url(service_id: str) -> str:
    return GUIDE_URL_BASE + service_id


def safe_read(ctx: Any, read, default):
    """`read(store)` on the UI thread's catalogue; `default` when there is none or it
    cannot be read (logged for the technician, the resident sees the calm empty notice)."""
    store = ctx.catalogue()
    if store is None:
        return default
    try:
        return read(store)
    except StorageError as exc:
        log.error("catalogue read failed: %s", exc)
        return default


def not_available_view(title: str, tr) -> View:
    """The catalogue was never synced (or cannot be read): calm words and a way home."""
    return View(title,
                tr("Please ask the staff at the service window, or come back later."),
                notice=Notice("info", tr("The service guides are not available on this "
                                         "terminal yet.")),
                choices=(home_choice(tr),))


def guide_lines(service: Any, tr) -> tuple[Line, ...]:
    """Every part of one guide as content lines: what, who may, what to bring, cost,
    how long, where and when, online or not, the department."""
    g = service.guide
    lines: list[Line] = []
    if service.summary:
        lines.append(Line(service.summary))
    if g.department:
        lines.append(Line(g.department, label=tr("Department")))
    if service.online:
        lines.append(Line(tr("You can apply for this on this terminal: go back to the "
                             "home page and choose \"{apply}\".").format(
                                 apply=tr("Apply online")), label=tr("Online")))
    else:
        lines.append(Line(tr("Not available online. Please go to one of the places "
                             "below."), label=tr("Online")))
    if service.cross_province:
        lines.append(Line(tr("Can also be handled in other provinces (cross-province "
                             "service)."), label=tr("Cross-province")))
    lines.append(Line(tr("Who can apply"), emphasis=True))
    lines.extend(Line(f"· {c}") for c in g.conditions or (tr("No special conditions."),))
    lines.append(Line(tr("What to bring"), emphasis=True))
    lines.extend(Line(f"{i}. {m}") for i, m in enumerate(g.materials, 1))
    if not g.materials:
        lines.append(Line(tr("Nothing to bring.")))
    lines.append(Line(g.fees or tr("Not stated"), label=tr("Fees")))
    lines.append(Line(g.time_limit or tr("Not stated"), label=tr("Time limit")))
    lines.append(Line(tr("Where and when"), emphasis=True))
    for place in g.where_when:
        lines.extend(place_lines(place.name, place.address, place.hours, place.phone, tr))
    if not g.where_when:
        lines.append(Line(tr("Please ask the staff at any service centre.")))
    return tuple(lines)


def place_lines(name: str, address: str, hours: str, phone: str, tr) -> list[Line]:
    out = [Line(name, emphasis=False, label=tr("Place")),
           Line(address, label=tr("Address")),
           Line(hours, label=tr("Hours"))]
    if phone:
        out.append(Line(phone, label=tr("Phone")))
    return out


def guide_view(service: Any, tr, back: Choice) -> View:
    """The guide of `service` with its phone QR code; `back` returns to the list shown
    before, Home is offered too."""
    return View(service.name,
                tr("This is the guide. Scan the code with your phone to keep it."),
                lines=guide_lines(service, tr), qr=guide_url(service.id),
                choices=(back, home_choice(tr)))


def map_lines(centres: list[Any], tr) -> tuple[Line, ...]:
    """The service map as a list: every point with address, hours and phone, by kind."""
    known = [k for k, _ in KIND_HEADINGS]
    groups = [(kind, tr(heading)) for kind, heading in KIND_HEADINGS]
    groups.append(("", tr("Other places")))
    lines: list[Line] = []
    for kind, heading in groups:
        points = [c for c in centres if (c.kind == kind if kind else c.kind not in known)]
        if not points:
            continue
        lines.append(Line(heading, emphasis=True))
        for c in points:
            lines.extend(place_lines(c.name, c.address, c.hours, c.phone, tr))
    return tuple(lines)
