"""The demo platform's appointment routes (预约取号): centres, free slots, the resident's
appointments, booking (idempotent) and cancelling; the slot rules live here too."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Optional

from fastapi import APIRouter, Query, Request

from . import models as m
from .app import (E404, E409, ERRORS, IdemHeader, Resident, Terminal, _centre, _key,
                  _replayable, _service, _store)
from .errors import ApiError
from .store import SLOT_CAPACITY, SLOT_TIMES, Store, iso, now


def _appointment(store: Store, row) -> dict:
    svc = store.catalogue_item("service", row["service_id"])
    centre = store.catalogue_item("map_point", row["centre_id"])
    return {"id": row["id"], "service_id": row["service_id"],
            "service_name": svc["name"] if svc else row["service_id"],
            "centre_id": row["centre_id"], "centre_name": centre["name"] if centre else row["centre_id"],
            "date": row["day"], "time": row["time"], "status": row["status"],
            "created_at": row["created_at"]}


def _slot_times(centre: dict, day: dt.date) -> list[str]:
    if day.weekday() == 6:
        return []
    if day.weekday() == 5:
        return [t for t in SLOT_TIMES if t < "12:00"] if "周六" in centre["hours"] else []
    return list(SLOT_TIMES)


def _parse_day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "validation_failed", "日期有误，请重新选择。",
                       f"date {value!r} is not YYYY-MM-DD") from None
    today = dt.date.today()
    if not today <= day <= today + dt.timedelta(days=14):
        raise ApiError(422, "date_out_of_range", "只能预约今天起两周内的日期。",
                       "appointments are open from today to 14 days ahead")
    return day


def appointment_routes(router: APIRouter) -> None:
    @router.get("/appointments/centres", response_model=list[m.Centre], tags=["appointments"],
                responses=ERRORS, summary="Centres taking appointments")
    def list_centres(request: Request, _t: Terminal,
                     service_id: Annotated[Optional[str], Query()] = None):
        store = _store(request)
        points = [p for p in store.catalogue_items("map_point") if p["kind"] == "service_centre"]
        if service_id:
            offered = {w["centre_id"] for w in _service(store, service_id)["where"]}
            points = [p for p in points if p["id"] in offered]
        return [{k: p[k] for k in ("id", "name", "address", "lat", "lon", "phone", "hours")}
                for p in points]

    @router.get("/appointments/slots", response_model=m.SlotDay, tags=["appointments"],
                responses={**ERRORS, **E404}, summary="Free slots for a service at a centre on a day")
    def list_slots(request: Request, _t: Terminal, service_id: str, centre_id: str,
                   date: Annotated[str, Query(description="YYYY-MM-DD")]):
        store = _store(request)
        _service(store, service_id)
        centre = _centre(store, centre_id)
        day = _parse_day(date)
        taken = {r["time"]: r["n"] for r in store.q(
            "SELECT time, COUNT(*) AS n FROM appointments WHERE service_id = ? AND centre_id = ? "
            "AND day = ? AND status = 'booked' GROUP BY time", service_id, centre_id, day.isoformat())}
        return {"service_id": service_id, "centre_id": centre_id, "date": day.isoformat(),
                "slots": [{"time": t, "capacity": SLOT_CAPACITY,
                           "free": max(0, SLOT_CAPACITY - taken.get(t, 0))}
                          for t in _slot_times(centre, day)]}

    @router.get("/appointments", response_model=list[m.Appointment], tags=["appointments"],
                responses=ERRORS, summary="The resident's appointments")
    def list_appointments(request: Request, resident: Resident):
        store = _store(request)
        return [_appointment(store, r) for r in store.q(
            "SELECT * FROM appointments WHERE id_number = ? ORDER BY day, time", resident)]

    @router.post("/appointments", response_model=m.Appointment, status_code=201,
                 tags=["appointments"], responses={**ERRORS, **E404, **E409},
                 summary="Book a slot (Idempotency-Key required)")
    def book(request: Request, terminal: Terminal, resident: Resident, body: m.BookingRequest,
             idempotency_key: IdemHeader = None):
        key = _key(idempotency_key, required=True)
        store = _store(request)

        def create(c):
            svc = _service(store, body.service_id)
            centre = _centre(store, body.centre_id)
            if body.centre_id not in {w["centre_id"] for w in svc["where"]}:
                raise ApiError(422, "not_offered_here", "这个服务中心不办理该事项，请换一个地点。",
                               f"{body.service_id} is not handled at {body.centre_id}")
            day = _parse_day(body.date)
            if body.time not in _slot_times(centre, day):
                raise ApiError(422, "no_such_slot", "这个时间段不开放预约，请换一个时间。",
                               f"no slot {body.time} on {day} at {body.centre_id}")
            n = c.execute("SELECT COUNT(*) FROM appointments WHERE service_id = ? AND centre_id = ? "
                          "AND day = ? AND time = ? AND status = 'booked'",
                          (body.service_id, body.centre_id, body.date, body.time)).fetchone()[0]
            if n >= SLOT_CAPACITY:
                raise ApiError(409, "slot_full", "这个时间段已约满，请选择其他时间。",
                               "no free capacity left in this slot")
            if c.execute("SELECT 1 FROM appointments WHERE id_number = ? AND service_id = ? AND day = ? "
                         "AND status = 'booked'", (resident, body.service_id, body.date)).fetchone():
                raise ApiError(409, "already_booked", "您当天已预约过这个事项。",
                               "the resident already holds a booking for this service on this day")
            aid = "APT-" + secrets.token_hex(6).upper()
            c.execute("INSERT INTO appointments VALUES (?, ?, ?, ?, ?, ?, ?, 'booked', ?)",
                      (aid, terminal, resident, body.service_id, body.centre_id, body.date,
                       body.time, iso(now())))
            row = c.execute("SELECT * FROM appointments WHERE id = ?", (aid,)).fetchone()
            return 201, _appointment(store, row)

        return _replayable(store, terminal, key, "appointments.book",
                           {"resident": resident, **body.model_dump()}, create)

    @router.post("/appointments/{appointment_id}/cancel", response_model=m.Appointment,
                 tags=["appointments"], responses={**ERRORS, **E404},
                 summary="Cancel (idempotent: cancelling twice returns the same result)")
    def cancel(request: Request, resident: Resident, appointment_id: str):
        store = _store(request)
        with store.tx() as c:
            row = c.execute("SELECT * FROM appointments WHERE id = ? AND id_number = ?",
                            (appointment_id, resident)).fetchone()
            if row is None:
                raise ApiError(404, "appointment_not_found", "没有找到这个预约。",
                               f"no appointment {appointment_id!r} for this resident")
            c.execute("UPDATE appointments SET status = 'cancelled' WHERE id = ?", (appointment_id,))
            row = c.execute("SELECT * FROM appointments WHERE id = ?", (appointment_id,)).fetchone()
        return _appointment(store, row)
