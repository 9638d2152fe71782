"""帮办 through the real app: the bar's help button on any screen opens the help flow,
which keeps the contact details; requests reach the platform's help_requests table."""

from __future__ import annotations

import json


from tests.ui_flow_kit import button, devices, kiosk, rig, shown_text, tile  # noqa: F401 (fixtures)


def help_requests(rig) -> list[dict]:
    return [json.loads(r["payload"]) for r in rig.handle.store.q(
        "SELECT payload FROM help_requests ORDER BY created_at")]


def test_help_from_inside_a_flow_reaches_the_platform_and_says_what_happens_next(kiosk, rig):
    kiosk.tap(tile(kiosk, "guide"))
    kiosk.tap(kiosk.app.bar.ids.help_button)
    assert kiosk.app.screen_manager.current == "help"
    text = shown_text(kiosk)
    assert "技术支持 021-5792-0000（演示号码）" in text and "DEMO-JS-0001" in text
    before = len(help_requests(rig))
    kiosk.tap(button(kiosk, "help:assistance"))
    assert "工作人员将在工作时间2小时内与您联系" in shown_text(kiosk)
    assert "已发送" in shown_text(kiosk)
    rig.wait_sent()
    sent = help_requests(rig)[before:]
    assert [r["kind"] for r in sent] == ["assistance"] and sent[0].get("phone") is None
    kiosk.tap(button(kiosk, "nav:home"))
    assert kiosk.app.screen_manager.current == "home"


def test_a_call_back_typed_on_the_numpad_reaches_the_platform(kiosk, rig):
    kiosk.tap(kiosk.app.screen_manager.get_screen("home").ids.help_tile)
    assert kiosk.app.screen_manager.current == "help"
    kiosk.tap(button(kiosk, "help:call_back"))
    for key in "13900139000":
        kiosk.tap(button(kiosk, f"numpad:{key}"))
    kiosk.tap(button(kiosk, "help:phone_ok"))
    assert "139****9000" in shown_text(kiosk) and "13900139000" not in shown_text(kiosk)
    rig.wait_sent()
    assert help_requests(rig)[-1]["kind"] == "call_back"
    assert help_requests(rig)[-1]["phone"] == "13900139000"

    kiosk.tap(kiosk.app.bar.ids.finish_button)  # the session ends: the number is forgotten
    assert "139****9000" not in "\n".join(kiosk.all_texts())
    assert kiosk.services.flows["help"].digits == ""


def test_back_from_help_returns_to_the_screen_it_was_asked_from(kiosk):
    kiosk.tap(tile(kiosk, "guide"))
    kiosk.tap(kiosk.app.bar.ids.help_button)
    kiosk.tap(kiosk.app.bar.ids.back_button)
    assert kiosk.app.screen_manager.current == "guide"
