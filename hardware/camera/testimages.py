"""Synthetic camera frames: a plain booth background and drawn head-and-shoulders people.

There is no sample face photo in OpenCV's package and none may be downloaded, so tests and
the simulator draw one. The drawing is tuned until OpenCV's Haar cascade
(``haarcascade_frontalface_default``) finds it: an upright skin ellipse, hair framing it,
shaded eye sockets with whites and irises, brows, a nose shadow and a mouth, softened by a
Gaussian blur and a little sensor noise. Pure functions, except `write_video`, which
writes a stand-in camera file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

BGR = tuple[int, int, int]

BOOTH_BACKGROUND: BGR = (236, 238, 240)  # a light, slightly warm white wall
SKIN: BGR = (150, 175, 215)
HAIR: BGR = (32, 30, 35)
SHIRT: BGR = (90, 60, 40)


@dataclass(frozen=True)
class Person:
    """Where a drawn person stands, in fractions of the frame (resolution independent).

    ``x``/``y`` place the centre of the face (``y`` from the top); ``face_width`` is the
    width of the face (cheek to cheek, not counting hair) as a fraction of the frame width.
    """

    x: float = 0.5
    y: float = 0.45
    face_width: float = 0.25
    skin: BGR = SKIN
    hair: BGR = HAIR
    shirt: BGR = SHIRT


def _shade(colour: BGR, factor: float) -> BGR:
    return tuple(int(min(255, c * factor)) for c in colour)  # type: ignore[return-value]


def draw_person(img: np.ndarray, person: Person) -> np.ndarray:
    """Draw ``person`` (hair, face, neck, shoulders) onto ``img`` in place; returns it."""
    height, width = img.shape[:2]
    cx, cy = int(person.x * width), int(person.y * height)
    w = max(8, int(person.face_width * width))
    h = int(w * 1.3)  # face height; an adult face is about 1.3 times as tall as wide

    def px(f: float) -> int:
        return max(1, int(round(f)))

    # Hair behind the head, then neck and shoulders, then the face over them.
    cv2.ellipse(img, (cx, cy - px(0.08 * h)), (px(0.56 * w), px(0.58 * h)), 0, 0, 360,
                person.hair, -1, cv2.LINE_AA)
    cv2.rectangle(img, (cx - px(0.22 * w), cy + px(0.3 * h)),
                  (cx + px(0.22 * w), cy + px(0.75 * h)), _shade(person.skin, 0.85), -1)
    cv2.ellipse(img, (cx, cy + px(1.05 * h)), (px(1.1 * w), px(0.45 * h)), 0, 180, 360,
                person.shirt, -1, cv2.LINE_AA)
    cv2.ellipse(img, (cx, cy + px(0.05 * h)), (w // 2, px(0.5 * h)), 0, 0, 360,
                person.skin, -1, cv2.LINE_AA)
    # Fringe over the forehead: the dark band above the eyes the cascade expects.
    cv2.ellipse(img, (cx, cy - px(0.38 * h)), (px(0.5 * w), px(0.16 * h)), 0, 180, 360,
                person.hair, -1, cv2.LINE_AA)
    eye_y, eye_dx = cy - px(0.05 * h), px(0.2 * w)
    for side in (-1, 1):
        ex = cx + side * eye_dx
        cv2.ellipse(img, (ex, eye_y), (px(0.13 * w), px(0.07 * w)), 0, 0, 360,
                    _shade(person.skin, 0.7), -1, cv2.LINE_AA)  # socket shadow
        cv2.ellipse(img, (ex, eye_y), (px(0.09 * w), px(0.04 * w)), 0, 0, 360,
                    (235, 235, 235), -1, cv2.LINE_AA)
        cv2.circle(img, (ex, eye_y), px(0.035 * w), (30, 25, 20), -1, cv2.LINE_AA)
        cv2.ellipse(img, (ex, eye_y - px(0.1 * w)), (px(0.12 * w), px(0.03 * w)), 0, 180, 360,
                    _shade(person.hair, 1.1), max(2, px(0.03 * w)), cv2.LINE_AA)
    nose_y = cy + px(0.12 * h)
    cv2.line(img, (cx + px(0.03 * w), eye_y + px(0.05 * w)), (cx + px(0.05 * w), nose_y),
             _shade(person.skin, 0.75), max(2, px(0.025 * w)), cv2.LINE_AA)
    cv2.ellipse(img, (cx, nose_y), (px(0.08 * w), px(0.03 * w)), 0, 0, 180,
                _shade(person.skin, 0.6), -1, cv2.LINE_AA)
    mouth_y = cy + px(0.25 * h)
    cv2.ellipse(img, (cx, mouth_y), (px(0.15 * w), px(0.04 * w)), 0, 0, 360,
                (90, 90, 170), -1, cv2.LINE_AA)
    cv2.line(img, (cx - px(0.15 * w), mouth_y), (cx + px(0.15 * w), mouth_y),
             (60, 50, 110), 2, cv2.LINE_AA)
    return img


def busy_background(img: np.ndarray, seed: int = 7) -> np.ndarray:
    """Paint posters, shelves and a door frame (strong colours and edges) in place."""
    rng = np.random.default_rng(seed)
    height, width = img.shape[:2]
    for _ in range(40):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        w = int(rng.integers(width // 20, width // 5))
        h = int(rng.integers(height // 20, height // 4))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.rectangle(img, (x, y), (x + w, y + h), colour, -1)
    return img


def scene(width: int = 640, height: int = 480, people: tuple[Person, ...] = (Person(),), *,
          background: BGR = BOOTH_BACKGROUND, busy: bool = False, brightness: float = 1.0,
          blur_sigma: float = 1.2, noise: float = 2.0, seed: int = 0) -> np.ndarray:
    """A BGR uint8 frame of ``people`` in front of a booth wall.

    ``blur_sigma`` softens edges like a camera lens does (raise it to make a blurred frame);
    ``noise`` is the standard deviation of sensor noise in grey levels; ``brightness``
    scales the whole frame (0.3 = a dim room, 1.6 = overexposed). Deterministic per ``seed``.
    """
    img = np.empty((height, width, 3), np.uint8)
    img[:] = background
    if busy:
        busy_background(img, seed + 7)
    for person in people:
        draw_person(img, person)
    if blur_sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur_sigma)
    if brightness != 1.0:
        img = cv2.convertScaleAbs(img, alpha=brightness)
    if noise > 0:
        rng = np.random.default_rng(seed)
        grain = rng.normal(0.0, noise, img.shape).astype(np.float32)
        img = np.clip(img.astype(np.float32) + grain, 0, 255).astype(np.uint8)
    return img


def empty_booth(width: int = 640, height: int = 480, **kwargs: object) -> np.ndarray:
    """The booth with nobody in it (same keywords as `scene`)."""
    return scene(width, height, (), **kwargs)  # type: ignore[arg-type]


def write_video(path: str | Path, frames: int = 15, width: int = 640, height: int = 480,
                people: tuple[Person, ...] = (Person(),)) -> Path:
    """Write an MJPG .avi stand-in camera of ``frames`` scenes; returns its path.

    Frame i carries grey level 8*i in its top-left 32x32 block (see `frame_number`), so a
    reader can tell frames apart. Raises OSError when OpenCV cannot write there.
    """
    path = Path(path)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (width, height))
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write an MJPG .avi at {path}")
    try:
        base = scene(width, height, people)
        for i in range(frames):
            img = base.copy()
            img[:32, :32] = (8 * i) % 256
            writer.write(img)
    finally:
        writer.release()
    return path


def frame_number(image: np.ndarray) -> int:
    """The number `write_video` stamped on a frame (rounded: JPEG blurs it slightly)."""
    return int(round(float(image[8:24, 8:24].mean()) / 8))
