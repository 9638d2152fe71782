"""Checking a camera's driver options from the configuration, without opening anything.

Each driver declares its options as `Option`s; `parse_options` returns the values to pass
to the driver's constructor or raises DeviceConfigError naming the option, the value and
what is allowed, so the configuration loader can show it at start.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from hardware.errors import DeviceConfigError


@dataclass(frozen=True)
class Option:
    """One option: its default, a converter that returns the value or raises ValueError,
    and a human description of what is allowed."""

    name: str
    default: Any
    convert: Callable[[Any], Any]
    allowed: str


def parse_options(device: str, driver: str, options: Mapping[str, Any],
                  declared: Sequence[Option]) -> dict[str, Any]:
    """Defaults overlaid with ``options``, converted. Raises DeviceConfigError on the first
    unknown option (with a did-you-mean) or value that is not allowed."""
    by_name = {option.name: option for option in declared}
    values = {option.name: option.default for option in declared}
    for key, value in options.items():
        option = by_name.get(key)
        if option is None:
            close = difflib.get_close_matches(str(key), by_name, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DeviceConfigError(
                f"camera {device!r} (driver {driver!r}): option {key!r} = {value!r} is unknown;"
                f" allowed options: {', '.join(by_name)}{hint}")
        try:
            values[key] = option.convert(value)
        except (TypeError, ValueError) as exc:
            raise DeviceConfigError(
                f"camera {device!r} (driver {driver!r}): option {key!r} got {value!r}; "
                f"allowed: {option.allowed}") from exc
    return values


# -- converters ------------------------------------------------------------------------------
def integer(low: int, high: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(value)
        return value
    return convert


def number(low: float, high: float) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(value)
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(value)
        return float(value)
    return convert


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(value)
    return value


def text(max_length: int = 1000, *, empty: bool = True) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if not isinstance(value, str) or len(value) > max_length or (not empty and not value):
            raise ValueError(value)
        return value
    return convert


def fourcc(value: Any) -> str:
    """"" (the camera's choice) or four printable ASCII characters such as "MJPG"."""
    if not isinstance(value, str) or value and (len(value) != 4 or not value.isascii()
                                                or not value.isprintable()):
        raise ValueError(value)
    return value


def source(value: Any) -> int | str:
    """A camera index (0-63), or a non-empty path or URL."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        if not 0 <= value <= 63:
            raise ValueError(value)
        return value
    if isinstance(value, str) and value.strip():
        return value
    raise ValueError(value)


def common_options(*, fps: float) -> list[Option]:
    """Options every camera driver takes (capture size, native rate, failure handling)."""
    return [
        Option("width", 640, integer(16, 7680), "an integer 16..7680 (pixels)"),
        Option("height", 480, integer(16, 4320), "an integer 16..4320 (pixels)"),
        Option("fps", fps, number(1, 120), "a number 1..120 (frames per second)"),
        Option("timeout_s", 5.0, number(0.1, 60), "a number 0.1..60 (seconds)"),
        Option("max_failures", 5, integer(1, 100),
               "an integer 1..100 (failed reads in a row before noDevice)"),
    ]


# -- the drivers' options (here, so checking them does not import OpenCV) ----------------
OPENCV_OPTIONS: list[Option] = [
    Option("source", 0, source, "a camera index 0..63, a file path or a stream URL"),
    *common_options(fps=30.0),
    Option("loop", False, boolean, "true or false (files: rewind at the end)"),
    Option("fourcc", "", fourcc, "'' or a 4-character code such as 'MJPG'"),
]

SIM_OPTIONS: list[Option] = [
    Option("source", "", text(), "'' (drawn scene) or the path of an image or video"),
    *common_options(fps=30.0),
    Option("loop", True, boolean, "true or false (video source: rewind at the end)"),
    Option("person", False, boolean, "true or false (someone in front at start)"),
    Option("brightness", 1.0, number(0.05, 4.0), "a number 0.05..4 (1 = normal)"),
]
