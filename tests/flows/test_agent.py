"""村居代办 against the real demo platform, the simulated devices and the kiosk's real
encrypted outbox: agent sign-in with staff card or code and PIN, the resident's consent,
an assisted application whose platform audit record names both, sign-out at session end."""

from __future__ import annotations

import json
import logging
import time

import pytest

from demo_platform.agents import AGENTS
from hardware.card_reader.samples import sample_cards, staff_cards
from kiosk.agent_audit import AGENT_AUDIT
from kiosk.assistance import (AGENT, STAFF_CARD_ON_READER, active_assistance, current_agent,
                              staff_card_lifted)
from kiosk.connectivity import Connectivity
from kiosk.device_bridge import DeviceBridge
from kiosk.flows import agent as ag
from kiosk.flows.application_steps import State as AppState
from kiosk.flows.apply import ApplyFlow
from kiosk.flows.base import HOME
from kiosk.flows.identify import AGREE as ID_AGREE
from kiosk.flows.identify import BY_CARD, BY_CODE, card_payload, current_resident
from kiosk.outbox_transport import OutboxTransport
from kiosk.platform_client import ClientSettings, PlatformClient
from kiosk.platform_link import LinkTimings, PlatformLink
from kiosk.session import SessionState
from offline.crypto import OutboxKey
from offline.outbox import Outbox

from .apply_helpers import synced_catalogue
from .conftest import choice_ids, tr_of

LI_PIN, CHEN_PIN = AGENTS[0][6], AGENTS[1][6]
LI_CODE, CHEN_CODE = AGENTS[0][5], AGENTS[1][5]
RESIDENT = sample_cards()[0]            # 张建国


class RecordingLink:
    """The real PlatformLink, with every payload handed to it kept for inspection."""

    def __init__(self, link: PlatformLink) -> None:
        self.link, self.items = link, []

    def submit(self, kind, payload, *, personal=True, key=None):
        self.items.append((kind, json.loads(json.dumps(payload)), personal, key))
        return self.link.submit(kind, payload, personal=personal, key=key)

    def wait_delivered(self, key, timeout_s):
        return self.link.wait_delivered(key, timeout_s)

    def events(self) -> list[str]:
        return [p["event"] for kind, p, _personal, _key in self.items if kind == AGENT_AUDIT]


@pytest.fixture
def outbox(ctx, platform, tmp_path):
    """The kiosk's real outbox path: encrypted Outbox -> PlatformLink -> OutboxTransport."""
    client = PlatformClient(ClientSettings(platform.base_url, "DEMO-JS-0001",
                                           "demo-token-DEMO-JS-0001", retries=0,
                                           backoff_s=0.01), observer=Connectivity().report)
    box = Outbox(tmp_path / "outbox.db", OutboxKey.generate(), backoff_base_s=0.05,
                 backoff_cap_s=1.0)
    transport = OutboxTransport(client)
    link = PlatformLink(box, transport.send, timings=LinkTimings(idle_poll_s=0.05))
    transport._on_delivered = link.deliveries.record
    link.start()
    recorder = RecordingLink(link)
    ctx.submitter = lambda: recorder
    yield recorder
    link.stop()
    box.close()
    client.close()


def drained(recorder: RecordingLink, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    recorder.link.flush_now()
    while recorder.link.outbox.stats().count:
        assert time.monotonic() < deadline, "outbox not drained"
        time.sleep(0.05)
    assert not recorder.link.outbox.dead_letters()


def type_pin(flow, pin: str) -> None:
    for digit in pin:
        flow.numpad_key(digit)
    flow.choose(ag.PIN_OK)


def sign_in_by_card(ctx, devices, pin: str = LI_PIN) -> ag.AgentFlow:
    flow = ag.AgentFlow(ctx)
    ctx.session.touch()
    flow.start()
    flow.choose(ag.STAFF_CARD)
    devices.card_reader.insert_card(staff_cards()[0])
    flow.on_card_present()
    assert flow.state is ag.State.PIN, flow.view(tr_of(ctx))
    type_pin(flow, pin)
    return flow


def sign_in_by_code(ctx, code: str = LI_CODE, pin: str = LI_PIN) -> ag.AgentFlow:
    flow = ag.AgentFlow(ctx)
    ctx.session.touch()
    flow.start()
    flow.choose(ag.STAFF_CODE)
    flow.on_code(code)
    type_pin(flow, pin)
    return flow


def apply_for_the_resident(ctx, apply: ApplyFlow, service: str = "JS-HJ-005") -> None:
    """在线申请 from the service list to the submission, answering each step with its
    first way (the application steps are tested in test_apply.py)."""
    apply.choose(f"category:CAT-{service.split('-')[1]}")
    apply.choose(f"service:{service}")
    for _ in range(30):
        state = apply.state
        if state in (AppState.DONE, AppState.CONFIRM) and apply.notice is not None:
            return
        view = apply.view(tr_of(ctx))
        ids = choice_ids(view)
        if state is AppState.DONE:
            return
        if state is AppState.CONFIRM:
            apply.choose("app:submit")
        elif view.widget == "numpad":
            for digit in "13800000007":
                apply.numpad_key(digit)
            apply.choose("numpad:ok")
        else:
            preferred = [i for i in ("app:next", "deliver:0", "answer:0", "material:window",
                                     "app:anyway") if i in ids]
            apply.choose(preferred[0] if preferred else view.choices[0].id)
    raise AssertionError(f"application not submitted: {apply.view(tr_of(ctx))}")


def resident_identifies_by_card(flow, ctx, devices) -> None:
    flow.choose(ag.RESIDENT_NEXT)
    flow.choose(ID_AGREE)
    devices.card_reader.remove_card()
    devices.card_reader.poll()
    staff_card_lifted(ctx.session)   # what the device bridge does when the card leaves
    flow.choose(BY_CARD)
    devices.card_reader.insert_card(RESIDENT)
    flow.on_card_present()
    assert flow.state is ag.State.CONSENT, flow.view(tr_of(ctx))


def test_agent_assisted_application_reaches_the_platform_whose_audit_record_shows_both_identities(
        ctx, devices, platform, outbox, tmp_path):
    """The acceptance test of issue 6 (村居代办)."""
    store = synced_catalogue(ctx, tmp_path / "catalogue.db")
    flow = sign_in_by_card(ctx, devices)
    assert flow.state is ag.State.SIGNED_IN
    view = flow.view(tr_of(ctx))
    assert "李*明" in " ".join(line.text for line in view.lines)
    resident_identifies_by_card(flow, ctx, devices)
    consent = flow.view(tr_of(ctx))
    assert consent.instruction == "村居代办员 李*明 将在您在场的情况下为您办理。您同意吗？"
    assert [c.label for c in consent.choices] == ["同意", "不同意"]
    flow.choose(ag.AGREE)
    assert flow.state is ag.State.READY and active_assistance(ctx.session) is not None
    assert HOME in choice_ids(flow.view(tr_of(ctx)))

    # The agent picks the service from home: 在线申请, for the resident identified above.
    apply = ApplyFlow(ctx)
    apply.delivery_wait_s = 5.0
    apply.start()
    apply_for_the_resident(ctx, apply)
    assert apply.state is AppState.DONE and apply.outcomes[0].accepted, apply.view(tr_of(ctx))
    application_id = apply.outcomes[0].answer["id"]

    ctx.session.finish()   # the visit ends: the agent is signed out
    drained(outbox)
    assert outbox.events() == ["agent_signed_in", "resident_consented", "action",
                               "agent_signed_out"]

    record = ctx.client().get(f"/applications/{application_id}/audit")
    assert record["agent"]["agent_id"] == "AG-JS-0001"
    assert record["agent"]["name"] == "李晓明" and record["agent"]["method"] == "card"
    assert record["agent"]["signed_out_at"] is not None
    assert record["resident"]["name_masked"] == "张*国"
    assert record["resident"]["id_number_masked"] == "3101**********0039"
    assert record["consent"]["source"] == "audit_event"
    assert record["consent"]["matches_applicant"] is True
    assert record["terminal_id"] == "DEMO-JS-0001"
    action = next(e for e in record["events"] if e["event"] == "action")
    assert action["application_id"] == application_id and action["kind"] == "application"
    out = next(e for e in record["events"] if e["event"] == "agent_signed_out")
    assert out["reason"] == "finished"
    store.close()


def test_an_appointment_booked_with_an_agent_is_an_audit_action_with_its_id(
        ctx, devices, platform, outbox, tmp_path):
    from kiosk.flows import appointment as a

    from .test_appointment import to_confirm

    store = synced_catalogue(ctx, tmp_path / "catalogue.db")
    flow = sign_in_by_card(ctx, devices)
    resident_identifies_by_card(flow, ctx, devices)
    flow.choose(ag.AGREE)
    booking = a.AppointmentFlow(ctx)
    booking.start()
    to_confirm(booking, "CAT-SB", "JS-SB-006")
    booking.choose(a.BOOK)
    assert booking.state is a.State.TICKET
    drained(outbox)
    [row] = platform.store.q("SELECT id FROM appointments WHERE id_number = ?",
                             RESIDENT.id_number)
    action = platform.store.q1("SELECT * FROM agent_audit WHERE event = 'action' AND "
                               "kind = 'appointment' ORDER BY id DESC")
    assert action["reference"] == row["id"] and action["agent_id"] == "AG-JS-0001"
    assert action["resident_name_masked"] == "张*国"
    store.close()


def test_a_staff_code_signs_the_agent_in_and_an_identified_resident_goes_straight_to_consent(
        ctx, devices, outbox):
    ctx.session.touch()
    helper = ag.AgentFlow(ctx)
    helper.start()
    helper.choose(ag.RESIDENT_NEXT)  # nothing happens before sign-in
    flow = sign_in_by_code(ctx)
    assert flow.state is ag.State.SIGNED_IN
    flow.choose(ag.RESIDENT_NEXT)
    flow.choose(ID_AGREE)
    flow.choose(BY_CODE)
    flow.on_code("SSM-DEMO-0001")
    assert flow.state is ag.State.CONSENT
    assert current_resident(ctx.session).display_name == "王*英"
    flow.start()                     # the tile again: still the same step
    assert flow.state is ag.State.CONSENT


def test_every_simulated_staff_card_signs_its_agent_in(ctx):
    for card, agent in zip(staff_cards(), AGENTS):
        answer = ctx.client().post("/agents/verify", {
            "method": "card", "card": card_payload(card), "pin": agent[6]}).body
        assert answer["agent_id"] == agent[0]


@pytest.fixture
def unlock(ctx):
    """The lockout test locks an agent of the module's platform: unlock it afterwards."""
    yield
    with ctx.extras["platform"].store.tx() as c:
        c.execute("UPDATE agents SET locked_until = NULL, failed_attempts = 0")


def test_a_wrong_pin_says_how_many_tries_are_left_and_five_lock_the_agent(ctx, devices, outbox,
                                                                          unlock):
    flow = sign_in_by_code(ctx, CHEN_CODE, "000000")
    assert flow.state is ag.State.PIN
    assert "还可以再试4次" in flow.view(tr_of(ctx)).notice.text
    assert flow.pin == ""
    for _ in range(3):
        type_pin(flow, "000000")
    assert "还可以再试1次" in flow.view(tr_of(ctx)).notice.text
    type_pin(flow, "000000")
    view = flow.view(tr_of(ctx))
    assert flow.state is ag.State.WAY and "锁定" in view.notice.text
    assert current_agent(ctx.session) is None
    again = sign_in_by_code(ctx, CHEN_CODE, CHEN_PIN)   # locked: the right PIN too
    assert again.state is ag.State.WAY and "锁定" in again.view(tr_of(ctx)).notice.text
    assert outbox.events() == []     # nothing signed in, nothing recorded


def test_a_card_already_on_the_reader_is_read_only_when_the_agent_asks(ctx, devices, outbox):
    devices.card_reader.insert_card(RESIDENT)     # somebody's card left on the reader
    devices.card_reader.poll()
    flow = ag.AgentFlow(ctx)
    ctx.session.touch()
    flow.start()
    flow.choose(ag.STAFF_CARD)
    assert flow.state is ag.State.WAIT_CARD and ag.READ_CARD in choice_ids(flow.view(tr_of(ctx)))
    flow.choose(ag.READ_CARD)                     # a resident's card is no staff card
    assert flow.state is ag.State.PIN
    type_pin(flow, LI_PIN)
    assert flow.state is ag.State.WAY and current_agent(ctx.session) is None
    assert "没有找到这张工作证" in flow.view(tr_of(ctx)).notice.text


def test_consent_belongs_to_the_resident_who_gave_it(ctx, devices, outbox):
    from kiosk.flows.identify import forget_resident

    flow = sign_in_by_card(ctx, devices)
    resident_identifies_by_card(flow, ctx, devices)
    flow.choose(ag.AGREE)
    assert active_assistance(ctx.session) is not None
    forget_resident(ctx.session)      # e.g. the identity check expired: identify again
    flow.start()
    assert active_assistance(ctx.session) is None and flow.state is ag.State.SIGNED_IN
    flow.choose(ag.RESIDENT_NEXT)
    flow.choose(ID_AGREE)
    flow.choose(BY_CODE)
    flow.on_code("SSM-DEMO-0002")     # another resident: asked again
    assert flow.state is ag.State.CONSENT and active_assistance(ctx.session) is None


def test_an_unknown_staff_code_is_refused_calmly(ctx, outbox):
    flow = sign_in_by_code(ctx, "STAFF-NOBODY", "123456")
    assert flow.state is ag.State.WAY
    assert "没有找到这张工作证" in flow.view(tr_of(ctx)).notice.text


def test_declining_ends_assistance_signs_the_agent_out_and_is_recorded(ctx, devices, outbox):
    flow = sign_in_by_card(ctx, devices)
    resident_identifies_by_card(flow, ctx, devices)
    flow.choose(ag.DECLINE)
    assert flow.state is ag.State.ENDED
    assert current_agent(ctx.session) is None and active_assistance(ctx.session) is None
    assert "没有同意" in flow.view(tr_of(ctx)).notice.text
    drained(outbox)
    assert outbox.events() == ["agent_signed_in", "resident_declined", "agent_signed_out"]
    declined = [p for kind, p, _, _ in outbox.items if kind == AGENT_AUDIT][1]
    assert declined["resident"]["display_name"] == "张*国"
    ctx.session.finish()             # already signed out: nothing more to record
    drained(outbox)
    assert outbox.events().count("agent_signed_out") == 1


def test_session_end_signs_the_agent_out_and_wipes_the_agent_from_session_data(
        ctx, devices, outbox):
    flow = sign_in_by_card(ctx, devices)
    resident_identifies_by_card(flow, ctx, devices)
    flow.choose(ag.AGREE)
    agent = current_agent(ctx.session)
    assert agent is not None and agent.token
    ctx.session.card_removed()       # the resident takes their card: the session ends
    assert ctx.session.state is SessionState.IDLE
    assert ctx.session.data.get(AGENT) is None and agent.token == ""
    assert current_agent(ctx.session) is None
    drained(outbox)
    assert outbox.events()[-1] == "agent_signed_out"
    last = [p for kind, p, _, _ in outbox.items if kind == AGENT_AUDIT][-1]
    assert last["reason"] == "card_removed" and last["agent_id"] == "AG-JS-0001"


def test_lifting_the_staff_card_keeps_the_session_and_the_residents_card_way_waits_for_it(
        ctx, devices, outbox):
    bridge_events = []
    source = type("Source", (), {"subscribe": lambda self, fn: bridge_events.append(fn)
                                 or (lambda: None)})()
    DeviceBridge(source, ctx.session, schedule=lambda job: job())
    flow = sign_in_by_card(ctx, devices)
    assert ctx.session.data.get(STAFF_CARD_ON_READER) is True
    flow.choose(ag.RESIDENT_NEXT)
    flow.choose(ID_AGREE)
    flow.choose(BY_CARD)             # the staff card is still on the reader
    assert "请先取下工作证" in flow.view(tr_of(ctx)).notice.text
    from hardware.card_reader.interface import CardRemoved

    devices.card_reader.remove_card()
    devices.card_reader.poll()
    bridge_events[0](CardRemoved("card_reader"))
    assert ctx.session.state is SessionState.ACTIVE   # the agent's card: the visit goes on
    assert current_agent(ctx.session) is not None
    flow.choose(BY_CARD)
    devices.card_reader.insert_card(RESIDENT)
    flow.on_card_present()
    assert flow.state is ag.State.CONSENT
    bridge_events[0](CardRemoved("card_reader"))      # the resident's card: the visit ends
    assert ctx.session.state is SessionState.IDLE


def test_no_pin_in_any_log_record_outbox_payload_or_spoken_text(ctx, devices, outbox, caplog,
                                                                tmp_path):
    caplog.set_level(logging.DEBUG)
    synced_catalogue(ctx, tmp_path / "catalogue.db")
    spoken = []
    flow = ag.AgentFlow(ctx)
    flow.subscribe(lambda: spoken.append(flow.view(tr_of(ctx)).speak))
    ctx.session.touch()
    flow.start()
    flow.choose(ag.STAFF_CODE)
    flow.on_code(LI_CODE)
    type_pin(flow, "975310")         # wrong first
    type_pin(flow, LI_PIN)
    resident_identifies_by_card(flow, ctx, devices)
    flow.choose(ag.AGREE)
    apply = ApplyFlow(ctx)
    apply.delivery_wait_s = 5.0
    apply.start()
    apply_for_the_resident(ctx, apply)
    ctx.session.finish()
    drained(outbox)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    payloads = json.dumps([p for _k, p, _pers, _key in outbox.items], ensure_ascii=False)
    secrets = (LI_PIN, "975310", staff_cards()[0].id_number)
    for secret in secrets:
        assert secret not in logged and secret not in " ".join(spoken)
    for secret in secrets + (LI_CODE,):
        assert secret not in payloads
    audits = [p for kind, p, _pers, _key in outbox.items if kind == AGENT_AUDIT]
    assert RESIDENT.id_number not in json.dumps(audits)
    assert all(personal for kind, _p, personal, _key in outbox.items if kind == AGENT_AUDIT)
    assert all("agent_token" not in json.dumps(p) for p in audits)
    assert "●" not in " ".join(spoken)
    assert "李*明" not in " ".join(spoken) and "张*国" not in " ".join(spoken)


def test_the_pin_is_shown_as_dots_and_every_view_speaks_without_private_text(ctx, devices):
    flow = ag.AgentFlow(ctx)
    ctx.session.touch()
    flow.start()
    flow.choose(ag.STAFF_CODE)
    flow.on_code(LI_CODE)
    for digit in "1357":
        flow.numpad_key(digit)
    view = flow.view(tr_of(ctx))
    assert view.widget == "numpad" and view.lines[0].text == "●●●●"
    assert "1357" not in repr(view) and view.speak and "●" not in view.speak
    flow.numpad_key("del")
    assert flow.view(tr_of(ctx)).lines[0].text == "●●●"
    assert not next(c for c in flow.view(tr_of(ctx)).choices if c.id == ag.PIN_OK).enabled
    assert flow.back() and flow.pin == "" and flow.state is ag.State.WAY


def test_an_expired_agent_sign_in_stops_an_assisted_submission_and_signs_out_on_the_tile(
        ctx, devices, outbox, tmp_path):
    synced_catalogue(ctx, tmp_path / "catalogue.db")
    flow = sign_in_by_card(ctx, devices)
    resident_identifies_by_card(flow, ctx, devices)
    flow.choose(ag.AGREE)
    current_agent(ctx.session).expires_at = ctx.wall_clock() - 1
    apply = ApplyFlow(ctx)
    apply.start()
    apply_for_the_resident(ctx, apply)
    assert apply.state is AppState.CONFIRM
    assert "重新登录" in apply.view(tr_of(ctx)).notice.text
    assert not [i for i in outbox.items if i[0] == "application"]
    flow.start()
    assert flow.state is ag.State.WAY and current_agent(ctx.session) is None
    drained(outbox)
    assert outbox.events()[-1] == "agent_signed_out"
