"""DRIVERS: building cameras from configuration tables, refusing bad options clearly."""

from __future__ import annotations

import pytest

from hardware.base import DeviceStatus
from hardware.camera import DRIVERS, OpenCvCamera, SimulatedCamera
from hardware.errors import DeviceConfigError
from hardware.registry import build_device, check_device_options


def test_the_drivers_are_opencv_and_sim():
    assert set(DRIVERS) == {"opencv", "sim"}


def test_factories_build_without_opening(tmp_path):
    # A file that does not exist yet: building must not touch it.
    real = DRIVERS["opencv"]("booth", {"source": str(tmp_path / "later.avi"), "loop": True,
                                       "width": 1280, "height": 720, "fps": 15})
    sim = DRIVERS["sim"]("booth", {"person": True, "brightness": 0.5})
    assert isinstance(real, OpenCvCamera) and isinstance(sim, SimulatedCamera)
    assert real.status == sim.status == DeviceStatus.OFFLINE
    assert real._cap is None
    assert (real.width, real.height, real.fps, real.loop) == (1280, 720, 15.0, True)


def test_defaults_are_a_640x480_camera_zero():
    camera = DRIVERS["opencv"]("booth", {})
    assert (camera.source, camera.width, camera.height) == (0, 640, 480)


def test_an_unknown_option_is_named_with_the_allowed_ones_and_a_suggestion():
    with pytest.raises(DeviceConfigError) as caught:
        DRIVERS["opencv"]("booth", {"widht": 800})
    message = str(caught.value)
    assert "'widht'" in message and "800" in message
    assert "allowed options: source, width" in message and "did you mean 'width'" in message


@pytest.mark.parametrize("driver, option, value, allowed", [
    ("opencv", "width", -5, "16..7680"),
    ("opencv", "width", True, "integer"),
    ("opencv", "height", 480.5, "integer"),
    ("opencv", "fps", "fast", "1..120"),
    ("opencv", "fps", float("nan"), "1..120"),
    ("opencv", "source", -1, "camera index"),
    ("opencv", "source", "  ", "camera index"),
    ("opencv", "loop", "yes", "true or false"),
    ("opencv", "fourcc", "MJPEG", "4-character"),
    ("opencv", "max_failures", 0, "1..100"),
    ("sim", "brightness", 0, "0.05..4"),
    ("sim", "person", 1, "true or false"),
    ("sim", "source", 7, "path"),
])
def test_a_bad_value_names_the_option_the_value_and_what_is_allowed(driver, option, value,
                                                                    allowed):
    with pytest.raises(DeviceConfigError) as caught:
        DRIVERS[driver]("booth", {option: value})
    message = str(caught.value)
    assert f"option {option!r} got {value!r}" in message
    assert allowed in message and "'booth'" in message


def test_the_registry_builds_and_checks_cameras():
    camera = build_device("booth", "camera", "sim", {"fps": 25})
    assert isinstance(camera, SimulatedCamera) and camera.fps == 25.0
    assert check_device_options("camera", "opencv", "booth", {"source": 0}) is None
    assert "width" in check_device_options("camera", "opencv", "booth", {"width": 0})
