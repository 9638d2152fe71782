"""Loading and validating the kiosk configuration (plain Python, no Kivy).

Layers, later wins, merged per section and key::

    config/default.toml -> config/demo.toml (demo only) -> terminal file -> environment

Only the environment variables declared in `config.schema` are read. Validation collects
every problem and raises one `InvalidConfigurationError`, so a technician sees all mistakes
at once. Relative paths (``log.dir``, ``paths.state_dir``) are returned as given.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Mapping

import config.schema as schema
from common.errors import ConfigError, InvalidConfigurationError
from config.schema import KioskConfig, SettingInfo, all_settings, section_keys, sections
from kiosk.device_config import MergedDevices, OptionsCheck, merge_devices, validate_devices

#: Directory holding default.toml and demo.toml.
DEFAULTS_DIR = Path(schema.__file__).resolve().parent

# section -> key -> (value, source)
_Merged = dict[str, dict[str, tuple[Any, str]]]


def load_config(terminal_file: Path | None = None, *, demo: bool = False,
                environ: Mapping[str, str] | None = None,
                defaults_dir: Path | None = None,
                check_device_options: OptionsCheck | None = None) -> KioskConfig:
    """Load, merge and validate the configuration layers.

    ``environ`` defaults to ``os.environ``; ``defaults_dir`` to the ``config`` package.
    ``check_device_options(kind, driver, name, options)`` returns a problem text for a
    device table its driver refuses (the composition root passes the hardware layer's).
    Raises InvalidConfigurationError listing every problem: a missing, unreadable or
    syntactically invalid file (then values are not checked further), unknown sections or
    keys, wrong types, out-of-range values, failed custom and cross-field checks, and
    environment values that cannot be converted.
    """
    base = Path(defaults_dir) if defaults_dir is not None else DEFAULTS_DIR
    files = [base / "default.toml"]
    if demo:
        files.append(base / "demo.toml")
    if terminal_file is not None:
        files.append(Path(terminal_file))

    problems: list[ConfigError] = []
    merged: _Merged = {}
    devices: MergedDevices = {}
    file_ok = True
    for path in files:
        data = _read_toml(path, problems)
        if data is None:
            file_ok = False
        else:
            if "devices" in data:
                merge_devices(data.pop("devices"), str(path), devices, problems)
            _merge(data, str(path), merged, problems)
    if not file_ok:
        raise InvalidConfigurationError(problems)

    _apply_environ(os.environ if environ is None else environ, merged, problems)
    values = _validate(merged, problems)
    specs = validate_devices(devices, problems, check_device_options)
    if problems:
        raise InvalidConfigurationError(problems)
    return KioskConfig(**{name: cls(**values[name]) for name, cls in sections().items()},
                       devices=specs)


def _read_toml(path: Path, problems: list[ConfigError]) -> dict[str, Any] | None:
    """Parse one file; on failure append a problem whose key is the file and return None."""
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(ConfigError(where, where, "an existing TOML file (it does not exist)", where))
        return None
    except OSError as exc:
        problems.append(ConfigError(where, where, f"a readable TOML file ({exc.strerror})", where))
        return None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(ConfigError(where, f"byte {exc.start}", "a UTF-8 encoded TOML file", where))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f"line {m[1]}, column {m[2]}" if m else "an unknown position"
        problems.append(ConfigError(where, str(exc), f"valid TOML syntax (fix {at})", where))
    return None


def _merge(data: Mapping[str, Any], source: str, merged: _Merged,
           problems: list[ConfigError]) -> None:
    known_sections = list(sections())
    for section, table in data.items():
        if section not in sections():
            near = difflib.get_close_matches(section, known_sections, n=1)
            hint = f"did you mean '[{near[0]}]'? " if near else ""
            problems.append(ConfigError(section, table, f"{hint}known sections: "
                                        f"{', '.join(known_sections)}", source))
            continue
        keys = section_keys(section)
        if not isinstance(table, dict):
            problems.append(ConfigError(section, table, f"a table [{section}] with keys: "
                                        f"{', '.join(keys)}", source))
            continue
        for key, value in table.items():
            if key in keys:
                merged.setdefault(section, {})[key] = (value, source)
            else:
                problems.append(ConfigError(f"{section}.{key}", value,
                                            _unknown_key_hint(section, key), source))


def _unknown_key_hint(section: str, key: str) -> str:
    keys = section_keys(section)
    # The exact name in another section beats a look-alike in this one.
    near = [i.dotted for i in all_settings() if i.key == key]
    near = near or [f"{section}.{k}" for k in difflib.get_close_matches(key, keys, n=1)]
    hint = f"did you mean '{near[0]}'? " if near else ""
    return f"{hint}known keys in [{section}]: {', '.join(keys)}"


def _apply_environ(environ: Mapping[str, str], merged: _Merged,
                   problems: list[ConfigError]) -> None:
    for info in all_settings():
        name = info.setting.env
        if not name or name not in environ:
            continue
        raw = environ[name]
        source = f"environment variable {name}"
        try:
            value = _coerce(raw, info.type)
        except ValueError:
            problems.append(ConfigError(info.dotted, _shown(info, raw), _allowed(info), source))
            continue
        merged.setdefault(info.section, {})[info.key] = (value, source)


def _coerce(raw: str, tp: Any) -> Any:
    """Convert an environment string to ``tp``; raises ValueError if it cannot."""
    text = raw.strip()
    if tp is bool:
        lowered = text.lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise ValueError(raw)
    if tp is int:
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ValueError(raw)
        return int(text)
    if tp is float:
        if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", text):
            raise ValueError(raw)
        return float(text)
    if tp is str:
        return raw
    return [item.strip() for item in raw.split(",") if item.strip()]  # tuple[str, ...]


def _validate(merged: _Merged, problems: list[ConfigError]) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {name: {} for name in sections()}
    for info in all_settings():
        entry = merged.get(info.section, {}).get(info.key)
        if entry is None:
            problems.append(ConfigError(info.dotted, None, f"{_allowed(info)} (the key is "
                                        "missing from every configuration file)"))
            continue
        value, source = entry
        ok, result = _check(info, value)
        if ok:
            values[info.section][info.key] = result
        else:
            problems.append(ConfigError(info.dotted, _shown(info, value), result, source))
    for dotted, value, allowed in schema.cross_field_problems(values):
        section, key = dotted.split(".", 1)
        source = merged.get(section, {}).get(key, (None, ""))[1]
        problems.append(ConfigError(dotted, value, allowed, source))
    return values


def _check(info: SettingInfo, value: Any) -> tuple[bool, Any]:
    """``(True, converted value)`` or ``(False, allowed text)``."""
    s, tp = info.setting, info.type
    allowed = _allowed(info)
    if tp is bool:
        if not isinstance(value, bool):
            return False, allowed
    elif tp is int or tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float) if tp is float else int):
            return False, allowed
        value = float(value) if tp is float else value
        if (s.min is not None and not value >= s.min) or (s.max is not None and not value <= s.max):
            return False, allowed
    elif tp is str:
        if not isinstance(value, str):
            return False, allowed
        if (s.nonempty and not value.strip()) or (s.choices and value not in s.choices):
            return False, allowed
        if s.pattern and not re.fullmatch(s.pattern, value):
            return False, allowed
    else:  # tuple[str, ...]
        if not isinstance(value, (list, tuple)):
            return False, allowed
        bad = [v for v in value if not isinstance(v, str) or (s.choices and v not in s.choices)]
        if bad:
            return False, f"{allowed}; {bad[0]!r} is not"
        dupes = sorted({v for v in value if list(value).count(v) > 1})
        if (s.nonempty and not value) or (s.unique and dupes):
            return False, allowed + (f"; {dupes[0]!r} appears more than once" if dupes else "")
        value = tuple(value)
    if s.check is not None:
        message = s.check(value)
        if message is not None:
            return False, message
    return True, value


_TYPE_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a text"}


def _type_name(tp: Any) -> str:
    return _TYPE_NAMES.get(tp, "a list of texts")


def _allowed(info: SettingInfo) -> str:
    """Human description of what ``info`` accepts."""
    s, tp = info.setting, info.type
    if s.allowed:
        return s.allowed
    choices = ", ".join(repr(c) for c in s.choices or ())
    if tp not in _TYPE_NAMES:  # list of texts
        text = ("a non-empty " if s.nonempty else "a ") + "list of " + \
            ("distinct " if s.unique else "") + "texts"
        return f"{text}, each one of {choices}" if choices else text
    if choices:
        return f"one of {choices}"
    text = "a non-empty text" if s.nonempty and tp is str else _type_name(tp)
    if s.min is not None and s.max is not None:
        text += f" from {s.min} to {s.max}"
    if s.pattern:
        text += f" matching {s.pattern}"
    return text


def _toml_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_repr(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _shown(info: SettingInfo, value: Any) -> Any:
    """The value as it may appear in an error: secrets are hidden."""
    return "<hidden>" if info.setting.secret and value else value


def config_to_dict(cfg: KioskConfig) -> dict[str, dict[str, Any]]:
    """The effective configuration as plain data for the log; secrets become "<set>"/"<unset>".

    Raises nothing.
    """
    out: dict[str, dict[str, Any]] = {}
    for info in all_settings():
        value = getattr(getattr(cfg, info.section), info.key)
        if info.setting.secret:
            value = "<set>" if value else "<unset>"
        elif isinstance(value, tuple):
            value = list(value)
        out.setdefault(info.section, {})[info.key] = value
    out["devices"] = {d.name: {"kind": d.kind, "driver": d.driver, "enabled": d.enabled,
                               **dict(d.options)} for d in cfg.devices}
    return out


def describe_schema(defaults_dir: Path | None = None) -> str:
    """Readable listing of every key: type, allowed values, default and env variable.

    Defaults are read from ``default.toml`` (shown as "?" if it cannot be read). Raises nothing.
    """
    try:
        path = (Path(defaults_dir) if defaults_dir is not None else DEFAULTS_DIR) / "default.toml"
        defaults = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        defaults = {}
    lines: list[str] = []
    for section in sections():
        lines.append(f"[{section}]")
        for info in (i for i in all_settings() if i.section == section):
            default = defaults.get(section, {}).get(info.key)
            shown = "?" if default is None else _toml_repr(default)
            lines.append(f"  {info.key}  ({_type_name(info.type)})  default: {shown}")
            lines.append(f"      {info.setting.doc}")
            lines.append(f"      allowed: {_allowed(info)}")
            if info.setting.env:
                lines.append(f"      environment: {info.setting.env}")
        lines.append("")
    return "\n".join(lines)
