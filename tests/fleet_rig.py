"""A real demo platform and a kiosk's real heartbeat path with a simulated printer.

`HeartbeatRig` starts the demonstration platform on a free loopback port and composes the
kiosk side as the app does: configuration loaded from a terminal file (demo layers), the
device manager watching a simulated printer, and `build_platform_services` with
`device_report` / `device_events` wired as in `run_kiosk.py`, so heartbeats go through the
encrypted outbox and the outbox sender to `POST /terminals/heartbeat`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from demo_platform import DEMO_TERMINAL_ID, create_app, start_in_thread
from hardware.manager import DeviceManager
from hardware.printer.simulator import SimulatedReceiptPrinter
from kiosk.config import load_config
from kiosk.platform_setup import build_platform_services
from offline.crypto import create_key_file


def wait_for(condition: Callable[[], object], timeout_s: float, what: str) -> float:
    """Poll `condition` until true; returns the seconds it took, fails after `timeout_s`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"{what}: not within {timeout_s:.1f} s")
        time.sleep(0.05)
    return time.monotonic() - started


class HeartbeatRig:
    def __init__(self, tmp_path: Path, *, heartbeat_interval_s: int = 10) -> None:
        self.interval_s = heartbeat_interval_s
        (tmp_path / "platform").mkdir(parents=True, exist_ok=True)
        self.handle = start_in_thread(create_app(tmp_path / "platform" / "platform.db"))
        key = tmp_path / "outbox.key"
        create_key_file(key)
        terminal = tmp_path / "terminal.toml"
        terminal.write_text(
            f'[platform]\nurl = "{self.handle.base_url}"\nstart_demo_server = false\n'
            f'heartbeat_interval_s = {heartbeat_interval_s}\n'
            f'[outbox]\nkey_file = "{key}"\n[paths]\nstate_dir = "{tmp_path / "state"}"\n'
            f'[log]\ndir = "{tmp_path / "log"}"\n', encoding="utf-8")
        self.config = load_config(terminal, demo=True, environ={})
        printers = [d for d in self.config.devices if d.kind == "printer" and d.driver == "sim"]
        assert printers, "the demo configuration has a simulated printer"
        self.devices = DeviceManager(printers, poll_interval_s=0.2)
        self.services = build_platform_services(self.config, app_version="0.1.0-test",
                                                device_report=self.devices.report,
                                                device_events=self.devices.subscribe)
        self.devices.start()
        self.services.start()

    @property
    def printer(self) -> SimulatedReceiptPrinter:
        device = self.devices.by_kind("printer")[0]
        assert isinstance(device, SimulatedReceiptPrinter)
        return device

    def stored_printer_status(self) -> tuple[str, str] | None:
        """(status, detail) of the printer in the platform's latest heartbeat, if any."""
        import json

        row = self.handle.store.q1("SELECT last_heartbeat FROM terminals WHERE id = ?",
                                   DEMO_TERMINAL_ID)
        if row is None or not row["last_heartbeat"]:
            return None
        for device in json.loads(row["last_heartbeat"])["devices"]:
            if device["kind"] == "printer":
                return device["status"], device.get("detail", "")
        return None

    def close(self) -> None:
        self.services.stop()
        self.devices.stop()
        self.handle.stop()
