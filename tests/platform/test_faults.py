"""Fault switches, each observed from a client over real HTTP."""

from __future__ import annotations

import json
import time

import pytest
import requests

from demo_platform import Faults, create_app, start_in_thread

from .conftest import AUTH, assert_error_shape


def _set(handle, **switches) -> None:
    r = requests.post(handle.base_url + "/__faults", json=switches, timeout=5)
    assert r.status_code == 200, r.text


def _get(handle, path: str = "/catalogue/changes?since=1", timeout: float = 5) -> requests.Response:
    return requests.get(handle.api_url + path, headers=AUTH, timeout=timeout)


def test_error_rate_gives_5xx_in_the_error_shape(fault_platform):
    _set(fault_platform, error_rate=1.0, error_status=502)
    assert_error_shape(_get(fault_platform), 502, "unavailable")
    requests.delete(fault_platform.base_url + "/__faults", timeout=5)
    assert _get(fault_platform).status_code == 200


def test_malformed_json_fails_to_decode_at_the_client(fault_platform):
    _set(fault_platform, malformed_rate=1.0)
    r = _get(fault_platform)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        r.json()


def test_truncated_json_is_cut_short_of_the_real_body(fault_platform):
    whole = _get(fault_platform, "/catalogue").content
    _set(fault_platform, truncated_rate=1.0)
    r = _get(fault_platform, "/catalogue")
    assert r.status_code == 200
    assert 0 < len(r.content) < len(whole) and whole.startswith(r.content)
    with pytest.raises(ValueError):
        json.loads(r.content)


def test_dropped_connection_closes_without_a_response(fault_platform):
    _set(fault_platform, drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        _get(fault_platform)
    requests.delete(fault_platform.base_url + "/__faults", timeout=5)
    assert _get(fault_platform).status_code == 200    # the server itself is still fine


def test_latency_delays_every_api_answer(fault_platform):
    _set(fault_platform, latency_ms=400)
    started = time.monotonic()
    assert _get(fault_platform).status_code == 200
    assert time.monotonic() - started >= 0.38


def test_timeout_sleeps_past_the_client_timeout(fault_platform):
    _set(fault_platform, timeout_rate=1.0, timeout_s=3)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        _get(fault_platform, timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_only_paths_limits_faults_and_the_openapi_document_is_never_faulted(fault_platform):
    _set(fault_platform, error_rate=1.0, only_paths=["/api/v1/ratings"])
    assert _get(fault_platform).status_code == 200
    assert requests.get(fault_platform.api_url + "/openapi.json", timeout=5).status_code == 200
    r = requests.post(fault_platform.api_url + "/ratings", json={"score": 5}, headers=AUTH, timeout=5)
    assert r.status_code == 503


def test_faults_set_through_the_factory_without_the_http_switch(tmp_path):
    handle = start_in_thread(create_app(tmp_path / "f.db", faults=Faults(error_rate=1.0)))
    try:
        assert_error_shape(_get(handle), 503, "unavailable")
        assert requests.post(handle.base_url + "/__faults", json={}, timeout=5).status_code == 404
        handle.faults.clear()
        assert _get(handle).status_code == 200
    finally:
        handle.stop()


def test_unknown_or_out_of_range_switch_is_refused():
    with pytest.raises(ValueError):
        Faults.from_dict({"error_rate": 2})
    with pytest.raises(ValueError):
        Faults.from_dict({"nonsense": 1})
