"""Finding faces in a camera frame with OpenCV's Haar cascade.

`haar_faces` is the default detector of `photo.analyse`; any callable with the same shape
(`FaceDetector`) can replace it, e.g. in tests or with a better model later.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Sequence

import cv2
import numpy as np

from hardware.errors import HardwareError

CASCADE_FILE = "haarcascade_frontalface_default.xml"
DETECT_WIDTH = 320  # frames are shrunk to this width first: 4x fewer pixels at 640x480
MIN_FACE_FRACTION = 0.08  # ignore "faces" narrower than this share of the frame width


@dataclass(frozen=True)
class FaceBox:
    """A detected face in frame pixels (the cascade's square: brows/forehead to chin)."""

    x: int
    y: int
    w: int
    h: int

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    @property
    def area(self) -> int:
        return self.w * self.h


FaceDetector = Callable[[np.ndarray], Sequence[FaceBox]]

_cascade: cv2.CascadeClassifier | None = None
# One lock for loading and for detecting: CascadeClassifier is not documented as safe to
# share between threads, and the kiosk runs one photo at a time anyway.
_lock = threading.Lock()


def _load_cascade() -> cv2.CascadeClassifier:
    global _cascade
    if _cascade is None:
        path = cv2.data.haarcascades + CASCADE_FILE
        try:
            cascade = cv2.CascadeClassifier(path)
        except cv2.error as exc:
            raise HardwareError(f"face detector {path} could not be loaded: {exc}") from exc
        if cascade.empty():
            raise HardwareError(f"face detector {path} is missing or empty "
                                "(opencv-python-headless 4.x ships it; 5.x does not)")
        _cascade = cascade
    return _cascade


def haar_faces(frame: np.ndarray) -> list[FaceBox]:
    """Faces in a BGR (or grey) frame, largest first. Blocks ~5-10 ms at 640x480.

    Detects on a grey copy shrunk to `DETECT_WIDTH`; no histogram equalisation, because on
    a light booth wall it flattens the face contrast the cascade looks for. Raises
    HardwareError when the cascade file cannot be loaded.
    """
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, DETECT_WIDTH / grey.shape[1])
    if scale < 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    smallest = max(20, int(MIN_FACE_FRACTION * grey.shape[1]))
    with _lock:
        found = _load_cascade().detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5,
                                                 minSize=(smallest, smallest))
    boxes = [FaceBox(*(int(round(v / scale)) for v in row)) for row in found]
    return sorted(boxes, key=lambda b: b.area, reverse=True)
