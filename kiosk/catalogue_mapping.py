"""Platform catalogue JSON (docs/platform-api.md, "Catalogue") -> the offline store's types.

Pure functions: nothing blocks, nothing is written. `snapshot_from_json` takes the body of
``GET /catalogue``, `changes_from_json` the body of ``GET /catalogue/changes``. Versions
are integers on the wire and strings in the store (``12`` -> ``"12"``).

The whole body is checked before anything is returned, so a malformed answer is refused
as a whole (`CatalogueFormatError`, naming the item and the field) and never half-applied.
Fields this code does not know are ignored, as the contract asks. Checked: required fields
present with the contract's types (a bool is not accepted as a number, nor a number as a
bool), identifiers non-empty and unique per kind, coordinates finite and in range, a
snapshot's services naming one of its categories, a change set not both upserting and
deleting one item, and its `version` not behind its `since`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from common.errors import PlatformError
from offline.catalogue_model import (CatalogChanges, CatalogSnapshot, Category, Centre,
                                     Guide, GuideCentre, HelpAnswer, Service)

T = TypeVar("T")

# Deletion kinds on the wire -> the CatalogChanges field they fill.
# SQLite's INTEGER range: a larger number would pass the mapping and crash the store.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

DELETION_KINDS = {"category": "deleted_categories", "service": "deleted_services",
                  "map_point": "deleted_centres", "help_answer": "deleted_answers"}


class CatalogueFormatError(PlatformError):
    """The platform's catalogue answer does not follow the contract; nothing was applied.

    `item` names what was wrong ("service JS-HJ-001", "services[3]", "catalogue"),
    `field` the field ("" for the item as a whole)."""

    def __init__(self, item: str, field: str, problem: str) -> None:
        self.item = item
        self.field = field
        self.problem = problem
        where = f"{item}, field {field!r}" if field else item
        super().__init__(f"catalogue format: {where}: {problem}")


class _Item:
    """One JSON object being read, with the name to blame when a field is wrong."""

    def __init__(self, data: Any, name: str) -> None:
        if not isinstance(data, Mapping):
            raise CatalogueFormatError(name, "", f"expected an object, got {_kind(data)}")
        self.data = data
        self.name = name

    def fail(self, field: str, problem: str) -> CatalogueFormatError:
        return CatalogueFormatError(self.name, field, problem)

    def _get(self, field: str, required: bool, default: Any) -> Any:
        if field not in self.data:
            if required:
                raise self.fail(field, "missing")
            return default
        return self.data[field]

    def str(self, field: str, *, required: bool = True, default: str = "",
            nonempty: bool = False) -> str:
        value = self._get(field, required, default)
        if not isinstance(value, str):
            raise self.fail(field, f"expected a string, got {_kind(value)}")
        if nonempty and not value.strip():
            raise self.fail(field, "must not be empty")
        return value

    def opt_str(self, field: str) -> str | None:
        value = self._get(field, False, None)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(field, f"expected a string or null, got {_kind(value)}")
        return value

    def int(self, field: str, *, required: bool = True, default: int = 0,
            minimum: int | None = None) -> int:
        value = self._get(field, required, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"expected an integer, got {_kind(value)}")
        if not INT_MIN <= value <= INT_MAX:  # the store is SQLite: beyond this it overflows
            raise self.fail(field, f"must be within {INT_MIN}..{INT_MAX}")
        if minimum is not None and value < minimum:
            raise self.fail(field, f"must be at least {minimum}, got {value}")
        return value

    def float(self, field: str, low: float, high: float) -> float:
        value = self._get(field, True, None)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(field, f"expected a number, got {_kind(value)}")
        if not math.isfinite(value) or not low <= value <= high:
            raise self.fail(field, f"must be within {low}..{high}, got {value}")
        return float(value)

    def bool(self, field: str) -> bool:
        value = self._get(field, True, None)
        if not isinstance(value, bool):
            raise self.fail(field, f"expected true or false, got {_kind(value)}")
        return value

    def list(self, field: str, *, required: bool = True) -> list[Any]:
        value = self._get(field, required, [])
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list, got {_kind(value)}")
        return value

    def strings(self, field: str, *, required: bool = True) -> tuple[str, ...]:
        values = self.list(field, required=required)
        for n, v in enumerate(values):
            if not isinstance(v, str):
                raise self.fail(f"{field}[{n}]", f"expected a string, got {_kind(v)}")
        return tuple(values)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


# --- items ------------------------------------------------------------------------------
def category_from_json(item: _Item) -> Category:
    cid = item.str("id", nonempty=True)
    item.name = f"category {cid}"
    return Category(cid, item.str("name", nonempty=True),
                    item.int("sort", required=False), item.str("icon", required=False),
                    item.str("department", required=False))


def material_text(name: str, original: bool, copies: int, note: str) -> str:
    """One readable line of the materials list: 居民身份证（原件1份）, with the note after."""
    form = "原件" if original else "复印件"
    text = f"{name}（{form}{copies}份）" if copies > 0 else f"{name}（{form}）"
    return f"{text}，{note}" if note.strip() else text


def _material(data: Any, owner: _Item, n: int) -> str:
    m = _Item(data, f"{owner.name} materials[{n}]")
    return material_text(m.str("name", nonempty=True), _opt_bool(m, "original", True),
                         m.int("copies", required=False, default=1, minimum=0),
                         m.str("note", required=False))


def _opt_bool(item: _Item, field: str, default: bool) -> bool:
    return item.bool(field) if field in item.data else default


def _place(data: Any, owner: _Item, n: int) -> GuideCentre:
    p = _Item(data, f"{owner.name} where[{n}]")
    return GuideCentre(name=p.str("name", nonempty=True), address=p.str("address"),
                       hours=p.str("hours"), phone=p.str("phone", required=False),
                       centre_id=p.str("centre_id", required=False))


def service_from_json(item: _Item) -> Service:
    sid = item.str("id", nonempty=True)
    item.name = f"service {sid}"
    guide = Guide(
        conditions=item.strings("conditions"),
        materials=tuple(_material(m, item, n) for n, m in enumerate(item.list("materials"))),
        fees=item.str("fee"), time_limit=item.str("time_limit"),
        where_when=tuple(_place(p, item, n) for n, p in enumerate(item.list("where"))),
        video_url=item.opt_str("guide_video_url"), department=item.str("department"),
        time_limit_days=item.int("time_limit_days", minimum=0))
    return Service(sid, item.str("category_id", nonempty=True), item.str("name", nonempty=True),
                   item.str("summary"), item.bool("online"), item.bool("cross_province"),
                   guide, item.strings("keywords", required=False),
                   item.int("sort", required=False))


def centre_from_json(item: _Item) -> Centre:
    cid = item.str("id", nonempty=True)
    item.name = f"map_point {cid}"
    return Centre(cid, item.str("name", nonempty=True), item.str("address"), item.str("hours"),
                  item.float("lat", -90.0, 90.0), item.float("lon", -180.0, 180.0),
                  item.str("phone", required=False), item.str("kind", nonempty=True))


def answer_from_json(item: _Item) -> HelpAnswer:
    aid = item.str("id", nonempty=True)
    item.name = f"help_answer {aid}"
    return HelpAnswer(aid, item.str("question", nonempty=True), item.str("answer", nonempty=True),
                      item.str("topic", required=False))


def _items(body: _Item, field: str, kind: str, parse: Callable[[_Item], T]) -> tuple[T, ...]:
    out: list[T] = []
    seen: set[str] = set()
    for n, data in enumerate(body.list(field)):
        parsed = parse(_Item(data, f"{field}[{n}]"))
        if parsed.id in seen:  # type: ignore[attr-defined]
            raise CatalogueFormatError(f"{kind} {parsed.id}", "id",  # type: ignore[attr-defined]
                                       f"listed twice in {field}")
        seen.add(parsed.id)  # type: ignore[attr-defined]
        out.append(parsed)
    return tuple(out)


def _lists(body: _Item) -> dict[str, tuple[Any, ...]]:
    return {"categories": _items(body, "categories", "category", category_from_json),
            "services": _items(body, "services", "service", service_from_json),
            "centres": _items(body, "map_points", "map_point", centre_from_json),
            "answers": _items(body, "help_answers", "help_answer", answer_from_json)}


# --- bodies -----------------------------------------------------------------------------
def snapshot_from_json(body: Any) -> CatalogSnapshot:
    """The body of GET /catalogue -> CatalogSnapshot. Raises CatalogueFormatError."""
    top = _Item(body, "catalogue")
    version = top.int("version", minimum=0)
    lists = _lists(top)
    category_ids = {c.id for c in lists["categories"]}
    for s in lists["services"]:
        if s.category_id not in category_ids:
            raise CatalogueFormatError(f"service {s.id}", "category_id",
                                       f"names {s.category_id!r}, not a category of this "
                                       f"catalogue")
    return CatalogSnapshot(str(version), **lists)


def changes_from_json(body: Any) -> CatalogChanges:
    """The body of GET /catalogue/changes -> CatalogChanges. Raises CatalogueFormatError."""
    top = _Item(body, "catalogue changes")
    since = top.int("since", minimum=0)
    version = top.int("version", minimum=0)
    if version < since:
        raise top.fail("version", f"{version} is behind since={since}")
    lists = _lists(top)
    deleted: dict[str, list[str]] = {f: [] for f in DELETION_KINDS.values()}
    for n, data in enumerate(top.list("deletions", required=False)):
        d = _Item(data, f"deletions[{n}]")
        kind = d.str("kind")
        if kind not in DELETION_KINDS:
            raise d.fail("kind", f"{kind!r} is not one of {', '.join(DELETION_KINDS)}")
        deleted[DELETION_KINDS[kind]].append(d.str("id", nonempty=True))
    upserted = {"deleted_categories": lists["categories"], "deleted_services": lists["services"],
                "deleted_centres": lists["centres"], "deleted_answers": lists["answers"]}
    for field, ids in deleted.items():
        kind = next(k for k, f in DELETION_KINDS.items() if f == field)
        both = {i.id for i in upserted[field]} & set(ids)
        if both:
            raise CatalogueFormatError(f"{kind} {sorted(both)[0]}", "id",
                                       "both upserted and deleted in one change set")
        if len(set(ids)) != len(ids):
            raise CatalogueFormatError(f"deletions of {kind}", "id", "an id is listed twice")
    return CatalogChanges(str(since), str(version), **lists,
                          **{f: tuple(ids) for f, ids in deleted.items()})
