"""The camera: live preview for the screen, stills, and ID photos (GA 461 / 1 inch).

Drivers: ``opencv`` (`OpenCvCamera`: a device index, a file or a stream URL) and ``sim``
(`SimulatedCamera`). `DRIVERS` builds either from a configuration table without opening
it; option problems raise DeviceConfigError naming the option, the value and what is
allowed. Photo processing lives in `hardware.camera.photo`. Names are imported on first use
(`hardware.lazy`): checking options or importing this package does not load OpenCV.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from hardware.camera.options import OPENCV_OPTIONS, SIM_OPTIONS, parse_options
from hardware.lazy import lazy_exports

_EXPORTS = {
    "Camera": "interface", "Frame": "interface", "OpenCvCamera": "opencv_camera",
    "SimulatedCamera": "simulator",
    **{name: "photo" for name in (
        "GA461", "ONE_INCH", "CheckLimits", "FaceBox", "IdPhoto", "Issue", "PhotoCheck",
        "PhotoError", "PhotoSpec", "analyse", "crop_id_photo", "encode_jpeg", "make_id_photo",
        "measure_pipeline")},
}
__getattr__ = lazy_exports(__name__, _EXPORTS)
__all__ = ["DRIVERS", "VALIDATORS", *_EXPORTS]


def _check_opencv(name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    return parse_options(name, "opencv", options, OPENCV_OPTIONS)


def _check_sim(name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    return parse_options(name, "sim", options, SIM_OPTIONS)


def _opencv(name: str, options: Mapping[str, Any]):
    from hardware.camera.opencv_camera import OpenCvCamera

    return OpenCvCamera(name, **_check_opencv(name, options))


def _sim(name: str, options: Mapping[str, Any]):
    from hardware.camera.simulator import SimulatedCamera

    return SimulatedCamera(name, **_check_sim(name, options))


DRIVERS: dict[str, Callable[[str, Mapping[str, Any]], Any]] = {"opencv": _opencv, "sim": _sim}
# Option checks alone, without importing the drivers (used by the configuration check).
VALIDATORS: dict[str, Callable[[str, Mapping[str, Any]], Any]] = {
    "opencv": _check_opencv, "sim": _check_sim}
