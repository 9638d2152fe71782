"""The camera interface: blocking frame reads, stills and a non-blocking preview stream.

Statuses: OFFLINE until `open` (and after `close`); ONLINE while frames come; NO_DEVICE when
the source cannot be opened or ``max_failures`` reads in a row fail (unplugged camera,
deleted file, dead stream); HARDWARE_ERROR when reads keep timing out or the preview stops
receiving frames. A working read after failures brings ONLINE back; after an unplug, the
device manager reopens with `close` + `open`.

Drivers implement four hooks (`_open_source`, `_close_source`, `_read_into`,
`_discard_stale`); all locking, counting, status and preview logic lives here, so the
simulator and the real driver behave alike.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from typing import Callable, ClassVar, Iterator

import numpy as np

from hardware.base import Device, DeviceKind, DeviceStatus
from hardware.camera.buffers import FramePool
from hardware.camera.preview import PreviewLoop
from hardware.errors import DeviceNotFoundError, DeviceTimeoutError, HardwareError


@dataclass(frozen=True, eq=False)
class Frame:
    """One preview frame. ``image`` is read-only BGR uint8 HxWx3, shared by every consumer
    (the callback and `latest_frame` callers): copy it to change it. ``index`` grows by one
    per preview frame of this camera; ``timestamp`` is `time.monotonic()` at capture."""

    image: np.ndarray
    index: int
    timestamp: float


class Camera(Device):
    """Base of camera drivers. Public methods block (except `start_preview`,
    `stop_preview` waits for the thread) and are safe to call from several threads:
    reads are serialised by one I/O lock, waited for at most ``timeout_s``."""

    kind: ClassVar[DeviceKind] = DeviceKind.CAMERA

    def __init__(self, name: str, *, width: int = 640, height: int = 480,
                 timeout_s: float = 5.0, max_failures: int = 5) -> None:
        super().__init__(name)
        self.width, self.height = width, height
        self.timeout_s = timeout_s
        self.max_failures = max_failures
        self._io = threading.Lock()  # one read at a time: capture handles are not thread safe
        self._pool = FramePool(4)
        self._shape: tuple[int, ...] = (height, width, 3)
        self._opened = False
        self._failures = 0
        self._last_frame_at = 0.0
        self._preview: PreviewLoop[Frame] | None = None
        self._latest: Frame | None = None
        self._index = 0

    # -- driver hooks (called with the I/O lock held) ------------------------------------------
    def _open_source(self) -> None:
        """Open the source. Raises DeviceNotFoundError (not there) or HardwareError."""
        raise NotImplementedError

    def _close_source(self) -> None:
        """Release the source; must not raise."""
        raise NotImplementedError

    def _read_into(self, buf: np.ndarray) -> np.ndarray:
        """Read one BGR uint8 frame, into ``buf`` when the size matches (else a new array).
        Raises HardwareError (DeviceTimeoutError when the source did not answer in time)."""
        raise NotImplementedError

    def _discard_stale(self) -> None:
        """Drop frames the source buffered before now (for `capture_still`); default none."""

    # -- lifecycle -------------------------------------------------------------------------------
    def open(self) -> None:
        """Open the source (blocks up to a few seconds). ONLINE on success; raises
        DeviceNotFoundError (status NO_DEVICE) or HardwareError (HARDWARE_ERROR)."""
        with self._locked("open"):
            if self._opened:
                return
            try:
                self._open_source()
            except DeviceNotFoundError as exc:
                self._set_status(DeviceStatus.NO_DEVICE, str(exc))
                raise
            except HardwareError as exc:
                self._set_status(DeviceStatus.HARDWARE_ERROR, str(exc))
                raise
            self._opened, self._failures = True, 0
            self._count("opens")
        self._set_status(DeviceStatus.ONLINE)

    def close(self) -> None:
        """Stop the preview and release the source; OFFLINE. Never raises."""
        self.stop_preview()
        if self._io.acquire(timeout=self.timeout_s):
            try:
                if self._opened:
                    self._close_source()
            finally:
                self._opened = False
                self._io.release()
        else:  # a read is stuck inside the driver: leave the handle to it rather than race
            self._opened = False
        self._set_status(DeviceStatus.OFFLINE, "closed")

    def check(self) -> DeviceStatus:
        """Probe health now. With a preview running, its reads already tell (and a preview
        that has had no frame for ``timeout_s`` is a HARDWARE_ERROR); otherwise read up to
        ``max_failures`` frames until one works. Returns the status."""
        if not self._opened:
            return self.status
        if self._preview is not None and self._preview.running:
            silent = time.monotonic() - self._last_frame_at
            if silent > self.timeout_s and self.status.usable:
                self._set_status(DeviceStatus.HARDWARE_ERROR, f"no frame for {silent:.1f} s")
            return self.status
        for _attempt in range(self.max_failures):
            try:
                self.read_frame()
                break
            except DeviceTimeoutError:
                break  # already waited timeout_s: do not hold the watcher longer
            except HardwareError:
                if self.status == DeviceStatus.NO_DEVICE:
                    break
        return self.status

    # -- frames ----------------------------------------------------------------------------------
    def read_frame(self) -> np.ndarray:
        """The next frame: BGR uint8 HxWx3, the caller's own (writable; the camera does not
        reuse it while referenced). Raises DeviceTimeoutError, DeviceNotFoundError (NO_DEVICE
        after ``max_failures`` failed reads) or HardwareError (a failed read, not open)."""
        with self._locked("read"):
            return self._read_checked()

    def capture_still(self) -> np.ndarray:
        """A frame captured after this call began (never a buffered or preview frame), at the
        capture resolution; owned by the caller. Raises as `read_frame`."""
        with self._locked("capture a still"):
            self._discard_stale()
            return self._read_checked()

    def latest_frame(self) -> Frame | None:
        """The newest preview frame, or None without a running preview; never blocks."""
        return self._latest

    def start_preview(self, on_frame: Callable[[Frame], None], fps: float = 15) -> None:
        """Stream frames to ``on_frame`` on a capture thread, about ``fps`` a second; returns
        at once. ``on_frame`` must be quick (hand the frame to the UI thread); only the
        latest frame is kept. Replaces a running preview. Raises HardwareError when the
        camera is not open, ValueError for fps outside 0 < fps <= 60."""
        if not 0 < fps <= 60:
            raise ValueError(f"preview fps {fps!r}: allowed 0 < fps <= 60")
        if not self._opened:
            raise HardwareError(f"camera {self.name} is not open")
        self.stop_preview()

        def deliver(frame: Frame) -> None:
            self._latest = frame  # only here: a stopped loop's late frame is never kept
            on_frame(frame)

        loop = PreviewLoop(self.name, self._grab_preview_frame, deliver, fps,
                           give_up_after=self.max_failures)
        self._last_frame_at = time.monotonic()
        self._preview = loop
        loop.start()

    def stop_preview(self) -> None:
        """Stop the stream: no callback runs after this returns (waits up to ``timeout_s``
        for a read in progress). Forgets the latest frame. Idempotent."""
        loop, self._preview = self._preview, None
        if loop is not None:
            loop.stop(self.timeout_s + 1.0)
        self._latest = None

    @property
    def previewing(self) -> bool:
        return self._preview is not None and self._preview.running

    # -- internals ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self, what: str) -> Iterator[None]:
        if not self._io.acquire(timeout=self.timeout_s):
            self._count("timeouts")
            raise DeviceTimeoutError(f"camera {self.name}: could not {what} within "
                                     f"{self.timeout_s} s (another read is stuck)")
        try:
            yield
        finally:
            self._io.release()

    def _grab_preview_frame(self) -> Frame:
        with self._locked("read"):
            image = self._read_checked()
        view = image.view()
        view.flags.writeable = False  # shared by every consumer of the stream
        self._index += 1
        return Frame(view, self._index, self._last_frame_at)

    def _read_checked(self) -> np.ndarray:
        """Read with the lock held: counts, status changes, buffer reuse."""
        if not self._opened:
            raise HardwareError(f"camera {self.name} is not open")
        buf = self._pool.acquire(self._shape)
        try:
            image = self._read_into(buf)
        except HardwareError as exc:
            self._failures += 1
            self._count("timeouts" if isinstance(exc, DeviceTimeoutError) else "read_failures")
            if self._failures < self.max_failures:
                raise
            if isinstance(exc, DeviceTimeoutError):
                self._set_status(DeviceStatus.HARDWARE_ERROR, f"reads time out: {exc}")
                raise
            self._set_status(DeviceStatus.NO_DEVICE, f"{self._failures} reads failed: {exc}")
            raise DeviceNotFoundError(f"camera {self.name}: {exc}") from exc
        self._pool.adopt(buf, image)
        self._shape = image.shape
        self._failures = 0
        self._last_frame_at = time.monotonic()
        self._count("frames")
        if self.status != DeviceStatus.ONLINE:
            self._set_status(DeviceStatus.ONLINE)
        return image
