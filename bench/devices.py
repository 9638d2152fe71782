"""Device figures: card read vs the wire, QR decoders per frame, the ID-photo pipeline.

    .venv/bin/python bench/devices.py [--reads N] [--repeats N] [--json]

Prints, and asserts nothing:
* ID card read time through the real `SerialCardReader` talking to the fake SAM reader on
  a pseudo-terminal that paces its bytes at 115200 baud, beside the wire time of those
  bytes (8N1: 10 bits a byte), the physical floor, as a ratio. A real reader adds the
  card's radio read (~0.5-1 s) that no fake models.
* QR decode time per 640x480 camera-like frame (grey, noisy, slightly blurred; with a
  Chinese payload, and frames with no code at all) for each decoder importable here.
* ID photo pipeline (face detection, checks, GA 461 crop, JPEG) per 640x480 frame.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402


def qr_frame(text: str, seed: int) -> np.ndarray:
    import cv2
    import qrcode

    code = qrcode.QRCode(border=4, box_size=5)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    image = np.array(code.make_image().convert("L"), dtype=np.uint8)
    frame = np.full((480, 640), 170, np.uint8)
    frame[180:180 + image.shape[0], 100:100 + image.shape[1]] = image // 4 * 3 + 40
    noise = np.random.default_rng(seed).normal(0, 8, frame.shape)
    frame = np.clip(frame + noise, 0, 255).astype(np.uint8)
    return cv2.cvtColor(cv2.GaussianBlur(frame, (3, 3), 0), cv2.COLOR_GRAY2BGR)


def noise_frame(seed: int) -> np.ndarray:
    import cv2

    frame = np.random.default_rng(seed).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    return cv2.GaussianBlur(frame, (5, 5), 0)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reads", type=int, default=20, help="card reads (default 20)")
    p.add_argument("--repeats", type=int, default=20, help="decodes per frame (default 20)")
    p.add_argument("--json", action="store_true",
                   help="end with one BENCH_RESULT line of JSON (for bench/all.py)")
    args = p.parse_args(argv)

    from hardware.camera.photo import measure_pipeline
    from hardware.camera.testimages import Person, scene
    from hardware.card_reader.timing import time_card_read
    from hardware.scanner.camera_scanner import measure_decoders

    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}")
    print()
    t = time_card_read(args.reads, baud=115200)
    print(f"ID card read through SerialCardReader, fake reader paced at {t.baud} baud "
          f"({t.reads} reads)")
    print(f"  median {t.median_s * 1000:7.1f} ms   min {t.min_s * 1000:.1f}   "
          f"max {t.max_s * 1000:.1f}")
    print(f"  wire   {t.wire_s * 1000:7.1f} ms   ({t.wire_bytes} bytes on the line)")
    print(f"  ratio  {t.overhead_ratio:7.3f}x  (1.0 = the serial line is the only cost)")
    print()

    qr = [qr_frame("随申码:3101-ABCDEF-身份核验", seed) for seed in range(3)]
    empty = [noise_frame(seed) for seed in range(3)]
    with_code = measure_decoders(qr, args.repeats)
    without = measure_decoders(empty, args.repeats)
    print("QR decode per 640x480 frame (median ms)   with a code   no code")
    for name in sorted(with_code):
        print(f"  {name:<38} {with_code[name]:8.2f}    {without.get(name, float('nan')):7.2f}")
    if "pyzbar" not in with_code:
        print("  pyzbar                                 not installed (not a dependency)")
    print()

    frames = [scene(640, 480, (Person(x=0.5, y=0.42, face_width=w),))
              for w in (0.22, 0.26, 0.30)] * 5
    seconds = measure_pipeline(frames)
    print(f"ID photo pipeline per 640x480 frame (detect, check, crop, JPEG): "
          f"{seconds * 1000:.1f} ms median ({len(frames)} frames)")
    if args.json:
        from _result import emit, figure

        figures = [figure("ID card read at 115200 baud (median)", t.median_s * 1000, "ms"),
                   figure("ID card read, wire time of its bytes", t.wire_s * 1000, "ms"),
                   figure("ID card read / wire time", t.overhead_ratio, "x")]
        for name in sorted(with_code):
            figures.append(figure(f"QR decode {name}, frame with a code", with_code[name], "ms"))
            if name in without:
                figures.append(figure(f"QR decode {name}, frame with no code", without[name],
                                      "ms"))
        figures.append(figure("ID photo pipeline per frame (median)", seconds * 1000, "ms"))
        emit(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
