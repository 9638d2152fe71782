"""Device abstraction layer: ID card reader, scanners, camera, receipt printer, speaker.

One interface per device kind with an XFS4IoT-like status model, a real driver per
transport and a full simulator. Never imports Kivy, `screens/` or `kiosk/` (only `common/`);
tests/test_boundaries.py enforces it.
"""
