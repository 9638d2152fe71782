"""The session state machine, without a window."""

from __future__ import annotations

import pytest

from kiosk.session import (EndReason, PreferencesChanged, Session, SessionEnded,
                           SessionExtended, SessionStarted, SessionState, SessionTimings,
                           WarningCountdown, WarningStarted)
from tests.clocks import FakeClock


TIMINGS = SessionTimings(idle_timeout_s=90, warning_s=30, elderly_idle_factor=3.0,
                         elderly_warning_s=60)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session(clock: FakeClock) -> Session:
    return Session(TIMINGS, default_language="zh_CN", languages=("zh_CN", "en"), clock=clock)


@pytest.fixture
def events(session: Session) -> list:
    seen: list = []
    session.subscribe(seen.append)
    return seen


def run_for(session: Session, clock: FakeClock, seconds: float, step: float = 1.0) -> None:
    t = 0.0
    while t < seconds:
        clock.advance(step)
        session.tick()
        t += step


def test_first_touch_starts_a_session(session, events):
    assert session.state is SessionState.IDLE
    session.touch()
    assert session.state is SessionState.ACTIVE
    assert events == [SessionStarted(1)]


def test_ticks_without_a_session_do_nothing(session, clock, events):
    run_for(session, clock, 1000)
    assert session.state is SessionState.IDLE
    assert events == []


def test_idle_limit_shows_warning_then_timeout_ends_session(session, clock, events):
    session.touch()
    run_for(session, clock, 89)
    assert session.state is SessionState.ACTIVE
    run_for(session, clock, 1)
    assert session.state is SessionState.WARNING
    assert WarningStarted(30) in events
    assert session.warning_seconds_left() == 30
    run_for(session, clock, 29)
    assert session.state is SessionState.WARNING
    assert session.warning_seconds_left() == 1
    run_for(session, clock, 1)
    assert session.state is SessionState.IDLE
    assert isinstance(events[-1], SessionEnded)
    assert events[-1].reason is EndReason.TIMEOUT


def test_countdown_events_count_down_each_second(session, clock, events):
    session.touch()
    run_for(session, clock, 90)
    run_for(session, clock, 5)
    counts = [e.seconds_left for e in events if isinstance(e, WarningCountdown)]
    assert counts == [29, 28, 27, 26, 25]


def test_touch_restarts_idle_timer(session, clock):
    session.touch()
    run_for(session, clock, 80)
    session.touch()
    run_for(session, clock, 80)
    assert session.state is SessionState.ACTIVE


def test_touch_during_warning_does_not_dismiss_it(session, clock):
    session.touch()
    run_for(session, clock, 90)
    session.touch()
    assert session.state is SessionState.WARNING


def test_more_time_returns_to_active_with_a_fresh_limit_as_often_as_needed(session, clock, events):
    session.touch()
    for n in range(1, 13):  # WCAG 2.2.1 asks for at least 10 extensions
        run_for(session, clock, 90)
        assert session.state is SessionState.WARNING
        session.extend()
        assert session.state is SessionState.ACTIVE
        assert SessionExtended(n) in events
    run_for(session, clock, 89)
    assert session.state is SessionState.ACTIVE


def test_extend_outside_warning_is_ignored(session, events):
    session.extend()
    session.touch()
    session.extend()
    assert session.state is SessionState.ACTIVE
    assert not any(isinstance(e, SessionExtended) for e in events)


def test_elderly_mode_has_longer_idle_limit_and_warning(session, clock):
    session.set_elderly(True)
    run_for(session, clock, 269)
    assert session.state is SessionState.ACTIVE
    run_for(session, clock, 1)
    assert session.state is SessionState.WARNING
    assert session.warning_seconds_left() == 60


def test_finish_wipes_personal_data_and_resets_preferences(session, events):
    session.touch()
    session.set_elderly(True)
    session.set_language("en")
    photo = bytearray(b"\xff\xd8jpeg")
    answers = {"name": "张小三", "id": "310101199001011234"}
    session.data.put("photo", photo)
    session.data.put("answers", answers)
    session.finish()
    assert session.state is SessionState.IDLE
    assert len(session.data) == 0
    assert photo == bytearray(len(photo))  # overwritten, not only dropped
    assert answers == {}
    assert session.elderly is False and session.language == "zh_CN"
    assert SessionEnded(EndReason.FINISHED, 0.0) in events
    assert events[-1] == PreferencesChanged(False, "zh_CN")


def test_card_removed_ends_a_running_session(session, events):
    session.touch()
    session.data.put("identity", {"name": "李四"})
    session.card_removed()
    assert session.state is SessionState.IDLE
    assert "identity" not in session.data
    assert events[-1].reason is EndReason.CARD_REMOVED


def test_card_removed_without_session_is_ignored(session, events):
    session.card_removed()
    assert events == []


def test_new_session_starts_clean_after_the_previous_one(session, clock):
    session.touch()
    session.data.put("x", "secret")
    session.finish()
    session.touch()
    assert session.session_no == 2
    assert len(session.data) == 0
    assert session.extensions == 0


def test_elderly_switch_on_home_starts_a_session(session, events):
    session.set_elderly(True)
    assert session.state is SessionState.ACTIVE
    assert events[0] == SessionStarted(1)
    assert events[1] == PreferencesChanged(True, "zh_CN")


def test_unknown_language_is_refused(session):
    with pytest.raises(ValueError):
        session.set_language("fr")


def test_failing_listener_does_not_stop_others(session):
    seen = []

    def broken(event):
        raise RuntimeError("boom")

    session.subscribe(broken)
    session.subscribe(seen.append)
    session.touch()
    assert seen == [SessionStarted(1)]


def test_unsubscribe_stops_delivery(session):
    seen = []
    unsubscribe = session.subscribe(seen.append)
    unsubscribe()
    session.touch()
    assert seen == []


def test_session_log_lines_carry_no_personal_data(session, caplog):
    caplog.set_level("DEBUG")
    session.touch()
    session.data.put("name", "王五")
    session.data.put("id", "310101199001011234")
    session.finish()
    text = caplog.text
    assert "王五" not in text and "310101199001011234" not in text
    assert "ended: finished" in text
