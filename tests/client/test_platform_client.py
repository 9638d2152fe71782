"""PlatformClient against the real demonstration platform: answers, typed errors, retries."""

from __future__ import annotations

import uuid

import pytest

from demo_platform import Faults
from kiosk import platform_errors as pe
from kiosk.connectivity import LinkState
from kiosk.platform_client import PlatformClient, check_base_url

from .conftest import settings_for


def test_a_verified_code_gives_a_masked_profile_and_a_resident_token(client, link):
    profile = client.verify_code("SSM-DEMO-0001")
    assert profile["resident_token"].startswith("rt_")
    assert "*" in profile["display_name"] and "*" in profile["id_number_masked"]
    licences = client.get("/licences", resident_token=profile["resident_token"])
    assert licences and all("*" in lic["number_masked"] for lic in licences)
    assert link.status.state is LinkState.ONLINE


def test_an_unknown_code_is_refused_with_the_platforms_calm_chinese_message(client, link):
    with pytest.raises(pe.PlatformRefusedError) as caught:
        client.verify_code("SSM-NOBODY-9999")
    assert caught.value.status == 404 and caught.value.code == "resident_not_found"
    assert "窗口" in caught.value.message
    # The platform answered: a refusal is not an outage.
    assert link.status.state is LinkState.ONLINE


def test_a_wrong_terminal_token_is_a_terminal_auth_error(platform, link):
    bad = PlatformClient(settings_for(platform, token="not-the-token"), observer=link.report)
    with pytest.raises(pe.TerminalAuthError) as caught:
        bad.catalogue(None)
    assert caught.value.code == "invalid_token"


def test_resident_reads_without_a_token_ask_to_identify_again(client):
    with pytest.raises(pe.ResidentSessionError):
        client.get("/licences")
    with pytest.raises(pe.ResidentSessionError) as caught:
        client.get("/licences", resident_token="rt_forged")
    assert caught.value.code == "resident_session_expired"


def test_the_catalogue_answers_304_to_its_own_etag(client):
    full = client.catalogue(None)
    assert full.status == 200 and len(full.body["services"]) >= 150
    again = client.catalogue(full.headers["ETag"])
    assert again.not_modified and again.body is None


def test_too_old_a_change_version_asks_for_the_full_catalogue(client):
    with pytest.raises(pe.CatalogueResyncError) as caught:
        client.catalogue_changes(10_000)
    assert caught.value.code == "catalogue_version_unknown"


def test_a_submission_with_one_idempotency_key_is_created_once(client):
    key = f"test-{uuid.uuid4()}"
    body = {"score": 5, "reason": "", "service_id": "JS-HJ-001"}
    first = client.post("/ratings", body, idempotency_key=key)
    second = client.post("/ratings", body, idempotency_key=key)
    assert first.status == second.status == 201
    assert first.body["id"] == second.body["id"]
    assert first.headers["Idempotent-Replayed"] == "false"
    assert second.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("switch", [
    {"error_rate": 1.0}, {"malformed_rate": 1.0}, {"truncated_rate": 1.0}, {"drop_rate": 1.0},
])
def test_an_unreliable_platform_is_unavailable_after_the_retries(fault_platform, link, switch):
    sleeps: list[float] = []
    c = PlatformClient(settings_for(fault_platform, retries=2), observer=link.report,
                       sleep=sleeps.append)
    fault_platform.faults.set(Faults(**switch))
    with pytest.raises(pe.PlatformUnavailableError):
        c.catalogue(None)
    assert len(sleeps) == 2, "a GET is tried three times"
    assert sleeps[1] > sleeps[0], "backoff grows"
    assert link.status.state is LinkState.OFFLINE
    assert link.status.last_failure
    fault_platform.faults.clear()
    assert c.health()["status"] == "ok"
    assert link.status.state is LinkState.ONLINE


def test_a_timeout_is_unavailable_and_bounded_by_the_read_timeout(fault_platform, link):
    c = PlatformClient(settings_for(fault_platform, read_timeout_s=0.3, retries=0),
                       observer=link.report)
    fault_platform.faults.set(Faults(timeout_rate=1.0, timeout_s=3.0))
    with pytest.raises(pe.PlatformUnavailableError) as caught:
        c.get("/appointments/centres")
    assert "timeout" in caught.value.reason


def test_a_post_without_an_idempotency_key_is_never_retried(fault_platform, link):
    sleeps: list[float] = []
    c = PlatformClient(settings_for(fault_platform, retries=3), observer=link.report,
                       sleep=sleeps.append)
    fault_platform.faults.set(Faults(error_rate=1.0))
    with pytest.raises(pe.PlatformUnavailableError):
        c.post("/ratings", {"score": 4})
    assert sleeps == []
    with pytest.raises(pe.PlatformUnavailableError):
        c.post("/ratings", {"score": 4}, idempotency_key=f"k-{uuid.uuid4()}")
    assert len(sleeps) == 3


def test_a_server_that_is_not_there_is_unavailable(link):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from kiosk.platform_client import ClientSettings

    c = PlatformClient(ClientSettings(f"http://127.0.0.1:{port}", "DEMO-JS-0001", "x",
                                      retries=0), observer=link.report)
    with pytest.raises(pe.PlatformUnavailableError) as caught:
        c.health()
    assert "connection failed" in caught.value.reason
    assert link.status.state is LinkState.OFFLINE


@pytest.mark.parametrize("url", ["http://platform.example.gov.cn", "ftp://x", "https://",
                                 "platform.example.gov.cn"])
def test_plain_http_is_refused_except_to_loopback(url):
    with pytest.raises(ValueError):
        check_base_url(url)
    check_base_url("http://127.0.0.1:8765")
    check_base_url("https://platform.example.gov.cn")
