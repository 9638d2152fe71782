"""Card reader drivers built from a configuration table: options checked, nothing opened.

Each factory takes (device name, options mapping) and raises DeviceConfigError naming the
option, the value and what is allowed, for an unknown option, a wrong type or range.
"""

from __future__ import annotations

import difflib
import importlib.util
import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from hardware.errors import DeviceConfigError

_MISSING = object()


@dataclass(frozen=True)
class Option:
    check: Callable[[Any], bool]
    allowed: str
    default: Any = _MISSING  # _MISSING: required


def _integer(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _number(low: float, high: float) -> Callable[[Any], bool]:
    return lambda v: (isinstance(v, (int, float)) and not isinstance(v, bool)
                      and math.isfinite(v) and low <= v <= high)


def _boolean(v: Any) -> bool:
    return isinstance(v, bool)


def _serial_url(v: Any) -> bool:
    if not isinstance(v, str) or not v.strip():
        return False
    if "://" not in v:
        return True  # a device path; whether it exists is open()'s business
    scheme = v.split("://", 1)[0]
    return scheme.isidentifier() and importlib.util.find_spec(
        f"serial.urlhandler.protocol_{scheme}") is not None


def _sample_card(v: Any) -> bool:
    from hardware.card_reader.samples import sample_cards

    cards = sample_cards()
    if isinstance(v, int) and not isinstance(v, bool):
        return 0 <= v < len(cards)
    return isinstance(v, str) and any(c.id_number == v for c in cards)


_COMMON = {
    "timeout_s": Option(_number(0.05, 30.0), "seconds per exchange, 0.05 to 30", 2.0),
    "retries": Option(_integer(0, 10), "an integer 0 to 10 (retries after a failed read)", 2),
    "read_fingerprint": Option(_boolean, "true or false", False),
}
SERIAL_OPTIONS: dict[str, Option] = {
    "url": Option(_serial_url, "a device path such as /dev/idcard or a pyserial URL "
                  "(socket://host:port, rfc2217://host:port, loop://)"),
    "baudrate": Option(_integer(300, 4_000_000), "an integer baud rate, e.g. 115200", 115200),
    **_COMMON,
}
SIM_OPTIONS: dict[str, Option] = {
    "card": Option(_sample_card, "the index of a sample card (0, 1, ...) or a sample card's "
                   "ID number", None),
    "read_delay_s": Option(_number(0.0, 10.0), "seconds, 0 to 10", 0.3),
    **_COMMON,
}


def check_options(driver: str, name: str, options: Mapping[str, Any],
                  spec: Mapping[str, Option]) -> dict[str, Any]:
    """Options with defaults filled in; DeviceConfigError for the first problem found."""
    where = f"card reader {name!r} (driver {driver!r})"
    for key, value in options.items():
        if key not in spec:
            close = difflib.get_close_matches(str(key), list(spec), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DeviceConfigError(f"{where}: unknown option {key!r} = {value!r}; allowed "
                                    f"options: {', '.join(sorted(spec))}{hint}")
    values: dict[str, Any] = {}
    for key, option in spec.items():
        if key not in options:
            if option.default is _MISSING:
                raise DeviceConfigError(f"{where}: option {key!r} is required; allowed: "
                                        f"{option.allowed}")
            values[key] = option.default
            continue
        value = options[key]
        if not option.check(value):
            raise DeviceConfigError(f"{where}: option {key!r}: got {value!r}; allowed: "
                                    f"{option.allowed}")
        values[key] = value
    return values


def check_serial(name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    return check_options("serial", name, options, SERIAL_OPTIONS)


def check_sim(name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    return check_options("sim", name, options, SIM_OPTIONS)


def make_serial(name: str, options: Mapping[str, Any]):
    from hardware.card_reader.serial_reader import SerialCardReader

    o = check_serial(name, options)
    return SerialCardReader(name, o["url"], baudrate=o["baudrate"],
                            timeout_s=float(o["timeout_s"]), retries=o["retries"],
                            read_fingerprint=o["read_fingerprint"])


def make_sim(name: str, options: Mapping[str, Any]):
    from hardware.card_reader.simulator import SimulatedCardReader

    o = check_sim(name, options)
    return SimulatedCardReader(name, card=o["card"], read_delay_s=float(o["read_delay_s"]),
                               retries=o["retries"], timeout_s=float(o["timeout_s"]),
                               read_fingerprint=o["read_fingerprint"])
