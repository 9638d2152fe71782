"""Resident flows through the real app: touches, simulated devices, the real platform."""

from __future__ import annotations

import pytest

from hardware.card_reader.samples import sample_cards
from kiosk.session import SessionState
from tests.sim_devices import SimDevices
from tests.ui_harness import KioskHarness
from tests.ui_platform import PlatformRig


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    r = PlatformRig(tmp_path_factory.mktemp("rig"))
    yield r
    r.close()


@pytest.fixture
def devices():
    d = SimDevices()
    yield d
    d.close()


@pytest.fixture
def kiosk(tmp_path, rig, devices):
    harness = KioskHarness(tmp_path, connectivity=rig.connectivity, platform=rig.access(),
                           devices=devices)
    yield harness
    harness.close()


def tile(kiosk, tile_id):
    grid = kiosk.app.screen_manager.get_screen("home").ids.tiles
    return next(b for b in grid.children if b.tile_id == tile_id)


def button(kiosk, choice_id):
    screen = kiosk.app.screen_manager.current_screen
    found = [b for b in screen.walk() if getattr(b, "choice_id", None) == choice_id]
    assert found, f"no button {choice_id} on {screen.name}: {screen.current_view}"
    return found[0]


def shown_text(kiosk) -> str:
    screen = kiosk.app.screen_manager.current_screen
    return "\n".join(w.text for w in screen.walk() if isinstance(getattr(w, "text", None), str))


def test_benefits_by_card_through_the_app_and_card_removal_wipes_it(kiosk, devices):
    kiosk.tap(tile(kiosk, "benefits"))
    assert kiosk.app.screen_manager.current == "benefits"
    assert "核验身份" in shown_text(kiosk)
    kiosk.tap(button(kiosk, "consent:agree"))
    kiosk.tap(button(kiosk, "way:card"))
    devices.card_reader.insert_card(sample_cards()[0])
    kiosk.app.device_card_present()  # what the device bridge does on CardPresent
    kiosk.frames(3)
    text = shown_text(kiosk)
    assert "老年人综合津贴" in text and "免申即享" in text
    assert sample_cards()[0].name not in text
    assert kiosk.app.resident_name  # the bar greets the (masked) resident

    kiosk.services.session.card_removed()
    kiosk.frames(3)
    assert kiosk.services.session.state is SessionState.IDLE
    assert kiosk.app.screen_manager.current == "home"
    assert "老年人综合津贴" not in "\n".join(kiosk.all_texts())


def test_back_steps_inside_the_flow_before_leaving_it(kiosk):
    kiosk.tap(tile(kiosk, "benefits"))
    kiosk.tap(button(kiosk, "consent:agree"))
    kiosk.tap(kiosk.app.bar.ids.back_button)
    assert kiosk.app.screen_manager.current == "benefits"
    assert "同意" in shown_text(kiosk)
    kiosk.tap(kiosk.app.bar.ids.back_button)
    assert kiosk.app.screen_manager.current == "home"
