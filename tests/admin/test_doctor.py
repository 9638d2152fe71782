"""`kiosk-admin doctor`: the issue's acceptance (a missing printer, an unreachable platform,
a bad configuration: each a non-zero exit and one line saying what to fix) and the exit
codes, against real drivers, a real demo platform and real files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from hardware.printer import FakeNetworkPrinter
from kiosk.admin.checks import Check, Level, device_checks, exit_code
from tests.admin.conftest import SIM_DEVICES, free_port, run_admin, terminal_file


def lines_of(out: str, level: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(level + " ")]


def network_printer(port: int) -> str:
    return ('[devices.card_reader]\nkind = "card_reader"\ndriver = "sim"\n'
            '[devices.scanner]\nkind = "scanner"\ndriver = "sim"\n'
            f'[devices.printer]\nkind = "printer"\ndriver = "network"\nhost = "127.0.0.1"\n'
            f'port = {port}\nstatus_timeout_s = 0.3\nconfirm_wait_s = 0.0\n')


def test_a_healthy_terminal_is_all_ok_with_exit_0(tmp_path, platform):
    printer = FakeNetworkPrinter().start()
    try:
        cfg = terminal_file(tmp_path, url=platform.base_url, devices=network_printer(printer.port))
        code, out, _ = run_admin("doctor", "--config", str(cfg), "--demo")
    finally:
        printer.stop()
    assert code == 0, out
    assert not lines_of(out, "FAIL") and not lines_of(out, "WARN")
    for name in ("config", "device.printer", "platform.tcp", "platform.health",
                 "platform.token", "clock", "disk.state_dir", "disk.log_dir",
                 "disk.outbox.db", "outbox.key", "outbox.backlog"):
        assert any(line.split()[1] == name for line in lines_of(out, "OK")), (name, out)
    assert "退出码 exit 0" in out.splitlines()[-1]


def test_doctor_reports_a_missing_printer_with_exit_1_and_what_to_fix(tmp_path, platform):
    port = free_port()  # nothing listens there: the printer is unplugged
    cfg = terminal_file(tmp_path, url=platform.base_url, devices=network_printer(port))
    code, out, err = run_admin("doctor", "--config", str(cfg), "--demo")
    assert code == 1, out
    failed = lines_of(out, "FAIL")
    assert len(failed) == 1, out
    line = failed[0]
    assert line.split()[1] == "device.printer"
    assert "noDevice" in line and "打印机" in line
    what, fix = line.split(" — ", 1)
    assert f"devices.printer.port = {port}" in fix and "devices.printer.host" in fix
    assert err == ""  # the driver's own error lines do not clutter the report


def test_doctor_reports_an_unreachable_platform_with_exit_1_and_what_to_fix(tmp_path):
    port = free_port()
    cfg = terminal_file(tmp_path, url=f"http://127.0.0.1:{port}")
    code, out, _ = run_admin("doctor", "--config", str(cfg), "--demo", "--timeout", "3")
    assert code == 1, out
    failed = lines_of(out, "FAIL")
    assert len(failed) == 1, out
    assert failed[0].split()[1] == "platform.tcp"
    assert f"127.0.0.1:{port}" in failed[0] and "unreachable" in failed[0]
    assert " — " in failed[0] and "platform.url" in failed[0].split(" — ", 1)[1]
    # the steps after the failed one are not run, the local checks still are
    assert "platform.health" not in out and "disk.state_dir" in out


def test_doctor_reports_a_bad_configuration_with_exit_1_naming_key_value_and_allowed(tmp_path):
    cfg = tmp_path / "terminal.toml"
    cfg.write_text('[session]\nidel_timeout_s = 60\n', encoding="utf-8")
    command = shutil.which("kiosk-admin", path=str(Path(sys.executable).parent))
    assert command, "the kiosk-admin console script is not installed (pyproject.toml)"
    result = subprocess.run([command, "doctor", "--config", str(cfg), "--demo"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    failed = lines_of(result.stdout, "FAIL")
    assert len(failed) == 1, result.stdout
    assert failed[0].split()[1] == "config.session.idel_timeout_s"
    assert "60" in failed[0] and str(cfg) in failed[0]
    assert "did you mean 'session.idle_timeout_s'" in failed[0].split(" — ", 1)[1]
    assert "need a valid configuration" in result.stdout  # why nothing else was checked


def test_each_problem_of_a_configuration_gets_its_own_line(tmp_path):
    cfg = tmp_path / "terminal.toml"
    cfg.write_text('[display]\nprofile = "fullscreen"\n[platform]\nurl = "ftp://x"\n',
                   encoding="utf-8")
    code, out, _ = run_admin("doctor", "--config", str(cfg), "--demo")
    assert code == 1
    names = [line.split()[1] for line in lines_of(out, "FAIL")]
    assert names == ["config.display.profile", "config.platform.url"]
    assert "'kiosk', 'developer'" in out


def test_a_secret_value_in_a_bad_configuration_is_not_shown(tmp_path):
    cfg = tmp_path / "terminal.toml"
    cfg.write_text('[maintenance]\npin_hash = "246810"\n', encoding="utf-8")
    code, out, _ = run_admin("doctor", "--config", str(cfg), "--demo")
    assert code == 1 and "config.maintenance.pin_hash" in out
    assert "246810" not in out


def test_only_warnings_give_exit_2(tmp_path, platform):
    speaker = ('[devices.speaker]\nkind = "speaker"\ndriver = "espeak"\n'
               f'binary = "{tmp_path}/no-espeak-ng"\n')
    cfg = terminal_file(tmp_path, url=platform.base_url, devices=SIM_DEVICES + speaker)
    code, out, _ = run_admin("doctor", "--config", str(cfg), "--demo", "--device-wait", "1")
    assert code == 2, out
    assert not lines_of(out, "FAIL")
    assert [line.split()[1] for line in lines_of(out, "WARN")] == ["device.speaker"]


def test_skipped_groups_are_not_run_and_the_report_says_so(tmp_path):
    cfg = terminal_file(tmp_path, url=f"http://127.0.0.1:{free_port()}")
    code, out, _ = run_admin("doctor", "--config", str(cfg), "--demo",
                             "--skip", "devices,platform,clock")
    assert code == 0, out
    assert "device." not in out and "platform." not in out
    assert "skipped: devices, platform, clock" in out


def test_an_unknown_skip_group_and_a_usage_error_are_exit_64(tmp_path):
    assert run_admin("doctor", "--skip", "printer")[0] == 64
    assert run_admin("doctor", "--no-such-option")[0] == 64


def test_device_checks_take_live_reports_so_the_maintenance_screen_opens_nothing():
    from hardware.base import DeviceInfo, DeviceStatus
    from hardware.manager import DeviceReport

    reports = [DeviceReport("printer", "printer", "network", DeviceStatus.USER_ERROR,
                            "paper end", DeviceInfo(), "paper end"),
               DeviceReport("speaker", "speaker", "espeak", DeviceStatus.NO_DEVICE,
                            "espeak-ng not found", DeviceInfo(), "")]
    found = device_checks(reports)
    assert [(c.name, c.level) for c in found] == [("device.printer", Level.FAIL),
                                                  ("device.speaker", Level.WARN)]
    assert "paper end" in found[0].fix
    assert exit_code(found) == 1 and exit_code(found[1:]) == 2 and exit_code([]) == 0


def test_a_check_is_one_line_even_when_a_driver_error_spans_several():
    line = Check("device.x", Level.FAIL, "first\nsecond", "do\nthis").line()
    assert "\n" not in line and line.startswith("FAIL  device.x")
    assert line.endswith("first second — do this")
