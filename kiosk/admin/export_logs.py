"""`kiosk-admin export-logs`: one archive for the district, with personal data masked.

    kiosk-admin export-logs [--config FILE] [--demo] --out bundle.tar.gz [--since 7d]
        [--with-devices] [--skip GROUPS]

Members, under one folder ``kiosk-logs-<terminal>-<time>/``:

- ``logs/<file>``: the technician log and its rotations (every ``*.log`` and ``*.log.N`` of
  ``log.dir``), only lines from ``--since`` on (``7d``, ``12h``, ``30m``, ``all``);
- ``doctor.txt``: the doctor report (devices are not opened unless ``--with-devices``: the
  running kiosk holds them);
- ``config.json``: the effective configuration, secrets shown only as ``<set>``/``<unset>``
  (``config.schema`` marks them); the raw layers, secrets removed, when it is invalid;
- ``devices.txt``: the configured devices with their options;
- ``versions.txt``: kiosk, Python, libraries, SQLite, OpenSSL, operating system, git commit;
- ``README.txt``: what this is, when and how it was made.

Every line of every member passes `common.privacy.redact_strict` with this terminal's secret
values (ID and mobile numbers, names after labels, tokens, base64 blobs). The archive is
written to a temporary file beside ``--out`` and renamed into place (mode 0640). Blocks on
disk and, for the doctor, on the network for up to its timeout. Raises ExportError.
"""

from __future__ import annotations

import io
import json
import os
import platform as pyplatform
import re
import ssl
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from common.errors import KioskError
from common.privacy import redact_strict
from config.schema import KioskConfig, all_settings

DEFAULT_SINCE = "7d"
_SINCE_RE = re.compile(r"(\d+)\s*([dhm])")
_UNITS = {"d": 86400, "h": 3600, "m": 60}
_STAMP_RE = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")
_LOG_NAME_RE = re.compile(r".+\.log(\.\d+)?$")
LIBRARIES = ("kivy", "requests", "cryptography", "pyserial", "python-escpos",
             "opencv-python-headless", "zxing-cpp", "sqlite-utils", "pypinyin", "babel")


class ExportError(KioskError):
    """The bundle could not be made (bad --since, unwritable --out, unreadable log folder)."""


@dataclass(frozen=True)
class ExportResult:
    out: Path
    members: tuple[str, ...]
    log_lines: int     # log lines exported
    masked_lines: int  # of which the masking changed


def parse_since(text: str) -> float | None:
    """``7d`` / ``12h`` / ``30m`` (combinable: ``1d12h``) -> seconds; ``all`` -> None.
    Raises ExportError for anything else."""
    t = text.strip().lower()
    if t == "all":
        return None
    parts = _SINCE_RE.findall(t)
    if not parts or "".join(a + b for a, b in parts) != t.replace(" ", ""):
        raise ExportError(f"--since {text!r}: give e.g. 7d, 12h, 30m or all")
    return float(sum(int(n) * _UNITS[u] for n, u in parts))


def export_logs(config_file: Path | None, out: Path, *, demo: bool = False,
                environ: Mapping[str, str] | None = None, since: str = DEFAULT_SINCE,
                skip: Sequence[str] = ("devices",), timeout_s: float = 8.0,
                defaults_dir: Path | None = None) -> ExportResult:
    """Make the bundle (see the module docstring). BLOCKS (disk; the doctor's network
    checks up to ``timeout_s``). Raises ExportError."""
    from kiosk.admin.doctor import format_report, run_doctor

    since_s = parse_since(since)
    env = os.environ if environ is None else environ
    now = time.time()
    report, config = run_doctor(config_file, demo=demo, environ=env, skip=skip,
                                timeout_s=timeout_s, defaults_dir=defaults_dir)
    layers = _raw_layers(config_file, demo, defaults_dir)
    secrets = _secret_values(layers, env)
    log_dir = Path(config.log.dir if config else _raw_value(layers, env, "log", "dir") or ".")
    terminal = config.terminal.id if config else "unknown"
    folder = f"kiosk-logs-{re.sub(r'[^A-Za-z0-9-]', '_', terminal)}-" \
             f"{datetime.fromtimestamp(now):%Y%m%d-%H%M%S}"

    def clean(text: str) -> str:
        return "\n".join(redact_strict(line, secrets) for line in text.split("\n"))

    members: list[tuple[str, bytes]] = []
    log_lines = masked = 0
    for path in _log_files(log_dir):
        kept, changed, text = _log_text(path, None if since_s is None else now - since_s,
                                        secrets)
        log_lines, masked = log_lines + kept, masked + changed
        members.append((f"logs/{path.name}", text.encode("utf-8")))
    members.append(("doctor.txt", clean(format_report(report)).encode("utf-8")))
    members.append(("config.json", clean(_config_json(config, layers)).encode("utf-8")))
    members.append(("devices.txt", clean(_devices_text(config, report.checks)).encode("utf-8")))
    members.append(("versions.txt", clean(versions_text()).encode("utf-8")))
    readme = (f"kiosk-admin export-logs bundle\nterminal: {terminal}\n"
              f"made: {datetime.fromtimestamp(now).astimezone():%Y-%m-%d %H:%M:%S %z}\n"
              f"since: {since}\nlog folder: {log_dir}\n"
              f"log lines: {log_lines} ({masked} changed by masking)\n"
              "Personal data (ID and mobile numbers, names after labels), tokens and base64 "
              "blobs are masked on every line (common.privacy.redact_strict).\n"
              f"members: {', '.join(name for name, _ in members)}\n")
    members.insert(0, ("README.txt", clean(readme).encode("utf-8")))
    _write_archive(out, folder, members, now)
    return ExportResult(out, tuple(f"{folder}/{name}" for name, _ in members), log_lines,
                        masked)


# --- logs -----------------------------------------------------------------------------------

def _log_files(log_dir: Path) -> list[Path]:
    """Log files of ``log_dir``, oldest rotation first. ExportError if it cannot be listed;
    an absent folder has no logs."""
    if not log_dir.exists():
        return []
    try:
        files = [p for p in log_dir.iterdir()
                 if _LOG_NAME_RE.fullmatch(p.name) and p.is_file() and not p.is_symlink()]
    except OSError as exc:
        raise ExportError(f"cannot list the log folder {log_dir}: {exc}") from exc

    def order(p: Path) -> tuple[str, int]:
        stem, _, n = p.name.rpartition(".log")
        return (stem, -int(n[1:]) if n else 0)
    return sorted(files, key=order)


def _log_text(path: Path, cutoff: float | None, secrets: Sequence[str]) -> tuple[int, int, str]:
    """(lines kept, lines the masking changed, masked text) of one log file."""
    try:
        if cutoff is not None and path.stat().st_mtime < cutoff:
            return 0, 0, ""
        raw = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"cannot read {path}: {exc}") from exc
    keep = cutoff is None
    kept, changed, out = 0, 0, []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        m = _STAMP_RE.match(line)
        if m and cutoff is not None:
            try:
                keep = datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S").timestamp() >= cutoff
            except ValueError:
                pass  # not a time after all: the line goes with the previous one
        if not keep:
            continue
        cleaned = redact_strict(line, secrets)
        kept, changed = kept + 1, changed + (cleaned != line)
        out.append(cleaned)
    return kept, changed, "\n".join(out) + ("\n" if out else "")


# --- configuration --------------------------------------------------------------------------

def _raw_layers(config_file: Path | None, demo: bool,
                defaults_dir: Path | None) -> list[tuple[str, dict[str, Any]]]:
    """The configuration files as parsed TOML (unreadable ones left out), later wins."""
    from kiosk.config import DEFAULTS_DIR

    base = defaults_dir or DEFAULTS_DIR
    paths = [base / "default.toml"] + ([base / "demo.toml"] if demo else [])
    paths += [Path(config_file)] if config_file else []
    layers = []
    for path in paths:
        try:
            layers.append((str(path), tomllib.loads(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
    return layers


def _raw_value(layers: Iterable[tuple[str, dict[str, Any]]], environ: Mapping[str, str],
               section: str, key: str) -> Any:
    info = next((i for i in all_settings() if (i.section, i.key) == (section, key)), None)
    if info is not None and info.setting.env and info.setting.env in environ:
        return environ[info.setting.env]
    value = None
    for _, data in layers:
        table = data.get(section)
        if isinstance(table, dict) and key in table:
            value = table[key]
    return value


def _secret_values(layers: list[tuple[str, dict[str, Any]]],
                   environ: Mapping[str, str]) -> list[str]:
    """Every value any layer or the environment gives a secret key (token, PIN hash)."""
    values = []
    for info in all_settings():
        if not info.setting.secret:
            continue
        for _, data in layers:
            table = data.get(info.section)
            if isinstance(table, dict) and isinstance(table.get(info.key), str):
                values.append(table[info.key])
        if info.setting.env and environ.get(info.setting.env):
            values.append(environ[info.setting.env])
    return [v for v in values if v]


def _config_json(config: KioskConfig | None,
                 layers: list[tuple[str, dict[str, Any]]]) -> str:
    from kiosk.config import config_to_dict

    if config is not None:
        return json.dumps({"effective": config_to_dict(config)}, ensure_ascii=False, indent=2,
                          default=str)
    secret = {(i.section, i.key) for i in all_settings() if i.setting.secret}
    shown = []
    for source, data in layers:
        copy = {s: ({k: ("<redacted>" if (s, k) in secret else v) for k, v in t.items()}
                    if isinstance(t, dict) else t) for s, t in data.items()}
        shown.append({"file": source, "values": copy})
    return json.dumps({"invalid_configuration_layers": shown}, ensure_ascii=False, indent=2,
                      default=str)


def _devices_text(config: KioskConfig | None, checks: Sequence[Any]) -> str:
    if config is None:
        return "configuration invalid: see doctor.txt\n"
    lines = [f"{d.name:<14} {d.kind:<12} {d.driver:<8} {'enabled' if d.enabled else 'disabled':<9}"
             + " ".join(f"{k}={v!r}" for k, v in d.options.items()) for d in config.devices]
    status = [c.line() for c in checks if c.name.startswith("device")]
    lines += ["", "status (doctor):"] + (status or ["not opened (run with --with-devices, "
                                                    "or see the technician log)"])
    return "\n".join(lines or ["no devices configured"]) + "\n"


def versions_text() -> str:
    """Versions of the kiosk, Python, libraries, SQLite, OpenSSL and the OS. Runs ``git``
    for the commit (1 s at most) when the code is a checkout."""
    lines = [f"village-kiosk {_dist_version('village-kiosk')}",
             f"python {sys.version.split()[0]} ({sys.executable})",
             f"platform {pyplatform.platform()}", f"os {_os_release()}",
             f"sqlite {sqlite3.sqlite_version}", f"openssl {ssl.OPENSSL_VERSION}"]
    lines += [f"{name} {_dist_version(name)}" for name in LIBRARIES]
    root = Path(__file__).resolve().parents[2]
    if (root / ".git").exists():
        try:
            commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                                    capture_output=True, text=True, timeout=1.0).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit = ""
        lines.append(f"git {commit or 'unknown'}")
    return "\n".join(lines) + "\n"


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _os_release() -> str:
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    m = re.search(r'^PRETTY_NAME="?([^"\n]*)"?', text, re.M)
    return m[1] if m else "unknown"


# --- the archive ----------------------------------------------------------------------------

def _write_archive(out: Path, folder: str, members: list[tuple[str, bytes]],
                   now: float) -> None:
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o640)
            with tarfile.open(fileobj=fh, mode="w:gz") as tar:
                for name, data in members:
                    info = tarfile.TarInfo(f"{folder}/{name}")
                    info.size, info.mtime, info.mode = len(data), int(now), 0o640
                    tar.addfile(info, io.BytesIO(data))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except (OSError, tarfile.TarError) as exc:
        raise ExportError(f"cannot write {out}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
