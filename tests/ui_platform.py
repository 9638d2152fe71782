"""A real demo platform and the kiosk's real platform side, for UI tests of the flows.

`PlatformRig` starts the demonstration platform on loopback, composes the kiosk's
platform services from a demo configuration exactly as the app does (outbox with a fresh
key, catalogue synced once, link workers running) and offers the `PlatformAccess` the
harness hands to the flows.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from demo_platform import create_app, start_in_thread
from kiosk.config import load_config
from kiosk.context import PlatformAccess
from kiosk.platform_setup import build_platform_services
from offline.crypto import create_key_file


class PlatformRig:
    def __init__(self, tmp_path: Path) -> None:
        (tmp_path / "platform").mkdir(parents=True, exist_ok=True)
        self.handle = start_in_thread(create_app(tmp_path / "platform" / "platform.db"))
        key = tmp_path / "outbox.key"
        create_key_file(key)
        terminal = tmp_path / "rig.toml"
        terminal.write_text(
            f'[platform]\nurl = "{self.handle.base_url}"\nstart_demo_server = false\n'
            f'[outbox]\nkey_file = "{key}"\n[paths]\nstate_dir = "{tmp_path / "rig"}"\n'
            f'[log]\ndir = "{tmp_path / "log"}"\n', encoding="utf-8")
        self.config = load_config(terminal, demo=True, environ={})
        self.services = build_platform_services(self.config, app_version="test")
        self.services.sync.sync_once()
        self.services.start()
        self._local = threading.local()

    @property
    def connectivity(self):
        return self.services.connectivity

    def catalogue(self):
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = self.services.open_catalogue()
        return store

    def access(self) -> PlatformAccess:
        return PlatformAccess(client=lambda: self.services.client, catalogue=self.catalogue,
                              submitter=lambda: self.services.link)

    def wait_sent(self, timeout_s: float = 10.0) -> None:
        """Until the outbox is empty (everything acknowledged by the platform)."""
        deadline = time.monotonic() + timeout_s
        self.services.link.flush_now()
        while self.services.outbox.stats().count:
            assert time.monotonic() < deadline, "outbox not drained in time"
            time.sleep(0.05)

    def close(self) -> None:
        store = getattr(self._local, "store", None)
        if store is not None:
            store.close()
        self.services.stop()
        self.handle.stop()
