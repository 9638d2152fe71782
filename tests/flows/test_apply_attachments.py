"""Photographed materials travel with the application, and the ID photo taken at the
terminal provides a 证件照 material without losing the answers given so far."""

from __future__ import annotations

import base64
import hashlib

import pytest

from kiosk.flows import application_form as af
from kiosk.flows.application_steps import PHOTOS, State
from kiosk.flows.apply import ApplyFlow
from kiosk.flows.id_photo import MATERIAL_KEY, IdPhotoFlow

from .apply_helpers import DeliveringSubmitter, add_camera, identify_by_card, synced_catalogue
from .conftest import choice_ids, tr_of

# A tiny but complete JPEG (SOI ... EOI) standing for the chosen ID photo.
ID_PHOTO_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\x00" * 64 + \
    bytes.fromhex("ffd9")


@pytest.fixture
def catalogue(ctx, tmp_path):
    store = synced_catalogue(ctx, tmp_path / "catalogue.db")
    yield store
    store.close()


def service_named(catalogue, name: str) -> str:
    found = [s for s in catalogue.search(name) if s.name == name]
    assert found, name
    return found[0].service_id


def to_first_material(ctx, devices, service_id: str) -> ApplyFlow:
    flow = ApplyFlow(ctx)
    identify_by_card(flow, devices)
    flow.choose(f"category:CAT-{service_id.split('-')[1]}")
    flow.choose(f"service:{service_id}")
    flow.choose("app:next")
    for _ in range(5):  # questions and the phone number, whatever this form asks
        if flow.state is State.PHONE:
            flow.choose("phone:registered")
        elif flow.state is State.QUESTION:
            flow.choose("answer:0")
        else:
            break
    assert flow.state is State.MATERIAL, flow.view(tr_of(ctx))
    return flow


def test_id_photo_materials_are_recognised_but_not_group_photos():
    assert af.is_id_photo_material("证件照回执")
    assert af.is_id_photo_material("近期一寸免冠照片")
    assert not af.is_id_photo_material("双方近期半身免冠合影照片3张")
    assert not af.is_id_photo_material("出生医学证明")


def test_photographed_papers_reach_the_platform_as_jpeg_attachments(ctx, devices, catalogue):
    add_camera(devices)
    delivering = DeliveringSubmitter(ctx.client())
    ctx.submitter = lambda: delivering
    flow = to_first_material(ctx, devices, "JS-HJ-001")
    for _ in range(2):
        flow.choose("material:photo")
        flow.choose("photo:take")
    photos = {k: bytes(v) for k, v in ctx.session.data.get(PHOTOS).items()}
    flow.choose("deliver:0")
    flow.choose("app:next")
    flow.choose("app:submit")
    _kind, payload, _personal, _key = delivering.items[-1]
    sent = {a["material"]: base64.b64decode(a["data_base64"]) for a in payload["attachments"]}
    assert sent == photos
    received = flow.outcomes[0].answer["attachments"]
    assert {a["material"]: a["sha256"] for a in received} == {
        name: hashlib.sha256(data).hexdigest() for name, data in photos.items()}


def test_an_id_photo_material_hands_over_to_the_id_photo_flow_and_back_with_answers_kept(
        ctx, devices, catalogue):
    add_camera(devices)
    delivering = DeliveringSubmitter(ctx.client())
    ctx.submitter = lambda: delivering
    service_id = service_named(catalogue, "社会保障卡申领")
    flow = to_first_material(ctx, devices, service_id)
    material = flow._open_materials()[flow.index]
    assert af.is_id_photo_material(material)
    assert "material:photo" not in choice_ids(flow.view(tr_of(ctx)))
    answers_before = dict(flow.answers)

    flow.choose("material:id_photo:take")
    assert flow.leave_to == "id_photo" and ctx.extras["return_to"] == "apply"
    flow.leave_to = ""
    photo_flow = IdPhotoFlow(ctx)
    photo_flow.start()
    ctx.session.data.put(MATERIAL_KEY, bytearray(ID_PHOTO_JPEG))  # what choosing a photo does
    photo_flow.state = type(photo_flow.state).DONE
    assert "photo:resume" in choice_ids(photo_flow.view(tr_of(ctx)))
    photo_flow.choose("photo:resume")
    assert photo_flow.leave_to == "resume:apply" and "return_to" not in ctx.extras

    flow.resumed()  # what the app does when it shows the application again
    assert flow.answers == answers_before
    assert flow.decisions[material] == af.PHOTO
    assert flow.state is not State.MATERIAL or flow._open_materials()[flow.index] != material
    while flow.state is State.MATERIAL:
        flow.choose("material:window")
    if flow.state is State.DELIVERY:
        flow.choose("deliver:0")
    if flow.state is State.PRECHECK:
        flow.choose("app:next" if flow._ready() else "app:anyway")
    flow.choose("app:submit")
    received = flow.outcomes[0].answer["attachments"]
    assert [(a["material"], a["sha256"]) for a in received] == [
        (material, hashlib.sha256(ID_PHOTO_JPEG).hexdigest())]


def test_a_second_application_uses_the_id_photo_already_taken(ctx, devices, catalogue):
    add_camera(devices)
    ctx.session.data.put(MATERIAL_KEY, bytearray(ID_PHOTO_JPEG))
    flow = to_first_material(ctx, devices, service_named(catalogue, "社会保障卡申领"))
    material = flow._open_materials()[flow.index]
    assert "material:id_photo" in choice_ids(flow.view(tr_of(ctx)))
    flow.choose("material:id_photo")
    assert flow.decisions[material] == af.PHOTO
    assert bytes(ctx.session.data.get(PHOTOS)[material]) == ID_PHOTO_JPEG


def test_the_platform_refuses_an_attachment_that_is_not_a_jpeg(ctx, catalogue):
    from hardware.card_reader.samples import sample_cards
    from kiosk.platform_errors import PlatformRefusedError

    card = sample_cards()[0]
    body = af.payload("JS-HJ-005", {"applicant_name": card.name, "id_number": card.id_number},
                      [], 0.0, attachments={"证件照回执": b"not a jpeg"})
    with pytest.raises(PlatformRefusedError) as caught:
        ctx.client().post("/applications", body, idempotency_key="attach-bad-1")
    assert caught.value.status == 422 and caught.value.code == "attachment_invalid"
    assert "重新拍摄" in caught.value.message
