"""SIGKILL the kiosk's submission path at random moments: the platform gets everything once.

The real demo platform runs in this process (a thread on loopback, its own SQLite file);
`submission_crash_child.py` is the kiosk side (PlatformLink, encrypted Outbox,
OutboxTransport, PlatformClient), killed after a random delay and started again, many
times. At the end every submission is in the platform's own tables exactly once, the
kiosk's outbox is empty and its database passes `PRAGMA integrity_check`.

The in-suite run is short (300 submissions, 12 kills). The issue's acceptance run:

    .venv/bin/python -m tests.client.test_submission_crash --count 1000 --kills 300
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from demo_platform import create_app, start_in_thread
from offline.crypto import create_key_file

CHILD = Path(__file__).with_name("submission_crash_child.py")
ROOT = Path(__file__).resolve().parents[2]


def _online_service(handle) -> str:
    body = json.loads(handle.app.state.snapshot()[1])
    return next(s["id"] for s in body["services"] if s["online"])


def _markers_at_platform(db: Path) -> Counter[str]:
    """Every marker the platform stored, counted across the three tables."""
    conn = sqlite3.connect(db)
    try:
        seen: Counter[str] = Counter()
        for (payload,) in conn.execute("SELECT payload FROM applications"):
            marker = json.loads(payload).get("answers", {}).get("marker")
            if marker:
                seen[marker] += 1
        for (payload,) in conn.execute("SELECT payload FROM ratings"):
            seen[json.loads(payload).get("reason") or ""] += 1
        for (payload,) in conn.execute("SELECT payload FROM help_requests"):
            seen[json.loads(payload).get("message") or ""] += 1
        seen.pop("", None)
        return seen
    finally:
        conn.close()


def run_crash_rounds(folder: Path, *, count: int, kills: int, seed: int) -> dict:
    rng = random.Random(seed)
    db, key_file, platform_db = folder / "kiosk.db", folder / "outbox.key", folder / "platform.db"
    create_key_file(key_file)
    handle = start_in_thread(create_app(platform_db))
    try:
        env = {**os.environ, "CRASH_SERVICE_ID": _online_service(handle)}
        command = [sys.executable, str(CHILD), "--db", str(db), "--key-file", str(key_file),
                   "--url", handle.base_url, "--count", str(count)]
        # ~4 ms per submission here (one durable enqueue, one request, one ack): spread
        # the kills over the expected work.
        max_delay = 2 * 0.004 * count / kills
        killed = finished_early = 0
        for _ in range(kills):
            child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
            if rng.random() < 0.1:
                delay = rng.uniform(0.0, 0.5)  # while it starts and opens its files
            else:
                child.stdout.readline()
                delay = rng.uniform(0.0, max_delay)
            try:
                child.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
                killed += 1
            _out, err = child.communicate(timeout=60)
            if child.returncode == 0:
                finished_early += 1
            elif child.returncode != -signal.SIGKILL:
                raise AssertionError(f"child failed ({child.returncode}): {err.decode()}")
        final = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300)
        assert final.returncode == 0, final.stderr.decode() + final.stdout.decode()
    finally:
        handle.stop()
    conn = sqlite3.connect(db)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        left = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        dead = conn.execute("SELECT count(*) FROM outbox_dead").fetchone()[0]
    finally:
        conn.close()
    return {"at_platform": _markers_at_platform(platform_db), "integrity": integrity,
            "left": left, "dead": dead, "killed": killed, "finished_early": finished_early}


def check(result: dict, count: int) -> None:
    seen = result["at_platform"]
    expected = {f"crash-{n}" for n in range(count)}
    missing = sorted(expected - set(seen))
    twice = sorted(m for m, c in seen.items() if c > 1)
    assert not missing, f"lost: {missing[:5]} ({len(missing)})"
    assert not twice, f"duplicated: {twice[:5]} ({len(twice)})"
    assert set(seen) == expected
    assert result["integrity"] == "ok"
    assert (result["left"], result["dead"]) == (0, 0)


def test_sigkill_while_submitting_to_the_platform_loses_and_duplicates_nothing(tmp_path):
    result = run_crash_rounds(tmp_path, count=300, kills=12, seed=7)
    check(result, 300)
    assert result["killed"] >= 8


def main() -> int:
    parser = argparse.ArgumentParser(description="Long crash run against the demo platform.")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="submission-crash-") as folder:
        started = time.monotonic()
        result = run_crash_rounds(Path(folder), count=args.count, kills=args.kills,
                                  seed=args.seed)
        check(result, args.count)
        print(f"seed {args.seed}: {args.count} submissions, {result['killed']} kills "
              f"({result['finished_early']} runs finished first); each at the platform "
              f"exactly once; outbox empty; integrity ok; {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
