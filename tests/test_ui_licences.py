"""电子证照 through the real app: touches, the simulated printer, the real demo platform."""

from __future__ import annotations

from demo_platform import DEMO_TERMINAL_ID
from hardware.card_reader.samples import sample_cards
from tests.ui_flow_kit import button, devices, kiosk, rig, shown_text, tile  # noqa: F401 (fixtures)


def test_a_licence_by_touches_shown_masked_printed_after_a_paper_out_then_home(
        kiosk, devices, rig):
    card = sample_cards()[0]
    kiosk.tap(tile(kiosk, "licences"))
    assert kiosk.app.screen_manager.current == "licences"
    kiosk.tap(button(kiosk, "consent:agree"))
    kiosk.tap(button(kiosk, "way:card"))
    devices.card_reader.insert_card(card)
    kiosk.app.device_card_present()
    kiosk.frames(3)
    assert "居民户口簿（电子证照）" in shown_text(kiosk)
    [licence] = rig.handle.store.q("SELECT id FROM licences WHERE id_number = ? AND kind = 'HK'",
                                   card.id_number)
    kiosk.tap(button(kiosk, f"licence:open:{licence['id']}"))
    screen = kiosk.app.screen_manager.current_screen
    text = shown_text(kiosk)
    assert "张*国" in text and "仅供政务服务使用" in text and "仅供办事使用" in text
    assert card.name not in text and card.id_number not in text
    shown_qr = screen.qr
    assert shown_qr.startswith("https://verify.example.gov.cn/")

    devices.printer.run_out_of_paper()
    kiosk.tap(button(kiosk, "licence:print"))
    assert "不会丢失" in shown_text(kiosk) and devices.printer.printed == []
    devices.printer.load_paper()
    devices.printer.check()  # what the device manager's poll does every 0.5 s
    kiosk.tap(button(kiosk, "licence:print"))  # the same button, now "try again"
    job = devices.printer.printed[-1]
    paper = "\n".join(job.text_lines)
    assert job.qr_codes == (shown_qr,)
    assert "居民户口簿（电子证照）" in paper and "户主" in paper and "张*国" in paper
    assert "仅供政务服务使用" in paper and DEMO_TERMINAL_ID in paper and "打印时间" in paper
    assert card.name not in paper and card.id_number not in paper
    assert "打印好了" in shown_text(kiosk)
    button(kiosk, "nav:rate")  # offered once printed
    kiosk.tap(button(kiosk, "nav:home"))
    assert kiosk.app.screen_manager.current == "home"
