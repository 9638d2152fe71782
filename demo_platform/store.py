"""The demonstration platform's own SQLite database (stdlib sqlite3, WAL).

One connection guarded by one lock: the demo serves a handful of terminals, and a single
writer keeps idempotency checks and slot counting free of races.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from . import seed_data as sd

DEMO_TERMINAL_ID = "DEMO-JS-0001"
DEMO_TERMINAL_TOKEN = "demo-token-DEMO-JS-0001"   # demo only; documented
SESSION_MINUTES = 30
SLOT_TIMES = ["09:00", "09:30", "10:00", "10:30", "11:00", "13:30", "14:00", "14:30",
              "15:00", "15:30", "16:00"]
SLOT_CAPACITY = 2
CHANGE_HISTORY = 50   # change sets are kept for this many versions; older -> 409

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terminals (
    id TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL, name TEXT NOT NULL,
    last_heartbeat_at TEXT, last_heartbeat TEXT);
CREATE TABLE IF NOT EXISTS heartbeats (
    id INTEGER PRIMARY KEY, terminal_id TEXT NOT NULL, received_at TEXT NOT NULL,
    payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS catalogue_items (
    kind TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS catalogue_items_version ON catalogue_items(version);
CREATE TABLE IF NOT EXISTS residents (
    id_number TEXT PRIMARY KEY, name TEXT NOT NULL, gender TEXT NOT NULL, address TEXT NOT NULL,
    phone TEXT NOT NULL, code_token TEXT UNIQUE NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, id_number TEXT NOT NULL, terminal_id TEXT NOT NULL,
    expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS phone_refs (
    ref_sha256 TEXT PRIMARY KEY, id_number TEXT NOT NULL, terminal_id TEXT NOT NULL,
    expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS licences (
    id TEXT PRIMARY KEY, id_number TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
    number TEXT NOT NULL, issuer TEXT NOT NULL, issued_on TEXT NOT NULL, valid_until TEXT,
    fields TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS benefits (
    id TEXT PRIMARY KEY, id_number TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
    amount TEXT, detail TEXT NOT NULL, proactive INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS appointments (
    id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, id_number TEXT NOT NULL,
    service_id TEXT NOT NULL, centre_id TEXT NOT NULL, day TEXT NOT NULL, time TEXT NOT NULL,
    status TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS appointments_slot ON appointments(service_id, centre_id, day, time);
CREATE TABLE IF NOT EXISTS applications (
    id TEXT PRIMARY KEY, number TEXT UNIQUE NOT NULL, terminal_id TEXT NOT NULL,
    id_number TEXT NOT NULL, service_id TEXT NOT NULL, payload TEXT NOT NULL,
    status TEXT NOT NULL, submitted_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS application_attachments (
    id INTEGER PRIMARY KEY, application_id TEXT NOT NULL, material TEXT NOT NULL,
    content_type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS attachments_app ON application_attachments(application_id);
CREATE TABLE IF NOT EXISTS application_events (
    id INTEGER PRIMARY KEY, application_id TEXT NOT NULL, at TEXT NOT NULL,
    status TEXT NOT NULL, title TEXT NOT NULL, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ratings (
    id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS help_requests (
    id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, payload TEXT NOT NULL,
    status TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    terminal_id TEXT NOT NULL, key TEXT NOT NULL, endpoint TEXT NOT NULL,
    request_sha256 TEXT NOT NULL, status INTEGER NOT NULL, response TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (terminal_id, key));
"""


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def iso(t: dt.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def id_number_valid(value: str) -> bool:
    v = value.strip().upper()
    return (len(v) == 18 and v[:17].isdigit() and (v[17].isdigit() or v[17] == "X")
            and id_check_char(v[:17]) == v[17])


def mask_name(name: str) -> str:
    n = name.strip()
    if len(n) <= 1:
        return "*" * len(n)
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]


def mask_id(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


class Store:
    def __init__(self, path: str, seed: bool = True) -> None:
        self.path = str(path)
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.conn.executescript(SCHEMA)
        from .offline_codes import migrate  # its tables; residents.disabled on an older file

        upgraded = migrate(self.conn)
        from .agents import install as install_agents  # 村居代办: its tables and demo agents

        install_agents(self.conn, seed=seed)
        if seed and self.meta("catalogue_version") is None:
            self.seed()
        elif seed and upgraded:
            with self.tx() as c:
                self._seed_residents(c)  # the sample residents added since, and their flags

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    def q(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, args).fetchall()

    def q1(self, sql: str, *args: Any) -> sqlite3.Row | None:
        rows = self.q(sql, *args)
        return rows[0] if rows else None

    def meta(self, key: str) -> str | None:
        row = self.q1("SELECT value FROM meta WHERE key = ?", key)
        return row["value"] if row else None

    def _set_meta(self, c: sqlite3.Connection, key: str, value: Any) -> None:
        c.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                  "SET value = excluded.value", (key, str(value)))

    # -- terminals ------------------------------------------------------------------------

    def add_terminal(self, terminal_id: str, token: str, name: str = "") -> None:
        with self.tx() as c:
            c.execute("INSERT OR REPLACE INTO terminals(id, token_sha256, name) VALUES (?, ?, ?)",
                      (terminal_id, sha256(token), name or terminal_id))

    def terminal_token_ok(self, terminal_id: str, token: str) -> bool:
        row = self.q1("SELECT token_sha256 FROM terminals WHERE id = ?", terminal_id)
        return row is not None and secrets.compare_digest(row["token_sha256"], sha256(token))

    def record_heartbeat(self, terminal_id: str, payload: dict) -> str:
        at = iso(now())
        text = json.dumps(payload, ensure_ascii=False)
        with self.tx() as c:
            c.execute("INSERT INTO heartbeats(terminal_id, received_at, payload) VALUES (?, ?, ?)",
                      (terminal_id, at, text))
            c.execute("UPDATE terminals SET last_heartbeat_at = ?, last_heartbeat = ? WHERE id = ?",
                      (at, text, terminal_id))
        return at

    # -- catalogue ------------------------------------------------------------------------

    @property
    def catalogue_version(self) -> int:
        return int(self.meta("catalogue_version") or 0)

    @property
    def oldest_change_version(self) -> int:
        return int(self.meta("oldest_change_version") or 0)

    def catalogue_items(self, kind: str) -> list[dict]:
        rows = self.q("SELECT payload FROM catalogue_items WHERE kind = ? AND deleted = 0 "
                      "ORDER BY rowid", kind)
        return [json.loads(r["payload"]) for r in rows]

    def catalogue_item(self, kind: str, item_id: str) -> dict | None:
        row = self.q1("SELECT payload FROM catalogue_items WHERE kind = ? AND id = ? AND deleted = 0",
                      kind, item_id)
        return json.loads(row["payload"]) if row else None

    def catalogue_changes(self, since: int) -> tuple[list[tuple[str, dict]], list[tuple[str, str]]]:
        rows = self.q("SELECT kind, id, payload, deleted FROM catalogue_items WHERE version > ? "
                      "ORDER BY version, rowid", since)
        upserts = [(r["kind"], json.loads(r["payload"])) for r in rows if not r["deleted"]]
        deletions = [(r["kind"], r["id"]) for r in rows if r["deleted"]]
        return upserts, deletions

    def change_catalogue(self, upserts: list[tuple[str, dict]] = (),
                         deletions: list[tuple[str, str]] = ()) -> int:
        """Apply one change to the catalogue as a new version; returns that version.

        Used by the demo's seeding and by tests standing in for the district's editors.
        """
        with self.tx() as c:
            version = int(self._meta_c(c, "catalogue_version") or 0) + 1
            for kind, item in upserts:
                item = dict(item)
                item["version"] = version
                c.execute("INSERT INTO catalogue_items(kind, id, payload, version, deleted) "
                          "VALUES (?, ?, ?, ?, 0) ON CONFLICT(kind, id) DO UPDATE SET "
                          "payload = excluded.payload, version = excluded.version, deleted = 0",
                          (kind, item["id"], json.dumps(item, ensure_ascii=False), version))
            for kind, item_id in deletions:
                c.execute("UPDATE catalogue_items SET deleted = 1, version = ? "
                          "WHERE kind = ? AND id = ?", (version, kind, item_id))
            self._set_meta(c, "catalogue_version", version)
            self._set_meta(c, "catalogue_updated_at", iso(now()))
            oldest = max(0, version - CHANGE_HISTORY)
            if oldest > int(self._meta_c(c, "oldest_change_version") or 0):
                # Forget tombstones older than the kept history: such clients must re-fetch.
                c.execute("DELETE FROM catalogue_items WHERE deleted = 1 AND version <= ?", (oldest,))
                self._set_meta(c, "oldest_change_version", oldest)
        return version

    def compact_changes(self) -> None:
        """Forget every change set: any ``since`` older than the current version gets 409."""
        with self.tx() as c:
            v = int(self._meta_c(c, "catalogue_version") or 0)
            c.execute("DELETE FROM catalogue_items WHERE deleted = 1")
            self._set_meta(c, "oldest_change_version", v)

    @staticmethod
    def _meta_c(c: sqlite3.Connection, key: str) -> str | None:
        row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- idempotency ----------------------------------------------------------------------

    def idempotent(self, terminal_id: str, key: str, endpoint: str, request: Any,
                   create: Callable[[sqlite3.Connection], tuple[int, dict]]
                   ) -> tuple[int, dict, bool]:
        """Run ``create`` once per (terminal, key); replays return the stored response.

        Returns (status, body, replayed). A key reused with a different request or endpoint
        raises ``KeyError`` with the reason.
        """
        digest = sha256(json.dumps(request, sort_keys=True, ensure_ascii=False))
        with self.tx() as c:
            row = c.execute("SELECT endpoint, request_sha256, status, response FROM idempotency "
                            "WHERE terminal_id = ? AND key = ?", (terminal_id, key)).fetchone()
            if row is not None:
                if row["endpoint"] != endpoint or row["request_sha256"] != digest:
                    raise KeyError(f"Idempotency-Key {key!r} was already used for a different "
                                   f"request ({row['endpoint']})")
                return row["status"], json.loads(row["response"]), True
            status, body = create(c)
            if status < 400:
                c.execute("INSERT INTO idempotency(terminal_id, key, endpoint, request_sha256, "
                          "status, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (terminal_id, key, endpoint, digest, status,
                           json.dumps(body, ensure_ascii=False), iso(now())))
            return status, body, False

    # -- seeding --------------------------------------------------------------------------

    def seed(self) -> None:
        from .catalogue import build_catalogue
        self.add_terminal(DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN, "演示终端（廊下镇中洪村）")
        items = build_catalogue()
        self.change_catalogue(upserts=items)
        with self.tx() as c:
            self._seed_residents(c)

    def _seed_residents(self, c: sqlite3.Connection) -> None:
        today = now().date()
        for i, (first17, name, gender, address, phone, code, disabled) in enumerate(
                sd.RESIDENTS, start=1):
            idn = first17 + id_check_char(first17)
            c.execute("INSERT INTO residents VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id_number) "
                      "DO UPDATE SET disabled = excluded.disabled",
                      (idn, name, gender, address, phone, code, int(disabled)))
            birth = dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
            age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
            lic = [
                ("ID", "居民身份证（电子证照）", idn, "金山公安分局", "2016-05-10", "2036-05-10",
                 {"姓名": name, "性别": gender, "住址": address}),
                ("HK", "居民户口簿（电子证照）", f"HK{3100+i:04d}{i:06d}", "金山公安分局",
                 "2010-03-01", None, {"户主": name, "住址": address}),
                ("SSC", "社会保障卡（电子凭证）", f"SSC{i:09d}", "上海市人力资源和社会保障局",
                 "2019-08-20", "2029-08-20", {"姓名": name, "卡状态": "正常"}),
            ]
            if i == 3:
                lic.append(("MAR", "结婚证（电子证照）", f"J310116-2012-{i:06d}", "金山区婚姻登记处",
                            "2012-10-01", None, {"持证人": name, "登记日期": "2012-10-01"}))
            if disabled:
                lic.append(("DIS", "中华人民共和国残疾人证（电子证照）", idn + "42", "金山区残疾人联合会",
                            "2018-04-01", "2028-04-01", {"残疾类别": "肢体", "残疾等级": "二级"}))
            for j, (kind, title, number, issuer, issued, valid, fields) in enumerate(lic, start=1):
                c.execute("INSERT OR IGNORE INTO licences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (f"LIC-{i:02d}-{j:02d}", idn, kind, title, number, issuer, issued, valid,
                           json.dumps(fields, ensure_ascii=False)))
            benefits = [("医保个人账户划入", "已享受", "每月划入", "按月自动划入医保个人账户", 1)]
            if age >= 65:
                benefits.append(("老年人综合津贴", "已享受", "每月75元起",
                                 "年满65周岁自动发放至社会保障卡（免申即享）", 1))
            if age >= 60:
                benefits.append(("老年人免费体检", "可预约", None, "每年一次，社区卫生服务中心", 1))
            if age >= 80:
                benefits.append(("高龄老人营养补贴", "待发放", "每月", "下月发放（免申即享）", 1))
            if i == 5:
                benefits.append(("重度残疾人护理补贴", "已享受", "每月", "按月发放", 1))
            if i == 4:
                benefits.append(("灵活就业社保补贴", "需申请", None, "符合条件可在线申请", 0))
            for j, (bname, status, amount, detail, proactive) in enumerate(benefits, start=1):
                c.execute("INSERT OR IGNORE INTO benefits VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (f"BEN-{i:02d}-{j:02d}", idn, bname, status, amount, detail, proactive))
        # One application in progress for the first resident.
        first = sd.RESIDENTS[0][0] + id_check_char(sd.RESIDENTS[0][0])
        if c.execute("SELECT 1 FROM applications WHERE id = 'APP-SEED-0001'").fetchone() is None:
            at = iso(now() - dt.timedelta(days=3))
            c.execute("INSERT INTO applications VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      ("APP-SEED-0001", "JS2026000001", DEMO_TERMINAL_ID, first, "JS-YL-001",
                       "{}", "reviewing", at))
            for status, title, note in [("submitted", "已提交", "自助终端提交"),
                                        ("accepted", "已受理", "廊下镇社区事务受理服务中心已受理"),
                                        ("reviewing", "审核中", "区民政局审核中")]:
                c.execute("INSERT INTO application_events(application_id, at, status, title, note) "
                          "VALUES (?, ?, ?, ?, ?)", ("APP-SEED-0001", at, status, title, note))
