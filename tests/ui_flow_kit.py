"""Shared set-up for the UI tests that drive flows through the real app: the demo
platform (one per test module), simulated devices, the app harness, and the ways a test
finds a tile, a choice button and what the screen shows.

A test module imports the fixtures it uses (pytest finds imported fixtures); a module that
needs other devices (a camera) defines its own `devices` fixture, which `kiosk` then uses.
"""

from __future__ import annotations

import pytest

from tests.sim_devices import SimDevices
from tests.ui_harness import KioskHarness
from tests.ui_platform import PlatformRig


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    r = PlatformRig(tmp_path_factory.mktemp("rig"))
    yield r
    r.close()


@pytest.fixture
def devices():
    d = SimDevices()
    yield d
    d.close()


@pytest.fixture
def kiosk(tmp_path, rig, devices):
    harness = KioskHarness(tmp_path, connectivity=rig.connectivity, platform=rig.access(),
                           devices=devices)
    yield harness
    harness.close()


def tile(kiosk, tile_id):
    """The home tile of ``tile_id``, turning the home screen to its page if need be."""
    home = kiosk.app.screen_manager.get_screen("home")
    assert home.show_page_with(tile_id), f"no tile {tile_id} on the home screen"
    kiosk.frames(2)  # lay the page out before anyone taps it
    return next(b for b in home.ids.tiles.children if b.tile_id == tile_id)


def button(kiosk, choice_id):
    screen = kiosk.app.screen_manager.current_screen
    found = [b for b in screen.walk() if getattr(b, "choice_id", None) == choice_id]
    assert found, f"no button {choice_id} on {screen.name}: {screen.current_view}"
    return found[0]


def shown_text(kiosk) -> str:
    screen = kiosk.app.screen_manager.current_screen
    return "\n".join(w.text for w in screen.walk() if isinstance(getattr(w, "text", None), str))
