"""The online/offline state follows real call outcomes and tells listeners of changes only."""

from __future__ import annotations

from kiosk.connectivity import Connectivity, LinkState
from tests.clocks import FakeClock


def test_the_state_is_unknown_until_a_call_has_ended():
    assert Connectivity().status.state is LinkState.UNKNOWN


def test_one_failed_call_is_offline_and_one_answer_is_online_again():
    clock = FakeClock(100.0)
    link = Connectivity(clock=clock)
    seen = []
    link.subscribe(seen.append)
    link.report(False, "connection refused")
    clock.advance(5)
    link.report(False, "timeout")
    status = link.status
    assert status.state is LinkState.OFFLINE and status.since == 100.0
    assert status.consecutive_failures == 2 and status.last_failure == "timeout"
    clock.advance(5)
    link.report(True)
    assert link.status.online and link.status.last_ok_at == 110.0
    assert link.status.consecutive_failures == 0
    assert [s.state for s in seen] == [LinkState.OFFLINE, LinkState.ONLINE]
