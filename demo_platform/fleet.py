"""The district's fleet page: every terminal's latest heartbeat, for district staff.

- ``GET /fleet``: the page (HTML, Chinese, everything served from here: no CDN). Without a
  signed-in staff session it answers 401 with the sign-in form instead.
- ``POST /fleet/login`` (form field ``token``): a district staff token -> a session cookie
  (``fleet_session``: HttpOnly, SameSite=Strict, 8 h) and a redirect to ``/fleet``.
  ``POST /fleet/logout`` ends it.
- ``GET /api/v1/fleet``: the JSON the page polls every `REFRESH_S` seconds; the session
  cookie or ``Authorization: Bearer <staff token>`` (for scripts). Terminal tokens do not
  open it, and staff tokens open nothing else.

Staff tokens are kept as SHA-256 digests in ``district_staff``. The demo token
`DEMO_STAFF_TOKEN` is created in a seeded database that has no staff yet (documented in
docs/platform-api.md; demo only). What a row shows is decided in `fleet_view`.
"""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path
from typing import Annotated, Any, Optional
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from . import models as m
from .errors import ApiError
from .faults import API_PREFIX
from .fleet_view import fleet_snapshot
from .store import Store, now, sha256

DEMO_STAFF_ID = "DS-JS-0001"
DEMO_STAFF_LABEL = "金山区政务服务中心（演示）"
DEMO_STAFF_TOKEN = "demo-district-staff-JS"   # demo only; documented
COOKIE = "fleet_session"
SESSION_S = 8 * 3600
MAX_SESSIONS = 200
REFRESH_S = 3.0
STATIC = Path(__file__).with_name("static")

SCHEMA = """
CREATE TABLE IF NOT EXISTS district_staff (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, token_sha256 TEXT UNIQUE NOT NULL,
    active INTEGER NOT NULL DEFAULT 1);
"""


def install(store: Store, *, seed: bool) -> None:
    """Create the staff table (an older database gains it); with `seed`, add the demo
    staff token when there is no staff yet."""
    with store.lock:
        store.conn.executescript(SCHEMA)
    if seed and store.q1("SELECT 1 FROM district_staff LIMIT 1") is None:
        add_staff(store, DEMO_STAFF_ID, DEMO_STAFF_TOKEN, DEMO_STAFF_LABEL)


def add_staff(store: Store, staff_id: str, token: str, label: str) -> None:
    """Add or replace one district staff token (kept only as its SHA-256)."""
    with store.tx() as c:
        c.execute("INSERT OR REPLACE INTO district_staff(id, label, token_sha256, active) "
                  "VALUES (?, ?, ?, 1)", (staff_id, label, sha256(token)))


def staff_for_token(store: Store, token: str) -> str | None:
    """The active staff id a token belongs to, or None."""
    row = store.q1("SELECT id FROM district_staff WHERE token_sha256 = ? AND active = 1",
                   sha256(token))
    return row["id"] if row is not None else None


class StaffSessions:
    """Signed-in staff, in memory (a platform restart signs everyone out)."""

    def __init__(self, lifetime_s: float = SESSION_S, clock=time.monotonic) -> None:
        self._lifetime, self._clock = lifetime_s, clock
        self._by_id: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def open(self, staff_id: str) -> str:
        session = secrets.token_urlsafe(32)
        with self._lock:
            at = self._clock()
            self._by_id = {k: v for k, v in self._by_id.items() if v[1] > at}
            while len(self._by_id) >= MAX_SESSIONS:
                self._by_id.pop(next(iter(self._by_id)))
            self._by_id[sha256(session)] = (staff_id, at + self._lifetime)
        return session

    def staff(self, session: str | None) -> str | None:
        if not session:
            return None
        with self._lock:
            entry = self._by_id.get(sha256(session))
            if entry is None or entry[1] <= self._clock():
                return None
            return entry[0]

    def close(self, session: str | None) -> None:
        if session:
            with self._lock:
                self._by_id.pop(sha256(session), None)


_bearer = HTTPBearer(auto_error=False, description="A district staff token.")


def _sessions(request: Request) -> StaffSessions:
    return request.app.state.fleet_sessions


def staff_auth(request: Request,
               credentials: Annotated[Optional[HTTPAuthorizationCredentials], Depends(_bearer)],
               ) -> str:
    """The signed-in staff id (session cookie or bearer staff token), else 401."""
    staff = _sessions(request).staff(request.cookies.get(COOKIE))
    if staff is None and credentials is not None:
        staff = staff_for_token(request.app.state.store, credentials.credentials)
    if staff is None:
        raise ApiError(401, "staff_unauthenticated", "请先用区级工作人员令牌登录。",
                       "missing or wrong district staff session or token "
                       "(terminal tokens do not open the fleet)",
                       {"WWW-Authenticate": 'Bearer realm="district-fleet"'})
    return staff


def _page(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _login_page(message: str = "") -> str:
    return _page("fleet_login.html").replace("{{message}}", message)


def fleet_routes(app: FastAPI, *, seed: bool) -> None:
    """Install the staff table and the fleet routes on `app` (one call from create_app)."""
    install(app.state.store, seed=seed)
    app.state.fleet_sessions = StaffSessions()
    router = APIRouter(tags=["district"])

    @router.get("/fleet", response_class=HTMLResponse, include_in_schema=False)
    def fleet_page(request: Request) -> HTMLResponse:
        if _sessions(request).staff(request.cookies.get(COOKIE)) is None:
            return HTMLResponse(_login_page(), status_code=401)
        return HTMLResponse(_page("fleet.html"), headers={"Cache-Control": "no-store"})

    @router.post("/fleet/login", include_in_schema=False)
    async def fleet_login(request: Request) -> Any:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0].strip()
        staff = staff_for_token(request.app.state.store, token) if token else None
        if staff is None:
            return HTMLResponse(_login_page("令牌不正确，请重新输入。"), status_code=401)
        response = RedirectResponse("/fleet", status_code=303)
        response.set_cookie(COOKIE, _sessions(request).open(staff), max_age=SESSION_S,
                            httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")
        return response

    @router.post("/fleet/logout", include_in_schema=False)
    def fleet_logout(request: Request) -> RedirectResponse:
        _sessions(request).close(request.cookies.get(COOKIE))
        response = RedirectResponse("/fleet", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get(API_PREFIX + "/fleet", summary="District staff: every terminal's latest "
                "heartbeat, problems first", responses={401: {"model": m.ErrorResponse}})
    def fleet_json(request: Request, staff: Annotated[str, Depends(staff_auth)]) -> Any:
        store: Store = request.app.state.store
        rows = store.q("SELECT id, name, last_heartbeat_at, last_heartbeat FROM terminals")
        return JSONResponse(fleet_snapshot(rows, store.catalogue_version, now(), REFRESH_S),
                            headers={"Cache-Control": "no-store"})

    app.include_router(router)
