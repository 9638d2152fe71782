"""The terminal heartbeat body (docs/platform-api.md, "Terminal heartbeat").

Built in the outbox worker every `platform.heartbeat_interval_s` and queued as a
non-personal outbox item (only the newest unsent one is kept). Device details are the
drivers' own short texts, which carry no personal data.
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
                    link_failure: str = "", now: Callable[[], float] = time.time
                    ) -> dict[str, Any]:
    at = now()
    version = int(catalogue_version) if catalogue_version.isdigit() else 0
    return {
        "devices": [{"name": d.name, "kind": d.kind, "status": d.status.value,
                     "detail": d.detail or ""} for d in devices],
        "backlog": {"outbox_items": outbox_items, "oldest_age_s": round(oldest_age_s, 1)},
        "catalogue_version": version,
        "app_version": app_version,
        "uptime_s": int(at - started_at),
        "sent_at": datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_link_failure": link_failure,
    }
