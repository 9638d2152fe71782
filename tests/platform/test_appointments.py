"""Appointments: centres, free slots, booking takes a slot, cancel frees it."""

from __future__ import annotations

import datetime as dt
import uuid

from .conftest import assert_error_shape

CENTRE = "JS-CENTRE-ZHUJING"


def _weekday() -> str:
    day = dt.date.today() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


def _free(client, service_id: str, day: str, time: str) -> int:
    r = client.get("/appointments/slots", params={"service_id": service_id, "centre_id": CENTRE,
                                                 "date": day})
    assert r.status_code == 200, r.text
    return next(s["free"] for s in r.json()["slots"] if s["time"] == time)


def test_booking_takes_a_slot_and_cancelling_frees_it(client):
    service_id = "JS-SB-002"
    centres = client.get("/appointments/centres", params={"service_id": service_id}).json()
    assert CENTRE in {c["id"] for c in centres}
    day, time = _weekday(), "10:00"
    token = client.verify("SSM-DEMO-0003")["resident_token"]
    h = {"X-Resident-Token": token}
    before = _free(client, service_id, day, time)

    key = "apt-" + uuid.uuid4().hex
    body = {"service_id": service_id, "centre_id": CENTRE, "date": day, "time": time}
    booked = client.post("/appointments", json=body, headers={**h, "Idempotency-Key": key})
    assert booked.status_code == 201, booked.text
    assert _free(client, service_id, day, time) == before - 1
    again = client.post("/appointments", json=body, headers={**h, "Idempotency-Key": key})
    assert again.json()["id"] == booked.json()["id"]
    assert _free(client, service_id, day, time) == before - 1     # the replay took nothing

    apt_id = booked.json()["id"]
    assert apt_id in {a["id"] for a in client.get("/appointments", headers=h).json()}
    cancelled = client.post(f"/appointments/{apt_id}/cancel", headers=h)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert _free(client, service_id, day, time) == before
    assert client.post(f"/appointments/{apt_id}/cancel", headers=h).json()["status"] == "cancelled"


def test_full_slot_answers_409(client):
    service_id, day, time = "JS-SB-006", _weekday(), "14:00"
    for code in ("SSM-DEMO-0001", "SSM-DEMO-0002"):
        h = {"X-Resident-Token": client.verify(code)["resident_token"],
             "Idempotency-Key": "full-" + uuid.uuid4().hex}
        r = client.post("/appointments", headers=h, json={
            "service_id": service_id, "centre_id": CENTRE, "date": day, "time": time})
        assert r.status_code == 201, r.text
    assert _free(client, service_id, day, time) == 0
    h = {"X-Resident-Token": client.verify("SSM-DEMO-0004")["resident_token"],
         "Idempotency-Key": "full-" + uuid.uuid4().hex}
    r = client.post("/appointments", headers=h, json={
        "service_id": service_id, "centre_id": CENTRE, "date": day, "time": time})
    assert_error_shape(r, 409, "slot_full")


def test_booking_needs_a_verified_resident(client):
    r = client.post("/appointments", headers={"Idempotency-Key": "x-" + uuid.uuid4().hex}, json={
        "service_id": "JS-SB-002", "centre_id": CENTRE, "date": _weekday(), "time": "10:00"})
    assert_error_shape(r, 401, "resident_required")
