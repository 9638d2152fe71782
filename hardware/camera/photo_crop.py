"""Cropping a camera frame to an ID photo's size and head geometry (GA 461, 1 inch).

Pure functions over ndarrays. `plan_crop` decides where to cut and what geometry the
result will have; `crop_id_photo` cuts, pads and scales. Neither does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from hardware.camera.faces import FaceBox

# Where features sit inside a frontalface_default box; calibrated on the drawn faces of
# `testimages` (box width 192 px for a 160 px face, eyes 0.41 box heights below its top).
# Recalibrate on real photos from the terminal's camera before relying on the tolerance.
FACE_WIDTH_PER_BOX = 0.83
EYE_LINE_IN_BOX = 0.41
HAIR_ABOVE_BOX = 0.25  # head top above the box top, used when the wall cannot tell
WALL_DIFFERENCE = 60.0  # colour distance from the wall that counts as "person"


@dataclass(frozen=True)
class PhotoSpec:
    """An ID photo format: pixel size, head geometry and file size limits.

    Geometry in output pixels: the face (cheek to cheek) is ``face_width_px`` +/-
    ``face_width_tolerance`` wide, the top of the hair ``hair_top_min``..``hair_top_max``
    below the top edge, the eye line at least ``eye_line_min_from_bottom`` above the bottom.
    """

    name: str
    width: int
    height: int
    face_width_px: int
    face_width_tolerance: int
    hair_top_min: int
    hair_top_max: int
    eye_line_min_from_bottom: int
    dpi: int
    jpeg_quality: int = 70
    jpeg_min_bytes: int = 0
    jpeg_max_bytes: int = 40 * 1024

    def scaled_to(self, name: str, width: int, height: int, dpi: int) -> PhotoSpec:
        """The same geometry in proportion: horizontal sizes by width, vertical by height."""
        sx, sy = width / self.width, height / self.height
        return replace(self, name=name, width=width, height=height, dpi=dpi,
                       face_width_px=round(self.face_width_px * sx),
                       face_width_tolerance=round(self.face_width_tolerance * sx),
                       hair_top_min=round(self.hair_top_min * sy),
                       hair_top_max=round(self.hair_top_max * sy),
                       eye_line_min_from_bottom=round(self.eye_line_min_from_bottom * sy))


# GA 461-2004 resident ID card photo: 358x441 at 350 dpi, JPEG around quality 70, files
# typically 14-20 KB; the 40 KB cap is this kiosk's (platforms state their own).
GA461 = PhotoSpec("GA 461-2004", 358, 441, face_width_px=207, face_width_tolerance=14,
                  hair_top_min=7, hair_top_max=21, eye_line_min_from_bottom=207, dpi=350)
# The common "1 inch" online-application photo, 295x413 at 300 dpi, GA 461 in proportion
# (face 171 px, hair top 7-20 px, eye line >= 194 px from the bottom).
ONE_INCH = GA461.scaled_to("1 inch", 295, 413, dpi=300)


@dataclass(frozen=True)
class CropPlan:
    """Where to cut (frame pixels, may reach outside the frame) and the predicted result."""

    x: float
    y: float
    width: float
    height: float
    scale: float  # output pixels per frame pixel
    hair_top: float  # output pixels from the top
    eye_line_from_bottom: float
    face_width: float


def wall_colour(frame: np.ndarray) -> np.ndarray:
    """The median colour of the top rows' outer thirds: the wall behind the person."""
    rows = frame[: max(1, frame.shape[0] // 12)]
    third = max(1, frame.shape[1] // 3)
    sample = np.concatenate([rows[:, :third], rows[:, -third:]], axis=1).reshape(-1, 3)
    return np.median(sample, axis=0)


def head_top(frame: np.ndarray, face: FaceBox) -> int:
    """The row of the top of the hair in frame pixels, found against the wall.

    Scans down the face's middle columns, from one box height above the box to its top,
    for the first row that is mostly not wall. Falls back to a fixed share of the box
    (`HAIR_ABOVE_BOX`) when the hair is as light as the wall or the wall is not plain.
    """
    guess = face.y - HAIR_ABOVE_BOX * face.h
    start = max(0, face.y - face.h)
    columns = slice(max(0, face.x + face.w // 5), max(1, face.x + face.w * 4 // 5))
    strip = frame[start: max(start, face.y), columns].astype(np.float32)
    if strip.size == 0:
        return max(0, int(round(guess)))
    distance = np.linalg.norm(strip - wall_colour(frame).astype(np.float32), axis=2)
    person_rows = np.flatnonzero((distance > WALL_DIFFERENCE).mean(axis=1) > 0.3)
    if person_rows.size == 0:
        return int(round(guess))
    found = start + int(person_rows[0])
    # Light hair on a light wall shows only the forehead: implausibly low, use the guess.
    return found if found <= face.y - 0.1 * face.h else int(round(guess))


def plan_crop(frame: np.ndarray, face: FaceBox, spec: PhotoSpec) -> CropPlan:
    """Scale so the face is ``spec.face_width_px`` wide, centre it, put the hair top mid-range.

    The hair top moves up to ``hair_top_min`` when that keeps the eye line high enough.
    """
    scale = spec.face_width_px / (face.w * FACE_WIDTH_PER_BOX)
    top = head_top(frame, face)
    eye = face.y + EYE_LINE_IN_BOX * face.h
    hair_top = (spec.hair_top_min + spec.hair_top_max) / 2
    eye_limit = spec.height - spec.eye_line_min_from_bottom
    if hair_top + (eye - top) * scale > eye_limit:
        hair_top = spec.hair_top_min
    eye_out = hair_top + (eye - top) * scale
    cx = face.x + face.w / 2
    return CropPlan(x=cx - spec.width / 2 / scale, y=top - hair_top / scale,
                    width=spec.width / scale, height=spec.height / scale, scale=scale,
                    hair_top=hair_top, eye_line_from_bottom=spec.height - eye_out,
                    face_width=face.w * FACE_WIDTH_PER_BOX * scale)


def crop_id_photo(frame: np.ndarray, face: FaceBox, spec: PhotoSpec) -> np.ndarray:
    """A new BGR uint8 image of exactly ``spec.height`` x ``spec.width`` around ``face``.

    Where the cut reaches outside the frame, edge pixels are repeated (the wall above and
    beside the head, the shirt below). Raises ValueError for a frame that is not BGR uint8.
    """
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"expected a BGR uint8 HxWx3 frame, got {frame.dtype} {frame.shape}")
    plan = plan_crop(frame, face, spec)
    height, width = frame.shape[:2]
    x0, y0 = int(round(plan.x)), int(round(plan.y))
    x1, y1 = int(round(plan.x + plan.width)), int(round(plan.y + plan.height))
    pad = (max(0, -y0), max(0, y1 - height), max(0, -x0), max(0, x1 - width))
    region = frame[max(0, y0): min(height, y1), max(0, x0): min(width, x1)]
    if any(pad):
        region = cv2.copyMakeBorder(region, *pad, cv2.BORDER_REPLICATE)
    shrinking = region.shape[1] > spec.width
    return cv2.resize(region, (spec.width, spec.height),
                      interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)
