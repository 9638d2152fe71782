"""The configuration schema: the single source of truth for keys, types and constraints.

One frozen dataclass per TOML section and `KioskConfig` with one field per section. Fields
have no Python defaults (defaults live in ``config/default.toml``); each field carries a
`Setting` in its metadata (built by `setting`) with a one-line doc, the allowed choices,
range or regex, the environment variable that may override it and an optional custom check.

`kiosk.config` loads and validates against this schema. This package imports nothing from
``kiosk/``, Kivy or devices; the maintenance-PIN hash *format* lives here so that both the
schema and ``kiosk.pin`` use the same parser.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import types
import typing
import urllib.parse
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, Callable, Mapping

from config.fontcheck import (REQUIRED_TEXT, FontFileError, face0_covers,
                              non_simplified_chinese_face)

#: Key under which a field's `Setting` is stored in ``dataclasses.field(metadata=...)``.
SETTING = "setting"

#: Custom check: returns ``None`` when the value is fine, else a text saying what is allowed.
Check = Callable[[Any], "str | None"]

#: Service ids the home screen knows, in their default order.
KNOWN_SERVICES: tuple[str, ...] = ("guide", "appointment", "progress", "licences",
                                   "offline_code", "benefits", "apply", "id_photo", "bundles",
                                   "cross_province", "agent", "help")
LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
LOG_LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class Setting:
    """What one key accepts. For list fields, ``choices`` apply to each item."""

    doc: str
    choices: tuple[str, ...] | None = None
    min: int | float | None = None
    max: int | float | None = None
    pattern: str | None = None
    nonempty: bool = False
    unique: bool = False
    env: str | None = None
    check: Check | None = None
    allowed: str | None = None  # human wording used instead of the generated description
    secret: bool = False  # never shown in errors or in the logged configuration


def setting(doc: str, *, choices: tuple[str, ...] | None = None,
            min: int | float | None = None, max: int | float | None = None,  # noqa: A002
            pattern: str | None = None, nonempty: bool = False, unique: bool = False,
            env: str | None = None, check: Check | None = None, allowed: str | None = None,
            secret: bool = False) -> Any:
    """A dataclass field without default whose metadata holds the key's `Setting`."""
    return field(metadata={SETTING: Setting(doc, choices, min, max, pattern, nonempty, unique,
                                            env, check, allowed, secret)})


# --- maintenance PIN hash format (shared with kiosk.pin) -----------------------------------

PIN_HASH_SCHEME = "scrypt"
PIN_SALT_BYTES = 16
PIN_HASH_BYTES = 32
PIN_SCRYPT_N_MIN = 2 ** 14
PIN_SCRYPT_N_MAX = 2 ** 20
PIN_SCRYPT_RP_MAX = 16
PIN_SCRYPT_MAXMEM = 2 ** 30  # 128 * n * r bytes may not exceed this
_PIN_HASH_RE = re.compile(r"scrypt\$([1-9][0-9]{0,7})\$([1-9][0-9]?)\$([1-9][0-9]?)"
                          r"\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class PinHashParams:
    """A parsed maintenance-PIN hash: scrypt parameters, salt and derived key."""

    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode_canonical(text: str) -> bytes | None:
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if _b64encode(data) == text else None


def format_pin_hash(params: PinHashParams) -> str:
    """``scrypt$<n>$<r>$<p>$<salt>$<hash>`` with unpadded URL-safe base64. Raises nothing."""
    return "$".join((PIN_HASH_SCHEME, str(params.n), str(params.r), str(params.p),
                     _b64encode(params.salt), _b64encode(params.digest)))


def parse_pin_hash(value: object) -> PinHashParams | None:
    """Parse a stored PIN hash; ``None`` for anything `format_pin_hash` could not have made
    with sane parameters (n a power of two in 2**14..2**20, r and p in 1..16, at most
    1 GiB of scrypt memory, 16-byte salt, 32-byte hash, canonical base64). Never raises."""
    if not isinstance(value, str):
        return None
    m = _PIN_HASH_RE.fullmatch(value)
    if m is None:
        return None
    n, r, p = int(m[1]), int(m[2]), int(m[3])
    if not PIN_SCRYPT_N_MIN <= n <= PIN_SCRYPT_N_MAX or n & (n - 1):
        return None
    if not (r <= PIN_SCRYPT_RP_MAX and p <= PIN_SCRYPT_RP_MAX and 128 * n * r <= PIN_SCRYPT_MAXMEM):
        return None
    salt, digest = _b64decode_canonical(m[4]), _b64decode_canonical(m[5])
    if salt is None or digest is None or len(salt) != PIN_SALT_BYTES or len(digest) != PIN_HASH_BYTES:
        return None
    return PinHashParams(n, r, p, salt, digest)


def is_pin_hash(value: object) -> bool:
    """True exactly when `parse_pin_hash` accepts ``value``."""
    return parse_pin_hash(value) is not None


# --- custom checks ---------------------------------------------------------------------------

def check_pin_hash(value: str) -> str | None:
    """Allowed-text for a bad ``maintenance.pin_hash``, ``None`` if it is a valid hash."""
    how = "generate one with `kiosk --hash-pin`"
    if value == "":
        return f"the scrypt hash of this terminal's maintenance PIN; none is set ({how})"
    if re.fullmatch(r"[0-9]+", value.strip()):
        return f"this looks like a plain PIN: only the hash may be stored ({how})"
    if is_pin_hash(value):
        return None
    return f"a hash of the form scrypt$16384$8$1$<salt>$<hash> ({how})"


def check_readable_file(value: str) -> str | None:
    """Allowed-text when ``value`` does not name an existing readable file, else ``None``."""
    if not value or not os.path.isfile(value):
        return "the path of an existing font file (nothing found at this path)"
    if not os.access(value, os.R_OK):
        return "the path of a readable font file (permission denied)"
    return None


def check_cjk_font(value: str) -> str | None:
    """Allowed-text unless ``value`` is a readable font whose face 0 has Simplified forms."""
    problem = check_readable_file(value)
    if problem:
        return problem
    try:
        other = non_simplified_chinese_face(value)
        if other:
            return (f"a font whose first face draws Simplified Chinese; Kivy uses face 0, "
                    f"which here is '{other}' (e.g. use fonts-wqy-microhei's "
                    f"wqy-microhei.ttc, or extract the SC face of Noto Sans CJK)")
        missing = face0_covers(value, REQUIRED_TEXT)
    except (OSError, FontFileError) as exc:
        return f"a TrueType/OpenType font file ({exc})"
    if missing:
        return (f"a font with Chinese and Latin glyphs; this one has none for "
                f"{''.join(sorted(missing))!r} (e.g. fonts-wqy-microhei's wqy-microhei.ttc)")
    return None


# --- sections --------------------------------------------------------------------------------

@dataclass(frozen=True)
class TerminalConfig:
    id: str = setting("Terminal id used in logs and platform calls, e.g. 'JS-SY-0001'.",
                      pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{2,31}$", env="KIOSK_TERMINAL_ID",
                      allowed="3-32 letters, digits or '-', starting with a letter or digit "
                              "(set it in the terminal's own file)")
    name: str = setting("Name shown in the title bar.", nonempty=True)
    location: str = setting("Where the terminal stands (may be empty).")
    support_contact: str = setting(
        "Who to call, shown on the out-of-service screen.", nonempty=True,
        allowed="a non-empty text naming who to call (set it in the terminal's own file)")
    service_hours: str = setting("Opening hours shown to residents.", nonempty=True)
    out_of_service: bool = setting("Start on the out-of-service screen.")
    out_of_service_message: str = setting("Extra text for the out-of-service screen.")


@dataclass(frozen=True)
class DisplayConfig:
    profile: str = setting("'kiosk' (full screen, locked) or 'developer' (window).",
                           choices=("kiosk", "developer"), env="KIOSK_DISPLAY_PROFILE")
    width: int = setting("Screen width in pixels.", min=320, max=7680)
    height: int = setting("Screen height in pixels.", min=240, max=4320)
    font_path: str = setting("CJK font file used for all text.", check=check_cjk_font,
                             env="KIOSK_FONT_PATH",
                             allowed="the path of an existing, readable font file")


@dataclass(frozen=True)
class I18nConfig:
    default_language: str = setting("Language every session starts in.", choices=LANGUAGES,
                                    env="KIOSK_LANGUAGE")
    languages: tuple[str, ...] = setting("Languages offered; must include default_language.",
                                         choices=LANGUAGES, nonempty=True, unique=True)


@dataclass(frozen=True)
class SessionConfig:
    idle_timeout_s: int = setting("Inactivity before the idle warning appears.", min=30, max=1800)
    warning_s: int = setting("Length of the idle-warning countdown (WCAG 2.2.1: >= 20 s).",
                             min=20, max=300)
    elderly_idle_factor: float = setting("Elderly mode multiplies the idle limit by this.",
                                         min=1.0, max=10.0)
    elderly_warning_s: int = setting("Idle-warning countdown in elderly mode.", min=30, max=600)


@dataclass(frozen=True)
class AccessibilityConfig:
    elderly_by_default: bool = setting("Sessions start in elderly mode (large text, slower).")
    voice_in_elderly_mode: bool = setting(
        "Voice guidance reads every screen aloud in elderly mode unless the resident stops it.")
    voice_by_default: bool = setting(
        "Voice guidance is on in every session, not only in elderly mode.")
    elderly_home: tuple[str, ...] = setting(
        "Services shown first on the elderly-mode home screen (at most 5; the sixth tile "
        "is \"more services\" when there are more).", choices=KNOWN_SERVICES, unique=True)


@dataclass(frozen=True)
class ServicesConfig:
    enabled: tuple[str, ...] = setting("Services on the home screen, in this order.",
                                       choices=KNOWN_SERVICES, unique=True)


@dataclass(frozen=True)
class MaintenanceConfig:
    pin_hash: str = setting("scrypt hash of the maintenance PIN (from `kiosk --hash-pin`).",
                            check=check_pin_hash, secret=True,
                            allowed="the hash printed by `kiosk --hash-pin` "
                                    "(scrypt$16384$8$1$<salt>$<hash>), never the PIN itself")


@dataclass(frozen=True)
class LogConfig:
    dir: str = setting("Directory of the technician log (relative: to the working directory).",
                       nonempty=True, env="KIOSK_LOG_DIR")
    level: str = setting("Technician log level.", choices=LOG_LEVELS, env="KIOSK_LOG_LEVEL")
    max_bytes: int = setting("Size at which the log file is rotated.", min=65536, max=1073741824)
    backups: int = setting("Rotated log files kept.", min=1, max=100)


@dataclass(frozen=True)
class PathsConfig:
    state_dir: str = setting("Directory of the local database and state (relative: to the "
                             "working directory).", nonempty=True, env="KIOSK_STATE_DIR")


def check_platform_url(value: str) -> str | None:
    """Allowed-text unless ``value`` is https://host[:port], or plain http to loopback."""
    parts = urllib.parse.urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return None
    return ("an https:// URL of the platform (plain http only to 127.0.0.1, for the "
            "demonstration platform), without /api/v1")


def check_optional_readable_file(value: str) -> str | None:
    return None if value == "" else check_readable_file(value)


@dataclass(frozen=True)
class PlatformConfig:
    url: str = setting("Base URL of the district platform (https; no /api/v1).",
                       check=check_platform_url, env="KIOSK_PLATFORM_URL")
    token: str = setting("This terminal's platform token (from provisioning).", nonempty=True,
                         secret=True, env="KIOSK_PLATFORM_TOKEN",
                         allowed="the token issued for this terminal (set it in the "
                                 "terminal's own file or KIOSK_PLATFORM_TOKEN)")
    ca_file: str = setting("CA bundle to verify the platform's certificate; \"\" = the "
                           "system's CAs. Verification is never turned off.",
                           check=check_optional_readable_file)
    connect_timeout_s: float = setting("Seconds to wait for a connection.", min=0.5, max=30.0)
    read_timeout_s: float = setting("Seconds to wait for an answer.", min=1.0, max=120.0)
    sync_interval_s: int = setting("Seconds between catalogue syncs.", min=60, max=86400)
    heartbeat_interval_s: int = setting("Seconds between heartbeats.", min=10, max=3600)
    start_demo_server: bool = setting("Start the bundled demonstration platform at `url` "
                                      "(demo mode only; never on a real terminal).")


@dataclass(frozen=True)
class OutboxConfig:
    key_file: str = setting("AES key file of the outbox (32 bytes, mode 0600, made at "
                            "provisioning with `kiosk --create-outbox-key`).", nonempty=True,
                            env="KIOSK_OUTBOX_KEY_FILE")
    max_items: int = setting("Queued items above which the technician is alerted "
                             "(nothing is ever dropped).", min=100, max=1_000_000)
    max_age_h: float = setting("Age of the oldest queued item above which the technician is "
                               "alerted; below the platform's 30-day key memory.",
                               min=1.0, max=24 * 28)


DEVICE_KINDS = ("card_reader", "scanner", "camera", "printer", "speaker")
DEVICE_NAME_PATTERN = r"[a-z][a-z0-9_]{0,31}"
DEVICE_KEYS = ("kind", "driver", "enabled")


@dataclass(frozen=True)
class DeviceSpec:
    """One ``[devices.<name>]`` table: which driver to build, with its own options.

    ``kind`` and ``driver`` pick the factory in `hardware`; every other key of the table is a
    driver option, checked by that factory (unknown options are refused there).
    """

    name: str
    kind: str
    driver: str
    enabled: bool = True
    options: Mapping[str, Any] = field(default_factory=lambda: types.MappingProxyType({}))


@dataclass(frozen=True)
class KioskConfig:
    """The whole validated configuration, one attribute per TOML section.

    ``devices`` is not a section of fixed keys but a table of named device tables.
    """

    terminal: TerminalConfig
    display: DisplayConfig
    i18n: I18nConfig
    session: SessionConfig
    accessibility: AccessibilityConfig
    services: ServicesConfig
    maintenance: MaintenanceConfig
    log: LogConfig
    paths: PathsConfig
    platform: PlatformConfig
    outbox: OutboxConfig
    devices: tuple[DeviceSpec, ...] = field(default=(), metadata={"devices": True})


# --- introspection ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingInfo:
    """One key of the schema: its section, name, Python type and `Setting`."""

    section: str
    key: str
    type: Any
    setting: Setting

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.key}"


@cache
def sections() -> Mapping[str, type]:
    """Section name -> section dataclass, in schema order (read-only)."""
    hints = typing.get_type_hints(KioskConfig)
    return types.MappingProxyType({f.name: hints[f.name] for f in fields(KioskConfig)
                                   if not f.metadata.get("devices")})


@cache
def all_settings() -> tuple[SettingInfo, ...]:
    """Every key of every section, in schema order."""
    out = []
    for name, cls in sections().items():
        hints = typing.get_type_hints(cls)
        out += [SettingInfo(name, f.name, hints[f.name], f.metadata[SETTING]) for f in fields(cls)]
    return tuple(out)


def section_keys(section: str) -> tuple[str, ...]:
    """Known keys of ``section`` (empty for an unknown section)."""
    return tuple(i.key for i in all_settings() if i.section == section)


def cross_field_problems(values: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Any, str]]:
    """Checks spanning several keys, on individually valid values.

    Returns ``(dotted key, value, allowed)`` triples; keys missing from ``values`` are skipped.
    """
    problems = []
    i18n = values.get("i18n", {})
    if "languages" in i18n and "default_language" in i18n:
        if i18n["default_language"] not in i18n["languages"]:
            problems.append(("i18n.languages", list(i18n["languages"]),
                             f"a list that contains i18n.default_language "
                             f"({i18n['default_language']!r})"))
    return problems
