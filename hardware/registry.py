"""From a device table in the configuration to a driver object, without opening it.

Each kind's package exposes ``DRIVERS: {driver name: factory(name, options)}``. Packages are
imported only for the kinds a terminal configures (the camera one pulls in OpenCV).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping

from hardware.base import Device
from hardware.errors import DeviceConfigError

KIND_PACKAGES = {
    "card_reader": "hardware.card_reader",
    "scanner": "hardware.scanner",
    "camera": "hardware.camera",
    "printer": "hardware.printer",
    "speaker": "hardware.speaker",
}

Factory = Callable[[str, Mapping[str, Any]], Device]


def drivers_for(kind: str) -> Mapping[str, Factory]:
    """The driver factories of ``kind``; DeviceConfigError for an unknown kind."""
    package = KIND_PACKAGES.get(kind)
    if package is None:
        raise DeviceConfigError(f"unknown device kind {kind!r}; known: "
                                + ", ".join(KIND_PACKAGES))
    return importlib.import_module(package).DRIVERS


def build_device(name: str, kind: str, driver: str, options: Mapping[str, Any],
                 **context: Any) -> Device:
    """Construct (not open) the device. Raises DeviceConfigError naming what is wrong.

    ``context`` carries what some factories need besides options (e.g. ``resolve`` for a
    camera scanner to find its camera); factories that take none get none.
    """
    factories = drivers_for(kind)
    factory = factories.get(driver)
    if factory is None:
        raise DeviceConfigError(f"{kind} driver {driver!r} does not exist; drivers: "
                                + ", ".join(sorted(factories)))
    return factory(name, options, **context) if context else factory(name, options)


def check_device_options(kind: str, driver: str, name: str,
                         options: Mapping[str, Any]) -> str | None:
    """A problem text when the device cannot be built from this table, else None.

    Uses the package's ``VALIDATORS`` (option checks without importing the driver) where
    it has them, otherwise builds the device without opening it.
    """
    try:
        package = importlib.import_module(KIND_PACKAGES[kind]) if kind in KIND_PACKAGES \
            else None
        validators = getattr(package, "VALIDATORS", None)
        if validators is not None and driver in validators:
            validators[driver](name, options)
        else:
            build_device(name, kind, driver, options)
    except DeviceConfigError as exc:
        return str(exc)
    return None
