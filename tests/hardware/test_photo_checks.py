"""ID photo checks: each fails with its Chinese reason on a frame made to violate it."""

from __future__ import annotations

import numpy as np
import pytest

from hardware.camera.faces import FaceBox, haar_faces
from hardware.camera.photo import PRIORITY, CheckLimits, analyse
from hardware.camera.testimages import Person, empty_booth, scene

GOOD = scene()


def test_a_good_frame_passes_every_check():
    check = analyse(GOOD)
    assert check.ok, check.codes
    assert check.reason == "" and check.face is not None


@pytest.mark.parametrize("name, frame, code, reason", [
    ("dark", scene(brightness=0.35), "too_dark", "光线太暗"),
    ("bright", scene(brightness=1.5), "too_bright", "光线太亮"),
    ("blurred", scene(blur_sigma=4), "blurred", "请保持不动"),
    ("no face", empty_booth(), "no_face", "未检测到人脸，请正对镜头"),
    ("two faces", scene(people=(Person(x=0.28, face_width=0.2), Person(x=0.72, face_width=0.2))),
     "many_faces", "画面中只能有一个人"),
    ("too small", scene(people=(Person(face_width=0.12),)), "too_far", "请靠近一点"),
    ("too big", scene(people=(Person(face_width=0.4, y=0.5),)), "too_close", "请离远一点"),
    ("on image left", scene(people=(Person(x=0.3),)), "move_left", "请往左一点"),
    ("on image right", scene(people=(Person(x=0.72),)), "move_right", "请往右一点"),
    ("too low", scene(people=(Person(y=0.7),)), "off_centre", "请站到画面中间"),
    ("head cut by the top", scene(people=(Person(y=0.36, face_width=0.34),)), "off_centre",
     "请站到画面中间"),
    ("busy background", scene(busy=True), "background", "请站在浅色纯背景前"),
    ("dark wall", scene(background=(110, 110, 110)), "background", "请站在浅色纯背景前"),
])
def test_each_check_fails_with_its_reason_on_a_frame_that_violates_it(name, frame, code,
                                                                      reason):
    check = analyse(frame)
    assert not check.ok
    assert check.reason == reason, f"{name}: {check.codes}"
    assert check.codes[0] == code


def test_a_gently_shaded_plain_wall_still_passes():
    ramp = np.linspace(0.85, 1.05, GOOD.shape[1])[None, :, None]
    shaded = np.clip(GOOD * ramp, 0, 255).astype(np.uint8)
    assert analyse(shaded).ok


def test_a_slightly_soft_or_noisy_frame_is_not_called_blurred():
    assert "blurred" not in analyse(scene(blur_sigma=2)).codes
    assert "blurred" not in analyse(scene(noise=6)).codes


def test_directions_are_the_persons_own_on_a_mirrored_camera():
    on_image_left = scene(people=(Person(x=0.3),))
    assert analyse(on_image_left, limits=CheckLimits(mirrored=True)).reason == "请往右一点"


def test_reasons_come_in_priority_order_light_first():
    check = analyse(empty_booth(brightness=0.1))
    assert check.codes == ("too_dark", "no_face", "background")
    assert list(check.issues) == sorted(check.issues, key=PRIORITY.index)


def test_the_detector_can_be_injected():
    boxes = [FaceBox(260, 130, 120, 120), FaceBox(40, 40, 80, 80)]
    assert analyse(GOOD, detector=lambda frame: boxes).reason == "画面中只能有一个人"
    assert analyse(GOOD, detector=lambda frame: []).reason == "未检测到人脸，请正对镜头"


def test_measures_are_reported_for_the_log():
    metrics = analyse(GOOD).metrics
    assert {"face_brightness", "sharpness", "face_size", "offset_x",
            "background_brightness"} <= set(metrics)


def test_a_frame_that_is_not_bgr_uint8_is_refused():
    with pytest.raises(ValueError):
        analyse(np.zeros((480, 640), np.uint8))


# -- the synthetic faces the tests rely on ----------------------------------------------------
@pytest.mark.parametrize("width, height", [(640, 480), (1280, 720)])
@pytest.mark.parametrize("x", [0.35, 0.5, 0.65])
@pytest.mark.parametrize("face_width", [0.15, 0.25, 0.35])
def test_haar_finds_exactly_one_drawn_face(width, height, x, face_width):
    frame = scene(width, height, (Person(x=x, face_width=face_width),), seed=3)
    faces = haar_faces(frame)
    assert len(faces) == 1
    cx, _ = faces[0].centre
    assert abs(cx / width - x) < 0.03


def test_haar_finds_no_face_in_an_empty_or_busy_booth():
    assert haar_faces(empty_booth()) == []
    assert haar_faces(empty_booth(busy=True)) == []
