"""Drives the real `KioskApp` offscreen: frames, touches and a fake session clock.

One Kivy window exists per process; each harness builds a new app on it and removes it
again, so UI tests can run one after another in the same pytest process.
"""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.config import load_config
from kiosk.context import build_services
from screens.window_profile import configure_kivy
from tests.clocks import FakeClock

WIDTH, HEIGHT = 1280, 720


def write_terminal_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "terminal.toml"
    path.write_text(
        f'[log]\ndir = "{tmp_path / "log"}"\n[paths]\nstate_dir = "{tmp_path / "state"}"\n'
        + extra, encoding="utf-8")
    return path


class KioskHarness:
    def __init__(self, tmp_path: Path, extra_config: str = "", *, connectivity=None,
                 platform=None, devices=None, runner=None) -> None:
        """`platform`: a kiosk.context.PlatformAccess (flows are built and their tiles
        shown; jobs run at once on the UI thread unless a `runner` is given, e.g. the
        app's ThreadRunner); `devices`: a `by_kind` source."""
        config = load_config(write_terminal_file(tmp_path, extra_config), demo=True,
                             environ={})
        configure_kivy("kiosk", WIDTH, HEIGHT, Path(config.display.font_path), headless=True)
        from kivy.base import EventLoop, runTouchApp

        from screens.app import KioskApp

        self.clock = FakeClock()
        self.services = build_services(config, clock=self.clock, connectivity=connectivity,
                                       platform=platform, devices=devices,
                                       runner=runner)
        self.app = KioskApp(self.services)
        self.app._run_prepare()  # what App.run() does before its blocking main loop
        if EventLoop.status != "started":
            runTouchApp(embedded=True)
        self._event_loop = EventLoop
        self.frames(3)

    # -- driving ----------------------------------------------------------------------
    def frames(self, n: int = 2) -> None:
        for _ in range(n):
            self._event_loop.idle()

    def wait(self, seconds: float) -> None:
        """Run frames for ``seconds`` of real time (lets Clock intervals fire)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._event_loop.idle()

    def tap(self, widget) -> None:
        from kivy.tests.common import UnitTestTouch

        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.frames(3)

    def tap_at(self, x: float, y: float) -> None:
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.frames(3)

    def pass_idle_time(self, seconds: float) -> None:
        """Advance the session clock, then let the app's scheduled tick notice it."""
        self.clock.advance(seconds)
        self.wait(0.6)

    # -- looking ----------------------------------------------------------------------
    def all_widgets(self):
        """Every widget of every screen (shown or not), the bar and the idle warning."""
        seen = list(self.app.root.walk(restrict=True))
        for screen in self.app.screen_manager.screens:
            seen.extend(screen.walk(restrict=True))
        if self.app.warning is not None:
            seen.extend(self.app.warning.walk(restrict=True))
        return seen

    def all_texts(self) -> list[str]:
        return [w.text for w in self.all_widgets() if isinstance(getattr(w, "text", None), str)]

    def labels(self):
        from kivy.uix.label import Label

        return [w for w in self.all_widgets() if isinstance(w, Label) and w.text]

    def warning_open(self) -> bool:
        return self.app.warning is not None and self.app.warning.parent is not None

    def close(self) -> None:
        from kivy.app import App
        from kivy.core.window import Window

        self.frames(3)  # let pending layouts settle while the app still runs (kv rules use app)
        self.app._dismiss_warning()
        self.app.dispatch("on_stop")
        for child in list(Window.children):
            Window.remove_widget(child)
        App._running_app = None
        self.frames(1)
