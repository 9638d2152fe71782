"""The kiosk's one error hierarchy.

Every layer raises subclasses of `KioskError`; library errors are wrapped with
``raise ... from`` so the original cause stays in the technician log.
"""

from __future__ import annotations


class KioskError(Exception):
    """Root of every error the kiosk raises on purpose."""


class ConfigError(KioskError):
    """A configuration value is missing, misspelt, of the wrong type or out of range.

    ``key`` is the dotted key (``session.idle_timeout_s``), ``value`` what was given and
    ``allowed`` a human description of what is accepted. ``source`` names the file or
    environment variable the value came from.
    """

    def __init__(self, key: str, value: object, allowed: str, source: str = "") -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        self.source = source
        where = f" (from {source})" if source else ""
        super().__init__(f"configuration key '{key}'{where}: got {value!r}; allowed: {allowed}")


class HardwareError(KioskError):
    """A device failed, is missing or refused an operation."""


class DeviceNotFoundError(HardwareError):
    """The configured device is not there (unplugged, wrong port, nothing listening)."""


class StorageError(KioskError):
    """The local SQLite store failed (disk full, corrupt file, failed migration)."""


class PlatformError(KioskError):
    """The district platform could not be reached or answered with an error."""


class InvalidConfigurationError(KioskError):
    """One or more configuration problems; the kiosk refuses to start with any of them."""

    def __init__(self, problems: list[ConfigError]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} configuration problem(s):\n{lines}")
