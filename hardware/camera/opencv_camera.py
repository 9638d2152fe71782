"""A real camera through `cv2.VideoCapture`: a device index, a file or a stream URL.

Files stand in for cameras in tests and demos (an MJPG .avi written by cv2.VideoWriter);
with ``loop`` they rewind at their end. Width, height and fps are requests to a device:
files and streams deliver their own size, which is what `read_frame` returns.
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any, Callable, Sequence

import cv2
import numpy as np

from hardware.base import DeviceInfo
from hardware.camera.interface import Camera
from hardware.camera import options as opt
from hardware.errors import DeviceNotFoundError, DeviceTimeoutError, HardwareError

log = logging.getLogger(__name__)

# (source, api preference, params) -> a VideoCapture-like object; injectable for tests.
CaptureFactory = Callable[[int | str, int, Sequence[int]], Any]

OPTIONS = opt.OPENCV_OPTIONS


def source_kind(src: int | str) -> str:
    """"device", "stream" or "file"."""
    if isinstance(src, int) or src.startswith("/dev/"):
        return "device"
    return "stream" if "://" in src else "file"


def safe_label(src: int | str) -> str:
    """The source for logs, without a password in a URL (rtsp://user:pw@host -> ***@host)."""
    return re.sub(r"//[^/@]*@", "//***@", str(src))


class OpenCvCamera(Camera):
    """`Camera` over OpenCV. ``capture_factory`` defaults to `cv2.VideoCapture`."""

    def __init__(self, name: str, source: int | str = 0, *, width: int = 640,
                 height: int = 480, fps: float = 30.0, loop: bool = False, fourcc: str = "",
                 timeout_s: float = 5.0, max_failures: int = 5,
                 capture_factory: CaptureFactory | None = None) -> None:
        super().__init__(name, width=width, height=height, timeout_s=timeout_s,
                         max_failures=max_failures)
        self.source, self.fps, self.loop, self.fourcc = source, fps, loop, fourcc
        self.source_kind = source_kind(source)
        self._factory: CaptureFactory = capture_factory or cv2.VideoCapture
        self._cap: Any = None

    def capabilities(self) -> dict[str, Any]:
        height, width = self._shape[:2]
        return {"width": width, "height": height, "fps": self.fps, "source": self.source_kind,
                "preview": True, "still": True}

    def _open_source(self) -> None:
        label = safe_label(self.source)
        if self.source_kind == "file" and not os.path.exists(str(self.source)):
            raise DeviceNotFoundError(f"camera source file {label} does not exist")
        timeout_ms = int(self.timeout_s * 1000)
        # Honoured by the FFmpeg backend (files, streams); V4L2 has its own read timeout.
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, timeout_ms,
                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, timeout_ms]
        try:
            cap = self._factory(self.source, cv2.CAP_ANY, params)
            opened = cap.isOpened()
        except cv2.error as exc:
            raise HardwareError(f"camera source {label} failed to open: {exc}") from exc
        if not opened:
            cap.release()
            raise DeviceNotFoundError(f"camera source {label} cannot be opened")
        if self.source_kind == "device":
            self._configure_device(cap)
        self._cap = cap
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) or self.width
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) or self.height
        self._shape = (height, width, 3)
        self._info = DeviceInfo(model=f"OpenCV {cap.getBackendName()}",
                                transport=f"{self.source_kind}:{label}")
        log.info("camera %s: %s opened at %dx%d", self.name, label, width, height)

    def _configure_device(self, cap: Any) -> None:
        if self.fourcc:
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*self.fourcc))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        cap.set(cv2.CAP_PROP_FPS, self.fps)
        # One buffered frame: a preview slower than the camera then shows now, not the past.
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        got = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        if got != (self.width, self.height):
            log.warning("camera %s: asked for %dx%d, the device gives %dx%d", self.name,
                        self.width, self.height, *got)

    def _close_source(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            try:
                cap.release()
            except cv2.error:  # releasing a vanished device can fail; it is gone either way
                log.warning("camera %s: release failed", self.name, exc_info=True)

    def _read_into(self, buf: np.ndarray) -> np.ndarray:
        started = time.monotonic()
        try:
            ok, image = self._cap.read(image=buf)
            if not ok and self.loop and self.source_kind == "file":
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, image = self._cap.read(image=buf)
        except cv2.error as exc:
            raise HardwareError(f"frame read failed: {exc}") from exc
        if not ok or image is None:
            if time.monotonic() - started >= self.timeout_s:
                raise DeviceTimeoutError(f"no frame within {self.timeout_s} s")
            reason = "end of file" if self.source_kind == "file" else "read failed"
            raise HardwareError(f"{safe_label(self.source)}: {reason}")
        if image.ndim == 2:  # some backends deliver grey or BGRA despite CONVERT_RGB
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        return image

    def _discard_stale(self) -> None:
        # A device may hold a frame captured before the still was asked for: drop it.
        if self.source_kind == "device":
            try:
                self._cap.grab()
            except cv2.error:
                log.debug("camera %s: grab before still failed", self.name, exc_info=True)
