"""村居代办 on the demo platform: agent sign-in with PIN and lockout, assisted applications
linked to the agent session, audit events, and the audit record with both identities."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from demo_platform.agents import AGENTS, card_digest

from .conftest import assert_error_shape
from .test_identity import with_check

LI = AGENTS[0]        # 李晓明, card + code, PIN 135790
CHEN = AGENTS[1]      # 陈玉兰
ZHOU = AGENTS[2]      # no longer active
APPLICANT = {"name": "王秀英", "id_number": with_check("31022819520314002")}


def sign_in(client, agent=LI, *, method="code", pin=None):
    body = {"method": method, "pin": pin or agent[6]}
    if method == "code":
        body["code"] = agent[5]
    else:
        body["card"] = {"name": agent[1], "id_number": agent[4], "gender": "男"}
    return client.post("/agents/verify", json=body)


def utc(seconds_from_now: float = 0.0) -> str:
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds_from_now)
    return t.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def audit(client, session, event, **fields):
    body = {"event": event, "at": utc(), "agent_id": session["agent_id"],
            "agent_session_id": session["agent_session_id"], "terminal": "DEMO-JS-0001",
            **fields}
    return client.post("/agent-audit", json=body,
                       headers={"Idempotency-Key": f"audit-{uuid.uuid4().hex}"})


def submit(client, service_id="JS-YL-001", **extra):
    key = f"app-{uuid.uuid4().hex}"
    body = {"service_id": service_id, "applicant": APPLICANT,
            "answers": {"phone": "13800000001"}, "submitted_on_terminal_at": utc(), **extra}
    return key, client.post("/applications", json=body, headers={"Idempotency-Key": key})


def test_an_agent_signs_in_by_staff_card_or_staff_code_and_gets_a_terminal_bound_session(client):
    by_card = sign_in(client, method="card")
    assert by_card.status_code == 200, by_card.text
    session = by_card.json()
    assert session["agent_id"] == "AG-JS-0001" and session["display_name"] == "李*明"
    assert session["station"] == "廊下镇中洪村党群服务站"
    assert session["agent_token"].startswith("agt_")
    assert session["agent_session_id"].startswith("AGS-")
    by_code = sign_in(client, method="code").json()
    assert by_code["agent_session_id"] != session["agent_session_id"]


def test_the_registry_keeps_no_pin_and_no_card_number_in_clear(platform):
    rows = platform.store.q("SELECT * FROM agents")
    dump = repr([dict(r) for r in rows])
    for agent in AGENTS:
        assert agent[6] not in dump and agent[4] not in dump
    li = next(r for r in rows if r["id"] == LI[0])
    assert li["card_sha256"] == card_digest(LI[4]) and len(bytes.fromhex(li["pin_salt"])) == 16


def test_an_unknown_card_an_inactive_agent_and_a_residents_card_are_refused(client):
    assert_error_shape(client.post("/agents/verify", json={
        "method": "code", "code": "STAFF-NOBODY", "pin": "123456"}), 404, "agent_not_found")
    resident_card = {"name": APPLICANT["name"], "id_number": APPLICANT["id_number"]}
    assert_error_shape(client.post("/agents/verify", json={
        "method": "card", "card": resident_card, "pin": "123456"}), 404, "agent_not_found")
    wrong_name = {"name": "李小明", "id_number": LI[4]}
    assert_error_shape(client.post("/agents/verify", json={
        "method": "card", "card": wrong_name, "pin": LI[6]}), 404, "agent_not_found")
    assert_error_shape(sign_in(client, ZHOU), 403, "agent_inactive")
    assert_error_shape(client.post("/agents/verify", json={
        "method": "code", "code": LI[5], "pin": "12ab"}), 422, "validation_failed")


def test_wrong_pins_count_down_then_lock_the_agent_and_a_right_pin_resets_the_count(client):
    body = assert_error_shape(sign_in(client, CHEN, pin="000000"), 401, "agent_pin_wrong")
    assert "还可以再试4次" in body["message"]
    assert "000000" not in str(body)
    assert sign_in(client, CHEN).status_code == 200          # resets the count
    for left in (4, 3, 2, 1):
        body = assert_error_shape(sign_in(client, CHEN, pin="000000"), 401, "agent_pin_wrong")
        assert f"{left}次" in body["message"]
    locked = assert_error_shape(sign_in(client, CHEN, pin="000000"), 423, "agent_locked")
    assert "15分钟" in locked["message"]
    # Locked: even the right PIN is refused until the lock ends.
    assert_error_shape(sign_in(client, CHEN), 423, "agent_locked")


def test_an_assisted_application_is_linked_and_its_audit_record_shows_both_identities(
        client, platform):
    session = sign_in(client).json()
    resident = client.verify("SSM-DEMO-0001")
    assert audit(client, session, "agent_signed_in").status_code == 201
    consented = audit(client, session, "resident_consented", resident={
        "token": resident["resident_token"], "id_number_masked": resident["id_number_masked"],
        "display_name": resident["display_name"]})
    assert consented.status_code == 201, consented.text
    key, r = submit(client, assisted_by={"agent_token": session["agent_token"],
                                         "consented_at": utc()})
    assert r.status_code == 201, r.text
    app = r.json()
    assert "村居代办员" in app["timeline"][0]["note"]
    assert audit(client, session, "action", kind="application", reference=key).status_code == 201
    assert audit(client, session, "agent_signed_out", reason="finished").status_code == 201

    record = client.get(f"/applications/{app['id']}/audit")
    assert record.status_code == 200, record.text
    a = record.json()
    assert a["agent"]["agent_id"] == "AG-JS-0001" and a["agent"]["name"] == "李晓明"
    assert a["agent"]["signed_out_at"] is not None
    assert a["resident"] == {"id_number_masked": "3102**********0023", "name_masked": "王*英",
                             "verified": True}
    assert a["consent"]["source"] == "audit_event" and a["consent"]["matches_applicant"] is True
    assert a["terminal_id"] == "DEMO-JS-0001"
    events = [e["event"] for e in a["events"]]
    assert events == ["agent_signed_in", "resident_consented", "action", "agent_signed_out"]
    action = a["events"][2]
    assert action["application_id"] == app["id"]             # resolved from the key
    stored = platform.store.q1("SELECT payload FROM applications WHERE id = ?", app["id"])
    assert session["agent_token"] not in stored["payload"]
    assert APPLICANT["id_number"] not in str(a)
    by_agent = client.get("/agent-audit", params={"agent_id": "AG-JS-0001"}).json()
    assert {e["event"] for e in by_agent} >= set(events)


def test_a_forged_or_signed_out_agent_token_is_refused_and_nothing_is_stored(client, platform):
    before = platform.store.q1("SELECT COUNT(*) AS n FROM applications")["n"]
    _key, r = submit(client, assisted_by={"agent_token": "agt_forged-token-123"})
    assert_error_shape(r, 422, "agent_session_invalid")
    session = sign_in(client).json()
    audit(client, session, "agent_signed_out", reason="finished")
    _key, late = submit(client, submitted_on_terminal_at=utc(3600),
                        assisted_by={"agent_token": session["agent_token"]})
    assert_error_shape(late, 422, "agent_session_invalid")
    assert platform.store.q1("SELECT COUNT(*) AS n FROM applications")["n"] == before


def test_an_application_queued_while_the_agent_was_signed_in_arrives_linked_after_sign_out(
        client):
    session = sign_in(client).json()
    made_at = utc()
    audit(client, session, "agent_signed_out", reason="finished")
    _key, r = submit(client, submitted_on_terminal_at=made_at,
                     assisted_by={"agent_token": session["agent_token"]})
    assert r.status_code == 201, r.text
    record = client.get(f"/applications/{r.json()['id']}/audit").json()
    assert record["consent"]["source"] == "application"


def test_audit_events_are_checked_idempotent_and_never_take_a_full_id_number(client):
    session = sign_in(client).json()
    key = f"audit-{uuid.uuid4().hex}"
    body = {"event": "agent_signed_in", "at": utc(), "agent_id": session["agent_id"],
            "agent_session_id": session["agent_session_id"]}
    first = client.post("/agent-audit", json=body, headers={"Idempotency-Key": key})
    again = client.post("/agent-audit", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_error_shape(client.post("/agent-audit", json=body), 400, "idempotency_key_required")
    assert_error_shape(audit(client, {**session, "agent_id": "AG-JS-0002"}, "agent_signed_in"),
                       422, "agent_session_unknown")
    assert_error_shape(audit(client, session, "resident_consented", resident={
        "id_number_masked": APPLICANT["id_number"]}), 422, "validation_failed")
    assert_error_shape(audit(client, session, "action"), 422, "validation_failed")
    assert_error_shape(audit(client, session, "agent_signed_in", terminal="OTHER-0001"),
                       422, "terminal_mismatch")


def test_an_unassisted_application_has_no_audit_record(client):
    _key, r = submit(client)
    assert r.status_code == 201
    assert_error_shape(client.get(f"/applications/{r.json()['id']}/audit"), 404,
                       "application_not_assisted")
    assert_error_shape(client.get("/applications/APP-NOPE/audit"), 404, "application_not_found")


@pytest.mark.parametrize("path", ["/agents/verify", "/agent-audit"])
def test_agent_endpoints_need_the_terminals_credentials(platform, path):
    import requests

    r = requests.post(platform.api_url + path, json={}, timeout=5)
    assert_error_shape(r, 401, "unauthenticated")
