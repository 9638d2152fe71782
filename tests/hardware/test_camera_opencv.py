"""OpenCvCamera specifics: files, looping, failure counting, sizes, labels."""

from __future__ import annotations

import time

import numpy as np
import pytest

from hardware.base import DeviceStatus
from hardware.camera import OpenCvCamera
from hardware.camera.opencv_camera import safe_label, source_kind
from hardware.camera.testimages import frame_number, write_video
from hardware.errors import DeviceNotFoundError, DeviceTimeoutError, HardwareError


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return write_video(tmp_path_factory.mktemp("opencv") / "ten.avi", frames=10)


class FakeCapture:
    """A VideoCapture stand-in whose reads succeed or fail on command."""

    def __init__(self, frames_ok: bool = True, opened: bool = True, slow_s: float = 0.0):
        self.ok, self.opened, self.slow_s = frames_ok, opened, slow_s
        self.released = False

    def __call__(self, source, api, params):
        return self

    def isOpened(self):
        return self.opened

    def read(self, image=None):
        time.sleep(self.slow_s)
        if not self.ok:
            return False, None
        frame = image if image is not None and image.shape == (480, 640, 3) else \
            np.empty((480, 640, 3), np.uint8)
        frame[:] = 200
        return True, frame

    def get(self, prop):
        return 0

    def set(self, prop, value):
        return True

    def grab(self):
        return True

    def release(self):
        self.released = True

    def getBackendName(self):
        return "FAKE"


def test_a_missing_file_is_no_device_at_open(tmp_path):
    camera = OpenCvCamera("cam", str(tmp_path / "nothing.avi"))
    with pytest.raises(DeviceNotFoundError, match="does not exist"):
        camera.open()
    assert camera.status == DeviceStatus.NO_DEVICE


def test_a_source_that_cannot_be_opened_is_no_device_and_released():
    fake = FakeCapture(opened=False)
    camera = OpenCvCamera("cam", 3, capture_factory=fake)
    with pytest.raises(DeviceNotFoundError, match="cannot be opened"):
        camera.open()
    assert camera.status == DeviceStatus.NO_DEVICE and fake.released


def test_a_looping_file_plays_past_its_end_in_order(video):
    camera = OpenCvCamera("cam", str(video), loop=True)
    camera.open()
    numbers = [frame_number(camera.read_frame()) for _ in range(25)]
    camera.close()
    assert numbers == [i % 10 for i in range(25)]


def test_a_file_without_loop_ends_as_no_device_after_max_failures(video):
    camera = OpenCvCamera("cam", str(video), max_failures=3)
    camera.open()
    for _ in range(10):
        camera.read_frame()
    for _ in range(2):
        with pytest.raises(HardwareError, match="end of file"):
            camera.read_frame()
        assert camera.status == DeviceStatus.ONLINE  # one bad read is not an unplug
    with pytest.raises(DeviceNotFoundError):
        camera.read_frame()
    assert camera.status == DeviceStatus.NO_DEVICE
    assert camera.counters["read_failures"] == 3
    camera.close()


def test_reads_that_work_again_bring_the_camera_back_online():
    fake = FakeCapture()
    camera = OpenCvCamera("cam", 0, max_failures=2, capture_factory=fake)
    camera.open()
    fake.ok = False
    camera.poll()
    assert camera.status == DeviceStatus.NO_DEVICE
    fake.ok = True
    camera.poll()
    assert camera.status == DeviceStatus.ONLINE


def test_a_failed_read_that_took_the_whole_timeout_is_a_timeout():
    fake = FakeCapture(frames_ok=False, slow_s=0.15)
    camera = OpenCvCamera("cam", 0, timeout_s=0.1, max_failures=2, capture_factory=fake)
    camera.open()
    with pytest.raises(DeviceTimeoutError):
        camera.read_frame()
    with pytest.raises(DeviceTimeoutError):
        camera.read_frame()
    assert camera.status == DeviceStatus.HARDWARE_ERROR  # not answering, not gone


def test_frames_handed_out_are_never_overwritten_by_later_reads(video):
    camera = OpenCvCamera("cam", str(video), loop=True)
    camera.open()
    held = [camera.read_frame() for _ in range(6)]  # more than the pool's 4 buffers
    copies = [image.copy() for image in held]
    for _ in range(12):
        camera.read_frame()
    camera.close()
    assert all(np.array_equal(a, b) for a, b in zip(held, copies))
    assert [frame_number(image) for image in held] == list(range(6))


def test_a_file_of_another_size_is_read_at_its_own_size_without_reallocating(tmp_path):
    small = write_video(tmp_path / "small.avi", frames=5, width=320, height=240)
    camera = OpenCvCamera("cam", str(small), loop=True)  # asks 640x480: a file cannot obey
    camera.open()
    shapes = {camera.read_frame().shape for _ in range(20)}
    camera.close()
    assert shapes == {(240, 320, 3)}
    assert camera._pool.allocations <= camera._pool.capacity


def test_stream_passwords_never_reach_the_device_info_or_logs():
    assert safe_label("rtsp://admin:secret@10.0.0.5/live") == "rtsp://***@10.0.0.5/live"
    camera = OpenCvCamera("cam", "rtsp://admin:secret@10.0.0.5/live",
                          capture_factory=FakeCapture())
    camera.open()
    assert "secret" not in camera.info.transport
    assert camera.info.transport == "stream:rtsp://***@10.0.0.5/live"


@pytest.mark.parametrize("src, kind", [(0, "device"), ("/dev/video2", "device"),
                                        ("rtsp://h/x", "stream"), ("http://h/x.mjpg", "stream"),
                                        ("/srv/booth.avi", "file")])
def test_sources_are_told_apart(src, kind):
    assert source_kind(src) == kind
