"""The device manager opens, watches, reports and reopens devices; it never substitutes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import pytest

from hardware.base import Device, DeviceKind, DeviceStatus, StatusChanged
from hardware.errors import DeviceConfigError, DeviceNotFoundError
from hardware.manager import DeviceManager
from tests.clocks import FakeClock


class FlakyPrinter(Device):
    """A device whose presence the test switches; counts opens and polls."""

    kind = DeviceKind.PRINTER

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.present = True
        self.opens = 0
        self.polls = 0

    def open(self) -> None:
        self.opens += 1
        if not self.present:
            raise DeviceNotFoundError(f"{self.name}: nothing listening")
        self._set_status(DeviceStatus.ONLINE)

    def close(self) -> None:
        self._set_status(DeviceStatus.OFFLINE)

    def check(self) -> DeviceStatus:
        self.polls += 1
        if not self.present:
            self._set_status(DeviceStatus.NO_DEVICE, "gone")
        return self.status


@dataclass(frozen=True)
class Table:
    name: str
    kind: str = "printer"
    driver: str = "flaky"
    enabled: bool = True
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def manager_with(*tables: Table, clock: FakeClock) -> tuple[DeviceManager, dict]:
    built: dict[str, FlakyPrinter] = {}

    def build(name, kind, driver, options, **context):
        if driver != "flaky":
            raise DeviceConfigError(f"printer driver {driver!r} does not exist")
        built[name] = FlakyPrinter(name)
        return built[name]

    return DeviceManager(tables, clock=clock, build=build), built


def test_devices_open_on_the_first_pass_and_report_online():
    clock = FakeClock()
    manager, built = manager_with(Table("printer"), clock=clock)
    manager.run_once()
    assert manager.statuses() == {"printer": DeviceStatus.ONLINE}
    assert manager.kind_ready() == {"printer": True}
    manager.run_once()
    assert built["printer"].polls == 1


def test_missing_device_is_reported_loudly_and_retried_with_backoff(caplog):
    clock = FakeClock()
    manager, built = manager_with(Table("printer"), clock=clock)
    manager.build()
    built["printer"].present = False
    events = []
    manager.subscribe(events.append)
    with caplog.at_level(logging.ERROR):
        manager.run_once()
    assert manager.statuses()["printer"] is DeviceStatus.NO_DEVICE
    assert manager.kind_ready() == {"printer": False}
    assert any("cannot be opened" in r.message for r in caplog.records)
    assert isinstance(events[-1], StatusChanged) and events[-1].status is DeviceStatus.NO_DEVICE
    manager.run_once()
    assert built["printer"].opens == 1  # not before the back-off
    clock.advance(1.1)
    manager.run_once()
    assert built["printer"].opens == 2
    clock.advance(1.1)
    manager.run_once()
    assert built["printer"].opens == 2  # the second pause is longer
    report = manager.report()[0]
    assert report.status is DeviceStatus.NO_DEVICE and "nothing listening" in report.last_error


def test_device_that_comes_back_is_reopened_without_restart():
    clock = FakeClock()
    manager, built = manager_with(Table("printer"), clock=clock)
    manager.run_once()
    built["printer"].present = False
    manager.run_once()
    assert manager.statuses()["printer"] is DeviceStatus.NO_DEVICE
    built["printer"].present = True
    clock.advance(1.1)
    manager.run_once()
    assert manager.statuses()["printer"] is DeviceStatus.ONLINE


def test_disabled_devices_are_not_built():
    manager, built = manager_with(Table("printer", enabled=False), clock=FakeClock())
    manager.run_once()
    assert manager.devices == [] and built == {}


def test_nothing_is_built_before_the_watcher_runs():
    manager, built = manager_with(Table("printer"), clock=FakeClock())
    assert built == {} and manager.statuses() == {}
    manager.build()
    assert list(built) == ["printer"]


def test_unknown_driver_is_a_configuration_error_not_a_silent_simulator():
    manager, _built = manager_with(Table("printer", driver="nonesuch"), clock=FakeClock())
    with pytest.raises(DeviceConfigError):
        manager.build()


def test_watcher_thread_opens_devices_in_the_background_and_stops():
    manager, built = manager_with(Table("printer"), clock=FakeClock())
    manager.poll_interval_s = 0.01
    manager.start()
    try:
        import time
        deadline = time.monotonic() + 2
        while manager.statuses()["printer"] is not DeviceStatus.ONLINE:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        manager.stop()
    assert manager.statuses()["printer"] is DeviceStatus.OFFLINE  # closed
