"""证件照 through the real app: the live preview runs on the simulated camera's thread,
guides, captures by itself, the photo is chosen, and no camera is left running."""

from __future__ import annotations

import time

import pytest

from hardware.camera.simulator import SimulatedCamera
from kiosk.flows.id_photo import MATERIAL_KEY, State
from kiosk.session import SessionState
from tests.sim_devices import SimDevices
from tests.ui_flow_kit import button, kiosk, rig, tile  # noqa: F401 (fixtures)


@pytest.fixture
def devices():
    d = SimDevices()
    camera = SimulatedCamera("camera", person=True)
    camera.open()
    d.camera = camera
    d.all.append(camera)
    yield d
    d.close()


def wait_until(kiosk, predicate, timeout_s=5.0):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        kiosk.wait(0.05)


def test_the_preview_guides_captures_by_itself_and_the_chosen_photo_is_kept(kiosk, devices):
    camera = devices.camera
    camera.show_person(False)
    kiosk.tap(tile(kiosk, "id_photo"))
    screen = kiosk.app.screen_manager.current_screen
    assert screen.name == "id_photo" and screen.special_name == "camera"
    view = screen.special
    wait_until(kiosk, lambda: view.frames_shown >= 3)
    assert camera.previewing and view.picture.texture is not None
    assert view.guidance.text == "请正对镜头" and view.guidance.role == "hero"
    assert screen.flow.state is State.PREVIEW  # nobody there: nothing is taken

    camera.show_person(True)
    wait_until(kiosk, lambda: screen.flow.state is State.REVIEW)
    kiosk.frames(3)
    assert not camera.previewing  # the preview stops once the photo is taken
    assert screen.special_name == "id_photos" and len(screen.special.children) == 1

    kiosk.tap(button(kiosk, "photo:retake"))
    assert screen.special_name == "camera"
    wait_until(kiosk, lambda: screen.flow.state is State.REVIEW)
    kiosk.frames(3)
    assert len(screen.special.children) == 2
    kiosk.tap(button(kiosk, "photo:use:1"))
    assert screen.flow.state is State.DONE and not camera.previewing
    saved = kiosk.services.session.data.get(MATERIAL_KEY)
    assert bytes(saved[:2]) == b"\xff\xd8"

    kiosk.tap(kiosk.app.bar.ids.finish_button)
    assert kiosk.services.session.state is SessionState.IDLE
    assert MATERIAL_KEY not in kiosk.services.session.data and not any(saved)


def test_leaving_the_preview_or_ending_the_session_stops_the_camera(kiosk, devices):
    camera = devices.camera
    camera.show_person(False)
    kiosk.tap(tile(kiosk, "id_photo"))
    kiosk.wait(0.3)
    assert camera.previewing
    kiosk.tap(kiosk.app.bar.ids.home_button)
    assert kiosk.app.screen_manager.current == "home" and not camera.previewing

    kiosk.tap(tile(kiosk, "id_photo"))
    kiosk.wait(0.3)
    assert camera.previewing
    kiosk.pass_idle_time(90)
    kiosk.pass_idle_time(31)
    assert kiosk.services.session.state is SessionState.IDLE
    assert not camera.previewing


def test_an_unplugged_camera_ends_in_a_calm_notice(kiosk, devices):
    kiosk.tap(tile(kiosk, "id_photo"))
    screen = kiosk.app.screen_manager.current_screen
    devices.camera.close()  # gone while the preview runs: the flow is told at the next start
    screen.flow.camera_failed(None)
    kiosk.frames(3)
    assert screen.special_name == ""
    assert "摄像头暂时不能使用" in " ".join(w.text for w in screen.walk()
                                        if isinstance(getattr(w, "text", None), str))
