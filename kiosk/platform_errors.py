"""Typed errors of the platform client, one per way a call can end badly.

The split follows docs/platform-api.md ("What the kiosk does with each class"):
`PlatformUnavailableError` means the line or the platform failed (retry later, counts
towards offline); `PlatformRefusedError` means the platform answered and said no (do not
retry the same request; show `message` to the resident, log `detail`).
"""

from __future__ import annotations

from common.errors import PlatformError

# Shown when the platform's own message is missing (a proxy's 4xx page, say).
FALLBACK_MESSAGE = "暂时无法办理，请稍后再试，或点击“帮办”请工作人员协助。"
UNAVAILABLE_MESSAGE = "网络暂时不通，请稍后再试。已保存的内容不会丢失。"


class PlatformUnavailableError(PlatformError):
    """No usable answer: connection refused/reset/dropped, DNS or TLS failure, timeout,
    5xx, or a 2xx body that is not valid JSON. `reason` is a short technician text."""

    message = UNAVAILABLE_MESSAGE

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        self.reason = reason
        self.status = status
        super().__init__(reason)


class PlatformRefusedError(PlatformError):
    """The platform answered 4xx in the error shape. `message` is one calm Chinese sentence
    for the resident; `detail` is for the technician log and carries no personal data."""

    def __init__(self, status: int, code: str, message: str, detail: str = "") -> None:
        self.status = status
        self.code = code
        self.message = message or FALLBACK_MESSAGE
        self.detail = detail
        super().__init__(f"{status} {code}: {detail or self.message}")


class TerminalAuthError(PlatformRefusedError):
    """401 unauthenticated / invalid_token: this terminal's id or token is wrong."""


class ResidentSessionError(PlatformRefusedError):
    """401 resident_required / resident_session_expired: identify the resident again."""


class CatalogueResyncError(PlatformRefusedError):
    """409 catalogue_too_old / catalogue_version_unknown: fetch the full catalogue."""


_BY_CODE: dict[str, type[PlatformRefusedError]] = {
    "unauthenticated": TerminalAuthError,
    "invalid_token": TerminalAuthError,
    "resident_required": ResidentSessionError,
    "resident_session_expired": ResidentSessionError,
    "catalogue_too_old": CatalogueResyncError,
    "catalogue_version_unknown": CatalogueResyncError,
}


def refused(status: int, code: str, message: str, detail: str) -> PlatformRefusedError:
    """The most specific PlatformRefusedError for `code`."""
    return _BY_CODE.get(code, PlatformRefusedError)(status, code, message, detail)
