"""`kiosk-admin provision`: a terminal's configuration, outbox key and file permissions.

    kiosk-admin provision --terminal-id ID --platform-url URL --support-contact TEXT
        (--token-file F | --token-stdin) [--pin-stdin] [--config-dir /etc/village-kiosk]
        [--state-dir /var/lib/village-kiosk] [--log-dir /var/log/village-kiosk]
        [--user kiosk] [--devices-from FILE] [--force]

What it writes (nothing at all when the result would not be a valid configuration):

- ``<config-dir>/terminal.toml`` (mode 0640), in the shape of config/terminal.example.toml:
  terminal id, name, support contact, the maintenance PIN *only as its scrypt hash*
  (kiosk.pin), the platform URL and token, the outbox key path, the state and log folders,
  and the ``[devices.*]`` tables of ``--devices-from`` (default: the example's standard
  kit). An existing file is replaced only with ``force``, after a copy to ``terminal.toml.bak``.
- ``<state-dir>/outbox.key`` (0600), made like ``kiosk --create-outbox-key``; an existing key
  is never replaced (queued submissions are encrypted under it).
- the config, state and log folders with mode 0750. Run as root with ``user``: the state
  and log folders and the key belong to that user; the config folder and file to root with
  that user's group (the kiosk reads its configuration but cannot change it).

The token and the PIN are never printed or logged. Blocks on disk (and ~0.1 s of scrypt).
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import stat
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from common.errors import InvalidConfigurationError, KioskError

CONFIG_NAME = "terminal.toml"
KEY_NAME = "outbox.key"
DIR_MODE, CONFIG_MODE, KEY_MODE = 0o750, 0o640, 0o600
DEFAULT_CONFIG_DIR = Path("/etc/village-kiosk")
DEFAULT_STATE_DIR = Path("/var/lib/village-kiosk")
DEFAULT_LOG_DIR = Path("/var/log/village-kiosk")
# Folders provision must never chmod/chown: they are the system's, not the kiosk's.
_SYSTEM_DIRS = frozenset(map(Path, ("/", "/etc", "/var", "/var/lib", "/var/log", "/usr", "/opt",
                                    "/srv", "/home", "/root", "/tmp", "/run", "/boot", "/dev")))


class ProvisionError(KioskError):
    """Provisioning refused or failed; ``written`` says what was already written."""

    def __init__(self, message: str, *, written: tuple[str, ...] = ()) -> None:
        self.written = written
        super().__init__(message)


class ProvisionConfigError(ProvisionError):
    """The configuration provision would write is refused by the kiosk's own loader."""

    def __init__(self, problems: InvalidConfigurationError) -> None:
        self.problems = problems
        super().__init__(f"the configuration would be refused; nothing written: {problems}")


@dataclass(frozen=True)
class ProvisionRequest:
    """What a terminal is provisioned with. ``token`` and ``pin`` never appear in ``repr``;
    ``pin`` None reuses the existing configuration's PIN hash (only with ``force``)."""

    terminal_id: str
    platform_url: str
    token: str = field(repr=False)
    support_contact: str
    pin: str | None = field(default=None, repr=False)
    name: str = ""
    location: str = ""
    ca_file: str = ""
    config_dir: Path = DEFAULT_CONFIG_DIR
    state_dir: Path = DEFAULT_STATE_DIR
    log_dir: Path = DEFAULT_LOG_DIR
    user: str = ""
    devices_from: Path | None = None
    force: bool = False


@dataclass(frozen=True)
class ProvisionResult:
    config_file: Path
    key_file: Path
    key_created: bool
    backup: Path | None
    actions: tuple[str, ...]


def provision(req: ProvisionRequest, *, euid: int | None = None,
              defaults_dir: Path | None = None) -> ProvisionResult:
    """Write the terminal's configuration, key and permissions (see the module docstring).

    Raises ProvisionConfigError (nothing written) when the kiosk's loader refuses the
    result, ProvisionError for an existing configuration without ``force``, a missing PIN,
    ``user`` without root, a system folder, or any OS error (naming what was written).
    """
    from kiosk.pin import hash_pin

    root = (os.geteuid() if euid is None else euid) == 0
    owner = _owner(req.user, root)
    config_dir, state_dir, log_dir = (Path(os.path.abspath(p)) for p in
                                      (req.config_dir, req.state_dir, req.log_dir))
    for folder in (config_dir, state_dir, log_dir):
        if folder in _SYSTEM_DIRS or folder == Path.home():
            raise ProvisionError(f"{folder} is a system folder; give the kiosk a folder of "
                                 f"its own (e.g. {DEFAULT_STATE_DIR})")
    config_file, key_file = config_dir / CONFIG_NAME, state_dir / KEY_NAME
    if config_file.exists() and not req.force:
        raise ProvisionError(f"{config_file} already exists; run again with --force to replace "
                             f"it (a copy is kept as {CONFIG_NAME}.bak)")
    if any(ch.isspace() for ch in req.token) or not req.token:
        raise ProvisionError("the platform token is empty or contains spaces or line breaks")
    pin_hash = hash_pin(req.pin) if req.pin is not None else _existing_pin_hash(config_file)
    text = render_config(req, pin_hash=pin_hash, key_file=key_file, state_dir=state_dir,
                         log_dir=log_dir, devices=_devices(req.devices_from))
    _validate_text(text, defaults_dir)

    actions: list[str] = []
    try:
        _folder(config_dir, (0, owner[1]) if owner else None, actions)
        _folder(state_dir, owner, actions)
        _folder(log_dir, owner, actions)
        created = _key(key_file, owner, actions)
        backup = _write_config(config_file, text, (0, owner[1]) if owner else None, actions)
    except (OSError, KioskError) as exc:
        raise ProvisionError(f"provisioning stopped: {exc}", written=tuple(actions)) from exc
    _validate_file(config_file, defaults_dir)
    actions.append(f"已验证 validated: {config_file} 可被 kiosk 加载 (configuration ok)")
    if root and not owner:
        actions.append("注意: 文件属主为 root；kiosk 以普通用户运行时请加 --user <kiosk 用户>")
    return ProvisionResult(config_file, key_file, created, backup, tuple(actions))


def _owner(user: str, root: bool) -> tuple[int, int] | None:
    if not user:
        return None
    if not root:
        raise ProvisionError("--user needs root (only root can give files to another user)")
    try:
        entry = pwd.getpwnam(user)
    except KeyError as exc:
        raise ProvisionError(f"no user {user!r} on this machine (create it first, e.g. "
                             f"useradd --system {user})") from exc
    return entry.pw_uid, entry.pw_gid


def _existing_pin_hash(config_file: Path) -> str:
    """The PIN hash of the configuration being replaced; ProvisionError if there is none."""
    try:
        data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        value = data["maintenance"]["pin_hash"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ProvisionError("no maintenance PIN given: use --pin-stdin, or run on a terminal "
                             "(it asks for the PIN)") from exc
    if not isinstance(value, str) or not value.startswith("scrypt$"):
        raise ProvisionError("the existing configuration has no PIN hash to keep; give a PIN "
                             "with --pin-stdin")
    return value


def _example_file() -> Path:
    import config.schema as schema

    return Path(schema.__file__).resolve().parent / "terminal.example.toml"


def _devices(source: Path | None) -> dict[str, Any]:
    """The ``[devices.*]`` tables of ``source`` (default: terminal.example.toml)."""
    path = source or _example_file()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProvisionError(f"cannot read the device tables of {path}: {exc}") from exc
    devices = data.get("devices", {})
    if not isinstance(devices, dict):
        raise ProvisionError(f"{path}: [devices] must hold [devices.<name>] tables")
    return devices


def toml_value(value: Any) -> str:
    """A TOML literal for a str, bool, int, float or list of those. Raises ProvisionError."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):  # JSON string escapes are valid TOML basic-string escapes
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise ProvisionError(f"cannot write {type(value).__name__} values in TOML")


def render_config(req: ProvisionRequest, *, pin_hash: str, key_file: Path, state_dir: Path,
                  log_dir: Path, devices: dict[str, Any]) -> str:
    """The terminal.toml text (the token inside it, the PIN only as its hash)."""
    def kv(key: str, value: Any) -> str:
        return f"{key} = {toml_value(value)}"

    terminal = [kv("id", req.terminal_id)]
    terminal += [kv("name", req.name)] if req.name else []
    terminal += [kv("location", req.location)] if req.location else []
    terminal += [kv("support_contact", req.support_contact)]
    platform = [kv("url", req.platform_url), kv("token", req.token)]
    platform += [kv("ca_file", req.ca_file)] if req.ca_file else []
    source = req.devices_from or "config/terminal.example.toml"
    lines = [f"# {req.terminal_id}: written by kiosk-admin provision on "
             f"{datetime.now().astimezone():%Y-%m-%d %H:%M %z}.",
             "# Merged over config/default.toml; list only what this terminal changes.",
             "# After editing by hand: kiosk-admin doctor --config <this file>", "",
             "[terminal]", *terminal, "",
             "[maintenance]", "# scrypt hash of the maintenance PIN; the PIN is stored nowhere",
             kv("pin_hash", pin_hash), "",
             "[platform]", *platform, "",
             "[outbox]", "# made at provisioning; never replace it while items are queued",
             kv("key_file", str(key_file)), "",
             "[paths]", kv("state_dir", str(state_dir)), "",
             "[log]", kv("dir", str(log_dir)), "",
             f"# Devices (from {source}): check each address, e.g. the printer's host.",
             "# `kiosk-admin doctor` opens them all and says what is missing."]
    for name, table in devices.items():
        if not isinstance(table, dict):
            raise ProvisionError(f"[devices.{name}] is not a table")
        lines += ["", f"[devices.{name}]"] + [kv(k, v) for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _validate_text(text: str, defaults_dir: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="kiosk-provision-") as tmp:
        path = Path(tmp) / CONFIG_NAME
        path.write_text(text, encoding="utf-8")
        _validate_file(path, defaults_dir)


def _validate_file(path: Path, defaults_dir: Path | None) -> None:
    from hardware.registry import check_device_options
    from kiosk.config import load_config

    try:
        load_config(path, environ={}, defaults_dir=defaults_dir,
                    check_device_options=check_device_options)
    except InvalidConfigurationError as exc:
        raise ProvisionConfigError(exc) from exc


def _folder(folder: Path, owner: tuple[int, int] | None, actions: list[str]) -> None:
    existed = folder.is_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(folder, DIR_MODE)
    if owner:
        os.chown(folder, *owner)
    actions.append(f"{'已有' if existed else '已创建'} folder {folder} (0750{_who(owner)})")


def _who(owner: tuple[int, int] | None) -> str:
    if not owner:
        return ""
    user = pwd.getpwuid(owner[0]).pw_name if owner[0] else "root"
    return f", {user}:{grp.getgrgid(owner[1]).gr_name}"


def _key(key_file: Path, owner: tuple[int, int] | None, actions: list[str]) -> bool:
    """Create the outbox key unless one exists (then check it and keep it). True if made."""
    from offline.crypto import create_key_file, load_key

    created = not key_file.exists()
    if created:
        create_key_file(key_file)
    else:
        mode = stat.S_IMODE(key_file.stat().st_mode)
        if mode & 0o077:
            os.chmod(key_file, KEY_MODE)
            actions.append(f"已改权限 outbox key {key_file}: {mode:04o} -> 0600")
    if owner:
        os.chown(key_file, *owner)
    load_key(key_file)  # raises StorageError for a damaged key: better now than at start
    actions.append(f"{'已创建' if created else '保留已有'} outbox key {key_file} "
                   f"(0600{_who(owner)})")
    return created


def _write_config(config_file: Path, text: str, owner: tuple[int, int] | None,
                  actions: list[str]) -> Path | None:
    """Atomically (temporary file, fsync, rename) write the configuration; keep a .bak."""
    backup = None
    if config_file.exists():
        backup = config_file.with_name(CONFIG_NAME + ".bak")
        shutil.copy2(config_file, backup)
        os.chmod(backup, CONFIG_MODE)
        actions.append(f"已备份 backup {config_file} -> {backup}")
    fd, tmp_name = tempfile.mkstemp(dir=config_file.parent, prefix=f".{CONFIG_NAME}.")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fchmod(fh.fileno(), CONFIG_MODE)
            if owner:
                os.fchown(fh.fileno(), *owner)
            os.fsync(fh.fileno())
        os.replace(tmp, config_file)
    finally:
        tmp.unlink(missing_ok=True)
    actions.append(f"已写入 config {config_file} (0640{_who(owner)}; 令牌已写入，不显示 "
                   "token written, not shown)")
    return backup
