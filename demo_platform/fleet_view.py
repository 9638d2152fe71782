"""What the district's fleet page shows, built from each terminal's latest heartbeat.

Pure functions over the stored heartbeat (no HTTP, no database), so the rules are tested on
their own: when a terminal counts as 离线, how a device status reads in Chinese (缺纸,
纸仓盖打开, 未连接 ...), what is a problem and how terminals are sorted (problems first).

Only whitelisted fields leave here: device names, kinds, statuses and the drivers' short
details, backlog counts, versions and uptime. A heartbeat carries no personal data, and
anything extra a terminal sends is not passed on.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable, Mapping

DEFAULT_INTERVAL_S = 60.0      # a heartbeat that does not say its period
OFFLINE_AFTER_PERIODS = 3      # silent for longer than this many periods: 离线
BACKLOG_WARN_S = 600.0         # an outbox item older than this: 积压

# Severity, most urgent first; also the sort order of the page.
OFFLINE, ERROR, WARNING, OK = "offline", "error", "warning", "ok"
RANK = {OFFLINE: 0, ERROR: 1, WARNING: 2, OK: 3}
STATE_LABEL = {OFFLINE: "离线", ERROR: "故障", WARNING: "注意", OK: "正常"}

KIND_LABEL = {"card_reader": "身份证阅读器", "scanner": "扫码器", "camera": "摄像头",
              "printer": "打印机", "speaker": "语音播报"}
STATUS_LABEL = {"online": "正常", "busy": "使用中", "offline": "暂不可用",
                "noDevice": "未连接", "hardwareError": "硬件故障", "userError": "需现场处理"}
USABLE = ("online", "busy")
# The drivers' details (hardware/printer/status.py, device_status) in plain Chinese.
DETAIL_LABEL = {"paper end": "缺纸", "cover open": "纸仓盖打开", "cutter error": "切刀故障",
                "unrecoverable error": "不可恢复的故障", "paper near end": "纸将用完",
                "printer offline": "打印机脱机", "closed": "未打开",
                "recoverable error": "可恢复的故障（等待打印机）"}


def parse_time(text: str | None) -> dt.datetime | None:
    """An ISO time as stored ("...Z"); None for none or an unreadable one."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _detail_labels(detail: str) -> list[str]:
    labels = []
    for part in (p.strip() for p in detail.split(";")):
        if part.startswith("status unknown"):
            labels.append("状态未知")
        elif part in DETAIL_LABEL:
            labels.append(DETAIL_LABEL[part])
    return labels


def describe_device(device: Mapping[str, Any]) -> dict[str, Any]:
    """One device of a heartbeat as the page shows it: labels, problem text, severity."""
    kind = str(device.get("kind", ""))
    status = str(device.get("status", ""))
    detail = str(device.get("detail", "") or "")[:200]
    labels = _detail_labels(detail)
    if status in USABLE:
        severity = WARNING if labels else OK   # e.g. 纸将用完 while still printing
        problem = "、".join(labels)
    else:
        severity = ERROR
        problem = "、".join(labels) or STATUS_LABEL.get(status, "状态未知")
    return {"name": str(device.get("name", ""))[:40], "kind": kind,
            "kind_label": KIND_LABEL.get(kind, kind or "设备"), "status": status,
            "status_label": STATUS_LABEL.get(status, "状态未知"), "problem": problem,
            "detail": detail, "severity": severity}


def _number(value: Any, default: float = 0.0) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else default


def describe_terminal(terminal_id: str, name: str, last_at: str | None,
                      heartbeat: Mapping[str, Any] | None, platform_version: int,
                      now: dt.datetime) -> dict[str, Any]:
    """One terminal's row: its latest heartbeat, age, problems and overall state."""
    hb = heartbeat or {}
    at = parse_time(last_at)
    age = max(0.0, (now - at).total_seconds()) if at is not None else None
    interval = _number(hb.get("heartbeat_interval_s"), DEFAULT_INTERVAL_S) or DEFAULT_INTERVAL_S
    devices = [describe_device(d) for d in hb.get("devices", []) if isinstance(d, Mapping)]
    backlog = hb.get("backlog") if isinstance(hb.get("backlog"), Mapping) else {}
    items = int(_number(backlog.get("outbox_items")))
    oldest = round(_number(backlog.get("oldest_age_s")), 1)
    version = int(_number(hb.get("catalogue_version"))) if hb else None
    stale = version is not None and version < platform_version
    offline = age is None or age > OFFLINE_AFTER_PERIODS * interval

    problems: list[str] = []
    if age is None:
        problems.append("从未上报心跳")
    elif offline:
        problems.append(f"已超过 {OFFLINE_AFTER_PERIODS} 个心跳周期没有消息")
    problems += [f"{d['kind_label']}{d['problem']}" for d in devices if d["problem"]]
    backlog_warn = items > 0 and oldest > BACKLOG_WARN_S
    if backlog_warn:
        problems.append(f"待发送积压 {items} 条")
    if stale:
        problems.append("服务目录待更新")

    if offline:
        state = OFFLINE
    elif any(d["severity"] == ERROR for d in devices):
        state = ERROR
    elif backlog_warn or stale or any(d["severity"] == WARNING for d in devices):
        state = WARNING
    else:
        state = OK
    return {
        "id": terminal_id, "name": name,
        "state": state, "state_label": STATE_LABEL[state], "offline": offline,
        "problems": problems,
        "last_heartbeat_at": last_at, "heartbeat_age_s": None if age is None else round(age),
        "heartbeat_interval_s": interval,
        "devices": devices,
        "backlog": {"outbox_items": items, "oldest_age_s": oldest, "warning": backlog_warn},
        "catalogue_version": version, "catalogue_stale": stale,
        "app_version": str(hb.get("app_version", ""))[:40] if hb else None,
        "uptime_s": int(_number(hb.get("uptime_s"))) if hb else None,
        "sent_at": hb.get("sent_at") if isinstance(hb.get("sent_at"), str) else None,
    }


def fleet_snapshot(rows: Iterable[Mapping[str, Any]], platform_version: int,
                   now: dt.datetime, refresh_s: float) -> dict[str, Any]:
    """The whole page: every terminal (rows of the terminals table), problems first."""
    terminals = []
    for row in rows:
        try:
            heartbeat = json.loads(row["last_heartbeat"]) if row["last_heartbeat"] else None
        except ValueError:
            heartbeat = None
        terminals.append(describe_terminal(row["id"], row["name"], row["last_heartbeat_at"],
                                           heartbeat if isinstance(heartbeat, dict) else None,
                                           platform_version, now))
    terminals.sort(key=lambda t: (RANK[t["state"]], t["id"]))
    counts = {state: sum(1 for t in terminals if t["state"] == state) for state in RANK}
    return {"generated_at": now.isoformat().replace("+00:00", "Z"),
            "catalogue_version": platform_version, "refresh_s": refresh_s,
            "offline_after_periods": OFFLINE_AFTER_PERIODS,
            "counts": {"total": len(terminals), **counts}, "terminals": terminals}
