"""Crash-test child: the kiosk's real submission path against the real demo platform.

Run by tests/client/test_submission_crash.py, which SIGKILLs it at random moments and
starts it again. It submits `--count` items (applications, ratings, help requests in
turn) through `PlatformLink.submit` (durable outbox, then the outbox worker sends them
with PlatformClient + OutboxTransport). An item counts as submitted (the resident is
told) only once `submit` has returned; the progress file records that, so a restarted
child goes on with the next one. Every payload carries its marker ``crash-<n>``; the
idempotency key is ``crash-<n>-<kind>``. Prints READY once the outbox is open and DONE
(exit 0) when the platform has acknowledged everything.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hardware.card_reader.id_number import id_check_character  # noqa: E402
from kiosk.connectivity import Connectivity  # noqa: E402
from kiosk.outbox_transport import APPLICATION, HELP_REQUEST, RATING, OutboxTransport  # noqa: E402
from kiosk.platform_client import ClientSettings, PlatformClient  # noqa: E402
from kiosk.platform_link import LinkTimings, PlatformLink  # noqa: E402
from offline.crypto import load_key  # noqa: E402
from offline.outbox import Outbox  # noqa: E402

ID17 = "31022819520314002"
APPLICANT = {"name": "王秀英", "id_number": ID17 + id_check_character(ID17)}
KINDS = (APPLICATION, RATING, HELP_REQUEST)


def payload(kind: str, n: int) -> dict:
    marker = f"crash-{n}"
    if kind == APPLICATION:
        return {"service_id": os.environ["CRASH_SERVICE_ID"], "applicant": APPLICANT,
                "answers": {"marker": marker}, "materials_provided": []}
    if kind == RATING:
        return {"score": 2, "reason": marker}
    return {"kind": "assistance", "message": marker}


def read_progress(path: Path) -> int:
    try:
        return int(path.read_text())
    except (FileNotFoundError, ValueError):
        return 0


def write_progress(path: Path, done: int) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(str(done))
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--key-file", type=Path, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args(argv)
    progress = args.db.with_name(args.db.name + ".progress")
    link_state = Connectivity()
    client = PlatformClient(ClientSettings(args.url, "DEMO-JS-0001", "demo-token-DEMO-JS-0001",
                                           retries=0, read_timeout_s=5.0),
                            observer=link_state.report)
    box = Outbox(args.db, load_key(args.key_file), max_items=args.count + 10,
                 backoff_base_s=0.05, backoff_cap_s=0.5)
    link = PlatformLink(box, OutboxTransport(client).send,
                        timings=LinkTimings(idle_poll_s=0.2))
    link_state.subscribe(link.on_link_change)
    link.start()
    n = read_progress(progress)
    print("READY", flush=True)  # the harness times its kill from here
    while n < args.count:
        kind = KINDS[n % len(KINDS)]
        link.submit(kind, payload(kind, n), key=f"crash-{n}-{kind}")
        n += 1
        write_progress(progress, n)  # "the resident is told"
    deadline = time.monotonic() + 60
    while box.stats().count and time.monotonic() < deadline:
        time.sleep(0.05)
    link.stop()
    stats = box.stats()
    if stats.count or stats.dead_count:
        print(f"NOT DONE remaining={stats.count} dead={stats.dead_count}", flush=True)
        return 1
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
