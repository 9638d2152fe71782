"""The soak runner, briefly: a couple of dozen complete sessions through the real app in a
subprocess (its own Kivy window, the demo platform in a grandchild). No growth figures are
asserted here: they mean something only over thousands of sessions (README "Soak")."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from soak.run import COLUMNS

ROOT = Path(__file__).resolve().parent.parent


def test_a_short_soak_completes_every_session_and_writes_the_samples(tmp_path):
    # the flows whose walk is settled; appointment and apply still go astray sometimes (README)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(
        [sys.executable, "-m", "soak", "--sessions", "24", "--every", "6", "--seed", "7",
         "--flows", "guide,progress,licences,benefits,help,rating",
         "--out", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=150)
    tail = (done.stdout + done.stderr)[-3000:]
    assert done.returncode == 0, tail
    assert "completed 24, failed 0" in done.stdout, tail
    with open(tmp_path / "soak.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == COLUMNS
    assert [int(r["sessions"]) for r in rows] == [0, 6, 12, 18, 24]
    assert rows[-1]["completed"] == "24" and rows[-1]["failed"] == "0"
    for row in rows:
        assert int(row["rss_kb"]) > 0 and int(row["fds"]) > 0 and int(row["widgets"]) > 0
    assert (tmp_path / "summary.txt").read_text(encoding="utf-8").startswith("soak: 24 sessions")
