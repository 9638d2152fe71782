"""Camera as a scanner: QR codes decoded from frames, Chinese intact, no false positives."""

from __future__ import annotations

import queue
import threading
import time

import numpy as np
import pytest
import qrcode

from hardware.base import DeviceStatus, StatusChanged
from hardware.errors import DeviceConfigError, DeviceNotFoundError, ProtocolError
from hardware.scanner import DRIVERS, CameraScanner, decode_frame, measure_decoders
from hardware.scanner.interface import CodeScanned

TOKEN = "身份码:ABC123"


def qr_frame(text: str, *, box: int = 5, at: tuple[int, int] = (100, 180),
             seed: int = 0) -> np.ndarray:
    """A 640x480 BGR frame like a camera's: grey background, sensor noise, slight blur."""
    import cv2

    code = qrcode.QRCode(border=4, box_size=box)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    image = np.array(code.make_image().convert("L"), dtype=np.uint8)
    frame = np.full((480, 640), 170, np.uint8)
    y, x = at
    frame[y:y + image.shape[0], x:x + image.shape[1]] = image // 4 * 3 + 40  # no pure black
    noise = np.random.default_rng(seed).normal(0, 8, frame.shape)
    frame = np.clip(frame + noise, 0, 255).astype(np.uint8)
    return cv2.cvtColor(cv2.GaussianBlur(frame, (3, 3), 0), cv2.COLOR_GRAY2BGR)


def noise_frames(count: int) -> list[np.ndarray]:
    import cv2

    rng = np.random.default_rng(7)
    frames = []
    for i in range(count):
        frame = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
        frames.append(cv2.GaussianBlur(frame, (2 * (i % 4) + 1, 2 * (i % 4) + 1), 0))
    return frames


# -- decode_frame (pure) -------------------------------------------------------------------
def test_decode_frame_reads_a_chinese_qr_code_exactly():
    assert decode_frame(qr_frame(TOKEN)) == [(TOKEN, "qr")]


def test_decode_frame_reads_grey_frames_too():
    import cv2

    grey = cv2.cvtColor(qr_frame("ABC-123"), cv2.COLOR_BGR2GRAY)
    assert decode_frame(grey) == [("ABC-123", "qr")]


def test_noisy_frames_without_a_code_give_no_result():
    for frame in noise_frames(12):
        assert decode_frame(frame, ("qr", "code128")) == []


def test_a_frame_of_the_wrong_shape_or_type_is_a_protocol_error():
    with pytest.raises(ProtocolError):
        decode_frame(np.zeros((480, 640, 4), np.uint8))
    with pytest.raises(ProtocolError):
        decode_frame(np.zeros((480, 640, 3), np.float32))


def test_measure_decoders_times_every_importable_decoder():
    timings = measure_decoders([qr_frame(TOKEN)], repeats=2)
    assert timings["zxing-cpp"] > 0 and timings["cv2.QRCodeDetector"] > 0


# -- CameraScanner with a fake frame source ------------------------------------------------
class FakeCamera:
    """Shows ``frames`` in turn, then blank frames; counts reads. Frame rate ~100 fps."""

    def __init__(self, frames: list[np.ndarray]) -> None:
        self.frames = list(frames)
        self.blank = np.full((480, 640, 3), 170, np.uint8)
        self.reads = 0
        self.shown_all = threading.Event()

    def read_frame(self) -> np.ndarray:
        time.sleep(0.01)
        self.reads += 1
        if self.reads > len(self.frames):
            self.shown_all.set()
            return self.blank
        return self.frames[self.reads - 1]


class BrokenCamera:
    def read_frame(self) -> np.ndarray:
        raise DeviceNotFoundError("camera unplugged")


def events_of(scanner: CameraScanner) -> queue.Queue:
    events: queue.Queue = queue.Queue()
    scanner.subscribe(events.put)
    return events


def drain(events: queue.Queue) -> list:
    out = []
    while not events.empty():
        out.append(events.get())
    return out


def test_a_code_held_in_front_of_the_camera_for_many_frames_is_scanned_once():
    camera = FakeCamera([qr_frame(TOKEN, seed=i, at=(100 + i % 3, 180 + i % 5))
                         for i in range(40)])
    scanner = CameraScanner("camera-scanner", camera, decode_interval_s=0.0)
    events = events_of(scanner)
    scanner.open()
    try:
        assert camera.shown_all.wait(5.0)
    finally:
        scanner.close()
    scanned = [e for e in drain(events) if isinstance(e, CodeScanned)]
    assert [(e.text, e.symbology) for e in scanned] == [(TOKEN, "qr")]
    assert scanner.counters["duplicates"] >= 30  # it was seen on (nearly) every frame


def test_a_stopped_camera_scanner_reads_no_frames():
    camera = FakeCamera([])
    scanner = CameraScanner("camera-scanner", camera, decode_interval_s=0.0)
    scanner.stop()
    scanner.open()
    try:
        time.sleep(0.3)
        assert camera.reads == 0
        scanner.start()
        assert camera.shown_all.wait(2.0)  # reading again
    finally:
        scanner.close()


def test_a_camera_failure_makes_the_scanner_report_no_device():
    scanner = CameraScanner("camera-scanner", BrokenCamera())
    events = events_of(scanner)
    scanner.open()
    try:
        deadline = time.monotonic() + 2.0
        changed = None
        while changed is None and time.monotonic() < deadline:
            try:
                event = events.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(event, StatusChanged) and event.status == DeviceStatus.NO_DEVICE:
                changed = event
        assert changed is not None and "camera unplugged" in changed.detail
        assert scanner.status == DeviceStatus.NO_DEVICE
    finally:
        scanner.close()


def test_the_camera_factory_resolves_its_camera_at_open_not_at_build():
    asked: list[str] = []
    camera = FakeCamera([qr_frame(TOKEN)])

    def resolve(name: str) -> FakeCamera:
        asked.append(name)
        return camera

    scanner = DRIVERS["camera"]("camera-scanner", {"camera": "front"}, resolve=resolve)
    assert asked == [] and scanner.status == DeviceStatus.OFFLINE
    events = events_of(scanner)
    scanner.open()
    try:
        assert asked == ["front"]
        deadline = time.monotonic() + 2.0
        scanned = None
        while scanned is None and time.monotonic() < deadline:
            event = events.get(timeout=2.0)
            scanned = event if isinstance(event, CodeScanned) else None
        assert scanned is not None and scanned.text == TOKEN
    finally:
        scanner.close()


def test_a_camera_scanner_without_a_way_to_its_camera_fails_at_open():
    scanner = DRIVERS["camera"]("camera-scanner", {"camera": "front"})
    with pytest.raises(DeviceConfigError):
        scanner.open()
    assert scanner.status == DeviceStatus.HARDWARE_ERROR


def test_an_unknown_camera_name_is_not_found_at_open():
    def resolve(name: str):
        raise KeyError(name)

    scanner = DRIVERS["camera"]("camera-scanner", {"camera": "rear"}, resolve=resolve)
    with pytest.raises(DeviceNotFoundError):
        scanner.open()
    assert scanner.status == DeviceStatus.NO_DEVICE
