"""The outbox key: AES-256-GCM, key file 0600, created once, checked when loaded."""

from __future__ import annotations

import os
import stat

import pytest

from common.errors import StorageError
from offline.crypto import KEY_BYTES, OutboxKey, create_key_file, load_key


def test_key_file_is_created_with_mode_0600_and_32_bytes(tmp_path):
    path = tmp_path / "outbox.key"
    old = os.umask(0)  # even a permissive umask must not widen the mode
    try:
        create_key_file(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_bytes()) == KEY_BYTES
    assert [p.name for p in tmp_path.iterdir()] == ["outbox.key"]  # no temp file left


def test_existing_key_file_is_never_overwritten(tmp_path):
    path = tmp_path / "outbox.key"
    create_key_file(path)
    before = path.read_bytes()
    with pytest.raises(StorageError, match="already exists"):
        create_key_file(path)
    assert path.read_bytes() == before


def test_loaded_key_decrypts_what_it_encrypted(tmp_path):
    path = tmp_path / "outbox.key"
    create_key_file(path)
    blob = load_key(path).encrypt("王小明".encode(), b"row-1")
    assert load_key(path).decrypt(blob, b"row-1") == "王小明".encode()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_key_file_open_to_group_or_others_is_refused_with_the_chmod_to_run(tmp_path, mode):
    path = tmp_path / "outbox.key"
    create_key_file(path)
    path.chmod(mode)
    with pytest.raises(StorageError, match=f"chmod 600 {path}"):
        load_key(path)


def test_key_file_of_the_wrong_length_is_refused(tmp_path):
    path = tmp_path / "outbox.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"x" * 16)
    os.close(fd)
    with pytest.raises(StorageError, match="16 bytes"):
        load_key(path)


def test_missing_key_file_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError, match="provisioning"):
        load_key(tmp_path / "absent.key")


def test_same_plaintext_encrypts_differently_each_time():
    key = OutboxKey.generate()
    assert key.encrypt(b"same", b"ad") != key.encrypt(b"same", b"ad")


@pytest.mark.parametrize("position", [0, 12, -1])
def test_tampered_ciphertext_raises_storage_error(position):
    key = OutboxKey.generate()
    blob = bytearray(key.encrypt(b'{"id":"110101199003074578"}', b"ad"))
    blob[position] ^= 0x80
    with pytest.raises(StorageError):
        key.decrypt(bytes(blob), b"ad")


def test_other_associated_data_raises_storage_error():
    key = OutboxKey.generate()
    with pytest.raises(StorageError):
        key.decrypt(key.encrypt(b"x", b"application/k1"), b"application/k2")


def test_truncated_ciphertext_raises_storage_error():
    with pytest.raises(StorageError, match="too short"):
        OutboxKey.generate().decrypt(b"short", b"ad")


def test_key_repr_shows_no_key_material():
    assert repr(OutboxKey(bytes(range(32)))) == "OutboxKey(<hidden>)"
