"""Device events reach the session on the scheduler's thread."""

from __future__ import annotations

from hardware.base import DeviceKind, DeviceStatus, StatusChanged
from hardware.card_reader import CardRemoved
from kiosk.device_bridge import DeviceBridge
from kiosk.session import Session, SessionState, SessionTimings
from tests.clocks import FakeClock


class Source:
    def __init__(self) -> None:
        self.listeners = []

    def subscribe(self, listener):
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def emit(self, event) -> None:
        for listener in list(self.listeners):
            listener(event)


def make_session() -> Session:
    return Session(SessionTimings(90, 30, 3, 60), default_language="zh_CN",
                   languages=("zh_CN", "en"), clock=FakeClock())


def test_card_removed_ends_the_session_through_the_scheduler():
    queued = []
    session, source = make_session(), Source()
    DeviceBridge(source, session, schedule=queued.append)
    session.identify("张小三")
    source.emit(CardRemoved("idcard"))
    assert session.state is SessionState.ACTIVE  # nothing happens on the device thread
    for job in queued:
        job()
    assert session.state is SessionState.IDLE and len(session.data) == 0


def test_status_changes_ask_for_a_new_availability_and_close_unsubscribes():
    calls = []
    source = Source()
    bridge = DeviceBridge(source, make_session(), schedule=lambda job: job(),
                          on_status_change=lambda: calls.append(1))
    change = StatusChanged("printer", DeviceKind.PRINTER, DeviceStatus.USER_ERROR,
                           DeviceStatus.ONLINE, "paper end")
    source.emit(change)
    assert calls == [1]
    bridge.close()
    source.emit(change)
    assert calls == [1]
