"""The technician log: rotating files, one line per event, personal data masked.

Every handler gets `common.privacy.RedactingFilter`, so ID and phone numbers that slip into
a message from any layer are masked before they reach the disk.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from common.privacy import RedactingFilter

LOG_FILE = "technician.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLineFormatter(logging.Formatter):
    """Keeps every record, traceback included, on one line so `grep` and rotation work."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.replace("\r", "\\r").replace("\n", " | ")


def setup_logging(log_dir: Path, level: str, max_bytes: int, backups: int,
                  *, to_stderr: bool = False) -> Path:
    """Send all logging (Kivy's included) to ``log_dir/technician.log``.

    Creates ``log_dir`` (mode 0750) if needed; raises OSError when it cannot be written.
    Returns the log file's path.
    """
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o750)
    path = log_dir / LOG_FILE
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes,
                                                   backupCount=backups, encoding="utf-8")
    handlers: list[logging.Handler] = [handler]
    if to_stderr:
        handlers.append(logging.StreamHandler())
    formatter = OneLineFormatter(_FORMAT)
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kiosk_handler", False):
            root.removeHandler(h)
            h.close()
    for h in handlers:
        h.setFormatter(formatter)
        h.addFilter(RedactingFilter())
        h._kiosk_handler = True  # type: ignore[attr-defined]
        root.addHandler(h)
    root.setLevel(level)
    os.chmod(path, 0o640)
    return path
