"""ID photo output: exact sizes, GA 461 head geometry, JPEG within limits, timing helper."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from hardware.camera.faces import haar_faces
from hardware.camera.photo import (
    GA461, ONE_INCH, PhotoError, analyse, crop_id_photo, encode_jpeg, make_id_photo,
    measure_pipeline, plan_crop)
from hardware.camera.photo_crop import FACE_WIDTH_PER_BOX, head_top
from hardware.camera.testimages import Person, scene

FRAMES = {
    "centred 640x480": scene(),
    "smaller face": scene(people=(Person(face_width=0.2),)),
    "bigger face": scene(people=(Person(face_width=0.32),)),
    "a little left": scene(people=(Person(x=0.45),)),
    "1280x720": scene(1280, 720),
}


def face_of(frame):
    check = analyse(frame)
    assert check.face is not None, check.codes
    return check.face


@pytest.mark.parametrize("spec, size", [(GA461, (441, 358, 3)), (ONE_INCH, (413, 295, 3))])
@pytest.mark.parametrize("name", FRAMES)
def test_crops_are_exactly_the_spec_size(spec, size, name):
    frame = FRAMES[name]
    photo = crop_id_photo(frame, face_of(frame), spec)
    assert photo.shape == size and photo.dtype == np.uint8


def test_one_inch_geometry_is_ga461_in_proportion():
    assert (ONE_INCH.width, ONE_INCH.height) == (295, 413)
    assert ONE_INCH.face_width_px == 171  # 207 * 295/358
    assert (ONE_INCH.hair_top_min, ONE_INCH.hair_top_max) == (7, 20)  # 7..21 * 413/441
    assert ONE_INCH.eye_line_min_from_bottom == 194  # 207 * 413/441


@pytest.mark.parametrize("spec", [GA461, ONE_INCH], ids=["GA461", "1inch"])
@pytest.mark.parametrize("name", FRAMES)
def test_the_cropped_head_meets_the_spec_geometry(spec, name):
    frame = FRAMES[name]
    face = face_of(frame)
    plan = plan_crop(frame, face, spec)
    assert spec.hair_top_min <= plan.hair_top <= spec.hair_top_max
    assert plan.eye_line_from_bottom >= spec.eye_line_min_from_bottom
    # Measured again on the result: the face and the hair top are where the spec wants.
    photo = crop_id_photo(frame, face, spec)
    found = haar_faces(photo)
    assert len(found) == 1
    assert abs(found[0].w * FACE_WIDTH_PER_BOX - spec.face_width_px) <= spec.face_width_tolerance
    assert spec.hair_top_min <= head_top(photo, found[0]) <= spec.hair_top_max
    assert abs(found[0].centre[0] - spec.width / 2) <= 4


def test_a_face_near_the_frame_edge_is_padded_with_the_wall_and_still_centred():
    frame = scene(people=(Person(x=0.2, face_width=0.3),))
    plan = plan_crop(frame, face_of(frame), GA461)
    assert plan.x < 0  # the cut reaches past the left edge
    photo = crop_id_photo(frame, face_of(frame), GA461)
    assert photo.shape == (441, 358, 3)
    assert photo[:300, :8].mean() > 200  # the wall repeated, not black
    assert abs(haar_faces(photo)[0].centre[0] - 179) <= 4


def test_jpeg_respects_the_cap_and_decodes_to_the_photo():
    photo = crop_id_photo(GOOD := scene(), face_of(GOOD), GA461)
    data = encode_jpeg(photo, GA461.jpeg_max_bytes)
    assert data[:2] == b"\xff\xd8" and len(data) <= GA461.jpeg_max_bytes
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == photo.shape
    assert np.abs(decoded.astype(int) - photo).mean() < 4


@pytest.mark.parametrize("low, high", [(14_000, 20_000), (4_000, 6_000), (0, 9_000)])
def test_jpeg_quality_is_chosen_to_land_in_the_size_window(low, high):
    photo = crop_id_photo(GOOD := scene(noise=4), face_of(GOOD), GA461)
    data = encode_jpeg(photo, high, low)
    assert low <= len(data) <= high


def test_an_impossible_size_window_is_a_photo_error():
    photo = crop_id_photo(GOOD := scene(), face_of(GOOD), GA461)
    with pytest.raises(PhotoError, match="no JPEG quality"):
        encode_jpeg(photo, 600)
    with pytest.raises(ValueError):
        encode_jpeg(photo, 100, 200)


def test_make_id_photo_refuses_a_frame_that_fails_a_check():
    assert make_id_photo(scene()).jpeg
    with pytest.raises(PhotoError, match="too_dark"):
        make_id_photo(scene(brightness=0.3))


def test_measure_pipeline_gives_median_seconds_per_frame():
    seconds = measure_pipeline([scene(seed=i) for i in range(3)])
    assert 0 < seconds < 1.0
    with pytest.raises(ValueError):
        measure_pipeline([])
