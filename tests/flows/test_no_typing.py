"""长者模式: typing is never required (docs: accessibility targets, "typing: never required:
card, code or large buttons instead"). Proved two ways: a walk of every flow's views in
elderly mode finds no keypad or keyboard that the resident did not ask for, and focused
tests on each step that used to need typing: the phone number of an application, the
number for a call-back, and the guide's search."""

from __future__ import annotations

import re

import pytest

from hardware.card_reader.samples import sample_cards
from kiosk.flows import application_form as af
from kiosk.flows import guide
from kiosk.flows.application_phone import NO_PHONE, TYPE_NUMBER, USE_REGISTERED
from kiosk.flows.application_steps import State
from kiosk.flows.apply import ApplyFlow
from kiosk.flows.base import HOME
from kiosk.flows.bundles import BundlesFlow
from kiosk.flows.contact import CONTACT
from kiosk.flows.guide import GuideFlow
from kiosk.flows.help_request import ASK, ASSISTANCE, CALL_BACK, HelpFlow
from kiosk.flows.help_request import TYPE_NUMBER as HELP_TYPE
from kiosk.flows.help_request import USE_REGISTERED as HELP_REGISTERED
from kiosk.flows.help_request import State as HelpState
from kiosk.flows.identify import RESIDENT, ResidentIdentity, card_payload
from kiosk.flows.registry import FLOW_CLASSES
from kiosk.flows.view import NEXT_PAGE
from kiosk.platform_errors import PlatformRefusedError

from .apply_helpers import DeliveringSubmitter, identify_by_card, synced_catalogue
from .conftest import choice_ids, tr_of
from .flow_walker import walk

TYPING_WIDGETS = ("numpad", "keyboard")
# Choices that open a keypad or keyboard: the resident asks for typing with them.
TYPING_CHOICES = {guide.SEARCH, guide.TO_SEARCH, TYPE_NUMBER, HELP_TYPE}
# What is typed there is not the resident's: the village agent's staff PIN (村居代办).
STAFF_INPUT = {("agent", "pin")}
PHONE_NUMBER = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|\d{3}\*{4}\d{4}")


@pytest.fixture
def catalogue(ctx, tmp_path):
    store = synced_catalogue(ctx, tmp_path / "catalogue.db")
    yield store
    store.close()


@pytest.fixture
def no_registered_phones(ctx):
    """Nobody has a registered mobile number, for one test."""
    store = ctx.extras["platform"].store
    saved = [(r["id_number"], r["phone"]) for r in store.q("SELECT id_number, phone "
                                                            "FROM residents")]
    with store.tx() as c:
        c.execute("UPDATE residents SET phone = ''")
    yield
    with store.tx() as c:
        c.executemany("UPDATE residents SET phone = ? WHERE id_number = ?",
                      [(phone, idn) for idn, phone in saved])


def identified_beforehand(ctx) -> None:
    """The resident identified in an earlier flow of this session (sample card 0)."""
    card = card_payload(sample_cards()[0])
    profile = ctx.client().verify_card(card)
    ctx.session.data.put(RESIDENT, ResidentIdentity(
        token=profile["resident_token"], display_name=profile["display_name"],
        id_number_masked=profile["id_number_masked"], age=int(profile["age"]),
        elderly=bool(profile["elderly"]), method="card", card=card))


def to_phone_step(ctx, devices, flow_cls=ApplyFlow, elderly=False):
    ctx.session.set_elderly(elderly)
    flow = flow_cls(ctx)
    identify_by_card(flow, devices)  # 张建国, registered 13800000007
    if flow_cls is BundlesFlow:
        flow.choose("bundle:retirement")  # no questions of its own
    else:
        flow.choose("category:CAT-HJ")
        flow.choose("service:JS-HJ-005")
    flow.choose("app:next")
    while flow.state is State.QUESTION:
        flow.choose("answer:0")
    assert flow.state is State.PHONE, flow.view(tr_of(ctx))
    return flow


def finish_application(flow) -> None:
    while flow.state is State.MATERIAL:
        flow.choose("material:window")
    if flow.state is State.DELIVERY:
        flow.choose("deliver:0")
    if flow.state is State.PRECHECK and "app:anyway" in choice_ids(flow.view(lambda t: t)):
        flow.choose("app:anyway")
    elif flow.state is State.PRECHECK:
        flow.choose("app:next")
    assert flow.state is State.CONFIRM, flow.view(lambda t: t)


def assert_nothing_spoken_is_a_number(view) -> None:
    spoken = view.speak or f"{view.title} {view.instruction}"
    assert not PHONE_NUMBER.search(spoken), spoken


# --- the walk -------------------------------------------------------------------------

def assert_no_unasked_typing(reached) -> None:
    assert reached
    for r in reached:
        if r.view.widget in TYPING_WIDGETS and (r.flow, r.state) not in STAFF_INPUT:
            pytest.fail(f"{r.flow}: {r.view.widget} shown in 长者模式 after "
                        f"{' > '.join(r.path) or 'start'}: {r.view.title}")
        offered = {c.id for c in r.view.choices + r.view.actions} & TYPING_CHOICES
        assert offered <= {guide.SEARCH, guide.TO_SEARCH}, (r.flow, r.path, offered)
        assert_nothing_spoken_is_a_number(r.view)


@pytest.mark.parametrize("flow_cls", FLOW_CLASSES, ids=lambda cls: cls.name)
def test_no_view_of_any_flow_needs_typing_in_elderly_mode(ctx, devices, catalogue, flow_cls):
    reached = walk(ctx, devices, flow_cls, elderly=True, avoid=TYPING_CHOICES)
    assert_no_unasked_typing(reached)


@pytest.mark.parametrize("flow_cls", [ApplyFlow, BundlesFlow, HelpFlow],
                         ids=lambda cls: cls.name)
def test_no_view_needs_typing_in_elderly_mode_without_a_registered_number(
        ctx, devices, catalogue, no_registered_phones, flow_cls):
    reached = walk(ctx, devices, flow_cls, elderly=True, avoid=TYPING_CHOICES,
                   before=identified_beforehand if flow_cls is HelpFlow else None)
    assert_no_unasked_typing(reached)
    if flow_cls is not HelpFlow:
        assert any(NO_PHONE in choice_ids(r.view) for r in reached)  # the walk got there


def test_no_view_of_help_needs_typing_for_an_identified_resident(ctx, devices, catalogue):
    reached = walk(ctx, devices, HelpFlow, elderly=True, avoid=TYPING_CHOICES,
                   before=identified_beforehand)
    assert_no_unasked_typing(reached)
    assert any(HELP_REGISTERED in choice_ids(r.view) for r in reached)


def test_the_walk_does_find_the_keypad_in_standard_mode(ctx, devices, catalogue):
    """The walk is not blind: without 长者模式 the keypad is one chosen tap away."""
    reached = walk(ctx, devices, ApplyFlow, elderly=False, avoid={guide.SEARCH})
    assert any(r.view.widget == "numpad" and r.path[-1] == TYPE_NUMBER for r in reached)


# --- 在线申请 / 一件事: the phone step --------------------------------------------------

def test_standard_mode_offers_the_registered_number_first_and_typing_another_second(
        ctx, devices, catalogue):
    flow = to_phone_step(ctx, devices)
    view = flow.view(tr_of(ctx))
    assert view.widget == "" and choice_ids(view) == [USE_REGISTERED, TYPE_NUMBER]
    assert view.choices[0].label == "使用您登记的手机号" and view.choices[0].detail == "138****0007"
    assert view.choices[1].label == "换一个号码" and not view.choices[1].primary
    assert_nothing_spoken_is_a_number(view)


def test_elderly_mode_offers_only_the_registered_number_and_never_the_keypad(
        ctx, devices, catalogue):
    flow = to_phone_step(ctx, devices, elderly=True)
    view = flow.view(tr_of(ctx))
    assert view.widget == "" and choice_ids(view) == [USE_REGISTERED]
    flow.choose(TYPE_NUMBER)  # not offered: a stale tap does nothing
    assert flow.state is State.PHONE


def test_an_application_with_the_registered_number_reaches_the_platform_with_that_number(
        ctx, devices, catalogue):
    delivering = DeliveringSubmitter(ctx.client())
    ctx.submitter = lambda: delivering
    flow = to_phone_step(ctx, devices, elderly=True)
    flow.choose(USE_REGISTERED)
    finish_application(flow)
    summary = {line.label: line.text for line in flow.view(tr_of(ctx)).lines}
    assert summary["手机号码"] == "138****0007（登记的号码）"
    flow.choose("app:submit")
    [(_kind, payload, personal, _key)] = delivering.items
    assert personal and payload["phone_ref"].startswith("pr_")
    assert "phone" not in payload["answers"] and "13800000007" not in str(payload)
    stored = ctx.extras["platform"].store.q1(
        "SELECT payload FROM applications WHERE number = ?", flow.outcomes[0].answer["number"])
    assert '"source": "registered", "phone": "13800000007"' in stored["payload"]


def test_elderly_mode_without_a_registered_number_goes_on_without_one_and_passes_the_precheck(
        ctx, devices, catalogue, no_registered_phones):
    flow = to_phone_step(ctx, devices, elderly=True)
    view = flow.view(tr_of(ctx))
    assert view.widget == "" and choice_ids(view) == [NO_PHONE]
    assert "服务窗口" in view.instruction and view.choices[0].primary
    flow.choose(NO_PHONE)
    while flow.state is State.MATERIAL:
        flow.choose("material:window")
    flow.choose("deliver:0")
    assert flow.state is State.PRECHECK
    phone = {line.label: line.text for line in flow.view(tr_of(ctx)).lines}["联系电话"]
    assert phone.startswith("符合") or "不留手机号" in phone, phone
    finish_application(flow)
    flow.choose("app:submit")
    payload = ctx.extras["outbox"].items[-1][1]
    assert payload["no_phone"] is True and "phone" not in payload["answers"]


def test_standard_mode_without_a_registered_number_offers_typing_or_none(
        ctx, devices, catalogue, no_registered_phones):
    view = to_phone_step(ctx, devices).view(tr_of(ctx))
    assert choice_ids(view) == [TYPE_NUMBER, NO_PHONE]
    assert view.choices[0].label == "输入手机号码"


def test_a_bundle_asks_the_phone_once_with_the_registered_number(ctx, devices, catalogue):
    flow = to_phone_step(ctx, devices, BundlesFlow, elderly=True)
    flow.choose(USE_REGISTERED)
    finish_application(flow)
    flow.choose("app:submit")
    payloads = [p for _k, p, _personal in ctx.extras["outbox"].items]
    assert len(payloads) == 3 and len({p["phone_ref"] for p in payloads}) == 1


def test_the_registered_number_is_asked_once_per_identification_and_wiped_with_the_session(
        ctx, devices, catalogue):
    client = ctx.client()
    calls = []
    real_get = client.get

    def counting_get(path, **kw):
        calls.append(path)
        return real_get(path, **kw)

    client.get = counting_get
    to_phone_step(ctx, devices)
    flow = ApplyFlow(ctx)  # a second application in the same session
    flow.start()
    flow.choose("category:CAT-HJ")
    flow.choose("service:JS-HJ-005")
    assert calls.count("/residents/me/contact") == 1
    assert ctx.session.data.get(CONTACT)["phone"].masked == "138****0007"
    ctx.session.finish()
    assert ctx.session.data.get(CONTACT) is None


def test_a_platform_without_the_contact_call_still_lets_the_resident_apply(
        ctx, devices, catalogue):
    client = ctx.client()
    real_get = client.get

    def older_platform(path, **kw):
        if path == "/residents/me/contact":
            raise PlatformRefusedError(404, "not_found", "没有找到。", "no such route")
        return real_get(path, **kw)

    client.get = older_platform
    view = to_phone_step(ctx, devices, elderly=True).view(tr_of(ctx))
    assert choice_ids(view) == [NO_PHONE]


def test_going_back_from_the_keypad_returns_to_the_choice_and_a_later_choice_wins(
        ctx, devices, catalogue):
    flow = to_phone_step(ctx, devices)
    flow.choose(TYPE_NUMBER)
    for d in "13912345678":
        flow.numpad_key(d)
    flow.choose("numpad:ok")
    flow.back()
    flow.back()
    assert flow.state is State.PHONE
    flow.choose(USE_REGISTERED)
    values = flow._values_for(flow.targets[0])
    assert af.PHONE_TYPE not in flow.answers and values[af.PHONE_REF].startswith("pr_")


# --- 帮办: the call-back ------------------------------------------------------------------

def help_flow(ctx, *, elderly: bool, identified: bool) -> HelpFlow:
    ctx.support_contact = "技术支持 021-5792-0000（演示号码）"
    ctx.session.set_elderly(elderly)
    if identified:
        identified_beforehand(ctx)
    flow = HelpFlow(ctx)
    flow.start()
    flow.choose(f"{ASK}{CALL_BACK}")
    return flow


def test_an_identified_resident_gets_a_call_back_on_the_registered_number_without_typing(
        ctx):
    flow = help_flow(ctx, elderly=True, identified=True)
    view = flow.view(tr_of(ctx))
    assert flow.state is HelpState.PHONE and view.widget == ""
    assert choice_ids(view) == [HELP_REGISTERED, HOME]
    assert view.choices[0].detail == "138****0007"
    assert_nothing_spoken_is_a_number(view)
    flow.choose(HELP_REGISTERED)
    _kind, payload, personal = ctx.extras["outbox"].items[-1]
    assert personal and payload["kind"] == "call_back" and "phone" not in payload
    r = ctx.client().post("/help-requests", payload, idempotency_key="help-" + "x" * 16)
    stored = ctx.extras["platform"].store.q1("SELECT payload FROM help_requests WHERE id = ?",
                                             r.body["id"])
    assert '"phone": "13800000007"' in stored["payload"]
    lines = " ".join(line.text for line in flow.view(tr_of(ctx)).lines)
    assert "138****0007" in lines and "13800000007" not in lines


def test_standard_mode_offers_typing_another_number_after_the_registered_one(ctx):
    flow = help_flow(ctx, elderly=False, identified=True)
    assert choice_ids(flow.view(tr_of(ctx))) == [HELP_REGISTERED, HELP_TYPE, HOME]
    flow.choose(HELP_TYPE)
    assert flow.view(tr_of(ctx)).widget == "numpad"
    assert flow.back() and flow.state is HelpState.PHONE


def test_elderly_mode_without_a_registered_number_offers_the_staff_instead_of_a_keypad(ctx):
    flow = help_flow(ctx, elderly=True, identified=False)
    view = flow.view(tr_of(ctx))
    assert flow.state is HelpState.PHONE and view.widget == ""
    assert choice_ids(view) == [f"{ASK}{ASSISTANCE}", HOME]
    assert "技术支持 021-5792-0000（演示号码）" in [line.text for line in view.lines]
    assert "不用输入" in view.instruction
    flow.choose(f"{ASK}{ASSISTANCE}")
    _kind, payload, personal = ctx.extras["outbox"].items[-1]
    assert payload["kind"] == "assistance" and not personal
    assert flow.state is HelpState.SENT


def test_the_call_back_button_says_no_typing_is_needed_in_elderly_mode(ctx):
    ctx.session.set_elderly(True)
    flow = HelpFlow(ctx)
    flow.start()
    detail = next(c.detail for c in flow.view(tr_of(ctx)).choices
                  if c.id == f"{ASK}{CALL_BACK}")
    assert "无需输入" in detail


def test_the_registered_number_of_a_call_back_is_forgotten_with_the_session(ctx):
    flow = help_flow(ctx, elderly=True, identified=True)
    assert flow.registered is not None
    ctx.session.finish()
    flow.wipe()
    assert flow.registered is None and ctx.session.data.get(CONTACT) is None


# --- 办事指南 -------------------------------------------------------------------------------

def test_in_elderly_mode_the_guide_opens_on_kinds_with_search_secondary(ctx, catalogue):
    ctx.session.set_elderly(True)
    flow = GuideFlow(ctx)
    flow.start()
    view = flow.view(tr_of(ctx))
    assert flow.state is guide.State.CATEGORIES and view.widget == ""
    assert all(c.id.startswith(guide.CATEGORY) or c.id == NEXT_PAGE for c in view.choices)
    search = next(c for c in view.actions if c.id == guide.SEARCH)
    assert not search.primary and "搜索" not in view.instruction


def test_every_guide_is_reached_by_large_buttons_alone(ctx, catalogue):
    ctx.session.set_elderly(True)
    flow = GuideFlow(ctx)
    flow.start()
    tr = tr_of(ctx)
    found: set[str] = set()
    for category in catalogue.categories():
        flow.choose(guide.TO_CATEGORIES)
        while f"{guide.CATEGORY}{category.id}" not in choice_ids(flow.view(tr)):
            flow.choose(NEXT_PAGE)
        flow.choose(f"{guide.CATEGORY}{category.id}")
        while True:
            view = flow.view(tr)
            assert view.widget == ""
            found |= {c.id[len(guide.SERVICE):] for c in view.choices
                      if c.id.startswith(guide.SERVICE)}
            if NEXT_PAGE not in choice_ids(view):
                break
            flow.choose(NEXT_PAGE)
    every = {s.id for c in catalogue.categories() for s in catalogue.services_in(c.id)}
    assert found == every and len(every) > 50
