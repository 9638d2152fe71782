"""Platform diagnostics step by step, each on its own with a time limit: DNS, TCP, TLS and
the certificate's expiry, /health latency, the token, and the clock against the Date header."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN
from kiosk.admin.checks import Level
from kiosk.admin.network import PlatformTarget, clock_check, diagnose_platform
from tests.admin.conftest import HttpsPlatform


def by_name(checks):
    return {c.name: c for c in checks}


@pytest.fixture
def https_platform(tmp_path, request):
    params = getattr(request, "param", {})
    server = HttpsPlatform(tmp_path, **params)
    yield server
    server.stop()


def test_a_reachable_platform_passes_every_step_in_order(platform):
    found = diagnose_platform(PlatformTarget(platform.base_url, DEMO_TERMINAL_ID,
                                             DEMO_TERMINAL_TOKEN), timeout_s=5)
    assert [c.name for c in found] == ["platform.dns", "platform.tcp", "platform.health",
                                       "clock", "platform.token"]
    assert all(c.level is Level.OK for c in found), found
    assert "latency" in by_name(found)["platform.health"].detail


def test_a_wrong_token_fails_the_token_step_only(platform):
    found = by_name(diagnose_platform(PlatformTarget(platform.base_url, DEMO_TERMINAL_ID,
                                                     "not-the-token"), timeout_s=5))
    assert found["platform.health"].level is Level.OK
    token = found["platform.token"]
    assert token.level is Level.FAIL and "invalid_token" in token.detail
    assert "not-the-token" not in token.detail + token.fix
    assert "platform.token" in token.fix


def test_a_name_that_does_not_resolve_stops_at_dns():
    found = diagnose_platform(PlatformTarget("https://platform.invalid"), timeout_s=5)
    assert [(c.name, c.level) for c in found] == [("platform.dns", Level.FAIL)]
    assert "platform.invalid" in found[0].detail and "DNS" in found[0].fix


def test_tls_verified_against_the_configured_ca_reports_the_certificate_expiry(https_platform):
    found = by_name(diagnose_platform(PlatformTarget(https_platform.url,
                                                     ca_file=str(https_platform.cert)),
                                      timeout_s=5))
    tls = found["platform.tls"]
    assert tls.level is Level.OK, tls
    assert "到期 expires" in tls.detail
    assert "剩 365 天" in tls.detail or "剩 364 天" in tls.detail
    assert found["platform.health"].level is Level.OK


def test_an_untrusted_certificate_fails_tls_and_points_at_ca_file(https_platform):
    found = diagnose_platform(PlatformTarget(https_platform.url), timeout_s=5)
    assert found[-1].name == "platform.tls" and found[-1].level is Level.FAIL
    assert "certificate" in found[-1].detail and "platform.ca_file" in found[-1].fix


@pytest.mark.parametrize("https_platform", [{"days": 10}], indirect=True)
def test_a_certificate_about_to_expire_is_a_warning(https_platform):
    tls = by_name(diagnose_platform(PlatformTarget(https_platform.url,
                                                   ca_file=str(https_platform.cert)),
                                    timeout_s=5))["platform.tls"]
    assert tls.level is Level.WARN and "到期" in tls.fix


@pytest.mark.parametrize("https_platform", [{"clock_offset_s": -600}], indirect=True)
def test_a_clock_ten_minutes_off_the_platform_fails(https_platform):
    clock = by_name(diagnose_platform(PlatformTarget(https_platform.url,
                                                     ca_file=str(https_platform.cert)),
                                      timeout_s=5))["clock"]
    assert clock.level is Level.FAIL and "快 600 s" in clock.detail
    assert "timedatectl" in clock.fix


def test_clock_offsets_are_judged_against_the_date_header():
    assert clock_check("Sun, 29 Nov 2026 10:00:00 GMT", 1795946400.5).level is Level.OK
    assert clock_check("Sun, 29 Nov 2026 10:00:00 GMT", 1795946400.5 - 60).level is Level.WARN
    assert clock_check(None, 0).level is Level.WARN
    assert clock_check("yesterday", 0).level is Level.WARN


def test_a_platform_that_accepts_but_never_answers_is_given_up_within_the_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)  # the kernel accepts; nobody ever speaks TLS
    port = listener.getsockname()[1]
    try:
        started = time.monotonic()
        found = diagnose_platform(PlatformTarget(f"https://127.0.0.1:{port}"), timeout_s=1.5)
        spent = time.monotonic() - started
    finally:
        listener.close()
    assert spent < 3.0
    assert found[-1].name == "platform.tls" and found[-1].level is Level.FAIL


def test_diagnosis_runs_off_the_calling_thread_like_the_maintenance_screen_runs_it(platform):
    results = []
    worker = threading.Thread(target=lambda: results.extend(diagnose_platform(
        PlatformTarget(platform.base_url, DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN), timeout_s=5)))
    worker.start()
    worker.join(10)
    assert results and all(c.level is Level.OK for c in results)
