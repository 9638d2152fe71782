"""Demo mode only: run the bundled demonstration platform as a child process.

`kiosk --demo` sets ``platform.start_demo_server``; the composition root then starts
``python -m demo_platform`` on the loopback port of ``platform.url`` with its own
database under ``<state_dir>/platform/``, so the demo terminal talks real HTTP to a real
server, exactly as a terminal talks to its district. A platform already answering on that
port (started by hand, say with ``--faults``) is used as it is.

Never imported by the kiosk outside demo mode; it imports nothing of demo_platform (the
child process does), keeping the kiosk independent of the demonstration code.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import urllib.request

from common.errors import PlatformError

log = logging.getLogger(__name__)


class DemoServer:
    """A started demo platform; `stop()` ends the child (if this process started it)."""

    def __init__(self, url: str, process: subprocess.Popen | None, log_path: Path | None):
        self.url = url
        self.process = process
        self.log_path = log_path

    def wait_ready(self, timeout_s: float = 20.0) -> None:
        """Block until the platform answers /health. Raises PlatformError if the child
        exits or does not answer within `timeout_s` (the child is then killed)."""
        deadline = time.monotonic() + timeout_s
        while not _answers(self.url):
            if self.process is None:
                raise PlatformError(f"demo platform at {self.url} stopped answering")
            if self.process.poll() is not None:
                raise PlatformError(f"demo platform exited with {self.process.returncode}; "
                                    f"see {self.log_path}")
            if time.monotonic() > deadline:
                self.process.kill()
                raise PlatformError(f"demo platform did not answer within {timeout_s:.0f} s; "
                                    f"see {self.log_path}")
            time.sleep(0.1)

    def stop(self, timeout_s: float = 5.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout_s)


def _answers(url: str) -> bool:
    # urllib, not requests: this runs before the first frame, where every import counts.
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/api/v1/health", timeout=0.5) as r:
            return r.status == 200
    except (OSError, ValueError):
        return False


def start_demo_server(url: str, state_dir: Path) -> DemoServer:
    """Start (or reuse) the demonstration platform at loopback `url`; returns at once
    (call `wait_ready()` off the UI thread). Call it from the main thread: the child is
    told to end when its parent *thread* ends (Linux PR_SET_PDEATHSIG follows the thread
    that forked it), so a short-lived worker thread must never start it. Raises PlatformError for a non-loopback URL;
    the child writes its output to <state_dir>/platform/server.log."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
        raise PlatformError(f"the demo platform runs only on http://127.0.0.1, not {url}")
    if _answers(url):
        log.info("demo platform already answering at %s; using it", url)
        return DemoServer(url, None, None)
    folder = state_dir / "platform"
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / "server.log"
    command = [sys.executable, "-m", "demo_platform", "--host", "127.0.0.1",
               "--port", str(parts.port or 80), "--db", str(folder / "platform.db"), "--seed",
               "--log-level", "warning",
               # The child ends itself when this process dies, even by SIGKILL, so a
               # killed demo kiosk never leaves a platform holding the port.
               "--parent-pid", str(os.getpid())]
    with open(log_path, "ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    log.info("demo platform starting at %s (pid %d, log %s)", url, process.pid, log_path)
    return DemoServer(url, process, log_path)
