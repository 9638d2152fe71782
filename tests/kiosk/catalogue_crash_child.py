"""Child of test_catalogue_crash: syncs the catalogue again and again until it is killed.

    python tests/kiosk/catalogue_crash_child.py BASE_URL DB_PATH PROGRESS_PATH

Appends one line per step to PROGRESS_PATH (unbuffered writes, so a SIGKILL loses none):
``READY`` once imported; then it waits for a line on stdin (the parent starts the next
child while killing the current one, so the imports are not on the clock) and only then
opens the database; then per sync ``BEGIN``, ``WRITE <full|changes>`` just before the store's
transaction, ``WROTE`` after it committed, ``END <kind> <version>``; ``ERR <error>`` when a
sync fails (the parent treats any as a failure).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN  # noqa: E402
from kiosk.catalogue_sync import CatalogueSync  # noqa: E402
from kiosk.platform_client import ClientSettings, PlatformClient  # noqa: E402
from offline.catalogue import CatalogStore  # noqa: E402
from offline.db import open_database  # noqa: E402


def main() -> None:
    base_url, db_path, progress_path = sys.argv[1:4]
    fd = os.open(progress_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def say(line: str) -> None:
        os.write(fd, (line + "\n").encode())

    class ReportingStore(CatalogStore):
        def replace_all(self, *args, **kwargs) -> None:
            say("WRITE full")
            super().replace_all(*args, **kwargs)
            say("WROTE")

        def apply_changes(self, *args, **kwargs) -> None:
            say("WRITE changes")
            super().apply_changes(*args, **kwargs)
            say("WROTE")

    client = PlatformClient(ClientSettings(base_url, DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN,
                                           retries=0))
    sync = CatalogueSync(client, lambda: ReportingStore(open_database(db_path)))
    say("READY")
    sys.stdin.readline()
    while True:
        say("BEGIN")
        try:
            result = sync.sync_once()
        except Exception as exc:  # reported to the parent, which fails the test
            say(f"ERR {type(exc).__name__}: {exc}")
            time.sleep(0.05)
            continue
        say(f"END {result.kind} {result.to_version}")
        if result.kind == "not_modified":
            time.sleep(0.01)


if __name__ == "__main__":
    main()
