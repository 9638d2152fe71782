"""The simulator's control API: people, images, light, files, stalls and cables."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from hardware.base import DeviceStatus
from hardware.camera import SimulatedCamera
from hardware.camera.photo import analyse
from hardware.camera.testimages import frame_number, write_video
from hardware.errors import DeviceNotFoundError, DeviceTimeoutError, HardwareError


@pytest.fixture
def sim():
    camera = SimulatedCamera("sim", fps=60)
    camera.open()
    yield camera
    camera.stall(False)
    camera.close()


def test_show_person_puts_a_face_the_detector_finds_in_front_of_the_camera(sim):
    assert analyse(sim.read_frame()).codes == ("no_face",)
    sim.show_person(True)
    check = analyse(sim.read_frame())
    assert check.ok, check.codes
    sim.show_person(False)
    assert analyse(sim.read_frame()).face is None


def test_show_image_delivers_that_image_scaled_to_the_frame(sim):
    picture = np.zeros((120, 160, 3), np.uint8)
    picture[:, 80:] = (0, 0, 255)
    sim.show_image(picture)
    frame = sim.read_frame()
    assert frame.shape == (480, 640, 3)
    assert tuple(frame[240, 100]) == (0, 0, 0) and tuple(frame[240, 500]) == (0, 0, 255)
    sim.show_image(None)
    assert frame_mean(sim.read_frame()) > 200  # back to the light booth


def frame_mean(image: np.ndarray) -> float:
    return float(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).mean())


def test_set_brightness_scales_the_light_and_refuses_nonsense(sim):
    normal = frame_mean(sim.read_frame())
    sim.set_brightness(0.3)
    assert frame_mean(sim.read_frame()) == pytest.approx(normal * 0.3, rel=0.05)
    sim.show_person(True)
    assert analyse(sim.read_frame()).reason == "光线太暗"
    with pytest.raises(ValueError):
        sim.set_brightness(0)


def test_reads_are_paced_at_the_native_frame_rate():
    camera = SimulatedCamera("sim", fps=20)
    camera.open()
    started = time.monotonic()
    for _ in range(6):
        camera.read_frame()
    took = time.monotonic() - started
    camera.close()
    assert 0.22 <= took < 0.5  # 5 intervals of 50 ms after the first frame


def test_a_video_source_plays_in_a_loop(tmp_path):
    path = write_video(tmp_path / "clip.avi", frames=4)
    camera = SimulatedCamera("sim", source=str(path), fps=120)
    camera.open()
    numbers = [frame_number(camera.read_frame()) for _ in range(9)]
    camera.close()
    assert numbers == [0, 1, 2, 3, 0, 1, 2, 3, 0]


def test_an_image_source_is_shown_at_the_frame_size(tmp_path):
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), np.full((100, 100, 3), 77, np.uint8))
    camera = SimulatedCamera("sim", source=str(path), width=320, height=240)
    camera.open()
    frame = camera.read_frame()
    camera.close()
    assert frame.shape == (240, 320, 3) and int(frame.mean()) == 77


def test_a_missing_source_file_is_no_device(tmp_path):
    camera = SimulatedCamera("sim", source=str(tmp_path / "gone.avi"))
    with pytest.raises(DeviceNotFoundError):
        camera.open()
    assert camera.status == DeviceStatus.NO_DEVICE


def test_a_stalled_driver_times_out_and_turns_hardware_error():
    camera = SimulatedCamera("sim", timeout_s=0.1, max_failures=2)
    camera.open()
    camera.stall()
    with pytest.raises(DeviceTimeoutError):
        camera.read_frame()
    camera.poll()
    assert camera.status == DeviceStatus.HARDWARE_ERROR
    camera.stall(False)
    camera.poll()
    assert camera.status == DeviceStatus.ONLINE
    camera.close()


def test_a_preview_that_stops_receiving_frames_is_reported_by_poll():
    camera = SimulatedCamera("sim", timeout_s=0.2)
    camera.open()
    camera.start_preview(lambda frame: None)
    time.sleep(0.1)
    camera.stall()
    time.sleep(0.45)
    camera.poll()
    assert camera.status == DeviceStatus.HARDWARE_ERROR
    assert "no frame" in camera.detail
    camera.stall(False)
    camera.close()


def test_replug_alone_does_not_revive_the_old_handle(sim):
    sim.unplug()
    sim.poll()
    assert sim.status == DeviceStatus.NO_DEVICE
    sim.replug()
    with pytest.raises(HardwareError):
        sim.read_frame()
    sim.close()
    sim.open()
    assert sim.status == DeviceStatus.ONLINE
