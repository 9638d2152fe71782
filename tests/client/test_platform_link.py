"""PlatformLink: submissions reach the real platform, backlog drains when the line is back."""

from __future__ import annotations

import time

import pytest

from demo_platform import Faults
from kiosk.connectivity import Connectivity, LinkState
from kiosk.outbox_transport import HELP_REQUEST, RATING, OutboxTransport
from kiosk.platform_client import PlatformClient
from kiosk.platform_link import LinkTimings, PlatformLink
from offline.crypto import OutboxKey
from offline.outbox import Outbox

from .conftest import settings_for


def wait_for(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


@pytest.fixture
def kiosk_side(fault_platform, tmp_path):
    link_state = Connectivity()
    client = PlatformClient(settings_for(fault_platform, retries=0, read_timeout_s=1.0),
                            observer=link_state.report)
    alerts: list[str] = []
    box = Outbox(tmp_path / "kiosk.db", OutboxKey.generate(), backoff_base_s=0.05,
                 backoff_cap_s=60.0, on_alert=alerts.append)
    heartbeats = []

    def heartbeat():
        heartbeats.append(time.time())
        return {"devices": [{"name": "printer", "kind": "printer", "status": "userError",
                             "detail": "paper out"}],
                "backlog": {"outbox_items": box.stats().count, "oldest_age_s": 0.0},
                "catalogue_version": 0, "app_version": "test", "uptime_s": 1}

    link = PlatformLink(box, OutboxTransport(client, on_alert=alerts.append).send,
                        heartbeat=heartbeat,
                        timings=LinkTimings(heartbeat_interval_s=0.3, idle_poll_s=0.1))
    link_state.subscribe(link.on_link_change)
    link.start()
    yield link, box, link_state, alerts, client
    link.stop()
    box.close()


def platform_rows(handle, table: str) -> int:
    return handle.store.q1(f"SELECT count(*) AS n FROM {table}")["n"]


def test_a_submission_reaches_the_platform_and_leaves_the_outbox(fault_platform, kiosk_side):
    link, box, link_state, _alerts, _client = kiosk_side
    link.submit(RATING, {"score": 5, "reason": ""})
    wait_for(lambda: box.stats().count == 0 and platform_rows(fault_platform, "ratings") == 1)
    assert link_state.status.state is LinkState.ONLINE


def test_the_heartbeat_reaches_the_platform_with_the_device_problem(fault_platform, kiosk_side):
    wait_for(lambda: platform_rows(fault_platform, "heartbeats") >= 1)
    row = fault_platform.store.q1("SELECT last_heartbeat FROM terminals WHERE id = ?",
                                  "DEMO-JS-0001")
    assert "paper out" in row["last_heartbeat"]


def test_offline_submissions_wait_and_go_once_the_line_is_back(fault_platform, kiosk_side):
    link, box, link_state, _alerts, client = kiosk_side
    fault_platform.faults.set(Faults(drop_rate=1.0))
    for n in range(5):
        link.submit(HELP_REQUEST, {"kind": "call_back", "message": f"offline-{n}"})
    wait_for(lambda: link_state.status.state is LinkState.OFFLINE)
    assert box.stats().by_kind.get(HELP_REQUEST) == 5
    fault_platform.faults.clear()
    client.health()  # any answer: the link is online again and the backlog goes at once
    wait_for(lambda: box.stats().by_kind.get(HELP_REQUEST) is None, timeout_s=5.0)
    assert platform_rows(fault_platform, "help_requests") == 5


def test_a_refused_item_is_parked_for_the_technician_and_the_rest_still_go(fault_platform,
                                                                         kiosk_side):
    link, box, _state, alerts, _client = kiosk_side
    link.submit(RATING, {"score": 1, "reason": ""})  # the platform refuses: low, no reason
    link.submit(RATING, {"score": 4, "reason": ""})
    wait_for(lambda: box.stats().by_kind.get(RATING) is None)
    dead = box.dead_letters()
    assert len(dead) == 1 and "validation_failed" in dead[0].error
    assert platform_rows(fault_platform, "ratings") == 1
    assert any("rejected" in a for a in alerts)
