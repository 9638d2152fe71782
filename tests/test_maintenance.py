"""Maintenance mode without a window: the gesture, the PIN and its lockout, and the flow
with the demo terminal's real simulated devices and the demo platform."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN
from kiosk.config import load_config
from kiosk.connectivity import Connectivity
from kiosk.device_cli import open_all
from kiosk.flows.context import FlowContext
from kiosk.flows.runner import ImmediateRunner
from kiosk.i18n import Translator
from kiosk.maintenance.access import FIRST_LOCK_S, PinGate, TapGesture
from kiosk.maintenance.build import network_findings
from kiosk.maintenance.flow import (DEVICE, DEVICES, LEAVE, OUT_OF_SERVICE, OUTBOX, PIN_OK,
                                    SELF_TEST, SERVICE, MaintenanceFlow, State)
from kiosk.maintenance.tools import MaintenanceTools, OutboxSummary, tail_lines
from kiosk.platform_client import ClientSettings, PlatformClient
from kiosk.session import Session, SessionTimings
from tests.clocks import FakeClock
from tests.ui_harness import write_terminal_file

DEMO_PIN = "246810"  # config/demo.toml


@pytest.fixture
def config(tmp_path):
    return load_config(write_terminal_file(tmp_path), demo=True, environ={})


def test_seven_quick_taps_open_the_pin_and_slow_or_fewer_taps_do_not():
    clock = FakeClock()
    gesture = TapGesture(clock=clock)
    assert not any(gesture.tap() for _ in range(6))
    clock.advance(5.0)  # too slow: the count starts again
    assert [gesture.tap() for _ in range(7)] == [False] * 6 + [True]
    assert not gesture.tap()


def test_five_wrong_pins_lock_entry_for_a_growing_delay_that_survives_a_restart(
        config, tmp_path):
    clock = FakeClock(1_000_000.0)
    state = tmp_path / "maintenance.json"
    gate = PinGate(config.maintenance.pin_hash, state, wall_clock=clock)
    tries = [gate.check("111111") for _ in range(5)]
    assert [t.tries_left for t in tries[:4]] == [4, 3, 2, 1]
    assert tries[4].locked_for_s == FIRST_LOCK_S
    assert not gate.check(DEMO_PIN).ok  # even the right PIN waits out the lock
    again = PinGate(config.maintenance.pin_hash, state, wall_clock=clock)  # power cut
    assert again.locked_for() == pytest.approx(FIRST_LOCK_S)
    clock.advance(FIRST_LOCK_S + 1)
    assert [again.check("222222").locked_for_s for _ in range(5)][-1] == FIRST_LOCK_S * 2
    clock.advance(FIRST_LOCK_S * 2 + 1)
    assert again.check(DEMO_PIN).ok and again.locked_for() == 0
    assert PinGate(config.maintenance.pin_hash, state, wall_clock=clock).check("333333") \
        .tries_left == 4  # a right PIN cleared the count


def test_a_damaged_lock_file_locks_rather_than_opens(config, tmp_path):
    state = tmp_path / "maintenance.json"
    state.write_text("{not json", encoding="utf-8")
    gate = PinGate(config.maintenance.pin_hash, state, wall_clock=FakeClock(5000.0))
    assert gate.locked_for() == FIRST_LOCK_S and not gate.check(DEMO_PIN).ok


class Switches:
    def __init__(self) -> None:
        self.in_service, self.message, self.restarts = True, "", 0

    def set(self, off: bool, message: str) -> None:
        self.in_service, self.message = not off, message


@pytest.fixture
def rig(config, tmp_path, platform):
    manager = open_all(config)
    client = PlatformClient(ClientSettings(platform.base_url, DEMO_TERMINAL_ID,
                                           DEMO_TERMINAL_TOKEN, retries=0, backoff_s=0.01))
    switches = Switches()
    (tmp_path / "log").mkdir(exist_ok=True)
    (tmp_path / "log" / "technician.log").write_text("line one\nline two\n", encoding="utf-8")
    from kiosk.maintenance.build import build_tools

    tools = build_tools(config, manager, None, in_service=lambda: switches.in_service,
                        set_out_of_service=switches.set,
                        restart=lambda: setattr(switches, "restarts", switches.restarts + 1))
    demo = SimpleNamespace(platform=SimpleNamespace(url=platform.base_url,
                                                    token=DEMO_TERMINAL_TOKEN, ca_file=""),
                           terminal=SimpleNamespace(id=DEMO_TERMINAL_ID))
    tools.network = lambda: network_findings(demo)
    tools.outbox = lambda: OutboxSummary(3, 125.0, 1)
    tools.catalogue_version = lambda: "7"
    tools.recent_log = lambda n: tail_lines(tmp_path / "log", n)
    clock = FakeClock()
    session = Session(SessionTimings(90, 30, 3.0, 60), default_language="zh_CN",
                      languages=("zh_CN", "en"), clock=clock)
    ctx = FlowContext(session=session, runner=ImmediateRunner(), terminal_id=DEMO_TERMINAL_ID,
                      connectivity=Connectivity(), client=lambda: client,
                      catalogue=lambda: None, submitter=lambda: None, devices=manager,
                      translator=Translator(("zh_CN", "en")))
    gate = PinGate(config.maintenance.pin_hash, tmp_path / "state" / "maintenance.json")
    flow = MaintenanceFlow(ctx, gate, tools, idle_exit_s=120, clock=clock)
    flow.start()
    yield flow, manager, switches, clock
    manager.stop()
    client.close()


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    from demo_platform import create_app, start_in_thread

    handle = start_in_thread(create_app(tmp_path_factory.mktemp("platform") / "platform.db"))
    yield handle
    handle.stop()


def type_pin(flow, pin: str) -> None:
    for digit in pin:
        flow.numpad_key(digit)


def test_the_right_pin_opens_the_menu_and_the_pin_shows_only_as_dots(rig, caplog):
    flow, *_ = rig
    tr = flow.ctx.session_tr()
    with caplog.at_level(logging.DEBUG):
        type_pin(flow, DEMO_PIN)
        view = flow.view(tr)
        assert view.widget == "numpad" and view.lines[0].text == "●" * 6
        assert DEMO_PIN not in view.speak and DEMO_PIN not in str(view)
        flow.choose(PIN_OK)
    assert flow.state is State.MENU and flow.signed_in
    assert DEMO_PIN not in caplog.text and "PIN accepted" in caplog.text


def test_a_wrong_pin_says_how_many_tries_are_left(rig):
    flow, *_ = rig
    type_pin(flow, "999999")
    flow.choose(PIN_OK)
    view = flow.view(flow.ctx.session_tr())
    assert flow.state is State.PIN and view.notice.level == "error" and "4" in view.notice.text


def test_device_dashboard_and_a_self_test_print_a_slip_and_are_logged(rig):
    flow, manager, *_ = rig
    tr = flow.ctx.session_tr()
    type_pin(flow, DEMO_PIN)
    flow.choose(PIN_OK)
    flow.choose(DEVICES)
    names = [c.id for c in flow.view(tr).choices]
    assert f"{DEVICE}printer" in names
    flow.choose(f"{DEVICE}printer")
    before = len(manager.get("printer").printed)
    flow.choose(SELF_TEST)
    view = flow.view(tr)
    assert len(manager.get("printer").printed) == before + 1
    assert any(line.label == tr("Self-test passed") for line in view.lines)
    assert flow.actions[-1][1] == "self-test printer" and flow.actions[-1][2].startswith("OK")


def test_out_of_service_outbox_and_leaving_are_actions_with_results(rig):
    flow, _manager, switches, clock = rig
    tr = flow.ctx.session_tr()
    type_pin(flow, DEMO_PIN)
    flow.choose(PIN_OK)
    flow.choose(OUTBOX)
    assert [line.text for line in flow.view(tr).lines][:2] == ["3", "2 min"]
    flow.choose("mt:menu")
    flow.choose(SERVICE)
    flow.choose(OUT_OF_SERVICE)
    assert not switches.in_service and "维护" in switches.message
    flow.choose(LEAVE)
    assert flow.leave_to == "home" and not flow.signed_in
    assert [a[1] for a in flow.actions][-3:] == ["open", "service", "leave"]


def test_maintenance_leaves_by_itself_when_idle(rig):
    flow, _manager, _switches, clock = rig
    type_pin(flow, DEMO_PIN)
    flow.choose(PIN_OK)
    clock.advance(119)
    flow.tick()
    assert flow.leave_to == ""
    clock.advance(2)
    flow.tick()
    assert flow.leave_to == "home" and flow.actions[-1][1] == "leave"


def test_network_diagnostics_reach_the_demo_platform(rig):
    flow, *_ = rig
    type_pin(flow, DEMO_PIN)
    flow.choose(PIN_OK)
    flow.choose("mt:platform")
    flow.choose("mt:network")
    view = flow.view(flow.ctx.session_tr())
    found = {line.label: line.text for line in view.lines if line.label.startswith("platform.")}
    assert found["platform.token"].startswith("OK"), found
    assert all(text.startswith(("OK", "WARN")) for text in found.values()), found
