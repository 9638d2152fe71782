"""Offline data benchmark: catalogue sync from the real demo platform, search, outbox.

    .venv/bin/python bench/offline.py                      # 1,000 / 10,000 / 100,000 services
    .venv/bin/python bench/offline.py --sizes 1000,10000 --outbox-items 500 [--check] [--json]

Issue acceptance: at 1,000, 10,000 and 100,000 services, search p50/p95 (target p95 <= 10 ms
at 10,000) beside a plain Python scan of the same data as a ratio; full sync and 304 sync
times; outbox enqueue and flush throughput. A benchmark, not a test: it prints figures and
exits 0; with ``--check`` it exits 1 when the search p95 at 10,000 is above 10 ms (2 when
10,000 was not measured).

Per size, a demo platform (``demo_platform.create_app``, unseeded, on loopback in this
process) is loaded with a synthetic catalogue of N services (bench/_offline_catalogue.py)
through its own ``Store.change_catalogue`` (one version, one transaction), and its snapshot
cache is warmed, as on a platform already serving other terminals. Then, through the
kiosk's own code (PlatformClient, CatalogueSync, CatalogStore in a file database):

* full sync: the first ``sync_once`` into an empty catalogue database (GET /catalogue with
  gzip, mapping, ``replace_all`` with the search index), split into its parts;
* no-change sync: ``sync_once`` when nothing changed (GET /catalogue/changes?since=V);
  304: ``client.catalogue(etag)`` answered 304, and "304 sync" = that plus ``mark_synced``;
  one-change sync: ``sync_once`` after the platform changed one service;
* search: a fixed query mix through ``CatalogStore.search`` on the synced database and
  through a naive scan of the same services (a list of dicts, pinyin precomputed).

Outbox: personal application payloads (AES-GCM) enqueued durably, then flushed to a seeded
demo platform over HTTP (OutboxSender + OutboxTransport + PlatformClient), beside a flush of
the same queue to a no-op send (what the store alone can do). Everything lives in a
temporary folder (``--dir`` picks where) that is removed at the end; servers are stopped.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This file is named like the project's `offline` package: take its folder off the path,
# so `import offline` finds the package, and reach the bench helpers as `bench.*`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench._offline_catalogue import CountingApp, NaiveScan, build_items  # noqa: E402
from bench._result import emit, figure  # noqa: E402
from bench.offline_search import percentiles  # noqa: E402

from demo_platform import (DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN, create_app,  # noqa: E402
                           start_in_thread)
from demo_platform.store import id_check_char  # noqa: E402
from kiosk.catalogue_sync import CatalogueSync  # noqa: E402
from kiosk.outbox_transport import APPLICATION, OutboxTransport  # noqa: E402
from kiosk.platform_client import ClientSettings, PlatformClient  # noqa: E402
from offline.catalogue import CatalogStore  # noqa: E402
from offline.crypto import OutboxKey  # noqa: E402
from offline.db import open_database  # noqa: E402
from offline.outbox import Outbox  # noqa: E402
from offline.outbox_sender import OutboxSender  # noqa: E402

TARGET_MS, TARGET_SIZE = 10.0, 10_000
QUERIES = ["证", "户口", "医保", "公积金提取", "居住证办理", "城乡居民医保参保登记",
           "营业执照变更", "hukou", "yibao", "hkdj", "gongjijin", "火星救援"]


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def serve(app, nagle: bool):
    """`start_in_thread(app)`, with TCP_NODELAY on its listening socket unless `nagle`.

    start_in_thread binds its own socket with proto 0, so asyncio does not set TCP_NODELAY
    on the connections it accepts; uvicorn then writes a response's headers and body in
    two segments and the second waits for the client's delayed ACK (~40 ms per request
    with a body, on Linux). ``python -m demo_platform`` (uvicorn.run, the kiosk's demo
    mode) and production servers do not have that delay. Accepted sockets inherit the
    option from the listener on Linux; the handle offers no public way to reach it."""
    handle = start_in_thread(app)
    if not nagle:
        handle._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return handle


def client_for(handle) -> PlatformClient:
    return PlatformClient(ClientSettings(base_url=handle.base_url, terminal_id=DEMO_TERMINAL_ID,
                                         token=DEMO_TERMINAL_TOKEN, read_timeout_s=30.0,
                                         catalogue_timeout_s=900.0, retries=0))


def timed_calls(fn, into: list[float]):
    """`fn` wrapped to append its duration (s) to `into`."""
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - t0)
    return wrapper


def median_ms(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples)


# --- catalogue: sync and search -----------------------------------------------------------
def run_size(n: int, folder: Path, repeat: int, sync_repeat: int, nagle: bool) -> dict:
    out: dict = {"n": n}
    t0 = time.perf_counter()
    items = build_items(n)
    counting = CountingApp(create_app(folder / f"platform-{n}.db", seed=False))
    handle = serve(counting, nagle)
    client = client_for(handle)
    try:
        handle.store.add_terminal(DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN)
        handle.store.change_catalogue(upserts=items)
        out["json_bytes"] = len(handle.app.state.snapshot()[1])  # also warms its cache
        log(f"{n:,}: platform loaded in {time.perf_counter() - t0:.1f} s "
            f"({out['json_bytes'] / 1e6:.1f} MB of JSON); full sync...")

        db_path = folder / f"catalogue-{n}.db"
        get_s: list[float] = []
        replace_s: list[float] = []
        snapshots: list = []
        client.catalogue = timed_calls(client.catalogue, get_s)

        def factory() -> CatalogStore:
            store = CatalogStore(open_database(db_path))
            inner = timed_calls(store.replace_all, replace_s)

            def replace_all(snapshot, **kwargs):
                snapshots.append(snapshot)
                return inner(snapshot, **kwargs)
            store.replace_all = replace_all
            return store

        sync = CatalogueSync(client, factory)
        t0 = time.perf_counter()
        result = sync.sync_once()
        out["full_s"] = time.perf_counter() - t0
        assert result.kind == "full" and result.services == n, result
        out["get_s"], out["replace_s"] = get_s[-1], replace_s[-1]
        out["full_wire"] = next(b for p, s, b in reversed(counting.log)
                                if p.endswith("/catalogue") and s == 200)
        log(f"{n:,}: full sync {out['full_s']:.1f} s; small syncs...")

        def no_change() -> None:
            assert sync.sync_once().kind == "not_modified"
        out["nochange_ms"] = median_ms(no_change, sync_repeat)
        out["nochange_wire"] = counting.last()[2]

        store = CatalogStore(open_database(db_path))
        try:
            etag = store.etag

            def conditional_get() -> None:
                assert client.catalogue(etag).not_modified
            out["304_ms"] = median_ms(conditional_get, sync_repeat)
            out["304_wire"] = counting.last()[2]

            def sync_304() -> None:
                conditional_get()
                store.mark_synced(time.time())
            out["304sync_ms"] = median_ms(sync_304, sync_repeat)
        finally:
            store.close()

        changed = next(item for kind, item in items if kind == "service")
        samples = []
        for k in range(max(1, min(5, sync_repeat))):
            handle.store.change_catalogue(
                upserts=[("service", dict(changed, summary=f"{changed['summary']}（第{k}次更新）"))])
            t0 = time.perf_counter()
            assert sync.sync_once().kind == "changes"
            samples.append((time.perf_counter() - t0) * 1e3)
        out["change_ms"], out["change_wire"] = statistics.median(samples), counting.last()[2]
    finally:
        client.close()
        handle.stop()
    del items
    log(f"{n:,}: search...")
    out.update(run_search(db_path, snapshots[-1].services, repeat))
    return out


def time_mix(search, passes: int) -> tuple[list[float], dict[str, list[float]]]:
    every: list[float] = []
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    for _ in range(passes):
        for q in QUERIES:
            t0 = time.perf_counter()
            search(q)
            ms = (time.perf_counter() - t0) * 1e3
            every.append(ms)
            per_query[q].append(ms)
    return every, per_query


def run_search(db_path: Path, services, repeat: int) -> dict:
    store = CatalogStore(open_database(db_path))
    try:
        for q in QUERIES:  # warm the page cache and the pinyin cache
            store.search(q)
        every, per_query = time_mix(store.search, repeat)
        hits = {q: len(store.search(q)) for q in QUERIES}
    finally:
        store.close()
    t0 = time.perf_counter()
    scan = NaiveScan(services)
    build_s = time.perf_counter() - t0
    scan_passes = max(3, repeat // max(1, len(services) // 10_000))  # the scan is slow
    scan_every, scan_per_query = time_mix(scan.search, scan_passes)
    scan_hits = {q: len(scan.search(q)) for q in QUERIES}
    worst = max(QUERIES, key=lambda q: percentiles(per_query[q])[1])
    (p50, p95), (s50, s95) = percentiles(every), percentiles(scan_every)
    return {"idx_p50": p50, "idx_p95": p95, "scan_p50": s50, "scan_p95": s95,
            "scan_passes": scan_passes, "scan_build_s": build_s, "worst": worst,
            "worst_p95": percentiles(per_query[worst])[1], "hits": hits, "scan_hits": scan_hits,
            "per_query": {q: (percentiles(per_query[q])[1], percentiles(scan_per_query[q])[0])
                          for q in QUERIES}}


# --- outbox ---------------------------------------------------------------------------------
def application(rng: random.Random, service_id: str, n: int) -> dict:
    first17 = f"3101{rng.randint(10, 99)}{rng.randint(1940, 2005)}{rng.randint(1, 12):02d}" \
              f"{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    return {"service_id": service_id,
            "applicant": {"name": rng.choice(["欧阳小明", "张伟", "王秀英", "李建国"]),
                          "id_number": first17 + id_check_char(first17)},
            "answers": {"phone": f"138{rng.randint(0, 99_999_999):08d}",
                        "delivery": rng.choice(["窗口领取", "邮寄到家"]),
                        "bank_account": f"6222 0210 {rng.randint(0, 9999):04d} 5678 {n:03d}",
                        "address": "上海市金山区廊下镇中洪村3组12号（演示地址）",
                        "remark": "本人行动不便，希望邮寄到家，谢谢。"},
            "materials_provided": ["居民身份证", "户口簿"],
            "submitted_on_terminal_at": "2026-03-02T09:15:00+08:00"}


def fill(box: Outbox, payloads: list[dict]) -> list[float]:
    """Enqueue every payload (each one durable commit); returns per-item ms."""
    times = []
    for payload in payloads:
        t0 = time.perf_counter()
        box.enqueue(APPLICATION, payload, personal=True)
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def run_outbox(items: int, folder: Path, nagle: bool) -> dict:
    handle = serve(create_app(folder / "platform-outbox.db", seed=True), nagle)
    client = client_for(handle)
    try:
        service = next(s for s in handle.store.catalogue_items("service") if s["online"])
        rng = random.Random(3)
        payloads = [application(rng, service["id"], n) for n in range(items)]
        out: dict = {"items": items, "service": service["id"]}
        key = OutboxKey.generate()
        box = Outbox(folder / "outbox-http.db", key, max_items=items + 1)
        log(f"outbox: enqueue {items}...")
        times = fill(box, payloads)
        out["enq_rate"] = items / (sum(times) / 1e3)
        out["enq_p50"], out["enq_p95"] = percentiles(times)
        out["plain_bytes"] = statistics.mean(_json_size(p) for p in payloads)
        out["blob_bytes"] = box.db.execute("SELECT avg(length(payload)) FROM outbox").fetchone()[0]
        log(f"outbox: flush {items} to the demo platform over HTTP...")
        t0 = time.perf_counter()
        result = OutboxSender(box, OutboxTransport(client).send).flush()
        out["http_s"] = time.perf_counter() - t0
        assert result.sent == items and result.rejected == 0 and result.remaining == 0, result
        box.close()

        local = Outbox(folder / "outbox-local.db", key, max_items=items + 1)
        fill(local, payloads)
        log(f"outbox: flush {items} to a no-op send...")
        t0 = time.perf_counter()
        result = OutboxSender(local, lambda item: None).flush()
        out["local_s"] = time.perf_counter() - t0
        assert result.sent == items and result.remaining == 0, result
        local.close()
        return out
    finally:
        client.close()
        handle.stop()


def _json_size(payload: dict) -> int:
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())


# --- report ---------------------------------------------------------------------------------
def kb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} KB" if n >= 1e3 else f"{n:.0f} B"


def report(results: list[dict], outbox: dict | None, args) -> None:
    print(f"\nCatalogue sync from the demo platform on loopback (HTTP, gzip, TCP_NODELAY "
          f"{'off: --nagle' if args.nagle else 'on'}); small syncs: median of {args.sync_repeat}")
    print(f"{'services':>9} | {'JSON':>8} {'on wire':>8} | {'full sync':>9} {'GET+parse':>9} "
          f"{'map+rest':>8} {'replace':>8} | {'no-change':>9} {'304 GET':>8} {'304 sync':>8} "
          f"{'1 change':>8}")
    for r in results:
        rest = r["full_s"] - r["get_s"] - r["replace_s"]
        print(f"{r['n']:>9,} | {kb(r['json_bytes']):>8} {kb(r['full_wire']):>8} | "
              f"{r['full_s']:8.2f}s {r['get_s']:8.2f}s {rest:7.2f}s {r['replace_s']:7.2f}s | "
              f"{r['nochange_ms']:7.1f}ms {r['304_ms']:6.1f}ms {r['304sync_ms']:6.1f}ms "
              f"{r['change_ms']:6.1f}ms")
    if results:
        r = results[-1]
        print(f"  body bytes on the wire: no-change {kb(r['nochange_wire'])}, "
              f"304 {kb(r['304_wire'])}, one change {kb(r['change_wire'])}; "
              "full = GET+parse (server gzip, transfer, JSON) + map+rest (mapping, store "
              "open) + replace (replace_all with the index)")

    print(f"\nSearch over the synced store vs a naive Python scan of the same services "
          f"({len(QUERIES)} queries; index {args.repeat} passes); ms; ratio = scan / index")
    print(f"{'services':>9} | {'idx p50':>7} {'idx p95':>7} | {'scan p50':>8} {'scan p95':>8} "
          f"{'passes':>6} | {'p50':>6} {'p95':>6} | slowest query (idx p95)")
    for r in results:
        print(f"{r['n']:>9,} | {r['idx_p50']:7.2f} {r['idx_p95']:7.2f} | {r['scan_p50']:8.2f} "
              f"{r['scan_p95']:8.2f} {r['scan_passes']:>6} | {r['scan_p50'] / r['idx_p50']:5.0f}x "
              f"{r['scan_p95'] / r['idx_p95']:5.0f}x | {r['worst']} {r['worst_p95']:.2f}")
    if results:
        print("  per query: index p95 / scan p50 in ms at each size; hits (limit 20) of index "
              "and scan at the largest size")
        print(f"  {'query':<22}" + "".join(f"{r['n']:>17,}" for r in results) + "   hits")
        for q in QUERIES:
            cells = "".join(f"{r['per_query'][q][0]:8.2f} /{r['per_query'][q][1]:7.2f}"
                            for r in results)
            pad = 22 - sum(2 if ord(c) > 0x2e80 else 1 for c in q)  # CJK is two columns wide
            print(f"  {q}{' ' * max(1, pad)}{cells}   {results[-1]['hits'][q]}/"
                  f"{results[-1]['scan_hits'][q]}")
    at = next((r for r in results if r["n"] == TARGET_SIZE), None)
    if at is None:
        print(f"  target p95 <= {TARGET_MS:.0f} ms at {TARGET_SIZE:,}: not measured")
    else:
        verdict = "MET" if at["idx_p95"] <= TARGET_MS else "NOT MET"
        print(f"  target p95 <= {TARGET_MS:.0f} ms at {TARGET_SIZE:,}: {verdict} "
              f"({at['idx_p95']:.2f} ms)")

    if outbox:
        o, n = outbox, outbox["items"]
        print(f"\nOutbox: {n} personal applications ({o['plain_bytes']:.0f} B JSON, "
              f"{o['blob_bytes']:.0f} B stored encrypted), database in {args.dir or 'temp'}")
        print(f"  enqueue (AES-GCM, durable commit each)   {o['enq_rate']:8.0f} items/s   "
              f"p50 {o['enq_p50']:.2f} ms  p95 {o['enq_p95']:.2f} ms")
        print(f"  flush to demo platform over HTTP         {n / o['http_s']:8.0f} items/s   "
              f"{o['http_s'] / n * 1e3:.2f} ms/item (POST /applications, durable ack)")
        print(f"  flush to a no-op send (store alone)      {n / o['local_s']:8.0f} items/s   "
              f"{o['local_s'] / n * 1e3:.2f} ms/item (read, decrypt, durable ack)")

    print(f"\nmachine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()} "
          f"{platform.machine()}, {dt.date.today().isoformat()}")


def json_figures(results: list[dict], outbox: dict | None) -> list[dict]:
    figures = []
    for r in results:
        n = f"{r['n']:,} services"
        target = TARGET_MS if r["n"] == TARGET_SIZE else None
        figures += [figure(f"full catalogue sync, {n}", r["full_s"], "s"),
                    figure(f"no-change sync, {n}", r["nochange_ms"], "ms"),
                    figure(f"304 sync, {n}", r["304sync_ms"], "ms"),
                    figure(f"one-change sync, {n}", r["change_ms"], "ms"),
                    figure(f"search index p50, {n}", r["idx_p50"], "ms"),
                    figure(f"search index p95, {n}", r["idx_p95"], "ms", target),
                    figure(f"naive scan / index p95, {n}", r["scan_p95"] / r["idx_p95"], "x")]
    if not any(r["n"] == TARGET_SIZE for r in results):
        figures.append({"name": f"search index p95, {TARGET_SIZE:,} services", "value": None,
                        "unit": "ms", "target": TARGET_MS, "op": "<=",
                        "note": "not measured (size not run)"})
    if outbox:
        n = outbox["items"]
        figures += [figure("outbox enqueue, personal, durable", outbox["enq_rate"], "items/s"),
                    figure("outbox flush to demo platform over HTTP", n / outbox["http_s"],
                           "items/s"),
                    figure("outbox flush to a no-op send", n / outbox["local_s"], "items/s")]
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000",
                   help="comma-separated service counts (default 1000,10000,100000)")
    p.add_argument("--repeat", type=int, default=20, help="passes over the query mix (index)")
    p.add_argument("--sync-repeat", type=int, default=20, help="runs of each small sync")
    p.add_argument("--outbox-items", type=int, default=2000, help="0 skips the outbox part")
    p.add_argument("--dir", type=Path, default=None, help="where the temporary folder goes")
    p.add_argument("--nagle", action="store_true",
                   help="leave start_in_thread's sockets without TCP_NODELAY (~40 ms per "
                        "request with a body; see serve())")
    p.add_argument("--check", action="store_true",
                   help=f"exit 1 when the search p95 at {TARGET_SIZE:,} is above {TARGET_MS} ms")
    p.add_argument("--json", action="store_true",
                   help="end with one BENCH_RESULT line of JSON (for bench/all.py)")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or min(sizes) < 1 or args.repeat < 1 or args.sync_repeat < 1:
        p.error("sizes, --repeat and --sync-repeat must be positive")
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-offline-", dir=args.dir) as tmp:
        for n in sizes:
            results.append(run_size(n, Path(tmp), args.repeat, args.sync_repeat, args.nagle))
        outbox = (run_outbox(args.outbox_items, Path(tmp), args.nagle)
                  if args.outbox_items > 0 else None)
    report(results, outbox, args)
    print(f"total run {time.perf_counter() - started:.0f} s; "
          f"--check exits 1 when the search p95 at {TARGET_SIZE:,} is above {TARGET_MS:.0f} ms")
    if args.json:
        emit(json_figures(results, outbox))
    if args.check:
        at = next((r for r in results if r["n"] == TARGET_SIZE), None)
        if at is None:
            print(f"--check: {TARGET_SIZE:,} services not measured", file=sys.stderr)
            return 2
        return 1 if at["idx_p95"] > TARGET_MS else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
