"""The outbox bench keeps working (its figures are read by people, not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_outbox_bench_runs_and_prints_both_throughputs(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "offline_outbox.py"),
                             "--items", "20", "--dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for text in ("personal (AES-GCM)", "non-personal (JSON)", "enqueue", "flush"):
        assert text in result.stdout
