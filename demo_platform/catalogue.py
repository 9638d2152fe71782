"""Builds the catalogue (categories, services with full guides, map points, help answers)
from the data tables in ``seed_data``."""

from __future__ import annotations

from typing import Any

from . import seed_data as sd

FORM_COMMON = [
    {"name": "phone", "label": "联系电话", "type": "phone", "required": True},
    {"name": "delivery", "label": "取件方式", "type": "choice", "required": True,
     "choices": ["窗口领取", "邮寄到家"]},
]


# The applicant's particulars most district forms ask for besides name and number (the
# card carries them, so a terminal fills them in). Optional: the pre-check does not ask.
FORM_APPLICANT = [
    {"name": "gender", "label": "性别", "type": "choice", "required": False,
     "choices": ["男", "女"]},
    {"name": "nation", "label": "民族", "type": "text", "required": False},
    {"name": "birth_date", "label": "出生日期", "type": "text", "required": False},
    {"name": "address", "label": "户籍地址", "type": "text", "required": False},
    {"name": "id_valid_until", "label": "身份证有效期至", "type": "text", "required": False},
]


def _time_limit(days: int) -> str:
    return "即办" if days == 0 else f"{days}个工作日"


def _where(code: str, flags: str, cross: bool) -> list[dict[str, Any]]:
    centres = sd.CENTRES[:1] if "D" in flags else sd.CENTRES
    out = [{"centre_id": c[0], "name": c[1], "address": c[2], "phone": c[5], "hours": c[6]}
           for c in centres]
    if cross:
        name, address, hours = sd.PINGHU_CENTRE
        out.append({"centre_id": "PINGHU", "name": name, "address": address, "phone": "",
                    "hours": hours})
    return out


def build_services() -> list[dict[str, Any]]:
    services = []
    for code, cat_name, _icon, dept, base_conditions, base_materials, rows in sd.CATEGORIES:
        for n, row in enumerate(rows, start=1):
            parts = (row.split("|") + ["", "", "", "", ""])[:5]
            name, days_s, flags, extra, fee = parts
            days = int(days_s)
            online = "O" in flags
            cross = "X" in flags
            sid = f"JS-{code}-{n:03d}"
            materials = [{"name": m, "original": True, "copies": 1, "note": ""}
                         for m in base_materials]
            materials += [{"name": m, "original": True, "copies": 1, "note": ""}
                          for m in extra.split(";") if m]
            conditions = list(base_conditions)
            if cross:
                conditions.append("跨省通办：金山区与浙江省平湖市居民可在任一地窗口办理")
            services.append({
                "id": sid,
                "category_id": f"CAT-{code}",
                "name": name,
                "summary": f"{name}。{sd.SUMMARY_TAIL[code]}",
                "department": dept,
                "conditions": conditions,
                "materials": materials,
                "fee": fee or "免费",
                "time_limit": _time_limit(days),
                "time_limit_days": days,
                "where": _where(code, flags, cross),
                "online": online,
                "cross_province": cross,
                "guide_video_url": f"{sd.GUIDE_VIDEO_BASE}{sid}.mp4" if "V" in flags else None,
                "keywords": [cat_name],
            })
    return services


def build_catalogue() -> list[tuple[str, dict[str, Any]]]:
    items: list[tuple[str, dict[str, Any]]] = []
    for sort, (code, name, icon, dept, *_rest) in enumerate(sd.CATEGORIES, start=1):
        items.append(("category", {"id": f"CAT-{code}", "name": name, "icon": icon,
                                   "department": dept, "sort": sort}))
    items += [("service", s) for s in build_services()]
    for cid, name, address, lat, lon, phone, hours in sd.CENTRES:
        items.append(("map_point", {"id": cid, "name": name, "kind": "service_centre",
                                    "address": address, "lat": lat, "lon": lon,
                                    "phone": phone, "hours": hours}))
    for pid, name, kind, address, lat, lon, hours in sd.MAP_POINTS_EXTRA:
        items.append(("map_point", {"id": pid, "name": name, "kind": kind, "address": address,
                                    "lat": lat, "lon": lon, "phone": "", "hours": hours}))
    for n, (question, answer, topic) in enumerate(sd.HELP_ANSWERS, start=1):
        items.append(("help_answer", {"id": f"HELP-{n:03d}", "question": question,
                                      "answer": answer, "topic": topic}))
    return items


def form_for(service: dict[str, Any]) -> dict[str, Any]:
    """Form definition for an online service: fields plus the materials to upload or present."""
    fields = [
        {"name": "applicant_name", "label": "申请人姓名", "type": "text", "required": True},
        {"name": "id_number", "label": "身份证号码", "type": "id_number", "required": True},
    ]
    fields += [dict(f) for f in FORM_APPLICANT]
    fields += [dict(f) for f in FORM_COMMON]
    if service["category_id"] in ("CAT-SB", "CAT-YL", "CAT-CJ", "CAT-MZ", "CAT-GJJ"):
        fields.append({"name": "bank_account", "label": "收款银行账户", "type": "text",
                       "required": False})
    fields.append({"name": "remark", "label": "补充说明", "type": "textarea", "required": False})
    return {"service_id": service["id"], "title": f"{service['name']}申请表",
            "fields": fields, "materials": [m["name"] for m in service["materials"]]}
