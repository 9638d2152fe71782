"""离线码 on the demo platform: eligibility from the resident record, issue with validity,
revocation by a newer code, expiry, and identification with the printed token."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import uuid

from demo_platform.offline_codes import local_today, reason_for, valid_until
from demo_platform.store import Store

from .conftest import assert_error_shape

TOKEN = re.compile(r"^OLC-[0-9A-F]{32}$")


def year_after(day: dt.date) -> str:
    return (day.replace(year=day.year + 1) - dt.timedelta(days=1)).isoformat()


def resident_headers(client, code: str) -> dict:
    return {"X-Resident-Token": client.verify(code)["resident_token"]}


def issue(client, headers: dict, key: str | None = None):
    return client.post("/offline-codes", headers={
        **headers, "Idempotency-Key": key or f"oc-{uuid.uuid4()}"})


def test_a_resident_of_60_and_over_gets_a_code_valid_for_a_year_with_a_masked_name(client):
    h = resident_headers(client, "SSM-DEMO-0001")  # 王秀英, born 1952
    offer = client.get("/offline-codes/eligibility", headers=h).json()
    assert offer["eligible"] and offer["reason"] == "age_60_plus"
    assert offer["valid_until"] == year_after(local_today())
    r = issue(client, h)
    assert r.status_code == 201, r.text
    code = r.json()
    assert TOKEN.match(code["token"]) and code["id"].startswith("OC-")
    assert code["reason"] == "age_60_plus" and code["reason_label"] == "年满60周岁"
    assert code["holder_name_masked"] == "王*英" and "王秀英" not in r.text
    assert code["valid_until"] == offer["valid_until"]
    assert code["issued_at"].endswith("Z")


def test_a_resident_under_18_gets_a_code_for_the_reason_under_18(client):
    code = issue(client, resident_headers(client, "SSM-DEMO-0013")).json()  # born 2015
    assert code["reason"] == "under_18" and code["holder_name_masked"] == "孙*雨"


def test_a_disabled_adult_under_60_gets_a_code_for_the_reason_disabled(client):
    code = issue(client, resident_headers(client, "SSM-DEMO-0012")).json()  # born 1988
    assert code["reason"] == "disabled" and code["reason_label"] == "持证残疾人"


def test_an_age_reason_comes_before_disability_so_the_slip_says_no_more_than_needed(client):
    code = issue(client, resident_headers(client, "SSM-DEMO-0005")).json()  # 86, disabled
    assert code["reason"] == "age_60_plus"


def test_an_adult_under_60_without_disability_is_refused_calmly_and_nothing_is_issued(
        client, platform):
    h = resident_headers(client, "SSM-DEMO-0003")  # 陈美华, born 1985
    offer = client.get("/offline-codes/eligibility", headers=h).json()
    assert offer == {"eligible": False, "reason": None, "reason_label": None,
                     "valid_until": None, "current": None,
                     "identified_by_offline_code": False}
    err = assert_error_shape(issue(client, h), 403, "offline_code_not_eligible")
    assert "60周岁" in err["message"] and "随申码" in err["message"] and "窗口" in err["message"]
    idn = platform.store.q1("SELECT id_number FROM residents WHERE code_token = 'SSM-DEMO-0003'")[0]
    assert platform.store.q("SELECT 1 FROM offline_codes WHERE id_number = ?", idn) == []


def test_issuing_needs_a_resident_token_and_an_idempotency_key(client):
    assert_error_shape(client.post("/offline-codes", headers={"Idempotency-Key": "k-12345678"}),
                       401, "resident_required")
    assert_error_shape(client.post("/offline-codes", headers=resident_headers(client,
                                                                              "SSM-DEMO-0002")),
                       400, "idempotency_key_required")


def test_the_same_key_replays_the_same_code_and_issues_nothing_new(client, platform):
    h = resident_headers(client, "SSM-DEMO-0008")
    first, again = issue(client, h, "oc-replay-0008"), issue(client, h, "oc-replay-0008")
    assert first.headers["Idempotent-Replayed"] == "false"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    [n] = platform.store.q1("SELECT COUNT(*) FROM offline_codes o JOIN residents r "
                            "ON o.id_number = r.id_number WHERE r.code_token = 'SSM-DEMO-0008'")
    assert n == 1


def test_the_printed_token_identifies_its_holder(client):
    code = issue(client, resident_headers(client, "SSM-DEMO-0007")).json()
    profile = client.verify(code["token"])
    assert profile["display_name"] == "张*国" and profile["elderly"] is True
    assert profile["resident_token"].startswith("rt_")
    licences = client.get("/licences", headers={"X-Resident-Token": profile["resident_token"]})
    assert licences.status_code == 200 and licences.json()


def test_a_new_code_revokes_the_previous_one(client):
    h = resident_headers(client, "SSM-DEMO-0002")
    old = issue(client, h).json()
    new = issue(client, h).json()
    assert new["token"] != old["token"] and new["replaced_previous"] is True
    err = assert_error_shape(client.post("/identity/verify", json={
        "method": "code", "code_token": old["token"]}), 403, "offline_code_revoked")
    assert "作废" in err["message"] and old["token"] not in err["detail"]
    assert client.verify(new["token"])["display_name"] == "李*国"
    current = client.get("/offline-codes/eligibility", headers=h).json()["current"]
    assert current == {"id": new["id"], "issued_at": new["issued_at"],
                       "valid_until": new["valid_until"]}


def test_an_expired_code_is_refused_with_its_own_code(client, platform):
    h = resident_headers(client, "SSM-DEMO-0001")
    code = issue(client, h).json()
    yesterday = (local_today() - dt.timedelta(days=1)).isoformat()
    with platform.store.tx() as c:
        c.execute("UPDATE offline_codes SET valid_until = ? WHERE id = ?", (yesterday, code["id"]))
    err = assert_error_shape(client.post("/identity/verify", json={
        "method": "code", "code_token": code["token"]}), 403, "offline_code_expired")
    assert "有效期" in err["message"]
    assert client.get("/offline-codes/eligibility", headers=h).json()["current"] is None


def test_a_resident_identified_with_an_offline_code_cannot_issue_a_new_one(client):
    code = issue(client, resident_headers(client, "SSM-DEMO-0012")).json()
    h = {"X-Resident-Token": client.verify(code["token"])["resident_token"]}
    offer = client.get("/offline-codes/eligibility", headers=h).json()
    assert offer["eligible"] and offer["identified_by_offline_code"] is True
    err = assert_error_shape(issue(client, h), 403, "offline_code_needs_card")
    assert "身份证" in err["message"]
    assert client.verify(code["token"])["display_name"] == "赵*强"  # still in force


def test_the_platform_keeps_only_a_hash_of_each_token(client, platform):
    code = issue(client, resident_headers(client, "SSM-DEMO-0013")).json()
    rows = platform.store.q("SELECT * FROM offline_codes")
    assert rows and all(code["token"] not in "|".join(map(str, tuple(r))) for r in rows)


def test_validity_is_one_year_and_ends_before_the_18th_birthday():
    birth_adult, birth_child = dt.date(1950, 5, 1), dt.date(2009, 3, 10)
    assert valid_until(dt.date(2026, 11, 28), birth_adult, "age_60_plus") == dt.date(2027, 11, 27)
    assert valid_until(dt.date(2028, 2, 29), birth_adult, "disabled") == dt.date(2029, 2, 28)
    assert valid_until(dt.date(2026, 11, 28), birth_child, "under_18") == dt.date(2027, 3, 9)
    assert reason_for(birth_child, False, dt.date(2027, 3, 9)) == "under_18"
    assert reason_for(birth_child, False, dt.date(2027, 3, 10)) is None
    assert reason_for(dt.date(1966, 12, 1), True, dt.date(2026, 11, 30)) == "disabled"
    assert reason_for(dt.date(1966, 12, 1), True, dt.date(2026, 12, 1)) == "age_60_plus"


def test_a_database_from_before_the_disabled_flag_is_upgraded_and_topped_up(tmp_path):
    path = tmp_path / "old.db"
    Store(str(path)).close()
    conn = sqlite3.connect(path)  # as an older platform left it: no column, no new residents
    conn.executescript(
        "CREATE TABLE r (id_number TEXT PRIMARY KEY, name TEXT NOT NULL, gender TEXT NOT NULL, "
        "address TEXT NOT NULL, phone TEXT NOT NULL, code_token TEXT UNIQUE NOT NULL); "
        "INSERT INTO r SELECT id_number, name, gender, address, phone, code_token "
        "FROM residents WHERE code_token <= 'SSM-DEMO-0011'; "
        "DROP TABLE residents; ALTER TABLE r RENAME TO residents;")
    conn.close()
    store = Store(str(path))
    try:
        flags = {r["code_token"]: r["disabled"] for r in store.q("SELECT * FROM residents")}
        assert flags["SSM-DEMO-0005"] == 1 and flags["SSM-DEMO-0012"] == 1
        assert flags["SSM-DEMO-0001"] == 0 and "SSM-DEMO-0013" in flags
    finally:
        store.close()
