"""The benchmarks keep working (their figures are read by people, not asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_startup_bench_runs_and_prints_a_ratio():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "startup.py"), "--runs", "1"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "bare Kivy window" in result.stdout and "kiosk home frame" in result.stdout
    assert "ratio (median)" in result.stdout


def test_devices_bench_runs_and_prints_its_figures():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "devices.py"), "--reads", "2",
                             "--repeats", "2"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for heading in ("ID card read", "wire", "QR decode per 640x480 frame", "zxing-cpp",
                    "ID photo pipeline"):
        assert heading in result.stdout


def test_offline_bench_runs_and_prints_its_tables():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "offline.py"), "--sizes", "200",
                             "--repeat", "2", "--sync-repeat", "2", "--outbox-items", "10"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for heading in ("Catalogue sync", "full sync", "no-change", "304 sync", "Search over",
                    "scan p95", "Outbox", "enqueue", "flush to demo platform over HTTP",
                    "no-op send", "machine:"):
        assert heading in result.stdout
