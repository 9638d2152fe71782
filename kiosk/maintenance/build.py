"""Maintenance tools from the real parts of a running terminal (the composition root calls
`build_tools`): the device manager, the platform side and the app's own switches."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from common.errors import DeviceNotFoundError, KioskError
from kiosk.maintenance.tools import Finding, MaintenanceTools, OutboxSummary, tail_lines

log = logging.getLogger("kiosk.maintenance")


def build_tools(config: Any, devices: Any, platform: Any, *,
                in_service: Callable[[], bool],
                set_out_of_service: Callable[[bool, str], None],
                restart: Callable[[], None]) -> MaintenanceTools:
    """``devices``: hardware.manager.DeviceManager; ``platform``: kiosk.platform_boot.
    PlatformBoot (its ``services`` may still be None while it starts)."""

    def self_test(name: str) -> str:
        from kiosk.device_cli import TESTS

        device = devices.get(name)
        if not device.status.usable:
            raise DeviceNotFoundError(f"{name} is {device.status.value}: {device.detail}")
        return TESTS[device.kind.value](device, config, 20.0)

    def link() -> Any:
        services = platform.services
        if services is None:
            from kiosk.platform_errors import PlatformUnavailableError

            raise PlatformUnavailableError(platform.error or "the platform side is starting")
        return services.link

    def outbox() -> OutboxSummary:
        try:
            stats = link().outbox.stats()
        except KioskError as exc:
            log.warning("maintenance: outbox not readable: %s", exc)
            return OutboxSummary(0, 0.0, 0)
        return OutboxSummary(stats.count, stats.oldest_age_s, stats.dead_count)

    def catalogue_version() -> str:
        try:
            return str(platform.catalogue().version())
        except KioskError as exc:
            return f"- ({exc})"

    def sync_now() -> None:
        link().sync_now()

    def retry_outbox() -> None:
        link().flush_now()

    return MaintenanceTools(
        devices=devices.report, self_test=self_test, sync_now=sync_now,
        catalogue_version=catalogue_version, outbox=outbox, retry_outbox=retry_outbox,
        network=lambda: network_findings(platform.client, config.platform.url),
        recent_log=lambda n: tail_lines(Path(config.log.dir), n),
        in_service=in_service, set_out_of_service=set_out_of_service, restart=restart)


def network_findings(client: Callable[[], Any], url: str) -> list[Finding]:
    """Is the platform reachable, over TLS, how fast, and does it accept this terminal?
    Blocks up to the client's timeouts (a few seconds)."""
    findings = [Finding("ok" if urlparse(url).scheme == "https" else "warn", "TLS",
                        "https" if urlparse(url).scheme == "https"
                        else "plain http: only for the demonstration platform")]
    try:
        c = client()
        started = time.perf_counter()
        version = int(c.health().get("catalogue_version", 0))
        ms = (time.perf_counter() - started) * 1000
        findings.append(Finding("warn" if ms > 2000 else "ok", "latency",
                                f"{ms:.0f} ms" + (": the line is slow" if ms > 2000 else "")))
    except KioskError as exc:
        findings.append(Finding("fail", "platform", f"not reachable: {exc}"))
        return findings
    try:  # an authenticated call that changes nothing: is this terminal's token accepted?
        c.get(f"/catalogue/changes?since={version}")
        findings.append(Finding("ok", "platform", "reachable, this terminal is accepted"))
    except KioskError as exc:
        findings.append(Finding("fail", "terminal token", str(exc)))
    return findings


def open_device(config: Any, name: str) -> str:
    """Build device ``name`` from ``config`` (a candidate), open it, say how it is, close it.
    Blocks up to the driver's open timeout. Raises the driver's KioskError."""
    from hardware.registry import build_device

    spec = next((s for s in config.devices if s.name == name), None)
    if spec is None:
        raise KioskError(f"no device {name!r} in the configuration")
    device = build_device(spec.name, spec.kind, spec.driver, spec.options)
    try:
        device.open()
        status = device.check()
        if not status.usable:
            raise DeviceNotFoundError(f"{name}: {status.value} ({device.detail})")
        return f"{name}: {status.value}"
    finally:
        device.close()


def attach_maintenance(app: Any, config: Any, devices: Any, platform: Any,
                       config_path: Path | None = None, *, demo: bool = False) -> None:
    """Give the running app its maintenance mode (reached by the hidden gesture). Without a
    platform side (no flow context) or without a PIN configured, it is not offered and the
    log says why."""
    from kiosk.maintenance.access import PinGate
    from kiosk.maintenance.flow import MaintenanceFlow

    services = app.services
    if services.flow_context is None:
        log.warning("maintenance mode not offered: no platform side in this composition")
        return
    if not config.maintenance.pin_hash:
        log.warning("maintenance mode not offered: maintenance.pin_hash is not set")
        return
    gate = PinGate(config.maintenance.pin_hash,
                   Path(config.paths.state_dir) / "maintenance.json")
    tools = build_tools(config, devices, platform, in_service=lambda: app.in_service,
                        set_out_of_service=app.set_taken_out_of_service,
                        restart=app.stop)
    steps = None
    if config_path is not None:
        from kiosk.config import load_config
        from kiosk.maintenance.config_edit import ConfigEditor
        from kiosk.maintenance.config_steps import ConfigSteps

        def load(path: Path) -> Any:
            from hardware.registry import check_device_options

            return load_config(path, demo=demo, check_device_options=check_device_options)

        steps = ConfigSteps(ConfigEditor(Path(config_path), load, open_device), config)
    else:
        log.info("maintenance: configuration editing not offered (no terminal file given)")
    services.maintenance = MaintenanceFlow(services.flow_context, gate, tools,
                                           config_steps=steps)
