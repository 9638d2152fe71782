"""`kiosk-admin export-logs`: the bundle's members, every line masked (planted ID number,
mobile number, token, name, base64 blob), --since, and secrets kept out of the config."""

from __future__ import annotations

import os
import tarfile
import time
from pathlib import Path

import pytest

from demo_platform import DEMO_TERMINAL_TOKEN
from kiosk.admin.export_logs import ExportError, parse_since
from tests.admin.conftest import free_port, run_admin, terminal_file

ID_NUMBER = "310101199001011234"
PHONE = "13812345678"
BLOB = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123456789abcdefgh=="


def planted_log(folder: Path) -> None:
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    (folder / "technician.log").write_text(
        f"{now},001 INFO kiosk.flows.identify: card read for {ID_NUMBER}, 姓名：张小三\n"
        f"{now},002 WARNING kiosk.platform: call back +86 138 1234 5678 / {PHONE}\n"
        f"{now},003 ERROR kiosk.platform: sent Authorization: Bearer {DEMO_TERMINAL_TOKEN} "
        f"photo={BLOB}\n"
        f"{now},004 INFO kiosk.devices: printer online\n", encoding="utf-8")
    (folder / "technician.log.1").write_text(
        "2020-01-01 00:00:00,000 INFO kiosk: an old line token=abc123secret\n"
        f"{now},000 INFO kiosk: a recent line of the rotated file\n", encoding="utf-8")


def members(archive: Path) -> dict[str, str]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode("utf-8")
                for m in tar.getmembers()}


@pytest.fixture
def bundle(tmp_path):
    cfg = terminal_file(tmp_path, url=f"http://127.0.0.1:{free_port()}")
    planted_log(tmp_path / "log")
    out = tmp_path / "out" / "bundle.tar.gz"
    code, stdout, stderr = run_admin("export-logs", "--config", str(cfg), "--demo", "--out",
                                     str(out), "--since", "all", "--timeout", "2")
    assert code == 0, stderr
    return out, members(out), stdout


def test_the_archive_lists_the_expected_members(bundle):
    out, files, stdout = bundle
    assert set(files) == {"README.txt", "logs/technician.log", "logs/technician.log.1",
                          "doctor.txt", "config.json", "devices.txt", "versions.txt"}
    with tarfile.open(out, "r:gz") as tar:
        tops = {m.name.split("/", 1)[0] for m in tar.getmembers()}
    assert len(tops) == 1 and tops.pop().startswith("kiosk-logs-DEMO-JS-0001-")
    assert oct(os.stat(out).st_mode & 0o777) == "0o640"
    assert "logs/technician.log" in stdout


def test_planted_id_number_phone_token_name_and_blob_come_out_masked(bundle):
    _, files, _ = bundle
    log = files["logs/technician.log"]
    everything = "\n".join(files.values())
    for secret in (ID_NUMBER, PHONE, "138 1234 5678", DEMO_TERMINAL_TOKEN, "张小三", BLOB,
                   "abc123secret"):
        assert secret not in everything, secret
    assert "3101**********1234" in log and "138****5678" in log
    assert "姓名：张*三" in log and "Bearer <redacted>" in log and "<blob " in log
    assert "printer online" in log  # what is not personal stays readable


def test_the_configuration_is_included_with_its_secrets_redacted(bundle):
    _, files, _ = bundle
    config = files["config.json"]
    assert '"token": "<set>"' in config and '"pin_hash": "<set>"' in config
    assert "scrypt$" not in "\n".join(files.values())
    assert '"id": "DEMO-JS-0001"' in config


def test_doctor_report_versions_and_devices_are_in_the_bundle(bundle):
    _, files, _ = bundle
    assert "platform.tcp" in files["doctor.txt"] and "退出码 exit 1" in files["doctor.txt"]
    assert "skipped: devices" in files["doctor.txt"]  # the running kiosk holds them
    assert files["versions.txt"].startswith("village-kiosk ")
    assert "python 3." in files["versions.txt"] and "sqlite " in files["versions.txt"]
    assert "printer" in files["devices.txt"] and "sim" in files["devices.txt"]


def test_since_keeps_only_recent_lines_and_skips_old_files(tmp_path):
    cfg = terminal_file(tmp_path, url=f"http://127.0.0.1:{free_port()}")
    planted_log(tmp_path / "log")
    old = tmp_path / "log" / "technician.log.2"
    old.write_text("2020-01-01 00:00:00,000 INFO kiosk: ancient\n", encoding="utf-8")
    os.utime(old, (time.time() - 30 * 86400,) * 2)
    out = tmp_path / "b.tar.gz"
    code, _, err = run_admin("export-logs", "--config", str(cfg), "--demo", "--out", str(out),
                             "--since", "7d", "--timeout", "2")
    assert code == 0, err
    files = members(out)
    assert "an old line" not in files["logs/technician.log.1"]
    assert "a recent line" in files["logs/technician.log.1"]
    assert files["logs/technician.log.2"] == ""


def test_an_invalid_configuration_still_exports_the_logs_and_says_why(tmp_path):
    log = tmp_path / "log"
    log.mkdir()
    planted_log(log)
    cfg = tmp_path / "terminal.toml"
    cfg.write_text(f'[log]\ndir = "{log}"\n[platform]\ntoken = "site-secret-token-77"\n'
                   '[session]\nidel_timeout_s = 60\n', encoding="utf-8")
    out = tmp_path / "b.tar.gz"
    code, _, err = run_admin("export-logs", "--config", str(cfg), "--demo", "--out", str(out))
    assert code == 0, err
    files = members(out)
    assert "config.session.idel_timeout_s" in files["doctor.txt"]
    assert "logs/technician.log" in files and ID_NUMBER not in files["logs/technician.log"]
    assert "site-secret-token-77" not in "\n".join(files.values())
    assert "<redacted>" in files["config.json"]


def test_since_accepts_days_hours_minutes_and_all():
    assert parse_since("7d") == 7 * 86400 and parse_since("1d12h") == 36 * 3600
    assert parse_since("30m") == 1800 and parse_since("all") is None
    with pytest.raises(ExportError):
        parse_since("a week")


def test_an_unwritable_output_is_exit_1_with_the_reason(tmp_path):
    cfg = terminal_file(tmp_path, url=f"http://127.0.0.1:{free_port()}")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_admin("export-logs", "--config", str(cfg), "--demo", "--out",
                             str(blocker / "b.tar.gz"), "--timeout", "1")
    assert code == 1 and "cannot write" in err
