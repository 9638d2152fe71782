"""The disk and outbox checks on real files: free space, writability, SQLite integrity,
the outbox key, backlog age and dead letters."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kiosk.admin.checks import (Level, disk_checks, integrity_check, outbox_backlog_checks,
                                outbox_key_check)
from kiosk.config import load_config
from offline.crypto import OutboxKey, create_key_file
from offline.outbox import Outbox
from tests.admin.conftest import free_port, terminal_file


@pytest.fixture
def config(tmp_path):
    return load_config(terminal_file(tmp_path, url=f"http://127.0.0.1:{free_port()}"),
                       demo=True, environ={})


def by_name(checks):
    return {c.name: c for c in checks}


def test_folders_with_room_are_ok_and_a_full_disk_fails(config):
    assert all(c.level is Level.OK for c in disk_checks(config))
    found = by_name(disk_checks(config, fail_bytes=2 ** 62, warn_bytes=2 ** 63))
    assert found["disk.state_dir"].level is Level.FAIL
    assert "剩余" in found["disk.state_dir"].detail and "清理" in found["disk.state_dir"].fix
    warned = by_name(disk_checks(config, fail_bytes=0, warn_bytes=2 ** 63))
    assert warned["disk.log_dir"].level is Level.WARN


def test_a_folder_that_cannot_be_written_fails(tmp_path):
    from kiosk.admin.checks import _folder_check

    if os.geteuid() == 0:
        folder = Path("/proc/self")  # not even root creates files there
    else:
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o500)
    found = _folder_check("disk.log_dir", "log.dir", folder, 0, 0)
    assert found.level is Level.FAIL and "不可写" in found.detail and "chown" in found.fix


def test_a_missing_folder_the_kiosk_can_create_is_a_warning(tmp_path):
    from kiosk.admin.checks import _folder_check

    found = _folder_check("disk.log_dir", "log.dir", tmp_path / "not-yet", 0, 0)
    assert found.level is Level.WARN and "provision" in found.fix


def test_a_damaged_database_fails_its_integrity_check(tmp_path):
    outbox = Outbox(tmp_path / "outbox.db", OutboxKey.generate())
    for i in range(200):
        outbox.enqueue("rating", {"score": i, "pad": "x" * 500}, personal=False)
    outbox.close()
    assert integrity_check("disk.outbox.db", tmp_path / "outbox.db").level is Level.OK
    data = bytearray((tmp_path / "outbox.db").read_bytes())
    data[4096 * 3: 4096 * 3 + 64] = b"\xff" * 64  # scribble over a b-tree page
    (tmp_path / "outbox.db").write_bytes(bytes(data))
    found = integrity_check("disk.outbox.db", tmp_path / "outbox.db")
    assert found.level is Level.FAIL and "备份" in found.fix


def test_a_missing_or_loose_outbox_key_fails_with_the_command_to_fix_it(tmp_path):
    missing = outbox_key_check(tmp_path / "outbox.key")
    assert missing.level is Level.FAIL and "provision" in missing.fix
    create_key_file(tmp_path / "outbox.key")
    assert outbox_key_check(tmp_path / "outbox.key").level is Level.OK
    (tmp_path / "outbox.key").chmod(0o644)
    loose = outbox_key_check(tmp_path / "outbox.key")
    assert loose.level is Level.FAIL and "chmod 600" in loose.fix


def test_backlog_age_and_dead_letters_are_reported(tmp_path):
    now = [time.time() - 2 * 3600]
    outbox = Outbox(tmp_path / "outbox.db", OutboxKey.generate(), clock=lambda: now[0])
    outbox.enqueue("rating", {"score": 5}, personal=False, key="a")
    outbox.enqueue("rating", {"score": 1}, personal=False, key="b")
    outbox.bury("b", "422 validation_failed", now[0])
    outbox.close()
    found = by_name(outbox_backlog_checks(tmp_path / "outbox.db", max_items=100,
                                          max_age_s=86400))
    assert found["outbox.backlog"].level is Level.WARN
    assert "待发送 1 条" in found["outbox.backlog"].detail
    assert "2.0 h" in found["outbox.backlog"].detail
    assert found["outbox.dead"].level is Level.WARN and "1" in found["outbox.dead"].detail
    over = by_name(outbox_backlog_checks(tmp_path / "outbox.db", max_items=100,
                                         max_age_s=3600))["outbox.backlog"]
    assert over.level is Level.FAIL and "outbox.max_age_h" in over.detail


def test_an_absent_outbox_is_an_empty_one(tmp_path):
    found = outbox_backlog_checks(tmp_path / "outbox.db", max_items=1, max_age_s=1)
    assert [(c.name, c.level) for c in found] == [("outbox.backlog", Level.OK)]
    assert not (tmp_path / "outbox.db").exists()  # reading it did not create it
