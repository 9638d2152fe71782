"""Applications: form, pre-check, idempotent submission, progress."""

from __future__ import annotations

import uuid

from .conftest import assert_error_shape
from .test_identity import with_check

APPLICANT = {"name": "王秀英", "id_number": with_check("31022819520314002")}


def _online_service(client) -> dict:
    services = client.get("/catalogue").json()["services"]
    return next(s for s in services if s["online"] and s["category_id"] == "CAT-YL")


def test_form_definition_exists_for_online_services_only(client):
    services = client.get("/catalogue").json()["services"]
    online = next(s for s in services if s["online"])
    offline = next(s for s in services if not s["online"])
    form = client.get(f"/services/{online['id']}/form").json()
    assert {f["name"] for f in form["fields"]} >= {"applicant_name", "id_number", "phone"}
    assert_error_shape(client.get(f"/services/{offline['id']}/form"), 409, "service_not_online")


def test_precheck_lists_conditions_and_materials_with_reasons(client):
    svc = _online_service(client)
    r = client.post("/applications/precheck", json={
        "service_id": svc["id"], "applicant": APPLICANT, "answers": {"phone": "123"}})
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["ready"] is False
    assert all(i["reason"] for i in result["conditions"] + result["materials"] + result["fields"])
    by_name = {i["item"]: i for i in result["materials"]}
    assert by_name["居民身份证"]["ok"] is True          # taken from the e-licence
    phone = next(i for i in result["fields"] if i["item"] == "联系电话")
    assert phone["ok"] is False and phone["reason"] == "格式不正确"

    ok = client.post("/applications/precheck", json={
        "service_id": svc["id"], "applicant": APPLICANT,
        "answers": {"phone": "13800000001", "delivery": "窗口领取"},
        "materials_provided": [m["name"] for m in svc["materials"]]}).json()
    assert ok["ready"] is True


def test_same_idempotency_key_twice_gives_one_application(platform, client):
    svc = _online_service(client)
    key = "test-" + uuid.uuid4().hex
    body = {"service_id": svc["id"], "applicant": APPLICANT,
            "answers": {"phone": "13800000001", "delivery": "邮寄到家"}}
    first = client.post("/applications", json=body, headers={"Idempotency-Key": key})
    second = client.post("/applications", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["number"] == second.json()["number"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Idempotent-Replayed"] == "false"
    rows = platform.store.q("SELECT COUNT(*) AS n FROM applications WHERE service_id = ? AND id = ?",
                            svc["id"], first.json()["id"])
    assert rows[0]["n"] == 1
    total = platform.store.q1("SELECT COUNT(*) AS n FROM idempotency WHERE key = ?", key)["n"]
    assert total == 1

    other = client.post("/applications", json=body, headers={"Idempotency-Key": key + "-2"})
    assert other.json()["id"] != first.json()["id"]

    changed = dict(body, answers={"phone": "13900000000", "delivery": "窗口领取"})
    assert_error_shape(client.post("/applications", json=changed, headers={"Idempotency-Key": key}),
                       409, "idempotency_key_reused")


def test_submission_without_idempotency_key_is_refused(client):
    svc = _online_service(client)
    r = client.post("/applications", json={"service_id": svc["id"], "applicant": APPLICANT})
    assert_error_shape(r, 400, "idempotency_key_required")


def test_submitted_application_has_a_progress_timeline_for_the_resident(client):
    svc = _online_service(client)
    r = client.post("/applications", json={"service_id": svc["id"], "applicant": APPLICANT,
                                           "answers": {"phone": "13800000001"}},
                    headers={"Idempotency-Key": "tl-" + uuid.uuid4().hex})
    app_id = r.json()["id"]
    token = client.verify("SSM-DEMO-0001")["resident_token"]
    got = client.get(f"/applications/{app_id}", headers={"X-Resident-Token": token}).json()
    assert [e["status"] for e in got["timeline"]] == ["submitted", "received"]
    mine = client.get("/applications", headers={"X-Resident-Token": token}).json()
    assert app_id in {a["id"] for a in mine} and "APP-SEED-0001" in {a["id"] for a in mine}
    other = client.verify("SSM-DEMO-0002")["resident_token"]
    assert_error_shape(client.get(f"/applications/{app_id}", headers={"X-Resident-Token": other}),
                       404, "application_not_found")


def test_replay_is_answered_even_after_the_service_left_the_catalogue(platform, client):
    services = client.get("/catalogue").json()["services"]
    svc = [s for s in services if s["online"]][-1]
    key = "gone-" + uuid.uuid4().hex
    body = {"service_id": svc["id"], "applicant": APPLICANT, "answers": {"phone": "13800000001"}}
    first = client.post("/applications", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201
    platform.store.change_catalogue(deletions=[("service", svc["id"])])
    again = client.post("/applications", json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    fresh = client.post("/applications", json=body, headers={"Idempotency-Key": key + "-new"})
    assert_error_shape(fresh, 404, "service_not_found")


def test_concurrent_retries_with_one_key_create_one_application(platform, client):
    from concurrent.futures import ThreadPoolExecutor

    import requests

    svc = _online_service(client)
    key = "race-" + uuid.uuid4().hex
    body = {"service_id": svc["id"], "applicant": APPLICANT, "answers": {"phone": "13800000001"}}
    headers = {**client.session.headers, "Idempotency-Key": key}

    def send(_):
        return requests.post(client.api + "/applications", json=body, headers=headers, timeout=10)

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(send, range(24)))
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["id"] for r in answers}) == 1
    n = platform.store.q1("SELECT COUNT(*) AS n FROM applications WHERE id = ?",
                          answers[0].json()["id"])["n"]
    assert n == 1
