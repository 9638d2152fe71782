"""Demo mode's platform child: starts, answers, and never outlives a killed kiosk."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import sys, time
from pathlib import Path
from kiosk.demo_server import start_demo_server
server = start_demo_server(sys.argv[1], Path(sys.argv[2]))
server.wait_ready()
print(server.process.pid, flush=True)
time.sleep(60)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demo_platform_dies_with_a_sigkilled_kiosk(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    kiosk = subprocess.Popen([sys.executable, "-c", CHILD, url, str(tmp_path)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        platform_pid = int(kiosk.stdout.readline())
        assert requests.get(url + "/api/v1/health", timeout=2).json()["status"] == "ok"
    finally:
        kiosk.send_signal(signal.SIGKILL)
        kiosk.wait(10)
    deadline = time.monotonic() + 10
    while _alive(platform_pid):
        assert time.monotonic() < deadline, "the demo platform outlived the kiosk"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose (its parent, the killed kiosk, cannot reap it).
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
