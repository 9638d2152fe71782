"""HTTP client for the district platform (docs/platform-api.md), on `requests`.

Every call blocks on the network for at most its timeouts times its attempts: call it from
a worker thread, never from the UI thread. Each call has explicit connect and read
timeouts; TLS certificates are verified (system CAs or the configured CA bundle; there is
no switch to turn verification off). Only idempotent calls are retried (GET, and POST with
an ``Idempotency-Key`` or marked idempotent by the contract, e.g. a cancel), with
exponential backoff and jitter, and only on `PlatformUnavailableError`.

Errors: `PlatformUnavailableError` (transport, timeout, 5xx, body not JSON) and
`PlatformRefusedError` and its subclasses (4xx in the contract's error shape). The
`observer` hears the outcome of every call (after its retries): `True` when the platform
answered (even with a 4xx), `False` when it was unavailable; kiosk.connectivity derives
the online/offline state from it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from kiosk import platform_errors as pe

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
USER_AGENT = "village-kiosk/0.1"


@dataclass(frozen=True)
class ClientSettings:
    """Where the platform is and how patient to be with it."""

    base_url: str                   # e.g. https://platform.example.gov.cn (no /api/v1)
    terminal_id: str
    token: str = field(repr=False)
    ca_file: str = ""               # "" = the system's CA store
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 10.0
    catalogue_timeout_s: float = 60.0  # a full catalogue can be a few MB on a slow line
    retries: int = 2                # extra attempts for idempotent calls
    backoff_s: float = 0.5          # first retry delay; doubles, +/- 25 % jitter


@dataclass(frozen=True)
class PlatformResponse:
    status: int
    headers: Mapping[str, str]  # case-insensitive
    body: Any  # parsed JSON, or None for 304

    @property
    def not_modified(self) -> bool:
        return self.status == 304


Observer = Callable[[bool, str], None]


class PlatformClient:
    """One terminal's connection to the platform. Thread-safe: each thread gets its own
    `requests.Session` (connection pool), so a sync and an outbox flush may run at once."""

    def __init__(self, settings: ClientSettings, *, observer: Observer | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rand: Callable[[], float] = random.random) -> None:
        check_base_url(settings.base_url)
        self.settings = settings
        self._observer = observer
        self._sleep, self._rand = sleep, rand
        self._local = threading.local()
        self._root = settings.base_url.rstrip("/") + API_PREFIX

    # --- the contract's calls -------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self.request("GET", "/health", auth=False).body

    def catalogue(self, etag: str | None) -> PlatformResponse:
        """Full snapshot, or 304 (body None) when `etag` still matches."""
        headers = {"If-None-Match": etag} if etag else {}
        return self.request("GET", "/catalogue", headers=headers,
                            read_timeout_s=self.settings.catalogue_timeout_s)

    def catalogue_changes(self, since: int) -> dict[str, Any]:
        """Raises CatalogueResyncError when the platform cannot answer from `since`."""
        return self.request("GET", "/catalogue/changes", params={"since": since},
                            read_timeout_s=self.settings.catalogue_timeout_s).body

    def verify_card(self, card: Mapping[str, Any]) -> dict[str, Any]:
        """Card record -> resident profile with `resident_token`. Retried like a read: a
        repeated verify only issues another short-lived token."""
        return self.request("POST", "/identity/verify", json={"method": "card", "card": card},
                            idempotent=True).body

    def verify_code(self, code_token: str) -> dict[str, Any]:
        return self.request("POST", "/identity/verify",
                            json={"method": "code", "code_token": code_token},
                            idempotent=True).body

    def get(self, path: str, *, resident_token: str | None = None,
            params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, resident_token=resident_token, params=params).body

    def post(self, path: str, body: Mapping[str, Any], *, idempotency_key: str | None = None,
             resident_token: str | None = None, idempotent: bool = False) -> PlatformResponse:
        return self.request("POST", path, json=body, idempotency_key=idempotency_key,
                            resident_token=resident_token, idempotent=idempotent)

    # --- the one request path -------------------------------------------------------------
    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None,
                idempotency_key: str | None = None, resident_token: str | None = None,
                idempotent: bool = False, auth: bool = True,
                read_timeout_s: float | None = None) -> PlatformResponse:
        """Send one call (and its retries when idempotent). Blocks. Raises
        PlatformUnavailableError or PlatformRefusedError (subclass by error code)."""
        hdrs = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
        if auth:
            hdrs["Authorization"] = f"Bearer {self.settings.token}"
            hdrs["X-Terminal-Id"] = self.settings.terminal_id
        if idempotency_key:
            hdrs["Idempotency-Key"] = idempotency_key
        if resident_token:
            hdrs["X-Resident-Token"] = resident_token
        retryable = method == "GET" or idempotent or idempotency_key is not None
        attempts = 1 + (self.settings.retries if retryable else 0)
        timeout = (self.settings.connect_timeout_s,
                   read_timeout_s if read_timeout_s is not None else self.settings.read_timeout_s)
        delay = self.settings.backoff_s
        for attempt in range(1, attempts + 1):
            try:
                response = self._once(method, path, json, params, hdrs, timeout)
            except pe.PlatformUnavailableError as exc:
                log.info("platform: %s %s attempt %d/%d unavailable: %s",
                         method, path, attempt, attempts, exc.reason)
                if attempt == attempts:
                    self._observe(False, exc.reason)
                    raise
                self._sleep(delay * (0.75 + 0.5 * self._rand()))
                delay *= 2
                continue
            except pe.PlatformRefusedError as exc:
                log.info("platform: %s %s refused: %s", method, path, exc)
                self._observe(True, "")
                raise
            self._observe(True, "")
            return response
        raise AssertionError("unreachable")  # the loop returns or raises

    def _once(self, method: str, path: str, json: Any, params: Mapping[str, Any] | None,
              headers: Mapping[str, str], timeout: tuple[float, float]) -> PlatformResponse:
        try:
            r = self._session().request(method, self._root + path, json=json, params=params,
                                        headers=headers, timeout=timeout,
                                        verify=self.settings.ca_file or True,
                                        allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            raise pe.PlatformUnavailableError(f"TLS failure: {_short(exc)}") from exc
        except requests.exceptions.Timeout as exc:
            raise pe.PlatformUnavailableError(f"timeout after {timeout} s") from exc
        except requests.exceptions.RequestException as exc:
            raise pe.PlatformUnavailableError(f"connection failed: {_short(exc)}") from exc
        if r.status_code == 304:
            return PlatformResponse(304, CaseInsensitiveDict(r.headers), None)
        try:
            body = r.json() if r.content else None
        except ValueError as exc:
            body = exc
        except RecursionError as exc:  # nested deeper than the JSON parser goes: not usable
            body = ValueError(f"JSON nested too deeply: {exc}")
        if r.status_code >= 500:
            raise pe.PlatformUnavailableError(f"HTTP {r.status_code} {_code(body)}",
                                              status=r.status_code)
        if isinstance(body, ValueError):
            raise pe.PlatformUnavailableError(
                f"HTTP {r.status_code} body is not valid JSON ({len(r.content)} bytes)",
                status=r.status_code) from body
        if r.status_code >= 400:
            err = body.get("error") if isinstance(body, dict) else None
            if not isinstance(err, dict):
                raise pe.refused(r.status_code, f"http_{r.status_code}", "",
                                 "error body not in the contract's shape")
            raise pe.refused(r.status_code, str(err.get("code", f"http_{r.status_code}")),
                             str(err.get("message", "")), str(err.get("detail", "")))
        if r.status_code >= 300:
            raise pe.PlatformUnavailableError(f"unexpected HTTP {r.status_code} "
                                              f"(redirects are not followed)",
                                              status=r.status_code)
        return PlatformResponse(r.status_code, CaseInsensitiveDict(r.headers), body)

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
            s.trust_env = False  # a stray HTTPS_PROXY in the kiosk's environment must not apply
        return s

    def _observe(self, reached: bool, reason: str) -> None:
        if self._observer is not None:
            self._observer(reached, reason)

    def close(self) -> None:
        """Close this thread's connection pool (other threads' pools close with them)."""
        s = getattr(self._local, "session", None)
        if s is not None:
            s.close()
            self._local.session = None


def check_base_url(url: str) -> None:
    """Refuse anything but https, except plain http to a loopback address (the demo)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return
    raise ValueError(f"platform URL must be https://host (plain http only to a loopback "
                     f"address), got {url!r}")


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 160 else text[:157] + "..."


def _code(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code", ""))
    return ""
