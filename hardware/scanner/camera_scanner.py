"""CameraScanner: QR codes (and optionally Code 128) read from camera frames.

Decoding uses zxing-cpp (PyPI ``zxing-cpp`` >= 3, import ``zxingcpp``): about 1-3.5 ms per
640x480 frame against 12-23 ms for OpenCV or zbar (toolchain.md; `measure_decoders`),
Chinese UTF-8 payloads come back intact (zbar guesses Shift-JIS), and it is restricted to
the symbologies the kiosk expects, which keeps noise from being read as a 1D code.

The camera is any object with a blocking ``read_frame() -> numpy.ndarray`` (BGR HxWx3 or
grey HxW, uint8): `FrameSource`. The scanner does not own it; open() starts the decode
loop and close() ends it. While stopped (`stop()`), no frame is read at all, so the camera
is free for taking photos. A code held in front of the camera for many frames counts once
(the ScanFilter's window is refreshed by every frame that still shows it).

zxingcpp and numpy are imported on first use, so a terminal without a camera scanner does
not need them.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol

from hardware.base import DeviceInfo
from hardware.errors import DeviceConfigError, DeviceNotFoundError, HardwareError, \
    ProtocolError
from hardware.scanner.filter import ScanFilter
from hardware.scanner.interface import Scanner

if TYPE_CHECKING:
    import numpy

log = logging.getLogger(__name__)

SYMBOLOGIES = ("qr", "code128")
_ZXING_FORMATS = {"qr": "QRCode", "code128": "Code128"}
_ZXING_NAMES = {v: k for k, v in _ZXING_FORMATS.items()}


class FrameSource(Protocol):
    """What the camera scanner needs from a camera (hardware.camera's Camera fits)."""

    def read_frame(self) -> "numpy.ndarray":
        """Block until the next frame; raise a HardwareError when the camera fails."""
        ...


Resolver = Callable[[str], FrameSource]


# -- decoding (pure) -------------------------------------------------------------------
def _zxing() -> Any:
    try:
        import zxingcpp
    except ImportError as exc:
        raise HardwareError("the camera scanner needs the zxing-cpp package "
                            "(pip install zxing-cpp)") from exc
    return zxingcpp


def decode_frame(frame: "numpy.ndarray", symbologies: Iterable[str] = ("qr",)
                 ) -> list[tuple[str, str]]:
    """Every code of ``symbologies`` found in ``frame``, as (text, symbology) pairs.

    ``frame``: uint8 BGR (HxWx3) or grey (HxW). Pure: no state, no I/O. Raises
    ProtocolError for a frame of another shape or type, HardwareError when zxing-cpp is
    not installed. Text is the payload exactly as encoded (UTF-8 or the code's ECI).
    """
    zx = _zxing()
    import numpy as np

    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or not (
            frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 3)):
        shape = getattr(frame, "shape", None)
        raise ProtocolError(f"camera frame must be uint8 HxW or HxWx3, got "
                            f"{type(frame).__name__} {shape} {getattr(frame, 'dtype', '')}")
    formats = [getattr(zx.BarcodeFormat, _ZXING_FORMATS[s]) for s in symbologies]
    results = zx.read_barcodes(np.ascontiguousarray(frame), formats=formats,
                               text_mode=zx.TextMode.Plain)
    return [(r.text, _ZXING_NAMES.get(r.format.name, r.format.name.lower()))
            for r in results if r.valid]


def measure_decoders(frames: list["numpy.ndarray"], repeats: int = 10) -> dict[str, float]:
    """Median decode time per frame in milliseconds, per decoder that is importable.

    Keys: "zxing-cpp", "cv2.QRCodeDetector", "pyzbar" (each only when importable). Every
    frame is decoded ``repeats`` times by each decoder; blocks for as long as that takes.
    """
    decoders: dict[str, Callable[[Any], object]] = {}
    try:
        _zxing()
        decoders["zxing-cpp"] = lambda f: decode_frame(f)
    except HardwareError:
        pass
    try:
        import cv2

        detector = cv2.QRCodeDetector()
        decoders["cv2.QRCodeDetector"] = lambda f: detector.detectAndDecode(f)
    except ImportError:
        pass
    try:
        from pyzbar import pyzbar

        decoders["pyzbar"] = lambda f: pyzbar.decode(f, symbols=[pyzbar.ZBarSymbol.QRCODE])
    except ImportError:  # needs the libzbar0 shared library too
        pass
    timings: dict[str, float] = {}
    for name, decode in decoders.items():
        samples = []
        for _ in range(repeats):
            for frame in frames:
                start = time.perf_counter()
                decode(frame)
                samples.append((time.perf_counter() - start) * 1000.0)
        timings[name] = statistics.median(samples) if samples else float("nan")
    return timings


# -- the driver ------------------------------------------------------------------------
class CameraScanner(Scanner):
    """Decodes codes from a frame source on the reader thread.

    ``source`` is the frame source, or None to get it at open() from ``resolve(camera)``
    (so camera devices and scanners can be built in any order).
    """

    transport = "camera"

    def __init__(self, name: str, source: FrameSource | None = None, *, camera: str = "",
                 resolve: Resolver | None = None, symbologies: Iterable[str] = ("qr",),
                 decode_interval_s: float = 0.1, max_length: int = 1024,
                 window_s: float = 2.0) -> None:
        super().__init__(name, ScanFilter(window_s=window_s, max_length=max_length))
        self.symbologies = tuple(symbologies)
        unknown = [s for s in self.symbologies if s not in SYMBOLOGIES]
        if unknown or not self.symbologies:
            raise ValueError(f"symbologies must be taken from {SYMBOLOGIES}")
        self.camera = camera
        self.decode_interval_s = decode_interval_s
        self._source = source
        self._resolve = resolve
        self._info = DeviceInfo(transport=f"camera:{camera or type(source).__name__}")

    def capabilities(self) -> dict[str, object]:
        return {**super().capabilities(), "symbologies": list(self.symbologies),
                "camera": self.camera}

    def _connect(self) -> None:
        _zxing()  # fail at open, not on the first frame
        if self._source is not None:
            return
        if self._resolve is None:
            raise DeviceConfigError(f"camera scanner {self.name}: no frame source for "
                                    f"camera {self.camera!r} (build it with resolve=...)")
        try:
            self._source = self._resolve(self.camera)
        except LookupError as exc:
            raise DeviceNotFoundError(f"camera scanner {self.name}: camera "
                                      f"{self.camera!r} is not configured") from exc

    def _disconnect(self) -> None:
        pass  # the camera belongs to its own device; nothing of it is held here

    def _read_loop(self, stopping: threading.Event) -> None:
        source = self._source
        if source is None:
            raise DeviceNotFoundError(f"camera scanner {self.name} has no frame source")
        while not stopping.is_set():
            if not self._armed.wait(0.2):
                continue  # disarmed: leave the camera alone
            started = time.monotonic()
            frame = source.read_frame()  # camera errors end the loop (see Scanner._run)
            if frame is None:
                stopping.wait(self.decode_interval_s or 0.05)
                continue
            try:
                codes = decode_frame(frame, self.symbologies)
            except ProtocolError as exc:
                self._count("bad_frames")
                if self.counters["bad_frames"] % 100 == 1:  # not 10 lines a second
                    log.warning("camera scanner %s: %s (%d bad frames)", self.name, exc,
                                self.counters["bad_frames"])
                codes = []
            for text, symbology in codes:
                self._deliver(text, symbology)
            # Bound the decode rate: the kiosk's two cores also draw the UI.
            rest = self.decode_interval_s - (time.monotonic() - started)
            if rest > 0:
                stopping.wait(rest)
