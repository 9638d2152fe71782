"""Deployment files (deploy/, scripts/install-terminal.sh): checked by the tools that will
read them, and the session scripts run for real (stub tools, then a real X server).

Nothing here changes the machine: the installer runs only with --dry-run against a
temporary root, systemd-analyze only against a temporary root.
"""

from __future__ import annotations

import grp
import os
import re
import shutil
import signal
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from tests.test_cli import kiosk_environment

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
INSTALLER = ROOT / "scripts" / "install-terminal.sh"
APP_DIR = "/opt/village-kiosk"
UNITS = ("village-kiosk.service", "village-kiosk-x.service")
SYSTEM_UNITS = Path("/usr/lib/systemd/system")


def unit_settings(name: str) -> dict[str, list[str]]:
    """``{"Section.Key": [values...]}`` of a unit file (keys may repeat)."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return settings


def verify_root(tmp_path: Path) -> Path:
    """A file-system root holding systemd's own units, ours, and our ExecStart scripts."""
    root = tmp_path / "root"
    shutil.copytree(SYSTEM_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(DEPLOY / unit, root / "etc/systemd/system" / unit)
    scripts = root / APP_DIR.lstrip("/") / "deploy"
    scripts.mkdir(parents=True)
    for script in ("kiosk-session.sh", "kiosk-xserver.sh"):
        shutil.copy2(DEPLOY / script, scripts / script)
    return root


def systemd_analyze_verify(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-analyze", "verify", "--man=no", "--generators=no",
                           f"--root={root}", *UNITS], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None or not SYSTEM_UNITS.is_dir(),
                    reason="systemd-analyze (package systemd) is not on this machine")
def test_units_pass_systemd_analyze_verify_without_a_warning(tmp_path):
    root = verify_root(tmp_path)
    result = systemd_analyze_verify(root)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr
    # The check has teeth: a mistyped setting is reported.
    unit = root / "etc/systemd/system/village-kiosk.service"
    unit.write_text(unit.read_text(encoding="utf-8").replace(
        "Restart=always", "Restart=allways\nWatchdogSecs=30"), encoding="utf-8")
    broken = systemd_analyze_verify(root)
    line = unit.read_text(encoding="utf-8").splitlines().index("Restart=allways") + 1
    assert f":{line}: Failed to parse service restart specifier" in broken.stderr
    assert "Unknown key 'WatchdogSecs'" in broken.stderr


def test_kiosk_unit_is_a_notify_service_with_a_watchdog_that_restarts_always():
    unit = unit_settings("village-kiosk.service")
    one = {key: values[-1] for key, values in unit.items()}
    assert one["Service.Type"] == "notify" and one["Service.NotifyAccess"] == "main"
    assert one["Service.Restart"] == "always" and int(one["Service.RestartSec"]) <= 5
    assert one["Service.WatchdogSec"] == "30" and one["Unit.StartLimitIntervalSec"] == "0"
    assert one["Service.User"] == "kiosk" and one["Service.Group"] == "kiosk"
    assert one["Service.ExecStart"] == f"{APP_DIR}/deploy/kiosk-session.sh"
    assert "village-kiosk-x.service" in one["Unit.Requires"]
    assert "network-online.target" not in one["Unit.After"]  # works offline; never waits
    # State and log folders are the configuration's defaults.
    defaults = tomllib.loads((ROOT / "config/default.toml").read_text(encoding="utf-8"))
    assert f"/var/lib/{one['Service.StateDirectory']}" == defaults["paths"]["state_dir"]
    assert f"/var/log/{one['Service.LogsDirectory']}" == defaults["log"]["dir"]
    assert one["Service.WorkingDirectory"] == defaults["paths"]["state_dir"]
    environment = " ".join(unit["Service.Environment"])
    assert "DISPLAY=:0" in environment and "XAUTHORITY=/run/village-kiosk-x/" in environment
    assert "PYTHONFAULTHANDLER=1" in environment  # a watchdog kill shows the hung stacks
    # Hardening that would cut the kiosk off X, its devices or Mesa is not set.
    for breaking in ("PrivateDevices", "PrivateTmp", "ProtectClock", "MemoryDenyWriteExecute",
                     "DevicePolicy", "DynamicUser"):
        assert f"Service.{breaking}" not in unit, breaking
    assert one["Service.NoNewPrivileges"] == "yes" and one["Service.ProtectSystem"] == "full"
    x_unit = {k: v[-1] for k, v in unit_settings("village-kiosk-x.service").items()}
    assert x_unit["Service.ExecStart"] == f"{APP_DIR}/deploy/kiosk-xserver.sh"
    assert x_unit["Service.Restart"] == "always"


def test_every_shell_script_parses_with_bash_n():
    scripts = sorted([*DEPLOY.glob("*.sh"), *(ROOT / "scripts").glob("*.sh")])
    assert INSTALLER in scripts and DEPLOY / "kiosk-session.sh" in scripts
    for script in scripts:
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, (script.name, result.stderr)
    for script in (INSTALLER, DEPLOY / "kiosk-session.sh", DEPLOY / "kiosk-xserver.sh"):
        assert os.access(script, os.X_OK), f"{script.name} is not executable"


# --- udev ----------------------------------------------------------------------------

_UDEV_PAIR = re.compile(r'\s*(?P<key>[A-Z_]+)(\{(?P<attr>[^}]+)\})?\s*(?P<op>==|!=|\+=|-=|:=|=)'
                        r'\s*"(?P<value>[^"]*)"\s*(,|$)')
_MATCH_KEYS = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME", "SYMLINK", "SUBSYSTEM",
               "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTR", "ATTRS", "ENV", "TAG", "TAGS",
               "TEST", "PROGRAM", "RESULT", "CONST", "SYSCTL"}
_ASSIGN_KEYS = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "ATTR", "ENV", "TAG", "RUN",
                "LABEL", "GOTO", "IMPORT", "OPTIONS", "SECLABEL", "SYSCTL"}


def parse_udev_rules(text: str) -> list[list[tuple[str, str | None, str, str]]]:
    """Rules as lists of (key, attribute, operator, value); raises ValueError on a line
    udev would reject (the grammar of udev(7): comma-separated KEY[{attr}]OP"value")."""
    rules = []
    for number, line in enumerate(text.replace("\\\n", "").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pairs, position = [], 0
        while position < len(line):
            found = _UDEV_PAIR.match(line, position)
            if found is None:
                raise ValueError(f"line {number}: cannot parse at {line[position:]!r}")
            key, attr, op, value = found.group("key", "attr", "op", "value")
            if op in ("==", "!=") and key not in _MATCH_KEYS:
                raise ValueError(f"line {number}: {key} cannot be matched")
            if op not in ("==", "!=") and key not in _ASSIGN_KEYS:
                raise ValueError(f"line {number}: {key} cannot be assigned")
            if key in ("ATTR", "ATTRS", "ENV") and not attr:
                raise ValueError(f"line {number}: {key} needs {{name}}")
            pairs.append((key, attr, op, value))
            position = found.end()
        if not any(op in ("==", "!=") for _k, _a, op, _v in pairs):
            raise ValueError(f"line {number}: a rule without a match applies to every device")
        rules.append(pairs)
    return rules


def test_udev_rules_parse_and_give_the_kiosk_group_stable_device_names():
    text = (DEPLOY / "99-village-kiosk.rules").read_text(encoding="utf-8")
    rules = parse_udev_rules(text)
    named = {v: rule for rule in rules for k, _a, op, v in rule if k == "SYMLINK"}
    assert {"kiosk-card-reader", "kiosk-scanner", "kiosk-printer",
            "kiosk-scanner-kbd"} <= set(named)
    for rule in rules:
        assignments = {(k, op): v for k, _a, op, v in rule}
        ids = {a: v for k, a, _op, v in rule if k in ("ATTR", "ATTRS")}
        assert re.fullmatch(r"[0-9a-f]{4}", ids["idVendor"]), rule
        assert re.fullmatch(r"[0-9a-f]{4}", ids["idProduct"]), rule
        assert assignments[("GROUP", "=")] == "kiosk" and assignments[("MODE", "=")] == "0660"
    assert ("ENV", "ID_MM_DEVICE_IGNORE", "=", "1") in named["kiosk-card-reader"]
    assert ("ENV", "LIBINPUT_IGNORE_DEVICE", "=", "1") in named["kiosk-scanner-kbd"]
    with pytest.raises(ValueError):
        parse_udev_rules('SUBSYSTEM=="tty", SYMLINK+="x" GROUP="kiosk"\n')  # missing comma
    with pytest.raises(ValueError):
        parse_udev_rules('GROUP="kiosk"\n')  # would apply to every device
    # udevadm verify (systemd >= 254) where the machine has it.
    if shutil.which("udevadm") and subprocess.run(["udevadm", "verify", "--help"],
                                                  capture_output=True).returncode == 0:
        result = subprocess.run(["udevadm", "verify", str(DEPLOY / "99-village-kiosk.rules")],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_terminal_example_uses_the_udev_names():
    example = (ROOT / "config/terminal.example.toml").read_text(encoding="utf-8")
    assert '"/dev/kiosk-card-reader"' in example and '"/dev/kiosk-scanner"' in example


# --- the installer, dry run ----------------------------------------------------------

def dry_run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(INSTALLER), "--dry-run", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=60)


def planned(output: str) -> list[list[str]]:
    return [line[2:].split() for line in output.splitlines() if line.startswith("+ ")]


def test_installer_dry_run_plans_the_expected_tree_and_changes_nothing(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    result = dry_run(root)
    assert result.returncode == 0, result.stderr
    assert list(root.iterdir()) == []  # a dry run writes nothing
    steps = planned(result.stdout)
    folders = {s[-1]: (s[s.index("-m") + 1], s[s.index("-o") + 1], s[s.index("-g") + 1])
               for s in steps if s[:2] == ["install", "-d"]}
    assert folders == {
        f"{root}{APP_DIR}": ("0755", "root", "root"),
        f"{root}/etc/village-kiosk": ("0750", "root", "kiosk"),
        f"{root}/var/lib/village-kiosk": ("0750", "kiosk", "kiosk"),
        f"{root}/var/log/village-kiosk": ("0750", "kiosk", "kiosk"),
    }
    files = {s[-1].removeprefix(str(root)): (Path(s[-2]).name, s[s.index("-m") + 1])
             for s in steps if s[0] == "install" and s[1] != "-d"}
    assert files == {
        "/etc/systemd/system/village-kiosk.service": ("village-kiosk.service", "0644"),
        "/etc/systemd/system/village-kiosk-x.service": ("village-kiosk-x.service", "0644"),
        "/etc/udev/rules.d/99-village-kiosk.rules": ("99-village-kiosk.rules", "0644"),
        "/etc/X11/xorg.conf.d/10-village-kiosk.conf": ("10-village-kiosk.conf", "0644"),
        "/etc/systemd/journald.conf.d/village-kiosk.conf": ("journald-village-kiosk.conf",
                                                            "0644"),
        "/etc/village-kiosk/session.conf": ("session.conf", "0640"),
    }
    for source, _mode in files.values():
        assert (DEPLOY / source).is_file()
    commands = [" ".join(s) for s in steps]
    assert "groupadd --system kiosk" in commands
    user = next(c for c in commands if c.startswith("useradd"))
    assert "--system" in user and "/usr/sbin/nologin" in user and user.endswith(" kiosk")
    usermod = next(s for s in steps if s[0] == "usermod")
    assert set(usermod[-2].split(",")) == {"audio", "video", "render", "dialout"}  # no input
    for expected in ("systemctl daemon-reload", "udevadm control --reload",
                     "systemctl enable village-kiosk.service",
                     f"ln -sfn {APP_DIR}/.venv/bin/kiosk {root}/usr/local/bin/kiosk",
                     f"ln -sfn {APP_DIR}/.venv/bin/kiosk-admin {root}/usr/local/bin/kiosk-admin"):
        assert expected in commands, expected
    assert commands.index("systemctl daemon-reload") > max(
        i for i, s in enumerate(steps) if s[0] == "install")
    assert not any(c.startswith("systemctl restart village-kiosk") for c in commands)
    assert "write /etc/village-kiosk/terminal.toml first" in result.stdout


def test_installer_dry_run_on_an_installed_terminal_keeps_the_user_and_the_session_file(
        tmp_path):
    """Idempotent: the user is not made twice, a technician's session.conf is kept, the
    configuration is checked and its permissions put right, and the kiosk restarted."""
    root = tmp_path / "root"
    (root / "etc/village-kiosk").mkdir(parents=True)
    (root / "etc/passwd").write_text("kiosk:x:998:998::/var/lib/village-kiosk:/usr/sbin/nologin\n")
    (root / "etc/group").write_text("kiosk:x:998:\n")
    (root / "etc/village-kiosk/session.conf").write_text("KIOSK_ROTATE=left\n")
    (root / "etc/village-kiosk/terminal.toml").write_text("[terminal]\n")
    result = dry_run(root)
    assert result.returncode == 0, result.stderr
    commands = [" ".join(s) for s in planned(result.stdout)]
    assert not any(c.startswith(("useradd", "groupadd")) for c in commands)
    assert not any(c.endswith("/etc/village-kiosk/session.conf") for c in commands)
    assert f"chmod 0640 {root}/etc/village-kiosk/terminal.toml" in commands
    check = next(c for c in commands if c.startswith("runuser"))
    assert check.endswith("--config /etc/village-kiosk/terminal.toml --check-config")
    assert commands[-1] == "systemctl restart village-kiosk.service"
    assert (root / "etc/village-kiosk/session.conf").read_text() == "KIOSK_ROTATE=left\n"


def test_installer_refuses_a_real_install_into_another_root(tmp_path):
    result = subprocess.run(["bash", str(INSTALLER), "--root", str(tmp_path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "only for --dry-run" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- the session scripts, run ----------------------------------------------------------

def stub_tools(folder: Path, calls: Path) -> None:
    """xset, xrandr, xinput and the kiosk as scripts that log their arguments."""
    folder.mkdir(parents=True)
    stubs = {
        "xset": 'echo "xset $*" >> "$CALLS"',
        "xrandr": 'echo "xrandr $*" >> "$CALLS"\n'
                  '[ "$1" = --query ] && printf "%s\\n" "Screen 0: current 1920 x 1080" '
                  '"DP-1 disconnected" "HDMI-1 connected primary 1920x1080+0+0" || true',
        "xinput": 'echo "xinput $*" >> "$CALLS"\n'
                  'case "$1 $2" in\n'
                  '  "list --id-only") printf "2\\n10\\n11\\n12\\n" ;;\n'
                  '  "list --name-only") printf "%s\\n" "Virtual core pointer" '
                  '"ILITEK Multi-Touch" "ILITEK Multi-Touch" "AT Keyboard" ;;\n'
                  '  "list-props 10") echo "  Coordinate Transformation Matrix (151): 1, 0" ;;\n'
                  '  "list-props 11") echo "  Device Enabled (150): 1" ;;\n'
                  'esac',
    }
    for name, body in stubs.items():
        (folder / name).write_text(f"#!/bin/bash\n{body}\n")
        (folder / name).chmod(0o755)
    kiosk = folder.parent / "app/.venv/bin/kiosk"
    kiosk.parent.mkdir(parents=True)
    kiosk.write_text('#!/bin/bash\necho "kiosk pid=$$ $*" >> "$CALLS"\n')
    kiosk.chmod(0o755)


def run_session(tmp_path: Path, **env: str) -> tuple[subprocess.Popen, list[str]]:
    calls = tmp_path / "calls.log"
    stub_tools(tmp_path / "bin", calls)
    environ = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "CALLS": str(calls),
               "KIOSK_APP_DIR": str(tmp_path / "app"), "DISPLAY": ":0", **env}
    process = subprocess.Popen(["bash", str(DEPLOY / "kiosk-session.sh"), "--no-tour"],
                               env=environ, stderr=subprocess.PIPE, text=True)
    process.wait(timeout=30)
    return process, (calls.read_text().splitlines() if calls.exists() else [])


def test_session_script_turns_blanking_off_rotates_screen_and_touch_then_execs_the_kiosk(
        tmp_path):
    process, calls = run_session(tmp_path, KIOSK_ROTATE="left")
    stderr = process.stderr.read()
    assert process.returncode == 0, stderr
    assert calls[0] == "xset q"  # waited for the display
    for expected in ("xset s off", "xset s noblank", "xset -dpms",
                     "xrandr --output HDMI-1 --rotate left",
                     "xinput set-prop 10 Coordinate Transformation Matrix 0 -1 1 1 0 0 0 0 1"):
        assert expected in calls, (expected, calls)
    assert not any(c.startswith("xinput set-prop 11") for c in calls)  # no matrix there
    # exec: the kiosk runs as the script's own process, with the terminal's configuration.
    assert calls[-1] == (f"kiosk pid={process.pid} --config /etc/village-kiosk/terminal.toml "
                         f"--no-tour")
    assert "display HDMI-1 rotated left" in stderr


def test_session_script_without_rotation_touches_no_output(tmp_path):
    process, calls = run_session(tmp_path, KIOSK_CONFIG_FILE="/tmp/t.toml")
    assert process.returncode == 0
    assert not any(c.startswith(("xrandr", "xinput")) for c in calls)
    assert calls[-1] == f"kiosk pid={process.pid} --config /tmp/t.toml --no-tour"


def test_session_script_refuses_a_wrong_rotation_and_gives_up_on_a_silent_display(tmp_path):
    process, calls = run_session(tmp_path, KIOSK_ROTATE="sideways")
    assert process.returncode == 2 and "KIOSK_ROTATE=sideways" in process.stderr.read()
    assert calls == []  # refused before anything ran (RestartPreventExitStatus=2)
    silent = tmp_path / "silent"
    silent.mkdir()
    started = time.monotonic()
    (silent_bin := silent / "bin").mkdir()
    (silent_bin / "xset").write_text("#!/bin/bash\nexit 1\n")
    (silent_bin / "xset").chmod(0o755)
    result = subprocess.run(["bash", str(DEPLOY / "kiosk-session.sh")], capture_output=True,
                            text=True, timeout=30,
                            env={"PATH": f"{silent_bin}:/usr/bin:/bin", "KIOSK_X_WAIT_S": "1",
                                 "KIOSK_APP_DIR": str(silent)})
    assert result.returncode == 1 and "did not answer within 1 s" in result.stderr
    assert time.monotonic() - started < 10


def _free_display() -> int:
    for number in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(
                f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


@pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("xset") is None,
                    reason="needs Xvfb and xset (Debian xvfb, x11-xserver-utils)")
def test_kiosk_starts_on_an_x_server_started_like_the_unit_with_blanking_off(tmp_path):
    """kiosk-xserver.sh (with Xvfb standing in for Xorg) and kiosk-session.sh as the units
    run them: the cookie lets the kiosk in, blanking stays off after xset disconnects
    (-noreset), and the real kiosk draws its home screen and tells systemd READY=1."""
    from tests.test_watchdog import NotifyListener

    display = f":{_free_display()}"
    runtime = tmp_path / "run"
    runtime.mkdir()
    group = grp.getgrgid(os.getgid()).gr_name
    xserver = subprocess.Popen(
        ["bash", str(DEPLOY / "kiosk-xserver.sh"), "-screen", "0", "1280x720x24"],
        env={**os.environ, "KIOSK_XORG": shutil.which("Xvfb"), "KIOSK_VT": "",
             "KIOSK_X_RUNTIME_DIR": str(runtime), "KIOSK_GROUP": group,
             "KIOSK_DISPLAY": display},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listener = NotifyListener()
    kiosk = None
    try:
        auth = runtime / "Xauthority"
        x_env = {**os.environ, "DISPLAY": display, "XAUTHORITY": str(auth)}
        deadline = time.monotonic() + 20
        while subprocess.run(["xset", "q"], env=x_env, capture_output=True).returncode != 0:
            assert time.monotonic() < deadline and xserver.poll() is None, "no X server"
            time.sleep(0.2)
        assert oct(auth.stat().st_mode & 0o777) == "0o640"
        no_cookie = {**x_env, "XAUTHORITY": str(tmp_path / "none")}
        assert subprocess.run(["xset", "q"], env=no_cookie, capture_output=True).returncode != 0

        terminal = tmp_path / "terminal.toml"
        terminal.write_text("# the demo terminal, nothing changed\n", encoding="utf-8")
        environ = kiosk_environment(tmp_path, DISPLAY=display, XAUTHORITY=str(auth),
                                    NOTIFY_SOCKET=listener.address, WATCHDOG_USEC="2000000",
                                    KIOSK_APP_DIR=str(ROOT), KIOSK_CONFIG_FILE=str(terminal))
        # The kiosk profile (full screen, no cursor) on a display with no window manager.
        kiosk = subprocess.Popen(["bash", str(DEPLOY / "kiosk-session.sh"), "--demo",
                                  "--no-tour"], cwd=tmp_path, env=environ,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ready = listener.wait_for("READY", "1", timeout=60, process=kiosk)
        assert ready.pid == kiosk.pid  # exec'd: the unit's main process itself notifies
        assert ready.fields["STATUS"].startswith("home screen shown")
        saver = subprocess.run(["xset", "q"], env=x_env, capture_output=True,
                               text=True).stdout
        assert re.search(r"prefer blanking:\s+no", saver), saver
        assert re.search(r"timeout:\s+0\s", saver), saver
        kiosk.send_signal(signal.SIGTERM)
        assert kiosk.wait(timeout=30) == 0
    finally:
        for process in (kiosk, xserver):
            if process is not None and process.poll() is None:
                process.kill()
            if process is not None:
                process.wait(timeout=30)
        if kiosk is not None and kiosk.stderr is not None:
            kiosk.stderr.close()
        listener.close()
