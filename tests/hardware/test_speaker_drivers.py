"""DRIVERS: factories check options, name what is wrong and never open the speaker; the
device manager builds, opens, watches and reopens a configured speaker like any device."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import pytest

from hardware.base import DeviceKind, DeviceStatus
from hardware.errors import DeviceConfigError
from hardware.manager import DeviceManager
from hardware.registry import build_device, check_device_options
from hardware.speaker import DRIVERS, EspeakSpeaker, Outcome, SimulatedSpeaker
from tests.clocks import FakeClock


def test_the_two_drivers_are_there():
    assert set(DRIVERS) == {"espeak", "sim"}


def test_factories_build_without_opening(tmp_path):
    espeak = DRIVERS["espeak"]("voice", {"binary": str(tmp_path / "nothing-here"),
                                         "volume": 60, "words_per_minute": 120})
    sim = DRIVERS["sim"]("voice", {"chars_per_second": 8})
    for device in (espeak, sim):
        assert device.kind == DeviceKind.SPEAKER
        assert device.status == DeviceStatus.OFFLINE and not device.worker_alive
    assert isinstance(espeak, EspeakSpeaker) and espeak.default_volume == 60
    assert espeak.command(60)[5:7] == ["-s", "120"] and isinstance(sim, SimulatedSpeaker)
    assert sim.chars_per_second == 8.0


def test_defaults_fill_what_the_table_leaves_out():
    espeak = DRIVERS["espeak"]("voice", {})
    assert (espeak.binary, espeak.voice, espeak.words_per_minute, espeak.max_amplitude,
            espeak.player, espeak.wav_file, espeak.volume) == (
        "espeak-ng", "cmn-latn-pinyin", 150, 100, (), "", 80)
    assert "--stdout" not in espeak.command(80) and "-w" not in espeak.command(80)
    assert DRIVERS["sim"]("voice", {}).chars_per_second == 4.0


def test_the_output_is_chosen_by_player_or_wav_file():
    piped = DRIVERS["espeak"]("v", {"player": ["aplay", "-q"]})
    to_file = DRIVERS["espeak"]("v", {"wav_file": "/tmp/said.wav"})
    device = DRIVERS["espeak"]("v", {"audio_device": "hw:1"})
    assert piped.player == ("aplay", "-q") and piped.command(80)[-1] == "--stdout"
    assert to_file.command(80)[-2:] == ["-w", "/tmp/said.wav"]
    assert device.command(80)[-2:] == ["-d", "hw:1"]


@pytest.mark.parametrize("driver, options, named", [
    ("espeak", {"volum": 50}, ["'volum'", "did you mean 'volume'"]),
    ("espeak", {"volume": 101}, ["'volume'", "101", "0 to 100"]),
    ("espeak", {"volume": True}, ["'volume'", "True"]),
    ("espeak", {"words_per_minute": 20}, ["'words_per_minute'", "20", "80 to 450"]),
    ("espeak", {"voice": ""}, ["'voice'", "''"]),
    ("espeak", {"player": "aplay -q"}, ["'player'", "'aplay -q'", "list"]),
    ("espeak", {"player": ["aplay"], "wav_file": "/tmp/x.wav"},
     ["'player'", "'wav_file'", "at most one"]),
    ("sim", {"chars_per_second": 0}, ["'chars_per_second'", "0", "0.5 to 1000"]),
])
def test_a_bad_option_names_option_value_and_what_is_allowed(driver, options, named):
    with pytest.raises(DeviceConfigError) as caught:
        DRIVERS[driver]("hall_speaker", options)
    message = str(caught.value)
    assert "speaker 'hall_speaker'" in message and "allowed" in message
    for part in named:
        assert part in message


def test_the_registry_builds_speakers_and_checks_their_tables():
    assert isinstance(build_device("speaker", "speaker", "sim", {}), SimulatedSpeaker)
    assert check_device_options("speaker", "espeak", "speaker", {"volume": 70}) is None
    problem = check_device_options("speaker", "espeak", "speaker", {"voise": "cmn"})
    assert problem is not None and "did you mean 'voice'" in problem
    with pytest.raises(DeviceConfigError, match="drivers: espeak, sim"):
        build_device("speaker", "speaker", "simulated", {})


@dataclass(frozen=True)
class Table:
    name: str
    kind: str
    driver: str
    enabled: bool = True
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def test_the_manager_builds_and_opens_a_configured_speaker_beside_the_others():
    manager = DeviceManager([Table("printer", "printer", "sim"),
                             Table("speaker", "speaker", "sim",
                                   options=MappingProxyType({"chars_per_second": 100}))],
                            clock=FakeClock())
    try:
        manager.run_once()
        [speaker] = manager.by_kind("speaker")
        assert speaker is manager.get("speaker") and isinstance(speaker, SimulatedSpeaker)
        assert manager.kind_ready() == {"printer": True, "speaker": True}
        assert speaker.wait(speaker.say("您好。"), 2.0) == Outcome.FINISHED
        assert [r.kind for r in manager.report()] == ["printer", "speaker"]
    finally:
        manager.stop()
    assert speaker.status == DeviceStatus.OFFLINE and not speaker.worker_alive


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_a_missing_espeak_is_no_device_for_the_manager_and_the_rest_works(tmp_path):
    clock = FakeClock()
    binary = tmp_path / "espeak-ng"
    options = {"binary": str(binary), "wav_file": str(tmp_path / "said.wav")}
    manager = DeviceManager([Table("printer", "printer", "sim"),
                             Table("speaker", "speaker", "espeak",
                                   options=MappingProxyType(options))], clock=clock)
    try:
        manager.run_once()
        assert manager.statuses() == {"printer": DeviceStatus.ONLINE,
                                      "speaker": DeviceStatus.NO_DEVICE}
        assert manager.kind_ready() == {"printer": True, "speaker": False}
        report = next(r for r in manager.report() if r.name == "speaker")
        assert "espeak-ng not found" in report.detail
        binary.symlink_to(shutil.which("espeak-ng"))  # installed now
        manager.run_once()
        assert manager.statuses()["speaker"] == DeviceStatus.NO_DEVICE  # backing off
        clock.advance(1.1)
        manager.run_once()
        assert manager.statuses()["speaker"] == DeviceStatus.ONLINE  # reopened, no restart
    finally:
        manager.stop()


def test_english_screens_are_read_with_the_english_voice_and_chinese_with_mandarin():
    espeak = DRIVERS["espeak"]("voice", {})
    assert espeak.command(80, "en")[1:3] == ["-v", "en"]
    assert espeak.command(80, "zh")[1:3] == ["-v", "cmn-latn-pinyin"]
    mandarin_only = DRIVERS["espeak"]("voice", {"english_voice": ""})
    assert mandarin_only.command(80, "en")[1:3] == ["-v", "cmn-latn-pinyin"]
