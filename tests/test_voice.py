"""Voice guidance (kiosk/voice.py) against the real simulated speaker, without a window."""

from __future__ import annotations

import logging
import time

import pytest

from hardware.speaker.simulator import SimulatedSpeaker
from kiosk.flows.view import Notice, View
from kiosk.voice import VoiceGuide, speech_for, without_private


@pytest.fixture
def speaker():
    device = SimulatedSpeaker("speaker", volume=70, chars_per_second=400.0)
    device.open()
    yield device
    device.close()


class Mode:
    elderly = False


@pytest.fixture
def guide(speaker):
    mode = Mode()
    g = VoiceGuide(lambda: speaker, lambda: mode.elderly)
    g.mode = mode
    return g


def said(speaker) -> list[str]:
    speaker.wait_idle(5)
    return [u.text for u in speaker.spoken]


def test_guidance_is_silent_in_standard_mode_until_the_resident_asks(guide, speaker):
    guide.show("办事指南。请选择。")
    assert said(speaker) == []
    guide.repeat()
    assert said(speaker) == ["办事指南。请选择。"]
    guide.show("预约取号。请选择日期。")  # on for the rest of the session
    assert said(speaker)[-1] == "预约取号。请选择日期。"


def test_elderly_mode_reads_each_new_screen_once_not_each_redraw(guide, speaker):
    guide.mode.elderly = True
    guide.show("首页。请选择。")
    speaker.wait_idle(5)
    guide.show("首页。请选择。")  # a redraw (theme, language unchanged)
    guide.show("预约取号。")
    assert said(speaker) == ["首页。请选择。", "预约取号。"]


def test_the_same_error_answered_again_is_read_again(guide, speaker):
    guide.mode.elderly = True
    guide.show("密码不对，请再试。")
    speaker.wait_idle(5)
    guide.show("密码不对，请再试。", again=True)
    assert said(speaker) == ["密码不对，请再试。"] * 2


def test_switching_elderly_mode_on_reads_the_screen_and_off_silences_it(guide, speaker):
    guide.show("首页。请选择。")
    guide.mode.elderly = True
    guide.mode_changed()
    assert said(speaker) == ["首页。请选择。"]
    guide.mode.elderly = False
    guide.mode_changed()
    assert not guide.enabled


@pytest.fixture
def talking():
    """An elderly-mode guide part-way through a long sentence on a slow speaker."""
    slow = SimulatedSpeaker("slow", chars_per_second=2.0)
    slow.open()
    g = VoiceGuide(lambda: slow, lambda: True)
    g.show("这是一段很长很长的说明文字。")
    deadline = time.monotonic() + 2
    while not slow.speaking and time.monotonic() < deadline:
        time.sleep(0.01)
    yield g, slow
    slow.close()


def test_stop_silences_now_and_keeps_quiet_for_the_session(talking):
    g, slow = talking
    g.stop()
    slow.wait_idle(2)
    assert slow.spoken[0].interrupted
    g.show("下一页。")
    slow.wait_idle(2)
    assert [u.text for u in slow.spoken] == ["这是一段很长很长的说明文字。"]
    assert not g.enabled


def test_a_touch_cuts_off_the_speech(talking):
    g, slow = talking
    g.acted()
    slow.wait_idle(2)
    assert slow.spoken[0].interrupted
    assert g.enabled  # acting is not turning guidance off


def test_private_data_is_never_spoken_and_the_drop_is_logged(guide, speaker, caplog):
    guide.mode.elderly = True
    with caplog.at_level(logging.WARNING, logger="kiosk.voice"):
        guide.show("您好，张*国。请核对信息。身份证号 310116195203041234。手机 13812345678。"
                   "请点继续。")
    assert said(speaker) == ["请核对信息。请点继续。"]
    assert "3 sentence(s) with private data not spoken" in caplog.text
    assert "张" not in caplog.text


def test_without_private_keeps_appointment_numbers_and_times():
    text, dropped = without_private("您的预约号是 A20261130-0007。请在 09:30 到达。")
    assert dropped == 0 and "A20261130-0007" in text and "09:30" in text


def test_volume_steps_and_the_session_end_resets_volume_and_choice(guide, speaker):
    guide.show("首页。")
    assert guide.louder() == 80
    speaker.wait_idle(5)
    assert guide.louder() == 90
    assert guide.enabled  # changing the volume means they want to hear it
    assert said(speaker)[-1] == "首页。" and speaker.spoken[-1].volume == 90
    guide.session_ended()
    assert speaker.volume == 70
    assert not guide.enabled
    assert guide.current_text == ""


def test_a_missing_speaker_costs_only_the_sound_and_is_logged_once(caplog):
    g = VoiceGuide(lambda: None, lambda: True)
    with caplog.at_level(logging.WARNING, logger="kiosk.voice"):
        g.show("首页。")
        g.show("预约取号。")
        g.repeat()
    assert caplog.text.count("could not speak") == 1
    assert not g.available and g.louder() is None


def test_a_failed_speaker_refusal_is_caught(speaker, caplog):
    g = VoiceGuide(lambda: speaker, lambda: True)
    speaker.close()  # say() now raises: the kiosk goes on, the technician log says why
    with caplog.at_level(logging.WARNING, logger="kiosk.voice"):
        g.show("首页。")
    assert "could not speak" in caplog.text


def test_speech_for_a_view_reads_the_notice_first_then_the_flows_own_words():
    plain = View("预约取号", "请选择办理的事项")
    assert speech_for(plain) == "预约取号。 请选择办理的事项。"
    error = View("预约取号", "请选择时间", notice=Notice("error", "这个时间已约满"))
    assert speech_for(error) == "这个时间已约满。 预约取号。 请选择时间。"
    ticket = View("预约凭证", "请按时前来", notice=Notice("success", "预约成功。"),
                  speak="预约成功。 您的预约号是 A1。")
    assert speech_for(ticket) == "预约成功。 您的预约号是 A1。"


def test_speech_follows_the_display_language(speaker):
    language = ["zh_CN"]
    g = VoiceGuide(lambda: speaker, lambda: True, language=lambda: language[0])
    g.show("首页。")
    speaker.wait_idle(5)
    language[0] = "en"
    g.show("Home. Please choose.")
    speaker.wait_idle(5)
    assert [(u.text, u.language) for u in speaker.spoken] == [
        ("首页。", "zh"), ("Home. Please choose.", "en")]
    g.repeat()
    speaker.wait_idle(5)
    assert speaker.spoken[-1].language == "en"
