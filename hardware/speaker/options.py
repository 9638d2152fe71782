"""The speaker drivers' options, checked without importing the drivers.

Every problem raises DeviceConfigError naming the device, the option, the value given and
what is allowed, so a technician can fix the terminal's file from the message alone.
"""

from __future__ import annotations

import difflib
import math
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
    where = f"speaker {device!r} (driver {driver!r})"
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
        good = option.check(options[key])
        if good is None:
            raise DeviceConfigError(f"{where}: option {key!r} = {options[key]!r}; allowed: "
                                    f"{option.allowed}")
        cleaned[key] = good
    if driver == "espeak" and cleaned.get("player") and cleaned.get("wav_file"):
        raise DeviceConfigError(f"{where}: options 'player' = {cleaned['player']!r} and "
                                f"'wav_file' = {cleaned['wav_file']!r}; allowed: at most one "
                                f"of them (neither = espeak-ng plays to the sound device)")
    return cleaned


# -- checks ------------------------------------------------------------------------------
def _text(empty: bool = False) -> Callable[[Any], str | None]:
    return lambda v: v if isinstance(v, str) and (empty or v.strip()) else None


def _integer(low: int, high: int) -> Callable[[Any], int | None]:
    return lambda v: v if (isinstance(v, int) and not isinstance(v, bool)
                           and low <= v <= high) else None


def _number(low: float, high: float) -> Callable[[Any], float | None]:
    def check(v: Any) -> float | None:
        ok = (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
              and low <= v <= high)
        return float(v) if ok else None
    return check


def _command(v: Any) -> tuple[str, ...] | None:
    """[] (none) or a command as a list of non-empty strings (no shell)."""
    if not isinstance(v, (list, tuple)):
        return None
    return tuple(v) if all(isinstance(x, str) and x for x in v) else None


VOLUME = Option("an integer from 0 to 100 (the volume each session starts with)",
                _integer(0, 100), 80)

SIM_OPTIONS: dict[str, Option] = {
    "volume": VOLUME,
    "chars_per_second": Option("a number from 0.5 to 1000 (speaking rate)",
                               _number(0.5, 1000), 4.0),
}

ESPEAK_OPTIONS: dict[str, Option] = {
    "volume": VOLUME,
    "binary": Option("the espeak-ng program: a name looked up on PATH or a path",
                     _text(), "espeak-ng"),
    "voice": Option("an espeak-ng voice name (espeak-ng --voices=cmn)", _text(),
                    "cmn-latn-pinyin"),
    "english_voice": Option('the espeak-ng voice for English screens, or "" to read them '
                            "with voice", _text(empty=True), "en"),
    "words_per_minute": Option("an integer from 80 to 450", _integer(80, 450), 150),
    "max_amplitude": Option("an integer from 1 to 200 (espeak-ng -a at volume 100)",
                            _integer(1, 200), 100),
    "audio_device": Option('"" (the default sound device) or an espeak-ng -d device name',
                           _text(empty=True), ""),
    "player": Option('[] or a command (a list of strings, no shell) that plays a WAV '
                     'stream from its stdin, e.g. ["aplay", "-q"]', _command, ()),
    "wav_file": Option('"" or a file each utterance is written to instead of played',
                       _text(empty=True), ""),
    "max_utterance_s": Option("a number of seconds from 1 to 600", _number(1, 600), 60.0),
}

SPECS: dict[str, dict[str, Option]] = {"sim": SIM_OPTIONS, "espeak": ESPEAK_OPTIONS}
