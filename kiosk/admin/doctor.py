"""`kiosk-admin doctor`: every check for one terminal's configuration, and the report.

    kiosk-admin doctor [--config FILE] [--demo] [--skip devices,platform,...]

Groups, in order: ``config`` (load + validate; the others need a valid configuration),
``devices``, ``platform`` (DNS, TCP, TLS, health, token; ``clock`` comes with it),
``disk``, ``outbox``. Exit code: 0 all OK, 1 any FAIL, 2 only warnings (`checks.exit_code`).

`run_checks` is what the maintenance screen calls with the running kiosk's configuration
and live device reports (so the devices are not opened a second time). Both block: on the
devices for a few seconds, on the network for up to ``timeout_s``, on the disk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from config.schema import KioskConfig
from kiosk.admin import checks as ck
from kiosk.admin.checks import Check
from kiosk.admin.network import DEFAULT_TIMEOUT_S, PlatformTarget, diagnose_platform

GROUPS = ("config", "devices", "platform", "clock", "disk", "outbox")
SKIPPABLE = GROUPS[1:]


@dataclass(frozen=True)
class DoctorReport:
    """The checks of one doctor run and what the report header shows."""

    checks: tuple[Check, ...]
    config_file: str
    terminal_id: str
    skipped: tuple[str, ...]
    started_at: datetime
    config_valid: bool

    @property
    def exit_code(self) -> int:
        return ck.exit_code(self.checks)


def run_checks(config: KioskConfig, *, skip: Sequence[str] = (),
               timeout_s: float = DEFAULT_TIMEOUT_S, device_wait_s: float = 3.0,
               device_reports: Sequence[ck.DeviceReportLike] | None = None) -> list[Check]:
    """The checks after the configuration, for a valid ``config``. BLOCKS (devices, network,
    disk). ``device_reports``: the live reports of a running kiosk's `DeviceManager`
    (then no device is opened here); None opens every device like `kiosk --devices`."""
    out: list[Check] = []
    if "devices" not in skip:
        out += (ck.device_checks(device_reports, config.devices) if device_reports is not None
                else ck.check_devices(config, wait_s=device_wait_s))
    if "platform" not in skip or "clock" not in skip:
        p = config.platform
        found = diagnose_platform(PlatformTarget(p.url, config.terminal.id, p.token, p.ca_file),
                                  timeout_s=timeout_s)
        out += [c for c in found if ("clock" if c.name == "clock" else "platform") not in skip]
    if "disk" not in skip:
        out += ck.disk_checks(config)
    if "outbox" not in skip:
        out += ck.outbox_checks(config)
    return out


def run_doctor(config_file: Path | None, *, demo: bool = False,
               environ: Mapping[str, str] | None = None, skip: Sequence[str] = (),
               timeout_s: float = DEFAULT_TIMEOUT_S, device_wait_s: float = 3.0,
               defaults_dir: Path | None = None) -> tuple[DoctorReport, KioskConfig | None]:
    """Load the configuration, then run every group not in ``skip``. BLOCKS like
    `run_checks`. Returns the report and the configuration (None when it was refused;
    then only the configuration's own problems are reported)."""
    started = datetime.now().astimezone()
    config, found = ck.config_checks(config_file, demo=demo, environ=environ,
                                     defaults_dir=defaults_dir)
    if config is not None:
        found += run_checks(config, skip=skip, timeout_s=timeout_s, device_wait_s=device_wait_s)
    report = DoctorReport(tuple(found), str(config_file or ("demo" if demo else "defaults")),
                          config.terminal.id if config else "?", tuple(skip), started,
                          config is not None)
    return report, config


def format_report(report: DoctorReport) -> str:
    """The readable report: a header, one line per check, a summary with the exit code."""
    width = min(30, max((len(c.name) for c in report.checks), default=8))
    lines = [f"kiosk-admin doctor — 终端 terminal {report.terminal_id} — "
             f"{report.started_at:%Y-%m-%d %H:%M:%S %z} — 配置 config {report.config_file}"]
    lines += [c.line(width) for c in report.checks]
    if not report.config_valid:
        lines.append("（配置无效：先修正上面的配置项，设备、平台、磁盘、队列检查未运行 — "
                     "devices/platform/disk/outbox need a valid configuration）")
    if report.skipped:
        lines.append(f"（已跳过 skipped: {', '.join(report.skipped)}）")
    counts = {lv: sum(c.level is lv for c in report.checks) for lv in ck.Level}
    code = report.exit_code
    meaning = {ck.EXIT_OK: "全部正常", ck.EXIT_FAIL: "有 FAIL，须先修复",
               ck.EXIT_WARN: "只有 WARN，终端可用但需关注"}[code]
    lines.append(f"结果 result: {counts[ck.Level.FAIL]} FAIL, {counts[ck.Level.WARN]} WARN, "
                 f"{counts[ck.Level.OK]} OK — 退出码 exit {code}（{meaning}）")
    return "\n".join(lines) + "\n"
