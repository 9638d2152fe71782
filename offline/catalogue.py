"""The catalogue cache: categories, services with guides, centres, help answers, and search.

Every write (`replace_all`, `apply_changes`, `mark_synced`) is one `atomic()` transaction
that also updates the search index, so a failed or interrupted sync leaves the previous
catalogue complete and searchable. Reads never block on a writer (WAL). Every method
raises StorageError when SQLite fails; `apply_changes` also when the change set does not
start from the version held here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import sqlite_utils

from common.errors import StorageError
from offline import search_index
from offline.db import atomic
from offline.migrations import Migration, migrate

SCOPE = "catalogue"


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    sort: int = 0


@dataclass(frozen=True)
class GuideCentre:
    """Where and when a service is handled."""

    name: str
    address: str
    hours: str


@dataclass(frozen=True)
class Guide:
    conditions: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    fees: str = ""
    time_limit: str = ""
    where_when: tuple[GuideCentre, ...] = ()
    video_url: str | None = None


@dataclass(frozen=True)
class Service:
    id: str
    category_id: str
    name: str
    summary: str = ""
    online: bool = False
    cross_province: bool = False
    guide: Guide = field(default_factory=Guide)
    keywords: tuple[str, ...] = ()
    sort: int = 0


@dataclass(frozen=True)
class Centre:
    """A point on the service map."""

    id: str
    name: str
    address: str
    hours: str
    lat: float
    lon: float


@dataclass(frozen=True)
class HelpAnswer:
    id: str
    question: str
    answer: str


@dataclass(frozen=True)
class CatalogSnapshot:
    version: str
    categories: tuple[Category, ...] = ()
    services: tuple[Service, ...] = ()
    centres: tuple[Centre, ...] = ()
    answers: tuple[HelpAnswer, ...] = ()


@dataclass(frozen=True)
class CatalogChanges:
    """Upserts and deletions taking the catalogue from `from_version` to `to_version`."""

    from_version: str
    to_version: str
    categories: tuple[Category, ...] = ()
    services: tuple[Service, ...] = ()
    centres: tuple[Centre, ...] = ()
    answers: tuple[HelpAnswer, ...] = ()
    deleted_categories: tuple[str, ...] = ()
    deleted_services: tuple[str, ...] = ()
    deleted_centres: tuple[str, ...] = ()
    deleted_answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchHit:
    """One search result. `tier` 0 is best (see offline.search_index); `matched_on` says
    which kind of key matched: name, pinyin, initials, name_words or summary."""

    service_id: str
    name: str
    category_id: str
    summary: str
    online: bool
    tier: int
    matched_on: str


_MATCHED_ON = {search_index.NAME: "name", search_index.PINYIN: "pinyin",
               search_index.INITIALS: "initials", search_index.NAME_BIGRAM: "name_words",
               search_index.TEXT: "summary"}


def _schema_v1(db: sqlite_utils.Database) -> None:
    for sql in (
        "CREATE TABLE catalog_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE categories (id TEXT PRIMARY KEY, name TEXT NOT NULL, sort INTEGER NOT NULL)",
        """CREATE TABLE services (id TEXT PRIMARY KEY,
               category_id TEXT NOT NULL REFERENCES categories (id),
               name TEXT NOT NULL, summary TEXT NOT NULL, online INTEGER NOT NULL,
               cross_province INTEGER NOT NULL, guide TEXT NOT NULL, keywords TEXT NOT NULL,
               sort INTEGER NOT NULL)""",
        "CREATE INDEX services_by_category ON services (category_id, sort, id)",
        """CREATE TABLE centres (id TEXT PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL,
               hours TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL)""",
        """CREATE TABLE help_answers (id TEXT PRIMARY KEY, question TEXT NOT NULL,
               answer TEXT NOT NULL)""",
        *search_index.SCHEMA,
    ):
        db.execute(sql)


MIGRATIONS: tuple[Migration, ...] = (Migration(1, "catalogue tables and search index", _schema_v1),)

_SERVICE_COLS = "id, category_id, name, summary, online, cross_province, guide, keywords, sort"


class CatalogStore:
    """The cached catalogue in `db` (opened with offline.db.open_database).

    Construction applies the catalogue migrations (writes; may block on the write lock).
    One store per connection; a connection is not shared between threads.
    """

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db
        migrate(db, MIGRATIONS, scope=SCOPE)

    # --- writes -------------------------------------------------------------------------
    def replace_all(self, snapshot: CatalogSnapshot, *, synced_at: float | None = None) -> None:
        """Replace the whole catalogue with `snapshot`, atomically (all of it or none)."""
        with atomic(self._db):
            for table in ("services", "categories", "centres", "help_answers"):
                self._db.execute(f"DELETE FROM {table}")
            _write(self._db, snapshot.categories, snapshot.services, snapshot.centres,
                   snapshot.answers, replace=True)
            self._set_meta("version", snapshot.version)
            if synced_at is not None:
                self._set_meta("last_sync_at", repr(float(synced_at)))

    def apply_changes(self, changes: CatalogChanges, *, synced_at: float | None = None) -> None:
        """Apply a change set atomically. Raises StorageError when `changes.from_version`
        is not the current version (the caller should fetch a full snapshot instead), or
        when a change breaks the catalogue (e.g. deletes a category that keeps services)."""
        with atomic(self._db):
            current = self.version
            if changes.from_version != current:
                raise StorageError(f"catalogue change set starts at version "
                                   f"{changes.from_version!r} but this terminal has {current!r}")
            db = self._db
            replaced = [s.id for s in changes.services] + list(changes.deleted_services)
            search_index.remove(db, replaced)
            _delete(db, "services", changes.deleted_services)
            _write(db, changes.categories, changes.services, changes.centres, changes.answers)
            _delete(db, "categories", changes.deleted_categories)
            _delete(db, "centres", changes.deleted_centres)
            _delete(db, "help_answers", changes.deleted_answers)
            self._set_meta("version", changes.to_version)
            if synced_at is not None:
                self._set_meta("last_sync_at", repr(float(synced_at)))

    def mark_synced(self, at: float) -> None:
        """Record `at` (epoch seconds) as the time of the last good sync (even a 304)."""
        with atomic(self._db):
            self._set_meta("last_sync_at", repr(float(at)))

    # --- reads --------------------------------------------------------------------------
    @property
    def version(self) -> str:
        """The catalogue version held here; "" before the first sync."""
        return self._meta("version") or ""

    @property
    def last_sync_at(self) -> float | None:
        value = self._meta("last_sync_at")
        return float(value) if value is not None else None

    def categories(self) -> list[Category]:
        return [Category(*r) for r in self._rows(
            "SELECT id, name, sort FROM categories ORDER BY sort, id")]

    def services_in(self, category_id: str) -> list[Service]:
        return [_service(r) for r in self._rows(
            f"SELECT {_SERVICE_COLS} FROM services WHERE category_id = ? ORDER BY sort, id",
            (category_id,))]

    def service(self, service_id: str) -> Service | None:
        rows = self._rows(f"SELECT {_SERVICE_COLS} FROM services WHERE id = ?", (service_id,))
        return _service(rows[0]) if rows else None

    def cross_province_services(self) -> list[Service]:
        return [_service(r) for r in self._rows(
            f"SELECT {_SERVICE_COLS} FROM services WHERE cross_province ORDER BY sort, id")]

    def centres(self) -> list[Centre]:
        return [Centre(*r) for r in self._rows(
            "SELECT id, name, address, hours, lat, lon FROM centres ORDER BY id")]

    def answers(self) -> list[HelpAnswer]:
        return [HelpAnswer(*r) for r in self._rows(
            "SELECT id, question, answer FROM help_answers ORDER BY id")]

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Services matching `query` (Chinese, pinyin, pinyin prefix or initials), best first."""
        try:
            hits = search_index.search(self._db, query, limit)
            if not hits:
                return []
            marks = ",".join("?" * len(hits))
            found = {r[0]: r for r in self._db.execute(
                "SELECT id, name, category_id, summary, online FROM services "
                f"WHERE id IN ({marks})",
                [h.service_id for h in hits]).fetchall()}
        except sqlite3.Error as exc:
            raise StorageError(f"catalogue search failed: {exc}") from exc
        # A hit whose service vanished (a concurrent sync between the two reads) is dropped.
        return [SearchHit(h.service_id, row[1], row[2], row[3], bool(row[4]), h.tier,
                          _MATCHED_ON[h.field])
                for h in hits if (row := found.get(h.service_id)) is not None]

    # --- helpers ------------------------------------------------------------------------
    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"catalogue read failed: {exc}") from exc

    def _meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM catalog_meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT INTO catalog_meta (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def _write(db: sqlite_utils.Database, categories: Iterable[Category],
           services: Sequence[Service], centres: Iterable[Centre],
           answers: Iterable[HelpAnswer], *, replace: bool = False) -> None:
    """Upsert rows and index the services; runs inside the caller's transaction."""
    ids = [s.id for s in services]
    if len(set(ids)) != len(ids):
        raise StorageError("catalogue data lists a service id twice; refusing it")
    _upsert(db, "categories", ("id", "name", "sort"),
            [(c.id, c.name, c.sort) for c in categories])
    _write_services(db, services)
    entries = (search_index.IndexEntry(s.id, s.name, " ".join((s.summary, *s.keywords)))
               for s in services)
    (search_index.replace if replace else search_index.add)(db, entries)
    _upsert(db, "centres", ("id", "name", "address", "hours", "lat", "lon"),
            [(c.id, c.name, c.address, c.hours, c.lat, c.lon) for c in centres])
    _upsert(db, "help_answers", ("id", "question", "answer"),
            [(a.id, a.question, a.answer) for a in answers])


def _write_services(db: sqlite_utils.Database, services: Iterable[Service]) -> None:
    _upsert(db, "services", tuple(_SERVICE_COLS.split(", ")),
            [(s.id, s.category_id, s.name, s.summary, int(s.online), int(s.cross_province),
              json.dumps(asdict(s.guide), ensure_ascii=False),
              json.dumps(list(s.keywords), ensure_ascii=False), s.sort) for s in services])


def _upsert(db: sqlite_utils.Database, table: str, cols: tuple[str, ...],
            rows: list[tuple]) -> None:
    if not rows:
        return
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
    db.conn.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}", rows)


def _delete(db: sqlite_utils.Database, table: str, ids: Iterable[str]) -> None:
    db.conn.executemany(f"DELETE FROM {table} WHERE id = ?", [(i,) for i in ids])


def _service(row: tuple) -> Service:
    sid, category_id, name, summary, online, cross, guide_json, keywords_json, sort = row
    g = json.loads(guide_json)
    guide = Guide(conditions=tuple(g.get("conditions", ())),
                  materials=tuple(g.get("materials", ())),
                  fees=g.get("fees", ""), time_limit=g.get("time_limit", ""),
                  where_when=tuple(GuideCentre(**c) for c in g.get("where_when", ())),
                  video_url=g.get("video_url"))
    return Service(sid, category_id, name, summary, bool(online), bool(cross), guide,
                   tuple(json.loads(keywords_json)), sort)
