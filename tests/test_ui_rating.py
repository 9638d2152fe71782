"""好差评 through the real app: rating a completed service reaches the platform's ratings."""

from __future__ import annotations

import json
import time

import pytest

from hardware.camera.simulator import SimulatedCamera
from kiosk.flows.id_photo import State
from tests.sim_devices import SimDevices
from tests.ui_flow_kit import button, kiosk, rig, shown_text, tile  # noqa: F401 (fixtures)


@pytest.fixture
def devices():
    d = SimDevices()
    camera = SimulatedCamera("camera", person=True)
    camera.open()
    d.all.append(camera)
    yield d
    d.close()


def test_rating_a_completed_service_with_a_low_score_reaches_the_platform(kiosk, rig):
    home = kiosk.app.screen_manager.get_screen("home")
    assert not home.show_page_with("rating")  # no home tile
    kiosk.tap(tile(kiosk, "id_photo"))
    flow = kiosk.app.screen_manager.current_screen.flow
    deadline = time.monotonic() + 5
    while flow.state is not State.REVIEW:
        assert time.monotonic() < deadline
        kiosk.wait(0.05)
    kiosk.frames(3)
    kiosk.tap(button(kiosk, "photo:use:0"))
    kiosk.tap(button(kiosk, "nav:rate"))
    assert kiosk.app.screen_manager.current == "rating"
    assert "非常满意" in shown_text(kiosk)
    kiosk.tap(button(kiosk, "rating:score:2"))
    assert "等待时间长" in shown_text(kiosk)
    kiosk.tap(button(kiosk, "rating:reason:complicated"))
    assert "感谢您的评价" in shown_text(kiosk)
    rig.wait_sent()
    row = rig.handle.store.q1("SELECT payload FROM ratings ORDER BY created_at DESC")
    assert json.loads(row["payload"])["score"] == 2
    assert json.loads(row["payload"])["reason"] == "操作复杂"
    kiosk.tap(button(kiosk, "nav:home"))
    assert kiosk.app.screen_manager.current == "home"
