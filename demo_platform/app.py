"""The demonstration platform's HTTP API (FastAPI), version prefix ``/api/v1``."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from pathlib import Path
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from . import __version__
from . import attachments
from . import models as m
from .errors import ApiError, install_error_handlers
from .faults import API_PREFIX, OPENAPI_PATH, Faults, FaultState, apply_faults
from .store import (SESSION_MINUTES, Store, id_number_valid, iso,
                    mask_id, mask_name, now)

KEY_RE = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")
ERRORS = {401: {"model": m.ErrorResponse}, 422: {"model": m.ErrorResponse},
          500: {"model": m.ErrorResponse}, 503: {"model": m.ErrorResponse}}
E404 = {404: {"model": m.ErrorResponse}}
E409 = {409: {"model": m.ErrorResponse}}
KINDS = {"category": "categories", "service": "services", "map_point": "map_points",
         "help_answer": "help_answers"}
E_LICENCE_KINDS = {"ID": "居民身份证", "HK": "居民户口簿", "SSC": "社会保障卡"}


class PlatformApp(FastAPI):
    """FastAPI with the fault layer outermost, so faults act on the raw connection."""

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[override]
        await apply_faults(self.state.faults, scope, receive, send, super().__call__)


# -- dependencies -----------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="The terminal's token.")


def _store(request: Request) -> Store:
    return request.app.state.store


def terminal_auth(request: Request,
                  credentials: Annotated[Optional[HTTPAuthorizationCredentials], Depends(_bearer)],
                  x_terminal_id: Annotated[Optional[str], Header(description="Terminal id, e.g. DEMO-JS-0001")] = None,
                  ) -> str:
    challenge = {"WWW-Authenticate": 'Bearer realm="village-kiosk-platform"'}
    if credentials is None or not x_terminal_id:
        raise ApiError(401, "unauthenticated", "终端未登记，暂时无法连接政务服务平台。",
                       "missing 'Authorization: Bearer <token>' or 'X-Terminal-Id' header",
                       challenge)
    if not _store(request).terminal_token_ok(x_terminal_id, credentials.credentials):
        raise ApiError(401, "invalid_token", "终端未登记，暂时无法连接政务服务平台。",
                       f"unknown terminal or wrong token for terminal {x_terminal_id!r}", challenge)
    return x_terminal_id


Terminal = Annotated[str, Depends(terminal_auth)]


def resident_auth(request: Request, terminal: Terminal,
                  x_resident_token: Annotated[Optional[str], Header(description="From /identity/verify")] = None,
                  ) -> str:
    if not x_resident_token:
        raise ApiError(401, "resident_required", "请先刷身份证或扫码核验身份。",
                       "missing X-Resident-Token header")
    row = _store(request).q1("SELECT id_number, terminal_id, expires_at FROM sessions WHERE token = ?",
                             x_resident_token)
    if row is None or row["terminal_id"] != terminal or row["expires_at"] < iso(now()):
        raise ApiError(401, "resident_session_expired", "身份核验已过期，请重新刷身份证。",
                       "resident token unknown, expired or issued to another terminal")
    return row["id_number"]


Resident = Annotated[str, Depends(resident_auth)]


def _key(value: Optional[str], required: bool) -> Optional[str]:
    if value is None:
        if required:
            raise ApiError(400, "idempotency_key_required", "请求不完整，请稍后再试。",
                           "this endpoint requires an Idempotency-Key header")
        return None
    if not KEY_RE.match(value):
        raise ApiError(400, "idempotency_key_invalid", "请求不完整，请稍后再试。",
                       "Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 . _ : -")
    return value


IdemHeader = Annotated[Optional[str], Header(alias="Idempotency-Key",
                                             description="Client-generated; same key, same result.")]


def _replayable(store: Store, terminal: str, key: Optional[str], endpoint: str,
                request_body: Any, create) -> JSONResponse:
    if key is None:
        with store.tx() as c:
            status, body = create(c)
        return JSONResponse(body, status_code=status)
    try:
        status, body, replayed = store.idempotent(terminal, key, endpoint, request_body, create)
    except KeyError as exc:
        raise ApiError(409, "idempotency_key_reused", "这笔业务已经提交过，请勿重复提交。",
                       str(exc.args[0])) from None
    return JSONResponse(body, status_code=status,
                        headers={"Idempotent-Replayed": "true" if replayed else "false"})


# -- helpers ----------------------------------------------------------------------------

def _service(store: Store, service_id: str) -> dict:
    svc = store.catalogue_item("service", service_id)
    if svc is None:
        raise ApiError(404, "service_not_found", "没有找到这个服务事项。",
                       f"no service {service_id!r} in the current catalogue")
    return svc


def _centre(store: Store, centre_id: str) -> dict:
    point = store.catalogue_item("map_point", centre_id)
    if point is None or point["kind"] != "service_centre":
        raise ApiError(404, "centre_not_found", "没有找到这个服务中心。", f"no centre {centre_id!r}")
    return point


def _age(id_number: str) -> int:
    birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    today = dt.date.today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _check_id(id_number: str) -> str:
    v = id_number.strip().upper()
    if not id_number_valid(v):
        raise ApiError(422, "id_number_invalid", "身份证号码有误，请核对后再试。",
                       "id_number fails the GB 11643 format or check character")
    return v


def _timeline(store: Store, app_id: str) -> list[dict]:
    return [dict(at=r["at"], status=r["status"], title=r["title"], note=r["note"])
            for r in store.q("SELECT at, status, title, note FROM application_events "
                             "WHERE application_id = ? ORDER BY id", app_id)]


def _application(store: Store, row) -> dict:
    svc = store.catalogue_item("service", row["service_id"])
    return {"id": row["id"], "number": row["number"], "service_id": row["service_id"],
            "service_name": svc["name"] if svc else row["service_id"], "status": row["status"],
            "submitted_at": row["submitted_at"], "timeline": _timeline(store, row["id"]),
            "attachments": attachments.received(store.q(
                "SELECT material, size, sha256 FROM application_attachments "
                "WHERE application_id = ? ORDER BY id", row["id"]))}


# -- routes -----------------------------------------------------------------------------

def _routes(router: APIRouter) -> None:  # noqa: C901 - one place listing the whole contract
    from .offline_codes import offline_code_holder, offline_code_routes, remember_session

    @router.get("/catalogue", response_model=m.Catalogue, tags=["catalogue"],
                responses={**ERRORS, 304: {"description": "Not modified (If-None-Match matched)"}},
                summary="Full catalogue snapshot (ETag / If-None-Match)")
    def get_catalogue(request: Request, _t: Terminal,
                      if_none_match: Annotated[Optional[str], Header()] = None) -> Response:
        version, body = request.app.state.snapshot()
        etag = f'"catalogue-v{version}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Catalogue-Version": str(version)}
        if if_none_match:
            tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
            if etag in tags or "*" in tags:
                return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    @router.get("/catalogue/changes", response_model=m.CatalogueChanges, tags=["catalogue"],
                responses={**ERRORS, **E409}, summary="Changes since a catalogue version")
    def get_changes(request: Request, _t: Terminal,
                    since: Annotated[int, Query(ge=0, description="Version the terminal holds")]):
        store = _store(request)
        current = store.catalogue_version
        if since > current:
            raise ApiError(409, "catalogue_version_unknown", "服务目录需要重新下载。",
                           f"version {since} is newer than the platform's {current}; take the full catalogue")
        if since < store.oldest_change_version:
            raise ApiError(409, "catalogue_too_old", "服务目录需要重新下载。",
                           f"changes before version {store.oldest_change_version} are no longer kept; "
                           "take the full catalogue")
        upserts, deletions = store.catalogue_changes(since)
        out: dict[str, Any] = {"since": since, "version": current,
                               "categories": [], "services": [], "map_points": [], "help_answers": [],
                               "deletions": [{"kind": k, "id": i} for k, i in deletions]}
        for kind, item in upserts:
            out[KINDS[kind]].append(item)
        return out

    @router.post("/identity/verify", response_model=m.ResidentProfile, tags=["identity"],
                 responses={**ERRORS, **E404, 403: {"model": m.ErrorResponse}},
                 summary="Card record or scanned code (随申码, offline code) -> resident")
    def verify_identity(request: Request, terminal: Terminal, body: m.IdentityRequest):
        store = _store(request)
        by_offline_code = False
        if body.method == "card":
            idn = _check_id(body.card.id_number)
            row = store.q1("SELECT * FROM residents WHERE id_number = ?", idn)
            if row is not None and row["name"] != body.card.name.strip():
                row = None
        else:
            row = store.q1("SELECT * FROM residents WHERE code_token = ?", body.code_token.strip())
            if row is None:  # a printed offline code? 403 when revoked or expired
                row = offline_code_holder(store, body.code_token.strip())
                by_offline_code = row is not None
        if row is None:
            raise ApiError(404, "resident_not_found", "暂时查不到您的信息，请到窗口咨询。",
                           "no resident matches this card record or code token")
        token = "rt_" + secrets.token_urlsafe(24)
        expires = now() + dt.timedelta(minutes=SESSION_MINUTES)
        with store.tx() as c:
            c.execute("DELETE FROM sessions WHERE expires_at < ?", (iso(now()),))
            c.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                      (token, row["id_number"], terminal, iso(expires)))
            if by_offline_code:
                remember_session(c, token)
        age = _age(row["id_number"])
        return {"resident_token": token, "expires_at": iso(expires),
                "display_name": mask_name(row["name"]), "id_number_masked": mask_id(row["id_number"]),
                "gender": row["gender"], "age": age, "elderly": age >= 60,
                "address_area": row["address"].split("（")[0]}

    @router.get("/licences", response_model=list[m.Licence], tags=["licences"], responses=ERRORS,
                summary="The resident's e-licences")
    def list_licences(request: Request, resident: Resident):
        rows = _store(request).q("SELECT * FROM licences WHERE id_number = ? ORDER BY id", resident)
        return [{"id": r["id"], "kind": r["kind"], "title": r["title"],
                 "number_masked": mask_id(r["number"]), "issuer": r["issuer"],
                 "issued_on": r["issued_on"], "valid_until": r["valid_until"]} for r in rows]

    @router.get("/licences/{licence_id}/printable", response_model=m.PrintableLicence,
                tags=["licences"], responses={**ERRORS, **E404}, summary="Printable content")
    def printable_licence(request: Request, resident: Resident, licence_id: str):
        r = _store(request).q1("SELECT * FROM licences WHERE id = ? AND id_number = ?",
                               licence_id, resident)
        if r is None:
            raise ApiError(404, "licence_not_found", "没有找到这个证照。",
                           f"no licence {licence_id!r} for this resident")
        lines = [{"label": "证照名称", "value": r["title"]},
                 {"label": "证照编号", "value": mask_id(r["number"])}]
        lines += [{"label": k, "value": mask_name(v) if k in ("姓名", "户主", "持证人") else v}
                  for k, v in json.loads(r["fields"]).items()]
        lines += [{"label": "发证机关", "value": r["issuer"]},
                  {"label": "发证日期", "value": r["issued_on"]},
                  {"label": "有效期至", "value": r["valid_until"] or "长期"}]
        code = secrets.token_hex(8).upper()
        return {"licence_id": r["id"], "title": r["title"], "lines": lines,
                "verify_qr": f"https://verify.example.gov.cn/jinshan/{code}",
                "watermark": "仅供办事使用，扫码核验真伪", "generated_at": iso(now())}

    @router.get("/benefits", response_model=list[m.Benefit], tags=["benefits"], responses=ERRORS,
                summary="Benefits the resident qualifies for (免申即享) with status")
    def list_benefits(request: Request, resident: Resident):
        rows = _store(request).q("SELECT * FROM benefits WHERE id_number = ? ORDER BY id", resident)
        return [{"id": r["id"], "name": r["name"], "status": r["status"], "amount": r["amount"],
                 "detail": r["detail"], "proactive": bool(r["proactive"])} for r in rows]

    from .appointments_api import appointment_routes  # imports this module
    from .applications_api import application_routes  # imports this module
    from .contacts import contact_routes, help_record  # imports this module
    from .agents import agent_routes  # imports this module

    appointment_routes(router)
    application_routes(router)
    contact_routes(router)
    agent_routes(router)
    offline_code_routes(router)

    @router.post("/ratings", response_model=m.Receipt, status_code=201, tags=["feedback"],
                 responses={**ERRORS, **E409},
                 summary="Rate a service (1-5; a reason is required for 1 and 2)")
    def rate(request: Request, terminal: Terminal, body: m.RatingRequest,
             idempotency_key: IdemHeader = None):
        key = _key(idempotency_key, required=False)
        store = _store(request)

        def create(c):
            rid = "RAT-" + secrets.token_hex(6).upper()
            at = iso(now())
            c.execute("INSERT INTO ratings VALUES (?, ?, ?, ?)",
                      (rid, terminal, json.dumps(body.model_dump(), ensure_ascii=False), at))
            return 201, {"id": rid, "received_at": at}

        return _replayable(store, terminal, key, "ratings", body.model_dump(), create)

    @router.post("/help-requests", response_model=m.HelpReceipt, status_code=201,
                 tags=["feedback"], responses={**ERRORS, **E409}, summary="Ask for help")
    def help_request(request: Request, terminal: Terminal, body: m.HelpRequest,
                     idempotency_key: IdemHeader = None):
        key = _key(idempotency_key, required=False)
        store = _store(request)

        def create(c):
            hid = "HLP-" + secrets.token_hex(6).upper()
            at = iso(now())
            c.execute("INSERT INTO help_requests VALUES (?, ?, ?, 'open', ?)",
                      (hid, terminal, json.dumps(help_record(store, terminal, body),
                                                 ensure_ascii=False), at))
            return 201, {"id": hid, "received_at": at, "status": "open",
                         "expected_response": "工作人员将在工作时间2小时内与您联系"}

        return _replayable(store, terminal, key, "help_requests", body.model_dump(), create)

    @router.post("/terminals/heartbeat", response_model=m.HeartbeatAck, tags=["terminals"],
                 responses=ERRORS, summary="Terminal heartbeat: devices, backlog, versions, uptime")
    def heartbeat(request: Request, terminal: Terminal, body: m.Heartbeat,
                  idempotency_key: IdemHeader = None):
        _key(idempotency_key, required=False)
        store = _store(request)
        at = store.record_heartbeat(terminal, body.model_dump())
        current = store.catalogue_version
        return {"received_at": at, "catalogue_version": current,
                "catalogue_stale": body.catalogue_version < current}


def create_app(db_path: str | Path, faults: Faults | dict | None = None, *,
               faults_enabled: bool = False, seed: bool = True) -> PlatformApp:
    """Build the platform app over the SQLite database at ``db_path`` (created if missing).

    ``faults`` sets the fault switches from the start; ``faults_enabled`` also exposes
    ``GET/POST/DELETE /__faults`` to change them over HTTP.
    """
    if isinstance(faults, dict):
        faults = Faults.from_dict(faults)
    app = PlatformApp(title="村居政务服务平台 API（演示平台）", version=__version__,
                      description="The contract a district platform implements for the village "
                                  "self-service kiosks. See docs/platform-api.md.",
                      openapi_url=OPENAPI_PATH, docs_url=API_PREFIX + "/docs", redoc_url=None)
    app.state.store = Store(str(db_path), seed=seed)
    app.state.faults = FaultState(faults)
    app.state.faults_enabled = faults_enabled
    _cache: dict[str, Any] = {}

    def snapshot() -> tuple[int, bytes]:
        store: Store = app.state.store
        with store.lock:
            version = store.catalogue_version
            if _cache.get("version") != version:
                body = {"version": version, "updated_at": store.meta("catalogue_updated_at") or "",
                        **{plural: store.catalogue_items(kind) for kind, plural in KINDS.items()}}
                _cache["body"] = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
                _cache["version"] = version
            return _cache["version"], _cache["body"]

    app.state.snapshot = snapshot
    app.add_middleware(GZipMiddleware, minimum_size=4096)
    install_error_handlers(app)
    router = APIRouter(prefix=API_PREFIX)
    _routes(router)
    app.include_router(router)
    from .fleet import fleet_routes  # the district's fleet page: /fleet, /api/v1/fleet
    fleet_routes(app, seed=seed)

    @app.get(API_PREFIX + "/health", tags=["terminals"], summary="Liveness (no authentication)")
    def health() -> dict:
        return {"status": "ok", "catalogue_version": app.state.store.catalogue_version}

    if faults_enabled:
        @app.get("/__faults", response_model=m.FaultSettings, include_in_schema=False)
        def get_faults() -> dict:
            return app.state.faults.get().as_dict()

        @app.post("/__faults", response_model=m.FaultSettings, include_in_schema=False)
        def set_faults(body: m.FaultSettings) -> dict:
            try:
                app.state.faults.set(Faults.from_dict(body.model_dump()))
            except ValueError as exc:
                raise ApiError(422, "validation_failed", "参数有误。", str(exc)) from None
            return app.state.faults.get().as_dict()

        @app.delete("/__faults", response_model=m.FaultSettings, include_in_schema=False)
        def clear_faults() -> dict:
            app.state.faults.clear()
            return app.state.faults.get().as_dict()

    return app
