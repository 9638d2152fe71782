"""The home screen's tiles per page (kiosk/home_tiles.py), without a window."""

from __future__ import annotations

from kiosk.availability import ServiceTile
from kiosk.home_tiles import FIRST, MORE, capacity, ordered, page_of

TILES = [ServiceTile(i, i.title(), i) for i in
         ("guide", "appointment", "progress", "licences", "offline_code", "benefits", "apply",
          "id_photo", "bundles", "cross_province", "agent")]


def ids(page) -> list[str]:
    return [t.id for t in page.tiles]


def test_everything_fits_on_one_page_without_a_more_tile():
    page = page_of(TILES[:6], 6, 0)
    assert ids(page) == [t.id for t in TILES[:6]] and page.more == "" and page.pages == 1


def test_more_services_pages_reach_every_tile_and_the_last_leads_back_to_the_first():
    seen, page_no, pages = [], 0, None
    while True:
        page = page_of(TILES, 6, page_no)
        pages = page.pages
        assert len(page.tiles) <= 5
        seen += ids(page)
        if page.more == FIRST:
            break
        assert page.more == MORE
        page_no += 1
    assert seen == [t.id for t in TILES] and pages == 3


def test_elderly_home_puts_the_favourites_first_in_their_order():
    favourites = ("appointment", "benefits", "offline_code", "progress", "guide")
    first = page_of(ordered(TILES, elderly=True, favourites=favourites), 6, 0)
    assert ids(first) == list(favourites) and first.more == MORE
    assert ordered(TILES, elderly=False, favourites=favourites) == TILES


def test_capacity_never_goes_past_six_in_elderly_mode_and_keeps_at_least_one_row():
    assert capacity(2000, min_tile=156, gap=24, cols=3, elderly=True) == 6
    assert capacity(2000, min_tile=108, gap=16, cols=3, elderly=False) == 48
    assert capacity(0, min_tile=156, gap=24, cols=3, elderly=True) == 3
    assert capacity(400, min_tile=108, gap=16, cols=3, elderly=False) == 9
