"""The demo tour: walks the screens of the foundation and screenshots each of them.

Used when the demo runs where there is no display, so that what the kiosk shows can still
be seen. Each step does what the matching button does, then waits for a drawn frame.
"""

from __future__ import annotations

import logging
from typing import Callable

from kiosk.clock import AdjustableClock
from screens.app import KioskApp
from screens.screenshots import Screenshotter

log = logging.getLogger(__name__)


class DemoTour:
    def __init__(self, app: KioskApp, shots: Screenshotter, clock: AdjustableClock,
                 on_done: Callable[[], None]) -> None:
        self.app, self.shots, self.clock, self.on_done = app, shots, clock, on_done
        session = app.session
        timings = session.timings

        def to_warning() -> None:
            session.touch()
            self.clock.advance(timings.idle_limit(session.elderly) + 0.5)
            session.tick()

        def elderly(on: bool) -> Callable[[], None]:
            return lambda: session.set_elderly(on)

        self.steps: list[tuple[str, Callable[[], None]]] = [
            ("01_home_standard_zh", lambda: None),
            ("02_home_elderly_zh", elderly(True)),
            ("03_home_elderly_en", app.switch_language),
            ("04_help_elderly_zh", lambda: (app.switch_language(), app.go("help"))),
            ("05_help_standard_zh", elderly(False)),
            ("06_home_session_standard_zh", app.go_home),
            ("07_idle_warning_standard_zh", to_warning),
            ("08_idle_warning_elderly_zh",
             lambda: (session.extend(), session.set_elderly(True), to_warning())),
            ("09_home_after_timeout_zh", lambda: (self.clock.advance(600), session.tick())),
            ("10_out_of_service_zh", lambda: app.set_out_of_service(
                app.tr("Maintenance in progress, back soon."), "demo tour")),
        ]

    def start(self) -> None:
        self._next(0)

    def _next(self, index: int) -> None:
        if index >= len(self.steps):
            log.info("demo tour done: %d screenshots in %s", len(self.shots.taken),
                     self.shots.directory)
            self.on_done()
            return
        name, action = self.steps[index]
        action()
        self.shots.capture(name, then=lambda: self._next(index + 1))
