"""The Kivy side of the systemd watchdog: where the pings come from matters.

READY=1 goes out from the first ``on_flip`` (the home screen is drawn), WATCHDOG=1 from a
Clock interval on the UI main loop, STOPPING=1 from the app's ``on_stop``. A callback that
blocks the loop (a hung screen, a deadlock) therefore stops the pings, and systemd kills
and restarts the kiosk after ``WatchdogSec``. The protocol itself is `kiosk.watchdog`.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.core.window import Window

from kiosk.watchdog import SystemdNotifier, describe_state, install_freeze_trigger

# Without a watchdog, the STATUS line is still refreshed this often (seconds).
STATUS_INTERVAL_S = 5.0


def attach_watchdog(app, notifier: SystemdNotifier | None = None) -> SystemdNotifier:
    """Wire ``notifier`` (default: from the environment) to ``app``; returns it.

    Blocks nothing; all sending happens later on the UI thread. The notifier and the
    Clock event are kept on ``app`` because Kivy's Clock holds callbacks weakly.
    """
    notifier = notifier or SystemdNotifier.from_environment()
    app.systemd_notifier = notifier
    install_freeze_trigger(lambda job: Clock.schedule_once(lambda _dt: job(), 0))
    if not notifier.enabled:
        return notifier

    def status() -> str:
        manager = app.screen_manager
        return describe_state(screen=manager.current if manager is not None else "starting",
                              in_service=app.in_service, in_session=app.in_session,
                              platform_offline=app.platform_offline)

    def on_first_frame(*_args) -> None:
        Window.unbind(on_flip=on_first_frame)
        notifier.ready(status())
        interval = notifier.watchdog_interval_s or STATUS_INTERVAL_S
        app.systemd_ping_event = Clock.schedule_interval(lambda _dt: notifier.ping(status()),
                                                         interval)

    def on_stop(*_args) -> None:
        event = getattr(app, "systemd_ping_event", None)
        if event is not None:
            event.cancel()
        notifier.stopping()

    notifier.status("starting: drawing the home screen")
    Window.bind(on_flip=on_first_frame)
    app.bind(on_stop=on_stop)
    return notifier
