"""At-rest encryption for the outbox: AES-256-GCM under a key file made at provisioning.

The key file holds exactly 32 random bytes, owned by the kiosk user with mode 0600. It is
created once (`create_key_file`, never overwriting) and loaded at start (`load_key`), which
refuses a file that group or others could read or write, or of the wrong length.

Every ciphertext is ``nonce (12 bytes) || AES-GCM(ciphertext + tag)``. The associated data
names the outbox row it belongs to (kind + idempotency key), so a ciphertext copied into
another row fails authentication instead of being sent under the wrong key.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from common.errors import StorageError

KEY_BYTES = 32
NONCE_BYTES = 12
_TAG_BYTES = 16


class OutboxKey:
    """An AES-256-GCM key. Never printed: ``repr`` shows no key material."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise StorageError(f"outbox key must be {KEY_BYTES} bytes, got {len(key)}")
        self._aead = AESGCM(key)

    @classmethod
    def generate(cls) -> OutboxKey:
        """A fresh random key held only in memory (tests and benchmarks)."""
        return cls(AESGCM.generate_key(bit_length=KEY_BYTES * 8))

    def __repr__(self) -> str:
        return "OutboxKey(<hidden>)"

    def encrypt(self, plaintext: bytes, associated: bytes) -> bytes:
        """Encrypt with a fresh random 12-byte nonce, returned as its prefix. Does not block."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated)

    def decrypt(self, blob: bytes, associated: bytes) -> bytes:
        """Authenticate and decrypt `blob`.

        Raises StorageError when the blob is truncated, was altered, was made under another
        key, or belongs to another row (different associated data).
        """
        if len(blob) < NONCE_BYTES + _TAG_BYTES:
            raise StorageError(f"encrypted outbox payload too short ({len(blob)} bytes)")
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated)
        except InvalidTag as exc:
            raise StorageError(
                "encrypted outbox payload failed authentication (altered, moved between "
                "rows, or made under another key)") from exc


def create_key_file(path: str | os.PathLike[str]) -> None:
    """Write a new random key to `path` with mode 0600; refuse to replace an existing key.

    Atomic: the key is written to a temporary file in the same folder, fsynced, then
    hard-linked into place (a link, unlike a rename, fails if `path` exists, so a second
    provisioning run can never destroy the key that encrypts queued submissions). The
    folder is fsynced afterwards. Raises StorageError if `path` exists or on any OS error.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)  # independent of the umask
            os.write(fd, os.urandom(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, target)
        except FileExistsError as exc:
            raise StorageError(
                f"outbox key file {target} already exists; refusing to overwrite it "
                "(queued personal submissions are encrypted under it)") from exc
        _fsync_dir(target.parent)
    except OSError as exc:
        raise StorageError(f"cannot create outbox key file {target}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def load_key(path: str | os.PathLike[str]) -> OutboxKey:
    """Read the key file at `path`.

    Raises StorageError, with the command a technician should run, when the file is missing,
    is not a regular file, has any group/other permission bits, or is not 32 bytes long.
    """
    target = Path(path)
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError as exc:
        raise StorageError(
            f"outbox key file {target} is missing; it is created at provisioning") from exc
    except OSError as exc:
        raise StorageError(f"cannot open outbox key file {target}: {exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StorageError(f"outbox key file {target} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise StorageError(
                f"outbox key file {target} has mode {mode:04o}: group or others may read "
                f"it; run `chmod 600 {target}` (owner: the kiosk user) and restart")
        data = os.read(fd, KEY_BYTES + 1)
    except OSError as exc:
        raise StorageError(f"cannot read outbox key file {target}: {exc}") from exc
    finally:
        os.close(fd)
    if len(data) != KEY_BYTES:
        raise StorageError(
            f"outbox key file {target} holds {len(data)} bytes, expected {KEY_BYTES}; "
            "it is damaged or not an outbox key")
    return OutboxKey(data)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
