"""办件进度 through the real app: touches, a scanned 办件编号, the real demo platform."""

from __future__ import annotations

from tests.ui_flow_kit import button, devices, kiosk, rig, shown_text, tile  # noqa: F401 (fixtures)


def test_progress_by_touches_timeline_then_a_scanned_number_and_session_end(kiosk, rig):
    kiosk.tap(tile(kiosk, "progress"))
    assert kiosk.app.screen_manager.current == "progress"
    kiosk.tap(button(kiosk, "consent:agree"))
    kiosk.tap(button(kiosk, "way:code"))
    kiosk.app.device_code_scanned("SSM-DEMO-0001")  # what the device bridge does
    kiosk.frames(3)
    text = shown_text(kiosk)
    assert "办件进度" in text and "JS2026000001" in text and "审核中" in text
    [row] = rig.handle.store.q("SELECT id, service_id FROM applications WHERE number = ?",
                               "JS2026000001")
    kiosk.tap(button(kiosk, f"progress:open:{row['id']}"))
    text = shown_text(kiosk)
    assert "区民政局审核中" in text and "自助终端提交" in text
    assert text.index("区民政局审核中") < text.index("自助终端提交")  # newest first

    kiosk.tap(kiosk.app.bar.ids.back_button)  # back to the list, still in the flow
    assert kiosk.app.screen_manager.current == "progress"
    assert "区民政局审核中" not in shown_text(kiosk)
    kiosk.app.device_code_scanned("JS2026000001")  # the number on a receipt, scanned
    kiosk.frames(3)
    assert "区民政局审核中" in shown_text(kiosk)

    kiosk.services.session.finish()  # 结束办理
    kiosk.frames(3)
    assert kiosk.app.screen_manager.current == "home"
    assert "JS2026000001" not in "\n".join(kiosk.all_texts())
