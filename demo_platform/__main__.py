"""``python -m demo_platform --host 127.0.0.1 --port 8765 --db PATH [--seed] [--faults]``"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import sys
from pathlib import Path

import uvicorn

from .app import create_app
from .fleet import DEMO_STAFF_TOKEN
from .store import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN


def _die_with(parent_pid: int) -> None:
    """Linux: have the kernel send SIGTERM when our parent dies (PR_SET_PDEATHSIG), then
    check the parent did not die before that was set. Elsewhere: nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG, <linux/prctl.h>
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:
        sys.exit(0)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m demo_platform",
                                description="Demonstration platform for the village kiosk.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--db", required=True, help="SQLite database file (created if missing)")
    p.add_argument("--seed", action="store_true",
                   help="seed an empty database with the demo catalogue, terminal and residents")
    p.add_argument("--faults", action="store_true",
                   help="enable GET/POST/DELETE /__faults to switch faults on at run time")
    p.add_argument("--log-level", default="info")
    p.add_argument("--parent-pid", type=int, default=None,
                   help="end when this process (the demo kiosk that started us) dies")
    args = p.parse_args(argv)
    if args.parent_pid is not None:
        _die_with(args.parent_pid)

    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    app = create_app(db, faults_enabled=args.faults, seed=args.seed)
    store = app.state.store
    if store.meta("catalogue_version") is None:
        print("demo_platform: the database is empty; start once with --seed", file=sys.stderr)
    print(f"demo_platform: http://{args.host}:{args.port}/api/v1  db={db}  "
          f"catalogue v{store.catalogue_version}  terminal {DEMO_TERMINAL_ID} "
          f"token {DEMO_TERMINAL_TOKEN} (demo only)" + ("  faults enabled" if args.faults else ""),
          file=sys.stderr)
    print(f"demo_platform: fleet page http://{args.host}:{args.port}/fleet  staff token "
          f"{DEMO_STAFF_TOKEN} (demo only)", file=sys.stderr)
    try:
        uvicorn.run(app, host=args.host, port=args.port, http="h11", ws="none", lifespan="off",
                    log_level=args.log_level, timeout_graceful_shutdown=2)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
