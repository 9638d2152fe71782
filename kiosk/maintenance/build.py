"""Maintenance tools from the real parts of a running terminal (the composition root calls
`build_tools`): the device manager, the platform side and the app's own switches."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common.errors import DeviceNotFoundError, KioskError
from kiosk.maintenance.tools import MaintenanceTools, OutboxSummary, tail_lines

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
        network=lambda: network_findings(config),
        recent_log=lambda n: tail_lines(Path(config.log.dir), n),
        in_service=in_service, set_out_of_service=set_out_of_service, restart=restart)


def network_findings(config: Any, *, timeout_s: float = 8.0) -> list[Any]:
    """The installer's platform diagnostics (kiosk.admin.network: DNS, TCP, TLS and the
    certificate, latency, the clock, this terminal's token), as its `Check` results.
    Blocks up to ``timeout_s``."""
    from kiosk.admin.network import PlatformTarget, diagnose_platform

    p = config.platform
    return diagnose_platform(PlatformTarget(p.url, config.terminal.id, p.token, p.ca_file),
                             timeout_s=timeout_s)


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
