"""JPEG encoding that fits a file size window (platforms state a minimum and a maximum)."""

from __future__ import annotations

import cv2
import numpy as np

from common.errors import KioskError

MIN_QUALITY = 20  # below this, faces turn to blocks: better to refuse than to submit
MAX_QUALITY = 100


class PhotoError(KioskError):
    """An ID photo cannot be produced as asked (e.g. no JPEG quality fits the size window).

    Not a HardwareError: the camera works, the picture or the limits are the problem.
    """


def _encode(img: np.ndarray, quality: int) -> bytes:
    ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise PhotoError(f"JPEG encoding failed at quality {quality}")
    return data.tobytes()


def encode_jpeg(img: np.ndarray, max_bytes: int, min_bytes: int = 0,
                quality: int = 70) -> bytes:
    """JPEG bytes of a BGR uint8 image with ``min_bytes <= len <= max_bytes``.

    Uses ``quality`` when it fits; when too big, the highest quality that fits (binary
    search down to `MIN_QUALITY`); when too small, the lowest quality that reaches
    ``min_bytes``. Blocks ~1 ms per try at 358x441 (at most ~8 tries). Raises ValueError for
    bad arguments, PhotoError when no quality in range fits the window.
    """
    if img.dtype != np.uint8 or img.ndim not in (2, 3):
        raise ValueError(f"expected a uint8 image, got {img.dtype} {img.shape}")
    if not 0 <= min_bytes <= max_bytes or max_bytes <= 0:
        raise ValueError(f"bad size window: min_bytes={min_bytes}, max_bytes={max_bytes}")
    if not MIN_QUALITY <= quality <= MAX_QUALITY:
        raise ValueError(f"quality {quality}: allowed {MIN_QUALITY}..{MAX_QUALITY}")
    data = _encode(img, quality)
    if min_bytes <= len(data) <= max_bytes:
        return data
    too_big = len(data) > max_bytes
    # Size grows with quality, so search the side that can help: [lo, hi] holds the answer.
    lo, hi = (MIN_QUALITY, quality - 1) if too_big else (quality + 1, MAX_QUALITY)
    best: bytes | None = None
    tried = {quality: len(data)}
    while lo <= hi:
        q = (lo + hi) // 2
        candidate = _encode(img, q)
        tried[q] = len(candidate)
        if too_big:
            if len(candidate) <= max_bytes:
                best, lo = candidate, q + 1  # fits: try higher for a better picture
            else:
                hi = q - 1
        elif len(candidate) >= min_bytes:
            best, hi = candidate, q - 1  # big enough: try lower to stay under the cap
        else:
            lo = q + 1
    if best is None or not min_bytes <= len(best) <= max_bytes:
        sizes = ", ".join(f"q{q}={n}" for q, n in sorted(tried.items()))
        raise PhotoError(f"no JPEG quality {MIN_QUALITY}..{MAX_QUALITY} gives "
                         f"{min_bytes}..{max_bytes} bytes (tried {sizes})")
    return best
