"""The demonstration platform stands in for the district's: it shares no code with the kiosk."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KIOSK_PACKAGES = ("kivy", "kiosk", "screens", "hardware", "offline", "config", "common", "run_kiosk")


def test_demo_platform_imports_nothing_from_the_kiosk():
    modules = sorted((ROOT / "demo_platform").rglob("*.py"))
    assert modules
    bad = []
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bad += [f"{path.name}: {n}" for n in names if n.split(".")[0] in KIOSK_PACKAGES]
    assert bad == []
