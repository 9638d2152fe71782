"""Which screen is shown, as a stack, without a window.

Screens ask the navigator to go somewhere; the app follows `current`. Home clears the
stack; Back pops it and never leaves the home screen. Every change is reported to listeners.
"""

from __future__ import annotations

import logging
from typing import Callable

log = logging.getLogger(__name__)


class Navigator:
    def __init__(self, home: str, known: set[str] | None = None) -> None:
        self.home_screen = home
        self._known = known
        self._stack: list[str] = [home]
        self._listeners: list[Callable[[str], None]] = []

    @property
    def current(self) -> str:
        return self._stack[-1]

    @property
    def can_go_back(self) -> bool:
        return len(self._stack) > 1

    def subscribe(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Add a listener; returns a function that removes it again."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def go(self, screen: str) -> None:
        """Show ``screen`` on top of the current one; ValueError for an unknown screen."""
        if self._known is not None and screen not in self._known:
            raise ValueError(f"unknown screen {screen!r}")
        if screen == self.current:
            return
        self._stack.append(screen)
        self._changed()

    def back(self) -> None:
        if self.can_go_back:
            self._stack.pop()
            self._changed()

    def home(self) -> None:
        if self._stack != [self.home_screen]:
            self._stack = [self.home_screen]
            self._changed()

    def _changed(self) -> None:
        log.debug("screen %s", self.current)
        for listener in list(self._listeners):
            listener(self.current)
