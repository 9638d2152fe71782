"""The layers keep to their places: checked on the import statements of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in modules_of(package):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    return bad


@pytest.mark.parametrize("package", ["hardware", "offline"])
def test_hardware_and_offline_never_import_kivy_screens_or_the_core(package):
    assert modules_of(package), f"{package}/ has no modules to check"
    assert offending(package, ("kivy", "screens", "kiosk")) == []


def test_offline_never_imports_hardware():
    assert offending("offline", ("hardware",)) == []


def test_hardware_never_imports_offline():
    assert offending("hardware", ("offline",)) == []


def test_core_and_config_never_import_kivy_or_screens():
    assert offending("kiosk", ("kivy", "screens")) == []
    assert offending("config", ("kivy", "screens", "kiosk", "hardware", "offline")) == []
    assert offending("common", ("kivy", "screens", "kiosk", "hardware", "offline", "config")) == []


def test_screens_never_reach_device_drivers_or_the_store():
    assert offending("screens", ("hardware", "offline", "serial", "escpos", "cv2",
                                 "sqlite3", "sqlite_utils", "requests")) == []


def test_the_checker_sees_a_forbidden_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from kivy.uix.label import Label\nimport screens.app\n", encoding="utf-8")
    assert {"kivy.uix.label", "screens.app"} <= imported_modules(probe)


def test_no_top_level_package_shadows_the_standard_library():
    import sys

    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages and not packages & set(sys.stdlib_module_names)


def test_the_demo_platform_stands_alone_like_a_district_server():
    # It plays the district's server: it may share the error-free `common` helpers
    # no more than a real server would, so it imports nothing of the kiosk at all.
    assert offending("demo_platform", ("kivy", "screens", "kiosk", "hardware", "offline",
                                       "config", "common")) == []


def test_the_kiosk_never_imports_the_demo_platform():
    for package in ("kiosk", "screens", "hardware", "offline", "config", "common"):
        assert offending(package, ("demo_platform",)) == [], package


def test_the_resident_flows_load_without_the_outbox_and_http_stacks():
    """Start-up builds every flow before the first frame; the outbox (sqlite-utils) and HTTP
    (requests) stacks load later, after the first frame (bench/startup.py's target)."""
    import subprocess
    import sys

    code = ("import sys, kiosk.flows.registry; "
            "print(sorted(m for m in ('requests', 'sqlite_utils', 'offline.outbox') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
