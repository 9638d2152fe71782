"""Which tiles are offered, when the terminal is out of service, and screen navigation."""

from __future__ import annotations

import pytest

from kiosk.availability import ServiceTile, decide_availability
from kiosk.navigation import Navigator

GUIDE = ServiceTile("guide", "Service guides", "guide")
PRINT = ServiceTile("licences", "E-licences", "licences", requires=("card_reader", "printer"))


def test_only_built_enabled_tiles_with_ready_devices_are_shown():
    a = decide_availability(built=(GUIDE, PRINT), enabled=("guide", "licences"),
                            device_ready={"card_reader": True, "printer": False})
    assert a.in_service and a.tiles == (GUIDE,)


def test_disabled_service_is_not_shown():
    a = decide_availability(built=(GUIDE,), enabled=(), device_ready={})
    assert a.in_service and a.tiles == ()


def test_nothing_usable_means_out_of_service_naming_the_devices():
    a = decide_availability(built=(PRINT,), enabled=("licences",),
                            device_ready={"card_reader": True})
    assert not a.in_service
    assert "printer" in a.reason and "card_reader" not in a.reason


def test_an_either_or_requirement_is_met_by_either_device():
    code = ServiceTile("offline_code", "Offline code", "offline_code",
                       requires=("printer", "card_reader|scanner"))
    for ready in ({"printer": True, "card_reader": True}, {"printer": True, "scanner": True}):
        assert decide_availability(built=(code,), enabled=("offline_code",),
                                   device_ready=ready).tiles == (code,)
    a = decide_availability(built=(code,), enabled=("offline_code",),
                            device_ready={"printer": True, "card_reader": False})
    assert not a.in_service and "card_reader|scanner" in a.reason and "printer" not in a.reason


def test_configured_out_of_service_wins_with_its_message():
    a = decide_availability(built=(GUIDE,), enabled=("guide",), device_ready={},
                            out_of_service=True, out_of_service_message="检修中")
    assert not a.in_service and a.message == "检修中" and a.tiles == ()


def test_navigator_home_clears_and_back_stops_at_home():
    seen = []
    nav = Navigator("home", {"home", "help", "guide"})
    nav.subscribe(seen.append)
    nav.go("guide")
    nav.go("help")
    assert nav.current == "help" and nav.can_go_back
    nav.back()
    assert nav.current == "guide"
    nav.home()
    assert nav.current == "home" and not nav.can_go_back
    nav.back()
    assert nav.current == "home"
    assert seen == ["guide", "help", "guide", "home"]


def test_navigator_refuses_unknown_screens():
    with pytest.raises(ValueError):
        Navigator("home", {"home"}).go("nowhere")
