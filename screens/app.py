"""The Kivy application: shows the state of `kiosk/` services and forwards taps to them.

Holds no business logic. The session machine decides when sessions start, warn and end;
the navigator decides which screen is shown; the theme and translator decide how it looks
and reads. The app mirrors them into Kivy properties that the ``.kv`` rules bind to.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from common.privacy import mask_name
from kiosk.connectivity import LinkState
from kiosk.context import KioskServices
from kiosk.i18n import LANGUAGE_NAMES
from kiosk.session import (DISPLAY_NAME, EndReason, PreferencesChanged, ResidentIdentified,
                           SessionEnded, SessionEvent, SessionExtended, SessionStarted,
                           WarningCountdown, WarningStarted)
from kiosk.theme import theme_for
from screens.live_theme import LiveTheme
from screens.screens import (HelpScreen, HomeScreen, IdleWarning, KioskScreen,
                             OutOfServiceScreen)
from screens.flow_screen import FlowScreen
from screens.widgets import KioskBar

log = logging.getLogger(__name__)

KV_DIR = Path(__file__).resolve().parent
KV_FILES = ("widgets.kv", "screens.kv", "flow_screen.kv")
ESCAPE = 27
SCREEN_CLASSES: dict[str, type[KioskScreen]] = {
    "home": HomeScreen, "help": HelpScreen, "out_of_service": OutOfServiceScreen}
TICK_S = 0.25


class KioskApp(App):
    """The full-screen kiosk. ``profile`` is ``"kiosk"`` or ``"developer"``."""

    tr = ObjectProperty(None)  # gettext of the current language; kv rules call app.tr(...)
    theme = ObjectProperty(None)
    elderly = BooleanProperty(False)
    language = StringProperty("")
    language_button_text = StringProperty("")
    in_session = BooleanProperty(False)
    in_service = BooleanProperty(True)
    can_go_back = BooleanProperty(False)
    resident_name = StringProperty("")  # masked
    assistance = StringProperty("")     # "代办中：李*明" while a village agent serves (masked)
    terminal_id = StringProperty("")
    terminal_name = StringProperty("")
    terminal_location = StringProperty("")
    terminal_hours = StringProperty("")
    support_contact = StringProperty("")
    out_of_service_message = StringProperty("")
    platform_offline = BooleanProperty(False)  # the last platform call failed
    voice_on = BooleanProperty(False)          # voice guidance reads screens aloud
    voice_available = BooleanProperty(False)   # a usable speaker is there
    high_contrast = BooleanProperty(False)     # the high-contrast scheme, in either mode
    maintenance_shown = BooleanProperty(False)  # the bar offers only Home and Back then

    def __init__(self, services: KioskServices, **kwargs) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.session = services.session
        self.navigator = services.navigator
        self.profile = services.config.display.profile
        self.screen_manager: ScreenManager | None = None
        self.bar: KioskBar | None = None
        self.warning: IdleWarning | None = None
        self.voice = services.voice
        from kiosk.maintenance.access import TapGesture

        self.maintenance_gesture = TapGesture()
        self._tick_event = None
        self._stopped = False
        self._taken_out = False  # out of service by the maintenance switch
        self._unsubscribe: list = []
        t = services.config.terminal
        self.terminal_id, self.terminal_name = t.id, t.name
        self.terminal_location, self.terminal_hours = t.location, t.service_hours
        self.support_contact = t.support_contact
        self.theme = LiveTheme(theme_for(self.session.elderly, self.session.high_contrast))
        self._apply_preferences(self.session.elderly, self.session.language,
                                self.session.high_contrast)

    # -- Kivy App hooks ----------------------------------------------------------------
    def build(self):
        self.title = self.terminal_name
        for name in KV_FILES:
            path = str(KV_DIR / name)
            if path not in Builder.files:  # a second app in one process must not double rules
                Builder.load_file(path)
        root = BoxLayout(orientation="vertical")
        self.bar = KioskBar()
        self.screen_manager = ScreenManager(transition=NoTransition())
        self.screen_manager.add_widget(HomeScreen())
        root.add_widget(self.bar)
        root.add_widget(self.screen_manager)
        self._unsubscribe = [self.session.subscribe(self._on_session_event),
                             self.navigator.subscribe(self._on_navigate)]
        if self.voice is not None:
            self._unsubscribe.append(self.voice.subscribe(self._on_voice_change))
        Window.bind(on_touch_down=self._on_any_touch, on_keyboard=self._on_keyboard,
                    on_request_close=self._on_request_close)
        link = self.services.connectivity
        if link is not None:
            self._unsubscribe.append(link.subscribe(lambda status: Clock.schedule_once(
                lambda _dt: self._on_link(status), 0)))
            self._on_link(link.status)
        availability = self.services.availability
        if availability.in_service:
            self.set_in_service()
        else:
            self.set_out_of_service(availability.message, availability.reason)
        self._on_voice_change()
        return root

    def on_start(self) -> None:
        self._tick_event = Clock.schedule_interval(lambda _dt: self._tick(), TICK_S)
        log.info("kiosk started: terminal %s, profile %s, language %s",
                 self.terminal_id, self.profile, self.language)

    def on_stop(self) -> None:
        if self._stopped:  # a signal and the window may both stop the app
            return
        self._stopped = True
        if self._tick_event is not None:
            self._tick_event.cancel()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        Window.unbind(on_touch_down=self._on_any_touch, on_keyboard=self._on_keyboard,
                      on_request_close=self._on_request_close)
        log.info("kiosk stopped")

    def _tick(self) -> None:
        if self.in_maintenance:
            self.services.maintenance.tick()
        else:
            self.session.tick()

    @property
    def in_maintenance(self) -> bool:
        return (self.services.maintenance is not None and self.screen_manager is not None
                and self.screen_manager.current == "maintenance")

    def enter_maintenance(self) -> None:
        """The hidden gesture was made: a resident's session ends (and is wiped) first,
        then the PIN is asked. Works on the out-of-service screen too."""
        flow = self.services.maintenance
        if flow is None:
            log.warning("maintenance gesture made, but maintenance mode is not set up")
            return
        log.info("maintenance gesture: PIN asked")
        self.session.finish()
        flow.start()
        self._show("maintenance")

    def leave_maintenance(self) -> None:
        if self.in_service:
            self.navigator.home()
            self._show("home")
        else:
            self._show("out_of_service")

    def open_settings(self, *largs) -> bool:
        """Kivy's settings panel (F1) is never offered on a kiosk."""
        return False

    def _on_link(self, status) -> None:
        """UI thread: show the offline banner while platform calls fail."""
        if self._stopped:  # a change queued on the Clock just before the app stopped
            return
        self.platform_offline = status.state is LinkState.OFFLINE

    # -- taps forwarded from the .kv rules ---------------------------------------------
    def go(self, screen: str) -> None:
        self.navigator.go(screen)

    def go_home(self) -> None:
        if self.in_maintenance:
            flow = self.services.maintenance
            if flow.left:  # the flow has signed out (its own "leave", idle, or just now)
                self.leave_maintenance()
            else:
                flow.leave("home button")  # signs out, then comes back here
            return
        self.navigator.home()

    def go_back(self) -> None:
        screen = self.screen_manager.current_screen if self.screen_manager else None
        if isinstance(screen, FlowScreen) and screen.flow.back():
            return
        self.navigator.back()

    def open_flow(self, name: str) -> None:
        """A service tile was tapped: start its flow from the beginning and show it."""
        flow = self.services.flows.get(name)
        if flow is None:
            log.error("no flow named %s", name)
            return
        flow.start()
        self.navigator.go(name)

    def resume_flow(self, name: str) -> None:
        """Show a flow again where it was (it handed over to another flow and is back)."""
        flow = self.services.flows.get(name)
        if flow is None:
            log.error("no flow named %s to resume", name)
            self.navigator.home()
            return
        self.navigator.go(name)
        flow.resumed()

    def ask_help(self) -> None:
        """The help button (bar, home): the 帮办 flow when built, else the help screen."""
        if "help" in self.services.flows:
            self.open_flow("help")
        else:
            self.go("help")

    def current_flow(self):
        screen = self.screen_manager.current_screen if self.screen_manager else None
        return screen.flow if isinstance(screen, FlowScreen) else None

    def device_card_present(self) -> None:
        """UI thread: a card was put on the reader; the shown flow may be waiting for it."""
        flow = self.current_flow()
        if flow is not None:
            flow.on_card_present()

    def device_code_scanned(self, text: str) -> None:
        flow = self.current_flow()
        if flow is not None:
            flow.on_code(text)

    # -- voice guidance -----------------------------------------------------------------
    def voice_button(self, voice_id: str) -> None:
        """A voice button of the bar: "voice_repeat" (read aloud / read again) or
        "voice_stop" (stop reading for this session)."""
        if self.voice is None:
            return
        if voice_id == "voice_stop":
            self.voice.stop()
        else:
            self.voice.repeat()

    def voice_louder(self) -> None:
        if self.voice is not None:
            self.voice.louder()

    def voice_quieter(self) -> None:
        if self.voice is not None:
            self.voice.quieter()

    def update_assistance(self) -> None:
        """Show in the bar whether a village agent is signed in (no event tells: read it
        on every screen change and flow answer)."""
        from kiosk.assistance import assistance_status

        status = assistance_status(self.session)
        if status is None:
            self.assistance = ""
        elif status.active:
            self.assistance = self.tr("Agent assisting: {name}").format(name=status.agent_name)
        else:
            self.assistance = self.tr("Agent signed in: {name}").format(name=status.agent_name)

    def screen_updated(self, screen, *, again: bool = False) -> None:
        """``screen`` shows something new: the bar's agent line is brought up to date and
        voice guidance reads it, if it is the screen shown (screens redraw while hidden,
        e.g. on a language change, and must stay silent then)."""
        if self.screen_manager is None or self._stopped:
            return
        if self.screen_manager.current_screen is not screen:
            return
        self.update_assistance()
        if self.voice is None:
            return
        self.voice.show(screen.spoken_text(), where=screen.name, again=again)

    def _on_voice_change(self) -> None:
        if self.voice is None or self._stopped:
            return
        self.voice_on = self.voice.enabled
        self.voice_available = self.voice.available
        if self.bar is not None:
            self.bar.show_voice(self.voice.available, self.voice_on)

    def toggle_elderly(self) -> None:
        self.session.set_elderly(not self.session.elderly)

    def toggle_high_contrast(self) -> None:
        self.session.set_high_contrast(not self.session.high_contrast)

    def switch_language(self) -> None:
        self.session.set_language(
            self.services.translator.next_language(self.session.language))

    def more_time(self) -> None:
        self.session.extend()

    def finish_session(self) -> None:
        self.session.finish()

    # -- service state -----------------------------------------------------------------
    def set_out_of_service(self, message: str = "", reason: str = "") -> None:
        """Show the out-of-service screen; a running session ends (and is wiped) first."""
        log.warning("out of service: %s", reason or "requested")
        self.session.end(EndReason.OUT_OF_SERVICE)
        self.in_service = False
        self.out_of_service_message = message
        if self.screen_manager is not None and not self.in_maintenance:
            self._show("out_of_service")  # (a technician in maintenance stays there)

    def set_in_service(self) -> None:
        self.in_service = True
        self.out_of_service_message = ""
        self._fill_tiles()
        self.navigator.home()
        self._on_navigate(self.navigator.current)

    def set_taken_out_of_service(self, off: bool, message: str = "") -> None:
        """A technician's switch (maintenance mode): out of service until switched back,
        whatever the devices say; back: the terminal offers what its devices allow."""
        self._taken_out = off
        if off:
            self.set_out_of_service(message, "taken out of service by a technician")
        else:
            self.refresh_availability()

    def refresh_availability(self) -> None:
        """Re-decide what the terminal offers (after a device status change)."""
        self._on_voice_change()  # a speaker may have gone or come back
        if self._taken_out:
            return
        availability = self.services.evaluate_availability()
        if self.screen_manager is not None and availability.in_service:
            self._fill_tiles()
        if availability.in_service and not self.in_service:
            self.set_in_service()
        elif not availability.in_service and self.in_service:
            self.set_out_of_service(availability.message, availability.reason)

    # -- events from kiosk/ ------------------------------------------------------------
    def _on_session_event(self, event: SessionEvent) -> None:
        if isinstance(event, SessionStarted):
            self.in_session = True
        elif isinstance(event, WarningStarted):
            if self.warning is None:
                self.warning = IdleWarning()
            self.warning.seconds_left = event.seconds
            self.warning.open(animation=False)
            if self.voice is not None:
                self.voice.show(self.warning.spoken_text(), where="idle warning")
        elif isinstance(event, WarningCountdown):
            self.warning.seconds_left = event.seconds_left
        elif isinstance(event, SessionExtended):
            self._dismiss_warning()
            screen = self.screen_manager.current_screen if self.screen_manager else None
            if self.voice is not None and screen is not None:
                self.voice.show(screen.spoken_text(), where=screen.name, quiet=True)
        elif isinstance(event, ResidentIdentified):
            self.resident_name = mask_name(self.session.data.get(DISPLAY_NAME, ""))
        elif isinstance(event, SessionEnded):
            self._wipe_screens()
        elif isinstance(event, PreferencesChanged):
            self._apply_preferences(event.elderly, event.language, event.high_contrast)

    def _dismiss_warning(self) -> None:
        if self.warning is not None:
            self.warning.dismiss(animation=False)

    def _wipe_screens(self) -> None:
        self._dismiss_warning()
        if self.voice is not None:
            self.voice.session_ended()  # silence, volume back, the resident's choice gone
        self.in_session = False
        self.resident_name = ""
        self.assistance = ""
        for screen in self.screen_manager.screens:
            if isinstance(screen, KioskScreen):
                screen.wipe()
        if self.in_service:
            self.navigator.home()

    def _apply_preferences(self, elderly: bool, language: str,
                           high_contrast: bool = False) -> None:
        theme = theme_for(elderly, high_contrast)
        if self.theme.current is not theme:
            self.theme.apply(theme)
        changed = elderly != self.elderly
        self.elderly = elderly
        self.high_contrast = high_contrast
        if changed and self.voice is not None and self.bar is not None:
            self.voice.mode_changed()
        if language != self.language:
            self.tr = self.services.translator.gettext_for(language)
            self.language = language
            if self.screen_manager is not None:  # read again, in the new language
                self.screen_updated(self.screen_manager.current_screen)
        following = self.services.translator.next_language(language)
        self.language_button_text = LANGUAGE_NAMES.get(following, following)

    def _on_navigate(self, screen: str) -> None:
        self.can_go_back = self.navigator.can_go_back
        if self.in_service and self.screen_manager is not None and not self.in_maintenance:
            self._show(screen)

    def _show(self, name: str) -> None:
        """Show a screen, building it on first use: only home is built at start-up."""
        if not self.screen_manager.has_screen(name):
            flow = (self.services.maintenance if name == "maintenance"
                    else self.services.flows.get(name))
            if flow is not None:
                screen = FlowScreen(flow)
                self.screen_manager.add_widget(screen)
                screen.refresh()
            else:
                self.screen_manager.add_widget(SCREEN_CLASSES[name]())
        self.screen_manager.current = name
        self.maintenance_shown = name == "maintenance"
        self.screen_updated(self.screen_manager.current_screen)

    def _fill_tiles(self) -> None:
        """The home screen's service tiles: those available now, in configured order."""
        home = self.screen_manager.get_screen("home")
        home.set_tiles(self.services.availability.tiles, self.open_flow)

    # -- window guards -----------------------------------------------------------------
    def _on_any_touch(self, _window, touch) -> bool:
        """Every touch counts as activity; the touch still goes on to the widgets. Taps on
        the terminal's name count towards the hidden maintenance gesture."""
        if self.in_maintenance:
            self.services.maintenance.touched()
            return False
        if self._in_gesture_zone(touch) and self.maintenance_gesture.tap():
            Clock.schedule_once(lambda _dt: self.enter_maintenance(), 0)
            return True
        if self.in_service:
            self.session.touch()
        if self.voice is not None:
            self.voice.acted()  # the person acts: speech stops (EN 301 549 5.1.3.5)
        return False

    def _in_gesture_zone(self, touch) -> bool:
        """The terminal's name in the bar; with the bar hidden (out of service), the same
        place: the top-left of the screen."""
        if self.bar is None:
            return False
        if self.in_service:
            label = self.bar.ids.greeting
            return label.collide_point(*label.to_widget(*touch.pos))
        return touch.y > Window.height * 0.85 and touch.x < Window.width * 0.5

    def _on_keyboard(self, _window, key, *_args) -> bool:
        """Swallow Esc (and Android back): a resident never leaves the kiosk."""
        if key == ESCAPE:
            log.info("escape key ignored")
            return True
        return False

    def _on_request_close(self, *_args, source: str | None = None, **_kwargs) -> bool:
        """Refuse to close. The developer profile lets the window manager close it."""
        if self.profile == "developer" and source != "keyboard":
            return False
        log.info("close request ignored (source=%s)", source)
        return True
