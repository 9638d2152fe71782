"""Who may enter maintenance mode: the hidden gesture, the PIN and the lockout. No window.

The gesture: **seven quick taps on the terminal's name in the top bar** (all within four
seconds). The name is plain text, not a button, so residents have no reason to tap it, let
alone seven times in a row; even then they only see the PIN pad, with a way back.

The PIN is checked against the configured scrypt hash (kiosk.pin). After five wrong PINs
entry is locked for one minute, and every further run of five wrong PINs doubles the wait
(up to one day). The count and the lock are kept in a small JSON file in the state
directory, so pulling the plug does not reset them; a right PIN clears them. Time comes
from an injected wall clock (tests use a fake one).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.pin import verify_pin

log = logging.getLogger("kiosk.maintenance")

GESTURE_TAPS = 7
GESTURE_WINDOW_S = 4.0
TRIES_BEFORE_LOCK = 5
FIRST_LOCK_S = 60.0
MAX_LOCK_S = 24 * 3600.0


class TapGesture:
    """Counts taps; `tap()` is True on the tap that completes the gesture."""

    def __init__(self, taps: int = GESTURE_TAPS, within_s: float = GESTURE_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.taps, self.within_s, self._clock = taps, within_s, clock
        self._times: list[float] = []

    def tap(self) -> bool:
        now = self._clock()
        self._times = [t for t in self._times if now - t <= self.within_s] + [now]
        if len(self._times) >= self.taps:
            self._times = []
            return True
        return False


@dataclass(frozen=True)
class PinResult:
    ok: bool
    locked_for_s: float = 0.0   # > 0: entry is locked this long from now
    tries_left: int = 0         # wrong PINs still allowed before the next lock


class PinGate:
    """Checks PINs and keeps the lockout. `check` blocks ~0.1 s (scrypt)."""

    def __init__(self, pin_hash: str, state_file: Path, *,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self._hash = pin_hash
        self._file = Path(state_file)
        self._clock = wall_clock
        self._wrong, self._locks, self._locked_until = 0, 0, 0.0
        self._load()

    @property
    def configured(self) -> bool:
        return bool(self._hash)

    def locked_for(self) -> float:
        """Seconds until a PIN may be tried again (0: not locked)."""
        return max(0.0, self._locked_until - self._clock())

    def check(self, pin: str) -> PinResult:
        """Compare ``pin`` with the stored hash; never logs the PIN. Writes the state file."""
        wait = self.locked_for()
        if wait > 0:
            log.warning("maintenance PIN tried while locked (%.0f s left)", wait)
            return PinResult(False, wait)
        if self.configured and verify_pin(pin, self._hash):
            self._wrong, self._locks, self._locked_until = 0, 0, 0.0
            self._save()
            log.info("maintenance PIN accepted")
            return PinResult(True)
        self._wrong += 1
        if self._wrong >= TRIES_BEFORE_LOCK:
            lock = min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** self._locks)
            self._locks += 1
            self._wrong = 0
            self._locked_until = self._clock() + lock
            self._save()
            log.warning("maintenance entry locked for %.0f s after %d wrong PINs (lock %d)",
                        lock, TRIES_BEFORE_LOCK, self._locks)
            return PinResult(False, lock)
        self._save()
        left = TRIES_BEFORE_LOCK - self._wrong
        log.warning("wrong maintenance PIN (%d more before entry is locked)", left)
        return PinResult(False, 0.0, left)

    def _load(self) -> None:
        try:
            data = json.loads(self._file.read_text(encoding="utf-8"))
            self._wrong = int(data.get("wrong", 0))
            self._locks = int(data.get("locks", 0))
            self._locked_until = float(data.get("locked_until", 0.0))
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # A damaged file must not open the door: treat it as one lock period.
            log.error("maintenance lock file %s unreadable (%s); entry locked for %.0f s",
                      self._file, exc, FIRST_LOCK_S)
            self._locks, self._locked_until = 1, self._clock() + FIRST_LOCK_S

    def _save(self) -> None:
        data = {"wrong": self._wrong, "locks": self._locks, "locked_until": self._locked_until}
        try:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._file.with_suffix(".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self._file)
        except OSError as exc:
            log.error("maintenance lock file %s not written: %s", self._file, exc)
