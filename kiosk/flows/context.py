"""Everything a flow may use, in one object handed to every flow.

Flows never reach for globals: the platform, the catalogue, the outbox, the devices and
the session come through `FlowContext`, so tests build one with a real demo platform,
simulated devices and an `ImmediateRunner`, and the app builds one from its services.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.connectivity import Connectivity, LinkState
from kiosk.flows.runner import Runner
from kiosk.platform_errors import PlatformUnavailableError
from kiosk.session import Session

log = logging.getLogger(__name__)


class DeviceSource(Protocol):
    def by_kind(self, kind: str) -> list[Any]: ...


class Submitter(Protocol):
    def submit(self, kind: str, payload: Mapping[str, Any], *, personal: bool = True,
               key: str | None = None) -> Any: ...


@dataclass
class FlowContext:
    session: Session
    runner: Runner
    terminal_id: str
    connectivity: Connectivity
    client: Callable[[], Any]             # -> PlatformClient; raises when not started
    catalogue: Callable[[], Any]          # -> CatalogStore for the calling (UI) thread
    submitter: Callable[[], Submitter]    # -> PlatformLink (durable outbox)
    devices: DeviceSource | None = None
    translator: Any = None                # kiosk.i18n.Translator (None: English msgids)
    wall_clock: Callable[[], float] = time.time
    extras: dict[str, Any] = field(default_factory=dict)
    support_contact: str = ""             # config terminal.support_contact (help flow)
    service_hours: str = ""               # config terminal.service_hours

    @property
    def online(self) -> bool:
        return self.connectivity.status.state is LinkState.ONLINE

    def session_tr(self) -> Callable[[str], str]:
        """gettext of the session's current language."""
        if self.translator is None:
            return lambda text: text
        return self.translator.gettext_for(self.session.language)

    def device(self, kind: str) -> Any | None:
        """The first usable device of `kind`, or None (never raises)."""
        if self.devices is None:
            return None
        for device in self.devices.by_kind(kind):
            if device.status.usable:
                return device
        return None


def unavailable_client() -> Any:
    """The `client` provider before the platform side has started."""
    raise PlatformUnavailableError("the platform link has not started yet")
