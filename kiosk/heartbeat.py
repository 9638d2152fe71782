"""The terminal heartbeat body (docs/platform-api.md, "Terminal heartbeat").

Built in the outbox worker every `platform.heartbeat_interval_s` and queued as a
non-personal outbox item (only the newest unsent one is kept). A device status change
(e.g. the printer going from online to userError "paper end") queues one at once, at most
one every 2 s (`LinkTimings.heartbeat_min_gap_s`), so the district's fleet page shows
it within seconds; so does a new catalogue version after a sync. A change of a device's
detail alone (same status) goes with the next periodic one. Device
details are the drivers' own short texts, which carry no personal data.

The body also says how often the terminal sends (`heartbeat_interval_s`), so the platform
can tell a terminal that has gone silent (demo_platform/fleet.py: 离线 after three
periods). `backlog` counts what residents and flows queued, not the heartbeat itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any, Protocol


class _Report(Protocol):
    name: str
    kind: str
    detail: str

    @property
    def status(self) -> Any: ...


def build_heartbeat(*, devices: Sequence[_Report], outbox_items: int, oldest_age_s: float,
                    catalogue_version: str, app_version: str, started_at: float,
                    link_failure: str = "", interval_s: float | None = None,
                    now: Callable[[], float] = time.time) -> dict[str, Any]:
    """The heartbeat body (docs/platform-api.md); `interval_s` is the heartbeat period."""
    at = now()
    version = int(catalogue_version) if catalogue_version.isdigit() else 0
    body: dict[str, Any] = {
        "devices": [{"name": d.name, "kind": d.kind, "status": d.status.value,
                     "detail": d.detail or ""} for d in devices],
        "backlog": {"outbox_items": outbox_items, "oldest_age_s": round(oldest_age_s, 1)},
        "catalogue_version": version,
        "app_version": app_version,
        "uptime_s": int(at - started_at),
        "sent_at": datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_link_failure": link_failure,
    }
    if interval_s is not None:
        body["heartbeat_interval_s"] = interval_s
    return body
