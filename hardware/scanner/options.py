"""Validation of a scanner's ``options`` table from the configuration.

Every problem raises DeviceConfigError naming the device, the option, the value given and
what is allowed, so a technician can fix the terminal's file from the message alone.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from hardware.errors import DeviceConfigError

_MISSING = object()


@dataclass(frozen=True)
class Option:
    """One option: ``check`` returns the cleaned value or None when it is not allowed."""

    allowed: str  # human description, shown in the error
    check: Callable[[Any], Any]
    default: Any = _MISSING

    @property
    def required(self) -> bool:
        return self.default is _MISSING


def read_options(device: str, driver: str, options: Mapping[str, Any],
                 spec: Mapping[str, Option]) -> dict[str, Any]:
    """The cleaned options with defaults filled in; DeviceConfigError on the first problem."""
    where = f"scanner {device!r} (driver {driver!r})"
    for key in options:
        if key not in spec:
            close = difflib.get_close_matches(str(key), list(spec), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DeviceConfigError(f"{where}: option {key!r} = {options[key]!r}; allowed: "
                                    f"unknown option, known: {', '.join(spec)}{hint}")
    cleaned: dict[str, Any] = {}
    for key, option in spec.items():
        if key not in options:
            if option.required:
                raise DeviceConfigError(f"{where}: option {key!r} is missing; allowed: "
                                        f"{option.allowed}")
            cleaned[key] = option.default
            continue
        value = options[key]
        good = option.check(value)
        if good is None:
            raise DeviceConfigError(f"{where}: option {key!r} = {value!r}; allowed: "
                                    f"{option.allowed}")
        cleaned[key] = good
    return cleaned


# -- checks ------------------------------------------------------------------------------
def text() -> Callable[[Any], str | None]:
    return lambda v: v if isinstance(v, str) and v.strip() else None


def choice(*values: str) -> Callable[[Any], str | None]:
    return lambda v: v if isinstance(v, str) and v in values else None


def boolean() -> Callable[[Any], bool | None]:
    return lambda v: v if isinstance(v, bool) else None


def integer(low: int, high: int, among: tuple[int, ...] = ()) -> Callable[[Any], int | None]:
    def check(v: Any) -> int | None:
        ok = isinstance(v, int) and not isinstance(v, bool) and low <= v <= high
        return v if ok and (not among or v in among) else None
    return check


def number(low: float, high: float) -> Callable[[Any], float | None]:
    def check(v: Any) -> float | None:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and low <= v <= high
        return float(v) if ok else None
    return check


def subset(*values: str) -> Callable[[Any], tuple[str, ...] | None]:
    def check(v: Any) -> tuple[str, ...] | None:
        if not isinstance(v, (list, tuple)) or not v:
            return None
        return tuple(v) if all(isinstance(x, str) and x in values for x in v) else None
    return check
