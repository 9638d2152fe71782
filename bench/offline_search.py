"""Catalogue search benchmark: our n-gram/pinyin index against a plain Python scan.

    .venv/bin/python bench/offline_search.py                 # 1,000 / 10,000 / 100,000
    .venv/bin/python bench/offline_search.py --sizes 1000,10000 --repeat 20 [--json]

For each size it generates services from realistic Chinese service-name parts, loads them
with `CatalogStore.replace_all` into a file database (WAL, synchronous=FULL) in a temporary
folder, then times a fixed mix of Chinese, pinyin, pinyin-prefix and initials queries
through `CatalogStore.search` and through a plain scan of the same data held in Python
lists (substring on names and summaries, prefix/substring on pinyin and initials, same
ranking). Prints p50/p95 in milliseconds and the scan/index ratio. Writes only the
temporary folder; not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from offline.catalogue import CatalogSnapshot, CatalogStore, Category, Service  # noqa: E402
from offline.db import open_database  # noqa: E402
from offline.pinyin_names import initials, syllables  # noqa: E402
from offline.search_index import normalise  # noqa: E402

WHO = ["", "", "", "城乡居民", "灵活就业人员", "企业职工", "残疾人", "老年人", "新生儿", "退役军人",
       "农村", "个体工商户", "长宁区", "重庆市", "困难群众", "外来务工人员", "未成年人", "高龄老人"]
WHAT = ["户口", "医保", "社保卡", "居住证", "公积金", "养老保险", "营业执照", "不动产登记证明",
        "驾驶证", "结婚证", "最低生活保障", "高龄津贴", "残疾人证", "出生医学证明", "身份证",
        "失业保险金", "工伤保险", "生育津贴", "宅基地", "农机购置补贴", "医疗救助", "临时救助",
        "护照", "机动车", "住房公积金", "个人所得税", "电费", "水费", "学籍", "独生子女证"]
HOW = ["登记", "迁移", "补办", "提取", "变更", "注销", "申请", "查询", "报销", "备案", "办理",
       "开具", "续保", "参保登记", "转移接续", "挂失", "年审", "认定", "发放", "缴费"]
WHERE = ["村便民服务站", "镇政务服务中心", "区行政服务中心", "街道社区服务中心", "银行网点"]
QUERIES = ["户口", "医保", "证", "hkdj", "hukou", "hu kou", "huk", "yb", "sbk", "公积金提取",
           "居住证办理", "gongjijin", "残疾人", "营业执照变更", "changning", "火星", "登记", "zfgjj"]


def generate(n: int, seed: int = 1) -> CatalogSnapshot:
    rng = random.Random(seed)
    categories = tuple(Category(f"c{i}", f"类别{i}", i) for i in range(20))
    services = []
    for i in range(n):
        who, what, how = rng.choice(WHO), rng.choice(WHAT), rng.choice(HOW)
        name = f"{who}{what}{how}"
        summary = f"为{who or '群众'}提供{what}{how}服务，可在{rng.choice(WHERE)}办理"
        services.append(Service(f"s{i:06d}", f"c{i % 20}", name, summary,
                                online=bool(i % 3), cross_province=not i % 7))
    return CatalogSnapshot(f"bench-{n}", categories, tuple(services))


class PlainScan:
    """The obvious implementation: loop over every service for every query."""

    def __init__(self, snapshot: CatalogSnapshot) -> None:
        self.rows = []
        for s in snapshot.services:
            name = normalise(s.name)
            sylls = syllables(name)
            self.rows.append((s.id, name, normalise(s.summary), "".join(sylls), initials(name),
                              ["".join(sylls[i:]) for i in range(len(sylls))]))

    def search(self, query: str, limit: int = 20) -> list[str]:
        q = normalise(query)
        if not q:
            return []
        found = []
        for sid, name, summary, py, ini, py_suffixes in self.rows:
            tier = None
            if name == q or (q.isascii() and q in (py, ini)):
                tier = 0
            elif name.startswith(q) or (q.isascii() and (py.startswith(q) or ini.startswith(q))):
                tier = 1
            elif q in name or (q.isascii() and (
                    q in ini or any(x.startswith(q) for x in py_suffixes))):
                tier = 2
            elif q in summary:
                tier = 4
            if tier is not None:
                found.append((tier, len(name), sid))
        found.sort()
        return [sid for _, _, sid in found[:limit]]


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return statistics.median(samples), p95


def time_queries(search, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        for q in QUERIES:
            t0 = time.perf_counter()
            search(q)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def run(size: int, repeat: int, folder: Path) -> dict:
    snapshot = generate(size)
    store = CatalogStore(open_database(folder / f"catalogue-{size}.db"))
    t0 = time.perf_counter()
    store.replace_all(snapshot)
    load_s = time.perf_counter() - t0
    for q in QUERIES:  # warm the page cache and the pinyin cache
        store.search(q)
    index_p50, index_p95 = percentiles(time_queries(store.search, repeat))
    scan = PlainScan(snapshot)
    scan_repeat = max(1, repeat // max(1, size // 10_000))  # the scan is slow at 100,000
    scan_p50, scan_p95 = percentiles(time_queries(scan.search, scan_repeat))
    print(f"{size:>8,} | {index_p50:8.2f} {index_p95:8.2f} | {scan_p50:9.2f} {scan_p95:9.2f} | "
          f"{scan_p50 / index_p50:6.0f}x {scan_p95 / index_p95:6.0f}x | {load_s:8.2f}", flush=True)
    return {"size": size, "idx_p50": index_p50, "idx_p95": index_p95, "scan_p50": scan_p50,
            "scan_p95": scan_p95, "load_s": load_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated service counts (default 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, default=10, help="passes over the query mix")
    parser.add_argument("--json", action="store_true",
                        help="end with one BENCH_RESULT line of JSON (for bench/all.py)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"{len(QUERIES)} queries x {args.repeat} passes; times in ms; "
          "ratio = plain scan / index")
    print(f"{'services':>8} | {'idx p50':>8} {'idx p95':>8} | {'scan p50':>9} {'scan p95':>9} | "
          f"{'p50':>7} {'p95':>7} | {'replace_all s':>8}")
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
        rows = [run(size, args.repeat, Path(folder)) for size in sizes]
    if args.json:
        from _result import emit, figure  # bench/ is on the path: this script's folder

        figures = []
        for r in rows:
            n = f"{r['size']:,} services"
            figures += [figure(f"search index p50, {n}", r["idx_p50"], "ms"),
                        figure(f"search index p95, {n}", r["idx_p95"], "ms"),
                        figure(f"plain scan p95, {n}", r["scan_p95"], "ms"),
                        figure(f"scan / index p95, {n}", r["scan_p95"] / r["idx_p95"], "x"),
                        figure(f"replace_all (load with index), {n}", r["load_s"], "s")]
        emit(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
