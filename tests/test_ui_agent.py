"""村居代办 through the real app by touches: the agent signs in with the staff code and the
PIN on the on-screen keypad, the resident identifies and agrees; the real outbox delivers
the audit events to the real demo platform."""

from __future__ import annotations

from demo_platform.agents import AGENTS
from tests.ui_flow_kit import button, devices, kiosk, rig, shown_text, tile  # noqa: F401 (fixtures)

CODE, PIN = AGENTS[0][5], AGENTS[0][6]


def tap(kiosk, *choice_ids):
    for choice_id in choice_ids:
        kiosk.tap(button(kiosk, choice_id))


def test_an_agent_signs_in_by_touches_and_the_resident_agrees_on_screen(kiosk, rig):
    kiosk.tap(tile(kiosk, "agent"))
    assert kiosk.app.screen_manager.current == "agent"
    assert "村居代办" in shown_text(kiosk)
    tap(kiosk, "agent:code")
    kiosk.app.device_code_scanned(CODE)
    kiosk.frames(3)
    assert "工作密码" in shown_text(kiosk)
    for digit in PIN:
        tap(kiosk, f"numpad:{digit}")
    text = shown_text(kiosk)
    assert "●" * len(PIN) in text and PIN not in "\n".join(kiosk.all_texts())
    tap(kiosk, "agent:pin_ok")
    kiosk.frames(3)
    assert "李*明" in shown_text(kiosk) and "您已登录" in shown_text(kiosk)
    assert kiosk.app.bar.ids.greeting.text == "代办员 李*明"

    tap(kiosk, "agent:resident", "consent:agree", "way:code")
    kiosk.app.device_code_scanned("SSM-DEMO-0001")
    kiosk.frames(3)
    assert "村居代办员 李*明 将在您在场的情况下为您办理。您同意吗？" in shown_text(kiosk)
    tap(kiosk, "agent:agree")
    kiosk.frames(3)
    assert "代办已开始" in shown_text(kiosk)
    tap(kiosk, "nav:home")
    assert kiosk.app.screen_manager.current == "home"
    assert kiosk.app.bar.ids.greeting.text == "代办中 李*明 · 王*英"  # seen by both of them

    rig.wait_sent()
    events = [r["event"] for r in rig.handle.store.q(
        "SELECT event FROM agent_audit WHERE agent_id = 'AG-JS-0001' ORDER BY id")]
    assert events[-2:] == ["agent_signed_in", "resident_consented"]
    consent = rig.handle.store.q1("SELECT * FROM agent_audit WHERE event = 'resident_consented' "
                                  "ORDER BY id DESC")
    assert consent["resident_name_masked"] == "王*英" and consent["resident_id_number"]

    kiosk.services.session.finish()           # the visit ends: the agent is signed out
    kiosk.frames(3)
    rig.wait_sent()
    last = rig.handle.store.q1("SELECT event, reason FROM agent_audit ORDER BY id DESC")
    assert (last["event"], last["reason"]) == ("agent_signed_out", "finished")
    assert "李*明" not in "\n".join(kiosk.all_texts())
    assert "代办" not in kiosk.app.bar.ids.greeting.text
