"""Every benchmark of the project in turn, one table, and BENCHMARKS.md.

    .venv/bin/python bench/all.py [--quick] [--out BENCHMARKS.md] [--timeout S]

Runs each bench script (every ``bench/*.py`` not starting with ``_``, this one aside) in its
own process with ``--json``, one after the other, with a per-bench timeout (its whole process
group is killed when it runs over), so a crash or a hang shows as such and the rest still
run. Their output for people is passed through as they print it; their last line,
``BENCH_RESULT {...}`` (bench/_result.py), gives the figures and targets. Then it prints one
table (figure, target, ratio figure/target, pass/FAIL; "-" where no issue set a target) and
writes the Markdown file with the machine (CPU model and cores, RAM, Debian, Python, Kivy,
load average before the run), the date, the git commit, and the same table.

``--quick`` uses each bench's smallest settings (the test suite runs this; its figures mean
little). Exits 0 when every bench ran and gave its result, 1 otherwise; a missed target does
not change the exit code (this is a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _result import PREFIX  # noqa: E402

# name: (arguments for the full run, arguments for --quick). The full run uses each
# script's own defaults. A bench script not listed here still runs, with its defaults.
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "startup": ([], ["--runs", "1"]),
    "devices": ([], ["--reads", "2", "--repeats", "2"]),
    "offline": ([], ["--sizes", "200", "--repeat", "2", "--sync-repeat", "2",
                     "--outbox-items", "10"]),
    "offline_outbox": ([], ["--items", "20"]),
    "offline_search": ([], ["--sizes", "1000", "--repeat", "2"]),
}
FULL_TIMEOUT_S, QUICK_TIMEOUT_S = 1800.0, 180.0


def bench_names() -> list[str]:
    found = sorted(p.stem for p in HERE.glob("*.py")
                   if not p.name.startswith("_") and p.name != "all.py")
    return [n for n in BENCHES if n in found] + [n for n in found if n not in BENCHES]


# --- the machine ----------------------------------------------------------------------------
def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict[str, str]:
    cpuinfo = _read("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
              if line.startswith("model name")]
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal:")), 0)
    pretty = next((line.split("=", 1)[1].strip().strip('"')
                   for line in _read("/etc/os-release").splitlines()
                   if line.startswith("PRETTY_NAME=")), "")
    debian = _read("/etc/debian_version").strip()
    try:
        kivy = version("kivy")
    except PackageNotFoundError:
        kivy = "not installed"
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return {
        "CPU": f"{models[0] if models else platform.processor() or '?'}, "
               f"{len(models) or os.cpu_count()} cores (os.cpu_count {os.cpu_count()})",
        "RAM": f"{mem_kb / 1024 / 1024:.1f} GiB" if mem_kb else "?",
        "OS": f"{pretty or platform.system()}"
              + (f" (debian_version {debian})" if debian else "")
              + f", kernel {platform.release()} {platform.machine()}",
        "Python": platform.python_version(),
        "Kivy": kivy,
        "Load average before the run (1/5/15 min)": load,
    }


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=30).stdout.strip()
    try:
        commit = git("rev-parse", "HEAD") or "?"
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "? (git not available)"
    return commit + (" (working tree has uncommitted changes)" if dirty else "")


# --- running one bench ----------------------------------------------------------------------
def run_bench(name: str, args: list[str], timeout: float) -> dict:
    argv = [sys.executable, str(HERE / f"{name}.py"), *args, "--json"]
    print(f"\n=== {name}: {' '.join(['bench/' + name + '.py', *args])}", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, errors="replace", start_new_session=True)
    result: dict = {}
    err_tail: list[str] = []

    def pump_out() -> None:
        for line in proc.stdout:
            if line.startswith(PREFIX):
                try:
                    result.update(json.loads(line[len(PREFIX):]))
                except ValueError:
                    result["bad_json"] = True
            else:
                sys.stdout.write(line)
                sys.stdout.flush()

    def pump_err() -> None:
        for line in proc.stderr:
            sys.stderr.write(line)
            sys.stderr.flush()
            err_tail.append(line.rstrip("\n"))
            del err_tail[:-20]

    threads = [threading.Thread(target=pump_out, daemon=True),
               threading.Thread(target=pump_err, daemon=True)]
    for t in threads:
        t.start()
    status = "ok"
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        rc = proc.wait()
        status = f"timed out after {timeout:g} s"
    for t in threads:
        t.join(timeout=10)
    seconds = time.perf_counter() - started
    if status == "ok":
        if rc != 0:
            status = f"failed (exit code {rc})"
        elif "figures" not in result:
            status = "failed (no BENCH_RESULT line)"
    print(f"=== {name}: {status}, {seconds:.1f} s", flush=True)
    return {"name": name, "command": " ".join(["bench/" + name + ".py", *args]),
            "status": status, "seconds": seconds, "figures": result.get("figures", []),
            "stderr_tail": err_tail if status != "ok" else []}


# --- the table ------------------------------------------------------------------------------
def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    a = abs(value)
    return (f"{value:.0f}" if a >= 1000 else f"{value:.1f}" if a >= 100
            else f"{value:.2f}" if a >= 1 else f"{value:.3f}")


def rows(runs: list[dict]) -> list[list[str]]:
    out = []
    for run in runs:
        if run["status"] != "ok":
            out.append([run["name"], "(the bench itself)", run["status"].upper(), "-", "-",
                        "not measured"])
            continue
        for f in run["figures"]:
            value, target = f.get("value"), f.get("target")
            cells = [run["name"], f["name"], f"{fmt(value)} {f['unit']}" if value is not None
                     else "-"]
            if target is None:
                cells += ["-", "-", "no target"]
            elif value is None:
                cells += [f"{f['op']} {fmt(target)} {f['unit']}", "-",
                          f.get("note", "not measured")]
            else:
                ratio = value / target if target else float("inf")
                ok = value <= target if f["op"] == "<=" else value >= target
                cells += [f"{f['op']} {fmt(target)} {f['unit']}", f"{ratio:.2f}",
                          "pass" if ok else "FAIL"]
            out.append(cells)
    return out


HEADER = ["bench", "figure", "value", "target", "ratio", "verdict"]


def text_table(table: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *table]) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(HEADER, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    return "\n".join(lines)


def markdown(info: dict[str, str], when: str, commit: str, quick: bool, runs: list[dict],
             table: list[list[str]]) -> str:
    md = ["# Benchmarks", "",
          "Written by `.venv/bin/python bench/all.py"
          + (" --quick" if quick else "") + "`; do not edit by hand, run it again. "
          "Ratio = value / target; a figure without a target is reported, not judged.",
          ""]
    if quick:
        md += ["**Quick run (`--quick`): smallest settings, figures not representative.**", ""]
    md += [f"- Date: {when}", f"- Git commit: {commit}"]
    md += [f"- {k}: {v}" for k, v in info.items()]
    md += ["", "## Results", "",
           "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    md += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in table]
    md += ["", "## Runs", "", "| bench | command | status | wall time |", "|---|---|---|---|"]
    md += [f"| {r['name']} | `{r['command']}` | {r['status']} | {r['seconds']:.0f} s |"
           for r in runs]
    for r in runs:
        if r["stderr_tail"]:
            md += ["", f"### {r['name']}: {r['status']}, end of its stderr", "", "```",
                   *r["stderr_tail"], "```"]
    return "\n".join(md) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smallest settings (for the tests)")
    p.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md",
                   help="Markdown file to write (default BENCHMARKS.md at the project root)")
    p.add_argument("--timeout", type=float, default=None,
                   help=f"seconds per bench (default {FULL_TIMEOUT_S:.0f}, "
                        f"{QUICK_TIMEOUT_S:.0f} with --quick)")
    p.add_argument("--only", default="", help="comma-separated bench names (default: all)")
    args = p.parse_args(argv)
    timeout = args.timeout or (QUICK_TIMEOUT_S if args.quick else FULL_TIMEOUT_S)
    names = bench_names()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            p.error(f"unknown bench: {', '.join(unknown)} (known: {', '.join(names)})")
        names = [n for n in names if n in wanted]

    info = machine()
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    commit = git_commit()
    runs = []
    for name in names:
        full, quick = BENCHES.get(name, ([], []))
        runs.append(run_bench(name, quick if args.quick else full, timeout))

    table = rows(runs)
    print(f"\nAll benchmarks ({'quick' if args.quick else 'full'} run), {when}, "
          f"commit {commit}")
    for k, v in info.items():
        print(f"  {k}: {v}")
    print()
    print(text_table(table))
    args.out.write_text(markdown(info, when, commit, args.quick, runs, table), encoding="utf-8")
    print(f"\nwritten: {args.out}")
    return 0 if all(r["status"] == "ok" for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
