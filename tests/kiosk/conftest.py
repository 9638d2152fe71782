"""Catalogue sync against a real demonstration platform on loopback.

`CountingApp` wraps the platform's ASGI app and records every HTTP request the server
answers (method, path, query, status): round trips are counted where they arrive.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN, create_app, start_in_thread
from kiosk.catalogue_sync import CatalogueSync, store_at
from kiosk.platform_client import ClientSettings, PlatformClient
from offline.catalogue import CatalogStore
from offline.db import open_database


class CountingApp:
    """ASGI middleware: records (method, path, query, status) of every HTTP request."""

    def __init__(self, app) -> None:
        self.app = app
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str, str, int | None]] = []

    @property
    def state(self):  # ServerHandle reaches the store and the faults through app.state
        return self.app.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen: dict[str, int] = {}

        async def watching_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        finally:
            with self._lock:
                self.requests.append((scope["method"], scope["path"],
                                      scope.get("query_string", b"").decode(),
                                      seen.get("status")))

    def take(self) -> list[tuple[str, str, str, int | None]]:
        """The requests recorded since the last take()."""
        with self._lock:
            out, self.requests = self.requests, []
        return out


def start_platform(db_path: Path, **kwargs):
    return start_in_thread(CountingApp(create_app(db_path, **kwargs)))


@pytest.fixture
def platform(tmp_path):
    handle = start_platform(tmp_path / "platform.db")
    yield handle
    handle.stop()


def settings_for(handle, **overrides) -> ClientSettings:
    values = dict(base_url=handle.base_url, terminal_id=DEMO_TERMINAL_ID,
                  token=DEMO_TERMINAL_TOKEN, connect_timeout_s=2.0, read_timeout_s=5.0,
                  catalogue_timeout_s=10.0, retries=2, backoff_s=0.01)
    values.update(overrides)
    return ClientSettings(**values)


@pytest.fixture
def client(platform):
    c = PlatformClient(settings_for(platform))
    yield c
    c.close()


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def catalogue_db(tmp_path) -> Path:
    return tmp_path / "kiosk-catalogue.db"


@pytest.fixture
def sync(client, catalogue_db, clock) -> CatalogueSync:
    return CatalogueSync(client, store_at(catalogue_db), clock=clock)


@pytest.fixture
def reader(catalogue_db):
    """The screens' own store on the same file (another connection, this thread)."""
    store = CatalogStore(open_database(catalogue_db))
    yield store
    store.close()
