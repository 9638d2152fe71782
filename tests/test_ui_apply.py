"""在线申请 and 一件事 through the real app: touches, simulated devices, the real demo platform
and the kiosk's real outbox (PlatformRig)."""

from __future__ import annotations

from demo_platform.faults import Faults
from hardware.card_reader.samples import sample_cards
from tests.ui_flow_kit import button, devices, kiosk, rig, shown_text, tile  # noqa: F401 (fixtures)


def tap(kiosk, *choice_ids):
    for choice_id in choice_ids:
        kiosk.tap(button(kiosk, choice_id))


def identify(kiosk, devices, tile_id):
    kiosk.tap(tile(kiosk, tile_id))
    assert kiosk.app.screen_manager.current == tile_id
    tap(kiosk, "consent:agree", "way:card")
    devices.card_reader.insert_card(sample_cards()[0])
    kiosk.app.device_card_present()
    kiosk.frames(3)


def type_phone(kiosk, digits="13900000007"):
    """"换一个号码", then the number on the keypad (standard mode only)."""
    assert "138****0007" in shown_text(kiosk)  # the registered number is offered first
    tap(kiosk, "phone:type")
    assert "手机号码" in shown_text(kiosk)
    for d in digits:
        tap(kiosk, f"numpad:{d}")
    assert f"{digits[:3]} {digits[3:7]} {digits[7:]}" in shown_text(kiosk)
    tap(kiosk, "numpad:ok")


def applications(rig, service_id):
    card = sample_cards()[0]
    return rig.handle.store.q("SELECT number FROM applications WHERE id_number = ? AND "
                              "service_id = ?", card.id_number, service_id)


def test_a_whole_application_by_touches_reaches_the_platform_once_with_a_receipt(
        kiosk, devices, rig):
    identify(kiosk, devices, "apply")
    assert "户籍" in shown_text(kiosk)
    tap(kiosk, "category:CAT-HJ", "service:JS-HJ-005")
    text = shown_text(kiosk)
    assert "已为您自动填写7项，共10项" in text and "张*国" in text
    assert sample_cards()[0].id_number not in text
    tap(kiosk, "app:next")
    assert "138****0007" in shown_text(kiosk)
    tap(kiosk, "phone:registered")  # nothing typed: the platform has the number
    tap(kiosk, "deliver:0")
    assert "已调取电子证照，免于提交" in shown_text(kiosk)
    tap(kiosk, "app:next", "app:submit")
    kiosk.frames(3)
    [row] = applications(rig, "JS-HJ-005")
    assert row["number"] in shown_text(kiosk)
    stored = rig.handle.store.q1("SELECT payload FROM applications WHERE number = ?",
                                 row["number"])["payload"]
    assert '"source": "registered", "phone": "13800000007"' in stored
    job = devices.printer.printed[-1]
    assert job.text_lines[0].strip() == "受理回执"
    assert any(row["number"] in line for line in job.text_lines)
    rig.wait_sent()
    assert len(applications(rig, "JS-HJ-005")) == 1  # exactly once, also after the outbox

    kiosk.services.session.card_removed()
    kiosk.frames(3)
    assert kiosk.app.screen_manager.current == "home"
    assert row["number"] not in "\n".join(kiosk.all_texts())


def test_pulling_the_network_mid_application_ends_in_a_queued_receipt_then_exactly_once(
        kiosk, devices, rig):
    kiosk.services.flows["apply"].delivery_wait_s = 1.0
    identify(kiosk, devices, "apply")
    tap(kiosk, "category:CAT-HJ", "service:JS-HJ-007", "app:next")
    type_phone(kiosk)
    tap(kiosk, "deliver:1", "app:next")
    rig.handle.faults.set(Faults(drop_rate=1.0))  # the network goes away
    try:
        tap(kiosk, "app:submit")
        kiosk.frames(3)
        text = shown_text(kiosk)
        assert "已保存，网络恢复后自动提交" in text and "受理回执" not in text
        key = kiosk.services.flows["apply"].keys["JS-HJ-007"]
        assert key[:8] in text
        printed = devices.printer.printed[-1].text_lines
        assert printed[0].strip() == "申请已保存"
        assert any(key[:8] in line for line in printed)
        assert not applications(rig, "JS-HJ-007")
    finally:
        rig.handle.faults.clear()
    rig.wait_sent(timeout_s=15)
    assert len(applications(rig, "JS-HJ-007")) == 1


def test_a_bundle_by_touches_submits_every_service_with_one_receipt(kiosk, devices, rig):
    identify(kiosk, devices, "bundles")
    tap(kiosk, "bundle:elderly", "app:next", "answer:0", "phone:registered")
    tap(kiosk, "material:window", "material:window", "deliver:0", "app:anyway", "app:submit")
    kiosk.frames(3)
    rig.wait_sent()
    numbers = [applications(rig, sid) for sid in ("JS-YL-010", "JS-YL-001", "JS-YL-006")]
    assert all(len(rows) == 1 for rows in numbers)
    printed = devices.printer.printed[-1].text_lines
    assert printed[0].strip() == "受理回执"
    for [row] in numbers:
        assert any(row["number"] in line for line in printed)
