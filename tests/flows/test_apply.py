"""在线申请 against the real demo platform: pre-fill share, pre-check reasons, materials,
the outbox payload and the receipt, online and queued."""

from __future__ import annotations

import logging

import pytest

from hardware.card_reader.samples import sample_cards
from kiosk.flows import application_form as af
from kiosk.flows.application_steps import PHOTOS, State
from kiosk.flows.apply import ApplyFlow
from kiosk.flows.identify import current_resident
from kiosk.voice import speech_for

from .apply_helpers import (DeliveringSubmitter, add_camera, identify_by_card, identify_by_code,
                            synced_catalogue)
from .conftest import choice_ids, tr_of


@pytest.fixture
def catalogue(ctx, tmp_path):
    store = synced_catalogue(ctx, tmp_path / "catalogue.db")
    yield store
    store.close()


def start_service(ctx, devices, service_id, card_index=0):
    flow = ApplyFlow(ctx)
    identify_by_card(flow, devices, card_index)
    category = "CAT-" + service_id.split("-")[1]
    flow.choose(f"category:{category}")
    flow.choose(f"service:{service_id}")
    assert flow.state is State.REVIEW, flow.view(tr_of(ctx))
    return flow


def type_phone(flow, digits="13800000007"):
    """The resident chooses to type a number (standard mode), then types it."""
    flow.choose("phone:type")
    for d in digits:
        flow.numpad_key(d)
    flow.choose("numpad:ok")


def test_every_demo_form_is_prefilled_at_least_70_percent_and_logged_without_values(
        ctx, devices, catalogue, caplog):
    caplog.set_level(logging.INFO, logger="kiosk.flows")
    flow = ApplyFlow(ctx)
    identify_by_card(flow, devices)
    resident = current_resident(ctx.session)
    client = ctx.client()
    licences = client.get("/licences", resident_token=resident.token)
    online = [s.id for c in catalogue.categories() for s in catalogue.services_in(c.id)
              if s.online]
    assert len(online) > 50
    shares = []
    for sid in online:
        form = client.get(f"/services/{sid}/form")
        share = af.share(form, af.prefill(form, resident.card, licences))
        shares.append((sid, share.percent))
    assert min(p for _, p in shares) >= 70, shares

    flow.choose("category:CAT-SB")
    flow.choose("service:JS-SB-004")
    logged = [r.getMessage() for r in caplog.records if "prefilled" in r.getMessage()]
    assert logged == ["apply: form JS-SB-004 prefilled 8/11 (73%)"]
    card = sample_cards()[0]
    assert not any(card.name in r.getMessage() or card.id_number in r.getMessage()
                   for r in caplog.records)


def test_the_review_shows_what_was_filled_in_masked(ctx, devices, catalogue):
    flow = start_service(ctx, devices, "JS-HJ-005")
    view = flow.view(tr_of(ctx))
    text = " ".join(line.text for line in view.lines)
    card = sample_cards()[0]
    assert "7" in view.lines[0].text and "10" in view.lines[0].text
    assert "张*国" in text and card.name not in text and card.id_number not in text
    assert card.address not in text


def test_the_phone_keypad_takes_only_a_valid_mobile_number(ctx, devices, catalogue):
    flow = start_service(ctx, devices, "JS-HJ-005")
    flow.choose("app:next")
    assert flow.state is State.PHONE and flow.view(tr_of(ctx)).widget == ""
    flow.choose("phone:type")  # "换一个号码": typing only when the resident asks for it
    assert flow.state is State.PHONE_TYPE and flow.view(tr_of(ctx)).widget == "numpad"
    for d in "1234":
        flow.numpad_key(d)
    ok = next(c for c in flow.view(tr_of(ctx)).choices if c.id == "numpad:ok")
    assert not ok.enabled
    flow.numpad_key("clear")
    type_phone(flow)
    assert flow.state is State.DELIVERY
    assert flow.answers["phone"] == "13800000007"


def test_precheck_shows_each_item_with_its_reason_and_sends_back_to_fix(ctx, devices, catalogue):
    flow = start_service(ctx, devices, "JS-HJ-001")  # 出生医学证明, 父母结婚证 are on paper
    flow.choose("app:next")
    type_phone(flow)
    assert flow.state is State.MATERIAL
    view = flow.view(tr_of(ctx))
    assert "出生医学证明" in view.instruction
    assert not next(c for c in view.choices if c.id == "material:photo").enabled  # no camera
    assert {line.label for line in view.lines} == {"居民身份证", "居民户口簿"}  # e-licences
    flow.choose("material:window")
    flow.choose("material:window")
    flow.choose("deliver:1")
    assert flow.state is State.PRECHECK
    view = flow.view(tr_of(ctx))
    reasons = {line.label: line.text for line in view.lines}
    assert "已调取电子证照，免于提交" in reasons["居民身份证"]
    assert "尚未提供，请准备原件" in reasons["出生医学证明"]
    assert "户籍信息符合" in reasons["本区常住户口居民或其法定监护人"]
    assert view.notice.level == "warning"
    assert choice_ids(view)[:2] == ["app:fix", "app:anyway"]
    flow.choose("app:fix")
    assert flow.state is State.MATERIAL
    assert "出生医学证明" in flow.view(tr_of(ctx)).instruction


def test_a_photographed_paper_counts_as_provided_and_stays_in_the_session(
        ctx, devices, catalogue):
    add_camera(devices)
    flow = start_service(ctx, devices, "JS-HJ-001")
    flow.choose("app:next")
    type_phone(flow)
    for _ in range(2):
        flow.choose("material:photo")
        assert flow.state is State.PHOTO
        flow.choose("photo:take")
    photos = ctx.session.data.get(PHOTOS)
    assert set(photos) == {"出生医学证明", "父母结婚证"}
    assert all(bytes(p[:2]) == b"\xff\xd8" for p in photos.values())  # JPEG
    flow.choose("deliver:0")
    view = flow.view(tr_of(ctx))
    assert flow.state is State.PRECHECK and flow._ready(), view
    assert "已提供" in {line.label: line.text for line in view.lines}["出生医学证明"]
    flow.choose("app:next")
    flow.choose("app:submit")
    kind, payload, personal = ctx.extras["outbox"].items[-1]
    assert payload["materials_provided"] == ["出生医学证明", "父母结婚证"]
    ctx.session.data.wipe()
    assert ctx.session.data.get(PHOTOS) is None


def test_offline_submission_is_queued_with_a_personal_payload_and_a_saved_receipt(
        ctx, devices, catalogue):
    flow = start_service(ctx, devices, "JS-HJ-005")
    flow.choose("app:next")
    type_phone(flow)
    flow.choose("deliver:0")
    flow.choose("app:next")
    assert flow.state is State.CONFIRM
    flow.choose("app:submit")
    [(kind, payload, personal)] = ctx.extras["outbox"].items
    card = sample_cards()[0]
    assert kind == "application" and personal is True
    assert payload["applicant"] == {"name": card.name, "id_number": card.id_number}
    assert payload["answers"]["phone"] == "13800000007"
    assert payload["answers"]["delivery"] == "窗口领取"
    assert payload["submitted_on_terminal_at"].endswith("Z")
    assert flow.state is State.DONE
    key = flow.keys["JS-HJ-005"]
    printed = "\n".join(devices.printer.printed[-1].text_lines)
    assert "受理回执" not in printed and "受理" not in printed
    assert "网络恢复后自动提交" in printed and key[:8] in printed
    view = flow.view(tr_of(ctx))
    assert view.notice.level == "info" and key[:8] in [line.text for line in view.lines]
    spoken = speech_for(view)  # the slip is read aloud too, without anything personal
    assert key[:8] in spoken and "网络恢复后" in spoken and card.name not in spoken


def test_when_the_platform_answers_in_time_the_receipt_is_an_acceptance_with_the_number(
        ctx, devices, catalogue):
    delivering = DeliveringSubmitter(ctx.client())
    ctx.submitter = lambda: delivering
    flow = start_service(ctx, devices, "JS-HJ-005")
    flow.choose("app:next")
    type_phone(flow)
    flow.choose("deliver:1")
    flow.choose("app:next")
    flow.choose("app:submit")
    number = flow.outcomes[0].answer["number"]
    assert number.startswith("JS")
    job = devices.printer.printed[-1]
    assert job.text_lines[0].strip() == "受理回执"
    assert any(number in line for line in job.text_lines)
    assert any("邮寄到家" in line for line in job.text_lines)
    assert flow.view(tr_of(ctx)).notice.level == "success"
    assert f"办件编号 {number}" in speech_for(flow.view(tr_of(ctx)))
    assert flow.rating_subject()["application_id"].startswith("APP-")
    flow.choose("app:print")  # print again: the same receipt
    assert devices.printer.printed[-1].text_lines == job.text_lines


def test_a_resident_identified_by_code_puts_the_card_on_once_for_the_form(
        ctx, devices, catalogue):
    flow = ApplyFlow(ctx)
    identify_by_code(flow, "SSM-DEMO-0007")  # 张建国, also sample card 0
    flow.choose("category:CAT-HJ")
    flow.choose("service:JS-HJ-005")
    assert flow.state is State.NEED_CARD
    devices.card_reader.insert_card(sample_cards()[1])  # somebody else's card
    flow.on_card_present()
    assert flow.state is State.NEED_CARD and flow.view(tr_of(ctx)).notice is not None
    devices.card_reader.remove_card()
    devices.card_reader.insert_card(sample_cards()[0])
    flow.on_card_present()
    assert flow.state is State.REVIEW
    flow.back()
    assert flow.state is State.SERVICE  # back skips the card step


def test_back_walks_the_steps_and_nothing_personal_survives_a_wipe(ctx, devices, catalogue):
    flow = start_service(ctx, devices, "JS-HJ-005")
    flow.choose("app:next")
    type_phone(flow)
    assert flow.back() and flow.state is State.PHONE_TYPE
    assert flow.back() and flow.state is State.PHONE
    assert flow.back() and flow.state is State.REVIEW
    assert flow.back() and flow.state is State.SERVICE
    assert flow.back() and flow.state is State.CATEGORY
    assert not flow.back()
    flow.wipe()
    assert flow.targets == [] and flow.answers == {} and flow.digits == ""
