"""The catalogue cache: categories, services with guides, centres, help answers, and search.

Every write (`replace_all`, `apply_changes`, `mark_synced`) is one `atomic()` transaction
that also updates the search index and records the version and the sync ETag, so a failed
or interrupted sync leaves the previous catalogue complete and searchable with its own
version. Reads never block on a writer (WAL). Every method raises StorageError when SQLite
fails; `apply_changes` also when the change set does not start from the version held here.
The data classes live in offline.catalogue_model and are re-exported here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields

import sqlite_utils

from common.errors import StorageError
from offline import search_index
from offline.catalogue_model import (CatalogChanges, CatalogSnapshot, Category, Centre,
                                     Guide, GuideCentre, HelpAnswer, SearchHit, Service)
from offline.db import atomic
from offline.migrations import Migration, migrate

__all__ = ["CatalogStore", "CatalogChanges", "CatalogSnapshot", "Category", "Centre", "Guide",
           "GuideCentre", "HelpAnswer", "SearchHit", "Service", "MIGRATIONS"]

SCOPE = "catalogue"


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


def _schema_v2(db: sqlite_utils.Database) -> None:
    # What the platform sends and a resident needs; existing rows get the defaults.
    # (More guide fields need no schema change: the guide column is JSON.)
    for sql in (
        "ALTER TABLE categories ADD COLUMN icon TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE categories ADD COLUMN department TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE centres ADD COLUMN phone TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE centres ADD COLUMN kind TEXT NOT NULL DEFAULT 'service_centre'",
        "ALTER TABLE help_answers ADD COLUMN topic TEXT NOT NULL DEFAULT ''",
    ):
        db.execute(sql)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "catalogue tables and search index", _schema_v1),
    Migration(2, "category icon and department, map point phone and kind, help topic",
              _schema_v2),
)

_SERVICE_COLS = "id, category_id, name, summary, online, cross_province, guide, keywords, sort"
_CATEGORY_COLS = ("id", "name", "sort", "icon", "department")
_CENTRE_COLS = ("id", "name", "address", "hours", "lat", "lon", "phone", "kind")
_ANSWER_COLS = ("id", "question", "answer", "topic")


class CatalogStore:
    """The cached catalogue in `db` (opened with offline.db.open_database).

    Construction applies the catalogue migrations (writes; may block on the write lock).
    One store per connection; a connection is not shared between threads.
    """

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db
        migrate(db, MIGRATIONS, scope=SCOPE)

    def close(self) -> None:
        """Close the connection (the store is unusable afterwards)."""
        self._db.conn.close()

    # --- writes -------------------------------------------------------------------------
    def replace_all(self, snapshot: CatalogSnapshot, *, synced_at: float | None = None,
                    etag: str | None = None) -> None:
        """Replace the whole catalogue with `snapshot`, atomically (all of it or none).

        `etag` is the platform's ETag for this version, recorded in the same transaction;
        None forgets the previous one (it named another version)."""
        with atomic(self._db):
            for table in ("services", "categories", "centres", "help_answers"):
                self._db.execute(f"DELETE FROM {table}")
            _write(self._db, snapshot.categories, snapshot.services, snapshot.centres,
                   snapshot.answers, replace=True)
            self._set_version(snapshot.version, etag, synced_at)

    def apply_changes(self, changes: CatalogChanges, *, synced_at: float | None = None,
                      etag: str | None = None) -> None:
        """Apply a change set atomically. Raises StorageError when `changes.from_version`
        is not the current version (the caller should fetch a full snapshot instead), or
        when a change breaks the catalogue (e.g. deletes a category that keeps services).
        `etag` as in `replace_all` (a change set carries none: the old one is forgotten)."""
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
            self._set_version(changes.to_version, etag, synced_at)

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
    def etag(self) -> str:
        """The platform's ETag of the version held here; "" when not known."""
        return self._meta("etag") or ""

    @property
    def last_sync_at(self) -> float | None:
        value = self._meta("last_sync_at")
        return float(value) if value is not None else None

    def categories(self) -> list[Category]:
        return [Category(*r) for r in self._rows(
            f"SELECT {', '.join(_CATEGORY_COLS)} FROM categories ORDER BY sort, id")]

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
            f"SELECT {', '.join(_CENTRE_COLS)} FROM centres ORDER BY id")]

    def answers(self) -> list[HelpAnswer]:
        return [HelpAnswer(*r) for r in self._rows(
            f"SELECT {', '.join(_ANSWER_COLS)} FROM help_answers ORDER BY id")]

    def counts(self) -> dict[str, int]:
        """Rows per table: categories, services, centres, help_answers."""
        return {t: self._rows(f"SELECT COUNT(*) FROM {t}")[0][0]
                for t in ("categories", "services", "centres", "help_answers")}

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

    def _set_version(self, version: str, etag: str | None, synced_at: float | None) -> None:
        self._set_meta("version", version)
        if etag:
            self._set_meta("etag", etag)
        else:
            self._db.execute("DELETE FROM catalog_meta WHERE key = 'etag'")
        if synced_at is not None:
            self._set_meta("last_sync_at", repr(float(synced_at)))

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
    _upsert(db, "categories", _CATEGORY_COLS,
            [(c.id, c.name, c.sort, c.icon, c.department) for c in categories])
    _write_services(db, services)
    entries = (search_index.IndexEntry(s.id, s.name, " ".join((s.summary, *s.keywords)))
               for s in services)
    (search_index.replace if replace else search_index.add)(db, entries)
    _upsert(db, "centres", _CENTRE_COLS,
            [(c.id, c.name, c.address, c.hours, c.lat, c.lon, c.phone, c.kind)
             for c in centres])
    _upsert(db, "help_answers", _ANSWER_COLS,
            [(a.id, a.question, a.answer, a.topic) for a in answers])


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


_CENTRE_FIELDS = frozenset(f.name for f in fields(GuideCentre))


def _service(row: tuple) -> Service:
    """A service from its row; guides written before a field existed get its default."""
    sid, category_id, name, summary, online, cross, guide_json, keywords_json, sort = row
    g = json.loads(guide_json)
    guide = Guide(conditions=tuple(g.get("conditions", ())),
                  materials=tuple(g.get("materials", ())),
                  fees=g.get("fees", ""), time_limit=g.get("time_limit", ""),
                  where_when=tuple(GuideCentre(**{k: v for k, v in c.items()
                                                  if k in _CENTRE_FIELDS})
                                   for c in g.get("where_when", ())),
                  video_url=g.get("video_url"), department=g.get("department", ""),
                  time_limit_days=g.get("time_limit_days"))
    return Service(sid, category_id, name, summary, bool(online), bool(cross), guide,
                   tuple(json.loads(keywords_json)), sort)
