"""Is this frame good enough for an ID photo? Quality checks with reasons a person can act on.

Every failed check is an `Issue`: a machine code for the flow and the log, and a calm
Chinese sentence for the screen (and speech). `analyse` is a pure function over an ndarray;
it blocks for the face detection (~5-10 ms at 640x480) and the measures (~2 ms).
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Mapping

import cv2
import numpy as np

from hardware.camera.faces import FaceBox, FaceDetector, haar_faces
from hardware.camera.photo_crop import head_top


@dataclass(frozen=True)
class Issue:
    code: str
    message: str


TOO_DARK = Issue("too_dark", "光线太暗")
TOO_BRIGHT = Issue("too_bright", "光线太亮")
NO_FACE = Issue("no_face", "未检测到人脸，请正对镜头")
MANY_FACES = Issue("many_faces", "画面中只能有一个人")
TOO_CLOSE = Issue("too_close", "请离远一点")
TOO_FAR = Issue("too_far", "请靠近一点")
MOVE_LEFT = Issue("move_left", "请往左一点")
MOVE_RIGHT = Issue("move_right", "请往右一点")
OFF_CENTRE = Issue("off_centre", "请站到画面中间")
BLURRED = Issue("blurred", "请保持不动")
BACKGROUND = Issue("background", "请站在浅色纯背景前")

# The order a screen should show them in: light first (nothing else can be judged without
# it), then who is there, then where they stand, then stillness and background.
PRIORITY = (TOO_DARK, TOO_BRIGHT, NO_FACE, MANY_FACES, TOO_CLOSE, TOO_FAR, MOVE_LEFT,
            MOVE_RIGHT, OFF_CENTRE, BLURRED, BACKGROUND)


@dataclass(frozen=True)
class CheckLimits:
    """Thresholds of the checks. Sizes are fractions of the frame, grey levels 0-255.

    Face sizes are relative to the frame *height* because the crop needs about 1.8 face-box
    heights of head and shoulders whatever the camera's aspect ratio. ``mirrored`` says the
    frame is a mirror image of the scene (some cameras flip); directions are always given
    from the person's own point of view.
    """

    min_face: float = 0.25
    max_face: float = 0.55
    max_offset_x: float = 0.08
    centre_y: tuple[float, float] = (0.30, 0.60)
    min_head_room: float = 0.02  # wall above the hair: a head cut by the frame cannot be cropped
    dark_face: float = 70.0
    bright_face: float = 215.0
    max_clipped_face: float = 0.15  # share of face pixels at >= 250: washed out
    dark_frame: float = 45.0  # used when there is no face to measure
    bright_frame: float = 250.0
    min_sharpness: float = 400.0  # Laplacian variance, face at 64 px and contrast-normalised
    min_background: float = 130.0  # mean grey of the wall (a white wall in a dim room ~140)
    max_background_spread: float = 30.0  # std of grey: large blocks of another colour
    max_background_texture: float = 6.0  # std after removing gentle shading: edges, patterns
    mirrored: bool = False


DEFAULT_LIMITS = CheckLimits()
# Sharpness is measured on the face scaled to this width (so face size and sensor noise
# matter little) with its contrast normalised (so light matters little).
SHARPNESS_WIDTH = 64


@dataclass(frozen=True)
class PhotoCheck:
    """The verdict on one frame: issues in `PRIORITY` order, what was found, the measures."""

    issues: tuple[Issue, ...]
    faces: tuple[FaceBox, ...]
    metrics: Mapping[str, float] = field(default_factory=lambda: types.MappingProxyType({}))

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def face(self) -> FaceBox | None:
        """The face to crop around: set only when there is exactly one."""
        return self.faces[0] if len(self.faces) == 1 else None

    @property
    def reason(self) -> str:
        """The one sentence to show now ("" when the frame is good)."""
        return self.issues[0].message if self.issues else ""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(issue.code for issue in self.issues)


def analyse(frame: np.ndarray, detector: FaceDetector | None = None,
            limits: CheckLimits = DEFAULT_LIMITS) -> PhotoCheck:
    """Run every check on a BGR uint8 frame. Raises ValueError for a frame of another shape.

    ``detector`` finds faces (default: `faces.haar_faces`, which raises HardwareError when
    its cascade cannot be loaded). Checks that need the face are skipped without one.
    """
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"expected a BGR uint8 HxWx3 frame, got {frame.dtype} {frame.shape}")
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    faces = tuple((detector or haar_faces)(frame))
    found: set[Issue] = set()
    metrics: dict[str, float] = {"faces": float(len(faces))}
    if not faces:
        found.add(NO_FACE)
        _check_frame_light(grey, limits, found, metrics)
    elif len(faces) > 1:
        found.add(MANY_FACES)
        _check_frame_light(grey, limits, found, metrics)
    else:
        _check_face(frame, grey, faces[0], limits, found, metrics)
    _check_background(grey, faces, limits, found, metrics)
    issues = tuple(issue for issue in PRIORITY if issue in found)
    return PhotoCheck(issues, faces, types.MappingProxyType(metrics))


def _check_frame_light(grey: np.ndarray, limits: CheckLimits, found: set[Issue],
                       metrics: dict[str, float]) -> None:
    mean = float(grey.mean())
    metrics["frame_brightness"] = mean
    if mean < limits.dark_frame:
        found.add(TOO_DARK)
    elif mean > limits.bright_frame:
        found.add(TOO_BRIGHT)


def _check_face(frame: np.ndarray, grey: np.ndarray, face: FaceBox, limits: CheckLimits,
                found: set[Issue], metrics: dict[str, float]) -> None:
    height, width = grey.shape
    # Light: the middle of the face box (cheeks, eyes, nose), not hair or wall.
    inner = grey[face.y + face.h // 5: face.y + face.h * 4 // 5,
                 face.x + face.w // 5: face.x + face.w * 4 // 5]
    brightness = float(inner.mean())
    clipped = float((inner >= 250).mean())
    metrics.update(face_brightness=brightness, face_clipped=clipped)
    if brightness < limits.dark_face:
        found.add(TOO_DARK)
    elif brightness > limits.bright_face or clipped > limits.max_clipped_face:
        found.add(TOO_BRIGHT)

    size = face.h / height
    metrics["face_size"] = size
    if size > limits.max_face:
        found.add(TOO_CLOSE)
    elif size < limits.min_face:
        found.add(TOO_FAR)

    cx, cy = face.centre
    offset_x, position_y = cx / width - 0.5, cy / height
    head_room = head_top(frame, face) / height
    metrics.update(offset_x=offset_x, position_y=position_y, head_room=head_room)
    low, high = limits.centre_y
    if not low <= position_y <= high or head_room < limits.min_head_room:
        found.add(OFF_CENTRE)
    elif abs(offset_x) > limits.max_offset_x:
        # Unmirrored, image-left is the person's right: they should step to their left.
        on_image_left = offset_x < 0
        found.add(MOVE_LEFT if on_image_left != limits.mirrored else MOVE_RIGHT)

    sharpness = face_sharpness(grey, face)
    metrics["sharpness"] = sharpness
    if sharpness < limits.min_sharpness:
        found.add(BLURRED)


def face_sharpness(grey: np.ndarray, face: FaceBox) -> float:
    """Variance of the Laplacian of the face, scaled to `SHARPNESS_WIDTH`, std set to 50."""
    box = grey[max(0, face.y): face.y + face.h, max(0, face.x): face.x + face.w]
    if box.size == 0:
        return 0.0
    size = (SHARPNESS_WIDTH, max(1, SHARPNESS_WIDTH * box.shape[0] // box.shape[1]))
    scaled = cv2.resize(box, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    scaled = (scaled - scaled.mean()) * (50.0 / (float(scaled.std()) + 1e-6))
    return float(cv2.Laplacian(scaled, cv2.CV_32F).var())


def background_mask(shape: tuple[int, ...], faces: tuple[FaceBox, ...]) -> np.ndarray:
    """Where the wall should show: a top band and two upper side bands, minus each person.

    A person's column (face centre +/- 0.8 face widths: hair and shoulders) is left out.
    """
    height, width = shape[:2]
    mask = np.zeros((height, width), bool)
    mask[: int(0.12 * height), :] = True
    side = int(0.12 * width)
    mask[: int(0.6 * height), :side] = True
    mask[: int(0.6 * height), width - side:] = True
    for face in faces:
        cx = face.x + face.w / 2
        mask[:, max(0, int(cx - 0.8 * face.w)): max(0, int(cx + 0.8 * face.w))] = False
    return mask


def _check_background(grey: np.ndarray, faces: tuple[FaceBox, ...], limits: CheckLimits,
                      found: set[Issue], metrics: dict[str, float]) -> None:
    mask = background_mask(grey.shape, faces)
    if mask.sum() < 0.02 * mask.size:  # the person fills the frame: nothing to judge
        return
    wall = grey[mask]
    # Texture: what remains after removing shading, so a gently lit plain wall passes.
    shading = cv2.GaussianBlur(grey, (0, 0), 5)
    texture = (grey.astype(np.float32) - shading)[mask]
    mean, spread, rough = float(wall.mean()), float(wall.std()), float(texture.std())
    metrics.update(background_brightness=mean, background_spread=spread,
                   background_texture=rough)
    if (mean < limits.min_background or spread > limits.max_background_spread
            or rough > limits.max_background_texture):
        found.add(BACKGROUND)
