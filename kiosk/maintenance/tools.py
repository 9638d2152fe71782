"""What maintenance mode can do to the terminal, as plain callables (built in run_kiosk.py
from the device manager, the platform link and the app; tests build them from simulated
devices and the demo platform).

Every callable that blocks (self-tests, network checks, sync) is run by the maintenance
flow through its runner, off the UI thread; each raises a `KioskError` when it fails.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.techlog import LOG_FILE

log = logging.getLogger("kiosk.maintenance")


@dataclass(frozen=True)
class OutboxSummary:
    waiting: int
    oldest_age_s: float
    dead_letters: int


@dataclass
class MaintenanceTools:
    devices: Callable[[], list[Any]]               # DeviceReport list (hardware.manager)
    self_test: Callable[[str], str]                # blocks; the device's own result text
    sync_now: Callable[[], None]
    catalogue_version: Callable[[], str]
    outbox: Callable[[], OutboxSummary]
    retry_outbox: Callable[[], None]
    network: Callable[[], list[Any]]               # kiosk.admin.checks.Check list; blocks
    recent_log: Callable[[int], list[str]]
    in_service: Callable[[], bool]
    set_out_of_service: Callable[[bool, str], None]
    restart: Callable[[], None]


def tail_lines(folder: Path, count: int, *, name: str = LOG_FILE) -> list[str]:
    """The last ``count`` lines of the technician log in ``folder`` (newest last).
    Reads the file only (a few hundred kB at most, rotated by the log handler)."""
    path = Path(folder) / name
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            return [line.rstrip("\n") for line in collections.deque(fh, maxlen=count)]
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.error("technician log %s unreadable: %s", path, exc)
        return [f"(log unreadable: {exc})"]
