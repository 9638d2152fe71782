"""The real app, offscreen, driven with touches."""

from __future__ import annotations

import pytest

from kiosk.session import SessionState
from tests.ui_harness import KioskHarness


@pytest.fixture
def kiosk(tmp_path):
    harness = KioskHarness(tmp_path)
    yield harness
    harness.close()


def ids(kiosk):
    return kiosk.app.bar.ids


def home(kiosk):
    return kiosk.app.screen_manager.get_screen("home")


def test_home_shows_chinese_with_elderly_switch_language_and_help(kiosk):
    assert kiosk.app.screen_manager.current == "home"
    texts = kiosk.all_texts()
    assert "政务服务自助终端" in texts
    assert "长者模式：关" in texts
    assert "English" in texts and "求助" in texts
    assert "请轻触屏幕任意位置开始。" in texts


def test_first_touch_starts_a_session(kiosk):
    kiosk.tap(home(kiosk).ids.welcome)
    assert kiosk.services.session.state is SessionState.ACTIVE
    assert home(kiosk).ids.prompt.text == "请选择您要办理的事项。"


def test_elderly_switch_makes_every_text_and_button_larger_live(kiosk):
    # 长者模式's simpler home leaves out the welcome line (the bar names the terminal) and
    # the location line; everything else stays and grows
    simpler = {id(home(kiosk).ids.welcome.__self__), id(home(kiosk).ids.terminal_card.__self__)}
    left_out = simpler | {id(t) for t in home(kiosk).ids.tiles.children}  # tiles: laid out anew
    tile_size = max((t.font_size for t in home(kiosk).ids.tiles.children), default=0)
    before = {id(w): w.font_size for w in kiosk.labels()}
    heights = {id(w): w.height for w in kiosk.labels() if w.height > 0 and id(w) not in left_out}
    help_tile = home(kiosk).ids.help_tile.height
    bar = kiosk.app.bar.height

    kiosk.tap(ids(kiosk).elderly_switch)

    assert kiosk.app.elderly and ids(kiosk).elderly_switch.text == "长者模式：开"
    after = {id(w): w.font_size for w in kiosk.labels()}
    assert before.keys() - left_out <= after.keys()
    before = {k: v for k, v in before.items() if k not in left_out}
    smaller = [k for k in before if not after[k] > before[k]]
    assert not smaller, "some text did not grow in 长者模式"
    grown = [w for w in kiosk.labels() if id(w) in heights and w.height > heights[id(w)]]
    assert len(grown) >= len(heights) - 1  # the hidden back button keeps its size
    assert home(kiosk).ids.help_tile.height > help_tile
    assert min((t.font_size for t in home(kiosk).ids.tiles.children), default=1) > tile_size
    assert kiosk.app.bar.height > bar

    kiosk.tap(ids(kiosk).elderly_switch)
    again = {id(w): w.font_size for w in kiosk.labels()}
    assert {k: again[k] for k in before} == before
    assert simpler <= again.keys()  # back in standard mode


def test_language_button_switches_every_text_to_english_and_back(kiosk):
    kiosk.tap(ids(kiosk).language_button)
    texts = kiosk.all_texts()
    assert "Government services self-service terminal" in texts
    assert "Senior mode: off" in texts and "中文" in texts
    assert not any("政务服务自助终端" == t for t in texts)
    kiosk.tap(ids(kiosk).language_button)
    assert "政务服务自助终端" in kiosk.all_texts()


def test_help_button_opens_help_with_back_and_home(kiosk):
    kiosk.tap(ids(kiosk).help_button)
    assert kiosk.app.screen_manager.current == "help"
    assert "技术支持 021-5792-0000（演示号码）" in kiosk.all_texts()
    assert ids(kiosk).back_button.opacity == 1
    kiosk.tap(ids(kiosk).back_button)
    assert kiosk.app.screen_manager.current == "home"


def test_idle_shows_warning_with_countdown_and_more_time_continues(kiosk):
    kiosk.tap(ids(kiosk).help_button)
    kiosk.pass_idle_time(90)
    assert kiosk.warning_open()
    countdown = kiosk.app.warning.ids.countdown.text
    assert "秒后将返回首页" in countdown
    seconds = int(countdown.split()[0])
    assert 20 <= seconds <= 30

    kiosk.tap(kiosk.app.warning.ids.more_time)
    kiosk.frames(3)
    assert not kiosk.warning_open()
    assert kiosk.services.session.state is SessionState.ACTIVE
    assert kiosk.app.screen_manager.current == "help"  # the resident carries on


def test_warning_countdown_runs_out_and_returns_home(kiosk):
    kiosk.tap(ids(kiosk).help_button)
    kiosk.pass_idle_time(90)
    kiosk.pass_idle_time(31)
    assert not kiosk.warning_open()
    assert kiosk.services.session.state is SessionState.IDLE
    assert kiosk.app.screen_manager.current == "home"


def test_elderly_warning_gives_longer_idle_and_countdown(kiosk):
    kiosk.tap(ids(kiosk).elderly_switch)
    kiosk.pass_idle_time(200)
    assert not kiosk.warning_open()
    kiosk.pass_idle_time(70)
    assert kiosk.warning_open()
    assert int(kiosk.app.warning.ids.countdown.text.split()[0]) > 30


def test_session_end_leaves_no_personal_data_in_any_screen_or_log(kiosk, tmp_path):
    kiosk.tap(ids(kiosk).help_button)
    kiosk.services.session.identify("张小三")
    kiosk.services.session.data.put("id_number", "310101199001011234")
    kiosk.frames(3)
    assert "您好，张*三" in kiosk.all_texts()
    assert not any("张小三" in t for t in kiosk.all_texts())  # shown masked only

    kiosk.pass_idle_time(90)
    kiosk.pass_idle_time(31)

    texts = " ".join(kiosk.all_texts())
    assert "张" not in texts.replace("张*三", "") and "张*三" not in texts
    assert len(kiosk.services.session.data) == 0
    assert kiosk.app.resident_name == ""
    log_text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "log").glob("*.log*"))
    assert "张小三" not in log_text and "310101199001011234" not in log_text


def test_finish_button_ends_session_and_restores_standard_mode(kiosk):
    kiosk.tap(ids(kiosk).elderly_switch)
    kiosk.tap(ids(kiosk).language_button)
    kiosk.tap(ids(kiosk).finish_button)
    assert kiosk.services.session.state is SessionState.IDLE
    assert not kiosk.app.elderly and kiosk.app.language == "zh_CN"
    assert ids(kiosk).elderly_switch.text == "长者模式：关"


def test_escape_and_close_requests_do_nothing_in_kiosk_profile(kiosk):
    from kivy.base import EventLoop
    from kivy.core.window import Window

    assert kiosk.app.profile == "kiosk"
    Window.dispatch("on_keyboard", 27, 41, None, [])
    Window.dispatch("on_key_down", 27, 41, None, [])
    kiosk.frames(3)
    assert EventLoop.status == "started"
    assert Window.dispatch("on_request_close", source="keyboard") is True
    assert Window.dispatch("on_request_close") is True  # Alt+F4 through the window system
    kiosk.frames(2)
    assert EventLoop.status == "started"
    assert kiosk.app.root.get_root_window() is Window


def test_out_of_service_shows_terminal_id_and_contact_and_ignores_touches(tmp_path):
    kiosk = KioskHarness(tmp_path, '[terminal]\nout_of_service = true\n'
                                   'out_of_service_message = "线路检修，预计明天恢复"\n')
    try:
        assert kiosk.app.screen_manager.current == "out_of_service"
        texts = kiosk.all_texts()
        assert "本终端暂停服务" in texts
        assert "终端编号：DEMO-JS-0001" in texts
        assert "线路检修，预计明天恢复" in texts
        assert kiosk.app.bar.disabled and kiosk.app.bar.height == 0
        kiosk.tap_at(640, 360)
        assert kiosk.services.session.state is SessionState.IDLE
    finally:
        kiosk.close()


def test_kiosk_profile_is_full_screen_borderless_without_cursor_or_screensaver():
    from screens.window_profile import window_settings

    kiosk = window_settings("kiosk", 1920, 1080, headless=False)
    assert kiosk[("graphics", "fullscreen")] == "auto"
    assert kiosk[("graphics", "borderless")] == "1"
    assert kiosk[("graphics", "show_cursor")] == "0"
    assert kiosk[("graphics", "allow_screensaver")] == "0"
    assert kiosk[("kivy", "exit_on_escape")] == "0"
    developer = window_settings("developer", 1280, 720, headless=False)
    assert developer[("graphics", "fullscreen")] == "0"
    assert developer[("graphics", "show_cursor")] == "1"
    assert developer[("kivy", "exit_on_escape")] == "0"


def test_running_window_has_the_screensaver_off(kiosk):
    from kivy.core.window import Window

    assert Window.allow_screensaver is False


def test_f1_does_not_open_kivys_settings_panel(kiosk):
    from kivy.core.window import Window
    from kivy.uix.settings import Settings

    Window.dispatch("on_keyboard", 282, 58, None, [])  # F1
    kiosk.frames(3)
    assert not any(isinstance(w, Settings) for child in Window.children for w in child.walk())
    assert kiosk.app._app_settings is None
