"""Bring the platform side up in the background, after the first frame is on screen.

The platform side imports requests, sqlite-utils, cryptography and pypinyin (about 0.6 s
on a small terminal) and opens two databases; none of that is needed to draw the home
screen, so `PlatformBoot.start()` does it all in a thread: wait for the demonstration
platform (demo mode only; started by the caller), build `PlatformServices`, start its
workers.
Until then the link state stays UNKNOWN and the offline catalogue is not offered.

This module imports nothing heavy itself; `run_kiosk.py` uses it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from common.errors import KioskError
from config.schema import KioskConfig
from kiosk.connectivity import Connectivity

log = logging.getLogger(__name__)


class PlatformBoot:
    def __init__(self, config: KioskConfig, connectivity: Connectivity, *, app_version: str,
                 device_report: Callable[[], list[Any]], demo: bool,
                 demo_server: Any = None,
                 device_events: Callable[[Callable[[Any], None]], Any] | None = None
                 ) -> None:
        """`demo_server`: a started kiosk.demo_server.DemoServer (started by the caller on
        the main thread) to wait for before building the platform side. `device_events`:
        the device manager's `subscribe`, so a status change sends a heartbeat at once."""
        self._config, self._connectivity = config, connectivity
        self._app_version, self._device_report, self._demo = app_version, device_report, demo
        self._device_events = device_events
        self._lock = threading.Lock()
        self._stopping = False
        self.services: Any = None       # PlatformServices once built
        self.demo_server: Any = demo_server
        self.error: str = ""
        self.ready = threading.Event()  # set when built (or failed)
        self._thread: threading.Thread | None = None
        self._local = threading.local()

    def start(self) -> None:
        """Return at once; the work runs in the "platform-boot" thread."""
        self._thread = threading.Thread(target=self._run, name="platform-boot", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            if self.demo_server is not None:
                self.demo_server.wait_ready()
            from kiosk.platform_setup import build_platform_services

            services = build_platform_services(self._config, app_version=self._app_version,
                                               device_report=self._device_report,
                                               device_events=self._device_events,
                                               connectivity=self._connectivity)
            with self._lock:
                if self._stopping:
                    services.stop()
                    return
                self.services = services
                services.start()
            log.info("platform link started (%s)", self._config.platform.url)
        except (KioskError, OSError) as exc:
            self.error = str(exc)
            log.critical("platform side not started: %s; the terminal cannot send or sync "
                         "until this is fixed", exc)
        finally:
            self.ready.set()

    # --- providers for the flows (kiosk.context.PlatformAccess) ---------------------------
    def _services(self) -> Any:
        services = self.services
        if services is None:
            from kiosk.platform_errors import PlatformUnavailableError

            raise PlatformUnavailableError(self.error or "the platform link is still starting")
        return services

    def client(self) -> Any:
        return self._services().client

    def submitter(self) -> Any:
        return self._services().link

    def catalogue(self) -> Any:
        """A CatalogStore for the calling thread, opened on its first call there."""
        local = self._local
        store = getattr(local, "store", None)
        if store is None:
            store = local.store = self._services().open_catalogue()
        return store

    def access(self) -> Any:
        from kiosk.context import PlatformAccess

        return PlatformAccess(client=self.client, catalogue=self.catalogue,
                              submitter=self.submitter)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the workers and the demo platform. Blocks up to about `timeout_s`."""
        with self._lock:
            self._stopping = True
            services, server = self.services, self.demo_server
        if services is not None:
            services.stop(timeout_s)
        if server is not None:
            server.stop()
