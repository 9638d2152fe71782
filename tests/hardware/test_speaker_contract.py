"""One contract for every speaker: the simulator and espeak-ng playing into a paced fake
sound card (`hardware.speaker.fake_player`, real processes, real WAV audio).

What the kiosk relies on, whatever the driver: ONLINE after open; `say` returns at once and
the utterance is said to the end; a new `say` or `stop` really cuts off what is being said;
follow-ups wait their turn; `repeat` says the last guidance again; the volume applies from
the next utterance and `reset_volume` goes back to the configured one; a closed speaker
refuses to speak with a typed error.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

from hardware.base import DeviceStatus, StatusChanged
from hardware.errors import SpeechError
from hardware.speaker import EspeakSpeaker, Outcome, SimulatedSpeaker, Speaker, SpeechEnded, \
    SpeechStarted
from hardware.speaker.fake_player import command, measure

LONG = "请将您的第二代居民身份证放在下方的读卡区，听到提示音后再拿开。"  # 31 characters
SHORT = "请稍候。"
WAIT_S = 10.0


@dataclass
class Rig:
    """A speaker and what the room heard: per utterance, seconds of sound and loudness."""

    speaker: Speaker
    heard: Callable[[], list[tuple[float, float]]]  # (seconds, loudness) in order
    sounding: Callable[[], int]  # how many utterances have reached the sound so far
    events: queue.Queue

    def until_sounding(self, utterance: int, count: int, after_s: float = 0.0) -> None:
        """Wait until ``utterance`` is being said and is the ``count``-th to be heard."""
        deadline = time.monotonic() + WAIT_S
        while (self.speaker.current != utterance or self.sounding() < count) \
                and time.monotonic() < deadline:
            time.sleep(0.005)
        assert self.speaker.current == utterance, "the utterance never started"
        assert self.sounding() >= count, "the utterance never reached the sound device"
        time.sleep(after_s)

    def heard_after(self, count: int) -> list[tuple[float, float]]:
        """What was heard, once ``count`` utterances have reached the sound device."""
        deadline = time.monotonic() + WAIT_S
        while len(got := self.heard()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return got

    def speech_events(self) -> list:
        """The speech events that arrived since the last call (status changes left out)."""
        seen = []
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return seen
            if not isinstance(event, StatusChanged):
                seen.append(event)

    def ended(self) -> list[SpeechEnded]:
        return [e for e in self.speech_events() if isinstance(e, SpeechEnded)]


def _sim_rig(tmp_path: Path) -> Iterator[Rig]:
    sim = SimulatedSpeaker("speaker", volume=60, chars_per_second=80.0)

    def heard() -> list[tuple[float, float]]:
        return [(s.chars_said / sim.chars_per_second, float(s.volume))
                for s in sim.spoken if s.outcome is not None]

    yield Rig(sim, heard, lambda: len(sim.spoken), queue.Queue())
    sim.close()


def _espeak_rig(tmp_path: Path) -> Iterator[Rig]:
    speaker = EspeakSpeaker("speaker", volume=60, words_per_minute=300,
                            player=command(str(tmp_path / "heard-{n}.wav"), speed=6.0))

    def files() -> list[Path]:
        found = sorted(tmp_path.glob("heard-*.wav"), key=lambda p: int(p.stem.split("-")[1]))
        return [p for p in found if p.stat().st_size > 1000]  # header and some sound

    def heard() -> list[tuple[float, float]]:
        if speaker.speaking:
            return []  # the file of the utterance being said is still growing
        return [(r.seconds, r.rms) for r in map(measure, map(str, files()))]

    yield Rig(speaker, heard, lambda: len(files()), queue.Queue())
    speaker.close()


@pytest.fixture(params=["simulator", "espeak-ng"])
def rig(request, tmp_path) -> Iterator[Rig]:
    make = _sim_rig if request.param == "simulator" else _espeak_rig
    for built in make(tmp_path):
        built.speaker.subscribe(built.events.put)
        yield built


@pytest.fixture
def opened(rig: Rig) -> Rig:
    rig.speaker.open()
    return rig


def test_open_reports_online_with_a_running_speech_thread(rig):
    rig.speaker.open()
    assert rig.speaker.status == DeviceStatus.ONLINE and rig.speaker.worker_alive
    assert rig.events.get(timeout=1).status == DeviceStatus.ONLINE
    assert rig.speaker.check() == DeviceStatus.ONLINE and not rig.speaker.speaking


def test_an_utterance_is_said_to_the_end_and_reported_started_then_finished(opened):
    first = opened.speaker.say(SHORT)
    assert opened.speaker.wait(first, WAIT_S) == Outcome.FINISHED
    events = opened.speech_events()
    assert [(type(e), e.utterance_id) for e in events] == [(SpeechStarted, first),
                                                          (SpeechEnded, first)]
    assert events[1].outcome == Outcome.FINISHED
    seconds, loudness = opened.heard_after(1)[0]
    assert seconds > 0.02 and loudness > 0
    assert not opened.speaker.speaking and opened.speaker.status == DeviceStatus.ONLINE


def test_a_new_say_cuts_off_what_is_being_said(opened):
    long_one = opened.speaker.say(LONG)
    opened.until_sounding(long_one, 1, after_s=0.15)
    short_one = opened.speaker.say(SHORT)
    assert opened.speaker.wait(long_one, 1.0) == Outcome.INTERRUPTED
    assert opened.speaker.wait(short_one, WAIT_S) == Outcome.FINISHED
    full = opened.speaker.say(LONG)
    assert opened.speaker.wait(full, WAIT_S) == Outcome.FINISHED
    (cut, _), _, (whole, _) = opened.heard_after(3)
    assert 0 < cut < whole * 0.6, f"interrupted after {cut:.2f} s of {whole:.2f} s"


def test_stop_silences_at_once_and_drops_what_waits(opened):
    speaking = opened.speaker.say(LONG)
    waiting = opened.speaker.say(SHORT, interrupt=False)
    opened.until_sounding(speaking, 1, after_s=0.1)
    started = time.monotonic()
    assert opened.speaker.stop() is True
    assert opened.speaker.wait_idle(1.0)
    assert time.monotonic() - started < 0.5
    assert opened.speaker.wait(speaking) == Outcome.INTERRUPTED
    assert opened.speaker.wait(waiting) == Outcome.CANCELLED
    assert opened.speaker.stop() is False  # nothing left to stop
    outcomes = {e.utterance_id: e.outcome for e in opened.ended()}
    assert outcomes == {speaking: Outcome.INTERRUPTED, waiting: Outcome.CANCELLED}
    assert len(opened.heard_after(1)) == 1  # the cancelled one never reached the sound


def test_follow_ups_wait_their_turn(opened):
    ids = [opened.speaker.say(SHORT), opened.speaker.say("第二句。", interrupt=False),
           opened.speaker.say("第三句。", interrupt=False)]
    assert [opened.speaker.wait(i, WAIT_S) for i in ids] == [Outcome.FINISHED] * 3
    ended = [e.utterance_id for e in opened.ended()]
    assert ended == ids


def test_repeat_says_the_last_guidance_again_with_its_follow_ups(opened):
    assert opened.speaker.repeat() is None  # nothing said yet
    opened.speaker.wait(opened.speaker.say("第一句。"), WAIT_S)
    opened.speaker.say(SHORT)  # the guidance on screen now: SHORT and its follow-up
    follow_up = opened.speaker.say("第三句话要长一些。", interrupt=False)
    assert opened.speaker.wait(follow_up, WAIT_S) == Outcome.FINISHED
    first = opened.speaker.repeat()
    assert first is not None and first > follow_up
    assert opened.speaker.wait(first + 1, WAIT_S) == Outcome.FINISHED
    heard = [seconds for seconds, _loudness in opened.heard_after(5)]
    assert len(heard) == 5
    assert heard[3:] == pytest.approx(heard[1:3], rel=0.05)
    assert heard[2] > heard[1] * 1.3


def test_the_volume_applies_to_the_next_utterance_and_resets_to_the_configured_one(opened):
    speaker = opened.speaker
    assert (speaker.volume, speaker.default_volume) == (60, 60)
    speaker.wait(speaker.say(SHORT), WAIT_S)
    speaker.set_volume(15)
    speaker.wait(speaker.say(SHORT), WAIT_S)
    speaker.reset_volume()
    assert speaker.volume == 60
    speaker.wait(speaker.say(SHORT), WAIT_S)
    normal, quiet, reset = (loudness for _s, loudness in opened.heard_after(3))
    assert quiet < normal * 0.5
    assert reset == pytest.approx(normal, rel=0.05)
    for wrong in (-1, 101, 50.0, True, "80"):
        with pytest.raises(ValueError):
            speaker.set_volume(wrong)  # type: ignore[arg-type]
    assert speaker.volume == 60


def test_the_caller_is_never_blocked_while_it_speaks(opened):
    speaker = opened.speaker
    slowest = 0.0
    for i in range(12):
        started = time.monotonic()
        speaker.say(LONG if i % 2 else SHORT, interrupt=i % 3 != 0)
        speaker.set_volume(40 + i)
        if i % 4 == 3:
            speaker.repeat()
        slowest = max(slowest, time.monotonic() - started)
        time.sleep(0.01)
    started = time.monotonic()
    speaker.stop()
    slowest = max(slowest, time.monotonic() - started)
    assert slowest < 0.05, f"a call took {slowest * 1000:.0f} ms"
    assert speaker.wait_idle(2.0) and speaker.status == DeviceStatus.ONLINE


def test_a_closed_speaker_refuses_to_speak_and_close_is_safe_to_repeat(opened):
    speaking = opened.speaker.say(LONG)
    opened.until_sounding(speaking, 1)
    opened.speaker.close()
    opened.speaker.close()
    assert opened.speaker.status == DeviceStatus.OFFLINE and not opened.speaker.worker_alive
    assert opened.speaker.wait(speaking) == Outcome.INTERRUPTED
    with pytest.raises(SpeechError, match="offline"):
        opened.speaker.say(SHORT)
    opened.speaker.open()
    assert opened.speaker.wait(opened.speaker.say(SHORT), WAIT_S) == Outcome.FINISHED



def test_an_utterance_keeps_its_language_through_repeat_and_unknown_ones_are_refused(opened):
    first = opened.speaker.say("Home.", language="en")
    assert opened.speaker.wait(first, WAIT_S) == Outcome.FINISHED
    again = opened.speaker.repeat()
    assert opened.speaker.wait(again, WAIT_S) == Outcome.FINISHED
    with pytest.raises(ValueError, match="language"):
        opened.speaker.say("Bonjour.", language="fr")
    assert "en" in opened.speaker.capabilities()["languages"]
