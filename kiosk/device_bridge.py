"""Carries device events into the session and the app, on the UI thread.

Device events arrive on device threads (the manager's watcher, a scanner's reader). The
bridge hands each one to the injected ``schedule`` (Kivy's Clock in the app, a direct call
in tests), then acts on it there: a card taken off the reader ends the session (unless it
was a village agent's staff card, kiosk.assistance), a card put on it or a scanned code
goes to the flow on screen, a status change asks the app to re-evaluate
what the terminal can offer.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Protocol

from kiosk.session import Session

log = logging.getLogger(__name__)

Schedule = Callable[[Callable[[], None]], None]


class EventSource(Protocol):
    def subscribe(self, listener: Callable[[Any], None]) -> Callable[[], None]: ...


class DeviceBridge:
    def __init__(self, source: EventSource, session: Session, *, schedule: Schedule,
                 on_status_change: Callable[[], None] = lambda: None,
                 on_card_present: Callable[[], None] = lambda: None,
                 on_code: Callable[[str], None] = lambda text: None,
                 suspended: Callable[[], bool] = lambda: False) -> None:
        """``suspended()``: True while residents are not served (maintenance mode): cards
        and codes then start no session (a technician's self-test reads them)."""
        self._session = session
        self._suspended = suspended
        self._schedule = schedule
        self._on_status_change = on_status_change
        self._on_card_present = on_card_present
        self._on_code = on_code
        self._unsubscribe = source.subscribe(self._on_device_thread)

    def close(self) -> None:
        self._unsubscribe()

    def _on_device_thread(self, event: Any) -> None:
        self._schedule(lambda: self._handle(event))

    def _handle(self, event: Any) -> None:
        # Imported here: the first event comes after the first frame, start-up need not pay.
        from hardware.base import StatusChanged
        from hardware.card_reader.interface import CardPresent, CardRemoved
        from hardware.scanner.interface import CodeScanned

        if isinstance(event, StatusChanged):
            self._on_status_change()
            return
        if self._suspended():
            log.info("%s from %s while maintenance is shown: no session",
                     type(event).__name__, getattr(event, "device", "?"))
            return
        if isinstance(event, CardRemoved):
            from kiosk.assistance import staff_card_lifted

            if staff_card_lifted(self._session):  # 村居代办: the agent took their card back
                log.info("staff card removed from %s; the session goes on", event.device)
            else:
                log.info("card removed from %s", event.device)
                self._session.card_removed()
        elif isinstance(event, CardPresent):
            self._session.touch()  # putting a card down is activity (starts a session)
            self._on_card_present()
        elif isinstance(event, CodeScanned):
            self._session.touch()
            self._on_code(event.text)
