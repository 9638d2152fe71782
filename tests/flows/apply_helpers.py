"""Shared set-up for the application flow tests: a synced catalogue, a card, a camera."""

from __future__ import annotations

from hardware.camera.simulator import SimulatedCamera
from hardware.card_reader.samples import sample_cards
from kiosk.catalogue_sync import CatalogueSync, store_at
from kiosk.flows.identify import AGREE, BY_CARD, BY_CODE
from offline.catalogue import CatalogStore
from offline.db import open_database


def synced_catalogue(ctx, path) -> CatalogStore:
    CatalogueSync(ctx.client(), store_at(path)).sync_once()
    store = CatalogStore(open_database(path))
    ctx.catalogue = lambda: store
    return store


def identify_by_card(flow, devices, card_index: int = 0) -> None:
    flow.start()
    flow.choose(AGREE)
    flow.choose(BY_CARD)
    devices.card_reader.insert_card(sample_cards()[card_index])
    flow.on_card_present()


def identify_by_code(flow, code: str) -> None:
    flow.start()
    flow.choose(AGREE)
    flow.choose(BY_CODE)
    flow.on_code(code)


def add_camera(devices) -> SimulatedCamera:
    camera = SimulatedCamera("camera", fps=60)
    camera.open()
    devices.all.append(camera)
    return camera


class DeliveringSubmitter:
    """Like PlatformLink with a line that works at once: queues (records) the item, and
    `wait_delivered` posts it to the real demo platform and returns its answer."""

    def __init__(self, client) -> None:
        self.client, self.items = client, []

    def submit(self, kind, payload, *, personal=True, key=None):
        self.items.append((kind, dict(payload), personal, key))

    def wait_delivered(self, key, timeout_s):
        kind, payload, _personal, _key = next(i for i in self.items if i[3] == key)
        return self.client.post("/applications", payload, idempotency_key=key).body
