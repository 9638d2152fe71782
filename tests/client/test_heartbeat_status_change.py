"""The heartbeat: what it carries, and that a device status change reaches the platform at
once instead of waiting for the next period."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from hardware.base import DeviceStatus
from kiosk.heartbeat import build_heartbeat
from kiosk.platform_link import LinkTimings, PlatformLink
from offline.crypto import OutboxKey
from offline.outbox import HEARTBEAT, Outbox
from tests.fleet_rig import HeartbeatRig, wait_for


@dataclass
class _Device:
    name: str
    kind: str
    status: DeviceStatus
    detail: str = ""


def test_the_heartbeat_carries_devices_backlog_versions_uptime_and_its_period():
    body = build_heartbeat(devices=[_Device("printer", "printer", DeviceStatus.USER_ERROR,
                                            "paper end")],
                           outbox_items=2, oldest_age_s=42.26, catalogue_version="7",
                           app_version="0.1.0", started_at=1000.0, interval_s=30,
                           now=lambda: 4600.0)
    assert body["devices"] == [{"name": "printer", "kind": "printer", "status": "userError",
                                "detail": "paper end"}]
    assert body["backlog"] == {"outbox_items": 2, "oldest_age_s": 42.3}
    assert body["catalogue_version"] == 7 and body["app_version"] == "0.1.0"
    assert body["uptime_s"] == 3600 and body["heartbeat_interval_s"] == 30
    assert body["sent_at"].endswith("Z")


def _link(tmp_path, sent: list, *, interval_s: float, min_gap_s: float) -> PlatformLink:
    box = Outbox(tmp_path / "outbox.db", OutboxKey.generate())
    lock = threading.Lock()

    def send(item) -> None:
        with lock:
            sent.append((time.monotonic(), item.kind))

    return PlatformLink(box, send, heartbeat=lambda: {"n": len(sent)},
                        timings=LinkTimings(heartbeat_interval_s=interval_s, idle_poll_s=30.0,
                                            heartbeat_min_gap_s=min_gap_s))


def test_a_device_status_change_sends_a_heartbeat_at_once_not_at_the_next_period(tmp_path):
    sent: list = []
    link = _link(tmp_path, sent, interval_s=60.0, min_gap_s=0.3)
    link.start()
    try:
        wait_for(lambda: len(sent) == 1, 5.0, "the first heartbeat at start")
        time.sleep(0.4)  # past the minimum gap
        changed = time.monotonic()
        link.heartbeat_soon()
        wait_for(lambda: len(sent) == 2, 2.0, "a heartbeat after the status change")
        assert sent[1][0] - changed < 1.0 and sent[1][1] == HEARTBEAT
    finally:
        link.stop()
        link.outbox.close()


def test_status_changes_in_a_burst_send_at_most_one_heartbeat_per_minimum_gap(tmp_path):
    sent: list = []
    link = _link(tmp_path, sent, interval_s=60.0, min_gap_s=1.0)
    link.start()
    try:
        wait_for(lambda: len(sent) == 1, 5.0, "the first heartbeat at start")
        for _ in range(20):  # a flapping device, for 0.4 s
            link.heartbeat_soon()
            time.sleep(0.02)
        wait_for(lambda: len(sent) == 3, 3.0, "the first change at once, the rest as one")
        assert sent[2][0] - sent[1][0] >= 0.95, "the last state one minimum gap later"
        time.sleep(0.5)
        assert len(sent) == 3
    finally:
        link.stop()
        link.outbox.close()


def test_a_printer_out_of_paper_reaches_the_platform_within_one_heartbeat_period(tmp_path):
    rig = HeartbeatRig(tmp_path, heartbeat_interval_s=10)
    try:
        wait_for(lambda: rig.stored_printer_status() == ("online", ""), 10.0,
                 "a heartbeat with the printer online")
        rig.printer.run_out_of_paper()
        took = wait_for(lambda: rig.stored_printer_status() == ("userError", "paper end"),
                        rig.interval_s, "the paper-out heartbeat")
        assert took < rig.interval_s / 2, f"{took:.1f} s: sent at once, not at the period"
        rig.printer.load_paper()
        wait_for(lambda: rig.stored_printer_status() == ("online", ""), rig.interval_s,
                 "the paper-loaded heartbeat")
    finally:
        rig.close()
