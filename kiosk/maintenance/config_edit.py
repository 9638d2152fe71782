"""Editing a terminal's configuration file from maintenance mode, safely. No window.

Technicians change a few keys by taps (numbers in steps, on/off, a choice from a list, a
device's port from the ports that exist); nothing needs typing. A change is:

1. made in a candidate text: only the edited ``key = value`` lines change (comments and
   the rest of the file stay as the installer wrote them; a missing key is added to its
   table, a missing table at the end);
2. validated by the real loader (`load`: the same code the kiosk starts with) from a
   temporary file beside the real one;
3. for a device's port, tried: the device is built from the candidate table and opened
   (`test_device`), so a wrong port is found before it is saved;
4. saved atomically, with the file as it was kept as ``<name>.last-good`` to roll back to.
   The kiosk reads its configuration at start: saving asks for a restart.

Blocking: `validate`, `test_device`, `save` and `rollback` touch the disk (and a device):
run them off the UI thread. Raises `InvalidConfigurationError` (listing every problem) for what the loader refuses.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.errors import KioskError

log = logging.getLogger("kiosk.maintenance")

LAST_GOOD_SUFFIX = ".last-good"
PORT_KEYS = ("port", "devfile", "device")  # device options that name where it is attached
PORT_PATTERNS = ("/dev/kiosk-*", "/dev/serial/by-id/*", "/dev/ttyUSB*", "/dev/ttyACM*",
                 "/dev/ttyS[0-3]", "/dev/usb/lp*")


@dataclass(frozen=True)
class Editable:
    key: str                     # dotted: "session.idle_timeout_s", "devices.printer.port"
    kind: str                    # "number", "bool", "choice", "port"
    label: str                   # msgid
    step: float = 0.0
    low: float = 0.0
    high: float = 0.0
    choices: tuple[str, ...] = ()


def toml_value(value: Any) -> str:
    """A TOML literal for a bool, number, string or list of strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def set_value(text: str, table: str, key: str, value: Any) -> str:
    """``text`` with ``key`` in ``[table]`` set to ``value``; other lines untouched.

    Only one-line values are replaced (the kiosk's files have no multi-line values in the
    keys maintenance edits); a key written across lines raises ValueError.
    """
    lines = text.splitlines()
    header = re.compile(r"^\s*\[\s*([^\]\s]+)\s*\]\s*(#.*)?$")
    start = end = None
    for i, line in enumerate(lines):
        m = header.match(line)
        if m and m.group(1) == table:
            start = i
        elif m and start is not None and end is None:
            end = i
    entry = f"{key} = {toml_value(value)}"
    if start is None:
        return text.rstrip("\n") + f"\n\n[{table}]\n{entry}\n"
    end = len(lines) if end is None else end
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=\s*(.*)$")
    for i in range(start + 1, end):
        m = pattern.match(lines[i])
        if m:
            if m.group(1).strip().startswith("[") and "]" not in m.group(1):
                raise ValueError(f"{table}.{key} spans several lines; edit the file instead")
            lines[i] = entry
            return "\n".join(lines) + "\n"
    insert = end
    while insert > start + 1 and not lines[insert - 1].strip():
        insert -= 1  # keep blank lines between tables below the new key
    lines.insert(insert, entry)
    return "\n".join(lines) + "\n"


def candidate_ports(patterns: tuple[str, ...] = PORT_PATTERNS) -> list[str]:
    """Serial and printer device paths present now (udev names first)."""
    found: list[str] = []
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)):
            if path not in found:
                found.append(path)
    return found


class ConfigEditor:
    """Pending changes to one terminal file; `load(path)` is the kiosk's own loader."""

    def __init__(self, path: Path, load: Callable[[Path], Any],
                 test_device: Callable[[Any, str], str] | None = None) -> None:
        self.path = Path(path)
        self._load = load
        self._test_device = test_device
        self.pending: dict[str, Any] = {}
        self.tested: set[str] = set()  # device keys whose candidate port was opened

    @property
    def last_good(self) -> Path:
        return self.path.with_name(self.path.name + LAST_GOOD_SUFFIX)

    def change(self, key: str, value: Any) -> None:
        self.pending[key] = value
        self.tested.discard(key)

    def candidate_text(self) -> str:
        text = self.path.read_text(encoding="utf-8")
        for key, value in self.pending.items():
            table, _, name = key.rpartition(".")
            text = set_value(text, table, name, value)
        return text

    def validate(self) -> Any:
        """Load the candidate with the real loader; returns the config or raises its
        InvalidConfigurationError (listing every problem). Writes and removes a temporary file."""
        fd, tmp = tempfile.mkstemp(prefix=".candidate-", suffix=".toml", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.candidate_text())
            return self._load(Path(tmp))
        finally:
            os.unlink(tmp)

    def test(self, key: str) -> str:
        """Open the device whose port ``key`` changes, from the candidate configuration;
        its result text, or raises the device's KioskError."""
        if self._test_device is None:
            raise KioskError("no device test is available here")
        config = self.validate()
        device = key.split(".")[1]
        result = self._test_device(config, device)
        self.tested.add(key)
        return result

    def untested(self) -> list[str]:
        return [k for k in self.pending if k.startswith("devices.")
                and k.rpartition(".")[2] in PORT_KEYS and k not in self.tested]

    def save(self) -> None:
        """Validate, keep the current file as last-good, write the candidate atomically.
        Raises InvalidConfigurationError (nothing written) or OSError."""
        if self.untested():
            raise KioskError("test the new port first: " + ", ".join(self.untested()))
        self.validate()
        text = self.candidate_text()
        current = self.path.read_bytes()
        _write_atomic(self.last_good, current)
        _write_atomic(self.path, text.encode("utf-8"))
        log.info("configuration saved (%s); previous kept as %s", ", ".join(self.pending),
                 self.last_good.name)
        self.pending.clear()

    def rollback(self) -> None:
        """Put the last good file back (the one before the last save). Raises
        FileNotFoundError when there is none."""
        previous = self.last_good.read_bytes()
        self._load_bytes(previous)
        _write_atomic(self.path, previous)
        self.pending.clear()
        log.info("configuration rolled back to %s", self.last_good.name)

    def _load_bytes(self, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".rollback-", suffix=".toml", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            self._load(Path(tmp))
        finally:
            os.unlink(tmp)


def _write_atomic(path: Path, data: bytes) -> None:
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o640
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
