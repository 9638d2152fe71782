"""The district's fleet page and its JSON: staff-only access, 离线 after three heartbeat
periods, device problems in Chinese, problems sorted first, nothing but whitelisted fields."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests

from demo_platform.fleet import COOKIE, DEMO_STAFF_TOKEN
from demo_platform.fleet_view import describe_device, describe_terminal, fleet_snapshot
from demo_platform.store import iso

from .conftest import AUTH, assert_error_shape

NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.timezone.utc)
STAFF = {"Authorization": f"Bearer {DEMO_STAFF_TOKEN}"}


def heartbeat(printer: str = "online", detail: str = "", **extra) -> dict:
    body = {"devices": [{"name": "card_reader", "kind": "card_reader", "status": "online",
                         "detail": ""},
                        {"name": "printer", "kind": "printer", "status": printer,
                         "detail": detail}],
            "backlog": {"outbox_items": 0, "oldest_age_s": 0}, "catalogue_version": 1,
            "app_version": "0.1.0", "uptime_s": 7200, "heartbeat_interval_s": 30}
    body.update(extra)
    return body


def row(terminal_id: str, body: dict | None, age_s: float | None) -> dict:
    at = None if age_s is None else iso(NOW - dt.timedelta(seconds=age_s))
    return {"id": terminal_id, "name": f"{terminal_id} 村居服务站", "last_heartbeat_at": at,
            "last_heartbeat": json.dumps(body, ensure_ascii=False) if body else None}


# -- the rules (fleet_view) ----------------------------------------------------------------

@pytest.mark.parametrize("status, detail, problem, severity", [
    ("userError", "paper end", "缺纸", "error"),
    ("userError", "cover open", "纸仓盖打开", "error"),
    ("userError", "cover open; paper end", "纸仓盖打开、缺纸", "error"),
    ("hardwareError", "cutter error", "切刀故障", "error"),
    ("noDevice", "connection refused", "未连接", "error"),
    ("offline", "status unknown: no answer to DLE EOT 1", "状态未知", "error"),
    ("online", "paper near end", "纸将用完", "warning"),
    ("online", "", "", "ok"),
    ("busy", "", "", "ok"),
])
def test_a_device_status_reads_as_a_chinese_problem_with_its_severity(status, detail, problem,
                                                                       severity):
    shown = describe_device({"name": "printer", "kind": "printer", "status": status,
                             "detail": detail})
    assert shown["problem"] == problem and shown["severity"] == severity
    assert shown["kind_label"] == "打印机" and shown["detail"] == detail


def test_a_terminal_silent_for_more_than_three_heartbeat_periods_is_flagged_offline():
    quiet = describe_terminal("T1", "站", iso(NOW - dt.timedelta(seconds=91)), heartbeat(),
                              1, NOW)
    recent = describe_terminal("T2", "站", iso(NOW - dt.timedelta(seconds=89)), heartbeat(),
                               1, NOW)
    never = describe_terminal("T3", "站", None, None, 1, NOW)
    assert quiet["offline"] and quiet["state"] == "offline" and quiet["state_label"] == "离线"
    assert "已超过 3 个心跳周期没有消息" in quiet["problems"]
    assert not recent["offline"] and recent["state"] == "ok" and recent["heartbeat_age_s"] == 89
    assert never["offline"] and never["problems"] == ["从未上报心跳"]
    default = describe_terminal("T4", "站", iso(NOW - dt.timedelta(seconds=170)),
                                {k: v for k, v in heartbeat().items()
                                 if k != "heartbeat_interval_s"}, 1, NOW)
    assert not default["offline"], "60 s assumed when the heartbeat does not say its period"


def test_problems_are_sorted_first_offline_then_faults_then_warnings_then_the_rest():
    snapshot = fleet_snapshot([
        row("T-A-OK", heartbeat(), 5),
        row("T-B-NEAR-END", heartbeat("online", "paper near end"), 5),
        row("T-C-PAPER", heartbeat("userError", "paper end"), 5),
        row("T-D-SILENT", heartbeat(), 600),
        row("T-E-STALE", heartbeat(catalogue_version=0), 5),
        row("T-F-BACKLOG", heartbeat(backlog={"outbox_items": 4, "oldest_age_s": 900}), 5),
    ], platform_version=1, now=NOW, refresh_s=3)
    order = [t["id"] for t in snapshot["terminals"]]
    assert order == ["T-D-SILENT", "T-C-PAPER", "T-B-NEAR-END", "T-E-STALE", "T-F-BACKLOG",
                     "T-A-OK"]
    assert snapshot["counts"] == {"total": 6, "offline": 1, "error": 1, "warning": 3, "ok": 1}
    by_id = {t["id"]: t for t in snapshot["terminals"]}
    assert by_id["T-C-PAPER"]["problems"] == ["打印机缺纸"]
    assert by_id["T-E-STALE"]["catalogue_stale"] and "服务目录待更新" in by_id["T-E-STALE"]["problems"]
    assert by_id["T-F-BACKLOG"]["backlog"] == {"outbox_items": 4, "oldest_age_s": 900.0,
                                               "warning": True}


def test_only_whitelisted_heartbeat_fields_reach_the_fleet_page():
    body = heartbeat(resident_name="王小明", last_link_failure="GET /x: timed out")
    body["devices"][0]["owner"] = "王小明"
    shown = json.dumps(fleet_snapshot([row("T1", body, 5)], 1, NOW, 3), ensure_ascii=False)
    assert "王小明" not in shown and "last_link_failure" not in shown


# -- the HTTP side -------------------------------------------------------------------------

def test_the_fleet_json_opens_with_a_district_staff_token_and_never_with_a_terminal_one(platform):
    url = platform.api_url + "/fleet"
    assert_error_shape(requests.get(url, timeout=5), 401, "staff_unauthenticated")
    assert_error_shape(requests.get(url, headers=AUTH, timeout=5), 401, "staff_unauthenticated")
    assert_error_shape(requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=5),
                       401, "staff_unauthenticated")
    ok = requests.get(url, headers=STAFF, timeout=5)
    assert ok.status_code == 200 and ok.headers["Cache-Control"] == "no-store"
    staff_as_terminal = {"Authorization": f"Bearer {DEMO_STAFF_TOKEN}",
                         "X-Terminal-Id": "DEMO-JS-0001"}
    assert requests.get(platform.api_url + "/catalogue", headers=staff_as_terminal,
                        timeout=5).status_code == 401, "a staff token opens nothing else"


def test_the_fleet_page_asks_for_the_staff_token_then_keeps_a_session_cookie(platform):
    with requests.Session() as browser:
        first = browser.get(platform.base_url + "/fleet", timeout=5)
        assert first.status_code == 401 and 'name="token"' in first.text
        assert "DEMO-JS-0001" not in first.text
        wrong = browser.post(platform.base_url + "/fleet/login", data={"token": "guess"},
                             timeout=5)
        assert wrong.status_code == 401 and "令牌不正确" in wrong.text
        signed = browser.post(platform.base_url + "/fleet/login",
                              data={"token": DEMO_STAFF_TOKEN}, allow_redirects=False,
                              timeout=5)
        assert signed.status_code == 303 and signed.headers["Location"] == "/fleet"
        cookie = signed.headers["Set-Cookie"]
        assert COOKIE in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        page = browser.get(platform.base_url + "/fleet", timeout=5)
        assert page.status_code == 200 and "/api/v1/fleet" in page.text
        assert "http://" not in page.text and "https://" not in page.text, "no external files"
        assert browser.get(platform.api_url + "/fleet", timeout=5).status_code == 200
        browser.post(platform.base_url + "/fleet/logout", timeout=5)
        assert browser.get(platform.api_url + "/fleet", timeout=5).status_code == 401


def test_a_heartbeat_posted_by_a_terminal_shows_in_the_fleet_json(platform, client):
    r = client.post("/terminals/heartbeat", json=heartbeat("userError", "paper end"))
    assert r.status_code == 200, r.text
    fleet = requests.get(platform.api_url + "/fleet", headers=STAFF, timeout=5).json()
    demo = next(t for t in fleet["terminals"] if t["id"] == "DEMO-JS-0001")
    assert demo["state"] == "error" and demo["problems"] == ["打印机缺纸"]
    assert demo["heartbeat_age_s"] <= 2 and demo["uptime_s"] == 7200
    assert demo["app_version"] == "0.1.0" and demo["catalogue_version"] == 1
    printer = next(d for d in demo["devices"] if d["kind"] == "printer")
    assert (printer["status"], printer["problem"]) == ("userError", "缺纸")
