"""The composition of the kiosk's services from a validated configuration.

`run_kiosk.py` builds one `KioskServices` and hands it to the app; tests build their own
with a fake clock. Nothing here touches Kivy, devices or the network.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Mapping

from config.schema import KioskConfig
from kiosk.availability import BUILT_TILES, Availability, ServiceTile, decide_availability
from kiosk.i18n import Translator
from kiosk.navigation import Navigator
from kiosk.session import Session, SessionTimings

log = logging.getLogger(__name__)

SCREENS = {"home", "help", "out_of_service"}


@dataclass
class KioskServices:
    config: KioskConfig
    session: Session
    navigator: Navigator
    translator: Translator
    availability: Availability


def build_services(
    config: KioskConfig,
    *,
    clock: Callable[[], float] = time.monotonic,
    device_ready: Mapping[str, bool] | None = None,
    built_tiles: tuple[ServiceTile, ...] = BUILT_TILES,
) -> KioskServices:
    """Wire the plain-Python services. Raises `CatalogueError` for a broken catalogue."""
    s = config.session
    languages = tuple(config.i18n.languages)
    session = Session(
        SessionTimings(s.idle_timeout_s, s.warning_s, s.elderly_idle_factor,
                       s.elderly_warning_s),
        default_language=config.i18n.default_language,
        languages=languages,
        default_elderly=config.accessibility.elderly_by_default,
        clock=clock,
    )
    availability = decide_availability(
        built=built_tiles,
        enabled=tuple(config.services.enabled),
        device_ready=device_ready or {},
        out_of_service=config.terminal.out_of_service,
        out_of_service_message=config.terminal.out_of_service_message,
    )
    log.info("availability: %s", availability.reason)
    return KioskServices(
        config=config,
        session=session,
        navigator=Navigator("home", SCREENS | {t.screen for t in built_tiles}),
        translator=Translator(languages),
        availability=availability,
    )
