"""Times as residents read them: the platform's UTC instants shown in Asia/Shanghai.

The platform sends ISO 8601 UTC (`2026-11-28T14:53:38Z`); a terminal's own clock is a
POSIX timestamp. Both are shown as `2026-11-28 22:53` local time, whatever time zone the
terminal's operating system happens to be set to. China has no daylight saving time, so
UTC+8 is a faithful fallback where the system has no time zone database.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo


def _zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Shanghai")
    except Exception:  # noqa: BLE001 - no tz database on this machine
        return timezone(timedelta(hours=8), "CST")


LOCAL_ZONE = _zone()
FORMAT = "%Y-%m-%d %H:%M"


def parse_utc(text: str) -> datetime | None:
    """An ISO 8601 instant from the platform (naive means UTC), or None if unreadable."""
    try:
        value = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def shown_time(text: str) -> str:
    """A platform instant as local time; the text unchanged if it cannot be read."""
    value = parse_utc(text)
    return value.astimezone(LOCAL_ZONE).strftime(FORMAT) if value else str(text or "")


def shown_timestamp(at: float) -> str:
    """A terminal timestamp (seconds since the epoch) as local time."""
    return datetime.fromtimestamp(at, LOCAL_ZONE).strftime(FORMAT)
