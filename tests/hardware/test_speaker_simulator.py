"""SimulatedSpeaker: what it records is what was said, at its speaking rate; speaking is
not a status change; unplugging is noDevice; bad arguments are refused."""

from __future__ import annotations

import logging
import queue
import time

import pytest

from hardware.base import DeviceStatus, StatusChanged
from hardware.errors import DeviceBusyError, DeviceNotFoundError
from hardware.speaker import Outcome, SimulatedSpeaker, SpeechEnded
from hardware.speaker.interface import MAX_TEXT_LENGTH, MAX_WAITING

TEXT = "请在下方输入您的手机号码。"  # 13 characters


def _until_current(speaker: SimulatedSpeaker, utterance: int) -> None:
    deadline = time.monotonic() + 2.0
    while speaker.current != utterance and time.monotonic() < deadline:
        time.sleep(0.005)
    assert speaker.current == utterance


@pytest.fixture
def sim():
    speaker = SimulatedSpeaker("speaker", volume=70, chars_per_second=50.0)
    speaker.open()
    yield speaker
    speaker.close()


def test_every_utterance_spoken_is_recorded_with_text_volume_times_and_outcome(sim):
    first = sim.say(TEXT)
    _until_current(sim, first)
    time.sleep(0.08)
    sim.set_volume(30)
    second = sim.say("谢谢。")
    assert sim.wait(second, 2.0) == Outcome.FINISHED
    cut, done = sim.spoken
    assert (cut.id, cut.text, cut.volume, cut.outcome) == (first, TEXT, 70, Outcome.INTERRUPTED)
    assert cut.interrupted and 0 < cut.chars_said < len(TEXT)
    assert (done.id, done.text, done.volume, done.chars_said) == (second, "谢谢。", 30, 3)
    assert done.finished and done.started_at >= cut.ended_at
    assert done.ended_at - done.started_at == pytest.approx(sim.duration_s("谢谢。"), abs=0.04)


def test_an_utterance_takes_its_length_over_the_speaking_rate(sim):
    started = time.monotonic()
    assert sim.wait(sim.say(TEXT), 2.0) == Outcome.FINISHED
    assert time.monotonic() - started == pytest.approx(len(TEXT) / 50.0, abs=0.08)


def test_cancelled_utterances_are_never_recorded_as_spoken(sim):
    _until_current(sim, sim.say(TEXT))
    waiting = sim.say("第二句。", interrupt=False)
    sim.say("改说这一句。")
    assert sim.wait(waiting) == Outcome.CANCELLED
    assert sim.wait_idle(2.0)
    assert "第二句。" not in [s.text for s in sim.spoken]
    assert sim.counters["cancelled"] == 1


def test_speaking_stays_online_without_status_events(sim):
    events: queue.Queue = queue.Queue()
    sim.subscribe(events.put)
    sim.wait(sim.say(TEXT), 2.0)
    seen = [events.get_nowait() for _ in range(events.qsize())]
    assert not any(isinstance(e, StatusChanged) for e in seen)
    assert [e.outcome for e in seen if isinstance(e, SpeechEnded)] == [Outcome.FINISHED]
    assert sim.status == DeviceStatus.ONLINE


def test_unplugging_is_no_device_and_a_reopen_after_replug_speaks_again(sim):
    speaking = sim.say(TEXT)
    _until_current(sim, speaking)
    waiting = sim.say("下一句。", interrupt=False)
    sim.unplug()
    assert sim.wait(speaking, 2.0) == Outcome.FAILED
    assert sim.wait(waiting) == Outcome.CANCELLED
    assert sim.status == DeviceStatus.NO_DEVICE
    with pytest.raises(DeviceNotFoundError, match="unplugged"):
        sim.say(TEXT)
    sim.close()
    with pytest.raises(DeviceNotFoundError):
        sim.open()
    sim.replug()
    sim.close()
    sim.open()
    assert sim.status == DeviceStatus.ONLINE
    assert sim.wait(sim.say(TEXT), 2.0) == Outcome.FINISHED


def test_the_health_check_notices_an_unplugged_speaker_that_is_silent(sim):
    sim.unplug()
    assert sim.check() == DeviceStatus.NO_DEVICE


@pytest.mark.parametrize("text", ["", "   ", None, "字" * (MAX_TEXT_LENGTH + 1)])
def test_an_empty_or_over_long_text_is_refused(sim, text):
    with pytest.raises(ValueError):
        sim.say(text)  # type: ignore[arg-type]


def test_too_many_follow_ups_are_refused_not_dropped(sim):
    _until_current(sim, sim.say(TEXT * 10))
    for _ in range(MAX_WAITING):
        sim.say("再一句。", interrupt=False)
    with pytest.raises(DeviceBusyError):
        sim.say("太多了。", interrupt=False)
    sim.say("打断。")  # an interrupting one is always taken


def test_a_listener_may_speak_from_the_speech_thread(sim):
    replies: list[int] = []

    def on_event(event: object) -> None:
        if isinstance(event, SpeechEnded) and not replies:
            replies.append(sim.say("好的。"))

    sim.subscribe(on_event)
    sim.say("你好。")
    deadline = time.monotonic() + 2.0
    while not replies and time.monotonic() < deadline:
        time.sleep(0.01)
    assert replies and sim.wait(replies[0], 2.0) == Outcome.FINISHED


def test_logs_tell_ids_and_lengths_never_the_text(sim, caplog):
    caplog.set_level(logging.DEBUG, logger="hardware")
    sim.wait(sim.say("张*三，您的号码是A012。"), 2.0)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "#1" in logged and "A012" not in logged and "张" not in logged


def test_bad_construction_values_are_refused():
    with pytest.raises(ValueError):
        SimulatedSpeaker("speaker", volume=101)
    with pytest.raises(ValueError):
        SimulatedSpeaker("speaker", chars_per_second=0)
