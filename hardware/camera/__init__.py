"""The camera: live preview for the screen, stills, and ID photos (GA 461 / 1 inch).

Drivers: ``opencv`` (`OpenCvCamera`: a device index, a file or a stream URL) and ``sim``
(`SimulatedCamera`). `DRIVERS` builds either from a configuration table without opening
it; option problems raise DeviceConfigError naming the option, the value and what is
allowed. Photo processing lives in `hardware.camera.photo`. Importing this package imports
OpenCV (about 0.1 s), which is why the registry imports it only for terminals with a camera.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from hardware.camera import opencv_camera, simulator
from hardware.camera.interface import Camera, Frame
from hardware.camera.opencv_camera import OpenCvCamera
from hardware.camera.options import parse_options
from hardware.camera.photo import (
    GA461, ONE_INCH, CheckLimits, FaceBox, IdPhoto, Issue, PhotoCheck, PhotoError, PhotoSpec,
    analyse, crop_id_photo, encode_jpeg, make_id_photo, measure_pipeline)
from hardware.camera.simulator import SimulatedCamera

__all__ = [
    "Camera", "Frame", "OpenCvCamera", "SimulatedCamera", "DRIVERS", "GA461", "ONE_INCH",
    "CheckLimits", "FaceBox", "IdPhoto", "Issue", "PhotoCheck", "PhotoError", "PhotoSpec",
    "analyse", "crop_id_photo", "encode_jpeg", "make_id_photo", "measure_pipeline",
]


def _opencv(name: str, options: Mapping[str, Any]) -> Camera:
    return OpenCvCamera(name, **parse_options(name, "opencv", options, opencv_camera.OPTIONS))


def _sim(name: str, options: Mapping[str, Any]) -> Camera:
    return SimulatedCamera(name, **parse_options(name, "sim", options, simulator.OPTIONS))


DRIVERS: dict[str, Callable[[str, Mapping[str, Any]], Camera]] = {
    "opencv": _opencv,
    "sim": _sim,
}
