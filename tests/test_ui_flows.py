"""Resident flows through the real app: touches, simulated devices, the real platform."""

from __future__ import annotations

from hardware.card_reader.samples import sample_cards
from kiosk.session import SessionState
from tests.ui_flow_kit import button, devices, kiosk, rig, shown_text, tile  # noqa: F401 (fixtures)


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
