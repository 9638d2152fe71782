"""The kiosk's platform client against a real demonstration platform on loopback."""

from __future__ import annotations

import pytest

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN, create_app, start_in_thread
from kiosk.connectivity import Connectivity
from kiosk.platform_client import ClientSettings, PlatformClient


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    handle = start_in_thread(create_app(tmp_path_factory.mktemp("platform") / "platform.db"))
    yield handle
    handle.stop()


@pytest.fixture
def fault_platform(tmp_path):
    """A fresh platform whose fault switches the test sets through `handle.faults`."""
    handle = start_in_thread(create_app(tmp_path / "faulty.db"))
    yield handle
    handle.stop()


def settings_for(handle, **overrides) -> ClientSettings:
    values = dict(base_url=handle.base_url, terminal_id=DEMO_TERMINAL_ID,
                  token=DEMO_TERMINAL_TOKEN, connect_timeout_s=2.0, read_timeout_s=5.0,
                  retries=2, backoff_s=0.01)
    values.update(overrides)
    return ClientSettings(**values)


@pytest.fixture
def link() -> Connectivity:
    return Connectivity()


@pytest.fixture
def client(platform, link):
    c = PlatformClient(settings_for(platform), observer=link.report)
    yield c
    c.close()
