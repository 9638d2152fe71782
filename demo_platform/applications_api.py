"""The demo platform's application routes: form, pre-check, submission (with
attachments), and the resident's applications with their timelines."""

from __future__ import annotations

import json
import re
import secrets

from fastapi import APIRouter, Request

from . import attachments
from . import models as m
from .agents import link_application
from .app import (E404, E409, E_LICENCE_KINDS, ERRORS, IdemHeader, Resident, Terminal, _age,
                  _application, _check_id, _key, _replayable, _service, _store)
from .catalogue import form_for
from .contacts import application_contact, precheck_phone
from .errors import ApiError
from .store import Store, id_number_valid, iso, now


def application_routes(router: APIRouter) -> None:
    @router.get("/services/{service_id}/form", response_model=m.FormDefinition,
                tags=["applications"], responses={**ERRORS, **E404, **E409},
                summary="Form definition of an online service")
    def get_form(request: Request, _t: Terminal, service_id: str):
        svc = _service(_store(request), service_id)
        if not svc["online"]:
            raise ApiError(409, "service_not_online", "这个事项需要到窗口办理。",
                           f"{service_id} cannot be applied for online")
        return form_for(svc)

    def _precheck(store: Store, body: m.PrecheckRequest | m.ApplicationRequest,
                  terminal: str) -> dict:
        svc = _service(store, body.service_id)
        idn = body.applicant.id_number.strip().upper()
        id_ok = id_number_valid(idn)
        resident = store.q1("SELECT * FROM residents WHERE id_number = ?", idn) if id_ok else None
        local = idn.startswith(("3101", "3102"))
        conditions = []
        for text in svc["conditions"]:
            if "60周岁" in text:
                ok = id_ok and _age(idn) >= 60
                reason = "年龄符合" if ok else "申请人未满60周岁"
            elif "跨省通办" in text:
                ok = id_ok and (local or idn.startswith("330482"))
                reason = "金山或平湖户籍，可跨省通办" if ok else "非金山、平湖户籍"
            elif "本区" in text or "常住户口" in text:
                ok = id_ok and (local or (svc["cross_province"] and idn.startswith("330482")))
                reason = "户籍信息符合" if ok else "户籍信息与条件不符，请到窗口咨询"
            else:
                ok, reason = True, "由受理窗口核实"
            conditions.append({"item": text, "ok": ok, "reason": reason})
        licence_titles = set()
        if resident is not None:
            for r in store.q("SELECT kind FROM licences WHERE id_number = ?", idn):
                if r["kind"] in E_LICENCE_KINDS:
                    licence_titles.add(E_LICENCE_KINDS[r["kind"]])
        provided = set(body.materials_provided)
        materials = []
        for mat in svc["materials"]:
            name = mat["name"]
            if name in provided:
                materials.append({"item": name, "ok": True, "reason": "已提供"})
            elif any(name.startswith(t) for t in licence_titles):
                materials.append({"item": name, "ok": True, "reason": "已调取电子证照，免于提交"})
            else:
                materials.append({"item": name, "ok": False, "reason": "尚未提供，请准备原件"})
        fields = [{"item": "身份证号码", "ok": id_ok,
                   "reason": "格式正确" if id_ok else "身份证号码校验未通过"}]
        if svc["online"]:
            for f in form_for(svc)["fields"]:
                if f["name"] in ("applicant_name", "id_number") or not f["required"]:
                    continue
                value = body.answers.get(f["name"], "").strip()
                ok = bool(value) and (f["type"] != "phone" or bool(re.fullmatch(r"1[3-9]\d{9}", value)))
                reason = "已填写" if ok else ("请填写" if not value else "格式不正确")
                if f["type"] == "phone" and not value:  # the registered number, or none
                    ok, reason = precheck_phone(store, terminal, body, idn)
                fields.append({"item": f["label"], "ok": ok, "reason": reason})
        ready = all(i["ok"] for i in conditions + materials + fields)
        return {"service_id": svc["id"], "ready": ready, "conditions": conditions,
                "materials": materials, "fields": fields}

    @router.post("/applications/precheck", response_model=m.PrecheckResult, tags=["applications"],
                 responses={**ERRORS, **E404}, summary="Pre-check conditions and materials")
    def precheck(request: Request, _t: Terminal, body: m.PrecheckRequest):
        return _precheck(_store(request), body, _t)

    @router.post("/applications", response_model=m.Application, status_code=201,
                 tags=["applications"], responses={**ERRORS, **E404, **E409},
                 summary="Submit an application (Idempotency-Key required, deduplicated)")
    def submit(request: Request, terminal: Terminal, body: m.ApplicationRequest,
               idempotency_key: IdemHeader = None):
        key = _key(idempotency_key, required=True)
        store = _store(request)

        def create(c):
            # Checked only for a new key: a replay answers as the first time, even if the
            # catalogue has changed since.
            svc = _service(store, body.service_id)
            if not svc["online"]:
                raise ApiError(409, "service_not_online", "这个事项需要到窗口办理。",
                               f"{body.service_id} cannot be applied for online")
            idn = _check_id(body.applicant.id_number)
            photos = attachments.decode(body.attachments)
            aid = "APP-" + secrets.token_hex(8).upper()
            seq = c.execute("SELECT COUNT(*) FROM applications").fetchone()[0] + 1
            number = f"JS{now().year}{seq:06d}"
            at = iso(now())
            stored = {**body.model_dump(exclude={"attachments", "assisted_by"}),
                      "attachments": attachments.summary(photos)}
            if body.assisted_by is not None:  # 村居代办: both identities (the token is not kept)
                stored["assisted_by"] = link_application(c, terminal, body.assisted_by, aid,
                                                          body.submitted_on_terminal_at)
            # How to reach the applicant; a phone_ref becomes the registered number here.
            stored["contact"] = application_contact(store, terminal, body, idn)
            stored.pop("phone_ref", None)
            c.execute("INSERT INTO applications VALUES (?, ?, ?, ?, ?, ?, 'submitted', ?)",
                      (aid, number, terminal, idn, svc["id"],
                       json.dumps(stored, ensure_ascii=False), at))
            attachments.save(c, aid, photos)
            how = "由村居代办员协助提交" if body.assisted_by is not None else "提交"
            for status, title, note in [("submitted", "已提交", f"自助终端 {terminal} {how}"),
                                        ("received", "已接收", f"{svc['department']}已接收，等待受理")]:
                c.execute("INSERT INTO application_events(application_id, at, status, title, note) "
                          "VALUES (?, ?, ?, ?, ?)", (aid, at, status, title, note))
            row = c.execute("SELECT * FROM applications WHERE id = ?", (aid,)).fetchone()
            return 201, _application(store, row)

        return _replayable(store, terminal, key, "applications.submit", body.model_dump(), create)

    @router.get("/applications", response_model=list[m.Application], tags=["applications"],
                responses=ERRORS, summary="The resident's applications")
    def list_applications(request: Request, resident: Resident):
        store = _store(request)
        return [_application(store, r) for r in store.q(
            "SELECT * FROM applications WHERE id_number = ? ORDER BY submitted_at DESC", resident)]

    @router.get("/applications/{application_id}", response_model=m.Application,
                tags=["applications"], responses={**ERRORS, **E404},
                summary="One application with its progress timeline")
    def get_application(request: Request, resident: Resident, application_id: str):
        store = _store(request)
        row = store.q1("SELECT * FROM applications WHERE (id = ? OR number = ?) AND id_number = ?",
                       application_id, application_id, resident)
        if row is None:
            raise ApiError(404, "application_not_found", "没有找到这笔办件。",
                           f"no application {application_id!r} for this resident")
        return _application(store, row)
