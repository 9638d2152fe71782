"""A portrait screen (the reference display may stand either way): in 长者模式 the bar
takes two rows and the search keyboard goes alphabetical, so that every button stays on
the screen and no key is narrower than one touch target."""

from __future__ import annotations

import pytest
from kivy.app import App

from tests.test_ui_guide import type_on_keyboard
from tests.ui_flow_kit import button, tile
from tests.ui_harness import KioskHarness
from tests.ui_flow_kit import rig  # noqa: F401 (fixtures)


@pytest.fixture
def portrait(tmp_path, rig):
    from kivy.core.window import Window

    harness = KioskHarness(tmp_path, connectivity=rig.connectivity, platform=rig.access())
    landscape = Window.size
    Window.size = (1080, 1920)
    harness.frames(5)
    yield harness
    Window.size = landscape
    harness.frames(3)
    harness.close()


def on_screen(widget, window_width: float) -> bool:
    x, _y = widget.to_window(widget.x, widget.y)
    return x >= 0 and x + widget.width <= window_width + 0.5


def test_portrait_elderly_search_keeps_every_button_on_screen_and_full_size(portrait):
    from kivy.core.window import Window

    app = portrait.app
    portrait.tap(app.bar.ids.elderly_switch)
    portrait.tap(tile(portrait, "guide"))
    portrait.tap(button(portrait, "guide:search"))
    portrait.frames(5)
    assert app.bar.orientation == "vertical"
    bar_buttons = [app.bar.ids[name] for name in ("home_button", "back_button",
                                                 "elderly_switch", "language_button",
                                                 "help_button", "finish_button")]
    assert all(on_screen(b, Window.width) for b in bar_buttons)
    keyboard = app.screen_manager.current_screen.special
    assert keyboard.rows[0][0][0] == "a"  # alphabetical: ten keys do not fit across
    assert len(keyboard.keys) == 29
    assert all(on_screen(k, Window.width) for k in keyboard.keys)
    assert min(k.width for k in keyboard.keys) >= app.theme.target - 0.5
    type_on_keyboard(portrait, "hkdj")
    assert any(getattr(w, "choice_id", "").startswith("guide:service:")
               for w in app.screen_manager.current_screen.walk())


def test_landscape_keeps_one_bar_row_and_the_qwerty_keyboard(portrait):
    from kivy.core.window import Window

    Window.size = (1920, 1080)
    portrait.frames(5)
    app = portrait.app
    portrait.tap(tile(portrait, "guide"))
    portrait.tap(button(portrait, "guide:search"))
    portrait.frames(5)
    assert app.bar.orientation == "horizontal"
    assert app.screen_manager.current_screen.special.rows[0][0][0] == "q"


def all_on_screen(screen, window_height: float) -> list[str]:
    """Ids of the choice buttons that lie (partly) outside the window."""
    out = []
    for w in screen.walk():
        if getattr(w, "choice_id", "") and w.opacity:
            _x, y = w.to_window(w.x, w.y)
            if y < -0.5 or y + w.height > window_height + 0.5:
                out.append(w.choice_id)
    title = screen.ids.title_label  # overflow pushes the top of the screen under the bar
    _x, y = title.to_window(title.x, title.y)
    bar = App.get_running_app().bar
    if y + title.height > window_height - bar.height + 0.5:
        out.append("title")
    return out


def test_landscape_elderly_keypad_and_search_matches_stay_on_the_screen(portrait):
    from kivy.core.window import Window

    Window.size = (1920, 1080)
    portrait.frames(5)
    app = portrait.app
    portrait.tap(app.bar.ids.elderly_switch)
    portrait.tap(tile(portrait, "guide"))
    portrait.tap(button(portrait, "guide:search"))
    type_on_keyboard(portrait, "hkdj")
    portrait.frames(5)
    screen = app.screen_manager.current_screen
    assert any(getattr(w, "choice_id", "").startswith("guide:service:") for w in screen.walk())
    assert all_on_screen(screen, Window.height) == []

    # 长者模式 never offers the keypad; it shows in elderly scale when the resident chose
    # to type first and then switched (and for the village agent's PIN).
    portrait.tap(app.bar.ids.elderly_switch)
    portrait.tap(app.bar.ids.help_button)
    portrait.tap(button(portrait, "help:call_back"))
    portrait.tap(app.bar.ids.elderly_switch)
    portrait.frames(5)
    screen = app.screen_manager.current_screen
    assert app.session.elderly and screen.current_view.widget == "numpad"
    assert screen.side_by_side  # keypad left, "号码正确" right
    assert all_on_screen(screen, Window.height) == []


def test_no_drawn_line_of_chinese_starts_with_a_closing_mark(portrait):
    from common.linebreak import NO_START
    from screens.widgets import ChineseWrapping

    app = portrait.app
    portrait.tap(app.bar.ids.elderly_switch)
    portrait.tap(tile(portrait, "guide"))
    portrait.tap(button(portrait, "guide:search"))
    portrait.frames(5)
    checked = 0
    for widget in app.root.walk():
        if isinstance(widget, ChineseWrapping) and widget.text and widget.texture:
            # the lines Kivy actually drew, after its own wrapping
            drawn = ["".join(w.text for w in line.words) for line in widget._label._cached_lines]
            assert "".join(drawn).replace(" ", "") == widget.text.replace("\n", "").replace(
                " ", ""), widget.text
            assert all(not line or line[0] not in NO_START for line in drawn), drawn
            checked += len(drawn) > 1
    assert checked  # some text did wrap on this narrow screen
