"""The machine-readable result a bench prints last with ``--json`` (read by bench/all.py).

One line, ``BENCH_RESULT {"figures": [...]}``, after everything printed for people. Each
figure: name, value, unit, and a target (``target`` with ``op`` "<=" or ">=") only where an
issue set one; a figure without a target is reported, not judged.
"""

from __future__ import annotations

import json

PREFIX = "BENCH_RESULT "


def figure(name: str, value: float, unit: str, target: float | None = None,
           op: str = "<=") -> dict:
    out = {"name": name, "value": round(float(value), 4), "unit": unit}
    if target is not None:
        out.update(target=target, op=op)
    return out


def emit(figures: list[dict]) -> None:
    print(PREFIX + json.dumps({"figures": figures}, ensure_ascii=False), flush=True)
