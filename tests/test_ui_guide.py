"""办事指南 and 跨省通办 through the real app with touches: typing "hkdj" on the on-screen
keyboard and opening the match, browsing to a guide with its QR code, the cross-province
list, and the guide with the platform stopped."""

from __future__ import annotations

import pytest

from kiosk.flows.guide_render import GUIDE_URL_BASE
from tests.ui_harness import KioskHarness
from tests.ui_platform import PlatformRig
from tests.ui_flow_kit import button, rig, shown_text, tile  # noqa: F401 (fixtures)


@pytest.fixture
def kiosk(tmp_path, rig):
    harness = KioskHarness(tmp_path, connectivity=rig.connectivity, platform=rig.access())
    yield harness
    harness.close()


def type_on_keyboard(kiosk, letters: str) -> None:
    for ch in letters:
        kiosk.tap(button(kiosk, f"key:{ch}"))


def test_typing_hkdj_on_the_keyboard_finds_the_birth_registration_and_opens_it(kiosk):
    kiosk.tap(tile(kiosk, "guide"))
    assert kiosk.app.screen_manager.current == "guide"
    assert "户籍" in shown_text(kiosk)
    kiosk.tap(button(kiosk, "guide:search"))
    screen = kiosk.app.screen_manager.current_screen
    assert screen.special_name == "keyboard"
    for key in screen.special.keys:
        assert key.height >= kiosk.app.theme.target and key.width >= kiosk.app.theme.target
    type_on_keyboard(kiosk, "hkdx")
    kiosk.tap(button(kiosk, "key:del"))
    type_on_keyboard(kiosk, "j")
    assert screen.flow.query == "hkdj"
    assert "hkdj" in shown_text(kiosk)
    first = screen.current_view.choices[0]
    assert (first.id, first.label) == ("guide:service:JS-HJ-001", "户口登记（出生）")
    kiosk.tap(button(kiosk, first.id))
    text = shown_text(kiosk)
    assert "户口登记（出生）" in text and "出生医学证明（原件1份）" in text
    assert "朱泾镇人民路180号（演示地址）" in text and "在线申请" in text
    assert screen.qr == GUIDE_URL_BASE + "JS-HJ-001"
    assert screen.ids.qr_image.texture is not None  # the code is drawn
    assert screen.special_name == ""                  # no keyboard over a guide
    kiosk.tap(kiosk.app.bar.ids.back_button)
    assert screen.special_name == "keyboard" and screen.flow.query == "hkdj"
    kiosk.tap(button(kiosk, "key:clear"))
    assert screen.flow.query == "" and "guide:service:JS-HJ-001" not in [
        c.id for c in screen.current_view.choices]


def test_browsing_a_category_to_a_guide_and_the_service_map(kiosk):
    kiosk.tap(tile(kiosk, "guide"))
    kiosk.tap(button(kiosk, "guide:category:CAT-YB"))
    assert "异地就医备案" in shown_text(kiosk)
    kiosk.tap(button(kiosk, "guide:service:JS-YB-003"))
    screen = kiosk.app.screen_manager.current_screen
    assert "异地就医备案" in shown_text(kiosk)
    assert screen.qr == "https://zwfw.example.gov.cn/guide/JS-YB-003"
    kiosk.tap(button(kiosk, "guide:list"))
    kiosk.tap(button(kiosk, "guide:categories"))
    kiosk.tap(button(kiosk, "guide:map"))
    text = shown_text(kiosk)
    assert "服务地图" in text and "全天24小时" in text and "金山区龙山路555号（演示地址）" in text
    kiosk.tap(button(kiosk, "nav:home"))
    assert kiosk.app.screen_manager.current == "home"


def test_cross_province_tile_lists_its_services_and_shows_a_guide(kiosk):
    kiosk.tap(tile(kiosk, "cross_province"))
    assert kiosk.app.screen_manager.current == "cross_province"
    assert "跨省通办" in shown_text(kiosk)
    kiosk.tap(button(kiosk, "page:next"))
    kiosk.tap(button(kiosk, "cross:service:JS-HJ-003"))
    screen = kiosk.app.screen_manager.current_screen
    assert "户口迁出" in shown_text(kiosk) and screen.qr.endswith("/JS-HJ-003")


def test_the_guide_works_with_the_platform_stopped(tmp_path):
    offline_rig = PlatformRig(tmp_path / "offline-rig")
    try:
        offline_rig.handle.stop()  # the catalogue was synced; now the line is gone
        (tmp_path / "ui").mkdir()
        kiosk = KioskHarness(tmp_path / "ui", connectivity=offline_rig.connectivity,
                             platform=offline_rig.access())
        try:
            kiosk.tap(tile(kiosk, "guide"))
            kiosk.tap(button(kiosk, "guide:search"))
            type_on_keyboard(kiosk, "hkdj")
            kiosk.tap(button(kiosk, "guide:service:JS-HJ-001"))
            text = shown_text(kiosk)
            assert "户口登记（出生）" in text and "居民户口簿（原件1份）" in text
        finally:
            kiosk.close()
    finally:
        offline_rig.close()
