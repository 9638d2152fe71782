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
    def __init__(self, tmp_path: Path, *, child_process: bool = False) -> None:
        """`child_process`: run the platform as `kiosk --demo` does, in a child process
        (its database and memory stay out of this process; no `handle.store` then)."""
        (tmp_path / "platform").mkdir(parents=True, exist_ok=True)
        if child_process:
            self.handle = _ChildPlatform(tmp_path)
        else:
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


class _ChildPlatform:
    """The demo platform in a child process (kiosk.demo_server), on a free loopback port."""

    def __init__(self, tmp_path: Path) -> None:
        import socket

        from kiosk.demo_server import start_demo_server

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.server = start_demo_server(self.base_url, tmp_path)
        self.server.wait_ready(30.0)

    def stop(self) -> None:
        self.server.stop()
