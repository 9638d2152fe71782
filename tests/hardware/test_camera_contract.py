"""The camera contract, proved on the simulator and on OpenCvCamera reading a looping .avi.

For the real driver, "unplug" removes the file and releases the open capture at its next
read (on the reading thread, as a vanished USB camera behaves; releasing it from the test
thread would race the reader).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import cv2
import numpy as np
import pytest

from hardware.base import DeviceStatus, StatusChanged
from hardware.camera import OpenCvCamera, SimulatedCamera
from hardware.camera.interface import Camera, Frame
from hardware.camera.testimages import write_video
from hardware.errors import DeviceNotFoundError, HardwareError


class Cable:
    """Shared by every capture its factory makes: pulled, each dies at its next read."""

    def __init__(self) -> None:
        self.pulled = False

    def factory(self) -> Callable[[Any, int, Sequence[int]], Any]:
        cable = self

        class PullableCapture:
            def __init__(self, source: Any, api: int, params: Sequence[int]) -> None:
                self._cap = cv2.VideoCapture(source, api, list(params))

            def read(self, image: Any = None) -> tuple[bool, Any]:
                if cable.pulled:
                    self._cap.release()
                    return False, None
                return self._cap.read(image=image)

            def __getattr__(self, name: str) -> Any:
                return getattr(self._cap, name)

        return PullableCapture


@dataclass
class Rig:
    camera: Camera
    unplug: Callable[[], None]
    replug: Callable[[], None]


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return write_video(tmp_path_factory.mktemp("camera") / "booth.avi")


@pytest.fixture(params=["sim", "opencv"])
def rig(request, tmp_path, video):
    if request.param == "sim":
        sim = SimulatedCamera("cam", person=True)
        made = Rig(sim, sim.unplug, sim.replug)
    else:
        path, away = tmp_path / "camera.avi", tmp_path / "unplugged.avi"
        shutil.copy(video, path)
        cable = Cable()
        made = Rig(OpenCvCamera("cam", str(path), loop=True, capture_factory=cable.factory()),
                   lambda: (os.rename(path, away), setattr(cable, "pulled", True)),
                   lambda: (os.rename(away, path), setattr(cable, "pulled", False)))
    yield made
    made.camera.close()


@pytest.fixture
def camera(rig):
    rig.camera.open()
    return rig.camera


def wait_for(predicate, timeout: float) -> float | None:
    """Seconds until ``predicate()`` held, or None if it did not within ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.01)
    return None


def test_open_makes_the_camera_online_and_says_so(rig):
    events = []
    rig.camera.subscribe(events.append)
    assert rig.camera.status == DeviceStatus.OFFLINE
    rig.camera.open()
    assert rig.camera.status == DeviceStatus.ONLINE
    assert [e.status for e in events if isinstance(e, StatusChanged)] == [DeviceStatus.ONLINE]


def test_read_frame_returns_an_owned_bgr_uint8_frame_of_the_capture_size(camera):
    image = camera.read_frame()
    assert isinstance(image, np.ndarray)
    assert image.shape == (480, 640, 3) and image.dtype == np.uint8
    assert image.flags.writeable
    assert camera.counters["frames"] == 1


def test_capture_still_returns_a_new_full_size_frame_not_the_preview_one(camera):
    camera.start_preview(lambda frame: None)
    assert wait_for(lambda: camera.latest_frame() is not None, 2.0) is not None
    shown = camera.latest_frame()
    before = camera.counters["frames"]
    still = camera.capture_still()
    assert still.shape == (480, 640, 3) and still.flags.writeable
    assert not np.shares_memory(still, shown.image)
    assert camera.counters["frames"] > before


def test_preview_delivers_at_least_15_fps_without_blocking_the_caller(camera):
    frames: list[Frame] = []
    started = time.monotonic()
    camera.start_preview(frames.append)
    returned_after = time.monotonic() - started
    time.sleep(1.0 - returned_after)
    counted = len(frames)
    camera.stop_preview()
    assert returned_after < 0.05, f"start_preview blocked for {returned_after:.3f} s"
    assert counted >= 15, f"only {counted} frames in 1.0 s"
    assert all(f.image.shape == (480, 640, 3) and f.image.dtype == np.uint8 for f in frames)
    assert [f.index for f in frames] == sorted({f.index for f in frames})
    assert not frames[0].image.flags.writeable  # shared between consumers


def test_preview_calls_back_on_its_own_thread(camera):
    threads = set()
    camera.start_preview(lambda frame: threads.add(threading.get_ident()))
    assert wait_for(lambda: threads, 2.0) is not None
    camera.stop_preview()
    assert threading.get_ident() not in threads


def test_latest_frame_follows_the_stream_for_a_ui_pulling_at_its_own_rate(camera):
    assert camera.latest_frame() is None
    camera.start_preview(lambda frame: None)
    assert wait_for(lambda: camera.latest_frame() is not None, 2.0) is not None
    first = camera.latest_frame().index
    assert wait_for(lambda: camera.latest_frame().index > first, 2.0) is not None


def test_stop_preview_stops_callbacks_and_forgets_the_latest_frame(camera):
    frames = []
    camera.start_preview(frames.append)
    assert wait_for(lambda: len(frames) >= 3, 2.0) is not None
    camera.stop_preview()
    stopped_at = len(frames)
    time.sleep(0.3)
    assert len(frames) == stopped_at
    assert camera.latest_frame() is None
    assert not camera.previewing


def test_a_long_preview_reuses_its_buffers(camera):
    latest = {}
    camera.start_preview(lambda frame: latest.update(frame=frame), fps=60)
    assert wait_for(lambda: camera.counters.get("frames", 0) >= 20, 3.0) is not None
    camera.stop_preview()
    assert camera._pool.allocations <= camera._pool.capacity


def test_a_failing_callback_does_not_stop_the_preview(camera):
    calls = []

    def broken(frame):
        calls.append(frame)
        raise RuntimeError("UI bug")

    camera.start_preview(broken)
    assert wait_for(lambda: len(calls) >= 3, 2.0) is not None
    assert camera.status == DeviceStatus.ONLINE


def test_unplug_while_previewing_is_no_device_within_2_s(rig, camera):
    camera.start_preview(lambda frame: None)
    assert wait_for(lambda: camera.latest_frame() is not None, 2.0) is not None
    rig.unplug()
    took = wait_for(lambda: camera.status == DeviceStatus.NO_DEVICE, 2.0)
    assert took is not None, f"still {camera.status} 2 s after unplug"


def test_unplug_without_preview_is_no_device_at_the_next_poll(rig, camera):
    rig.unplug()
    started = time.monotonic()
    camera.poll()
    assert camera.status == DeviceStatus.NO_DEVICE
    assert time.monotonic() - started < 2.0
    with pytest.raises(DeviceNotFoundError):
        camera.read_frame()


def test_replug_then_close_and_open_is_online_again(rig, camera):
    rig.unplug()
    camera.poll()
    assert camera.status == DeviceStatus.NO_DEVICE
    rig.replug()
    camera.close()
    camera.open()
    assert camera.status == DeviceStatus.ONLINE
    assert camera.read_frame().shape == (480, 640, 3)


def test_open_while_unplugged_raises_device_not_found(rig):
    rig.unplug()
    with pytest.raises(DeviceNotFoundError):
        rig.camera.open()
    assert rig.camera.status == DeviceStatus.NO_DEVICE


def test_close_is_offline_and_reads_then_refuse(camera):
    camera.start_preview(lambda frame: None)
    camera.close()
    assert camera.status == DeviceStatus.OFFLINE and not camera.previewing
    with pytest.raises(HardwareError):
        camera.read_frame()
    with pytest.raises(HardwareError):
        camera.start_preview(lambda frame: None)
