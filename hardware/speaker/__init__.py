"""The speaker (voice guidance): espeak-ng and a simulator.

Use: get the speaker from the device manager (``manager.by_kind("speaker")``, empty when
the terminal has none: no service may depend on it), then ``say(text)`` (returns at once;
interrupts what is being said), ``stop()``, ``repeat()``, ``set_volume(0..100)`` /
``reset_volume()``; see `hardware.speaker.interface`.

`DRIVERS` maps a driver name to a factory ``(device name, options)`` that checks the
options (DeviceConfigError naming option, value and what is allowed) and builds the speaker
without opening it. Options per driver (defaults in brackets):

- ``espeak``: ``binary`` ["espeak-ng"], ``voice`` ["cmn-latn-pinyin"],
  ``words_per_minute`` [150], ``max_amplitude`` [100] (espeak-ng ``-a`` at volume 100),
  ``audio_device`` [""] (espeak-ng ``-d``), ``player`` [[]] (a command playing a WAV
  stream from stdin, e.g. ["aplay", "-q"]), ``wav_file`` [""] (write each utterance to
  this file instead of playing it), ``max_utterance_s`` [60].
- ``sim``: ``chars_per_second`` [4.0] (speaking rate).
- every driver: ``volume`` [80] (0..100, what each session starts with).

The fake sound card (`fake_player`) is imported from its module: the kiosk never needs it.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from hardware.lazy import lazy_exports
from hardware.speaker.options import SPECS, read_options

_EXPORTS = {
    **{n: "events" for n in ("Outcome", "SpeechEnded", "SpeechStarted", "Utterance",
                             "check_volume")},
    "Speaker": "interface",
    "EspeakSpeaker": "espeak",
    "SimulatedSpeaker": "simulator", "SpokenUtterance": "simulator",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)
__all__ = ["DRIVERS", "VALIDATORS", *_EXPORTS]


def _check_espeak(name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    return read_options(name, "espeak", options, SPECS["espeak"])


def _check_sim(name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    return read_options(name, "sim", options, SPECS["sim"])


def _espeak(name: str, options: Mapping[str, Any]):
    from hardware.speaker.espeak import EspeakSpeaker

    return EspeakSpeaker(name, **_check_espeak(name, options))


def _sim(name: str, options: Mapping[str, Any]):
    from hardware.speaker.simulator import SimulatedSpeaker

    return SimulatedSpeaker(name, **_check_sim(name, options))


DRIVERS: dict[str, Callable[[str, Mapping[str, Any]], Any]] = {"espeak": _espeak, "sim": _sim}
# Option checks alone, without importing the drivers (used by the configuration check).
VALIDATORS: dict[str, Callable[[str, Mapping[str, Any]], Any]] = {
    "espeak": _check_espeak, "sim": _check_sim}
