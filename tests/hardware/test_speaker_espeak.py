"""EspeakSpeaker against the real espeak-ng: Mandarin audio in a WAV file, volume as
amplitude, the subprocess killed when cut off, and every way of failing reported loudly
(missing binary -> noDevice, an error exit or an error message -> hardwareError)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hardware.base import DeviceStatus
from hardware.errors import DeviceNotFoundError, SpeechError
from hardware.speaker import EspeakSpeaker, Outcome
from hardware.speaker.fake_player import command, measure

ESPEAK = shutil.which("espeak-ng")
pytestmark = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed")

GUIDANCE = "请将身份证放在读卡区"
WAIT_S = 10.0


def _said(speaker: EspeakSpeaker, text: str = GUIDANCE) -> Outcome | None:
    return speaker.wait(speaker.say(text), WAIT_S)


@pytest.fixture
def to_file(tmp_path):
    speaker = EspeakSpeaker("speaker", wav_file=str(tmp_path / "said.wav"))
    speaker.open()
    yield speaker
    speaker.close()


def test_chinese_guidance_is_synthesised_to_a_real_wav(to_file, tmp_path):
    assert _said(to_file) == Outcome.FINISHED
    wav = measure(str(tmp_path / "said.wav"))
    assert (wav.channels, wav.sample_rate, wav.bits) == (1, 22050, 16)
    assert 1.5 < wav.seconds < 10  # ten syllables, not a click and not a hang
    assert wav.rms > 500  # speech, not silence
    assert to_file.status == DeviceStatus.ONLINE and to_file.info.firmware


def test_the_mandarin_voice_reads_chinese_as_mandarin_not_english(to_file):
    def phonemes(voice: str) -> str:
        return subprocess.run([ESPEAK, "-q", "-x", "-v", voice, "--stdin"],
                              input=GUIDANCE.encode(), capture_output=True,
                              check=True).stdout.decode()

    assert to_file.voice == "cmn-latn-pinyin"
    assert "(en)" not in phonemes(to_file.voice)
    assert "(en)" in phonemes("cmn")  # why not plain cmn: 读卡区 drifts into English


def test_the_volume_is_the_amplitude_of_the_sound(tmp_path):
    quiet = EspeakSpeaker("speaker", volume=25, wav_file=str(tmp_path / "said.wav"))
    assert quiet.command(25)[3:5] == ["-a", "25"] and quiet.amplitude(100) == 100
    assert EspeakSpeaker("s", max_amplitude=180).amplitude(50) == 90
    quiet.open()
    try:
        assert _said(quiet) == Outcome.FINISHED
        soft = measure(str(tmp_path / "said.wav")).rms
        quiet.set_volume(100)
        assert _said(quiet) == Outcome.FINISHED
        loud = measure(str(tmp_path / "said.wav")).rms
    finally:
        quiet.close()
    assert loud / soft == pytest.approx(4.0, rel=0.25)


def test_the_text_goes_to_stdin_never_onto_the_command_line(to_file, tmp_path):
    sneaky = f"-w {tmp_path / 'elsewhere.wav'} 你好"
    assert all(sneaky not in part for part in to_file.command(80))
    assert _said(to_file, sneaky) == Outcome.FINISHED
    assert not (tmp_path / "elsewhere.wav").exists()
    assert measure(str(tmp_path / "said.wav")).seconds > 0.5


def _espeak_children() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:]
        if name == "espeak-ng" and int(rest.split()[1]) == os.getpid():
            found.append(int(entry.name))
    return found


def test_cutting_off_kills_the_espeak_process(tmp_path):
    speaker = EspeakSpeaker("speaker", player=command(str(tmp_path / "heard.wav"), 1.0))
    speaker.open()
    try:
        said = speaker.say(GUIDANCE * 3)
        deadline = time.monotonic() + WAIT_S
        while not _espeak_children() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _espeak_children(), "espeak-ng never ran"
        time.sleep(0.3)
        assert speaker.stop() and speaker.wait(said, 1.0) == Outcome.INTERRUPTED
        assert _espeak_children() == []  # killed and reaped, not left playing
        assert speaker.status == DeviceStatus.ONLINE
    finally:
        speaker.close()


def test_a_missing_binary_is_no_device_with_a_clear_message_never_a_silent_no_op(tmp_path):
    speaker = EspeakSpeaker("speaker", binary=str(tmp_path / "espeak-ng"))
    with pytest.raises(DeviceNotFoundError) as caught:
        speaker.open()
    assert speaker.status == DeviceStatus.NO_DEVICE
    for part in ("espeak-ng not found", str(tmp_path / "espeak-ng"), "apt-get install"):
        assert part in str(caught.value) and part in speaker.detail
    with pytest.raises(DeviceNotFoundError, match="espeak-ng not found"):
        speaker.say(GUIDANCE)


def test_the_binary_disappearing_is_noticed_by_the_health_check(tmp_path):
    link = tmp_path / "espeak-ng"
    link.symlink_to(ESPEAK)
    speaker = EspeakSpeaker("speaker", binary=str(link), wav_file=str(tmp_path / "s.wav"))
    speaker.open()
    try:
        link.unlink()
        assert speaker.check() == DeviceStatus.NO_DEVICE
        assert "espeak-ng not found" in speaker.detail
    finally:
        speaker.close()


def _fake_espeak(tmp_path: Path, failing_body: str) -> str:
    """espeak-ng for open()'s probes; ``failing_body`` (shell) when asked to speak."""
    script = tmp_path / "espeak-ng"
    script.write_text(f'#!/bin/sh\ncase " $* " in *" -q "*|*--version*) exec {ESPEAK} "$@";;\n'
                      f"esac\n{failing_body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_espeak_exiting_with_an_error_is_a_hardware_error_until_reopened(tmp_path):
    binary = _fake_espeak(tmp_path, "cat >/dev/null; echo 'synthesis crashed' >&2; exit 3")
    speaker = EspeakSpeaker("speaker", binary=binary, wav_file=str(tmp_path / "s.wav"))
    speaker.open()
    try:
        assert _said(speaker) == Outcome.FAILED
        assert speaker.status == DeviceStatus.HARDWARE_ERROR
        assert "exited with 3" in speaker.detail and "synthesis crashed" in speaker.detail
        assert speaker.counters["failed"] == 1
        with pytest.raises(SpeechError, match="hardwareError"):
            speaker.say(GUIDANCE)
        speaker.close()  # what the device manager does: close, then open again
        speaker.open()
        assert speaker.status == DeviceStatus.ONLINE
    finally:
        speaker.close()


def test_an_error_message_with_exit_code_0_is_a_hardware_error(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    speaker = EspeakSpeaker("speaker", wav_file=str(folder / "said.wav"))
    speaker.open()
    try:
        folder.rmdir()  # espeak-ng says "Can't write to ..." and exits 0
        assert _said(speaker) == Outcome.FAILED
        assert speaker.status == DeviceStatus.HARDWARE_ERROR
        assert "Can't write" in speaker.detail
    finally:
        speaker.close()


def test_an_unknown_voice_is_refused_at_open(tmp_path):
    speaker = EspeakSpeaker("speaker", voice="xx-nonesuch", wav_file=str(tmp_path / "s.wav"))
    with pytest.raises(SpeechError, match="voice does not exist"):
        speaker.open()
    assert speaker.status == DeviceStatus.HARDWARE_ERROR


def test_a_failing_player_is_a_hardware_error(tmp_path):
    player = [sys.executable, "-c", "import sys; sys.stdin.buffer.read(10); sys.exit(4)"]
    speaker = EspeakSpeaker("speaker", player=player)
    speaker.open()
    try:
        assert _said(speaker) == Outcome.FAILED
        assert speaker.status == DeviceStatus.HARDWARE_ERROR
        assert "audio player" in speaker.detail and "exited with 4" in speaker.detail
    finally:
        speaker.close()


@pytest.mark.skipif(Path("/proc/asound/cards").exists(), reason="this machine has a sound card")
def test_no_sound_card_is_no_device_at_open():
    speaker = EspeakSpeaker("speaker")  # espeak-ng playing to the default sound device
    with pytest.raises(DeviceNotFoundError, match="no sound device"):
        speaker.open()
    assert speaker.status == DeviceStatus.NO_DEVICE
