"""The resident session as an explicit state machine, without any window.

States::

    IDLE ----touch----> ACTIVE ----idle limit----> WARNING ----countdown over----> IDLE
                          ^  |                       |                            (timeout)
                          |  +--finish / card out----+--finish / card out-------> IDLE
                          +-------- more time -------+

A session begins at the first touch on the attract/home screen. Every touch while ACTIVE
restarts the idle timer. When the idle limit passes, WARNING shows a countdown; one tap on
"more time" goes back to ACTIVE, as often as the resident likes. Any end (timeout, the
finish button, the ID card taken away) wipes `SessionData`, resets elderly mode, high
contrast and language to the terminal's defaults and tells every listener, so screens clear themselves.

Time comes from an injected monotonic clock and `tick()` is called by the app's scheduler
(Kivy's Clock) or directly by tests; nothing here blocks or starts threads.
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

log = logging.getLogger(__name__)

DISPLAY_NAME = "display_name"


class SessionState(enum.Enum):
    IDLE = "idle"
    ACTIVE = "active"
    WARNING = "warning"


class EndReason(enum.Enum):
    TIMEOUT = "timeout"
    FINISHED = "finished"
    CARD_REMOVED = "card_removed"
    OUT_OF_SERVICE = "out_of_service"


@dataclass(frozen=True)
class SessionTimings:
    """Idle limits in seconds. Elderly mode multiplies the idle limit and has its own warning."""

    idle_timeout_s: float
    warning_s: float
    elderly_idle_factor: float
    elderly_warning_s: float

    def idle_limit(self, elderly: bool) -> float:
        return self.idle_timeout_s * (self.elderly_idle_factor if elderly else 1.0)

    def warning_length(self, elderly: bool) -> float:
        return self.elderly_warning_s if elderly else self.warning_s


# Events delivered to listeners. They carry no personal data.
@dataclass(frozen=True)
class SessionStarted:
    session_no: int


@dataclass(frozen=True)
class WarningStarted:
    seconds: float


@dataclass(frozen=True)
class WarningCountdown:
    seconds_left: int


@dataclass(frozen=True)
class SessionExtended:
    extensions: int


@dataclass(frozen=True)
class SessionEnded:
    reason: EndReason
    duration_s: float


@dataclass(frozen=True)
class PreferencesChanged:
    elderly: bool
    language: str
    high_contrast: bool = False


@dataclass(frozen=True)
class ResidentIdentified:
    """Who the resident is is now in `SessionData` (the event itself carries nothing)."""


SessionEvent = (SessionStarted | WarningStarted | WarningCountdown | SessionExtended
                | SessionEnded | PreferencesChanged | ResidentIdentified)
Listener = Callable[[SessionEvent], None]


class SessionData:
    """Everything personal a session holds (identity, answers, photos, ...).

    Flows keep personal values here and nowhere else, so that `wipe()` at session end is
    the one place where they are dropped. Values are overwritten in place where they are
    mutable (bytearray, list, dict) before the references go.
    """

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def put(self, key: str, value: Any) -> None:
        self._values[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> Iterator[str]:
        return iter(list(self._values))

    def wipe(self) -> None:
        for value in self._values.values():
            _scrub(value)
        self._values.clear()


def _scrub(value: Any) -> None:
    if isinstance(value, bytearray):
        value[:] = b"\x00" * len(value)
    elif isinstance(value, dict):
        for v in value.values():
            _scrub(v)
        value.clear()
    elif isinstance(value, list):
        for v in value:
            _scrub(v)
        value.clear()


class Session:
    """One terminal's session lifecycle. Not thread-safe: call it from the UI thread only.

    ``default_language`` and ``default_elderly`` are what every new session starts with.
    Listeners are called synchronously, in subscription order; an exception in one is
    logged and does not stop the others (a faulty screen must not keep a session alive).
    """

    def __init__(
        self,
        timings: SessionTimings,
        *,
        default_language: str,
        languages: tuple[str, ...],
        default_elderly: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if default_language not in languages:
            raise ValueError(f"default language {default_language!r} not in {languages!r}")
        self.timings = timings
        self.languages = languages
        self.default_language = default_language
        self.default_elderly = default_elderly
        self._clock = clock
        self._listeners: list[Listener] = []
        self.data = SessionData()
        self.state = SessionState.IDLE
        self.language = default_language
        self.elderly = default_elderly
        self.high_contrast = False  # the high-contrast scheme, in either mode
        self.session_no = 0
        self.extensions = 0
        self._started_at = 0.0
        self._last_activity = 0.0
        self._warning_since = 0.0
        self._last_countdown = -1

    # -- subscription -----------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it again."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: SessionEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not stop the session machine
                log.exception("session listener %r failed on %s", listener, type(event).__name__)

    # -- inputs -----------------------------------------------------------------------
    def touch(self) -> None:
        """Any resident interaction. Starts a session from IDLE; restarts the idle timer.

        In WARNING a touch does nothing: the warning asks for the explicit "more time".
        """
        now = self._clock()
        if self.state is SessionState.IDLE:
            self.session_no += 1
            self.state = SessionState.ACTIVE
            self._started_at = now
            self._last_activity = now
            self.extensions = 0
            log.info("session %d started", self.session_no)
            self._emit(SessionStarted(self.session_no))
        elif self.state is SessionState.ACTIVE:
            self._last_activity = now

    def extend(self) -> None:
        """The "more time" button: back from WARNING to ACTIVE with a fresh idle limit."""
        if self.state is not SessionState.WARNING:
            return
        self.extensions += 1
        self.state = SessionState.ACTIVE
        self._last_activity = self._clock()
        log.info("session %d extended (%d)", self.session_no, self.extensions)
        self._emit(SessionExtended(self.extensions))

    def finish(self) -> None:
        """The resident pressed "finish"."""
        self.end(EndReason.FINISHED)

    def card_removed(self) -> None:
        """The ID card was taken off the reader: the session ends if one is running."""
        self.end(EndReason.CARD_REMOVED)

    def set_elderly(self, on: bool) -> None:
        """Switch 长者模式. It starts a session if none runs (the switch is a touch)."""
        self.touch()
        if on != self.elderly:
            self.elderly = on
            # The idle limit changed: count it from now, not from the last touch.
            self._last_activity = self._clock()
            log.info("elderly mode %s", "on" if on else "off")
            self._emit(self._preferences())

    def set_high_contrast(self, on: bool) -> None:
        """Switch the high-contrast scheme (kept until the session ends). A touch too."""
        self.touch()
        if on != self.high_contrast:
            self.high_contrast = on
            log.info("high contrast %s", "on" if on else "off")
            self._emit(self._preferences())

    def _preferences(self) -> PreferencesChanged:
        return PreferencesChanged(self.elderly, self.language, self.high_contrast)

    def set_language(self, language: str) -> None:
        """Switch the display language; unknown languages raise ValueError."""
        if language not in self.languages:
            raise ValueError(f"language {language!r} not offered; offered: {self.languages!r}")
        self.touch()
        if language != self.language:
            self.language = language
            log.info("language %s", language)
            self._emit(self._preferences())

    def identify(self, display_name: str) -> None:
        """Record the identified resident's name (kept in `data`, shown masked on screen).

        Starts a session when none runs: putting a card on the reader is a touch too.
        """
        self.touch()
        self.data.put(DISPLAY_NAME, display_name)
        log.info("session %d resident identified", self.session_no)
        self._emit(ResidentIdentified())

    def tick(self) -> None:
        """Advance timers. Call about once a second from the scheduler."""
        now = self._clock()
        if self.state is SessionState.ACTIVE:
            if now - self._last_activity >= self.timings.idle_limit(self.elderly):
                self.state = SessionState.WARNING
                self._warning_since = now
                length = self.timings.warning_length(self.elderly)
                self._last_countdown = int(round(length))
                log.info("session %d idle warning (%ds)", self.session_no, length)
                self._emit(WarningStarted(length))
        elif self.state is SessionState.WARNING:
            left = self.warning_seconds_left()
            if left <= 0:
                self.end(EndReason.TIMEOUT)
            elif left != self._last_countdown:
                self._last_countdown = left
                self._emit(WarningCountdown(left))

    def end(self, reason: EndReason) -> None:
        """End the session (no-op when IDLE): wipe personal data, reset preferences."""
        if self.state is SessionState.IDLE:
            return
        duration = self._clock() - self._started_at
        self.state = SessionState.IDLE
        self.data.wipe()
        preferences_changed = (self.elderly != self.default_elderly
                               or self.language != self.default_language
                               or self.high_contrast)
        self.elderly = self.default_elderly
        self.language = self.default_language
        self.high_contrast = False
        log.info("session %d ended: %s after %.0fs, %d extension(s)",
                 self.session_no, reason.value, duration, self.extensions)
        self._emit(SessionEnded(reason, duration))
        if preferences_changed:
            self._emit(self._preferences())

    # -- queries ----------------------------------------------------------------------
    def warning_seconds_left(self) -> int:
        """Whole seconds left on the warning countdown (0 outside WARNING)."""
        if self.state is not SessionState.WARNING:
            return 0
        length = self.timings.warning_length(self.elderly)
        left = length - (self._clock() - self._warning_since)
        return max(0, int(-(-left // 1)))  # ceil: show 30 .. 1, never 0 while running
