"""Delivering outbox items to the platform: which endpoint per kind, and what each answer means.

`OutboxTransport.send(item)` is the `send` of `offline.outbox_sender.OutboxSender`. It
POSTs the item's payload with the item's idempotency key and translates the platform's
answer into the sender's two outcomes (docs/platform-api.md, "What the kiosk does with
each class"):

- delivered (2xx, including a replay of an earlier delivery): returns, the item is acked;
- `RetryableSendError`: the line or the platform failed, or this terminal's credentials are
  refused (a technician fixes them; meanwhile everything stays queued);
- `RejectedSendError`: the platform refused the item itself (4xx): it moves to the dead
  letters, kept for the technician, never retried forever and never deleted.

Blocks on the network (the client's timeouts): run it in the outbox worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk import platform_errors as pe
from kiosk.agent_audit import AGENT_AUDIT  # 村居代办 audit events
from kiosk.platform_client import PlatformClient
from offline.outbox import HEARTBEAT, OutboxItem
from offline.outbox_sender import RejectedSendError, RetryableSendError

log = logging.getLogger(__name__)

APPLICATION = "application"
RATING = "rating"
HELP_REQUEST = "help_request"

ENDPOINTS: dict[str, str] = {
    APPLICATION: "/applications",
    RATING: "/ratings",
    HELP_REQUEST: "/help-requests",
    AGENT_AUDIT: "/agent-audit",
    HEARTBEAT: "/terminals/heartbeat",
}


class OutboxTransport:
    """Sends one outbox item. `on_alert(text)` tells the technician (log + maintenance)."""

    def __init__(self, client: PlatformClient, *,
                 on_alert: Callable[[str], None] | None = None,
                 on_delivered: Callable[[OutboxItem, dict], None] | None = None) -> None:
        self._client = client
        self._on_alert = on_alert or (lambda text: log.error("%s", text))
        self._on_delivered = on_delivered

    def send(self, item: OutboxItem) -> None:
        path = ENDPOINTS.get(item.kind)
        if path is None:
            raise RejectedSendError(f"no platform endpoint for outbox kind {item.kind!r}")
        try:
            response = self._client.post(path, dict(item.payload), idempotency_key=item.key)
        except pe.PlatformUnavailableError as exc:
            raise RetryableSendError(exc.reason) from exc
        except pe.TerminalAuthError as exc:
            self._on_alert(f"platform refuses this terminal's credentials ({exc.code}); "
                           "outbox keeps everything until the token is fixed")
            raise RetryableSendError(str(exc)) from exc
        except pe.PlatformRefusedError as exc:
            raise RejectedSendError(f"{exc.status} {exc.code}: {exc.detail}") from exc
        if self._on_delivered is not None:
            self._on_delivered(item, response.body or {})
