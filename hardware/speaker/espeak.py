"""EspeakSpeaker: voice guidance with espeak-ng, one subprocess per utterance.

The voice is ``cmn-latn-pinyin`` (Mandarin; Latin letters read as pinyin): the plain
``cmn`` voice switches to English for some characters (读卡区 comes out as English words).
The text goes to espeak-ng's stdin, never on its command line (no option injection, nothing
personal in the process list). The volume 0..100 becomes ``-a`` 0..``max_amplitude``.

Where the sound goes (at most one of ``player`` and ``wav_file``):
- neither: espeak-ng plays to the sound device itself (``audio_device``: its ``-d``);
- ``player``: ``espeak-ng --stdout | player...`` (e.g. ``["aplay", "-q"]``, or a test's
  paced sink, `hardware.speaker.fake_player`);
- ``wav_file``: each utterance is written to that file with ``-w`` (checks, tests).

Cutting off an utterance kills the subprocesses. The binary missing (at open, at each
poll, at each utterance) is NO_DEVICE with a message saying what to install, never a
silent no-op; so is no sound device. espeak-ng exiting non-zero, or writing an error while
exiting 0 (it does that when it cannot write or play), is HARDWARE_ERROR.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from typing import IO, Sequence

from hardware.base import DeviceInfo
from hardware.errors import DeviceNotFoundError, SpeechError
from hardware.speaker.interface import Outcome, Speaker, Utterance

POLL_S = 0.02
PROBE_TIMEOUT_S = 5.0
INSTALL_HINT = "install the Debian package espeak-ng (apt-get install espeak-ng)"
_ERROR = re.compile(r"\berror\b|can't|cannot|unknown pcm", re.IGNORECASE)
_NO_SOUND_DEVICE = re.compile(r"cannot find card|unknown pcm|no such device|audio open error",
                              re.IGNORECASE)


class EspeakSpeaker(Speaker):
    """A speaker that runs espeak-ng; options as in `hardware.speaker.options`."""

    def __init__(self, name: str, *, volume: int = 80, binary: str = "espeak-ng",
                 voice: str = "cmn-latn-pinyin", english_voice: str = "en",
                 words_per_minute: int = 150,
                 max_amplitude: int = 100, audio_device: str = "",
                 player: Sequence[str] = (), wav_file: str = "",
                 max_utterance_s: float = 60.0) -> None:
        super().__init__(name, volume=volume)
        if player and wav_file:
            raise ValueError("give at most one of player and wav_file")
        self.binary, self.voice = binary, voice
        self.english_voice = english_voice  # "" : English is read with `voice` too
        self.words_per_minute, self.max_amplitude = words_per_minute, max_amplitude
        self.audio_device, self.player, self.wav_file = audio_device, tuple(player), wav_file
        self.max_utterance_s = max_utterance_s
        sink = (f"player {self.player[0]}" if self.player else f"file {wav_file}" if wav_file
                else f"sound device {audio_device or 'default'}")
        self.transport = f"espeak-ng {voice} -> {sink}"
        self._info = DeviceInfo(model="espeak-ng", transport=self.transport)

    def amplitude(self, volume: int) -> int:
        """espeak-ng's ``-a`` for a volume 0..100."""
        return round(volume * self.max_amplitude / 100)

    def voice_for(self, language: str) -> str:
        """The espeak-ng voice that reads ``language`` ("en" or else Mandarin)."""
        return self.english_voice if language == "en" and self.english_voice else self.voice

    def command(self, volume: int, language: str = "zh") -> list[str]:
        """The espeak-ng command line for one utterance (the text goes to its stdin)."""
        cmd = [self._binary_path(), "-v", self.voice_for(language),
               "-a", str(self.amplitude(volume)),
               "-s", str(self.words_per_minute), "-b", "1", "--stdin"]
        if self.wav_file:
            return cmd + ["-w", self.wav_file]
        if self.player:
            return cmd + ["--stdout"]
        return cmd + (["-d", self.audio_device] if self.audio_device else [])

    # -- driver hooks --------------------------------------------------------------------
    def _connect(self) -> None:
        """Find the binary (and player), check the voice and, when espeak-ng plays itself,
        the sound device (a silent full stop at amplitude 0). Blocks up to ~10 s."""
        if (missing := self._absent()) is not None:
            raise DeviceNotFoundError(missing)
        if self.wav_file and not os.path.isdir(os.path.dirname(self.wav_file) or "."):
            raise SpeechError(f"wav_file {self.wav_file!r}: its folder does not exist")
        version = self._probe([self._binary_path(), "--version"], b"")
        found = re.search(r"\d+\.\d+(\.\d+)?", version)
        self._info = DeviceInfo(model="espeak-ng", firmware=found.group(0) if found else "",
                                transport=self.transport)
        if self.wav_file or self.player:
            probe = [self._binary_path(), "-q", "-v", self.voice, "--stdin"]
        else:
            probe = self.command(0) + ["-z"]
        self._probe(probe, "。".encode("utf-8"))

    def _disconnect(self) -> None:
        pass

    def _absent(self) -> str | None:
        if shutil.which(self.binary) is None:
            return f"espeak-ng not found (binary {self.binary!r}): {INSTALL_HINT}"
        if self.player and shutil.which(self.player[0]) is None:
            return f"audio player {self.player[0]!r} not found (option 'player')"
        return None

    def _speak(self, utterance: Utterance, cancel: threading.Event) -> Outcome:
        with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as player_err:
            procs = self._start(utterance, err, player_err)
            try:
                deadline = time.monotonic() + self.max_utterance_s
                while any(p.poll() is None for p in procs):
                    if cancel.wait(POLL_S):
                        return Outcome.INTERRUPTED
                    if time.monotonic() > deadline:
                        raise SpeechError(f"espeak-ng did not finish an utterance within "
                                          f"{self.max_utterance_s:.0f} s")
            finally:
                _kill(procs)
            if self.player:  # first: espeak-ng dies of SIGPIPE when its player failed
                self._check_exit(procs[1].returncode, _tail(player_err),
                                 f"audio player {self.player[0]!r}")
            self._check_exit(procs[0].returncode, _tail(err), "espeak-ng")
        return Outcome.FINISHED

    # -- helpers -------------------------------------------------------------------------
    def _binary_path(self) -> str:
        return shutil.which(self.binary) or self.binary

    def _start(self, utterance: Utterance, err: IO[bytes],
               player_err: IO[bytes]) -> list[subprocess.Popen]:
        try:
            synth = subprocess.Popen(self.command(utterance.volume, utterance.language),
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE if self.player
                                     else subprocess.DEVNULL, stderr=err)
        except FileNotFoundError as exc:
            raise DeviceNotFoundError(f"espeak-ng not found (binary {self.binary!r}): "
                                      f"{INSTALL_HINT}") from exc
        except OSError as exc:
            raise SpeechError(f"cannot start espeak-ng ({self.binary!r}): {exc}") from exc
        procs = [synth]
        if self.player:
            try:
                procs.append(subprocess.Popen(list(self.player), stdin=synth.stdout,
                                              stdout=subprocess.DEVNULL, stderr=player_err))
            except OSError as exc:
                _kill(procs)
                error = DeviceNotFoundError if isinstance(exc, FileNotFoundError) \
                    else SpeechError
                raise error(f"cannot start audio player {self.player[0]!r}: {exc}") from exc
            finally:
                synth.stdout.close()  # type: ignore[union-attr]  # the player holds it now
        with contextlib.suppress(BrokenPipeError):  # it exited early: its status tells why
            synth.stdin.write(utterance.text.encode("utf-8"))  # type: ignore[union-attr]
        with contextlib.suppress(BrokenPipeError):
            synth.stdin.close()  # type: ignore[union-attr]
        return procs

    def _check_exit(self, code: int | None, message: str, what: str) -> None:
        sounding = what != "espeak-ng" or not (self.wav_file or self.player)  # plays it
        if sounding and _NO_SOUND_DEVICE.search(message):
            raise DeviceNotFoundError(f"no sound device: {what}: {message}")
        if code != 0:
            raise SpeechError(f"{what} exited with {code}: {message or 'no message'}")
        if _ERROR.search(message):
            raise SpeechError(f"{what} reported an error: {message}")

    def _probe(self, cmd: list[str], stdin: bytes) -> str:
        """Run a short espeak-ng command (open's probes); its stdout. Raises as `_speak`."""
        try:
            done = subprocess.run(cmd, input=stdin, capture_output=True,
                                  timeout=PROBE_TIMEOUT_S, check=False)
        except FileNotFoundError as exc:
            raise DeviceNotFoundError(f"espeak-ng not found (binary {self.binary!r}): "
                                      f"{INSTALL_HINT}") from exc
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"espeak-ng probe failed: {exc}") from exc
        self._check_exit(done.returncode, _last_lines(done.stderr), "espeak-ng")
        return done.stdout.decode("utf-8", "replace")


def _kill(procs: list[subprocess.Popen]) -> None:
    """End every process still running and reap them all; never raises."""
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.kill()
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2.0)
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()


def _tail(stream: IO[bytes]) -> str:
    stream.seek(0, os.SEEK_END)
    stream.seek(max(0, stream.tell() - 4096))
    return _last_lines(stream.read())


def _last_lines(data: bytes, count: int = 2) -> str:
    """The last ``count`` non-empty lines of a process's stderr, on one line."""
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()
             if line.strip()]
    return " | ".join(lines[-count:])[:300]
