"""Which service tiles the home screen offers, and whether the terminal is in service.

A tile is shown only when its flow is built, the terminal's configuration enables it and
every device it needs is ready. The terminal is out of service when a technician switched
it off, or when services are enabled but none of them is usable; the resident then sees the
out-of-service screen with the terminal id and whom to call, never a half-working home.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class ServiceTile:
    """A service on the home screen. ``title`` is an English msgid translated on screen."""

    id: str
    title: str
    screen: str
    requires: tuple[str, ...] = ()  # device kinds; "card_reader|scanner": either will do


@dataclass(frozen=True)
class Availability:
    in_service: bool
    tiles: tuple[ServiceTile, ...]
    reason: str  # for the technician log, in English
    message: str = ""  # the technician's own out-of-service message, shown as written


def decide_availability(
    *,
    built: tuple[ServiceTile, ...],
    enabled: tuple[str, ...],
    device_ready: Mapping[str, bool],
    out_of_service: bool = False,
    out_of_service_message: str = "",
) -> Availability:
    """Decide from configuration and device readiness; pure, no I/O.

    ``device_ready`` maps a device kind (``"printer"``) to whether it is usable now; a kind
    that is missing from it counts as not ready. A requirement ``"a|b"`` is met when
    either kind is ready.
    """
    if out_of_service:
        return Availability(False, (), "switched out of service by configuration",
                            out_of_service_message)
    order = {name: i for i, name in enumerate(enabled)}
    wanted = sorted((t for t in built if t.id in order), key=lambda t: order[t.id])
    usable = tuple(t for t in wanted if all(_met(k, device_ready) for k in t.requires))
    if wanted and not usable:
        missing = sorted({k for t in wanted for k in t.requires if not _met(k, device_ready)})
        return Availability(False, (), "no enabled service usable; devices not ready: "
                            + ", ".join(missing))
    return Availability(True, usable, f"{len(usable)} of {len(wanted)} service(s) usable")


def _met(requirement: str, device_ready: Mapping[str, bool]) -> bool:
    return any(device_ready.get(kind, False) for kind in requirement.split("|"))


# The flows built so far. Each resident-service issue adds its tile here.
BUILT_TILES: tuple[ServiceTile, ...] = ()
