"""Reusable frame buffers, so a camera running for months does not allocate per frame.

`cv2.VideoCapture.read(image=buf)` decodes into ``buf`` when its shape and type match. The
pool hands out a buffer only when nobody else holds it (a `Frame` given to the UI, an
array returned by `read_frame`): frames already handed out are never overwritten, and the
pool itself keeps at most ``capacity`` buffers. Not thread safe: the camera uses it under
its I/O lock.
"""

from __future__ import annotations

import sys

import numpy as np


def _loop_refcount() -> int:
    # The reference count of a list element seen as a loop variable when the list is its
    # only other owner: measured rather than assumed, as CPython versions differ here.
    probe = [np.empty(1, np.uint8)]
    for item in probe:
        return sys.getrefcount(item)
    raise AssertionError("unreachable")


_FREE_REFS = _loop_refcount()


class FramePool:
    """At most ``capacity`` uint8 buffers; `acquire` returns one nobody else references."""

    def __init__(self, capacity: int = 4) -> None:
        if capacity < 2:
            raise ValueError(f"capacity {capacity}: at least 2 (one held, one being written)")
        self.capacity = capacity
        self._buffers: list[np.ndarray] = []
        self.allocations = 0  # buffers ever created: flat in steady state

    def __len__(self) -> int:
        return len(self._buffers)

    def acquire(self, shape: tuple[int, ...]) -> np.ndarray:
        """A writable buffer of ``shape`` that no one else holds (new when none is free)."""
        evictable = None
        index = -1
        # Plain `for x in list` as in `_loop_refcount` (enumerate's cached tuple would hold
        # one more reference).
        for buf in self._buffers:
            index += 1
            if sys.getrefcount(buf) <= _FREE_REFS:  # only the pool (and this loop) hold it
                if buf.shape == shape:
                    return buf
                if evictable is None:
                    evictable = index
        fresh = np.empty(shape, np.uint8)
        self.allocations += 1
        if len(self._buffers) >= self.capacity:
            # Forget a free buffer of another size, else the oldest held one: its holder
            # keeps it alive as long as needed and the pool stays bounded.
            del self._buffers[evictable if evictable is not None else 0]
        self._buffers.append(fresh)
        return fresh

    def adopt(self, given: np.ndarray, produced: np.ndarray) -> None:
        """Record that a read returned ``produced`` instead of filling ``given``.

        OpenCV allocates a new array when the frame size differs from the buffer's; the pool
        then keeps the new array (it has the size the camera really delivers).
        """
        if produced is given:
            return
        for index in range(len(self._buffers)):
            if self._buffers[index] is given:
                self._buffers[index] = produced
                return
