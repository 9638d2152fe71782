"""ID photo processing: quality checks, crop to GA 461 / 1 inch, JPEG within size limits.

The one import for the photo flow. Pure functions over ndarrays (BGR uint8 HxWx3); the
pieces live in `faces` (detection), `photo_checks` (analyse), `photo_crop` (geometry) and
`jpeg` (encoding). Nothing here touches the camera or the disk.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from hardware.camera.faces import FaceBox, FaceDetector, haar_faces
from hardware.camera.jpeg import PhotoError, encode_jpeg
from hardware.camera.photo_checks import (
    BACKGROUND, BLURRED, DEFAULT_LIMITS, MANY_FACES, MOVE_LEFT, MOVE_RIGHT, NO_FACE,
    OFF_CENTRE, PRIORITY, TOO_BRIGHT, TOO_CLOSE, TOO_DARK, TOO_FAR, CheckLimits, Issue,
    PhotoCheck, analyse)
from hardware.camera.photo_crop import (
    GA461, ONE_INCH, CropPlan, PhotoSpec, crop_id_photo, plan_crop)

__all__ = [
    "FaceBox", "FaceDetector", "haar_faces", "PhotoError", "encode_jpeg", "CheckLimits",
    "DEFAULT_LIMITS", "Issue", "PhotoCheck", "analyse", "PRIORITY", "TOO_DARK", "TOO_BRIGHT",
    "NO_FACE", "MANY_FACES", "TOO_CLOSE", "TOO_FAR", "MOVE_LEFT", "MOVE_RIGHT", "OFF_CENTRE",
    "BLURRED", "BACKGROUND", "GA461", "ONE_INCH", "CropPlan", "PhotoSpec", "crop_id_photo",
    "plan_crop", "IdPhoto", "make_id_photo", "measure_pipeline",
]


@dataclass(frozen=True)
class IdPhoto:
    """A finished photo: the checks it passed, the cropped image and its JPEG bytes."""

    check: PhotoCheck
    image: np.ndarray
    jpeg: bytes
    spec: PhotoSpec


def make_id_photo(frame: np.ndarray, spec: PhotoSpec = GA461,
                  detector: FaceDetector | None = None,
                  limits: CheckLimits = DEFAULT_LIMITS) -> IdPhoto:
    """analyse -> crop -> encode with the spec's JPEG quality and size window.

    Raises PhotoError carrying the first reason when the frame fails a check (the flow
    normally shows `analyse`'s reason before ever calling this), or when no JPEG quality fits.
    """
    check = analyse(frame, detector, limits)
    if not check.ok or check.face is None:
        raise PhotoError(f"frame not usable: {', '.join(check.codes)}")
    image = crop_id_photo(frame, check.face, spec)
    data = encode_jpeg(image, spec.jpeg_max_bytes, spec.jpeg_min_bytes, spec.jpeg_quality)
    return IdPhoto(check, image, data, spec)


def measure_pipeline(frames: Iterable[np.ndarray], spec: PhotoSpec = GA461,
                     detector: FaceDetector | None = None) -> float:
    """Median seconds per frame for analyse + crop + encode (for bench/devices.py).

    Frames without exactly one face are timed through analyse only, as the flow would.
    Blocks for the whole run; raises ValueError when ``frames`` is empty.
    """
    times = []
    for frame in frames:
        start = time.perf_counter()
        check = analyse(frame, detector)
        if check.face is not None:
            image = crop_id_photo(frame, check.face, spec)
            encode_jpeg(image, spec.jpeg_max_bytes, spec.jpeg_min_bytes, spec.jpeg_quality)
        times.append(time.perf_counter() - start)
    if not times:
        raise ValueError("measure_pipeline needs at least one frame")
    return statistics.median(times)
