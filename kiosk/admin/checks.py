"""The doctor's checks as a library: each returns `Check` results (name, level, detail, fix).

`kiosk-admin doctor` prints them; the maintenance screens show the same results. Names are
stable English keys (``config``, ``device.printer``, ``disk.state_dir``, ``outbox.backlog``;
the platform ones are in `kiosk.admin.network`); ``detail`` says what was found and ``fix``
what to do, both Chinese first with the configuration's English key names, one line each.

Levels: OK (nothing to do), WARN (the terminal works; look at it soon), FAIL (a service
or the terminal does not work until it is fixed). Functions here block on disk (and
`check_devices` on the devices for a few seconds); none raises for what it checks: a
problem found is a FAIL result, not an exception.
"""

from __future__ import annotations

import enum
import os
import shutil
import sqlite3
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from common.errors import InvalidConfigurationError, KioskError
from config.schema import DeviceSpec, KioskConfig

#: Free space below which a data folder fails / warns (bytes).
DISK_FAIL_BYTES = 100 * 2 ** 20
DISK_WARN_BYTES = 1024 * 2 ** 20
#: The oldest unsent outbox item older than this is a warning (the line is down or slow).
OUTBOX_WARN_AGE_S = 3600.0
#: The local SQLite files checked with ``PRAGMA integrity_check`` (kiosk.platform_setup).
DATABASES = ("catalogue.db", "outbox.db")
#: Device kinds no service depends on: not usable is a warning, not a failure.
OPTIONAL_KINDS = frozenset({"speaker"})

KIND_NAMES = {"card_reader": "身份证读卡器", "scanner": "扫码器", "camera": "摄像头",
              "printer": "打印机", "speaker": "扬声器"}
STATUS_NAMES = {"online": "正常", "busy": "忙", "offline": "未就绪", "noDevice": "未找到设备",
                "hardwareError": "硬件故障", "userError": "需要人工处理"}
# Options of a device table that say where the device is (shown in the fix).
_WHERE_OPTIONS = ("url", "host", "port", "devfile", "path", "source", "vendor_id",
                  "product_id", "camera", "binary", "audio_device")
_DEVICE_FIX = {
    "card_reader": "检查读卡器的 USB 线和电源，确认 udev 链接 /dev/idcard 存在",
    "scanner": "检查扫码器的 USB 线，确认 udev 链接 /dev/qrscanner 存在（evdev 需 input 组）",
    "camera": "检查摄像头的 USB 线，或 source 是否正确",
    "printer": "检查打印机电源、网线/USB 线和纸卷，确认地址正确",
    "speaker": "安装 espeak-ng 并检查声卡/音箱（语音播报为可选功能）",
}


class Level(str, enum.Enum):
    """How bad a result is; ordered OK < WARN < FAIL."""

    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"

    @property
    def rank(self) -> int:
        return ("OK", "WARN", "FAIL").index(self.value)


@dataclass(frozen=True)
class Check:
    """One result: ``name`` an English key, ``detail`` what was found, ``fix`` what to do
    (empty when nothing is to be done)."""

    name: str
    level: Level
    detail: str
    fix: str = ""

    def line(self, width: int = 22) -> str:
        """``FAIL  device.printer  打印机 ... — 检查...``: the report's one line."""
        text = f"{self.level.value:<4}  {self.name:<{width}} {_one_line(self.detail)}"
        return text + (f" — {_one_line(self.fix)}" if self.fix else "")


def ok(name: str, detail: str) -> Check:
    return Check(name, Level.OK, detail)


def warn(name: str, detail: str, fix: str) -> Check:
    return Check(name, Level.WARN, detail, fix)


def fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, Level.FAIL, detail, fix)


def worst(checks: Iterable[Check]) -> Level:
    """The worst level among ``checks`` (OK for none)."""
    return max((c.level for c in checks), key=lambda lv: lv.rank, default=Level.OK)


#: Exit codes of `kiosk-admin doctor`.
EXIT_OK, EXIT_FAIL, EXIT_WARN = 0, 1, 2


def exit_code(checks: Iterable[Check]) -> int:
    """0 when all are OK, 1 when any FAILs, 2 when the worst is a WARN."""
    return {Level.OK: EXIT_OK, Level.WARN: EXIT_WARN, Level.FAIL: EXIT_FAIL}[worst(checks)]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# --- configuration -----------------------------------------------------------------------

def config_checks(config_file: Path | None, *, demo: bool = False,
                  environ: Mapping[str, str] | None = None,
                  defaults_dir: Path | None = None) -> tuple[KioskConfig | None, list[Check]]:
    """Load and validate the configuration like the kiosk does (device options included).

    Returns the configuration (None when refused) and one Check per problem, naming the
    key, what was given, where it came from and what is allowed; one OK when it is valid.
    Reads the files; raises nothing.
    """
    from hardware.registry import check_device_options
    from kiosk.config import load_config

    try:
        cfg = load_config(config_file, demo=demo, environ=environ,
                          defaults_dir=defaults_dir, check_device_options=check_device_options)
    except InvalidConfigurationError as exc:
        return None, [_config_problem(p) for p in exc.problems]
    where = str(config_file) if config_file else ("demo.toml" if demo else "default.toml")
    return cfg, [ok("config", f"配置有效 valid ({where}{' + demo' if demo and config_file else ''})，"
                              f"终端 terminal.id = {cfg.terminal.id}")]


def _config_problem(problem: Any) -> Check:
    source = f"（来自 {problem.source}）" if problem.source and problem.source != problem.key else ""
    if problem.source and problem.source == problem.key:  # the file itself is the problem
        return fail("config", f"配置文件无法读取: {problem.key}{source}",
                    f"应为 should be: {problem.allowed}")
    return fail(f"config.{problem.key}", f"配置项取值无效 invalid value: {problem.value!r}{source}",
                f"改为 allowed: {problem.allowed}")


# --- devices ------------------------------------------------------------------------------

class DeviceReportLike(Protocol):
    """What `device_checks` reads of a `hardware.manager.DeviceReport`."""

    name: str
    kind: str
    driver: str
    detail: str
    last_error: str

    @property
    def status(self) -> Any: ...


def device_checks(reports: Sequence[DeviceReportLike],
                  specs: Sequence[DeviceSpec] = ()) -> list[Check]:
    """One Check per reported device (e.g. the live `DeviceManager.report()` of the running
    kiosk); ``specs`` (the configured tables) add where each device is looked for to the fix.
    Does not block."""
    by_name = {s.name: s for s in specs}
    if not reports:
        return [warn("devices", "未配置任何设备 (no [devices.<name>] tables)",
                     "在终端配置中加入 [devices.card_reader] 等设备表（见 "
                     "config/terminal.example.toml）")]
    out = []
    for r in reports:
        status = getattr(r.status, "value", str(r.status))
        kind = KIND_NAMES.get(r.kind, r.kind)
        name = f"device.{r.name}"
        what = f"{kind} {r.name} ({r.driver}): {STATUS_NAMES.get(status, status)} {status}"
        if status in ("online", "busy"):
            out.append(ok(name, what))
            continue
        error = r.detail or r.last_error
        spec = by_name.get(r.name)
        where = ""
        if spec is not None:
            shown = [f"devices.{r.name}.{k} = {spec.options[k]!r}" for k in _WHERE_OPTIONS
                     if k in spec.options]
            where = f"；检查 {', '.join(shown)}" if shown else ""
        fix = _DEVICE_FIX.get(r.kind, "检查设备连接") + where + "；修好后再运行 kiosk-admin doctor"
        if status == "userError":
            fix = f"按提示处理（如加纸、合上盖子）: {error}" if error else fix
        detail = f"{what}" + (f" ({error})" if error else "")
        make = warn if r.kind in OPTIONAL_KINDS else fail
        out.append(make(name, detail, fix))
    return out


def check_devices(config: KioskConfig, *, wait_s: float = 3.0) -> list[Check]:
    """Open every configured device with the HAL's `DeviceManager` (as `kiosk --devices`
    does), give each up to ``wait_s`` to come up, report and close them. Blocks for up to
    about ``wait_s`` plus the drivers' own open timeouts. Run it while the kiosk is stopped:
    a serial port or a grabbed scanner cannot be shared."""
    from kiosk.device_cli import open_all

    disabled = [ok(f"device.{d.name}", f"{KIND_NAMES.get(d.kind, d.kind)} {d.name}: "
                                        "已停用 disabled (enabled = false)")
                for d in config.devices if not d.enabled]
    if not any(d.enabled for d in config.devices):
        return device_checks([], ()) + disabled
    try:
        manager = open_all(config, wait_s=wait_s)
    except KioskError as exc:
        return [fail("devices", f"设备无法按配置创建: {exc}", "修正 [devices.*] 配置表")]
    try:
        return device_checks(manager.report(), config.devices) + disabled
    finally:
        manager.stop()


# --- disk -----------------------------------------------------------------------------------

def disk_checks(config: KioskConfig, *, fail_bytes: int = DISK_FAIL_BYTES,
                warn_bytes: int = DISK_WARN_BYTES) -> list[Check]:
    """Free space and writability of ``paths.state_dir`` and ``log.dir``, and ``PRAGMA
    integrity_check`` of the local databases. Blocks on disk (reads each database whole);
    writes and removes one temporary file per folder."""
    out = [_folder_check("disk.state_dir", "paths.state_dir", Path(config.paths.state_dir),
                         fail_bytes, warn_bytes),
           _folder_check("disk.log_dir", "log.dir", Path(config.log.dir), fail_bytes,
                         warn_bytes)]
    state = Path(config.paths.state_dir)
    for name in DATABASES:
        out.append(integrity_check(f"disk.{name}", state / name))
    return out


def _folder_check(name: str, key: str, folder: Path, fail_bytes: int,
                  warn_bytes: int) -> Check:
    if not folder.is_dir():
        parent = next((p for p in folder.parents if p.exists()), Path("/"))
        if os.access(parent, os.W_OK):
            return warn(name, f"{key} 目录 {folder} 不存在（kiosk 启动时会创建）",
                        f"运行 kiosk-admin provision，或 install -d -m 0750 -o <kiosk 用户> {folder}")
        return fail(name, f"{key} 目录 {folder} 不存在，且无权创建",
                    f"以 root 运行 install -d -m 0750 -o <kiosk 用户> {folder}，"
                    "或 kiosk-admin provision")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return fail(name, f"{key} 目录 {folder} 不可写: {exc.strerror}",
                    f"chown <kiosk 用户> {folder} && chmod 0750 {folder}")
    free = shutil.disk_usage(folder).free
    shown = f"{key} {folder}: 剩余 {_size(free)} free"
    if free < fail_bytes:
        return fail(name, shown, f"清理磁盘（至少留出 {_size(warn_bytes)}），"
                                 "如旧日志 kiosk-admin export-logs 导出后删除")
    if free < warn_bytes:
        return warn(name, shown, f"尽快清理磁盘，保持 {_size(warn_bytes)} 以上空闲")
    return ok(name, shown + "，可写 writable")


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def integrity_check(name: str, path: Path) -> Check:
    """``PRAGMA integrity_check`` of one SQLite file, opened without changing it (no
    journal-mode switch, no migration). A missing file is OK (made at first start).
    Blocks while it reads the whole file (waits up to 5 s for a writer's lock)."""
    if not path.exists():
        return ok(name, f"{path} 尚未创建（kiosk 首次启动时创建）")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if "malformed" in str(exc) or "not a database" in str(exc):  # SQLITE_CORRUPT/NOTADB
            return _damaged(name, path, str(exc))
        return fail(name, f"{path} 无法检查: {exc}",
                    "停止 kiosk 后再试；仍失败请联系区运维")
    if [tuple(r) for r in rows] == [("ok",)]:
        return ok(name, f"{path} integrity_check ok")
    return _damaged(name, path, "; ".join(str(r[0]) for r in rows[:3]))


def _damaged(name: str, path: Path, what: str) -> Check:
    fix = ("停止 kiosk 后删除它，kiosk 会从平台重新下载服务目录" if path.name == "catalogue.db" else
           "先停止 kiosk 并备份该文件（其中有未发送的申请），再联系区运维")
    return fail(name, f"{path} 已损坏 damaged (integrity_check): {what}", fix)


# --- outbox ---------------------------------------------------------------------------------

def outbox_checks(config: KioskConfig, *, now: Callable[[], float] = time.time) -> list[Check]:
    """The outbox key file (present, 32 bytes, mode 0600) and the backlog: items waiting,
    age of the oldest, dead letters. Reads ``outbox.db`` without decrypting anything and
    without writing. Blocks on disk."""
    return [outbox_key_check(Path(config.outbox.key_file)),
            *outbox_backlog_checks(Path(config.paths.state_dir) / "outbox.db",
                                   max_items=config.outbox.max_items,
                                   max_age_s=config.outbox.max_age_h * 3600.0, now=now)]


def outbox_key_check(path: Path) -> Check:
    """Is the outbox key usable by `offline.crypto.load_key`? Reads the file."""
    from offline.crypto import load_key

    try:
        load_key(path)
    except KioskError as exc:
        if not path.exists():
            fix = "运行 kiosk-admin provision（或 kiosk --config FILE --create-outbox-key）"
        else:
            fix = f"chmod 600 {path}，属主为 kiosk 用户；文件损坏则联系区运维，勿随意替换"
        return fail("outbox.key", f"outbox.key_file 不可用: {exc}", fix)
    mode = stat.S_IMODE(path.stat().st_mode)
    return ok("outbox.key", f"outbox.key_file {path} (mode {mode:04o})")


def outbox_backlog_checks(db_path: Path, *, max_items: int, max_age_s: float,
                          now: Callable[[], float] = time.time) -> list[Check]:
    """Backlog and dead letters of the outbox file at ``db_path``. Reads only."""
    if not db_path.exists():
        return [ok("outbox.backlog", "队列为空 (outbox.db 尚未创建)")]
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5.0)
        try:
            count, oldest = conn.execute("SELECT count(*), min(created_at) FROM outbox").fetchone()
            dead = conn.execute("SELECT count(*) FROM outbox_dead").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return [fail("outbox.backlog", f"{db_path} 无法读取: {exc}",
                     "停止 kiosk 后再运行 kiosk-admin doctor；仍失败请联系区运维")]
    age = max(0.0, now() - oldest) if oldest is not None else 0.0
    shown = f"待发送 {count} 条 items, 最早 {_age(age)} oldest"
    if count > max_items or age > max_age_s:
        out = fail("outbox.backlog", f"{shown}，超过上限 (outbox.max_items {max_items}, "
                                     f"outbox.max_age_h {max_age_s / 3600:g})",
                   "检查与平台的连接（见 platform.* 检查）；数据不会丢失，恢复后自动发送")
    elif count and age > OUTBOX_WARN_AGE_S:
        out = warn("outbox.backlog", shown,
                   "长时间未发出：检查与平台的连接（见 platform.* 检查）")
    else:
        out = ok("outbox.backlog", shown)
    checks = [out]
    if dead:
        checks.append(warn("outbox.dead", f"平台拒收 {dead} 条 dead letters（已保留）",
                           "在维护模式查看原因，或将 export-logs 导出的包发给区运维"))
    return checks


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
