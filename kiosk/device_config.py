"""The ``[devices.<name>]`` tables of the configuration.

Each table names a device kind and a driver; its other keys are the driver's options.
Layers merge per device and per key, so a terminal file can change one option of a device
that the defaults or the demo configuration declared; a layer that names another driver (or
kind) for a device replaces that device's table whole. Driver options are checked by the
driver's own factory (through ``check_options``) without opening the device, so a wrong
port name or an unknown option stops the kiosk at start, like any other configuration error.
"""

from __future__ import annotations

import re
import types
from typing import Any, Callable, Mapping

from common.errors import ConfigError
from config.schema import DEVICE_KEYS, DEVICE_KINDS, DEVICE_NAME_PATTERN, DeviceSpec

# device name -> key -> (value, source)
MergedDevices = dict[str, dict[str, tuple[Any, str]]]
OptionsCheck = Callable[[str, str, str, Mapping[str, Any]], "str | None"]


def merge_devices(table: Any, source: str, merged: MergedDevices,
                  problems: list[ConfigError]) -> None:
    """Merge one file's ``[devices]`` table into ``merged``; problems are appended."""
    if not isinstance(table, dict):
        problems.append(ConfigError("devices", table, "tables [devices.<name>] with kind, "
                                    "driver and the driver's options", source))
        return
    for name, entry in table.items():
        where = f"devices.{name}"
        if not re.fullmatch(DEVICE_NAME_PATTERN, name):
            problems.append(ConfigError(where, name, "a device name of lower-case letters, "
                                        "digits and '_' (e.g. card_reader, printer)", source))
            continue
        if not isinstance(entry, dict):
            problems.append(ConfigError(where, entry, f"a table [{where}] with kind and driver",
                                        source))
            continue
        earlier = merged.get(name, {})
        if any(k in entry and k in earlier and entry[k] != earlier[k][0]
               for k in ("kind", "driver")):
            # Another driver: the earlier layer's options do not apply to it (its kind does).
            earlier = {"kind": earlier["kind"]} if "kind" in earlier and "kind" not in entry \
                else {}
        merged[name] = {**earlier, **{k: (v, source) for k, v in entry.items()}}


def validate_devices(merged: MergedDevices, problems: list[ConfigError],
                     check_options: OptionsCheck | None) -> tuple[DeviceSpec, ...]:
    """Turn merged tables into `DeviceSpec`s; every problem names the dotted key."""
    specs = []
    for name, entry in merged.items():
        ok = True
        kind, kind_source = entry.get("kind", (None, ""))
        if kind not in DEVICE_KINDS:
            problems.append(ConfigError(f"devices.{name}.kind", kind, "one of " + ", ".join(
                repr(k) for k in DEVICE_KINDS), kind_source))
            ok = False
        driver, driver_source = entry.get("driver", (None, ""))
        if not isinstance(driver, str) or not driver:
            problems.append(ConfigError(f"devices.{name}.driver", driver,
                                        "the name of a driver, e.g. 'serial' or 'sim'",
                                        driver_source))
            ok = False
        enabled, enabled_source = entry.get("enabled", (True, ""))
        if not isinstance(enabled, bool):
            problems.append(ConfigError(f"devices.{name}.enabled", enabled, "true or false",
                                        enabled_source))
            ok = False
        options = {k: v for k, (v, _src) in entry.items() if k not in DEVICE_KEYS}
        if ok and enabled and check_options is not None:
            message = check_options(kind, driver, name, options)
            if message:
                sources = sorted({src for _v, src in entry.values() if src})
                problems.append(ConfigError(f"devices.{name}", f"driver {driver!r}", message,
                                            ", ".join(sources)))
                ok = False
        if ok:
            specs.append(DeviceSpec(name, kind, driver, enabled,
                                    types.MappingProxyType(options)))
    return tuple(specs)
