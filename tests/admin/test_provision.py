"""`kiosk-admin provision` into a tmp dir: a configuration the kiosk's own loader accepts,
the PIN only as its hash, the token never echoed, the outbox key, permissions, and no
overwrite without --force (then a .bak)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.admin.provision import ProvisionError, ProvisionRequest, provision
from kiosk.config import load_config
from kiosk.pin import verify_pin
from offline.crypto import load_key
from tests.admin.conftest import run_admin

TOKEN = "tok-3f9a1c77e2b84d1d9c0e5a6b7c8d9e0f"
PIN = "481516"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def provision_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["provision", "--terminal-id", "JS-SY-0007", "--platform-url",
            "https://platform.example.gov.cn", "--support-contact", "山阳镇运维 021-5792-0000",
            "--name", "山阳镇自助终端", "--token-stdin", "--pin-stdin",
            "--config-dir", str(tmp_path / "etc"), "--state-dir", str(tmp_path / "lib"),
            "--log-dir", str(tmp_path / "log"), *extra]


def test_provision_writes_a_configuration_the_kiosk_loads(tmp_path):
    code, out, err = run_admin(*provision_args(tmp_path), stdin=f"{TOKEN}\n{PIN}\n")
    assert code == 0, err
    cfg_file = tmp_path / "etc" / "terminal.toml"
    cfg = load_config(cfg_file, environ={})
    assert cfg.terminal.id == "JS-SY-0007" and cfg.terminal.name == "山阳镇自助终端"
    assert cfg.platform.url == "https://platform.example.gov.cn" and cfg.platform.token == TOKEN
    assert cfg.paths.state_dir == str(tmp_path / "lib")
    assert cfg.log.dir == str(tmp_path / "log")
    assert cfg.outbox.key_file == str(tmp_path / "lib" / "outbox.key")
    assert {d.name for d in cfg.devices} == {"card_reader", "scanner", "camera", "printer",
                                             "speaker"}  # the example's standard kit
    assert "configuration ok" in out and "kiosk-admin doctor --config" in out


def test_the_pin_is_stored_only_as_its_hash_and_the_token_is_never_echoed(tmp_path):
    code, out, err = run_admin(*provision_args(tmp_path), stdin=f"{TOKEN}\n{PIN}\n")
    assert code == 0, err
    text = (tmp_path / "etc" / "terminal.toml").read_text(encoding="utf-8")
    assert PIN not in text
    assert verify_pin(PIN, load_config(tmp_path / "etc" / "terminal.toml",
                                       environ={}).maintenance.pin_hash)
    assert TOKEN not in out + err and PIN not in out + err


def test_files_and_folders_get_their_modes_and_the_key_is_usable(tmp_path):
    assert run_admin(*provision_args(tmp_path), stdin=f"{TOKEN}\n{PIN}\n")[0] == 0
    assert mode(tmp_path / "etc" / "terminal.toml") == 0o640
    assert mode(tmp_path / "lib" / "outbox.key") == 0o600
    for folder in ("etc", "lib", "log"):
        assert mode(tmp_path / folder) == 0o750
    load_key(tmp_path / "lib" / "outbox.key")
    assert (tmp_path / "lib" / "outbox.key").stat().st_size == 32


def test_an_existing_configuration_is_not_overwritten_without_force(tmp_path):
    assert run_admin(*provision_args(tmp_path), stdin=f"{TOKEN}\n{PIN}\n")[0] == 0
    before = (tmp_path / "etc" / "terminal.toml").read_bytes()
    code, _, err = run_admin(*provision_args(tmp_path), stdin=f"other-token\n{PIN}\n")
    assert code == 1 and "--force" in err
    assert (tmp_path / "etc" / "terminal.toml").read_bytes() == before


def test_force_keeps_a_bak_the_old_pin_hash_and_the_outbox_key(tmp_path):
    assert run_admin(*provision_args(tmp_path), stdin=f"{TOKEN}\n{PIN}\n")[0] == 0
    cfg_file = tmp_path / "etc" / "terminal.toml"
    before = cfg_file.read_bytes()
    key = (tmp_path / "lib" / "outbox.key").read_bytes()
    args = [a for a in provision_args(tmp_path) if a != "--pin-stdin"]
    code, out, err = run_admin(*args, "--force", stdin="new-token-0001\n")
    assert code == 0, err
    assert (tmp_path / "etc" / "terminal.toml.bak").read_bytes() == before
    assert mode(tmp_path / "etc" / "terminal.toml.bak") == 0o640
    cfg = load_config(cfg_file, environ={})
    assert cfg.platform.token == "new-token-0001"
    assert verify_pin(PIN, cfg.maintenance.pin_hash)  # no new PIN given: the old hash stays
    assert (tmp_path / "lib" / "outbox.key").read_bytes() == key  # never replaced


def test_a_configuration_the_loader_would_refuse_writes_nothing(tmp_path):
    args = provision_args(tmp_path)
    args[args.index("https://platform.example.gov.cn")] = "http://platform.example.gov.cn"
    code, out, err = run_admin(*args, stdin=f"{TOKEN}\n{PIN}\n")
    assert code == 2
    assert "platform.url" in err and "nothing written" in err
    assert not (tmp_path / "etc").exists() and not (tmp_path / "lib").exists()


def test_a_pin_that_is_not_6_to_12_digits_is_refused_without_repeating_it(tmp_path):
    code, out, err = run_admin(*provision_args(tmp_path), stdin=f"{TOKEN}\n12ab\n")
    assert code == 1 and "6 to 12" in err and "12ab" not in err
    assert not (tmp_path / "etc").exists()


def test_the_token_can_come_from_a_file(tmp_path):
    token_file = tmp_path / "token.txt"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    args = [a for a in provision_args(tmp_path) if a != "--token-stdin"]
    code, out, err = run_admin(*args, "--token-file", str(token_file), stdin=f"{PIN}\n")
    assert code == 0, err
    assert load_config(tmp_path / "etc" / "terminal.toml", environ={}).platform.token == TOKEN


def test_device_tables_can_come_from_another_file(tmp_path):
    site = tmp_path / "site-devices.toml"
    site.write_text('[devices.printer]\nkind = "printer"\ndriver = "network"\n'
                    'host = "10.1.2.3"\nport = 9100\n', encoding="utf-8")
    code, _, err = run_admin(*provision_args(tmp_path), "--devices-from", str(site),
                             stdin=f"{TOKEN}\n{PIN}\n")
    assert code == 0, err
    cfg = load_config(tmp_path / "etc" / "terminal.toml", environ={})
    assert [(d.name, d.options["host"]) for d in cfg.devices] == [("printer", "10.1.2.3")]


def test_a_token_or_pin_is_never_on_the_command_line():
    code, _, err = run_admin("provision", "--terminal-id", "X-1", "--platform-url",
                             "https://p.example", "--support-contact", "x", "--token", "t")
    assert code == 64


def test_user_needs_root_and_system_folders_are_refused(tmp_path):
    request = ProvisionRequest("JS-SY-0007", "https://platform.example.gov.cn", TOKEN,
                               "运维", pin=PIN, config_dir=tmp_path / "etc",
                               state_dir=tmp_path / "lib", log_dir=tmp_path / "log",
                               user="nobody")
    with pytest.raises(ProvisionError, match="needs root"):
        provision(request, euid=1000)
    with pytest.raises(ProvisionError, match="system folder"):
        provision(ProvisionRequest("JS-SY-0007", "https://platform.example.gov.cn", TOKEN,
                                   "运维", pin=PIN, config_dir=tmp_path / "etc",
                                   state_dir=Path("/var/lib"), log_dir=tmp_path / "log"),
                  euid=1000)
    assert not (tmp_path / "etc").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_as_root_the_kiosk_user_owns_state_and_key_and_root_owns_the_config(tmp_path):
    import pwd

    user = pwd.getpwnam("nobody")
    code, _, err = run_admin(*provision_args(tmp_path), "--user", "nobody",
                             stdin=f"{TOKEN}\n{PIN}\n")
    assert code == 0, err
    key = (tmp_path / "lib" / "outbox.key").stat()
    assert (key.st_uid, key.st_gid) == (user.pw_uid, user.pw_gid)
    cfg = (tmp_path / "etc" / "terminal.toml").stat()
    assert (cfg.st_uid, cfg.st_gid) == (0, user.pw_gid)
