"""证件照: checks on simulated camera frames, automatic capture, retake, choose, wiped."""

from __future__ import annotations

import pytest

from hardware.camera.simulator import SimulatedCamera
from kiosk.flows.base import HOME, RATE
from kiosk.flows.id_photo import (CANDIDATES, HELP, MATERIAL_KEY, RETAKE, RETRY, USE,
                                  IdPhotoFlow, State)

from .conftest import choice_ids, tr_of


@pytest.fixture
def camera(devices):
    cam = SimulatedCamera("camera", person=True, fps=60)
    cam.open()
    devices.all.append(cam)
    yield cam
    cam.close()


def feed(flow, camera, frames):
    for _ in range(frames):
        flow.preview_frame(camera.read_frame())


def take_photo(flow, camera):
    feed(flow, camera, flow.passes_needed)
    assert flow.state is State.REVIEW


def test_without_a_camera_the_flow_says_so_and_offers_a_way_on(ctx):
    flow = IdPhotoFlow(ctx)
    flow.start()
    view = flow.view(tr_of(ctx))
    assert flow.state is State.NO_CAMERA and view.notice is not None
    assert "摄像头" in view.notice.text
    assert choice_ids(view) == [RETRY, HELP, HOME]
    flow.choose(HELP)
    assert flow.leave_to == "help"


def test_the_preview_view_asks_for_the_camera_widget_with_guidance(ctx, camera):
    flow = IdPhotoFlow(ctx)
    flow.start()
    view = flow.view(tr_of(ctx))
    assert flow.state is State.PREVIEW and view.widget == "camera"
    assert flow.guidance(tr_of(ctx)) == "请正对镜头"


def test_guidance_follows_the_checks_and_nothing_is_taken_while_they_fail(ctx, camera):
    flow = IdPhotoFlow(ctx)
    flow.start()
    camera.show_person(False)
    feed(flow, camera, 5)
    assert flow.issue == "no_face" and flow.guidance(tr_of(ctx)) == "请正对镜头"
    camera.show_person(True)
    camera.set_brightness(0.3)
    feed(flow, camera, 5)
    assert flow.guidance(tr_of(ctx)) == "光线太暗，请面向亮处"
    assert flow.state is State.PREVIEW and flow.checks == 10
    assert ctx.session.data.get(CANDIDATES) is None


def test_the_photo_is_taken_after_consecutive_passing_frames_only(ctx, camera):
    flow = IdPhotoFlow(ctx)
    flow.start()
    feed(flow, camera, flow.passes_needed - 1)
    camera.show_person(False)
    feed(flow, camera, 1)  # one failing frame starts the count again
    camera.show_person(True)
    feed(flow, camera, flow.passes_needed - 1)
    assert flow.state is State.PREVIEW and flow.passing
    assert flow.guidance(tr_of(ctx)) == "很好，请保持不动，正在拍照"
    feed(flow, camera, 1)
    assert flow.state is State.REVIEW
    photos = flow.photos()
    assert len(photos) == 1 and photos[0][:2] == b"\xff\xd8"  # a JPEG
    view = flow.view(tr_of(ctx))
    assert view.widget == "id_photos"
    assert choice_ids(view) == [f"{USE}0", RETAKE, HOME]


def test_retake_keeps_at_most_three_photos_then_one_is_chosen(ctx, camera):
    flow = IdPhotoFlow(ctx)
    flow.start()
    take_photo(flow, camera)
    flow.choose(RETAKE)
    assert flow.state is State.PREVIEW
    assert "photo:choose" in choice_ids(flow.view(tr_of(ctx)))  # back to the photos taken
    take_photo(flow, camera)
    flow.choose(RETAKE)
    take_photo(flow, camera)
    view = flow.view(tr_of(ctx))
    assert choice_ids(view) == [f"{USE}0", f"{USE}1", f"{USE}2", RETAKE, HOME]
    assert not next(c for c in view.actions if c.id == RETAKE).enabled
    flow.choose(RETAKE)
    assert flow.state is State.REVIEW and len(flow.photos()) == 3

    second = flow.photos()[1]
    flow.choose(f"{USE}1")
    assert flow.state is State.DONE
    assert bytes(ctx.session.data.get(MATERIAL_KEY)) == second
    assert ctx.session.data.get(CANDIDATES) == []  # the others are gone
    assert flow.photos() == [second]
    assert choice_ids(flow.view(tr_of(ctx))) == [RATE, HOME]


def test_the_chosen_photo_is_wiped_with_the_session(ctx, camera):
    flow = IdPhotoFlow(ctx)
    flow.start()
    take_photo(flow, camera)
    flow.choose(f"{USE}0")
    saved = ctx.session.data.get(MATERIAL_KEY)
    assert isinstance(saved, bytearray) and len(saved) > 1000
    ctx.session.data.wipe()  # what the session does when it ends
    flow.wipe()
    assert MATERIAL_KEY not in ctx.session.data
    assert not any(saved)  # overwritten, not just dropped


def test_photos_not_chosen_are_scrubbed_when_the_flow_is_wiped(ctx, camera):
    flow = IdPhotoFlow(ctx)
    flow.start()
    take_photo(flow, camera)
    taken = ctx.session.data.get(CANDIDATES)[0]
    flow.wipe()
    assert not any(taken) and ctx.session.data.get(CANDIDATES) == []


def test_a_camera_failing_during_the_preview_ends_in_a_calm_notice(ctx, camera):
    flow = IdPhotoFlow(ctx)
    flow.start()
    from hardware.errors import DeviceNotFoundError

    flow.camera_failed(DeviceNotFoundError("unplugged"))
    view = flow.view(tr_of(ctx))
    assert flow.state is State.NO_CAMERA and view.notice is not None
    flow.choose(RETRY)
    assert flow.state is State.PREVIEW
