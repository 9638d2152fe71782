"""Ratings, help requests and terminal heartbeats."""

from __future__ import annotations

import json
import uuid

from demo_platform import DEMO_TERMINAL_ID

from .conftest import assert_error_shape


def test_low_rating_without_a_reason_answers_422_in_the_error_shape(client):
    err = assert_error_shape(client.post("/ratings", json={"score": 2}), 422, "validation_failed")
    assert "reason" in err["detail"]
    assert_error_shape(client.post("/ratings", json={"score": 1, "reason": "  "}), 422)
    assert_error_shape(client.post("/ratings", json={"score": 6}), 422)


def test_ratings_accepted_and_deduplicated_by_key(platform, client):
    assert client.post("/ratings", json={"score": 5}).status_code == 201
    key = "rating-" + uuid.uuid4().hex
    body = {"score": 1, "reason": "排队时间太长", "service_id": "JS-HJ-001"}
    a = client.post("/ratings", json=body, headers={"Idempotency-Key": key})
    b = client.post("/ratings", json=body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"]
    n = platform.store.q1("SELECT COUNT(*) AS n FROM ratings WHERE id = ?", a.json()["id"])["n"]
    assert n == 1


def test_help_request_is_recorded(client):
    r = client.post("/help-requests", json={"kind": "call_back", "message": "不会操作",
                                           "phone": "13800000009"},
                    headers={"Idempotency-Key": "help-" + uuid.uuid4().hex})
    assert r.status_code == 201 and r.json()["status"] == "open"
    assert_error_shape(client.post("/help-requests", json={"kind": "nonsense"}), 422)


def test_heartbeat_is_stored_per_terminal_and_reports_a_stale_catalogue(platform, client):
    hb = {"devices": [{"name": "card_reader", "kind": "card_reader", "status": "online"},
                      {"name": "printer", "kind": "printer", "status": "userError",
                       "detail": "paper out"}],
          "backlog": {"outbox_items": 3, "oldest_age_s": 42.5},
          "catalogue_version": 0, "app_version": "0.1.0", "uptime_s": 3600}
    r = client.post("/terminals/heartbeat", json=hb)
    assert r.status_code == 200, r.text
    assert r.json()["catalogue_stale"] is True
    row = platform.store.q1("SELECT last_heartbeat, last_heartbeat_at FROM terminals WHERE id = ?",
                            DEMO_TERMINAL_ID)
    stored = json.loads(row["last_heartbeat"])
    assert stored["devices"][1]["status"] == "userError"
    assert stored["backlog"]["outbox_items"] == 3 and row["last_heartbeat_at"]
