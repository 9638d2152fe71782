"""Composition of the platform side: client, link state, outbox, sync and heartbeats.

Called by the composition root (`run_kiosk.py`) and by tests with a real demo platform.
Files under ``paths.state_dir``: ``catalogue.db`` (the offline catalogue, which could be
rebuilt from the platform) and ``outbox.db`` (what residents submitted: precious, and
kept apart so a damaged catalogue file never touches it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.schema import KioskConfig
from hardware.base import StatusChanged
from kiosk.catalogue_sync import CatalogueSync, store_at
from kiosk.connectivity import Connectivity
from kiosk.heartbeat import build_heartbeat
from kiosk.outbox_transport import OutboxTransport
from kiosk.platform_client import ClientSettings, PlatformClient
from kiosk.platform_link import Deliveries, LinkTimings, PlatformLink
from offline.catalogue import CatalogStore
from offline.crypto import load_key
from offline.db import open_database
from offline.outbox import HEARTBEAT, Outbox

log = logging.getLogger(__name__)

CATALOGUE_DB = "catalogue.db"
OUTBOX_DB = "outbox.db"


@dataclass
class PlatformServices:
    connectivity: Connectivity
    client: PlatformClient
    outbox: Outbox
    link: PlatformLink
    sync: CatalogueSync
    catalogue_path: Path
    unsubscribe_devices: Callable[[], Any] | None = None

    def open_catalogue(self) -> CatalogStore:
        """A catalogue store for the calling thread (SQLite connections are per thread)."""
        return CatalogStore(open_database(self.catalogue_path))

    def start(self) -> None:
        self.link.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        if self.unsubscribe_devices is not None:
            self.unsubscribe_devices()
        self.link.stop(timeout_s)
        self.client.close()
        self.outbox.close()


def build_platform_services(config: KioskConfig, *, app_version: str,
                            device_report: Callable[[], list[Any]] = list,
                            device_events: Callable[[Callable[[Any], None]],
                                                    Callable[[], Any]] | None = None,
                            on_alert: Callable[[str], None] | None = None,
                            connectivity: Connectivity | None = None,
                            clock: Callable[[], float] = time.time) -> PlatformServices:
    """Open the outbox (its key must exist: StorageError otherwise) and the catalogue
    (migrating it), and wire the workers. Nothing starts until `start()`. Blocks on disk.

    `device_report` lists the devices for the heartbeat; `device_events` (the device
    manager's `subscribe`) lets a device status change send a heartbeat at once."""
    alert = on_alert or (lambda text: log.error("technician alert: %s", text))
    p = config.platform
    state = Path(config.paths.state_dir)
    state.mkdir(parents=True, exist_ok=True)
    connectivity = connectivity or Connectivity(clock=clock)
    client = PlatformClient(
        ClientSettings(base_url=p.url, terminal_id=config.terminal.id, token=p.token,
                       ca_file=p.ca_file, connect_timeout_s=p.connect_timeout_s,
                       read_timeout_s=p.read_timeout_s),
        observer=connectivity.report)
    outbox = Outbox(state / OUTBOX_DB, load_key(config.outbox.key_file), clock=clock,
                    max_items=config.outbox.max_items,
                    max_age_s=config.outbox.max_age_h * 3600.0, on_alert=alert)
    catalogue_path = state / CATALOGUE_DB
    first = CatalogStore(open_database(catalogue_path))  # migrate now, not in a worker
    held_version = first.version
    first.close()
    sync = CatalogueSync(client, store_at(catalogue_path), clock=clock)
    started_at = clock()
    version_seen = [held_version]

    def on_synced() -> Any:
        result = sync.sync_once()
        changed = result.to_version != version_seen[0]
        version_seen[0] = result.to_version
        if changed:
            link.heartbeat_soon()  # the platform sees the new catalogue version at once
        log.info("catalogue sync: %s %s -> %s, %d services, %.2f s", result.kind,
                 result.from_version or "-", result.to_version, result.services,
                 result.duration_s)
        return result

    def heartbeat() -> dict[str, Any]:
        stats = outbox.stats()
        items = stats.count - stats.by_kind.get(HEARTBEAT, 0)  # not the heartbeat itself
        return build_heartbeat(devices=device_report(), outbox_items=items,
                               oldest_age_s=stats.oldest_age_s if items else 0.0,
                               catalogue_version=version_seen[0], app_version=app_version,
                               started_at=started_at,
                               link_failure=connectivity.status.last_failure,
                               interval_s=p.heartbeat_interval_s, now=clock)

    deliveries = Deliveries()  # answers to delivered items, for flows waiting on them
    link = PlatformLink(outbox, OutboxTransport(client, on_alert=alert,
                                                on_delivered=deliveries.record).send,
                        sync=on_synced, heartbeat=heartbeat, deliveries=deliveries,
                        timings=LinkTimings(heartbeat_interval_s=p.heartbeat_interval_s,
                                            sync_interval_s=p.sync_interval_s),
                        clock=clock)
    connectivity.subscribe(link.on_link_change)
    unsubscribe = None
    if device_events is not None:
        def on_device_event(event: Any) -> None:
            if isinstance(event, StatusChanged):
                link.heartbeat_soon()

        unsubscribe = device_events(on_device_event)
    return PlatformServices(connectivity, client, outbox, link, sync, catalogue_path,
                            unsubscribe)
