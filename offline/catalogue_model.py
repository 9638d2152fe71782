"""The catalogue's data: plain frozen dataclasses, shared by the store and the sync.

Fields added after the first release have defaults, so rows written by older software
(and guides stored as JSON before those fields existed) still load. Pure data: nothing
here blocks or raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The map point kinds of the platform contract (docs/platform-api.md). Others may come
# in a later contract version and are kept as given; the screen shows them generically.
SERVICE_CENTRE, SELF_SERVICE, VILLAGE_STATION, CROSS_PROVINCE = (
    "service_centre", "self_service", "village_station", "cross_province")
MAP_POINT_KINDS = (SERVICE_CENTRE, SELF_SERVICE, VILLAGE_STATION, CROSS_PROVINCE)


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    sort: int = 0
    icon: str = ""
    department: str = ""


@dataclass(frozen=True)
class GuideCentre:
    """Where and when a service is handled."""

    name: str
    address: str
    hours: str
    phone: str = ""
    centre_id: str = ""  # the map point's id; "" when the window is not on the map


@dataclass(frozen=True)
class Guide:
    """办事指南. `materials` are readable lines, e.g. "居民身份证（原件1份）"."""

    conditions: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    fees: str = ""
    time_limit: str = ""
    where_when: tuple[GuideCentre, ...] = ()
    video_url: str | None = None
    department: str = ""
    time_limit_days: int | None = None  # None: not known (older rows)


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
    """A point on the service map (a centre, a 24-hour room, a village station...)."""

    id: str
    name: str
    address: str
    hours: str
    lat: float
    lon: float
    phone: str = ""
    kind: str = SERVICE_CENTRE


@dataclass(frozen=True)
class HelpAnswer:
    id: str
    question: str
    answer: str
    topic: str = ""


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

    @property
    def empty(self) -> bool:
        """True when nothing is upserted or deleted."""
        return not (self.categories or self.services or self.centres or self.answers
                    or self.deleted_categories or self.deleted_services
                    or self.deleted_centres or self.deleted_answers)


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
