"""Fault switches: an outermost ASGI layer that misbehaves on purpose, for the kiosk's tests.

Only ``/api/v1/...`` requests are affected (never ``/__faults`` itself, nor the OpenAPI
document). Every switch is visible from a client:

- ``latency_ms``: each request waits this long before it is handled;
- ``error_rate`` (0..1) with ``error_status`` (default 503): a 5xx in the error shape;
- ``timeout_rate`` with ``timeout_s``: the request sleeps ``timeout_s`` (past the client's
  timeout) and then answers normally;
- ``malformed_rate``: 200 with ``application/json`` whose body is not JSON;
- ``truncated_rate``: the real body cut in half; Content-Length matches the cut body, so the
  HTTP exchange completes but the JSON ends abruptly;
- ``drop_rate``: the connection is closed without any response.

Rates are probabilities drawn per request (``seed`` makes the draw reproducible); 1.0 means
every request. ``only_paths`` limits the faults to paths starting with one of the prefixes.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Awaitable, Callable

from .errors import error_body

API_PREFIX = "/api/v1"
OPENAPI_PATH = API_PREFIX + "/openapi.json"


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503
    timeout_rate: float = 0.0
    timeout_s: float = 30.0
    malformed_rate: float = 0.0
    truncated_rate: float = 0.0
    drop_rate: float = 0.0
    only_paths: list[str] = field(default_factory=list)
    seed: int | None = None

    def validate(self) -> None:
        for name in ("error_rate", "timeout_rate", "malformed_rate", "truncated_rate", "drop_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {value}")
        if not 500 <= self.error_status <= 599:
            raise ValueError(f"error_status must be a 5xx status, got {self.error_status}")
        if self.latency_ms < 0 or self.timeout_s < 0:
            raise ValueError("latency_ms and timeout_s must not be negative")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Faults":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault switch(es): {', '.join(sorted(unknown))}")
        faults = cls(**data)
        faults.validate()
        return faults

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultState:
    """The current switches, shared between the ASGI layer and whoever sets them."""

    def __init__(self, faults: Faults | None = None) -> None:
        self._lock = threading.Lock()
        self._faults = faults or Faults()
        self._faults.validate()
        self._random = random.Random(self._faults.seed)
        self.closing = threading.Event()   # set on shutdown: long sleeps end early

    def get(self) -> Faults:
        with self._lock:
            return self._faults

    def set(self, faults: Faults) -> None:
        faults.validate()
        with self._lock:
            self._faults = faults
            self._random = random.Random(faults.seed)

    def clear(self) -> None:
        self.set(Faults())

    def draw(self, rate: float) -> bool:
        if rate <= 0.0:
            return False
        if rate >= 1.0:
            return True
        with self._lock:
            return self._random.random() < rate


Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]],
                   Awaitable[None]]


async def _sleep(state: FaultState, seconds: float) -> None:
    end = asyncio.get_running_loop().time() + seconds
    while not state.closing.is_set():
        left = end - asyncio.get_running_loop().time()
        if left <= 0:
            return
        await asyncio.sleep(min(left, 0.05))


async def apply_faults(state: FaultState, scope: Scope, receive, send, app: ASGIApp) -> None:
    """Run ``app`` for this request with the current fault switches applied."""
    path = scope.get("path", "")
    if scope["type"] != "http" or not path.startswith(API_PREFIX) or path == OPENAPI_PATH:
        await app(scope, receive, send)
        return
    f = state.get()
    if f.only_paths and not any(path.startswith(p) for p in f.only_paths):
        await app(scope, receive, send)
        return

    if f.latency_ms:
        await _sleep(state, f.latency_ms / 1000.0)
    if state.draw(f.drop_rate):
        await _drop(send)
        return
    if state.draw(f.error_rate):
        body = json.dumps(error_body(
            "unavailable", "服务暂时繁忙，请稍后再试。",
            f"fault switch: injected {f.error_status}"), ensure_ascii=False).encode()
        await _send_raw(send, f.error_status, body)
        return
    if state.draw(f.timeout_rate):
        await _sleep(state, f.timeout_s)
    if state.draw(f.malformed_rate):
        await _send_raw(send, 200, b'{"version": 12, "services": [{"id": "JS-HJ-001",, ]')
        return
    if state.draw(f.truncated_rate):
        captured = await _capture(scope, receive, app)
        status, headers, body = captured
        cut = body[: max(1, len(body) // 2)]
        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": cut, "more_body": False})
        return
    await app(scope, receive, send)


async def _send_raw(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _capture(scope: Scope, receive, app: ASGIApp) -> tuple[int, list, bytes]:
    status = 500
    headers: list = []
    chunks: list[bytes] = []

    async def capture_send(message: dict) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture_send)
    return status, headers, b"".join(chunks)


async def _drop(send) -> None:
    """Close the connection without a response.

    uvicorn's per-request ``send`` is a bound method of its request cycle, which holds the
    transport; closing it makes the server skip its own "500 Internal Server Error".
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        # Another server: the nearest thing is a response that starts and never completes.
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"100")]})
        raise ConnectionAbortedError("fault switch: dropped connection")
    transport.close()
    await asyncio.sleep(0.05)   # let connection_lost mark the cycle disconnected
