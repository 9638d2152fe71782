"""The composition root as a technician and the demo meet it: real subprocesses."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def kiosk_environment(tmp_path: Path, **env: str) -> dict[str, str]:
    """Offscreen, logs and state under tmp_path, and a demo platform on a free port of
    its own (never one a demo already running on this machine holds)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environ.update(KIOSK_LOG_DIR=str(tmp_path / "log"), KIOSK_STATE_DIR=str(tmp_path / "state"),
                   KIOSK_PLATFORM_URL=f"http://127.0.0.1:{port}")
    environ.update(env)
    return environ


def run_kiosk(args: list[str], tmp_path: Path, timeout: float = 120, **env: str):
    return subprocess.run([sys.executable, str(ROOT / "run_kiosk.py"), *args], cwd=tmp_path,
                          env=kiosk_environment(tmp_path, **env), capture_output=True,
                          text=True, timeout=timeout)


def test_misspelt_key_and_bad_value_stop_the_kiosk_naming_both(tmp_path):
    bad = tmp_path / "terminal.toml"
    bad.write_text('[session]\nidel_timeout_s = 60\n[display]\nprofile = "fullscreen"\n',
                   encoding="utf-8")
    result = run_kiosk(["--demo", "--config", str(bad)], tmp_path)
    assert result.returncode == 2
    assert "session.idel_timeout_s" in result.stderr
    assert "did you mean 'session.idle_timeout_s'" in result.stderr
    assert "display.profile" in result.stderr and "'fullscreen'" in result.stderr
    assert "'kiosk', 'developer'" in result.stderr
    assert not (tmp_path / "state").exists()  # refused before anything started


def test_terminal_without_its_own_settings_is_refused(tmp_path):
    result = run_kiosk(["--check-config"], tmp_path)
    assert result.returncode == 2
    for key in ("terminal.id", "terminal.support_contact", "maintenance.pin_hash"):
        assert key in result.stderr


def test_bad_environment_override_names_the_variable(tmp_path):
    result = run_kiosk(["--demo", "--check-config"], tmp_path, KIOSK_LOG_LEVEL="LOUD")
    assert result.returncode == 2
    assert "KIOSK_LOG_LEVEL" in result.stderr and "log.level" in result.stderr


def test_demo_configuration_checks_out(tmp_path):
    result = run_kiosk(["--demo", "--check-config"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "configuration ok" in result.stdout


def test_version_is_printed(tmp_path):
    result = run_kiosk(["--version"], tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("kiosk ")


def test_unwritable_log_folder_stops_with_exit_3(tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    result = run_kiosk(["--demo"], tmp_path, KIOSK_LOG_DIR=str(blocker / "log"))
    assert result.returncode == 3
    assert "cannot start" in result.stderr


def test_headless_demo_tours_every_screen_and_writes_screenshots(tmp_path):
    shots = tmp_path / "shots"
    result = run_kiosk(["--demo", "--screenshot-dir", str(shots)], tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    names = sorted(p.name for p in shots.glob("*.png"))
    assert names[0] == "01_home_standard_zh.png" and len(names) == 10
    assert str(shots.resolve()) in result.stdout
    standard = (shots / "01_home_standard_zh.png").read_bytes()
    elderly = (shots / "02_home_elderly_zh.png").read_bytes()
    assert standard[:8] == b"\x89PNG\r\n\x1a\n" and standard != elderly
    width, height = int.from_bytes(standard[16:20], "big"), int.from_bytes(standard[20:24], "big")
    assert (width, height) == (1920, 1080)
    log_text = (tmp_path / "log" / "technician.log").read_text(encoding="utf-8")
    assert "demo tour done: 10 screenshots" in log_text


def test_version_matches_the_package_metadata():
    import tomllib

    import run_kiosk

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert run_kiosk.__version__ == project["version"]


def test_sigterm_stops_the_running_kiosk_cleanly_with_its_demo_platform(tmp_path):
    """`systemctl stop` sends SIGTERM: the kiosk must end (a close request it refuses)."""
    process = subprocess.Popen([sys.executable, str(ROOT / "run_kiosk.py"), "--demo", "--no-tour"],
                               cwd=tmp_path, env=kiosk_environment(tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log_file = tmp_path / "log" / "technician.log"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log_file.exists() and "kiosk started" in log_file.read_text(encoding="utf-8"):
                break
            assert process.poll() is None, process.stderr.read()[-2000:]
            time.sleep(0.2)
        else:
            raise AssertionError("the kiosk did not start within 60 s")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = log_file.read_text(encoding="utf-8")
    assert "SIGTERM received: stopping the kiosk" in text
    assert text.count("kiosk stopped") == 1
    child = int(re.search(r"demo platform starting at \S+ \(pid (\d+)", text).group(1))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.1)
    assert not _alive(child), "the demo platform outlived the kiosk"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_gallery_shoots_the_chosen_flows_in_both_modes_with_every_character_drawable(tmp_path):
    folder = tmp_path / "gallery"
    result = run_kiosk(["--demo", "--gallery", str(folder), "--gallery-flows",
                        "benefits,id_photo,rating"], tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    names = sorted(p.stem for p in folder.glob("*.png"))
    for flow in ("benefits", "id_photo", "rating"):
        for mode in ("standard", "elderly"):
            shots = [n for n in names if f"_{flow}_{mode}_" in n]
            assert len(shots) >= 2, (flow, mode, names)
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert all(f"{n}.png" in index for n in names)
    log_text = (tmp_path / "log" / "technician.log").read_text(encoding="utf-8")
    assert "0 screen(s) skipped, 0 with missing glyphs" in log_text


def test_gallery_refuses_an_unknown_flow_name(tmp_path):
    result = run_kiosk(["--demo", "--gallery", str(tmp_path / "g"), "--gallery-flows", "nope"],
                       tmp_path, timeout=120)
    assert result.returncode == 1
    assert "never started" in result.stderr


def test_audit_measures_every_screen_of_the_chosen_flows_and_passes(tmp_path):
    folder = tmp_path / "audit"
    result = run_kiosk(["--demo", "--audit", str(folder), "--gallery-flows", "rating,help"],
                       tmp_path, timeout=300)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-2000:])
    report = (folder / "audit.txt").read_text(encoding="utf-8")
    shots = list(folder.glob("*.png"))
    assert f"{len(shots)} screen(s), 0 violation(s)" in report and len(shots) >= 8
    assert "elderly" in report and "standard" in report
    # the home screen and its "more services" pages, in both modes, at 1920 x 1080
    assert "home_elderly_02" in report and "home_standard_01" in report
