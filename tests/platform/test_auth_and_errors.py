"""Terminal authentication and the one error shape."""

from __future__ import annotations

import requests

from demo_platform import DEMO_TERMINAL_ID

from .conftest import assert_error_shape


def test_request_without_credentials_is_refused_with_401_in_the_error_shape(platform):
    r = requests.get(platform.api_url + "/catalogue", timeout=5)
    err = assert_error_shape(r, 401, "unauthenticated")
    assert "Bearer" in r.headers["WWW-Authenticate"]
    assert "Authorization" in err["detail"]


def test_wrong_token_is_refused_with_401(platform):
    r = requests.get(platform.api_url + "/catalogue", timeout=5, headers={
        "Authorization": "Bearer not-the-token", "X-Terminal-Id": DEMO_TERMINAL_ID})
    assert_error_shape(r, 401, "invalid_token")


def test_right_token_for_another_terminal_id_is_refused(platform, client):
    token = client.session.headers["Authorization"]
    r = requests.get(platform.api_url + "/catalogue", timeout=5,
                     headers={"Authorization": token, "X-Terminal-Id": "DEMO-JS-9999"})
    assert_error_shape(r, 401, "invalid_token")


def test_unknown_endpoint_answers_404_in_the_error_shape(client):
    assert_error_shape(client.get("/no-such-thing"), 404, "not_found")


def test_malformed_request_body_answers_422_in_the_error_shape(client):
    r = client.post("/identity/verify", data=b"{not json", headers={"Content-Type": "application/json"})
    assert_error_shape(r, 422, "validation_failed")


def test_health_needs_no_credentials(platform):
    r = requests.get(platform.api_url + "/health", timeout=5)
    assert r.status_code == 200 and r.json()["status"] == "ok"
