"""Catalogue sync: bring the offline catalogue up to the platform's version.

**Worker thread only.** `CatalogueSync.sync_once` blocks on the network (the client's
timeouts, and its retries of a failed call) and on the disk (a full replacement writes the
whole catalogue and its search index). Never call it from the UI thread.

The algorithm, one `sync_once`:

1. Holding a platform version V (an integer): ``GET /catalogue/changes?since=V``.
   - ``version == V`` and nothing listed: **not modified**, `mark_synced`; one round trip.
   - otherwise: `apply_changes` in one transaction; the stored ETag is cleared, because a
     change set carries none and ETags are opaque (never derived from a version).
   - ``409 catalogue_too_old`` / ``catalogue_version_unknown`` (`CatalogueResyncError`),
     or a change set that does not fit the local data (an SQLite integrity error: the
     cache has drifted from the platform): go to 2.
2. Holding nothing, or sent here by 1: ``GET /catalogue``, conditional with
   ``If-None-Match`` when an ETag is held.
   - ``304``: **not modified**, `mark_synced`.
   - ``200``: `replace_all` in one transaction, with the version and the ETag.

Why the change set comes before the conditional GET: both cost one round trip of a few
hundred bytes when nothing changed (an empty change set, or a 304), but when something
did change, the conditional GET returns the whole catalogue (the demo's 160 services:
447 KB of JSON, 15 KB gzipped; a real catalogue with distinct guides compresses far less)
where the change set carries only the changed items (one changed and one deleted service:
3.3 KB; nothing changed: 102 bytes, against a body-less 304). So the
not-modified case costs exactly one round trip either way, and the changed case costs the
least with change sets. The conditional GET stays as the fallback and for a store whose
version is not a platform version.

Every apply is atomic (one store transaction: data, search index, version, ETag and
`last_sync_at` together), so a failed or interrupted sync leaves the previous catalogue
complete, searchable and at its own version. Failures raise the client's typed errors
(`PlatformUnavailableError`, `PlatformRefusedError` and subclasses), `CatalogueFormatError`
for an answer outside the contract, or `StorageError`.

SQLite connections belong to the thread that opened them, so the sync takes a *factory*:
each run opens its own store in the worker thread and closes it at the end. Passing a
store instead is for callers that run every sync on the thread that opened it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from common.errors import StorageError
from kiosk.catalogue_mapping import CatalogueFormatError, changes_from_json, snapshot_from_json
from kiosk.platform_client import PlatformClient, PlatformResponse
from kiosk.platform_errors import CatalogueResyncError
from offline.catalogue import CatalogStore
from offline.db import open_database

log = logging.getLogger(__name__)

SyncKind = Literal["not_modified", "changes", "full"]
StoreSource = CatalogStore | Callable[[], CatalogStore]


@dataclass(frozen=True)
class SyncResult:
    """What one sync did. `from_version` is "" when the store held nothing; `services` is
    the number of services held afterwards; `round_trips` counts the calls made to the
    platform (a call the client retried after a transport failure counts once)."""

    kind: SyncKind
    from_version: str
    to_version: str
    services: int
    duration_s: float
    round_trips: int


def store_at(path: str | Path) -> Callable[[], CatalogStore]:
    """A store factory for `CatalogueSync`: opens the catalogue database at `path`."""
    return lambda: CatalogStore(open_database(path))


class CatalogueSync:
    """Syncs one catalogue store from one platform. Thread-safe: concurrent `sync_once`
    calls run one after the other."""

    def __init__(self, client: PlatformClient, store: StoreSource, *,
                 clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()

    def sync_once(self) -> SyncResult:
        """Run the algorithm of the module docstring once. Blocks on network and disk.

        Raises PlatformUnavailableError, PlatformRefusedError (e.g. TerminalAuthError),
        CatalogueFormatError or StorageError; the catalogue held before stays as it was.
        """
        with self._lock:
            if isinstance(self._store, CatalogStore):
                return _Run(self._client, self._store, self._clock).run()
            store = self._store()
            try:
                return _Run(self._client, store, self._clock).run()
            finally:
                store.close()


class _Run:
    """One sync: the state of a single `sync_once`."""

    def __init__(self, client: PlatformClient, store: CatalogStore,
                 clock: Callable[[], float]) -> None:
        self.client, self.store, self.clock = client, store, clock
        self.started = time.monotonic()
        self.trips = 0
        self.held = store.version

    def run(self) -> SyncResult:
        if self.held.isascii() and self.held.isdigit():
            try:
                return self._changes(int(self.held))
            except CatalogueResyncError as exc:
                log.info("catalogue: no change set from version %s (%s); fetching the full "
                         "catalogue", self.held, exc.code)
            except StorageError as exc:
                if not isinstance(exc.__cause__, sqlite3.IntegrityError):
                    raise
                log.warning("catalogue: change set from version %s does not fit the local "
                            "catalogue (%s); fetching the full catalogue", self.held, exc)
        return self._full()

    def _changes(self, since: int) -> SyncResult:
        self.trips += 1
        changes = changes_from_json(self.client.catalogue_changes(since))
        if changes.from_version != self.held:
            raise CatalogueFormatError("catalogue changes", "since",
                                       f"answered from {changes.from_version}, asked from "
                                       f"{self.held}")
        if changes.to_version == self.held and changes.empty:
            return self._not_modified()
        self.store.apply_changes(changes, synced_at=self.clock(), etag=None)
        return self._result("changes", changes.to_version)

    def _full(self) -> SyncResult:
        self.trips += 1
        etag = self.store.etag if self.held else ""
        response = self.client.catalogue(etag or None)
        if response.not_modified:
            return self._not_modified()
        snapshot = snapshot_from_json(response.body)
        announced = _header(response, "X-Catalogue-Version")
        if announced is not None and announced.strip() != snapshot.version:
            raise CatalogueFormatError("catalogue", "version",
                                       f"body has {snapshot.version}, header "
                                       f"X-Catalogue-Version says {announced}")
        self.store.replace_all(snapshot, synced_at=self.clock(),
                               etag=_header(response, "ETag") or None)
        return self._result("full", snapshot.version)

    def _not_modified(self) -> SyncResult:
        self.store.mark_synced(self.clock())
        return self._result("not_modified", self.held)

    def _result(self, kind: SyncKind, version: str) -> SyncResult:
        result = SyncResult(kind, self.held, version, self.store.counts()["services"],
                            time.monotonic() - self.started, self.trips)
        log.info("catalogue: sync %s %s -> %s, %d services, %d round trip(s), %.2f s",
                 kind, self.held or "(none)", version, result.services, result.round_trips,
                 result.duration_s)
        return result


def _header(response: PlatformResponse, name: str) -> str | None:
    headers: Mapping[str, str] = response.headers
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)
