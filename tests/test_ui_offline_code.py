"""离线码 through the real app: touches, the simulated printer and scanner, the real demo
platform; the code goes on paper only, then identifies its holder at the scanner."""

from __future__ import annotations

from tests.ui_flow_kit import button, devices, kiosk, rig, shown_text, tile  # noqa: F401 (fixtures)


def test_an_offline_code_by_touches_is_printed_never_shown_and_then_identifies_its_holder(
        kiosk, devices, rig):
    kiosk.tap(tile(kiosk, "offline_code"))
    assert kiosk.app.screen_manager.current == "offline_code"
    kiosk.tap(button(kiosk, "consent:agree"))
    kiosk.tap(button(kiosk, "way:code"))
    kiosk.app.device_code_scanned("SSM-DEMO-0001")   # 王秀英, 74
    kiosk.frames(3)
    screen = kiosk.app.screen_manager.current_screen
    text = shown_text(kiosk)
    assert "凭此码在本机和窗口识别身份，无需手机" in text and "有效期至" in text
    assert screen.qr == ""

    kiosk.tap(button(kiosk, "olc:print"))
    job = devices.printer.printed[-1]
    [token] = job.qr_codes
    paper = "\n".join(job.text_lines)
    assert "王*英" in paper and "年满60周岁" in paper and "有效期至" in paper
    text = shown_text(kiosk)
    assert "离线码已打印好" in text and "有效期至" in text
    assert token not in text and "王秀英" not in text and screen.qr == ""
    kiosk.tap(button(kiosk, "nav:home"))
    assert kiosk.app.screen_manager.current == "home"

    kiosk.app.session.finish()        # the resident leaves; another day, the printed code
    kiosk.frames(3)
    kiosk.tap(tile(kiosk, "licences"))
    kiosk.tap(button(kiosk, "consent:agree"))
    kiosk.tap(button(kiosk, "way:code"))
    kiosk.app.device_code_scanned(token)
    kiosk.frames(3)
    assert "居民身份证（电子证照）" in shown_text(kiosk)
    assert kiosk.app.session.data.get("resident").display_name == "王*英"
