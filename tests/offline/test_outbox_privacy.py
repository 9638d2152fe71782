"""Personal payloads are never written in plain text: not in the database, its WAL, or
the log."""

from __future__ import annotations

import logging

from offline.crypto import OutboxKey
from offline.outbox import Outbox
from offline.outbox_sender import OutboxSender, RejectedSendError, RetryableSendError
from tests.clocks import FakeClock

NAME = "欧阳小明"
ID_NUMBER = "110101199003074578"
PHONE = "13812345678"


def secrets():
    return [NAME.encode("utf-8"), NAME.encode("utf-16-le"), ID_NUMBER.encode(),
            ID_NUMBER.encode("utf-16-le"), PHONE.encode()]


def files_bytes(tmp_path):
    return {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("o.db")}


def test_personal_fields_never_reach_the_database_wal_or_log(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    clock = FakeClock()
    box = Outbox(tmp_path / "o.db", OutboxKey.generate(), clock=clock, rand=lambda: 0.5)
    payload = {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "note": f"{NAME}的申请"}
    for n in range(3):
        box.enqueue("application", payload | {"n": n}, personal=True, key=f"k{n}")
    box.enqueue("help_request", payload, personal=True, key="help")

    # errors from the platform that echo personal data back are stored redacted
    def send(item):
        if item.key == "k0":
            raise RetryableSendError(f"busy while checking {ID_NUMBER} / {PHONE}")
        raise RejectedSendError(f"422 {ID_NUMBER} not found")

    OutboxSender(box, send, clock=clock).flush()
    clock.advance(10)
    box.enqueue("rating", payload, personal=True, key="rating")

    during = files_bytes(tmp_path)
    assert "o.db-wal" in during and len(during["o.db-wal"]) > 0
    box.close()
    after = files_bytes(tmp_path)
    for name, data in list(during.items()) + list(after.items()):
        for secret in secrets():
            assert secret not in data, f"{secret!r} in {name}"
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    for text in (NAME, ID_NUMBER, PHONE):
        assert text not in logged


def test_the_check_would_see_plain_text(tmp_path):
    """Guards the test above: a non-personal payload is stored readable."""
    box = Outbox(tmp_path / "o.db", None)
    box.enqueue("heartbeat", {"name": NAME, "id_number": ID_NUMBER}, personal=False)
    data = b"".join(files_bytes(tmp_path).values())
    box.close()
    assert NAME.encode() in data and ID_NUMBER.encode() in data


def test_item_repr_hides_the_payload(tmp_path):
    box = Outbox(tmp_path / "o.db", OutboxKey.generate())
    item = box.enqueue("application", {"name": NAME}, personal=True)
    box.close()
    assert NAME not in repr(item) and NAME not in str(item)
