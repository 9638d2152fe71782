"""No personal field in plain text in the kiosk's files or its log, after real traffic.

The kiosk side is composed as in production (`build_platform_services` from a loaded
configuration, technician log at DEBUG); the platform is the real demo platform on
loopback. A resident is identified by card, applies (accepted), applies while the line is
down (queued, then sent), and one item is refused (parked as a dead letter). Afterwards
every byte under the state folder (databases, WAL files) and the log folder is searched
for the resident's name, ID number and phone, in UTF-8 and UTF-16.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from demo_platform import Faults, create_app, start_in_thread
from hardware.card_reader.id_number import id_check_character
from kiosk.config import load_config
from kiosk.outbox_transport import APPLICATION, RATING
from kiosk.platform_setup import build_platform_services
from kiosk.techlog import setup_logging
from offline.crypto import create_key_file

ID17 = "31022819520314002"
NAME = "王秀英"
ID_NUMBER = ID17 + id_check_character(ID17)
PHONE = "13800000001"


def needles() -> list[bytes]:
    out = []
    for text in (NAME, ID_NUMBER, PHONE):
        out += [text.encode("utf-8"), text.encode("utf-16-le")]
    return out


def wait_for(condition, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_personal_data_never_lands_in_plain_text_in_files_or_log(tmp_path: Path):
    (tmp_path / "platform").mkdir()
    handle = start_in_thread(create_app(tmp_path / "platform" / "platform.db"))
    state, logs = tmp_path / "state", tmp_path / "log"
    key_file = tmp_path / "keys" / "outbox.key"
    key_file.parent.mkdir()
    create_key_file(key_file)
    terminal = tmp_path / "terminal.toml"
    terminal.write_text(
        f'[platform]\nurl = "{handle.base_url}"\nstart_demo_server = false\n'
        f'heartbeat_interval_s = 10\n'
        f'[outbox]\nkey_file = "{key_file}"\n[paths]\nstate_dir = "{state}"\n'
        f'[log]\ndir = "{logs}"\nlevel = "DEBUG"\n', encoding="utf-8")
    config = load_config(terminal, demo=True, environ={})
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    setup_logging(logs, "DEBUG", 1 << 20, 2)
    services = build_platform_services(config, app_version="test")
    services.start()
    try:
        wait_for(lambda: services.link.last_sync_result is not None)
        card = {"name": NAME, "id_number": ID_NUMBER, "gender": "女", "nation": "汉",
                "birth_date": "1952-03-14", "address": "金山区廊下镇中洪村（演示）",
                "issuing_authority": "金山公安分局", "valid_from": "2016-05-10",
                "valid_until": "2036-05-10"}
        profile = services.client.verify_card(card)
        assert NAME not in str(profile) and ID_NUMBER not in str(profile)
        store = services.open_catalogue()
        online = next(s for c in store.categories() for s in store.services_in(c.id)
                      if s.online)
        store.close()
        application = {"service_id": online.id,
                       "applicant": {"name": NAME, "id_number": ID_NUMBER},
                       "answers": {"phone": PHONE}, "materials_provided": []}
        services.link.submit(APPLICATION, application)
        wait_for(lambda: services.outbox.stats().count == 0)
        handle.faults.set(Faults(drop_rate=1.0))
        services.link.submit(APPLICATION, {**application, "answers": {"phone": PHONE,
                                                                      "note": "queued"}})
        wait_for(lambda: not services.connectivity.status.online)
        handle.faults.clear()
        services.client.health()
        wait_for(lambda: services.outbox.stats().count == 0)
        services.link.submit(RATING, {"score": 1, "reason": ""}, personal=True)  # refused
        wait_for(lambda: services.outbox.stats().dead_count == 1)
        applications = handle.store.q1("SELECT count(*) AS n FROM applications "
                                       "WHERE terminal_id = 'DEMO-JS-0001'")["n"]
        assert applications >= 2
    finally:
        services.stop()
        handle.stop()
        for h in list(root.handlers):
            if h not in saved[1]:
                root.removeHandler(h)
                h.close()
        root.setLevel(saved[0])
    files = [p for folder in (state, logs) for p in folder.rglob("*") if p.is_file()]
    assert any(p.name.startswith("outbox.db") for p in files)
    assert any(p.name == "technician.log" for p in files)
    assert (logs / "technician.log").stat().st_size > 0
    leaks = [(p.name, n) for p in files for n in needles() if n in p.read_bytes()]
    assert leaks == []
