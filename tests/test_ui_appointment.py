"""预约取号 through the real app: touches, simulated devices, the real demo platform."""

from __future__ import annotations

from hardware.card_reader.samples import sample_cards
from tests.ui_flow_kit import button, devices, kiosk, rig, shown_text, tile  # noqa: F401 (fixtures)


def tap(kiosk, *choice_ids):
    for choice_id in choice_ids:
        kiosk.tap(button(kiosk, choice_id))


def test_booking_by_touches_reaches_the_platform_prints_the_ticket_and_cancels(
        kiosk, devices, rig):
    card = sample_cards()[0]
    kiosk.tap(tile(kiosk, "appointment"))
    assert kiosk.app.screen_manager.current == "appointment"
    tap(kiosk, "consent:agree", "way:card")
    devices.card_reader.insert_card(card)
    kiosk.app.device_card_present()
    kiosk.frames(3)
    text = shown_text(kiosk)
    assert "社会保险" in text and "我的预约" in text
    tap(kiosk, "apt:category:CAT-SB", "apt:service:JS-SB-002", "apt:centre:JS-CENTRE-ZHUJING")
    flow = kiosk.services.flows["appointment"]
    day = flow.days[0][0]
    tap(kiosk, f"apt:day:{day.isoformat()}")
    time = flow.slots[0]["time"]
    tap(kiosk, f"apt:slot:{time}")
    text = shown_text(kiosk)
    assert "确认预约" in text and "朱泾镇人民路180号" in text and "居民身份证" in text
    tap(kiosk, "apt:book")

    [row] = rig.handle.store.q("SELECT * FROM appointments WHERE id_number = ? AND "
                               "service_id = 'JS-SB-002'", card.id_number)
    assert (row["centre_id"], row["day"], row["time"], row["status"]) == (
        "JS-CENTRE-ZHUJING", day.isoformat(), time, "booked")
    job = devices.printer.printed[-1]
    assert job.text_lines[0].strip() == "预约凭证"
    assert job.qr_codes == (row["id"],)
    printed = "\n".join(job.text_lines)
    assert row["id"] in printed and "朱泾镇社区事务受理服务中心" in printed
    assert "DEMO-JS-0001" in printed and card.name not in printed
    text = shown_text(kiosk)
    assert row["id"] in text and "预约成功" in text and "评价本次服务" in text
    assert kiosk.app.screen_manager.current_screen.qr == row["id"]

    tap(kiosk, "apt:mine", f"apt:open:{row['id']}")
    assert "确定要取消" in shown_text(kiosk)
    tap(kiosk, "apt:cancel")
    assert "预约已取消" in shown_text(kiosk)
    assert rig.handle.store.q1("SELECT status FROM appointments WHERE id = ?",
                               row["id"])["status"] == "cancelled"

    kiosk.services.session.card_removed()
    kiosk.frames(3)
    assert kiosk.app.screen_manager.current == "home"
    assert row["id"] not in "\n".join(kiosk.all_texts())
