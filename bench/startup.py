"""Cold start to the first drawn frame: the kiosk's home screen beside a bare Kivy window.

    .venv/bin/python bench/startup.py [--runs N] [--check] [--json]

Issue acceptance: cold start to the home frame is at most 1.5x a bare Kivy window's.
This is a benchmark, not a test: it prints figures and the ratio and exits 0; with
``--check`` it exits 1 when the median ratio is above 1.5x.

Each run is a fresh interpreter (cold start), rendering offscreen (SDL_VIDEODRIVER=offscreen,
no DISPLAY) at 1920x1080:

* bare: ``bench/_startup_bare.py``, the kiosk's Kivy environment and an App whose root is
  one ``Label(text='hello')``;
* kiosk: ``bench/_startup_kiosk.py``, the real ``run_kiosk.main(["--demo", "--no-tour"])`` with its log
  and state folders in a temporary directory (KIOSK_LOG_DIR, KIOSK_STATE_DIR).

The time is taken here, in the parent, from just before spawning the child until its marker
line is read from the child's stdout, so interpreter start-up and imports count for both.
Children print their own perf_counter stamps (CLOCK_MONOTONIC on Linux, shared with the
parent), shown as a phase breakdown. Runs of the two alternate; one unmeasured warm-up run
of each comes first (it writes Kivy's config.ini and the bytecode cache, as a terminal's
first start would). Bytecode goes to a temporary PYTHONPYCACHEPREFIX, so nothing is written
into the project. Works from any working directory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _first_frame import MARKER  # noqa: E402
from _result import emit, figure  # noqa: E402

TARGET = 1.5
WIDTH, HEIGHT = 1920, 1080
TIMEOUT_S = 120.0


class ChildFailed(RuntimeError):
    pass


def child_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONDONTWRITEBYTECODE")}
    env["SDL_VIDEODRIVER"] = "offscreen"
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def run_child(argv: list[str], env: dict[str, str], cwd: Path, err_path: Path) -> dict:
    """Spawn one child; return {'total': s, phase: s from spawn, ...}. Raises ChildFailed."""
    with open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, stderr=err,
                                env=env, cwd=cwd, text=True)
        try:
            for line in proc.stdout:  # the child exits right after the marker
                if line.startswith(MARKER):
                    total = time.perf_counter() - t0
                    break
            else:
                raise ChildFailed(f"no marker line (exit code {proc.wait()})")
            proc.wait(timeout=TIMEOUT_S)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
    stamps = json.loads(line[len(MARKER):])
    phases = {name: stamp - t0 for name, stamp in stamps.items()}
    if not all(0.0 <= s <= total for s in phases.values()):
        phases = {}  # clocks not shared with the child on this platform: no breakdown
    return {"total": total, **phases}


def summary(samples: list[dict]) -> tuple[float, float, float]:
    totals = [s["total"] for s in samples]
    return statistics.median(totals), min(totals), max(totals)


def phase_medians(samples: list[dict], names: tuple[str, ...]) -> list[str]:
    cells = []
    for name in names:
        values = [s[name] for s in samples if name in s]
        cells.append(f"{statistics.median(values):8.3f}" if len(values) == len(samples)
                     else f"{'-':>8}")
    return cells


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7, help="measured runs of each (default 7)")
    p.add_argument("--check", action="store_true",
                   help=f"exit 1 when the median ratio is above {TARGET}x")
    p.add_argument("--json", action="store_true",
                   help="end with one BENCH_RESULT line of JSON (for bench/all.py)")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")

    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    env = child_env(tmp)
    kiosk_env = dict(env, KIOSK_LOG_DIR=str(tmp / "kiosk" / "log"),
                     KIOSK_STATE_DIR=str(tmp / "kiosk" / "state"))
    variants = {
        "bare": ([str(HERE / "_startup_bare.py"), str(tmp / "bare"), str(WIDTH), str(HEIGHT)],
                 env),
        "kiosk": ([str(HERE / "_startup_kiosk.py")], kiosk_env),
    }
    results: dict[str, list[dict]] = {name: [] for name in variants}
    try:
        for i in range(args.runs + 1):  # run 0 is the warm-up
            for name, (child_argv, child_env_) in variants.items():
                err_path = tmp / f"{name}.stderr"
                try:
                    sample = run_child(child_argv, child_env_, tmp, err_path)
                except (ChildFailed, subprocess.TimeoutExpired) as exc:
                    tail = err_path.read_text(errors="replace")[-3000:]
                    print(f"{name} run {i} failed: {exc}\n--- its stderr (tail) ---\n{tail}",
                          file=sys.stderr)
                    return 2
                if i > 0:
                    results[name].append(sample)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    bare, kiosk = summary(results["bare"]), summary(results["kiosk"])
    ratio = kiosk[0] / bare[0]
    try:
        kivy_version = version("kivy")
    except PackageNotFoundError:
        kivy_version = "?"

    print(f"cold start to first drawn frame ({args.runs} runs + 1 warm-up each, "
          f"offscreen {WIDTH}x{HEIGHT})")
    print(f"{'':22}{'median':>8}{'min':>8}{'max':>8}")
    for label, (med, lo, hi) in (("bare Kivy window", bare), ("kiosk home frame", kiosk)):
        print(f"{label:22}{med:7.3f}s{lo:8.3f}{hi:8.3f}")
    verdict = "within target" if ratio <= TARGET else "ABOVE TARGET"
    print(f"{'ratio (median)':22}{ratio:7.2f}x   (target <= {TARGET}x: {verdict})")
    print()
    print("phases, median seconds after spawn   script  main()  on_start  frame")
    for label, name, names in (("bare Kivy window", "bare", ("script", "", "on_start", "frame")),
                               ("kiosk home frame", "kiosk",
                                ("script", "main", "on_start", "frame"))):
        print(f"{label:36}" + "".join(phase_medians(results[name], names)))
    print("  script: interpreter up, child script starts; main(): run_kiosk imported, "
          "main() called;")
    print("  on_start: window created, root built; frame: first frame swapped and finished")
    print()
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"Kivy {kivy_version}, {platform.system()} {platform.release()} "
          f"{platform.machine()}")
    print(f"bytecode cached (PYTHONPYCACHEPREFIX in a temp dir); "
          f"--check exits 1 above {TARGET}x")
    if args.json:
        emit([figure("bare Kivy window, cold start to first frame (median)", bare[0], "s"),
              figure("kiosk home frame, cold start to first frame (median)", kiosk[0], "s"),
              figure("kiosk / bare cold start ratio", ratio, "x", TARGET)])
    if args.check and ratio > TARGET:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
