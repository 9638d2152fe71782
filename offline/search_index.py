"""Our own search index for service names: Chinese of any length, full pinyin, initials.

Why our own: SQLite 3.40's FTS5 trigram tokenizer finds nothing for 1- and 2-character
queries (户口, 证) and unicode61 does not segment Chinese. One table, ``search_keys``
(field, key, service_id, pos, name_len), holds per service:

- NAME: every suffix of the normalised name ("户口登记", "口登记", "登记", "记"), so a
  range scan ``key >= q AND key < q || U+10FFFF`` finds every name containing q, of any
  length; pos 0 is the whole name, which gives exact and starts-with matches for free;
- PINYIN / INITIALS: every syllable-suffix of the full pinyin ("hukoudengji",
  "koudengji", ...) and of the initials ("hkdj", "kdj", ...), so "hukou", "hu kou",
  "huk", "dengji", "hkdj" and "yb" (in 居民医保...) match at syllable boundaries;
- NAME_BIGRAM: the name's distinct character bigrams;
- TEXT: the distinct unigrams and bigrams of the summary and keywords.

Ranking (tier, then shorter name, then service id, so equal results are stable):
  0 exact: the whole name, its full pinyin or its initials equal the query;
  1 the name (or its pinyin / initials) starts with the query;
  2 the name contains the query (pinyin / initials: from a syllable boundary);
  3 every bigram of the query is in the name (the words in another order);
  4 the summary or keywords contain the query's character (1 character) or all its bigrams.
Lower tiers are only queried when the higher ones have not filled `limit`.

Functions here run inside the caller's transaction (the catalogue writes and the index
writes commit together) and raise sqlite3 errors for the caller's `atomic()` to wrap.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlite_utils

from offline.pinyin_names import initials, syllables

NAME, PINYIN, INITIALS, NAME_BIGRAM, TEXT = 0, 1, 2, 3, 4
MAX_QUERY_CHARS = 64
_TOP = "\U0010ffff"  # sorts after every character: q <= key < q + _TOP means "key starts with q"

SCHEMA = (
    """CREATE TABLE search_keys (
        field INTEGER NOT NULL,
        key TEXT NOT NULL,
        service_id TEXT NOT NULL,
        pos INTEGER NOT NULL,
        name_len INTEGER NOT NULL,
        PRIMARY KEY (field, key, service_id, pos)
    ) WITHOUT ROWID""",
    "CREATE INDEX search_keys_by_service ON search_keys (service_id)",
)


@dataclass(frozen=True)
class IndexEntry:
    """What the index needs from a service."""

    service_id: str
    name: str
    text: str  # summary and keywords


@dataclass(frozen=True)
class IndexHit:
    service_id: str
    tier: int
    field: int  # which kind of key matched best (NAME, PINYIN, ...)


def normalise(text: str) -> str:
    """NFKC, lower case, only letters, digits and marks (no spaces, punctuation, controls).

    Full-width "ＡＢ（证）" and "ab 证" both become "ab证"; lone surrogates disappear,
    so any Python string is safe to bind.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNM")


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _rows(entry: IndexEntry) -> list[tuple[int, str, str, int, int]]:
    name = normalise(entry.name)
    n, sid = len(name), entry.service_id
    rows = {(NAME, name[i:], sid, i, n) for i in range(n)}
    sylls = syllables(name)
    for i in range(len(sylls)):
        rows.add((PINYIN, "".join(sylls[i:]), sid, i, n))
    inits = initials(name)
    for i in range(len(inits)):
        rows.add((INITIALS, inits[i:], sid, i, n))
    rows.update((NAME_BIGRAM, g, sid, 0, n) for g in _bigrams(name))
    text = normalise(entry.text)
    rows.update((TEXT, g, sid, 0, n) for g in set(text) | _bigrams(text))
    return list(rows)


def add(db: sqlite_utils.Database, entries: Iterable[IndexEntry]) -> int:
    """Index `entries` (which must not be indexed already); returns the number of keys."""
    rows = [row for entry in entries for row in _rows(entry)]
    db.conn.executemany(
        "INSERT OR IGNORE INTO search_keys (field, key, service_id, pos, name_len) "
        "VALUES (?, ?, ?, ?, ?)", rows)
    return len(rows)


def replace(db: sqlite_utils.Database, entries: Iterable[IndexEntry]) -> int:
    """Replace the whole index with `entries`; returns the number of keys.

    The by-service index is dropped and rebuilt around the bulk insert (one sort instead
    of millions of scattered B-tree inserts: ~15% faster at 100,000 services). Being DDL
    inside the caller's transaction, it rolls back with everything else.
    """
    db.execute("DROP INDEX IF EXISTS search_keys_by_service")
    clear(db)
    count = add(db, entries)
    db.execute(SCHEMA[1])
    return count


def remove(db: sqlite_utils.Database, service_ids: Iterable[str]) -> None:
    """Drop every key of the given services."""
    db.conn.executemany("DELETE FROM search_keys WHERE service_id = ?",
                        [(sid,) for sid in service_ids])


def clear(db: sqlite_utils.Database) -> None:
    db.execute("DELETE FROM search_keys")


def search(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[IndexHit]:
    """Service ids matching `query`, best first (see the module docstring). Read only."""
    q = normalise(query)[:MAX_QUERY_CHARS]
    if not q or limit <= 0:
        return []
    hits: dict[str, IndexHit] = {}
    # Latin letters/digits may be pinyin or initials; anything else only matches names.
    fields = (NAME, PINYIN, INITIALS) if q.isascii() else (NAME,)
    _name_matches(db, q, fields, limit, hits)
    grams = sorted(_bigrams(q))
    if len(hits) < limit and grams and not q.isascii():
        _all_grams(db, NAME_BIGRAM, grams, 3, limit, hits)
    if len(hits) < limit:
        _all_grams(db, TEXT, grams or [q], 4, limit, hits)
    return list(hits.values())[:limit]


def _name_matches(db: sqlite_utils.Database, q: str, fields: Sequence[int], limit: int,
                  hits: dict[str, IndexHit]) -> None:
    marks = ",".join("?" * len(fields))
    # With one MIN() aggregate SQLite takes the bare column `field` from the row holding
    # the minimum, i.e. the kind of key that gave the best tier.
    rows = db.execute(
        f"""SELECT service_id,
                   MIN(CASE WHEN pos = 0 AND key = ? THEN 0 WHEN pos = 0 THEN 1 ELSE 2 END) AS tier,
                   field, name_len
            FROM search_keys
            WHERE field IN ({marks}) AND key >= ? AND key < ?
            GROUP BY service_id
            ORDER BY tier, name_len, service_id
            LIMIT ?""",
        (q, *fields, q, q + _TOP, limit)).fetchall()
    for sid, tier, field, _ in rows:
        hits.setdefault(sid, IndexHit(sid, tier, field))


def _all_grams(db: sqlite_utils.Database, field: int, grams: list[str], tier: int,
               limit: int, hits: dict[str, IndexHit]) -> None:
    marks = ",".join("?" * len(grams))
    rows = db.execute(
        f"""SELECT service_id, name_len FROM search_keys
            WHERE field = ? AND key IN ({marks})
            GROUP BY service_id HAVING COUNT(*) = ?
            ORDER BY name_len, service_id
            LIMIT ?""",
        (field, *grams, len(grams), limit + len(hits))).fetchall()
    for sid, _ in rows:
        if len(hits) >= limit:
            break
        hits.setdefault(sid, IndexHit(sid, tier, field))
