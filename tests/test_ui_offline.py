"""The home screen tells residents when the platform is unreachable and what still works."""

from __future__ import annotations

import socket

import pytest

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN, create_app, start_in_thread
from kiosk import platform_errors as pe
from kiosk.connectivity import Connectivity
from kiosk.platform_client import ClientSettings, PlatformClient
from tests.ui_harness import KioskHarness


def client_for(url: str, link: Connectivity) -> PlatformClient:
    return PlatformClient(ClientSettings(url, DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN,
                                         retries=0, connect_timeout_s=1.0),
                          observer=link.report)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def kiosk_with_link(tmp_path):
    link = Connectivity()
    harness = KioskHarness(tmp_path, connectivity=link)
    yield harness, link
    harness.close()


def banner(kiosk):
    return kiosk.app.screen_manager.get_screen("home").ids.offline_banner


def test_the_offline_banner_follows_real_platform_calls(kiosk_with_link, tmp_path):
    kiosk, link = kiosk_with_link
    assert banner(kiosk).height == 0 and not kiosk.app.platform_offline  # unknown: quiet

    with pytest.raises(pe.PlatformUnavailableError):
        client_for(f"http://127.0.0.1:{free_port()}", link).health()
    kiosk.frames(4)
    shown = [w.text for w in banner(kiosk).walk() if hasattr(w, "text") and w.text]
    assert kiosk.app.platform_offline and banner(kiosk).height > 0
    assert any("网络暂时中断" in t for t in shown)
    assert any("办事指南" in t and "自动发送" in t for t in shown)

    handle = start_in_thread(create_app(tmp_path / "platform.db"))
    try:
        client_for(handle.base_url, link).health()
    finally:
        handle.stop()
    kiosk.frames(4)
    assert not kiosk.app.platform_offline and banner(kiosk).height == 0
