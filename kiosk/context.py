"""The composition of the kiosk's services from a validated configuration.

`run_kiosk.py` builds one `KioskServices` and hands it to the app; tests build their own
with a fake clock. Nothing here touches Kivy, devices or the network.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

from config.schema import KioskConfig
from kiosk.availability import BUILT_TILES, Availability, ServiceTile, decide_availability
from kiosk.connectivity import Connectivity
from kiosk.i18n import Translator
from kiosk.navigation import Navigator
from kiosk.session import Session, SessionTimings
from kiosk.voice import VoiceGuide

log = logging.getLogger(__name__)

SCREENS = {"home", "help", "out_of_service", "maintenance"}


class DeviceReadiness(Protocol):
    def kind_ready(self) -> Mapping[str, bool]: ...


@dataclass(frozen=True)
class PlatformAccess:
    """Providers the flows use to reach the platform side (built after the first frame):
    each returns the object or raises PlatformUnavailableError while it is not there."""

    client: Callable[[], Any]
    catalogue: Callable[[], Any]
    submitter: Callable[[], Any]


@dataclass
class KioskServices:
    config: KioskConfig
    session: Session
    navigator: Navigator
    translator: Translator
    availability: Availability
    built_tiles: tuple[ServiceTile, ...] = BUILT_TILES
    devices: DeviceReadiness | None = None
    connectivity: Connectivity | None = None  # platform link state, when there is a platform
    flows: dict[str, Any] = field(default_factory=dict)  # name -> kiosk.flows Flow
    voice: VoiceGuide | None = None  # reads screens aloud (None: no speaker provider)
    flow_context: Any = None          # the FlowContext every flow shares (None: no platform)
    maintenance: Any = None           # kiosk.maintenance.flow.MaintenanceFlow, set by run_kiosk

    def evaluate_availability(self) -> Availability:
        """Decide again from the configuration and the devices' current readiness."""
        t = self.config.terminal
        ready = dict(self.devices.kind_ready()) if self.devices is not None else {}
        decided = decide_availability(
            built=self.built_tiles, enabled=tuple(self.config.services.enabled),
            device_ready=ready, out_of_service=t.out_of_service,
            out_of_service_message=t.out_of_service_message)
        if decided != self.availability:
            log.info("availability: %s", decided.reason)
        self.availability = decided
        return decided


def build_services(
    config: KioskConfig,
    *,
    clock: Callable[[], float] = time.monotonic,
    devices: DeviceReadiness | None = None,
    built_tiles: tuple[ServiceTile, ...] | None = None,
    connectivity: Connectivity | None = None,
    platform: PlatformAccess | None = None,
    runner: Any = None,
) -> KioskServices:
    """Wire the plain-Python services. Raises `CatalogueError` for a broken catalogue.

    ``devices`` (the hardware layer's DeviceManager) tells which device kinds are ready.
    With ``platform`` (and a ``runner`` for jobs), the resident flows are built and their
    tiles offered; without, only the foundation's screens (tests of the shell).
    """
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
    translator = Translator(languages)
    flows: dict[str, Any] = {}
    if platform is not None:
        from kiosk.flows.context import FlowContext
        from kiosk.flows.registry import build_flows, flow_tiles
        from kiosk.flows.runner import ImmediateRunner

        ctx = FlowContext(session=session, runner=runner or ImmediateRunner(),
                          terminal_id=config.terminal.id,
                          connectivity=connectivity or Connectivity(),
                          client=platform.client, catalogue=platform.catalogue,
                          submitter=platform.submitter, devices=devices,
                          translator=translator,
                          support_contact=config.terminal.support_contact,
                          service_hours=config.terminal.service_hours)
        flows = build_flows(ctx)
        if built_tiles is None:
            built_tiles = flow_tiles()
    if built_tiles is None:
        built_tiles = BUILT_TILES
    services = KioskServices(
        config=config,
        session=session,
        # every built flow is a screen, with or without a home tile (rating: only reached
        # from a completed flow; help: from the bar)
        navigator=Navigator("home", SCREENS | {t.screen for t in built_tiles} | set(flows)),
        translator=translator,
        availability=Availability(True, (), "not decided yet"),
        built_tiles=built_tiles,
        devices=devices,
        connectivity=connectivity,
        flows=flows,
    )
    a = config.accessibility
    services.voice = VoiceGuide(speaker_of(devices), lambda: session.elderly,
                                in_elderly_mode=a.voice_in_elderly_mode,
                                by_default=a.voice_by_default,
                                language=lambda: session.language)
    if platform is not None:
        services.flow_context = ctx
    services.evaluate_availability()
    return services


def speaker_of(devices: Any) -> Callable[[], Any | None]:
    """The first usable speaker of the device manager, looked up on each call (a speaker
    that fails or comes back is followed); never raises."""
    def first() -> Any | None:
        by_kind = getattr(devices, "by_kind", None)
        if by_kind is None:
            return None
        for device in by_kind("speaker"):
            if device.status.usable:
                return device
        return None
    return first
