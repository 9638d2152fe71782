"""Card removal or idle timeout, in any flow that identified the resident, wipes the session:
home screen, no resident in the session, nothing of theirs on any screen, and the next
resident is asked to identify again."""

from __future__ import annotations

import pytest

from hardware.card_reader.samples import sample_cards
from kiosk.flows.registry import FLOW_CLASSES
from kiosk.session import SessionState
from tests.ui_flow_kit import button, devices, kiosk, rig, shown_text, tile  # noqa: F401 (fixtures)

IDENTITY_FLOWS = [cls.name for cls in FLOW_CLASSES
                  if cls.needs_identity and getattr(cls, "tile", True)]


def identify_by_card(kiosk, devices, flow_name: str) -> str:
    kiosk.tap(tile(kiosk, flow_name))
    assert kiosk.app.screen_manager.current == flow_name
    kiosk.tap(button(kiosk, "consent:agree"))
    kiosk.tap(button(kiosk, "way:card"))
    card = sample_cards()[0]
    devices.card_reader.insert_card(card)
    kiosk.app.device_card_present()
    kiosk.frames(3)
    kiosk.wait(0.3)
    assert kiosk.app.resident_name  # the bar greets the (masked) resident
    return card.name


def assert_wiped(kiosk, flow_name: str, name: str) -> None:
    session = kiosk.services.session
    assert session.state is SessionState.IDLE
    assert kiosk.app.screen_manager.current == "home"
    assert not kiosk.app.resident_name
    masked = name[0] + "*" + name[-1]
    texts = "\n".join(kiosk.all_texts())
    assert name not in texts and masked not in texts
    # The next resident starts from the consent line, not from the last one's data.
    kiosk.tap(tile(kiosk, flow_name))
    assert "同意" in shown_text(kiosk)


def test_every_identity_flow_is_listed():
    assert {"benefits", "apply", "bundles", "progress", "licences",
            "appointment"} <= set(IDENTITY_FLOWS)


@pytest.mark.parametrize("flow_name", IDENTITY_FLOWS)
def test_card_removal_in_the_flow_wipes_the_session(kiosk, devices, flow_name):
    name = identify_by_card(kiosk, devices, flow_name)
    kiosk.services.session.card_removed()  # what the device bridge does on CardRemoved
    kiosk.frames(3)
    assert_wiped(kiosk, flow_name, name)


@pytest.mark.parametrize("flow_name", IDENTITY_FLOWS)
def test_idle_timeout_in_the_flow_wipes_the_session(kiosk, devices, flow_name):
    name = identify_by_card(kiosk, devices, flow_name)
    kiosk.pass_idle_time(200)
    kiosk.pass_idle_time(70)
    assert_wiped(kiosk, flow_name, name)
