"""A full camera simulator: same interface, statuses and timing as a real camera.

Frames are a drawn booth (light wall; with `show_person`, a head-and-shoulders person the
Haar detector finds), or an image or video file given as ``source`` (videos loop), or any
image set with `show_image`. Reads are paced at the native ``fps`` like a real sensor.
A control API lets tests and the demo play scenarios: `show_person`, `show_image`,
`set_brightness`, `unplug` / `replug`, `stall`. Control methods never block and may be
called from any thread.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import cv2
import numpy as np

from hardware.base import DeviceInfo
from hardware.camera import options as opt
from hardware.camera.interface import Camera
from hardware.camera.testimages import Person, scene
from hardware.errors import DeviceNotFoundError, DeviceTimeoutError, HardwareError

OPTIONS = opt.SIM_OPTIONS


class SimulatedCamera(Camera):
    def __init__(self, name: str, *, source: str = "", width: int = 640, height: int = 480,
                 fps: float = 30.0, loop: bool = True, person: bool = False,
                 brightness: float = 1.0, timeout_s: float = 5.0,
                 max_failures: int = 5) -> None:
        super().__init__(name, width=width, height=height, timeout_s=timeout_s,
                         max_failures=max_failures)
        self.source, self.fps, self.loop = source, fps, loop
        self._state = threading.Lock()  # control calls come from other threads
        self._person = person
        self._brightness = brightness
        self._shown: np.ndarray | None = None
        self._cached: np.ndarray | None = None  # the rendered still scene
        self._plugged = True
        self._plug_generation = 0  # an unplug invalidates handles opened before it
        self._open_generation = -1
        self._unstalled = threading.Event()
        self._unstalled.set()
        self._player: Any = None  # cv2.VideoCapture of a video source
        self._picture: np.ndarray | None = None  # an image source
        self._next_tick = 0.0
        self._info = DeviceInfo(model="simulated camera", transport="sim")

    def capabilities(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height, "fps": self.fps,
                "source": "sim", "preview": True, "still": True}

    # -- control API -------------------------------------------------------------------------
    def show_person(self, present: bool = True) -> None:
        """Someone steps in front of the camera (drawn face, found by the Haar cascade)."""
        with self._state:
            self._person, self._cached = present, None

    def show_image(self, image: np.ndarray | None) -> None:
        """Deliver this BGR (or grey) uint8 image, scaled to the frame size; None: back to
        the scene or source. Raises ValueError for another kind of array."""
        if image is not None:
            if image.dtype != np.uint8 or image.ndim not in (2, 3):
                raise ValueError(f"expected a uint8 image, got {image.dtype} {image.shape}")
            fitted = self._fit(image)
            image = image.copy() if fitted is image else fitted  # the caller may reuse theirs
        with self._state:
            self._shown, self._cached = image, None

    def set_brightness(self, factor: float) -> None:
        """Scale the light (0.3 = a dim room, 1.6 = glare). ValueError outside 0.05..4."""
        if not 0.05 <= factor <= 4.0:
            raise ValueError(f"brightness {factor!r}: allowed 0.05..4")
        with self._state:
            self._brightness, self._cached = factor, None

    def unplug(self) -> None:
        """The cable is pulled: reads fail (NO_DEVICE after max_failures), open fails."""
        with self._state:
            self._plugged = False
            self._plug_generation += 1

    def replug(self) -> None:
        """The cable is back. Like a real USB camera, the old handle stays dead: the device
        manager must `close` and `open` again."""
        with self._state:
            self._plugged = True

    def stall(self, stalled: bool = True) -> None:
        """Reads hang (driver stuck) until ``stall(False)``; each gives up after timeout_s."""
        if stalled:
            self._unstalled.clear()
        else:
            self._unstalled.set()

    # -- driver hooks ----------------------------------------------------------------------------
    def _open_source(self) -> None:
        with self._state:
            if not self._plugged:
                raise DeviceNotFoundError("simulated camera is unplugged")
            generation = self._plug_generation
        if self.source:
            self._open_file()
        with self._state:
            self._cached = None
        self._open_generation = generation
        self._next_tick = time.monotonic()

    def _open_file(self) -> None:
        if not os.path.exists(self.source):
            raise DeviceNotFoundError(f"simulated camera source {self.source} does not exist")
        picture = cv2.imread(self.source, cv2.IMREAD_COLOR)
        if picture is not None:
            self._picture = self._fit(picture)
            return
        try:
            player = cv2.VideoCapture(self.source)
        except cv2.error as exc:
            raise HardwareError(f"simulated camera source {self.source}: {exc}") from exc
        if not player.isOpened():
            player.release()
            raise HardwareError(f"simulated camera source {self.source} is neither an image "
                                "nor a video OpenCV can read")
        self._player = player

    def _close_source(self) -> None:
        if self._player is not None:
            self._player.release()
        self._player, self._picture = None, None

    def _read_into(self, buf: np.ndarray) -> np.ndarray:
        self._wait_for_tick()
        if not self._unstalled.wait(self.timeout_s):
            raise DeviceTimeoutError(f"no frame within {self.timeout_s} s (simulated stall)")
        with self._state:
            alive = self._plugged and self._open_generation == self._plug_generation
        if not alive:
            raise HardwareError("simulated camera: read failed (unplugged)")
        image = self._render()
        if buf.shape == image.shape:
            np.copyto(buf, image)
            return buf
        return image.copy()

    # -- rendering -------------------------------------------------------------------------------
    def _wait_for_tick(self) -> None:
        # A sensor delivers on its own clock: a read waits for the next frame time.
        now = time.monotonic()
        if self._next_tick > now:
            time.sleep(self._next_tick - now)
            now = self._next_tick
        self._next_tick = now + 1.0 / self.fps

    def _fit(self, image: np.ndarray) -> np.ndarray:
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        if image.shape[:2] != (self.height, self.width):
            image = cv2.resize(image, (self.width, self.height), interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(image)

    def _render(self) -> np.ndarray:
        with self._state:
            shown, brightness, person = self._shown, self._brightness, self._person
            cached = self._cached
        if shown is None and self._player is not None:
            return self._lit(self._next_video_frame(), brightness)
        if cached is not None:
            return cached
        if shown is not None:
            base = shown
        elif self._picture is not None:
            base = self._picture
        else:
            people = (Person(),) if person else ()
            base = scene(self.width, self.height, people)
        rendered = self._lit(base, brightness)
        with self._state:
            if (self._shown is shown and self._brightness == brightness
                    and self._person == person):
                self._cached = rendered
        return rendered

    @staticmethod
    def _lit(image: np.ndarray, brightness: float) -> np.ndarray:
        return image if brightness == 1.0 else cv2.convertScaleAbs(image, alpha=brightness)

    def _next_video_frame(self) -> np.ndarray:
        ok, frame = self._player.read()
        if not ok and self.loop:
            self._player.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._player.read()
        if not ok or frame is None:
            raise HardwareError(f"simulated camera source {self.source}: end of video")
        return self._fit(frame)
