"""The registered mobile number: masked on the way out, resolved by the platform from a
`phone_ref` in applications and call-back requests, so nobody types it at a terminal."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from .conftest import assert_error_shape
from .test_identity import with_check

WANG = {"name": "王秀英", "id_number": with_check("31022819520314002")}   # SSM-DEMO-0001
LI = {"name": "李建国", "id_number": with_check("31011619581107003")}     # SSM-DEMO-0002
SERVICE = "JS-YL-001"


def contact(client, code="SSM-DEMO-0001") -> dict:
    token = client.verify(code)["resident_token"]
    r = client.get("/residents/me/contact", headers={"X-Resident-Token": token})
    assert r.status_code == 200, r.text
    return r.json()


def phone_item(result: dict) -> dict:
    return next(i for i in result["fields"] if i["item"] == "联系电话")


@pytest.fixture
def no_phone_for_li(platform):
    """李建国 has no registered number for the length of one test."""
    with platform.store.tx() as c:
        c.execute("UPDATE residents SET phone = '' WHERE id_number = ?", (LI["id_number"],))
    yield
    with platform.store.tx() as c:
        c.execute("UPDATE residents SET phone = '13800000002' WHERE id_number = ?",
                  (LI["id_number"],))


def test_contact_gives_the_number_masked_and_a_ref_never_the_number(client):
    token = client.verify("SSM-DEMO-0001")["resident_token"]
    r = client.get("/residents/me/contact", headers={"X-Resident-Token": token})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["has_phone"] is True and body["phone_masked"] == "138****0001"
    assert body["phone_ref"].startswith("pr_") and "13800000001" not in r.text


def test_contact_needs_the_resident_token(client):
    assert_error_shape(client.get("/residents/me/contact"), 401, "resident_required")


def test_a_resident_without_a_registered_number_gets_no_ref(client, no_phone_for_li):
    assert contact(client, "SSM-DEMO-0002") == {"has_phone": False, "phone_masked": None,
                                                "phone_ref": None}


def test_refs_are_stored_hashed(platform, client):
    ref = contact(client)["phone_ref"]
    dump = "\n".join(platform.store.conn.iterdump())
    assert ref not in dump


def test_precheck_accepts_the_registered_number_by_ref(client):
    ref = contact(client)["phone_ref"]
    r = client.post("/applications/precheck", json={
        "service_id": SERVICE, "applicant": WANG, "answers": {}, "phone_ref": ref})
    assert r.status_code == 200, r.text
    assert phone_item(r.json()) == {"item": "联系电话", "ok": True, "reason": "使用登记的手机号"}


def test_precheck_accepts_an_explicit_no_phone(client):
    r = client.post("/applications/precheck", json={
        "service_id": SERVICE, "applicant": WANG, "no_phone": True})
    item = phone_item(r.json())
    assert item["ok"] is True and "窗口" in item["reason"]


def test_precheck_still_asks_for_a_phone_when_nothing_is_said(client):
    r = client.post("/applications/precheck", json={"service_id": SERVICE, "applicant": WANG})
    assert phone_item(r.json()) == {"item": "联系电话", "ok": False, "reason": "请填写"}


def test_precheck_refuses_another_residents_ref(client):
    ref = contact(client, "SSM-DEMO-0002")["phone_ref"]  # 李建国's, for 王秀英's form
    r = client.post("/applications/precheck", json={
        "service_id": SERVICE, "applicant": WANG, "phone_ref": ref})
    assert phone_item(r.json())["ok"] is False


def test_a_ref_from_another_terminal_is_not_resolved(platform, client):
    platform.store.add_terminal("DEMO-JS-OTHER", "other-terminal-token")
    ref = contact(client)["phone_ref"]
    other = {"Authorization": "Bearer other-terminal-token", "X-Terminal-Id": "DEMO-JS-OTHER"}
    r = client.session.post(client.api + "/applications/precheck", timeout=5, json={
        "service_id": SERVICE, "applicant": WANG, "phone_ref": ref}, headers=other)
    assert r.status_code == 200, r.text
    assert phone_item(r.json())["ok"] is False


def submitted(platform, client, body: dict) -> dict:
    r = client.post("/applications", json=body,
                    headers={"Idempotency-Key": "app-" + uuid.uuid4().hex})
    assert r.status_code == 201, r.text
    row = platform.store.q1("SELECT payload FROM applications WHERE id = ?", r.json()["id"])
    return json.loads(row["payload"])


def test_an_application_by_ref_is_recorded_with_the_registered_number(platform, client):
    ref = contact(client)["phone_ref"]
    stored = submitted(platform, client, {"service_id": SERVICE, "applicant": WANG,
                                          "answers": {"delivery": "窗口领取"}, "phone_ref": ref})
    assert stored["contact"] == {"source": "registered", "phone": "13800000001"}
    assert "phone_ref" not in stored


def test_a_typed_number_wins_over_a_ref(platform, client):
    ref = contact(client)["phone_ref"]
    stored = submitted(platform, client, {"service_id": SERVICE, "applicant": WANG,
                                          "answers": {"phone": "13912345678"}, "phone_ref": ref})
    assert stored["contact"] == {"source": "answer", "phone": "13912345678"}


def test_an_unusable_ref_never_loses_the_application(platform, client):
    stored = submitted(platform, client, {"service_id": SERVICE, "applicant": WANG,
                                          "phone_ref": "pr_unknown_or_expired"})
    assert stored["contact"] == {"source": "unresolved", "phone": ""}


def test_an_application_without_a_phone_is_recorded_so(platform, client):
    stored = submitted(platform, client, {"service_id": SERVICE, "applicant": WANG,
                                          "no_phone": True})
    assert stored["contact"] == {"source": "none", "phone": ""}


def test_a_call_back_by_ref_reaches_the_staff_with_the_registered_number(platform, client):
    ref = contact(client)["phone_ref"]
    r = client.post("/help-requests", json={"kind": "call_back", "message": "请回电",
                                           "phone_ref": ref},
                    headers={"Idempotency-Key": "help-" + uuid.uuid4().hex})
    assert r.status_code == 201, r.text
    assert "13800000001" not in r.text
    row = platform.store.q1("SELECT payload FROM help_requests WHERE id = ?", r.json()["id"])
    stored = json.loads(row["payload"])
    assert stored["phone"] == "13800000001" and stored["phone_source"] == "registered"
    assert "phone_ref" not in stored


def test_the_contact_endpoint_and_fields_are_in_the_openapi_document(platform):
    doc = requests.get(platform.api_url + "/openapi.json", timeout=5).json()
    assert "get" in doc["paths"]["/api/v1/residents/me/contact"]
    schemas = doc["components"]["schemas"]
    assert {"phone_ref", "no_phone"} <= set(schemas["ApplicationRequest"]["properties"])
    assert {"phone_ref", "no_phone"} <= set(schemas["PrecheckRequest"]["properties"])
    assert "phone_ref" in schemas["HelpRequest"]["properties"]
