"""Outbox figures: durable enqueue and flush throughput, personal and non-personal.

    .venv/bin/python bench/offline_outbox.py [--items N] [--dir FOLDER] [--json]

Prints, and asserts nothing:
* enqueue: items/s, each one durable commit (WAL, synchronous=FULL: an fsync of the WAL)
  before it returns, as the kiosk needs before telling the resident;
* flush to an in-process fake sender that accepts everything: items/s, each item read,
  decrypted (personal), "sent" and acked (one more durable commit);
* the cost of the cipher alone per item, to show where the time goes.
The database lives in `--dir` (default: a temporary folder under the current directory,
so the figures are for the disk the kiosk's state would be on, not a tmpfs).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from offline.crypto import OutboxKey  # noqa: E402
from offline.outbox import Outbox  # noqa: E402
from offline.outbox_sender import OutboxSender  # noqa: E402

from _result import emit, figure  # noqa: E402  (bench/ is on the path: this script's folder)

PAYLOAD = {"service": "城乡居民基本养老保险参保登记", "name": "欧阳小明",
           "id_number": "110101199003074578", "phone": "13812345678",
           "address": "某某省某某县某某镇某某村3组12号", "materials": ["身份证", "户口簿"],
           "answers": {f"q{n}": "是" for n in range(12)}}


def run(folder: Path, items: int, personal: bool) -> tuple[float, float]:
    db = folder / f"bench-{'personal' if personal else 'plain'}.db"
    box = Outbox(db, OutboxKey.generate(), max_items=items + 1)
    kind = "application" if personal else "status"  # not "heartbeat": those are pruned
    started = time.perf_counter()
    for n in range(items):
        box.enqueue(kind, PAYLOAD | {"n": n}, personal=personal)
    enqueue_s = time.perf_counter() - started
    sender = OutboxSender(box, lambda item: None)
    started = time.perf_counter()
    result = sender.flush()
    flush_s = time.perf_counter() - started
    assert result.sent == items and result.remaining == 0
    box.close()
    return items / enqueue_s, items / flush_s


def cipher_us(items: int) -> float:
    key = OutboxKey.generate()
    data = repr(PAYLOAD).encode()
    started = time.perf_counter()
    for n in range(items):
        key.decrypt(key.encrypt(data, b"ad"), b"ad")
    return (time.perf_counter() - started) / items * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=Path.cwd())
    parser.add_argument("--json", action="store_true",
                        help="end with one BENCH_RESULT line of JSON (for bench/all.py)")
    args = parser.parse_args(argv)
    figures = []
    print(f"outbox bench: {args.items} items, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, database in {args.dir}")
    with tempfile.TemporaryDirectory(prefix="outbox-bench-", dir=args.dir) as folder:
        for personal in (True, False):
            enq, flush = run(Path(folder), args.items, personal)
            label = "personal (AES-GCM)" if personal else "non-personal (JSON)"
            print(f"  {label:20s} enqueue {enq:8.0f} items/s ({1e3 / enq:.2f} ms, durable)"
                  f"   flush {flush:8.0f} items/s ({1e3 / flush:.2f} ms, durable ack)")
            figures += [figure(f"{label} enqueue, durable", enq, "items/s"),
                        figure(f"{label} flush to a fake sender", flush, "items/s")]
    cipher = cipher_us(args.items)
    print(f"  cipher alone: encrypt+decrypt {cipher:.1f} us per item")
    if args.json:
        emit(figures + [figure("cipher alone, encrypt+decrypt per item", cipher, "us")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
