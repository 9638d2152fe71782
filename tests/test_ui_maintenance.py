"""Maintenance mode through the real app: the hidden gesture, the PIN on the keypad, the
lockout, the menu, and the way out; residents' sessions and devices stay out of it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kiosk.device_cli import open_all
from kiosk.maintenance.access import PinGate
from kiosk.maintenance.build import build_tools
from kiosk.maintenance.flow import MaintenanceFlow
from tests.ui_flow_kit import button, rig, shown_text  # noqa: F401 (fixtures)
from tests.ui_harness import KioskHarness

DEMO_PIN = "246810"


@pytest.fixture
def kiosk(tmp_path, rig):
    manager = open_all(rig.config)
    harness = KioskHarness(tmp_path, connectivity=rig.connectivity, platform=rig.access(),
                           devices=manager)
    app = harness.app
    platform = SimpleNamespace(services=rig.services, error="", catalogue=rig.catalogue,
                               client=lambda: rig.services.client)
    tools = build_tools(rig.config, manager, platform, in_service=lambda: app.in_service,
                        set_out_of_service=app.set_taken_out_of_service,
                        restart=lambda: None)
    gate = PinGate(rig.config.maintenance.pin_hash, tmp_path / "state" / "maintenance.json")
    harness.services.maintenance = MaintenanceFlow(harness.services.flow_context, gate, tools)
    yield harness
    harness.close()
    manager.stop()


def tap_name(kiosk, times: int) -> None:
    for _ in range(times):
        kiosk.tap(kiosk.app.bar.ids.greeting)


def type_pin(kiosk, pin: str) -> None:
    for digit in pin:
        kiosk.tap(button(kiosk, f"numpad:{digit}"))
    kiosk.tap(button(kiosk, "mt:pin_ok"))


def test_only_seven_taps_on_the_terminal_name_and_the_right_pin_open_maintenance(kiosk):
    tap_name(kiosk, 6)
    assert kiosk.app.screen_manager.current == "home"
    tap_name(kiosk, 1)  # the seventh
    kiosk.frames(3)
    assert kiosk.app.screen_manager.current == "maintenance"
    assert "维护" in shown_text(kiosk) and kiosk.app.bar.ids.right_group.disabled
    type_pin(kiosk, DEMO_PIN)
    text = shown_text(kiosk)
    assert "设备" in text and "发件箱" in text and DEMO_PIN not in "\n".join(kiosk.all_texts())
    kiosk.tap(button(kiosk, "mt:devices"))
    assert "printer" in shown_text(kiosk)
    kiosk.tap(button(kiosk, "mt:menu"))
    kiosk.tap(button(kiosk, "mt:leave"))
    kiosk.frames(3)
    assert kiosk.app.screen_manager.current == "home"
    assert not kiosk.app.bar.ids.right_group.disabled


def test_five_wrong_pins_show_the_lockout(kiosk):
    tap_name(kiosk, 7)
    kiosk.frames(3)
    for _ in range(5):
        type_pin(kiosk, "123456")
    text = shown_text(kiosk)
    assert "锁定" in text and "numpad:1" not in [getattr(w, "choice_id", "") for w in
                                               kiosk.app.screen_manager.current_screen.walk()]
    type_pin_blocked = kiosk.services.maintenance.gate.check(DEMO_PIN)
    assert not type_pin_blocked.ok and type_pin_blocked.locked_for_s > 0


def test_a_resident_session_ends_when_maintenance_opens_and_none_starts_inside_it(kiosk):
    kiosk.tap(kiosk.app.screen_manager.get_screen("home").ids.help_tile)
    assert kiosk.services.session.state.value == "active"
    tap_name(kiosk, 7)
    kiosk.frames(3)
    assert kiosk.services.session.state.value == "idle"
    type_pin(kiosk, DEMO_PIN)
    assert kiosk.services.session.state.value == "idle"  # technicians' taps are not a session


def test_taking_the_terminal_out_of_service_keeps_the_technician_in_maintenance(kiosk):
    tap_name(kiosk, 7)
    kiosk.frames(3)
    type_pin(kiosk, DEMO_PIN)
    kiosk.tap(button(kiosk, "mt:service"))
    kiosk.tap(button(kiosk, "mt:oos"))
    assert not kiosk.app.in_service and kiosk.app.screen_manager.current == "maintenance"
    kiosk.app.refresh_availability()  # a device event must not undo the technician's switch
    assert not kiosk.app.in_service
    kiosk.tap(kiosk.app.bar.ids.home_button)  # Home leaves maintenance too
    kiosk.frames(3)
    assert kiosk.app.screen_manager.current == "out_of_service"
    kiosk.tap_at(100, 700)  # the gesture works on the out-of-service screen too
    for _ in range(6):
        kiosk.tap_at(100, 700)
    kiosk.frames(3)
    assert kiosk.app.screen_manager.current == "maintenance"
    type_pin(kiosk, DEMO_PIN)
    kiosk.tap(button(kiosk, "mt:service"))
    kiosk.tap(button(kiosk, "mt:in_service"))
    assert kiosk.app.in_service
