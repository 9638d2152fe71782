"""Crash-test child: enqueues `--count` submissions and flushes them to `--url`.

Run by tests/offline/test_outbox_crash.py, which SIGKILLs it at random moments and starts
it again. It behaves like the kiosk: an item counts as submitted (the resident is told)
only once `enqueue` has returned; the progress file records that, so a restarted child
goes on with the next item. Prints ``READY`` once the outbox is open. Idempotency keys are ``crash-<n>``; the receiver dedups on
them, as the platform does. Prints ``DONE`` and exits 0 when everything was acked.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from offline.crypto import load_key  # noqa: E402
from offline.outbox import Outbox, OutboxItem  # noqa: E402
from offline.outbox_sender import (  # noqa: E402
    OutboxSender,
    RejectedSendError,
    RetryableSendError,
)


def make_send(url: str):
    def send(item: OutboxItem) -> None:
        body = json.dumps({"key": item.key, "kind": item.kind, "payload": item.payload},
                          ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Idempotency-Key": item.key})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise RejectedSendError(f"HTTP {exc.code}") from exc
            raise RetryableSendError(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise RetryableSendError(f"no answer: {exc}") from exc
    return send


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
    parser.add_argument("--batch", type=int, default=7, help="enqueues between flushes")
    args = parser.parse_args(argv)
    progress = args.db.with_name(args.db.name + ".progress")
    box = Outbox(args.db, load_key(args.key_file), max_items=args.count + 10)
    sender = OutboxSender(box, make_send(args.url))
    n = read_progress(progress)
    print("READY", flush=True)  # the harness times its kill from here
    while n < args.count:
        for _ in range(min(args.batch, args.count - n)):
            box.enqueue("application" if n % 3 else "rating",
                        {"n": n, "name": "张小三", "id_number": "110101199003074578"},
                        personal=True, key=f"crash-{n}")
            n += 1
            write_progress(progress, n)  # "the resident is told"
        sender.flush()
    result = sender.drain(30.0)
    if result.remaining or result.rejected:
        print(f"NOT DONE remaining={result.remaining} rejected={result.rejected}", flush=True)
        return 1
    box.close()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
