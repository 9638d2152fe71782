"""The audit measures the live app: a real screen passes, and a deliberately undersized
button or a low-contrast label added to it is caught (contrast from the drawn pixels)."""

from __future__ import annotations

import pytest

from kiosk.audit_rules import check
from tests.ui_flow_kit import button
from tests.ui_harness import KioskHarness
from tests.ui_flow_kit import rig  # noqa: F401 (fixtures)


@pytest.fixture
def kiosk(tmp_path, rig):
    harness = KioskHarness(tmp_path, connectivity=rig.connectivity, platform=rig.access())
    yield harness
    harness.close()


def measure(kiosk, tmp_path, name):
    # Imported here: importing Kivy's window at collection would create it before the
    # harness configures it (screensaver, size).
    from screens.audit import probe
    from screens.screenshots import Screenshotter

    shots = Screenshotter(tmp_path / "shots")
    shots.capture(name)
    for _ in range(20):
        kiosk.frames(1)
        if shots.taken:
            break
    assert shots.taken, "no frame was drawn"
    return check(probe(kiosk.app, name, shots.taken[-1]))


@pytest.mark.parametrize("elderly", [False, True])
def test_a_guide_screen_passes_and_a_planted_bad_button_and_label_are_caught(
        kiosk, tmp_path, elderly):
    from kivy.uix.boxlayout import BoxLayout

    from kivy.metrics import sp
    from kivy.uix.label import Label

    from screens.widgets import KButton

    app = kiosk.app
    if elderly:
        kiosk.tap(app.bar.ids.elderly_switch)
        kiosk.frames(5)  # the home tiles are laid out again at the larger scale
    app.open_flow("guide")  # (at 1280 x 720 in 长者模式 the tile may be scrolled away)
    kiosk.frames(3)
    kiosk.tap(button(kiosk, "guide:map"))  # a short screen: the test window is 1280 x 720
    assert measure(kiosk, tmp_path, f"clean_{elderly}") == []

    screen = app.screen_manager.current_screen
    row = BoxLayout(size_hint_y=None, height=60)
    tiny = KButton(text="X", size_hint=(None, None), size=(30, 30))
    # pale grey on the light background (a plain Label: KLabel's rule sets theme colours)
    faint = Label(text="看不清的说明文字", color=(0.8, 0.8, 0.8, 1), font_size=sp(30))
    row.add_widget(tiny)
    row.add_widget(faint)
    screen.ids.notice_box.add_widget(row)
    kiosk.frames(4)
    found = measure(kiosk, tmp_path, f"planted_{elderly}")
    by_rule = {v.rule: v for v in found}
    assert "target size" in by_rule and by_rule["target size"].measured.startswith("30 x 30")
    assert "contrast" in by_rule and by_rule["contrast"].where.startswith("看不清")


# 长者模式 needs the reference display (1920 x 1080) to keep the bar in one row; its home
# is audited there by test_cli's audit run. This window is 1280 x 720.
@pytest.mark.parametrize("elderly,contrast", [(False, False), (False, True)])
def test_the_home_screen_passes_in_every_mode_with_its_tiles_paged(
        kiosk, tmp_path, elderly, contrast):
    app = kiosk.app
    app.session.set_elderly(elderly)
    app.session.set_high_contrast(contrast)
    kiosk.frames(5)
    home = app.screen_manager.get_screen("home")
    assert home.home_page.more  # more services than room: "更多服务" on the first page
    assert len(home.ids.tiles.children) <= (6 if elderly else 99)
    assert measure(kiosk, tmp_path, f"home_{elderly}_{contrast}") == []
    home._turn()
    kiosk.frames(3)
    assert measure(kiosk, tmp_path, f"home2_{elderly}_{contrast}") == []
