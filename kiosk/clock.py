"""Monotonic clocks for the session machine."""

from __future__ import annotations

import time


class AdjustableClock:
    """``time.monotonic()`` plus an offset that only grows.

    The demo tour uses it to fast-forward to the idle warning instead of waiting for it.
    """

    def __init__(self) -> None:
        self._offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a monotonic clock does not go back")
        self._offset += seconds
