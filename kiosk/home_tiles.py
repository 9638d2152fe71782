"""Which service tiles the home screen shows on one page, in which order. Plain Python.

The home screen has room for a number of tiles that depends on the display and the mode
(larger tiles in 长者模式); it never lets them run under the bar or off the screen. When
there are more services than room, a page shows one tile fewer and a "more services"
tile leads to the next page (the last page's leads back to the first), so every service
is reached by taps alone, without scrolling.

In 长者模式 the home is simplified: at most six tiles a page (one decision a screen), and
the services older residents use most come first (configured per district).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MORE = "home:more"          # "more services": the next page
FIRST = "home:first"        # the last page's way back to the most-used services
ELDERLY_MAX_TILES = 6


@dataclass(frozen=True)
class HomePage:
    tiles: tuple[Any, ...]  # ServiceTile, in order
    more: str               # "" (everything fits), MORE or FIRST: the extra tile's action
    page: int
    pages: int


def ordered(tiles: Sequence[Any], *, elderly: bool, favourites: Sequence[str]) -> list[Any]:
    """In 长者模式 the favourites first (in their configured order), then the rest as
    configured; otherwise the configured order unchanged."""
    if not elderly:
        return list(tiles)
    rank = {tile_id: i for i, tile_id in enumerate(favourites)}
    first = sorted((t for t in tiles if t.id in rank), key=lambda t: rank[t.id])
    return first + [t for t in tiles if t.id not in rank]


def capacity(height: float, *, min_tile: float, gap: float, cols: int, elderly: bool) -> int:
    """How many tiles fit in ``height`` with tiles at least ``min_tile`` high (>= 1 row)."""
    rows = max(1, int((height + gap) // (min_tile + gap)))
    room = rows * cols
    return min(room, ELDERLY_MAX_TILES) if elderly else room


def page_of(tiles: Sequence[Any], room: int, page: int) -> HomePage:
    """Page ``page`` (clamped) of ``tiles`` for ``room`` places (the extra tile included)."""
    room = max(2, room)
    if len(tiles) <= room:
        return HomePage(tuple(tiles), "", 0, 1)
    per = room - 1
    pages = -(-len(tiles) // per)
    page = max(0, min(page, pages - 1))
    shown = tuple(tiles[page * per:(page + 1) * per])
    return HomePage(shown, FIRST if page == pages - 1 else MORE, page, pages)


def rows_needed(count: int, cols: int) -> int:
    return max(1, -(-count // cols))
